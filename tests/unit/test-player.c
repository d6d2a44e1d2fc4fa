/* test-player.c: the player's pure parts: the timeline (times, idle limit,
 * recorded and playback time, markers, resizes), loading damaged files,
 * the screen at a time, and seeking: wherever the display goes, forward
 * or back, through snapshots or not, it shows what feeding every event
 * from the start shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "player.h"
#include "render.h"
#include "util.h"

#define S(x)	((int64_t)((x) * 1000000))

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static int
rnd(int n)
{
	uint64_t	 x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return (int)(x % (uint64_t)n);
}

static void
add(struct timeline *tl, double t, char code, const char *s)
{
	timeline_add(tl, S(t), code, s, strlen(s));
}

static void
t_times(void **state)
{
	struct timeline	 tl;

	(void)state;
	timeline_init(&tl);
	add(&tl, 0.5, 'o', "a");
	add(&tl, 1.0, 'o', "b");
	add(&tl, 11.0, 'o', "c");	/* a 10 s pause */
	add(&tl, 11.5, 'i', "x");	/* input: dropped */
	add(&tl, 12.0, 'r', "100x30");
	add(&tl, 12.5, 'r', "bogus");	/* dropped */
	add(&tl, 12.0, 'o', "d");	/* back in time: kept at 12 */
	timeline_end(&tl, S(13));
	assert_int_equal(tl.n, 5);
	assert_int_equal(tl.ev[3].cols, 100);
	assert_int_equal(tl.ev[3].rows, 30);
	assert_int_equal(tl.ev[4].t, S(12));
	assert_int_equal(tl.ev[4].cum, 3);
	assert_int_equal(tl.duration, S(13));
	assert_int_equal(tl.pduration, S(13));

	assert_int_equal(timeline_index(&tl, 0), 0);
	assert_int_equal(timeline_index(&tl, S(0.5)), 1);	/* at or before */
	assert_int_equal(timeline_index(&tl, S(0.7)), 1);
	assert_int_equal(timeline_index(&tl, S(12)), 5);
	assert_int_equal(timeline_index(&tl, S(99)), 5);

	timeline_set_idle_limit(&tl, S(2));
	assert_int_equal(tl.ev[2].pt, S(3));		/* 1 + 2 */
	assert_int_equal(tl.ev[4].pt, S(4));
	assert_int_equal(tl.pduration, S(5));
	assert_int_equal(timeline_ptime(&tl, S(5)), S(3));	/* capped */
	assert_int_equal(timeline_ptime(&tl, S(2)), S(2));
	assert_int_equal(timeline_rtime(&tl, S(2)), S(2));
	assert_int_equal(timeline_rtime(&tl, S(3.5)), S(11.5));
	assert_int_equal(timeline_rtime(&tl, S(99)), S(13));
	assert_int_equal(timeline_rtime(&tl, -5), 0);
	timeline_set_idle_limit(&tl, 0);
	assert_int_equal(tl.ev[2].pt, S(11));
	timeline_free(&tl);
}

static void
t_markers(void **state)
{
	struct timeline	 tl;
	size_t		 i;

	(void)state;
	timeline_init(&tl);
	add(&tl, 1, 'm', "one");
	add(&tl, 2, 'o', "x");
	add(&tl, 3, 'm', "");
	add(&tl, 5, 'm', "three");
	assert_int_equal(timeline_marker(&tl, 0, 1, &i), S(1));
	assert_int_equal(i, 0);
	assert_int_equal(timeline_marker(&tl, S(1), 1, &i), S(3));
	assert_int_equal(timeline_marker(&tl, S(3), 1, &i), S(5));
	assert_string_equal(tl.data + tl.ev[i].off, "three");
	assert_int_equal(timeline_marker(&tl, S(5), 1, &i), -1);
	assert_int_equal(timeline_marker(&tl, S(5), -1, &i), S(3));
	assert_int_equal(timeline_marker(&tl, S(4), -1, &i), S(3));
	assert_int_equal(timeline_marker(&tl, S(1), -1, &i), -1);
	timeline_free(&tl);
}

