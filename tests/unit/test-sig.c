/* test-sig.c: signals as a file descriptor: delivery through it, and
 * sig_close (or a failed sig_open) leaving handlers, mask and descriptors as
 * they were. Built and run on both paths: signalfd and, with NO_SIGNALFD,
 * the self-pipe. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sig.h"

static int
open_fds(void)
{
	DIR	*d = opendir("/proc/self/fd");
	int	 n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void
handler_is(int sig, void (*want)(int))
{
	struct sigaction	 sa;

	assert_int_equal(sigaction(sig, NULL, &sa), 0);
	assert_ptr_equal(sa.sa_handler, want);
}

static int
blocked(int sig)
{
	sigset_t	 now;

	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &now), 0);
	return sigismember(&now, sig);
}

/* Raised signals come out of the descriptor, each once; none pending
 * reads as 0. */
static void
test_delivery(void **state)
{
	static const int	 sigs[] = { SIGUSR1, SIGUSR2, 0 };
	int			 fd, got[2], i;

	(void)state;
	assert_true((fd = sig_open(sigs)) >= 0);
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(raise(SIGUSR2), 0);
	for (i = 0; i < 2; i++)
		got[i] = sig_next(fd);
	assert_true((got[0] == SIGUSR1 && got[1] == SIGUSR2) ||
	    (got[0] == SIGUSR2 && got[1] == SIGUSR1));
	assert_int_equal(sig_next(fd), 0);
	sig_close(fd);
}

/* sig_close puts back what was there: an ignored signal stays ignored,
 * an unblocked one unblocked, and no descriptor is left open. */
static void
test_close_restores(void **state)
{
	static const int	 sigs[] = { SIGUSR1, 0 };
	int			 fd, before;

	(void)state;
	assert_ptr_not_equal(signal(SIGUSR1, SIG_IGN), SIG_ERR);
	before = open_fds();
	assert_true((fd = sig_open(sigs)) >= 0);
	sig_close(fd);
	handler_is(SIGUSR1, SIG_IGN);
	assert_false(blocked(SIGUSR1));
	assert_int_equal(open_fds(), before);
	assert_ptr_not_equal(signal(SIGUSR1, SIG_DFL), SIG_ERR);
}

/* A list sig_open cannot take whole (SIGKILL can be neither caught nor
 * blocked): either it fails and leaves nothing behind, or (signalfd,
 * which skips SIGKILL) it works and sig_close undoes it. */
static void
test_open_failure(void **state)
{
	static const int	 sigs[] = { SIGUSR1, SIGUSR2, SIGKILL, 0 };
	int			 fd, before;

	(void)state;
	assert_ptr_not_equal(signal(SIGUSR1, SIG_IGN), SIG_ERR);
	before = open_fds();
	if ((fd = sig_open(sigs)) >= 0)
		sig_close(fd);
	else
		assert_int_equal(errno, EINVAL);
	handler_is(SIGUSR1, SIG_IGN);
	handler_is(SIGUSR2, SIG_DFL);
	assert_false(blocked(SIGUSR1));
	assert_false(blocked(SIGUSR2));
	assert_int_equal(open_fds(), before);
	/* and the next sig_open works as ever */
	test_delivery(state);
	assert_ptr_not_equal(signal(SIGUSR1, SIG_DFL), SIG_ERR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delivery),
		cmocka_unit_test(test_close_restores),
		cmocka_unit_test(test_open_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
