/* test-recorder.c: what the recorder writes, read back through the cast
 * reader: UTF-8 split across reads, invalid bytes, secrets redacted across
 * any chunking, input only when asked, resize and exit events, sidecar. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cast.h"
#include "recorder.h"
#include "session.h"
#include "util.h"
#include "zio.h"

static char	 tmpdir[] = "/tmp/test-recorder.XXXXXX";

static int
setup(void **state)
{
	char	*data;

	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	xasprintf(&data, "%s/data", tmpdir);
	setenv("XDG_DATA_HOME", data, 1);
	free(data);
	return 0;
}

/* Record chunks; return the concatenated data of events of code c. */
static char *
record(const char *const *chunks, size_t n, const struct recorder_opts *o,
    char code, struct session *s, char **rawp)
{
	struct recorder		*r;
	struct cast_reader	*cr;
	struct cast_event	 ev;
	struct zio_reader	*zr;
	struct buf		 b, raw;
	char			*cause = NULL, tmp[4096];
	ssize_t			 got;
	size_t			 i;

	session_init(s);
	s->cols = 80;
	s->rows = 24;
	s->command = xstrdup("test");
	r = recorder_new(s, o, &cause);
	assert_non_null(r);
	for (i = 0; i < n; i++) {
		recorder_output_cb(r, chunks[i], strlen(chunks[i]));
		recorder_input_cb(r, chunks[i], strlen(chunks[i]));
	}
	recorder_resize_cb(r, 100, 40);
	recorder_tick_cb(r);
	assert_int_equal(recorder_finish(r, 3, &cause), 0);
	recorder_free(r);

	buf_init(&b);
	cr = cast_reader_open(s->cast_path, &cause);
	assert_non_null(cr);
	assert_int_equal(cast_reader_header(cr)->cols, 80);
	while (cast_reader_next(cr, &ev) == 1) {
		if (ev.code == code)
			buf_add(&b, ev.data, ev.len);
	}
	assert_null(cast_reader_damage(cr));
	cast_reader_free(cr);

	buf_init(&raw);
	zr = zio_reader_open(s->cast_path, &cause);
	assert_non_null(zr);
	while ((got = zio_read(zr, tmp, sizeof tmp)) > 0)
		buf_add(&raw, tmp, (size_t)got);
	zio_reader_free(zr);
	*rawp = raw.data;
	if (b.data == NULL)
		buf_add(&b, "", 0);
	return b.data;
}

static void
test_utf8_carry(void **state)
{
	/* "é" split, "中" split in three, a 4-byte emoji split, then an
	 * invalid byte. */
	const char	*chunks[] = { "a\xc3", "\xa9 \xe4", "\xb8", "\xad\xf0\x9f",
			    "\x98\x80 \xff!" };
	struct recorder_opts	 o;
	struct session		 s;
	char			*out, *raw;

	(void)state;
	memset(&o, 0, sizeof o);
	out = record(chunks, 5, &o, 'o', &s, &raw);
	assert_string_equal(out, "a\xc3\xa9 \xe4\xb8\xad\xf0\x9f\x98\x80 "
	    "\xef\xbf\xbd!");
	assert_non_null(strstr(raw, "\"r\", \"100x40\""));
	assert_non_null(strstr(raw, "\"x\", \"3\""));
	assert_null(strstr(raw, "\"i\""));	/* input not recorded */
	free(out);
	free(raw);
	session_free(&s);
}

static void
test_input(void **state)
{
	const char		*chunks[] = { "ls\r", "\x03" };
	struct recorder_opts	 o;
	struct session		 s;
	char			*out, *raw;

	(void)state;
	memset(&o, 0, sizeof o);
	o.record_input = 1;
	out = record(chunks, 2, &o, 'i', &s, &raw);
	assert_string_equal(out, "ls\r\x03");
	free(out);
	free(raw);
	session_free(&s);
}

static void
test_redaction(void **state)
{
	static const char	 secret[] = "sk-ant-SECRETVALUE123";
	const struct recorder_secret sec[] = { { "ANTHROPIC_API_KEY", secret } };
	struct recorder_opts	 o;
	struct session		 s;
	char			 text[256], *chunks[64], *out, *raw;
	size_t			 len, cut, i, n;

	(void)state;
	memset(&o, 0, sizeof o);
	o.secrets = sec;
	o.n_secrets = 1;
	o.record_input = 1;
	snprintf(text, sizeof text, "key=%s; again %s%s end sk-ant-SEC",
	    secret, secret, secret);
	len = strlen(text);
	/* Every cut point into two chunks, and one byte at a time. */
	for (cut = 0; cut <= len; cut++) {
		chunks[0] = xstrndup(text, cut);
		chunks[1] = xstrdup(text + cut);
		out = record((const char *const *)(const void *)chunks, 2, &o,
		    'o', &s, &raw);
		assert_null(strstr(raw, "SECRETVALUE"));
		assert_string_equal(out, "key=[redacted:ANTHROPIC_API_KEY]; "
		    "again [redacted:ANTHROPIC_API_KEY][redacted:"
		    "ANTHROPIC_API_KEY] end sk-ant-SEC");
		free(out);
		free(raw);
		session_free(&s);
		free(chunks[0]);
		free(chunks[1]);
	}
	n = 0;
	for (i = 0; i < 60 && i < len; i++)
		chunks[n++] = xstrndup(text + i, 1);
	chunks[n++] = xstrdup(text + i);
	out = record((const char *const *)(const void *)chunks, n, &o, 'o', &s,
	    &raw);
	assert_null(strstr(raw, "SECRETVALUE"));
	free(out);
	free(raw);
	session_free(&s);
	for (i = 0; i < n; i++)
		free(chunks[i]);
}

