/* pty.c: run a command under forkpty and proxy the user's terminal to it.
 * Keys go to the child through a write queue; output goes to the
 * terminal first and to the callbacks second; window sizes, stop and
 * continue, and terminating signals pass through; the end is a bounded
 * drain and a shell-style exit status. A caller's greeting (a mark the
 * child prints, a reply typed in ahead of the keys) is the one exchange it
 * takes part in. Knows nothing about recording. */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#if defined(__APPLE__)
#include <util.h>
#elif defined(__FreeBSD__)
#include <libutil.h>
#else
#include <pty.h>
#endif

#include "pty.h"
#include "sig.h"
#include "term.h"
#include "util.h"

#define PTY_READ_SIZE	(128 * 1024)
#define PTY_READ_AHEAD	8	/* reads without a poll between (keys wait
				   at most that many chunks) */
#define PTY_QUEUE_MAX	(1024 * 1024)	/* stop reading keys past this */
#define PTY_ALT_CARRY	16		/* a mode sequence cut by a read */
#define PTY_KITTY_MAX	64		/* pushes counted, at most */
#define PTY_DRAIN_IDLE	50		/* ms without output ends the drain */
#define PTY_DRAIN_MAX	2000		/* ms at most after the child ended */
#define PTY_ESCALATE	3000		/* ms between TERM and KILL */
#define PTY_OUT_GRACE	1000		/* ms a blocked stdout is waited for
					   once agentrun is told to end */
#define PTY_EOF_LOOK	10		/* ms between looks before an EOF */
#define PTY_EOF_WAIT	2000		/* ms at most before it goes anyway */
#define PTY_EOF_WATCH	100		/* ms between looks after it, 5 s */
#define PTY_EOF_SETTLE	5		/* looks at a raw terminal, all read */

struct pty {
	pid_t			 pid;
	int			 master;
	int			 sigfd;
	int			 in_open;	/* still reading stdin */
	int			 in_tty;
	int			 out_ok;	/* stdout still writable */
	int			 out_err;	/* why it was not, to tell */
	int			 outfd;		/* stdout, or its own copy */
	int64_t			 end_at;	/* ms: told to end (TERM, HUP,
						   or INT/QUIT), 0 not */
	int			 end_self;	/* TERM or HUP: end, whatever
						   the command does */
	int			 again;		/* continued: back to the
						   modes stopping left (kitty
						   keys, alternate screen)
						   before more output */
	int			 cols, rows;
	struct buf		 queue;		/* keys waiting for the child */
	char			 last_key;	/* the last byte queued */
	enum {
		PTY_EOF_NONE,		/* stdin goes on */
		PTY_EOF_PENDING,	/* ended, EOF not sent yet */
		PTY_EOF_SENT,		/* sent to a canonical terminal */
		PTY_EOF_DONE
	}			 eof_state;
	int64_t			 eof_since;	/* stdin ended, or EOF sent */
	int64_t			 eof_at;	/* the next look */
	int			 eof_quiet;	/* looks seeing raw, all read */
	char			*rbuf;
	int			 child_done;
	int			 late_sig;	/* HUP/TERM/... after it */
	int			 status;
	int64_t			 kill_at;	/* escalate at this time, 0 none */
	int			 kill_sig;
	int			 alt;		/* alternate screen seen on */
	int			 kitty;		/* kitty keyboard pushes left
						   on the main screen */
	unsigned		 kitty_flags[PTY_KITTY_MAX];	/* theirs */
	int			 kitty_again;	/* popped by a stop: pushed
						   again after it */
	unsigned		 modes;		/* of pty_modes: set */
	unsigned		 modes_seen;	/* set or reset */
	char			 carry[PTY_ALT_CARRY];	/* a cut sequence */
	size_t			 carry_len;
	int64_t			 last_tick;
	int			 cont_seen;	/* a SIGCONT to let pass */
	size_t			 mark_at;	/* bytes of the mark seen */
	int			 mark_seen;	/* or there is none */
	const struct pty_cbs	*cbs;
};

/* A push of kitty keyboard flags on the main screen, kept for a stop to
 * push them again after it. Past PTY_KITTY_MAX the oldest goes, as in
 * kitty. */
