/* test-cast.c: asciicast encode and decode: escaping and UTF-8 carry,
 * the v3 interval clock, v2 times, headers in both shapes, event line
 * parsing, and the reader on v1/v2/v3 files, cut, damaged and huge. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "cast.h"
#include "util.h"
#include "zio.h"

struct fixture {
	char	 dir[64];
	char	 path[128];
	char	 cut[128];
};

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t
rng(void)
{
	uint64_t	 x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof *f);

	snprintf(f->dir, sizeof f->dir, "/tmp/test-cast.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/a.cast", f->dir);
	snprintf(f->cut, sizeof f->cut, "%s/cut.cast", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	unlink(f->path);
	unlink(f->cut);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
put_file(const char *path, const void *p, size_t n)
{
	int	 fd;

	fd = open(path, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, p, n), 0);
	assert_int_equal(close(fd), 0);
}

static void
put_zstd(const char *path, const void *p, size_t n)
{
	struct zio_writer	*zw;
	int			 fd;

	fd = open(path, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	zw = zio_writer_new(fd, 3);
	assert_int_equal(zio_write(zw, p, n), 0);
	assert_int_equal(zio_end(zw), 0);
	zio_writer_free(zw);
	assert_int_equal(close(fd), 0);
}

/* An independent check that s is valid UTF-8. */
static int
valid_utf8(const char *s0, size_t n)
{
	const unsigned char	*s = (const unsigned char *)s0;
	size_t			 i = 0;
	unsigned long		 cp, min;
	int			 k, j;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			k = 1; cp = s[i] & 0x1f; min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			k = 2; cp = s[i] & 0x0f; min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			k = 3; cp = s[i] & 0x07; min = 0x10000;
		} else
			return 0;
		if (i + (size_t)k >= n)
			return 0;
		for (j = 1; j <= k; j++) {
			if ((s[i + (size_t)j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + (size_t)j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += (size_t)k + 1;
	}
	return 1;
}

/* Escape s (final) and return the result as a new string. */
static char *
esc(const char *s, size_t n)
{
	struct buf	 b;

	buf_init(&b);
	assert_int_equal(cast_escape(&b, s, n, 1), n);
	return b.data;
}

static void
check_esc(const char *in, size_t n, const char *want)
{
	char	*got = esc(in, n);

	assert_string_equal(got, want);
	free(got);
}
#define CHECK_ESC(in, want) check_esc(in, sizeof in - 1, want)

#define AS40	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void
test_escape_ascii(void **state)
{
	struct buf	 b;

	CHECK_ESC("", "");
	CHECK_ESC("hello, world", "hello, world");
	CHECK_ESC("a\"b\\c/d", "a\\\"b\\\\c/d");
	CHECK_ESC("\n\r\t\b\f", "\\n\\r\\t\\b\\f");
	CHECK_ESC("\x01\x1b[0m\x1f\x7f", "\\u0001\\u001b[0m\\u001f\\u007f");
	CHECK_ESC("a\0b", "a\\u0000b");
	CHECK_ESC(" ~", " ~");

	/* Appends to what is there. */
	buf_init(&b);
	buf_adds(&b, "x");
	assert_int_equal(cast_escape(&b, "\n", 1, 0), 1);
	assert_string_equal(b.data, "x\\n");
	assert_int_equal(b.len, 3);
	buf_free(&b);

	/* Every byte at every place of a block (two blocks of 16 and a
	 * tail): the same as on its own. */
	{
		char	 in[40], *one, *got, want[96];
		int	 c, pos;

		for (c = 0; c < 256; c++) {
			in[0] = (char)c;
			one = esc(in, 1);
			for (pos = 0; pos < 40; pos++) {
				memset(in, 'a', sizeof in);
				in[pos] = (char)c;
				got = esc(in, sizeof in);
				snprintf(want, sizeof want, "%.*s%s%.*s", pos,
				    AS40, one, 39 - pos, AS40);
				assert_string_equal(got, want);
				free(got);
			}
			free(one);
		}
	}

	/* Nothing to escape still leaves a string. */
	buf_init(&b);
	assert_int_equal(cast_escape(&b, "", 0, 0), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	buf_free(&b);
}

#define FFFD "\xef\xbf\xbd"

static void
test_escape_utf8(void **state)
{
	CHECK_ESC("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	CHECK_ESC("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf",
	    "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf");
	CHECK_ESC("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
	    "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
	CHECK_ESC("\xed\x9f\xbf\xee\x80\x80", "\xed\x9f\xbf\xee\x80\x80");

	/* Stray and impossible bytes. */
	CHECK_ESC("a\x80z", "a" FFFD "z");
	CHECK_ESC("\xbf\xfe\xff", FFFD FFFD FFFD);
	CHECK_ESC("\xf5\x80", FFFD FFFD);
	/* Overlong forms. */
	CHECK_ESC("\xc0\xaf", FFFD FFFD);
	CHECK_ESC("\xc1\xbf", FFFD FFFD);
	CHECK_ESC("\xe0\x80\xaf", FFFD FFFD FFFD);
	CHECK_ESC("\xe0\x9f\xbf", FFFD FFFD FFFD);
	CHECK_ESC("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD);
	CHECK_ESC("\xf0\x8f\xbf\xbf", FFFD FFFD FFFD FFFD);
	/* Surrogates. */
	CHECK_ESC("\xed\xa0\x80", FFFD FFFD FFFD);
	CHECK_ESC("\xed\xbf\xbf", FFFD FFFD FFFD);
	/* Above U+10FFFF. */
	CHECK_ESC("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	/* A sequence cut by a byte that does not continue it: one U+FFFD
	 * for the valid start, then the byte itself. */
	CHECK_ESC("\xe2\x82" "A", FFFD "A");
	CHECK_ESC("\xf0\x9f\x98\n", FFFD "\\n");
	CHECK_ESC("\xe2\xe2\x82\xac", FFFD "\xe2\x82\xac");
	/* final: an incomplete end is replaced too. */
	CHECK_ESC("ab\xf0\x9f\x98", "ab" FFFD);
	CHECK_ESC("\xc3", FFFD);
}

static void
test_escape_carry(void **state)
{
	static const char	 whole[] = "ab\xf0\x9f\x98\x80" "cd";
	static const char	*chars[] = { "\xc3\xa9", "\xe2\x82\xac",
	    "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf" };
	struct buf		 b;
	char			*want, in[16];
	size_t			 split, used, n = sizeof whole - 1, i, k;

	want = esc(whole, n);
	for (split = 0; split <= n; split++) {
		buf_init(&b);
		used = cast_escape(&b, whole, split, 0);
		/* Inside the 4-byte character: stop before it. */
		if (split > 2 && split < 6)
			assert_int_equal(used, 2);
		else
			assert_int_equal(used, split);
		assert_int_equal(cast_escape(&b, whole + used, n - used, 0),
		    n - used);
		assert_string_equal(b.data, want);
		buf_free(&b);
	}
	free(want);

	/* Every split of every width of character. */
	for (i = 0; i < sizeof chars / sizeof chars[0]; i++) {
		for (k = 1; k < strlen(chars[i]); k++) {
			buf_init(&b);
			in[0] = 'x';
			memcpy(in + 1, chars[i], k);
			assert_int_equal(cast_escape(&b, in, k + 1, 0), 1);
			assert_string_equal(b.data, "x");
			buf_free(&b);
		}
	}

	/* Not a valid start: not held back. */
	buf_init(&b);
	assert_int_equal(cast_escape(&b, "a\xf0\x28", 3, 0), 3);
	assert_string_equal(b.data, "a" FFFD "(");
	buf_reset(&b);
	assert_int_equal(cast_escape(&b, "a\xed\xa0", 3, 0), 3);
	assert_string_equal(b.data, "a" FFFD FFFD);
	buf_reset(&b);
	assert_int_equal(cast_escape(&b, "a\xf4\x90", 3, 0), 3);
	buf_reset(&b);
	assert_int_equal(cast_escape(&b, "a\xe0\x9f", 3, 0), 3);
	buf_reset(&b);
	assert_int_equal(cast_escape(&b, "\xe0\xa0", 2, 0), 0);
	assert_string_equal(b.data, "");
	buf_free(&b);
}

/* Random bytes, biased toward what terminals send. */
static size_t
random_bytes(char *p, size_t max)
{
	static const char *bits[] = { "\x1b[", "\r\n", "\xe2\x94\x80",
	    "\xf0\x9f\x98\x80", "\xc3", "\xed\xa0\x80", "\"", "\\", "\t",
	    "\xf4\x90\x80\x80", "\xe0\x80\xaf", "\\u0041" };
	size_t	 n = rng() % max, i = 0, k;
	const char *s;

	while (i < n) {
		switch (rng() % 3) {
		case 0:
			p[i++] = (char)rng();
			break;
		case 1:
			p[i++] = (char)(0x20 + rng() % 95);
			break;
		default:
			s = bits[rng() % (sizeof bits / sizeof bits[0])];
			k = strlen(s);
			if (k > n - i)
				k = n - i;
			memcpy(p + i, s, k);
			i += k;
		}
	}
	return n;
}

/* Random valid UTF-8 from random code points. */
static size_t
random_utf8(char *p, size_t max)
{
	struct buf	 b;
	unsigned long	 cp;
	size_t		 n;
	char		 tmp[4];
	int		 k;

	buf_init(&b);
	while (b.len + 4 < max && rng() % 64 != 0) {
		switch (rng() % 4) {
		case 0: cp = rng() % 0x80; break;
		case 1: cp = rng() % 0x800; break;
		case 2: cp = rng() % 0x10000; break;
		default: cp = rng() % 0x110000; break;
		}
		if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 0xfffd;
		if (cp < 0x80) {
			tmp[0] = (char)cp; k = 1;
		} else if (cp < 0x800) {
			tmp[0] = (char)(0xc0 | cp >> 6);
			tmp[1] = (char)(0x80 | (cp & 0x3f)); k = 2;
		} else if (cp < 0x10000) {
			tmp[0] = (char)(0xe0 | cp >> 12);
			tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			tmp[2] = (char)(0x80 | (cp & 0x3f)); k = 3;
		} else {
			tmp[0] = (char)(0xf0 | cp >> 18);
			tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
			tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
			tmp[3] = (char)(0x80 | (cp & 0x3f)); k = 4;
		}
		buf_add(&b, tmp, (size_t)k);
	}
	n = b.len;
	if (n != 0)
		memcpy(p, b.data, n);
	buf_free(&b);
	return n;
}

/* Escape in, write an event, parse it back: returns the decoded data. */
static void
roundtrip(const char *in, size_t n, struct buf *out)
{
	struct buf		 line, scratch, esc2;
	struct cast_clock	 clock = { 0 };
	struct cast_event	 ev;
	int64_t			 t = 0;
	char			*cause = NULL, *json;
	cJSON			*o;

	buf_init(&line);
	buf_init(&scratch);
	buf_init(&esc2);
	cast_event_write_v3(&clock, 1234567, 'o', in, n, 0, &line);
	assert_true(line.len > 0 && line.data[line.len - 1] == '\n');
	assert_null(memchr(line.data, '\n', line.len - 1));
	assert_true(valid_utf8(line.data, line.len));
	if (cast_event_parse(line.data, line.len - 1, 3, &t, &ev, &scratch,
	    &cause) != 0)
		fail_msg("parse: %s: %s", cause, line.data);
	assert_int_equal(ev.time, 1235000);
	assert_int_equal(ev.code, 'o');
	assert_true(valid_utf8(ev.data, ev.len));
	assert_int_equal(ev.data[ev.len], '\0');

	/* cJSON agrees (when there is no NUL to stop it). */
	if (memchr(ev.data, '\0', ev.len) == NULL) {
		o = cJSON_ParseWithLength(line.data, line.len);
		assert_non_null(o);
		json = cJSON_GetArrayItem(o, 2)->valuestring;
		assert_int_equal(strlen(json), ev.len);
		assert_memory_equal(json, ev.data, ev.len);
		cJSON_Delete(o);
	}

	/* Escaping valid output again changes nothing. */
	buf_reset(out);
	buf_add(out, ev.data, ev.len);
	cast_escape(&esc2, ev.data, ev.len, 1);
	assert_non_null(strstr(line.data, esc2.data));
	buf_free(&esc2);
	buf_free(&line);
	buf_free(&scratch);
}

static void
test_escape_roundtrip(void **state)
{
	struct buf	 out;
	char		*p;
	size_t		 n, max = 20000;
	int		 i;

	p = xmalloc(max);
	buf_init(&out);
	for (i = 0; i < 400; i++) {
		n = random_utf8(p, i % 10 == 0 ? max : 200);
		roundtrip(p, n, &out);
		assert_int_equal(out.len, n);
		if (n != 0)
			assert_memory_equal(out.data, p, n);
	}
	for (i = 0; i < 400; i++) {
		n = random_bytes(p, i % 10 == 0 ? max : 200);
		roundtrip(p, n, &out);
		if (valid_utf8(p, n)) {
			assert_int_equal(out.len, n);
			if (n != 0)
				assert_memory_equal(out.data, p, n);
		}
	}
	buf_free(&out);
	free(p);
}

static void
test_clock(void **state)
{
	struct cast_clock	 clock = { 0 };
	struct cast_event	 ev;
	struct buf		 b, scratch;
	int64_t			 t = 0, sum = 0;
	char			*cause = NULL, *line, *nl;
	int			 i;

	buf_init(&b);
	cast_event_write_v3(&clock, 16000, 'o', "x", 1, 0, &b);
	assert_string_equal(b.data, "[0.016, \"o\", \"x\"]\n");
	buf_reset(&b);
	cast_event_write_v3(&clock, 1516000, 'i', "\r", 1, 0, &b);
	assert_string_equal(b.data, "[1.500, \"i\", \"\\r\"]\n");
	buf_reset(&b);
	cast_event_write_v3(&clock, 1000, 'r', "80x24", 5, 1, &b);
	assert_string_equal(b.data, "[0.000, \"r\", \"80x24\"]\n");
	buf_reset(&b);
	cast_event_write_v3(&clock, 62516000, 'x', "0", 1, 0, &b);
	assert_string_equal(b.data, "[61.000, \"x\", \"0\"]\n");
	buf_reset(&b);
	cast_event_write_v3(&clock, 62516499, '"', "", 0, 0, &b);
	assert_string_equal(b.data, "[0.000, \"\\\"\", \"\"]\n");
	assert_int_equal(clock.written_ms, 62516);
	buf_free(&b);

	/* 1000 events 0.4 ms apart: 400 ms in all, not 0 or 1000. */
	memset(&clock, 0, sizeof clock);
	buf_init(&b);
	buf_init(&scratch);
	for (i = 1; i <= 1000; i++)
		cast_event_write_v3(&clock, i * 400, 'o', "a", 1, 0, &b);
	assert_int_equal(clock.written_ms, 400);
	line = b.data;
	for (i = 0; i < 1000; i++) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		assert_int_equal(cast_event_parse(line, (size_t)(nl - line),
		    3, &t, &ev, &scratch, &cause), 0);
		assert_true(ev.time - sum == 0 || ev.time - sum == 1000);
		sum = ev.time;
		/* Never more than half a millisecond off. */
		assert_true(llabs(ev.time - (i + 1) * 400) <= 500);
		line = nl + 1;
	}
	assert_int_equal(t, 400000);
	buf_free(&b);
	buf_free(&scratch);
}

static void
check_time(int64_t t, int ms, const char *want)
{
	struct buf	 b;

	buf_init(&b);
	cast_time_write(t, ms, &b);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void
test_time_format(void **state)
{
	struct buf	 b;

	check_time(1500000, 0, "1.5");
	check_time(2143733, 0, "2.143733");
	check_time(0, 0, "0.0");
	check_time(3000000, 0, "3.0");
	check_time(1, 0, "0.000001");
	check_time(10, 0, "0.00001");
	check_time(120100000, 0, "120.1");
	check_time(-500000, 0, "-0.5");
	check_time(INT64_MAX, 0, "9223372036854.775807");
	check_time(16000, 1, "0.016");
	check_time(1500, 1, "0.002");
	check_time(1499, 1, "0.001");
	check_time(0, 1, "0.000");
	check_time(123456789, 1, "123.457");
	check_time(3600000000LL, 1, "3600.000");

	buf_init(&b);
	cast_event_write_v2(1500000, 'o', "hi\n", 3, 0, &b);
	assert_string_equal(b.data, "[1.5, \"o\", \"hi\\n\"]\n");
	buf_reset(&b);
	cast_event_write_v2(2143733, 'o', "\\u001b", 6, 1, &b);
	assert_string_equal(b.data, "[2.143733, \"o\", \"\\u001b\"]\n");
	buf_free(&b);
}

/* Events longer than CAST_EVENT_MAX escaped are cut into several of the
 * same time, between characters: they read back as the one line would. */
static void
test_event_split(void **state)
{
	static const char	*pieces[] = { "\x7f", "\xf0\x9f\x98\x80",
	    "\xe2\x94\x80", "\xc3\xa9", "\xff", "\xe2\x94", "a", "\n",
	    "\0", "\"" };
	struct cast_clock	 clock;
	struct cast_event	 ev;
	struct buf		 in, b, one, all, scratch;
	const char		*p, *nl, *end;
	char			*cause = NULL;
	int64_t			 t;
	size_t			 lines, i;
	int			 version;

	buf_init(&in);
	buf_init(&b);
	buf_init(&one);
	buf_init(&all);
	buf_init(&scratch);
	while (in.len < 300 * 1024) {
		p = pieces[rng() % (sizeof pieces / sizeof pieces[0])];
		buf_add(&in, p, *p == '\0' ? 1 : strlen(p));
	}

	/* What one line reads back as. */
	memset(&clock, 0, sizeof clock);
	cast_event_write_v3(&clock, 0, 'o', in.data, in.len, 0, &b);
	t = 0;
	assert_int_equal(cast_event_parse(b.data, b.len - 1, 3, &t, &ev,
	    &scratch, &cause), 0);
	buf_add(&one, ev.data, ev.len);

	for (version = 2; version <= 3; version++) {
		buf_reset(&b);
		buf_reset(&all);
		memset(&clock, 0, sizeof clock);
		cast_event_write_split(&clock, 3, 1000, 'o', "x", 1, &b);
		cast_event_write_split(version == 3 ? &clock : NULL, version,
		    2345678, 'o', in.data, in.len, &b);
		p = b.data;
		end = b.data + b.len;
		nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);
		p = nl + 1;		/* the "x" event */
		t = 1000;
		for (lines = 0; p < end; lines++) {
			nl = memchr(p, '\n', (size_t)(end - p));
			assert_non_null(nl);
			assert_true((size_t)(nl - p) <= CAST_EVENT_MAX +
			    6 * 4096 + 64);
			assert_true(valid_utf8(p, (size_t)(nl - p)));
			if (cast_event_parse(p, (size_t)(nl - p), version, &t,
			    &ev, &scratch, &cause) != 0)
				fail_msg("line %zu: %s", lines, cause);
			assert_int_equal(ev.code, 'o');
			assert_int_equal(ev.time, version == 3 ? 2346000 :
			    2345678);
			if (version == 3 && lines > 0)
				assert_int_equal(strncmp(p, "[0.000,", 7), 0);
			buf_add(&all, ev.data, ev.len);
			p = nl + 1;
		}
		assert_true(lines > 8);
		assert_int_equal(all.len, one.len);
		assert_memory_equal(all.data, one.data, one.len);
	}

	/* Short data (and none) is the one line it always was. */
	for (i = 0; i < 2; i++) {
		buf_reset(&b);
		buf_reset(&one);
		memset(&clock, 0, sizeof clock);
		cast_event_write_split(&clock, 3, 1500, 'o', "hi\x7f", i * 3,
		    &b);
		memset(&clock, 0, sizeof clock);
		cast_event_write_v3(&clock, 1500, 'o', "hi\x7f", i * 3, 0, &one);
		assert_string_equal(b.data, one.data);
	}
	buf_reset(&b);
	cast_event_write_split(NULL, 2, 1500000, 'o', "hi\n", 3, &b);
	assert_string_equal(b.data, "[1.5, \"o\", \"hi\\n\"]\n");

	buf_free(&in);
	buf_free(&b);
	buf_free(&one);
	buf_free(&all);
	buf_free(&scratch);
}

static void
header_sample(struct cast_header *h)
{
	cast_header_init(h);
	h->version = 3;
	h->cols = 132;
	h->rows = 43;
	h->term_type = xstrdup("xterm-256color");
	h->timestamp = 1700000000;
	h->idle_time_limit = 2.5;
	h->command = xstrdup("claude --resume");
	h->title = xstrdup("a \"title\"\n");
	h->env = cJSON_CreateObject();
	cJSON_AddStringToObject(h->env, "SHELL", "/bin/zsh");
	h->theme = cJSON_Parse("{\"fg\": \"#ffffff\", \"bg\": \"#000000\", "
	    "\"palette\": \"#000000:#111111\"}");
	h->tags = cJSON_Parse("[\"demo\", \"agent\"]");
}

static const char *header_v3 = "{\"version\": 3, \"term\": {\"cols\": 132, "
    "\"rows\": 43, \"type\": \"xterm-256color\", \"theme\": {\"fg\": "
    "\"#ffffff\", \"bg\": \"#000000\", \"palette\": \"#000000:#111111\"}}, "
    "\"timestamp\": 1700000000, \"idle_time_limit\": 2.5, \"command\": "
    "\"claude --resume\", \"title\": \"a \\\"title\\\"\\n\", \"env\": "
    "{\"SHELL\": \"/bin/zsh\"}, \"tags\": [\"demo\", \"agent\"]}\n";

static const char *header_v2 = "{\"version\": 2, \"width\": 132, "
    "\"height\": 43, \"timestamp\": 1700000000, \"idle_time_limit\": 2.5, "
    "\"command\": \"claude --resume\", \"title\": \"a \\\"title\\\"\\n\", "
    "\"env\": {\"SHELL\": \"/bin/zsh\", \"TERM\": \"xterm-256color\"}, "
    "\"theme\": {\"fg\": \"#ffffff\", \"bg\": \"#000000\", \"palette\": "
    "\"#000000:#111111\"}}\n";

static void
check_header_fields(const struct cast_header *h, int version)
{
	const cJSON	*v;

	assert_int_equal(h->version, version);
	assert_int_equal(h->cols, 132);
	assert_int_equal(h->rows, 43);
	assert_string_equal(h->term_type, "xterm-256color");
	assert_int_equal(h->timestamp, 1700000000);
	assert_true(h->idle_time_limit == 2.5);
	assert_string_equal(h->command, "claude --resume");
	assert_string_equal(h->title, "a \"title\"\n");
	assert_non_null(h->env);
	assert_int_equal(cJSON_GetArraySize(h->env), 1);
	assert_null(cJSON_GetObjectItem(h->env, "TERM"));
	v = cJSON_GetObjectItem(h->env, "SHELL");
	assert_string_equal(v->valuestring, "/bin/zsh");
	assert_non_null(h->theme);
	v = cJSON_GetObjectItem(h->theme, "bg");
	assert_string_equal(v->valuestring, "#000000");
	if (version == 3)
		assert_int_equal(cJSON_GetArraySize(h->tags), 2);
	else
		assert_null(h->tags);
}

static void
test_header_roundtrip(void **state)
{
	struct cast_header	 h, p, q;
	struct buf		 b;
	char			*cause = NULL;

	header_sample(&h);
	buf_init(&b);
	cast_header_write(&h, 3, &b);
	assert_string_equal(b.data, header_v3);
	assert_int_equal(cast_header_parse(b.data, b.len, &p, &cause), 0);
	check_header_fields(&p, 3);

	/* v3 -> v2: TERM into env, theme to the top. */
	buf_reset(&b);
	cast_header_write(&p, 2, &b);
	assert_string_equal(b.data, header_v2);
	assert_int_equal(cast_header_parse(b.data, b.len, &q, &cause), 0);
	check_header_fields(&q, 2);

	/* and back. */
	buf_reset(&b);
	cast_header_write(&q, 3, &b);
	cJSON_Delete(q.tags);
	q.tags = NULL;
	{
		char	*want = xstrdup(header_v3);

		/* v2 has no tags. */
		*strstr(want, ", \"tags\"") = '\0';
		assert_memory_equal(b.data, want, strlen(want));
		assert_string_equal(b.data + strlen(want), "}\n");
		free(want);
	}
	cast_header_free(&h);
	cast_header_free(&p);
	cast_header_free(&q);

	/* The least there can be. */
	cast_header_init(&h);
	h.cols = 80;
	h.rows = 24;
	buf_reset(&b);
	cast_header_write(&h, 3, &b);
	assert_string_equal(b.data,
	    "{\"version\": 3, \"term\": {\"cols\": 80, \"rows\": 24}}\n");
	buf_reset(&b);
	cast_header_write(&h, 2, &b);
	assert_string_equal(b.data,
	    "{\"version\": 2, \"width\": 80, \"height\": 24}\n");
	/* v2 with only a terminal type. */
	h.term_type = xstrdup("vt100");
	buf_reset(&b);
	cast_header_write(&h, 2, &b);
	assert_string_equal(b.data, "{\"version\": 2, \"width\": 80, "
	    "\"height\": 24, \"env\": {\"TERM\": \"vt100\"}}\n");
	cast_header_free(&h);
	buf_free(&b);
}

static void
check_header_error(const char *s, const char *want)
{
	struct cast_header	 h;
	char			*cause = NULL;

	assert_int_equal(cast_header_parse(s, strlen(s), &h, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause [%s] lacks [%s]", cause, want);
	free(cause);
	cast_header_free(&h);
}

static void
test_header_parse(void **state)
{
	struct cast_header	 h;
	char			*cause = NULL;
	const char		*s;

	/* Unknown keys ignored, null env values tolerated, TERM moves. */
	s = "{\"version\":2,\"width\":100,\"height\":30,\"duration\":3.5,"
	    "\"future\":{\"x\":[1,2]},\"env\":{\"SHELL\":null,\"TERM\":"
	    "\"screen\",\"LANG\":\"C\"}}  ";
	assert_int_equal(cast_header_parse(s, strlen(s), &h, &cause), 0);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.cols, 100);
	assert_int_equal(h.rows, 30);
	assert_string_equal(h.term_type, "screen");
	assert_int_equal(cJSON_GetArraySize(h.env), 1);
	assert_string_equal(cJSON_GetObjectItem(h.env, "LANG")->valuestring,
	    "C");
	assert_null(h.command);
	assert_int_equal(h.timestamp, 0);
	cast_header_free(&h);

	/* v3: term.type stays out of env even if env has a TERM. */
	s = "{\"version\": 3, \"term\": {\"cols\": 80, \"rows\": 24, "
	    "\"version\": \"tmux 3.4\"}, \"env\": {\"TERM\": \"x\"}, "
	    "\"comment\": \"ignored\"}";
	assert_int_equal(cast_header_parse(s, strlen(s), &h, &cause), 0);
	assert_int_equal(h.version, 3);
	assert_null(h.term_type);
	assert_int_equal(cJSON_GetArraySize(h.env), 1);
	cast_header_free(&h);

	check_header_error("", "not JSON");
	check_header_error("{\"version\": 3", "not JSON");
	check_header_error("{\"version\": 3} x", "not JSON");
	check_header_error("[3]", "not a JSON object");
	check_header_error("{\"width\": 80}", "no version");
	check_header_error("{\"version\": 4}", "version 4");
	check_header_error("{\"version\": 1e300}", "no version");
	check_header_error("{\"version\": 3, \"width\": 80, \"height\": 24}",
	    "term");
	check_header_error("{\"version\": 3, \"term\": {\"cols\": \"80\", "
	    "\"rows\": 24}}", "term.cols");
	check_header_error("{\"version\": 2, \"width\": 80}", "width");
	check_header_error("{\"version\": 2, \"width\": -1, \"height\": 2}",
	    "width");
}

static void
check_event(const char *line, int version, int64_t *clock, int64_t time,
    char code, const char *data, size_t len)
{
	struct cast_event	 ev;
	struct buf		 scratch;
	char			*cause = NULL;

	buf_init(&scratch);
	if (cast_event_parse(line, strlen(line), version, clock, &ev,
	    &scratch, &cause) != 0)
		fail_msg("%s: %s", line, cause);
	assert_int_equal(ev.time, time);
	assert_int_equal(ev.code, code);
	assert_int_equal(ev.len, len);
	assert_memory_equal(ev.data, data, len);
	assert_int_equal(ev.data[len], '\0');
	buf_free(&scratch);
}
#define CHECK_EVENT(line, v, clock, t, code, data) \
	check_event(line, v, clock, t, code, data, sizeof data - 1)

static void
check_event_error(const char *line, const char *want)
{
	struct cast_event	 ev;
	struct buf		 scratch;
	int64_t			 clock = 5;
	char			*cause = NULL;

	buf_init(&scratch);
	assert_int_equal(cast_event_parse(line, strlen(line), 3, &clock, &ev,
	    &scratch, &cause), -1);
	assert_int_equal(clock, 5);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("%s: cause [%s] lacks [%s]", line, cause, want);
	free(cause);
	buf_free(&scratch);
}

static void
test_event_parse(void **state)
{
	int64_t		 clock = 0;

	CHECK_EVENT("[0.016, \"o\", \"hello\"]", 3, &clock, 16000, 'o',
	    "hello");
	CHECK_EVENT("[1.5,\"i\",\"\\r\"]", 3, &clock, 1516000, 'i', "\r");
	CHECK_EVENT(" \t[ 1e-3 , \"r\" ,\"80x24\" ] \r", 3, &clock, 1517000,
	    'r', "80x24");
	CHECK_EVENT("[1.5E+2, \"m\", \"\"]", 3, &clock, 151517000, 'm', "");
	CHECK_EVENT("[0, \"x\", \"0\"]", 3, &clock, 151517000, 'x', "0");
	/* An unknown code, longer than one letter: its first byte. */
	CHECK_EVENT("[0.0000004, \"zz\", \"q\"]", 3, &clock, 151517000, 'z',
	    "q");
	/* v2: absolute. */
	clock = 99;
	CHECK_EVENT("[2.143733, \"o\", \"a\"]", 2, &clock, 2143733, 'o', "a");
	assert_int_equal(clock, 2143733);
	CHECK_EVENT("[1, \"o\", \"a\"]", 2, &clock, 1000000, 'o', "a");

	/* Every escape. */
	clock = 0;
	CHECK_EVENT("[0, \"o\", \"q\\\"b\\\\s\\/b\\bf\\fn\\nr\\rt\\t\"]", 3,
	    &clock, 0, 'o', "q\"b\\s/b\bf\fn\nr\rt\t");
	CHECK_EVENT("[0, \"o\", \"\\u0041\\u00e9\\u20AC\\u001b\\u0000.\"]", 3,
	    &clock, 0, 'o', "A\xc3\xa9\xe2\x82\xac\x1b\0.");
	CHECK_EVENT("[0, \"o\", \"\\ud83d\\ude00\\uD83D\\uDE00\"]", 3, &clock,
	    0, 'o', "\xf0\x9f\x98\x80\xf0\x9f\x98\x80");
	/* Lone surrogates. */
	CHECK_EVENT("[0, \"o\", \"\\ud800x\\udc00y\\ud800\\u0041\\udbff\"]",
	    3, &clock, 0, 'o', FFFD "x" FFFD "y" FFFD "A" FFFD);
	CHECK_EVENT("[0, \"o\", \"\\ude00\\ud83d\"]", 3, &clock, 0, 'o',
	    FFFD FFFD);
	/* Raw UTF-8, raw invalid bytes, raw control characters. */
	CHECK_EVENT("[0, \"o\", \"\xe2\x94\x80\x80\xc3(\x01\"]", 3, &clock, 0,
	    'o', "\xe2\x94\x80" FFFD FFFD "(\x01");

	check_event_error("", "not an event");
	check_event_error("{\"a\": 1}", "not an event");
	check_event_error("[\"1\", \"o\", \"x\"]", "not a number");
	check_event_error("[-1, \"o\", \"x\"]", "negative");
	check_event_error("[1e300, \"o\", \"x\"]", "range");
	check_event_error("[1e999, \"o\", \"x\"]", "not a number");
	check_event_error("[1..2, \"o\", \"x\"]", "not a number");
	check_event_error("[000000000000000000000000000000000000000000000000"
	    "00000000000000000000000001, \"o\", \"x\"]", "too long");
	check_event_error("[1 \"o\", \"x\"]", "no event code");
	check_event_error("[1, o, \"x\"]", "no event code");
	check_event_error("[1, \"\", \"x\"]", "empty event code");
	check_event_error("[1, \"o\"]", "no string data");
	check_event_error("[1, \"o\", 5]", "no string data");
	check_event_error("[1, \"o\", \"x\"", "no ']'");
	check_event_error("[1, \"o\", \"x\", 4]", "no ']'");
	check_event_error("[1, \"o\", \"x\"] x", "text after");
	check_event_error("[1, \"o\", \"x\"][", "text after");
	check_event_error("[1, \"o\", \"x]", "does not end");
	check_event_error("[1, \"o\", \"x\\", "bad escape");
	check_event_error("[1, \"o\", \"\\q\"]", "bad escape");
	check_event_error("[1, \"o\", \"\\u12\"]", "bad escape");
	check_event_error("[1, \"o\", \"\\u12g4\"]", "bad escape");

	/* The clock does not overflow. */
	{
		struct cast_event	 ev;
		struct buf		 s;
		char			*cause = NULL;

		buf_init(&s);
		clock = INT64_MAX - 10;
		assert_int_equal(cast_event_parse("[1, \"o\", \"\"]", 12, 3,
		    &clock, &ev, &s, &cause), -1);
		free(cause);
		buf_free(&s);
	}
}

/* The string scanner against a byte-at-a-time reference, on random
 * strings of pieces that put '"', '\\', controls, valid and invalid UTF-8
 * at every offset of its eight-byte steps. The reference: a valid
 * character (Unicode's table of well-formed sequences) is copied, the
 * longest start of one that is cut short (or a stray byte) is one
 * U+FFFD. */
static int
ref_utf8_len(const unsigned char *s, size_t n)
{
	static const struct { unsigned char a, b, lo, hi; int len; } t[] = {
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 }, { 0xe0, 0xe0, 0xa0, 0xbf, 3 },
		{ 0xe1, 0xec, 0x80, 0xbf, 3 }, { 0xed, 0xed, 0x80, 0x9f, 3 },
		{ 0xee, 0xef, 0x80, 0xbf, 3 }, { 0xf0, 0xf0, 0x90, 0xbf, 4 },
		{ 0xf1, 0xf3, 0x80, 0xbf, 4 }, { 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};
	size_t	 i, k;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (s[0] < t[i].a || s[0] > t[i].b)
			continue;
		for (k = 1; k < (size_t)t[i].len; k++) {
			if (k >= n || s[k] < (k == 1 ? t[i].lo : 0x80) ||
			    s[k] > (k == 1 ? t[i].hi : 0xbf))
				return -(int)k;
		}
		return t[i].len;
	}
	return -1;
}

static void
test_string_scan(void **state)
{
	static const char *pieces[] = {
		"a", "bcdefgh", "\\\"", "\\\\", "\x01", "\x1b", "\x7f", " ",
		"\xe2\x94\x80", "\xc3\xa9", "\xc2\x9b", "\xf0\x9f\x98\x80",
		"\xe4\xb8\xad", "\xe2\x94", "\xed\xa0\x80", "\xe0\x80\x80",
		"\xe0\xa4\x85", "\xef\xbf\xbd", "\x80", "\xff", "\xf4\x90\x80",
		"\xe1\x80", "0123456789abcdef",
	};
	struct cast_event	 ev;
	struct buf		 line, want, scratch;
	const unsigned char	*p;
	int64_t			 clock;
	char			*cause = NULL;
	size_t			 n, i, k, body;
	int			 round, len;

	(void)state;
	srand(11);
	buf_init(&line);
	buf_init(&want);
	buf_init(&scratch);
	for (round = 0; round < 3000; round++) {
		buf_reset(&line);
		buf_adds(&line, "[0, \"o\", \"");
		body = line.len;
		n = (size_t)(rand() % 24);
		for (i = 0; i < n; i++)
			buf_adds(&line, pieces[rand() %
			    (int)(sizeof pieces / sizeof pieces[0])]);
		p = (const unsigned char *)line.data + body;
		k = line.len - body;
		buf_reset(&want);
		for (i = 0; i < k; ) {
			if (p[i] == '\\') {
				buf_add(&want, p + i + 1, 1);
				i += 2;
			} else if (p[i] < 0x80) {
				buf_add(&want, p + i, 1);
				i++;
			} else if ((len = ref_utf8_len(p + i, k - i)) > 0) {
				buf_add(&want, p + i, (size_t)len);
				i += (size_t)len;
			} else {
				buf_adds(&want, FFFD);
				i += (size_t)-len;
			}
		}
		buf_adds(&line, "\"]");
		clock = 0;
		if (cast_event_parse(line.data, line.len, 3, &clock, &ev,
		    &scratch, &cause) != 0)
			fail_msg("round %d: %s", round, cause);
		if (ev.len != want.len || memcmp(ev.data, want.data,
		    want.len) != 0)
			fail_msg("round %d: %zu bytes decoded, %zu expected",
			    round, ev.len, want.len);
	}
	buf_free(&line);
	buf_free(&want);
	buf_free(&scratch);
}

/* Read a whole file: events' data joined, count, damage. */
struct readout {
	struct buf	 data;
	int64_t		 last;
	size_t		 events;
	char		*damage;
	int		 version;
};

static int
read_cast(const char *path, struct readout *r, char **cause)
{
	struct cast_reader	*cr;
	struct cast_event	 ev;

	memset(r, 0, sizeof *r);
	buf_init(&r->data);
	if ((cr = cast_reader_open(path, cause)) == NULL)
		return -1;
	r->version = cast_reader_header(cr)->version;
	while (cast_reader_next(cr, &ev) == 1) {
		assert_true(ev.time >= r->last);
		r->last = ev.time;
		buf_add(&r->data, ev.data, ev.len);
		r->events++;
	}
	assert_int_equal(cast_reader_next(cr, &ev), 0);
	if (cast_reader_damage(cr) != NULL)
		r->damage = xstrdup(cast_reader_damage(cr));
	cast_reader_free(cr);
	return 0;
}

static void
readout_free(struct readout *r)
{
	buf_free(&r->data);
	free(r->damage);
}

static void
test_reader_v1(void **state)
{
	struct fixture		*f = *state;
	struct cast_reader	*cr;
	struct cast_event	 ev;
	const struct cast_header *h;
	char			*cause = NULL;
	const char		*v1 = "{\n  \"version\": 1,\n  \"width\": 90,\n"
	    "  \"height\": 20,\n  \"duration\": 1.5,\n  \"command\": \"/bin/sh\","
	    "\n  \"title\": null,\n  \"env\": {\"TERM\": \"xterm\", \"SHELL\": "
	    "\"/bin/sh\"},\n  \"stdout\": [\n    [0.5, \"$ \"],\n    [1.0, "
	    "\"ls\\r\\n\\u001b[0m\"],\n    [0.25, \"\\ud83d\\ude00\"]\n  ]\n}\n";

	put_file(f->path, v1, strlen(v1));
	cr = cast_reader_open(f->path, &cause);
	if (cr == NULL)
		fail_msg("%s", cause);
	h = cast_reader_header(cr);
	assert_int_equal(h->version, 1);
	assert_int_equal(h->cols, 90);
	assert_int_equal(h->rows, 20);
	assert_string_equal(h->term_type, "xterm");
	assert_string_equal(h->command, "/bin/sh");
	assert_null(h->title);
	assert_int_equal(cJSON_GetArraySize(h->env), 1);
	assert_int_equal(cast_reader_next(cr, &ev), 1);
	assert_int_equal(ev.time, 500000);
	assert_int_equal(ev.code, 'o');
	assert_string_equal(ev.data, "$ ");
	assert_int_equal(cast_reader_next(cr, &ev), 1);
	assert_int_equal(ev.time, 1500000);
	assert_string_equal(ev.data, "ls\r\n\x1b[0m");
	assert_int_equal(cast_reader_next(cr, &ev), 1);
	assert_int_equal(ev.time, 1750000);
	assert_string_equal(ev.data, "\xf0\x9f\x98\x80");
	assert_int_equal(cast_reader_next(cr, &ev), 0);
	assert_null(cast_reader_damage(cr));
	cast_reader_free(cr);

	/* One line, zstd, and a bad frame that ends it. */
	v1 = "{\"version\": 1, \"width\": 8, \"height\": 2, \"stdout\": "
	    "[[0.1, \"a\"], [0.1, 5], [0.1, \"c\"]]}";
	put_zstd(f->path, v1, strlen(v1));
	{
		struct readout	 r;

		assert_int_equal(read_cast(f->path, &r, &cause), 0);
		assert_int_equal(r.version, 1);
		assert_int_equal(r.events, 1);
		assert_non_null(r.damage);
		assert_non_null(strstr(r.damage, "frame 2"));
		readout_free(&r);
	}

	/* Not v1 after all. */
	put_file(f->path, "{\n\"version\": 7}\n", 16);
	assert_null(cast_reader_open(f->path, &cause));
	assert_non_null(strstr(cause, "not an asciicast file"));
	free(cause);
}

static void
test_reader_v2_v3(void **state)
{
	struct fixture		*f = *state;
	struct cast_reader	*cr;
	struct cast_event	 ev;
	char			*cause = NULL;
	const char		*v2 = "{\"version\": 2, \"width\": 80, "
	    "\"height\": 24, \"env\": {\"TERM\": \"xterm\"}}\n"
	    "[0.5, \"o\", \"a\"]\n\n[1.25, \"o\", \"b\"]\n[1.5, \"x\", \"0\"]";
	const char		*v3 = "\n{\"version\": 3, \"term\": {\"cols\": 80,"
	    " \"rows\": 24}}\r\n# a comment\n[0.5, \"o\", \"a\"]\r\n  \n"
	    "#[bad\n[0.75, \"o\", \"b\"]\n[0.25, \"x\", \"0\"]\n";

	put_file(f->path, v2, strlen(v2));
	cr = cast_reader_open(f->path, &cause);
	assert_non_null(cr);
	assert_int_equal(cast_reader_header(cr)->version, 2);
	assert_string_equal(cast_reader_header(cr)->term_type, "xterm");
	assert_int_equal(cast_reader_next(cr, &ev), 1);
	assert_int_equal(ev.time, 500000);
	assert_int_equal(cast_reader_next(cr, &ev), 1);
	assert_int_equal(ev.time, 1250000);
	assert_int_equal(cast_reader_next(cr, &ev), 1);
	assert_int_equal(ev.time, 1500000);
	assert_int_equal(ev.code, 'x');
	assert_int_equal(cast_reader_next(cr, &ev), 0);
	assert_null(cast_reader_damage(cr));
	cast_reader_free(cr);

	put_zstd(f->path, v3, strlen(v3));
	cr = cast_reader_open(f->path, &cause);
	assert_non_null(cr);
	assert_int_equal(cast_reader_header(cr)->version, 3);
	assert_int_equal(cast_reader_next(cr, &ev), 1);
	assert_int_equal(ev.time, 500000);
	assert_string_equal(ev.data, "a");
	assert_int_equal(cast_reader_next(cr, &ev), 1);
	assert_int_equal(ev.time, 1250000);
	assert_int_equal(cast_reader_next(cr, &ev), 1);
	assert_int_equal(ev.time, 1500000);
	assert_int_equal(cast_reader_next(cr, &ev), 0);
	assert_null(cast_reader_damage(cr));
	cast_reader_free(cr);
}

static void
test_reader_garbage(void **state)
{
	struct fixture	*f = *state;
	struct readout	 r;
	char		*cause = NULL;
	const char	*s;

	/* A bad line in the middle stops the stream there. */
	s = "{\"version\": 3, \"term\": {\"cols\": 80, \"rows\": 24}}\n"
	    "[0.1, \"o\", \"a\"]\n[0.1, \"o\", \"b\"]\nrm -rf /\n"
	    "[0.1, \"o\", \"c\"]\n";
	put_zstd(f->path, s, strlen(s));
	assert_int_equal(read_cast(f->path, &r, &cause), 0);
	assert_int_equal(r.events, 2);
	assert_string_equal(r.data.data, "ab");
	assert_non_null(r.damage);
	assert_non_null(strstr(r.damage, "line 4: "));
	readout_free(&r);

	/* v2 does not skip comments. */
	s = "{\"version\": 2, \"width\": 80, \"height\": 24}\n"
	    "[0.1, \"o\", \"a\"]\n# no\n";
	put_file(f->path, s, strlen(s));
	assert_int_equal(read_cast(f->path, &r, &cause), 0);
	assert_int_equal(r.events, 1);
	assert_non_null(strstr(r.damage, "line 3: "));
	readout_free(&r);

	/* A torn last line of a plain file is dropped, and said to be: the
	 * file was cut short (a writer killed mid-line). */
	s = "{\"version\": 3, \"term\": {\"cols\": 80, \"rows\": 24}}\n"
	    "[0.1, \"o\", \"a\"]\n[0.1, \"o\", \"b";
	put_file(f->path, s, strlen(s));
	assert_int_equal(read_cast(f->path, &r, &cause), 0);
	assert_int_equal(r.events, 1);
	assert_non_null(r.damage);
	assert_string_equal(r.damage, "cut short after 1 event (the last "
	    "line is incomplete)");
	readout_free(&r);

	/* A complete last line without its newline counts. */
	s = "{\"version\": 3, \"term\": {\"cols\": 80, \"rows\": 24}}\n"
	    "[0.1, \"o\", \"a\"]\n[0.1, \"o\", \"b\"]";
	put_file(f->path, s, strlen(s));
	assert_int_equal(read_cast(f->path, &r, &cause), 0);
	assert_int_equal(r.events, 2);
	assert_null(r.damage);
	readout_free(&r);

	/* zstd then garbage. */
	{
		int	 fd;

		s = "{\"version\": 3, \"term\": {\"cols\": 8, \"rows\": 2}}\n"
		    "[0.1, \"o\", \"a\"]\n";
		put_zstd(f->path, s, strlen(s));
		fd = open(f->path, O_WRONLY|O_APPEND);
		assert_true(fd >= 0);
		assert_int_equal(write_all(fd, "[0.1, \"o\", \"b\"]\n", 16), 0);
		close(fd);
		assert_int_equal(read_cast(f->path, &r, &cause), 0);
		assert_int_equal(r.events, 1);
		assert_non_null(r.damage);
		assert_non_null(strstr(r.damage, "not zstd data"));
		readout_free(&r);
	}

	/* Not asciicast at all. */
	put_file(f->path, "hello\nworld\n", 12);
	assert_null(cast_reader_open(f->path, &cause));
	assert_non_null(strstr(cause, "not JSON"));
	free(cause);
	put_file(f->path, "", 0);
	assert_null(cast_reader_open(f->path, &cause));
	assert_non_null(strstr(cause, "empty"));
	free(cause);
	put_file(f->path, "{\"version\": 3, \"te", 18);
	assert_null(cast_reader_open(f->path, &cause));
	assert_non_null(strstr(cause, "cut short inside the header"));
	free(cause);
	put_file(f->path, "\x28\xb5\x2f\xfd\x00\x00\x00\x00\x00\x00", 10);
	assert_null(cast_reader_open(f->path, &cause));
	assert_non_null(cause);
	free(cause);
	{
		char	 path[200];

		snprintf(path, sizeof path, "%s/missing", f->dir);
		assert_null(cast_reader_open(path, &cause));
		assert_non_null(strstr(cause, "missing"));
		free(cause);
	}

	/* Binary junk: refused or damaged, never a crash. */
	{
		char	 junk[3000];
		size_t	 n;
		int	 i;

		for (i = 0; i < 200; i++) {
			n = random_bytes(junk, sizeof junk);
			if (i % 2 == 0 && n > 60) {
				memcpy(junk, "{\"version\": 3, \"term\": {\"cols\":"
				    " 8, \"rows\": 2}}\n[0.5, \"o\", \"", 59);
			}
			put_file(f->path, junk, n);
			cause = NULL;
			if (read_cast(f->path, &r, &cause) == 0)
				readout_free(&r);
			else
				free(cause);
		}
	}
}

/* A v3 recording the way the recorder makes one: header, then events,
 * flushed every few events and ended. Returns the text. */
static char *
write_recording(const char *path, int nevents, size_t *lenp)
{
	struct zio_writer	*zw;
	struct cast_header	 h;
	struct cast_clock	 clock = { 0 };
	struct buf		 line, all;
	char			 data[64];
	int			 fd, i;

	fd = open(path, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	zw = zio_writer_new(fd, 3);
	buf_init(&line);
	buf_init(&all);
	cast_header_init(&h);
	h.cols = 80;
	h.rows = 24;
	cast_header_write(&h, 3, &line);
	assert_int_equal(zio_write(zw, line.data, line.len), 0);
	assert_int_equal(zio_flush(zw), 0);
	for (i = 0; i < nevents; i++) {
		snprintf(data, sizeof data, "event %d \xe2\x94\x80\x1b[0m\r\n",
		    i);
		buf_reset(&line);
		cast_event_write_v3(&clock, (int64_t)i * 12345, 'o', data,
		    strlen(data), 0, &line);
		buf_add(&all, data, strlen(data));
		assert_int_equal(zio_write(zw, line.data, line.len), 0);
		if (i % 7 == 0)
			assert_int_equal(zio_flush(zw), 0);
	}
	assert_int_equal(zio_end(zw), 0);
	zio_writer_free(zw);
	close(fd);
	buf_free(&line);
	*lenp = all.len;
	return all.data;
}

static void
test_reader_cut(void **state)
{
	struct fixture	*f = *state;
	struct readout	 r;
	char		*text, *z, *cause;
	size_t		 tlen, zlen, off, events = 0;
	int		 i, n = 300;

	text = write_recording(f->path, n, &tlen);
	assert_int_equal(read_cast(f->path, &r, &cause), 0);
	assert_int_equal(r.events, (size_t)n);
	assert_int_equal(r.data.len, tlen);
	assert_memory_equal(r.data.data, text, tlen);
	assert_null(r.damage);
	readout_free(&r);

	z = read_file(f->path, &zlen, SIZE_MAX, &cause);
	assert_non_null(z);
	for (i = 0; i <= 300; i++) {
		off = i < 200 ? (size_t)i * zlen / 200 : rng() % zlen;
		if (i == 300)
			off = zlen - 1;
		put_file(f->cut, z, off);
		cause = NULL;
		if (read_cast(f->cut, &r, &cause) != 0) {
			/* Only a cut inside the header's block. */
			assert_non_null(cause);
			assert_true(off < zlen / 10);
			free(cause);
			continue;
		}
		assert_true(r.data.len <= tlen);
		if (r.data.len != 0)
			assert_memory_equal(r.data.data, text, r.data.len);
		assert_non_null(r.damage);
		if (strstr(r.damage, "cut short after") == NULL ||
		    strstr(r.damage, "not closed cleanly") == NULL)
			fail_msg("damage: %s", r.damage);
		if (i < 200) {
			assert_true(r.events >= events);
			events = r.events;
		}
		readout_free(&r);
	}
	assert_true(events > (size_t)n / 2);
	free(z);
	free(text);
}

static void
test_reader_huge_line(void **state)
{
	struct fixture	*f = *state;
	struct readout	 r;
	struct buf	 b;
	struct cast_clock clock = { 0 };
	char		*p, *cause = NULL;
	size_t		 n = 20 * 1024 * 1024, i;

	p = xmalloc(n);
	for (i = 0; i < n; i++)
		p[i] = (char)(i % 64 == 63 ? '\n' : 'a' + i % 26);
	buf_init(&b);
	buf_adds(&b, "{\"version\": 3, \"term\": {\"cols\": 80, \"rows\": 24}}\n");
	cast_event_write_v3(&clock, 1000, 'o', p, n, 0, &b);
	cast_event_write_v3(&clock, 2000, 'o', "end", 3, 0, &b);
	put_zstd(f->path, b.data, b.len);
	assert_int_equal(read_cast(f->path, &r, &cause), 0);
	assert_int_equal(r.events, 2);
	assert_int_equal(r.data.len, n + 3);
	assert_memory_equal(r.data.data, p, n);
	assert_null(r.damage);
	readout_free(&r);
	free(p);

	/* A line past the limit: damage, not a crash or a 1 GB buffer. */
	buf_reset(&b);
	buf_adds(&b, "{\"version\": 3, \"term\": {\"cols\": 80, \"rows\": 24}}\n"
	    "[0.1, \"o\", \"a\"]\n[0.1, \"o\", \"");
	n = 65 * 1024 * 1024;
	buf_reserve(&b, n);
	memset(b.data + b.len, 'z', n);
	b.len += n;
	buf_adds(&b, "\"]\n");
	put_zstd(f->path, b.data, b.len);
	buf_free(&b);
	assert_int_equal(read_cast(f->path, &r, &cause), 0);
	assert_int_equal(r.events, 1);
	assert_non_null(r.damage);
	if (strstr(r.damage, "line 3") == NULL ||
	    strstr(r.damage, "longer than 64 MiB") == NULL)
		fail_msg("damage: %s", r.damage);
	readout_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_ascii),
		cmocka_unit_test(test_escape_utf8),
		cmocka_unit_test(test_escape_carry),
		cmocka_unit_test(test_escape_roundtrip),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_event_split),
		cmocka_unit_test(test_header_roundtrip),
		cmocka_unit_test(test_header_parse),
		cmocka_unit_test(test_event_parse),
		cmocka_unit_test(test_string_scan),
		cmocka_unit_test_setup_teardown(test_reader_v1, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reader_v2_v3, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reader_garbage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reader_cut, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reader_huge_line, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