/* Random bytes, mostly UTF-8 (some invalid), cut anywhere: the same
 * output as from one write of the whole, however it is cut; with secrets
 * and without; with input events in between. */
static void
test_any_cut(void **state)
{
	static const char *const pieces[] = { "a", "\r\n", "\x1b[1;31m",
	    "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xe2\x94\x80",
	    "\"", "\\", "\xff", "\xc3", "\xed\xa0\x80", "\x7f", "0123456789" };
	const struct recorder_secret sec[] = { { "K", "\xe4\xb8\xadXY" } };
	struct recorder_opts	 o;
	struct session		 s;
	struct buf		 whole;
	char			*chunks[400], *one[1], *want, *got, *raw;
	size_t			 i, n, at, k, round;
	unsigned		 seed = 7;

	(void)state;
	for (round = 0; round < 12; round++) {
		memset(&o, 0, sizeof o);
		o.record_input = round % 3 == 1;
		if (round % 3 == 2) {
			o.secrets = sec;
			o.n_secrets = 1;
		}
		buf_init(&whole);
		while (whole.len < 40000)
			buf_adds(&whole, pieces[rand_r(&seed) %
			    (sizeof pieces / sizeof pieces[0])]);
		one[0] = whole.data;
		want = record((const char *const *)(const void *)one, 1, &o,
		    'o', &s, &raw);
		free(raw);
		session_free(&s);
		/* Cuts of 1 to 400 bytes, some of them in characters. */
		for (n = 0, at = 0; at < whole.len; n++) {
			k = 1 + (size_t)rand_r(&seed) % (n % 2 ? 7 : 400);
			if (k > whole.len - at || n == 399)
				k = whole.len - at;
			chunks[n] = xstrndup(whole.data + at, k);
			at += k;
		}
		got = record((const char *const *)(const void *)chunks, n, &o,
		    'o', &s, &raw);
		assert_string_equal(got, want);
		if (o.n_secrets > 0)
			assert_null(strstr(raw, "XY"));
		for (i = 0; i < n; i++)
			free(chunks[i]);
		free(got);
		free(want);
		free(raw);
		session_free(&s);
		buf_free(&whole);
	}
}

/* A read that is only the start of a character opens no event of its
 * own: the time of what comes next is not moved by it. */
static void
test_cut_time(void **state)
{
	struct recorder_opts	 o;
	struct session		 s;
	struct recorder		*r;
	struct cast_reader	*cr;
	struct cast_event	 ev;
	char			*cause = NULL;
	int64_t			 t_in = -1, t_out = -1;

	(void)state;
	memset(&o, 0, sizeof o);
	o.record_input = 1;
	session_init(&s);
	s.cols = 80;
	s.rows = 24;
	s.command = xstrdup("test");
	r = recorder_new(&s, &o, &cause);
	assert_non_null(r);
	usleep(60000);
	recorder_output_cb(r, "\xe4", 1);	/* cut */
	recorder_input_cb(r, "x", 1);		/* settles the output */
	recorder_output_cb(r, "\xb8\xad", 2);
	assert_int_equal(recorder_finish(r, 0, &cause), 0);
	recorder_free(r);
	cr = cast_reader_open(s.cast_path, &cause);
	assert_non_null(cr);
	while (cast_reader_next(cr, &ev) == 1) {
		if (ev.code == 'i')
			t_in = ev.time;
		if (ev.code == 'o') {
			assert_int_equal(ev.len, 3);	/* whole */
			t_out = ev.time;
		}
	}
	cast_reader_free(cr);
	assert_true(t_in >= 50000);
	assert_true(t_out >= t_in);
	session_free(&s);
}

/* A transcript made under its hidden name is given an id that is free:
 * one taken (by a recording or an import of the same second) is never
 * replaced, another id is tried. */
static void
test_claim(void **state)
{
	struct session	 s;
	char		*cause = NULL, *dir, *tmp, *taken, buf[16];
	FILE		*f;
	int		 fd;

	(void)state;
	dir = session_dir(1, &cause);
	assert_non_null(dir);
	fd = session_file_new(dir, &tmp, &cause);
	assert_true(fd >= 0);
	assert_non_null(strstr(tmp, "/."));
	assert_int_equal(write(fd, "new", 3), 3);
	session_init(&s);
	snprintf(s.id, sizeof s.id, "20250101-000000-abcd");
	xasprintf(&taken, "%s/%s.cast.zst", dir, s.id);
	f = fopen(taken, "w");
	assert_non_null(f);
	fputs("old", f);
	fclose(f);
	assert_int_equal(session_file_claim(&s, dir, tmp, &cause), 0);
	assert_string_not_equal(s.id, "20250101-000000-abcd");
	assert_int_equal(access(tmp, F_OK), -1);	/* the hidden name went */
	f = fopen(taken, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "old");
	f = fopen(s.cast_path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "new");
	close(fd);
	free(taken);
	free(tmp);
	free(dir);
	session_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_carry),
		cmocka_unit_test(test_input),
		cmocka_unit_test(test_redaction),
		cmocka_unit_test(test_any_cut),
		cmocka_unit_test(test_cut_time),
		cmocka_unit_test(test_claim),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