static void
pty_kitty_push(struct pty *p, unsigned flags)
{
	if (p->kitty == PTY_KITTY_MAX) {
		memmove(p->kitty_flags, p->kitty_flags + 1,
		    (PTY_KITTY_MAX - 1) * sizeof p->kitty_flags[0]);
		p->kitty--;
	}
	p->kitty_flags[p->kitty++] = flags;
}

/* A kitty keyboard push ("\033[>Nu") or pop ("\033[<Nu", N entries, 1 by
 * default) at q: on the main screen they count in p->kitty, for the way
 * out to pop what the program left (Claude Code pushes there). 1 done, 0
 * if it may go on past e. */
static int
pty_kitty_seq(const char *q, const char *e, struct pty *p)
{
	size_t	 n = (size_t)(e - q), i;
	long	 v = -1;		/* no number */

	for (i = 3; i < n; i++) {
		if (q[i] >= '0' && q[i] <= '9') {
			if (v < 1000)
				v = (v < 0 ? 0 : v * 10) + (q[i] - '0');
			continue;
		}
		if (q[i] == 'u' && !p->alt) {
			if (q[2] == '>')	/* no number: flags 0 */
				pty_kitty_push(p, v < 0 ? 0 : (unsigned)v);
			else {
				if (v < 0)
					v = 1;
				p->kitty = v >= p->kitty ? 0 :
				    p->kitty - (int)v;
			}
		}
		return 1;
	}
	return n > PTY_ALT_CARRY;
}

/* The private modes the reset string puts back (term.c), for a stop to
 * set again after it those the program had changed: cursor keys,
 * autowrap, cursor shown (those two on by default), mouse, focus events,
 * bracketed paste. */
static const int pty_modes[] = { 1, 7, 25, 1000, 1002, 1003, 1004, 1006,
    1015, 2004, 0 };
#define PTY_MODES_ON	(1u << 1 | 1u << 2)	/* 7 and 25 */

static unsigned
pty_mode_bit(long v)
{
	int	 i;

	for (i = 0; pty_modes[i] != 0; i++) {
		if (pty_modes[i] == v)
			return 1u << i;
	}
	return 0;
}

/* One private mode set or reset at q ("\033[?N;...h" or "l"): the
 * alternate screen's modes (1049, 1047, 47) set p->alt, those of
 * pty_modes p->modes; or a kitty keyboard push or pop. 1 done (whatever
 * the sequence), 0 if it may go on past e (q < e). */
static int
pty_alt_seq(const char *q, const char *e, struct pty *p)
{
	size_t	 n = (size_t)(e - q), i;
	long	 v = 0;
	int	 seen = 0;
	int	*alt = &p->alt;
	unsigned bits = 0;

	if (n >= 3 && q[1] == '[' && (q[2] == '>' || q[2] == '<'))
		return pty_kitty_seq(q, e, p);
	if ((n >= 2 && q[1] != '[') || (n >= 3 && q[2] != '?'))
		return 1;
	for (i = 3; i < n; i++) {
		if (q[i] >= '0' && q[i] <= '9') {
			if (v < 100000)
				v = v * 10 + (q[i] - '0');
			continue;
		}
		if (v == 1049 || v == 1047 || v == 47)
			seen = 1;
		else
			bits |= pty_mode_bit(v);
		v = 0;
		if (q[i] == ';')
			continue;
		if (q[i] != 'h' && q[i] != 'l')
			return 1;
		if (seen)
			*alt = q[i] == 'h';
		p->modes = q[i] == 'h' ? p->modes | bits : p->modes & ~bits;
		p->modes_seen |= bits;
		return 1;
	}
	return n > PTY_ALT_CARRY;	/* too long to be one: drop it */
}

/* Track whether the program left the alternate screen on, so the reset on
 * the way out can leave it. A sequence cut by the end of a read is kept
 * and read again with the start of the next. */
