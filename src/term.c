/* term.c: the user's terminal. Raw mode and its one idempotent restore,
 * reached from every way out (normal end, errors, fatal, atexit, signals
 * through the signal fd, and a crash handler that only calls
 * async-signal-safe functions); the mode-reset string; window size. The
 * only file that calls tcsetattr on the user's terminal. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "term.h"

/* Signal handlers read these, so they are the file's only state. */
static struct termios		term_saved_modes;
static volatile sig_atomic_t	term_fd = -1;		/* saved fd, or -1 */
static volatile sig_atomic_t	term_raw_on;
static volatile sig_atomic_t	term_alt;
static volatile sig_atomic_t	term_kitty;	/* pushes to pop */
static volatile sig_atomic_t	term_popped;	/* by the last restore */
static char			term_kitty_pop[16];	/* "\033[<Nu" */
static int			term_handlers_done;

/* The scroll region is reset between a save and a restore of the cursor,
 * which it would move home (with the region whole, origin mode changes
 * nothing); the character set after, as the restore brings it back. */
#define RESET_COMMON \
	"\0337\033[r\0338"			/* scroll region */	\
	"\033(B\017"				/* G0 ASCII, shifted in */ \
	"\033[?25h"				/* cursor visible */	\
	"\033[?1000l\033[?1002l\033[?1003l\033[?1006l\033[?1015l" /* mouse */ \
	"\033[?2004l"				/* bracketed paste */	\
	"\033[?1004l"				/* focus events */	\
	"\033[?1l\033>"				/* cursor keys, keypad */ \
	"\033[4l\033[?7h"			/* insert off, autowrap */ \
	"\033[0m"
/* A kitty keyboard push of the program on the alternate screen is popped
 * there, before leaving it: after, a pop would take one of the modes of
 * the main screen (the shell's own), kitty keeping one stack per screen. */
#define RESET_ALT	"\033[<u\033[?1049l"	/* kitty keys, alternate screen */
#define TERM_OUT_WAIT	1000	/* ms a terminal that takes nothing is
				   waited for by the reset */

const char *
term_reset_string(int alt)
{
	return alt ? RESET_ALT RESET_COMMON : RESET_COMMON;	/* leave alt first */
}

static void	term_install_handlers(void);

/* The alternate screen is on: every way out leaves it, raw mode or not
 * (replay with keys from elsewhere draws on it too). */
void
term_set_alt(int on)
{
	if (on)
		term_install_handlers();
	term_alt = on;
}

/* The program pushed n kitty keyboard modes on the main screen and did
 * not pop them: every way out pops them (the pop is written here, out of
 * any signal handler). */
void
term_set_kitty(int n)
{
	if (n == term_kitty)
		return;
	if (n > 0)
		term_install_handlers();
	term_kitty = 0;		/* a handler now sees none, not half a string */
	(void)snprintf(term_kitty_pop, sizeof term_kitty_pop, "\033[<%du", n);
	term_kitty = n;
}

/* May the reset be written? stdout is blocking (shared with the shell):
 * a terminal whose reader takes nothing (an ssh link or an emulator
 * stuck, the output given up on a TERM) would hold the write, and the way
 * out, for ever. Async-signal-safe. */
static int
term_out_ready(void)
{
	struct pollfd	 pfd;
	int		 r;

	pfd.fd = STDOUT_FILENO;
	pfd.events = POLLOUT;
	do
		r = poll(&pfd, 1, TERM_OUT_WAIT);
	while (r < 0 && errno == EINTR);
	return r == 1 && (pfd.revents & POLLOUT);
}

void
term_restore(void)
{
	const char	*s;
	ssize_t		 n;

	term_popped = 0;
	if (term_raw_on && term_fd >= 0) {
		term_raw_on = 0;
		(void)tcsetattr(term_fd, TCSADRAIN, &term_saved_modes);
	} else if (!term_alt && term_kitty == 0)
		return;
	if (isatty(STDOUT_FILENO) && term_out_ready()) {
		s = term_reset_string(term_alt);
		n = write(STDOUT_FILENO, s, strlen(s));
		if (term_kitty > 0) {	/* on the main screen, left just now */
			n = write(STDOUT_FILENO, term_kitty_pop,
			    strlen(term_kitty_pop));
			term_popped = term_kitty;
		}
		(void)n;
	}
	term_alt = 0;		/* left: once is enough */
	term_kitty = 0;
}

int
term_kitty_popped(void)
{
	return term_popped;
}

static void
term_crash_handler(int sig)
{
	int	 saved = errno;

	term_restore();
	errno = saved;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
term_install_handlers(void)
{
	/* Crashes, and the other signals whose default action ends the
	 * process (those left at that default, not ignored or handled by
	 * someone else): the terminal first. */
	static const int	 crash[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE,
				     SIGABRT, 0 };
	static const int	 ends[] = { SIGTRAP, SIGSYS, SIGALRM, SIGUSR1,
				     SIGUSR2, SIGPIPE, SIGXCPU, SIGXFSZ,
				     SIGVTALRM, SIGPROF, 0 };
	struct sigaction	 sa, old;
	int			 i;

	if (term_handlers_done)
		return;
	term_handlers_done = 1;
	atexit(term_restore);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = term_crash_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (i = 0; crash[i] != 0; i++)
		(void)sigaction(crash[i], &sa, NULL);
	for (i = 0; ends[i] != 0; i++) {
		if (sigaction(ends[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_DFL)
			(void)sigaction(ends[i], &sa, NULL);
	}
}

int
term_raw(int fd)
{
	struct termios	 raw;

	if (tcgetattr(fd, &term_saved_modes) != 0)
		return -1;
	term_fd = fd;
	term_install_handlers();
	raw = term_saved_modes;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSADRAIN, &raw) != 0)
		return -1;
	term_raw_on = 1;
	return 0;
}

int
term_reraw(void)
{
	struct termios	 raw;

	if (term_fd < 0)
		return -1;
	raw = term_saved_modes;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(term_fd, TCSADRAIN, &raw) != 0)
		return -1;
	term_raw_on = 1;
	return 0;
}

int
term_is_raw(void)
{
	return term_raw_on;
}

const struct termios *
term_saved(void)
{
	return term_fd >= 0 ? &term_saved_modes : NULL;
}

int
term_size(int fd, int *cols, int *rows)
{
	struct winsize	 ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 ||
	    ws.ws_row == 0)
		return -1;
	*cols = ws.ws_col;
	*rows = ws.ws_row;
	return 0;
}