static char *
write_tmp(const char *content)
{
	char	*path = xstrdup("/tmp/test-player.XXXXXX");
	int	 fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, content, strlen(content)), 0);
	close(fd);
	return path;
}

static void
t_load(void **state)
{
	struct timeline	 tl;
	char		*path, *cause = NULL;

	(void)state;
	path = write_tmp("{\"version\": 2, \"width\": 30, \"height\": 5, "
	    "\"idle_time_limit\": 1.5}\n"
	    "[0.5, \"o\", \"hello\"]\n"
	    "[1.0, \"i\", \"q\"]\n"
	    "[1.5, \"m\", \"mark\"]\n"
	    "[2.0, \"r\", \"40x6\"]\n"
	    "[2.5, \"o\", \"wor\n");		/* torn last line */
	assert_int_equal(timeline_load(&tl, path, &cause), 0);
	assert_int_equal(tl.cols, 30);
	assert_int_equal(tl.rows, 5);
	assert_int_equal(tl.file_idle_limit, S(1.5));
	assert_int_equal(tl.n, 3);
	assert_int_equal(tl.duration, S(2));
	timeline_free(&tl);
	unlink(path);
	free(path);

	path = write_tmp("{\"version\": 2, \"width\": 30, \"height\": 5}\n"
	    "[0.5, \"o\", \"hello\"]\n"
	    "garbage here\n"
	    "[0.7, \"o\", \"lost\"]\n");
	assert_int_equal(timeline_load(&tl, path, &cause), 0);
	assert_int_equal(tl.n, 1);
	assert_non_null(tl.damage);
	timeline_free(&tl);
	unlink(path);
	free(path);

	/* A limit under a microsecond is the least there is, not none. */
	path = write_tmp("{\"version\": 2, \"width\": 30, \"height\": 5, "
	    "\"idle_time_limit\": 1e-9}\n"
	    "[0.5, \"o\", \"hello\"]\n");
	assert_int_equal(timeline_load(&tl, path, &cause), 0);
	assert_int_equal(tl.file_idle_limit, 1);
	timeline_free(&tl);
	unlink(path);
	free(path);

	path = write_tmp("not a recording at all\n");
	assert_int_equal(timeline_load(&tl, path, &cause), -1);
	assert_non_null(cause);
	free(cause);
	timeline_free(&tl);
	unlink(path);
	free(path);
}

static void
t_screen(void **state)
{
	struct render	*r;
	struct buf	 b;
	char		*path, *cause = NULL, *damage;

	(void)state;
	path = write_tmp("{\"version\": 3, \"term\": {\"cols\": 10, "
	    "\"rows\": 3}}\n"
	    "[0.5, \"o\", \"one\\r\\n\"]\n"
	    "[0.5, \"o\", \"two\\r\\n\"]\n"
	    "[0.5, \"r\", \"4x3\"]\n"
	    "[1.0, \"o\", \"three\"]\n"
	    "[0.1, \"x\", \"0\"]\n");
	buf_init(&b);
	assert_int_equal(player_screen(path, S(0.4), &r, &damage, &cause), 0);
	render_text(r, &b);
	assert_string_equal(b.data == NULL ? "" : b.data, "");
	render_free(r);
	buf_reset(&b);
	assert_int_equal(player_screen(path, S(1.0), &r, &damage, &cause), 0);
	render_text(r, &b);
	assert_string_equal(b.data, "one\ntwo\n");
	render_free(r);
	buf_reset(&b);
	assert_int_equal(player_screen(path, -1, &r, &damage, &cause), 0);
	assert_null(damage);
	render_text(r, &b);
	assert_string_equal(b.data, "two\nthre\ne\n");	/* wrapped, scrolled */
	render_free(r);
	buf_free(&b);
	unlink(path);
	free(path);
}

