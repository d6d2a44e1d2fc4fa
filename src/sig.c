/* sig.c: signals delivered as a readable file descriptor, so the poll
 * loop handles them and no handler does any work. signalfd on Linux; a
 * self-pipe elsewhere, or when built with NO_SIGNALFD (tested on Linux
 * too, so the portable path is not dead code). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__) && !defined(NO_SIGNALFD)
#define USE_SIGNALFD 1
#include <sys/signalfd.h>
#endif

#include "sig.h"

#define SIG_MAX	8

/* Handler state: the only globals, as signal handling needs them. */
static int			sig_list[SIG_MAX + 1];
static sigset_t			sig_oldmask;
#ifndef USE_SIGNALFD
static volatile sig_atomic_t	sig_pipe_w = -1;
static volatile sig_atomic_t	sig_conts;	/* SIGCONTs taken */
static struct sigaction		sig_oldact[SIG_MAX];

static void
sig_handler(int sig)
{
	unsigned char	 c = (unsigned char)sig;
	int		 saved = errno;
	ssize_t		 n;

	if (sig == SIGCONT)
		sig_conts++;

	n = write(sig_pipe_w, &c, 1);	/* full pipe: a signal is pending anyway */
	(void)n;
	errno = saved;
}
#endif

static int
sig_cloexec_nonblock(int fd)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
		return -1;
	return 0;
}

int
sig_open(const int *signals)
{
	sigset_t	 mask;
	int		 i;

	sigemptyset(&mask);
	for (i = 0; i < SIG_MAX && signals[i] != 0; i++) {
		sig_list[i] = signals[i];
		sigaddset(&mask, signals[i]);
	}
	sig_list[i] = 0;
#ifdef USE_SIGNALFD
	int fd;
	if (sigprocmask(SIG_BLOCK, &mask, &sig_oldmask) != 0)
		return -1;
	if ((fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		(void)sigprocmask(SIG_SETMASK, &sig_oldmask, NULL);
		return -1;
	}
	return fd;
#else
	struct sigaction sa;
	int p[2], saved;

	if (pipe(p) != 0)
		return -1;
	if (sig_cloexec_nonblock(p[0]) != 0 || sig_cloexec_nonblock(p[1]) != 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	sig_pipe_w = p[1];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sig_handler;
	sigfillset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; sig_list[i] != 0; i++) {
		if (sigaction(sig_list[i], &sa, &sig_oldact[i]) != 0)
			goto fail;
	}
	(void)sigprocmask(SIG_BLOCK, NULL, &sig_oldmask);
	(void)mask;
	return p[0];

fail:	/* put back the handlers set so far; nothing is left half done */
	saved = errno;
	while (i-- > 0)
		(void)sigaction(sig_list[i], &sig_oldact[i], NULL);
	sig_list[0] = 0;
	sig_pipe_w = -1;
	close(p[0]);
	close(p[1]);
	errno = saved;
	return -1;
#endif
}

int
sig_next(int fd)
{
#ifdef USE_SIGNALFD
	struct signalfd_siginfo	 si;
	ssize_t			 n;

	(void)sig_cloexec_nonblock;
	for (;;) {
		n = read(fd, &si, sizeof si);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n != (ssize_t)sizeof si)
			return -1;
		return (int)si.ssi_signo;
	}
#else
	unsigned char	 c;
	ssize_t		 n;

	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n != 1)
			return -1;
		return c;
	}
#endif
}

void
sig_close(int fd)
{
#ifdef USE_SIGNALFD
	(void)sigprocmask(SIG_SETMASK, &sig_oldmask, NULL);
#else
	int	 i;

	for (i = 0; sig_list[i] != 0; i++)
		(void)sigaction(sig_list[i], &sig_oldact[i], NULL);
	if (sig_pipe_w >= 0)
		close(sig_pipe_w);
	sig_pipe_w = -1;
#endif
	if (fd >= 0)
		close(fd);
}

static const int sig_ends[] = { SIGHUP, SIGTERM, SIGINT, SIGQUIT, 0 };

void
sig_add_ends(sigset_t *set)
{
	size_t	 i;

	for (i = 0; sig_ends[i] != 0; i++)
		sigaddset(set, sig_ends[i]);
}

void
sig_add_live_ends(sigset_t *set)
{
	struct sigaction	 sa;
	size_t			 i;

	for (i = 0; sig_ends[i] != 0; i++) {
		if (sigaction(sig_ends[i], NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_IGN)
			sigaddset(set, sig_ends[i]);
	}
}

int
sig_ends_pending(const sigset_t *set)
{
	sigset_t	 pending;
	size_t		 i;

	if (sigpending(&pending) != 0)
		return 0;
	for (i = 0; sig_ends[i] != 0; i++) {
		if (sigismember(set, sig_ends[i]) == 1 &&
		    sigismember(&pending, sig_ends[i]) == 1)
			return 1;
	}
	return 0;
}

void
sig_close_pending(int fd)
{
	sigset_t	 mask;
#ifndef USE_SIGNALFD
	int		 sig;
#endif

	sigemptyset(&mask);
	sig_add_ends(&mask);
	sig_add_ends(&sig_oldmask);	/* what sig_close restores */
	(void)sigprocmask(SIG_BLOCK, &mask, NULL);
#ifndef USE_SIGNALFD
	/* The pipe holds what came: raised while blocked, it is pending.
	 * (With signalfd they were blocked all along: still pending.) */
	while ((sig = sig_next(fd)) > 0) {
		if (sigismember(&mask, sig))
			(void)raise(sig);
	}
#endif
	sig_close(fd);
}

int
sig_stop_self(void)
{
	struct sigaction	 dfl, old;
	sigset_t		 tstp, mask;
#ifdef USE_SIGNALFD
	sigset_t		 pending;
#else
	sig_atomic_t		 conts = sig_conts;
#endif

	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	if (sigaction(SIGTSTP, &dfl, &old) != 0)
		return 0;
	/* Raised while blocked, taken when unblocked: with the default
	 * action it stops the process here (or is dropped if nobody could
	 * continue it). */
	if (sigprocmask(SIG_BLOCK, &tstp, &mask) == 0) {
		(void)raise(SIGTSTP);
		(void)sigprocmask(SIG_UNBLOCK, &tstp, NULL);
		(void)sigprocmask(SIG_SETMASK, &mask, NULL);
	}
	(void)sigaction(SIGTSTP, &old, NULL);
	/* Continued: the SIGCONT that did it waits for sig_next. */
#ifdef USE_SIGNALFD
	return sigpending(&pending) == 0 && sigismember(&pending, SIGCONT);
#else
	return sig_conts != conts;
#endif
}