static void
pty_track_alt(struct pty *p, const char *s, size_t n)
{
	const char	*e = s + n, *q;
	char		 tmp[2 * PTY_ALT_CARRY];
	size_t		 k;

	if (p->carry_len > 0) {
		k = n < PTY_ALT_CARRY ? n : PTY_ALT_CARRY;
		memcpy(tmp, p->carry, p->carry_len);
		memcpy(tmp + p->carry_len, s, k);
		if (!pty_alt_seq(tmp, tmp + p->carry_len + k, p) &&
		    p->carry_len + k <= PTY_ALT_CARRY) {
			memcpy(p->carry, tmp, p->carry_len + k);
			p->carry_len += k;
			return;		/* still cut: n was tiny */
		}
		p->carry_len = 0;
	}
	while ((q = memchr(s, '\033', (size_t)(e - s))) != NULL) {
		if (!pty_alt_seq(q, e, p)) {
			p->carry_len = (size_t)(e - q);
			memcpy(p->carry, q, p->carry_len);
			return;
		}
		s = q + 1;
	}
}

static void
pty_exec_child(char *const argv[])
{
	int	 e;

	execvp(argv[0], argv);
	e = errno;
	dprintf(STDERR_FILENO, "agentrun: %s: %s\n", argv[0],
	    e == ENOENT ? "command not found" : strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

static void
pty_size(struct pty *p)
{
	int	 c, r;

	if (term_size(STDIN_FILENO, &c, &r) != 0 &&
	    term_size(STDOUT_FILENO, &c, &r) != 0)
		return;
	p->cols = c;
	p->rows = r;
}

static void
pty_push_size(struct pty *p)
{
	struct winsize	 ws;

	memset(&ws, 0, sizeof ws);
	ws.ws_col = (unsigned short)p->cols;
	ws.ws_row = (unsigned short)p->rows;
	(void)ioctl(p->master, TIOCSWINSZ, &ws);
	if (p->cbs->resize_cb != NULL)
		p->cbs->resize_cb(p->cbs->arg, p->cols, p->rows);
}

static void
pty_reap(struct pty *p)
{
	int	 st;
	pid_t	 r;

	if (p->child_done)
		return;
	do
		r = waitpid(p->pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r != p->pid)
		return;
	p->child_done = 1;
	if (WIFEXITED(st))
		p->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		p->status = 128 + WTERMSIG(st);
	else
		p->status = 1;
}

/* Pass a terminating signal on and arm the escalation to SIGKILL. An
 * interrupt or quit goes where a terminal's Ctrl-C or Ctrl-\ would: to
 * the foreground group of the command's terminal (a shell's child too,
 * not only the shell, which waits for it). */
static void
pty_forward(struct pty *p, int sig)
{
	pid_t	 fg;

	if (p->child_done)
		return;
	if ((sig != SIGINT && sig != SIGQUIT) ||
	    (fg = tcgetpgrp(p->master)) <= 0 || kill(-fg, sig) != 0)
		(void)kill(p->pid, sig);
	if (p->kill_at == 0) {
		p->kill_at = now_us() / 1000 + PTY_ESCALATE;
		p->kill_sig = sig == SIGTERM ? SIGKILL : SIGTERM;
	}
}

static void
pty_escalate(struct pty *p)
{
	if (p->kill_at == 0 || p->child_done || now_us() / 1000 < p->kill_at)
		return;
	(void)kill(p->pid, p->kill_sig);
	(void)kill(-p->pid, p->kill_sig);	/* its process group too */
	if (p->kill_sig == SIGKILL)
		p->kill_at = 0;
	else {
		p->kill_sig = SIGKILL;
		p->kill_at = now_us() / 1000 + PTY_ESCALATE;
	}
}

static void pty_continue(struct pty *);

/* Stop as a terminal's Ctrl-Z stops a job, the terminal given back first
 * (the kitty keyboard modes the program pushed are popped: pushed again
 * after). */
static void
pty_stop_self(struct pty *p)
{
	term_restore();
	p->kitty_again = term_kitty_popped();
	/* Continued, or never stopped (no shell could continue it): back to
	 * the terminal at once, before more output. The SIGCONT that
	 * continued it, still to come through the signal fd, is then no
	 * news (else the program would be told to redraw twice). */
	p->cont_seen = sig_stop_self();
	pty_continue(p);
}

static void
pty_continue(struct pty *p)
{
	pid_t	 fg;

	if (p->in_tty && p->in_open)
		(void)term_reraw();
	/* Stopping left the alternate screen, popped the kitty keyboard
	 * modes and reset others: back to them before the next output
	 * (this may run inside a blocked write), and the program is asked
	 * to draw itself again, as after a resize (at the same size the
	 * kernel sends no SIGWINCH). */
	p->again = 1;
	pty_size(p);
	pty_push_size(p);
	if ((fg = tcgetpgrp(p->master)) > 0)
		(void)kill(-fg, SIGWINCH);
}

static int
pty_signal(struct pty *p)
{
	int	 sig;

	while ((sig = sig_next(p->sigfd)) > 0) {
		switch (sig) {
		case SIGCHLD:
			pty_reap(p);
			break;
		case SIGWINCH:
			pty_size(p);
			pty_push_size(p);
			break;
		case SIGHUP:
			/* The terminal is gone: stop using it. */
			p->in_open = 0;
			p->out_ok = 0;
			/* FALLTHROUGH */
		case SIGTERM:
		case SIGINT:
		case SIGQUIT:
			if (p->end_at == 0)
				p->end_at = now_us() / 1000;
			if (sig == SIGTERM || sig == SIGHUP)
				p->end_self = 1;
			if (p->child_done)
				p->late_sig = sig;	/* for the caller */
			else
				pty_forward(p, sig);
			break;
		case SIGTSTP:
			pty_stop_self(p);
			break;
		case SIGCONT:
			if (p->cont_seen)
				p->cont_seen = 0;	/* pty_stop_self's */
			else
				pty_continue(p);
			break;
		}
	}
	return sig;
}

static void pty_tick(struct pty *);

/* May a write to stdout that is blocked be given up? Once agentrun is
 * told to end (TERM, HUP), or the command has ended after an INT or
 * QUIT, a reader that takes nothing for PTY_OUT_GRACE ms is not waited
 * for: like a terminal that was closed. An INT to a command that goes on
 * (a pager reading slowly) still waits. */
static int
pty_out_give_up(struct pty *p)
{
	return p->end_at != 0 && (p->end_self || p->child_done) &&
	    now_us() / 1000 - p->end_at >= PTY_OUT_GRACE;
}

/* Write to stdout. p->outfd is non-blocking when it is a copy of stdout's
 * own (pty_out_open), so a reader that is slow or stopped is waited for
 * in a poll that hears signals too: they are acted on, the escalation
 * and the ticks go on, and the wait can be given up. 0 written (or given
 * up: p->out_ok is 0), -1 error. */
static int
pty_out_write(struct pty *p, const char *s, size_t n)
{
	struct pollfd	 pfd[2];
	ssize_t		 w;
	int		 r;

	while (n > 0 && p->out_ok) {
		if ((w = write(p->outfd, s, n)) >= 0) {
			s += w;
			n -= (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		pfd[0].fd = p->outfd;
		pfd[0].events = POLLOUT;
		pfd[1].fd = p->sigfd;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		if ((r = poll(pfd, 2, p->end_at != 0 ? 100 : 1000)) < 0 &&
		    errno != EINTR)
			return -1;
		if (r > 0 && (pfd[1].revents & POLLIN))
			pty_signal(p);	/* a HUP clears p->out_ok */
		if (pty_out_give_up(p))
			p->out_ok = 0;
		pty_escalate(p);
		pty_tick(p);
	}
	return 0;
}

/* Continued: the kitty keyboard modes popped by the stop are pushed
 * again on the main screen, then the alternate screen is entered again
 * if the program was on it, and the modes it changed that the reset put
 * back are changed again. */
static void
pty_again(struct pty *p)
{
	char		 s[PTY_KITTY_MAX * 16 + 256];
	size_t		 n = 0;
	unsigned	 b;
	int		 i;

	p->again = 0;
	for (i = 0; i < p->kitty_again && i < p->kitty; i++)
		n += (size_t)snprintf(s + n, sizeof s - n, "\033[>%uu",
		    p->kitty_flags[i]);
	p->kitty_again = 0;
	if (p->alt)
		n += (size_t)snprintf(s + n, sizeof s - n, "\033[?1049h");
	for (i = 0; pty_modes[i] != 0; i++) {
		b = 1u << i;
		if ((p->modes_seen & b) && (p->modes & b) != (PTY_MODES_ON & b))
			n += (size_t)snprintf(s + n, sizeof s - n,
			    "\033[?%d%c", pty_modes[i],
			    p->modes & b ? 'h' : 'l');
	}
	if (n > 0 && p->out_ok && pty_out_write(p, s, n) != 0)
		p->out_ok = 0;
	if (p->out_ok)	/* pushed: any way out pops them again */
		term_set_kitty(p->kitty);
}

static void
pty_output(struct pty *p, const char *s, size_t n)
{
	if (p->again)
		pty_again(p);
	if (p->out_ok && pty_out_write(p, s, n) != 0) {
		/* Nobody reads any more (EPIPE, EIO): like a terminal that
		 * was closed, the child gets SIGHUP; recording goes on. Any
		 * other error (a full disk, a closed stdout) is the caller's
		 * to tell. */
		if (errno != EPIPE && errno != EIO)
			p->out_err = errno;
		p->out_ok = 0;
		pty_forward(p, SIGHUP);
	}
	if (p->out_ok) {
		pty_track_alt(p, s, n);
		term_set_alt(p->alt);	/* for every way out, a crash too */
		term_set_kitty(p->kitty);
	}
	if (p->cbs->output_cb != NULL)
		p->cbs->output_cb(p->cbs->arg, s, n);
}

/* The greeting came: its reply goes to the child before any key. */
static void
pty_greeted(struct pty *p)
{
	struct buf	 q;

	p->mark_seen = 1;
	if (p->cbs->reply == NULL)
		return;
	buf_init(&q);
	buf_add(&q, p->cbs->reply, p->cbs->reply_len);
	if (p->queue.len > 0) {		/* keys typed meanwhile */
		buf_add(&q, p->queue.data, p->queue.len);
		explicit_bzero(p->queue.data, p->queue.len);
	}
	buf_free(&p->queue);
	p->queue = q;
}

/* Output while the greeting is awaited: the mark is taken out, the rest
 * passed on. A partial mark waits for the next read (at the end, for
 * pty_mark_flush); one that goes another way was output after all. */
static void
pty_output_marked(struct pty *p, const char *s, size_t n)
{
	const char	*m = p->cbs->mark;
	size_t		 mlen = strlen(m), i;
	struct buf	 out;

	buf_init(&out);
	for (i = 0; i < n && !p->mark_seen; i++) {
		if (s[i] == m[p->mark_at]) {
			if (++p->mark_at == mlen)
				pty_greeted(p);
			continue;
		}
		buf_add(&out, m, p->mark_at);
		p->mark_at = s[i] == m[0];
		if (p->mark_at == 0)
			buf_addc(&out, s[i]);
	}
	if (out.len > 0)
		pty_output(p, out.data, out.len);
	if (i < n)
		pty_output(p, s + i, n - i);
	buf_free(&out);
}

/* A mark cut short by the end of the output was output. */
static void
pty_mark_flush(struct pty *p)
{
	if (!p->mark_seen && p->mark_at > 0)
		pty_output(p, p->cbs->mark, p->mark_at);
	p->mark_at = 0;
}

/* Are keys held for the greeting? */
static int
pty_keys_held(struct pty *p)
{
	return !p->mark_seen;
}

/* Keys typed while they wait for the greeting: the interrupt and quit
 * keys cannot wait (there may be no greeting: a guest stuck before it),
 * so they signal the command at once, as a terminal does, and are not
 * kept. The length of what is left in b. */
static size_t
pty_held_signals(struct pty *p, char *b, size_t n)
{
	const struct termios	*t = term_saved();
	cc_t			 intr = t != NULL ? t->c_cc[VINTR] : 3;
	cc_t			 quit = t != NULL ? t->c_cc[VQUIT] : 28;
	size_t			 i, k = 0;

	for (i = 0; i < n; i++) {
		if ((cc_t)b[i] == intr && intr != _POSIX_VDISABLE)
			pty_forward(p, SIGINT);
		else if ((cc_t)b[i] == quit && quit != _POSIX_VDISABLE)
			pty_forward(p, SIGQUIT);
		else
			b[k++] = b[i];
	}
	return k;
}

/* Read from the master: 1 data, 0 nothing now, -1 end of the pty. */
static int
pty_read_master(struct pty *p)
{
	ssize_t	 n;

	n = read(p->master, p->rbuf, PTY_READ_SIZE);
	if (n > 0) {
		if (p->mark_seen)
			pty_output(p, p->rbuf, (size_t)n);
		else
			pty_output_marked(p, p->rbuf, (size_t)n);
		return 1;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	return -1;	/* EIO: every slave fd is closed */
}

static void
pty_read_stdin(struct pty *p)
{
	char	 b[8192];
	ssize_t	 n;

	n = read(STDIN_FILENO, b, sizeof b);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		p->in_open = 0;
		p->eof_state = PTY_EOF_PENDING;	/* passed on by pty_eof */
		p->eof_since = p->eof_at = now_us();
		return;
	}
	if (p->cbs->input_cb != NULL)
		p->cbs->input_cb(p->cbs->arg, b, (size_t)n);
	if (pty_keys_held(p) && p->in_tty)
		n = (ssize_t)pty_held_signals(p, b, (size_t)n);
	if (n == 0)
		return;
	buf_add(&p->queue, b, (size_t)n);
	p->last_key = b[n - 1];
}

/* Has the child not read all its input yet? Looked at from a slave fd
 * opened for the moment (forkpty keeps none in this process). */
static int
pty_slave_unread(struct pty *p)
{
	struct pollfd	 pfd;
	const char	*name;
	int		 fd, unread;

	if ((name = ptsname(p->master)) == NULL ||
	    (fd = open(name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return 0;
	pfd.fd = fd;
	pfd.events = POLLIN;
	unread = poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
	(void)close(fd);
	return unread;
}

/* Pass stdin's end on as the terminal's EOF character (twice if a partial
 * line is pending), once the child has read the input before it (or after
 * PTY_EOF_WAIT ms, as script(1) does, for a child that reads nothing).
 * An EOF that a canonical terminal holds becomes a NUL when a program
 * turns canonical mode off before reading it (an interactive shell
 * starting readline), and the program would wait for ever. So after it
 * is sent, the terminal is watched: read while canonical, it was an EOF
 * (done); seen raw and read, it was a NUL, and the character is sent once
 * more, as a key (readline's EOF on an empty line). A raw terminal whose
 * input was all read must stay so for PTY_EOF_SETTLE looks before the EOF
 * goes: one look can fall between readline taking a line's end and its
 * turning canonical mode on to run the command, and the EOF, landing
 * there, became a NUL with no one watching (seen under load). */
static void
pty_eof(struct pty *p)
{
	const struct termios	*t;
	struct termios		 now_t;
	char			 eof;
	int64_t			 now, since;
	int			 canon, unread;

	/* Not before the greeting: its reply goes first, and an EOF held
	 * behind it would reach a guest that reads it as a plain byte. */
	if (p->eof_state == PTY_EOF_NONE || p->eof_state == PTY_EOF_DONE ||
	    !p->mark_seen || p->queue.len > 0 || (now = now_us()) < p->eof_at)
		return;
	canon = tcgetattr(p->master, &now_t) != 0 ||
	    (now_t.c_lflag & ICANON);
	unread = pty_slave_unread(p);
	since = (now - p->eof_since) / 1000;
	t = term_saved();
	eof = t != NULL ? (char)t->c_cc[VEOF] : 4;
	if (p->eof_state == PTY_EOF_SENT) {
		if (!unread && !canon)
			buf_addc(&p->queue, eof);
		if (!unread)
			p->eof_state = PTY_EOF_DONE;
		p->eof_at = now + (since < 5000 ? PTY_EOF_WATCH : 1000) * 1000;
		return;
	}
	p->eof_quiet = unread || canon ? 0 : p->eof_quiet + 1;
	if (since < PTY_EOF_WAIT && (unread ||
	    (!canon && p->eof_quiet < PTY_EOF_SETTLE))) {
		p->eof_at = now + PTY_EOF_LOOK * 1000;
		return;
	}
	if (p->last_key != '\n')
		buf_addc(&p->queue, eof);	/* ends the line */
	buf_addc(&p->queue, eof);
	p->eof_state = canon ? PTY_EOF_SENT : PTY_EOF_DONE;
	p->eof_since = now;
	p->eof_at = now + PTY_EOF_LOOK * 1000;
}

/* How long poll may wait: a second, or until the next look at the EOF. */
static int
pty_timeout(struct pty *p)
{
	int64_t	 ms;

	if (p->kill_at != 0)
		return 200;
	if ((p->eof_state != PTY_EOF_PENDING && p->eof_state != PTY_EOF_SENT) ||
	    !p->mark_seen)	/* pty_eof waits for it */
		return 1000;
	ms = (p->eof_at - now_us() + 999) / 1000;
	return ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms;
}

static void
pty_write_master(struct pty *p)
{
	ssize_t	 n;

	n = write(p->master, p->queue.data, p->queue.len);
	if (n > 0)
		buf_consume(&p->queue, (size_t)n);
	else if (n < 0 && errno != EINTR && errno != EAGAIN)
		buf_reset(&p->queue);	/* child gone: drop the keys */
}

static void
pty_tick(struct pty *p)
{
	int64_t	 t = now_us();

	if (t - p->last_tick < 1000000)
		return;
	p->last_tick = t;
	if (p->cbs->tick_cb != NULL)
		p->cbs->tick_cb(p->cbs->arg);
}

static void
pty_loop(struct pty *p)
{
	struct pollfd	 pfd[3];
	int		 n, k, rc, master_open = 1;

	while (master_open && !p->child_done) {
		pfd[0].fd = p->master;
		pfd[0].events = POLLIN | (p->queue.len > 0 &&
		    !pty_keys_held(p) ? POLLOUT : 0);
		pfd[1].fd = p->sigfd;
		pfd[1].events = POLLIN;
		pfd[2].fd = p->in_open && p->queue.len < PTY_QUEUE_MAX ?
		    STDIN_FILENO : -1;
		pfd[2].events = POLLIN;
		n = poll(pfd, 3, pty_timeout(p));
		if (n < 0 && errno != EINTR)
			fatal("poll: %s", strerror(errno));
		if (n > 0) {
			if (pfd[1].revents & POLLIN)
				pty_signal(p);
			if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
				/* While output streams, the next read usually
				 * has data by the time the last chunk is
				 * written out: skip the poll, a few times. */
				for (k = 0; (rc = pty_read_master(p)) > 0 &&
				    k < PTY_READ_AHEAD; k++)
					;
				if (rc < 0)
					master_open = 0;
			}
			if (master_open && (pfd[0].revents & POLLOUT))
				pty_write_master(p);
			if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))
				pty_read_stdin(p);
		}
		pty_eof(p);
		pty_escalate(p);
		pty_tick(p);
	}
}

/* The child has ended (or closed the pty): take what is still buffered,
 * but not forever, as a grandchild may hold the pty open. */
static void
pty_drain(struct pty *p)
{
	struct pollfd	 pfd;
	int64_t		 end = now_us() / 1000 + PTY_DRAIN_MAX;
	int		 n;

	while (now_us() / 1000 < end) {
		pfd.fd = p->master;
		pfd.events = POLLIN;
		/* A signal (a resize, on the self-pipe path) is not the end. */
		if ((n = poll(&pfd, 1, PTY_DRAIN_IDLE)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (pty_read_master(p) < 0)
			break;
	}
}

/* Wait for the child after the pty closed: signals still apply. No key
 * can reach it now, so the terminal is given back (Ctrl-C is a signal
 * again, passed on), and what was recorded is still flushed each second. */
static void
pty_wait_child(struct pty *p)
{
	struct pollfd	 pfd;

	if (!p->child_done) {
		p->in_open = 0;		/* and not raw again after a stop */
		term_restore();
	}
	while (!p->child_done) {
		pfd.fd = p->sigfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 200) > 0)
			pty_signal(p);
		pty_reap(p);
		pty_escalate(p);
		pty_tick(p);
	}
}

/* stdout opened again, as a description of agentrun's own, to be made
 * non-blocking without touching the one it shares with the shell and
 * other programs: a terminal or a pipe, whose reader may stop reading.
 * stdout itself when that cannot be done (no /proc, another user's
 * terminal, a socket, a file). */
static int
pty_out_open(void)
{
	struct stat	 a, b;
	int		 fd;

	if (fstat(STDOUT_FILENO, &a) != 0 ||
	    !(S_ISFIFO(a.st_mode) || (S_ISCHR(a.st_mode) &&
	    isatty(STDOUT_FILENO))))
		return STDOUT_FILENO;
	fd = open("/proc/self/fd/1",
	    O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return STDOUT_FILENO;
	if (fstat(fd, &b) != 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino || a.st_rdev != b.st_rdev) {
		(void)close(fd);
		return STDOUT_FILENO;
	}
	return fd;
}

int
pty_run(char *const argv[], const struct pty_cbs *cbs, char **cause)
{
	static const int	 all[] = { SIGCHLD, SIGWINCH, SIGTERM, SIGHUP,
				     SIGINT, SIGQUIT, SIGTSTP, SIGCONT, 0 };
	struct pty		 p;
	struct winsize		 ws;
	struct termios		 tios, *tp = NULL;
	struct sigaction	 sa;
	int			 fl, i, k, sigs[sizeof all / sizeof all[0]];

	memset(&p, 0, sizeof p);
	p.cbs = cbs;
	p.cols = 80;
	p.rows = 24;
	p.out_ok = 1;
	p.in_open = 1;
	p.in_tty = isatty(STDIN_FILENO);
	p.last_key = '\n';
	p.mark_seen = cbs->mark == NULL;
	buf_init(&p.queue);
	pty_size(&p);
	memset(&ws, 0, sizeof ws);
	ws.ws_col = (unsigned short)p.cols;
	ws.ws_row = (unsigned short)p.rows;
	if (p.in_tty && tcgetattr(STDIN_FILENO, &tios) == 0)
		tp = &tios;

	/* A terminating signal ignored by whoever started agentrun (nohup,
	 * a shell's background job) stays ignored, here and in the command,
	 * as without agentrun: taken, it would end the command. */
	for (i = k = 0; all[i] != 0; i++) {
		if (all[i] != SIGCHLD && all[i] != SIGWINCH &&
		    all[i] != SIGTSTP && all[i] != SIGCONT &&
		    sigaction(all[i], NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN)
			continue;
		sigs[k++] = all[i];
	}
	sigs[k] = 0;
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    (p.sigfd = sig_open(sigs)) < 0) {
		xasprintf(cause, "signals: %s", strerror(errno));
		return -1;
	}
	p.pid = forkpty(&p.master, NULL, tp, &ws);
	if (p.pid < 0) {
		xasprintf(cause, "forkpty: %s", strerror(errno));
		sig_close(p.sigfd);
		return -1;
	}
	if (p.pid == 0) {
		sig_close(p.sigfd);
		/* Ignored here (main.c); the command gets the defaults. */
		(void)signal(SIGPIPE, SIG_DFL);
		(void)signal(SIGXFSZ, SIG_DFL);
		pty_exec_child(argv);
	}
	if ((fl = fcntl(p.master, F_GETFL)) < 0 ||
	    fcntl(p.master, F_SETFL, fl | O_NONBLOCK) != 0 ||
	    fcntl(p.master, F_SETFD, FD_CLOEXEC) != 0)
		fatal("fcntl: %s", strerror(errno));
	if (p.in_tty && term_raw(STDIN_FILENO) != 0)
		p.in_tty = 0;
	p.outfd = pty_out_open();
	p.rbuf = xmalloc(PTY_READ_SIZE);
	p.last_tick = now_us();
	if (cbs->resize_cb != NULL)
		cbs->resize_cb(cbs->arg, p.cols, p.rows);

	pty_loop(&p);
	pty_drain(&p);
	pty_mark_flush(&p);
	pty_wait_child(&p);

	term_restore();
	close(p.master);
	if (p.outfd != STDOUT_FILENO)
		(void)close(p.outfd);
	sig_close_pending(p.sigfd);
	if (p.late_sig != 0)
		(void)raise(p.late_sig);	/* blocked: pending */
	free(p.rbuf);
	if (p.queue.data != NULL)	/* a reply the child never took */
		explicit_bzero(p.queue.data, p.queue.len);
	buf_free(&p.queue);
	/* Output lost to an error is the caller's to tell (the command's
	 * status is still returned). */
	if (p.out_err != 0)
		xasprintf(cause, "stdout: %s", strerror(p.out_err));
	return p.status;
}