static const char *tokens[] = {
	"\r\n", "\033[2J\033[H", "\033[K", "\033[1;31m", "\033[0m",
	"\033[?1049h", "\033[?1049l", "\0337", "\0338", "\033[5;10r",
	"\033[r", "\033[3;4H", "\033[2A", "\033M", "\033(0lqk\033(B",
	"中文", "\033[?25l", "\033[?25h", "\033[4h", "\033[4l", "\033[6n",
};

/* A timeline of n random events: text, escapes, resizes, markers. */
static void
random_timeline(struct timeline *tl, int n)
{
	struct buf	 b;
	int		 i, j, k;
	char		 size[32];

	timeline_init(tl);
	tl->cols = 20;
	tl->rows = 6;
	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (rnd(40) == 0) {
			snprintf(size, sizeof size, "%dx%d", 5 + rnd(30),
			    2 + rnd(10));
			add(tl, i * 0.01, 'r', size);
			continue;
		}
		if (rnd(50) == 0) {
			add(tl, i * 0.01, 'm', "marker");
			continue;
		}
		buf_reset(&b);
		k = 1 + rnd(4);
		for (j = 0; j < k; j++) {
			if (rnd(2) == 0)
				buf_adds(&b, tokens[rnd((int)(sizeof tokens /
				    sizeof tokens[0]))]);
			else
				buf_addf(&b, "word%d ", rnd(1000));
		}
		add(tl, i * 0.01, 'o', b.data);
	}
	buf_free(&b);
}

static void
dump_at(const struct timeline *tl, size_t idx, struct buf *out)
{
	struct render	*r;
	size_t		 i;

	r = render_new(tl->cols, tl->rows);
	for (i = 0; i < idx; i++)
		timeline_apply(tl, i, r);
	buf_reset(out);
	render_dump(r, out);
	render_free(r);
}

static void
t_seek(void **state)
{
	struct timeline	 tl;
	struct seeker	*sk;
	struct buf	 want, got;
	size_t		 idx, snaps, bytes;
	int		 round, i;

	(void)state;
	buf_init(&want);
	buf_init(&got);
	for (round = 0; round < 6; round++) {
		random_timeline(&tl, 1500);
		sk = seeker_new(&tl);
		seeker_set_interval(sk, 256 + (uint64_t)rnd(2048));
		if (round % 2 == 1) {	/* indexed ahead, or on demand */
			while (seeker_work(sk, 4096))
				;
		}
		for (i = 0; i < 60; i++) {
			idx = (size_t)rnd((int)tl.n + 1);
			if (rnd(4) == 0)
				idx = seeker_pos(sk) + (size_t)rnd(20);
			if (idx > tl.n)
				idx = tl.n;
			seeker_goto(sk, idx);
			assert_int_equal(seeker_pos(sk), idx);
			dump_at(&tl, idx, &want);
			buf_reset(&got);
			render_dump(seeker_render(sk), &got);
			if (strcmp(want.data, got.data) != 0) {
				fprintf(stderr, "round %d, goto %zu:\nwant\n%s\n"
				    "got\n%s\n", round, idx, want.data,
				    got.data);
				fail();
			}
		}
		snaps = seeker_snapshots(sk, &bytes);
		assert_true(snaps > 5);
		assert_true(bytes > 0);
		seeker_free(sk);
		timeline_free(&tl);
	}
	buf_free(&want);
	buf_free(&got);
}

/* The same on recordings of real programs (tests/data/golden): every
 * position, reached from far away, through snapshots taken often. */
