/* sig.h: signals as a file descriptor: signalfd on Linux, a self-pipe
 * elsewhere (or with NO_SIGNALFD). Handlers never do work. */
#ifndef AGENTRUN_SIG_H
#define AGENTRUN_SIG_H

#include <signal.h>

/* Block/catch the listed signals (0-terminated) and return a readable fd,
 * or -1 with errno. */
int	 sig_open(const int *signals);
/* Next pending signal number, 0 when none is pending, -1 on error. */
int	 sig_next(int fd);
/* Undo sig_open (restore mask and handlers) and close fd. Also used in
 * the child before exec. */
void	 sig_close(int fd);
/* Add the signals that end a session (HUP, TERM, INT, QUIT) to set. */
void	 sig_add_ends(sigset_t *set);
/* Add those of them that are not ignored (nohup, a background job). */
void	 sig_add_live_ends(sigset_t *set);
/* 1 if one of those signals in set has come while blocked (pending). */
int	 sig_ends_pending(const sigset_t *set);
/* sig_close for the end of a session: those signals are left
 * blocked, and any of them that came and was not read
 * is left pending, for the caller to take when it unblocks them. */
void	 sig_close_pending(int fd);
/* Stop this process as a terminal's Ctrl-Z does (SIGTSTP with its default
 * action), whatever sig_open did with SIGTSTP; returns once continued. In
 * an orphaned process group (no shell to continue it) the kernel does not
 * stop it, and this returns at once. 1 if it was continued by a SIGCONT
 * that sig_next is still to return (the caller's SIGCONT path will run),
 * else 0. */
int	 sig_stop_self(void);

#endif
