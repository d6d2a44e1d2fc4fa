/* pty.h: run a command under forkpty and proxy the user's terminal to
 * it: keys in, output out (to the terminal first, then to callbacks),
 * window size, signals, drain and exit status. Knows nothing about
 * recording or VMs: policy arrives through callbacks. */
#ifndef AGENTRUN_PTY_H
#define AGENTRUN_PTY_H

#include <stddef.h>

struct pty_cbs {
	void	*arg;
	/* Output from the child, after it was written to stdout. */
	void	(*output_cb)(void *, const char *, size_t);
	/* Input from the user, before it is written to the child. */
	void	(*input_cb)(void *, const char *, size_t);
	/* The window size changed (also called once at start). */
	void	(*resize_cb)(void *, int cols, int rows);
	/* Called about once a second while the loop runs. */
	void	(*tick_cb)(void *);
	/* A greeting, or NULL: when the child prints mark (whose first byte
	 * occurs nowhere else in it), reply is written to it ahead of any
	 * key. The mark is taken out of the output, the reply is not passed
	 * to input_cb, and keys wait for it (the interrupt and quit keys
	 * signal the child at once instead). */
	const char	*mark;
	const char	*reply;
	size_t		 reply_len;
};

/* Run argv[0] (PATH search) under a new pty. Returns the exit status
 * shell-style: the code, 128+N if killed by signal N, 127 if it could not
 * be executed (126 if not executable). -1 and *cause if the proxy could
 * not start; a status and *cause if stdout could not be written (for
 * another reason than its reader gone: the child gets a SIGHUP either
 * way). A SIGHUP, SIGTERM, SIGINT or SIGQUIT that whoever started us
 * ignored (nohup) stays ignored. One that comes once the command has
 * ended is not acted on: pty_run returns with those four blocked and it
 * pending, for the caller to finish its work and then restore the signal
 * mask it had. */
int	 pty_run(char *const argv[], const struct pty_cbs *, char **cause);

#endif