static void
t_seek_golden(void **state)
{
	static const char	*names[] = { "vi", "less", "progress", "alt",
				     "wide", "resize" };
	struct timeline		 tl;
	struct seeker		*sk;
	struct buf		 want, got;
	char			 path[256], *cause = NULL;
	size_t			 i, n, idx;

	(void)state;
	buf_init(&want);
	buf_init(&got);
	for (n = 0; n < sizeof names / sizeof names[0]; n++) {
		snprintf(path, sizeof path, "tests/data/golden/%s.cast",
		    names[n]);
		if (access(path, R_OK) != 0)
			skip();
		assert_int_equal(timeline_load(&tl, path, &cause), 0);
		sk = seeker_new(&tl);
		seeker_set_interval(sk, 64);
		for (i = 0; i <= tl.n; i++) {
			/* Far back or far ahead, then here. */
			seeker_goto(sk, i % 2 == 0 ? tl.n : 0);
			idx = i;
			seeker_goto(sk, idx);
			dump_at(&tl, idx, &want);
			buf_reset(&got);
			render_dump(seeker_render(sk), &got);
			if (strcmp(want.data, got.data) != 0) {
				fprintf(stderr, "%s, event %zu:\nwant\n%s\n"
				    "got\n%s\n", names[n], idx, want.data,
				    got.data);
				fail();
			}
		}
		seeker_free(sk);
		timeline_free(&tl);
	}
	buf_free(&want);
	buf_free(&got);
}

/* Snapshots saved to a cache file and read back seek the same; a stale,
 * cut or damaged cache file is refused, never trusted. */
static void
t_cache(void **state)
{
	struct timeline	 tl;
	struct seeker	*a, *b;
	struct stat	 st, other;
	struct buf	 want, got;
	char		*path, *cause = NULL, *data;
	size_t		 len, i, idx, snaps;
	int		 fd, k;

	(void)state;
	path = write_tmp("");
	assert_int_equal(stat(path, &st), 0);
	random_timeline(&tl, 1200);
	a = seeker_new(&tl);
	seeker_set_interval(a, 512);
	assert_int_equal(seeker_save(a, path, &st, &cause), -1);  /* not yet */
	free(cause);
	cause = NULL;
	while (seeker_work(a, 4096))
		;
	assert_int_equal(seeker_save(a, path, &st, &cause), 0);
	snaps = seeker_snapshots(a, NULL);
	assert_true(snaps > 5);

	b = seeker_new(&tl);
	assert_int_equal(seeker_load(b, path, &st), 0);
	assert_int_equal(seeker_snapshots(b, NULL), snaps);
	assert_int_equal(seeker_work(b, 4096), 0);	/* nothing to index */
	buf_init(&want);
	buf_init(&got);
	for (k = 0; k < 40; k++) {
		idx = (size_t)rnd((int)tl.n + 1);
		seeker_goto(b, idx);
		dump_at(&tl, idx, &want);
		buf_reset(&got);
		render_dump(seeker_render(b), &got);
		assert_string_equal(want.data, got.data);
	}
	seeker_free(b);

	/* Another transcript (size or time): stale. */
	other = st;
	other.st_size++;
	b = seeker_new(&tl);
	assert_int_equal(seeker_load(b, path, &other), -1);
	seeker_free(b);

	/* Cut anywhere, or a byte changed: refused or harmless. */
	data = read_file(path, &len, (size_t)1 << 30, &cause);
	assert_non_null(data);
	for (i = 0; i < len; i += 1 + len / 300) {
		fd = open(path, O_WRONLY | O_TRUNC);
		assert_true(fd >= 0);
		assert_int_equal(write_all(fd, data, i), 0);
		close(fd);
		b = seeker_new(&tl);
		assert_int_equal(seeker_load(b, path, &st), -1);
		seeker_free(b);

		data[i] ^= 0x5a;
		fd = open(path, O_WRONLY | O_TRUNC);
		assert_int_equal(write_all(fd, data, len), 0);
		close(fd);
		b = seeker_new(&tl);
		if (seeker_load(b, path, &st) == 0) {	/* cell contents */
			seeker_goto(b, tl.n);
			seeker_goto(b, tl.n / 2);
		}
		seeker_free(b);
		data[i] ^= 0x5a;
	}
	free(data);
	buf_free(&want);
	buf_free(&got);
	seeker_free(a);
	timeline_free(&tl);
	unlink(path);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_times),
		cmocka_unit_test(t_markers),
		cmocka_unit_test(t_load),
		cmocka_unit_test(t_screen),
		cmocka_unit_test(t_seek),
		cmocka_unit_test(t_seek_golden),
		cmocka_unit_test(t_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
