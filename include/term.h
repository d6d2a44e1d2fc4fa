/* term.h: the user's terminal: raw mode and its restore on every way out,
 * the mode-reset string, window size. The only module that calls
 * tcsetattr on it. */
#ifndef AGENTRUN_TERM_H
#define AGENTRUN_TERM_H

#include <termios.h>

/* Save fd's modes and make it raw. Installs the atexit and crash
 * handlers once. 0, or -1 with errno (not a terminal: nothing done). */
int	 term_raw(int fd);
/* Back to the saved modes and, if out is a terminal, write the reset
 * string. Idempotent, async-signal-safe. */
void	 term_restore(void);
/* Re-enter raw mode after a stop/continue. */
int	 term_reraw(void);
int	 term_is_raw(void);
/* Saved modes (for the child's pty) or NULL when not saved. */
const struct termios *term_saved(void);
/* Window size of fd: 0, or -1 when unknown. */
int	 term_size(int fd, int *cols, int *rows);
/* The reset string written on exit: cursor shown, mouse, bracketed
 * paste, focus and kitty keyboard off, and the alternate screen left if
 * alt is set. */
const char *term_reset_string(int alt);
/* Tell term_restore whether the program left the alternate screen on. */
void	 term_set_alt(int);
/* Tell term_restore how many kitty keyboard modes the program pushed on
 * the main screen and left there: it pops them. */
void	 term_set_kitty(int);
/* How many of those the last term_restore popped (0 if it wrote nothing):
 * after a stop, the caller pushes them again. */
int	 term_kitty_popped(void);

#endif
