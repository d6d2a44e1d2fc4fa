/* test-pty.c: pty_run's greeting (pty.h: mark and reply), with real
 * children on a real pty: the mark is taken out of the output wherever
 * the reads cut it, the reply reaches the child before any key, and a
 * false start or a mark cut off by the end is output as it was. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pty.h"
#include "util.h"

#define MARK	"\033]agentrun;env\007"

static void
collect(void *arg, const char *s, size_t n)
{
	buf_add(arg, s, n);
}

/* Run sh -c script with the greeting, stdin and stdout on /dev/null (as
 * under make check, whatever the terminal); the output seen by the
 * callbacks. */
static char *
run(const char *script, const char *reply, int *status)
{
	char		 sh[] = "sh", c[] = "-c";
	char		*argv[] = { sh, c, NULL, NULL };
	struct pty_cbs	 cbs;
	struct buf	 out;
	char		*cause = NULL;
	int		 null, in = -1, outfd = -1;

	argv[2] = (char *)(uintptr_t)script;
	buf_init(&out);
	memset(&cbs, 0, sizeof cbs);
	cbs.arg = &out;
	cbs.output_cb = collect;
	cbs.mark = MARK;
	cbs.reply = reply;
	cbs.reply_len = strlen(reply);
	assert_true((null = open("/dev/null", O_RDWR)) >= 0);
	assert_true((in = dup(0)) >= 0);
	assert_true((outfd = dup(1)) >= 0);
	assert_int_equal(dup2(null, 0), 0);
	assert_int_equal(dup2(null, 1), 1);
	*status = pty_run(argv, &cbs, &cause);
	assert_int_equal(dup2(in, 0), 0);
	assert_int_equal(dup2(outfd, 1), 1);
	close(in);
	close(outfd);
	close(null);
	assert_null(cause);
	buf_addc(&out, '\0');
	return out.data;
}

static void
test_mark_split(void **state)
{
	char	*out;
	int	 status;

	(void)state;
	/* The mark comes in two writes, a moment apart: two reads. */
	out = run("stty -echo; printf 'a\\033]agen'; sleep 0.3; "
	    "printf 'trun;env\\007b'; IFS= read -r x; printf '[%s]' \"$x\"",
	    "sec ret\n", &status);
	assert_int_equal(status, 0);
	assert_string_equal(out, "ab[sec ret]");
	free(out);
}

static void
test_false_start(void **state)
{
	char	*out;
	int	 status;

	(void)state;
	/* Most of a mark, then another way; a second ESC starts again. */
	out = run("stty -echo; printf 'x\\033]agentrun;en!\\033\\033]agentrun;"
	    "env\\007y'; IFS= read -r x; printf '[%s]' \"$x\"", "k\n",
	    &status);
	assert_int_equal(status, 0);
	assert_string_equal(out, "x\033]agentrun;en!\033y[k]");
	free(out);
}

static void
test_cut_at_end(void **state)
{
	char	*out;
	int	 status;

	(void)state;
	/* A mark cut off by the end of the output was output. */
	out = run("printf 'z\\033]agentrun'; exit 3", "k\n", &status);
	assert_int_equal(status, 3);
	assert_string_equal(out, "z\033]agentrun");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_split),
		cmocka_unit_test(test_false_start),
		cmocka_unit_test(test_cut_at_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
