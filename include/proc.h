/* proc.h: run a helper program (git, multipass) with argv only, never a
 * shell, capture or stream its output, and wait a bounded time. */
#ifndef AGENTRUN_PROC_H
#define AGENTRUN_PROC_H

#include "util.h"

struct proc_opts {
	const char	*dir;		/* run there, or NULL: here */
	int		 timeout_ms;	/* 0: wait forever */
	int		 inherit;	/* stdout and stderr go to our stderr,
					   not captured */
	const char	*in_path;	/* stdin from this file, or NULL:
					   /dev/null */
	/* If set, stdout is handed over chunk by chunk instead of captured. */
	void		(*out_cb)(void *, const char *, size_t);
	void		*arg;
};

struct proc_result {
	struct buf	 out;		/* stdout (empty with inherit or out_cb) */
	struct buf	 err;		/* stderr (empty with inherit) */
	int		 status;	/* exit code, 128+N for signal N */
	int		 timed_out;	/* killed (TERM, then KILL) after timeout_ms */
};

/* Run argv (argv[0] searched in PATH unless it has a '/') with stdin from
 * /dev/null. opts may be NULL. 0 when the program ran, whatever its
 * status; -1 and *cause when it could not be started. */
int	 proc_run(const char *const argv[], const struct proc_opts *,
	     struct proc_result *, char **cause);

/* The same in two steps, so that other work can go on meanwhile. opts
 * must stay valid until proc_finish. A child that writes more than a pipe
 * holds waits for proc_finish to read it. */
struct proc;
struct proc *proc_start(const char *const argv[], const struct proc_opts *,
	    char **cause);
int	 proc_finish(struct proc *, struct proc_result *, char **cause);
void	 proc_result_free(struct proc_result *);

/* Start path with argv in the background, not waited for: a session of
 * its own (no controlling terminal), stdin, stdout and stderr /dev/null,
 * in /. Whoever outlives it reaps it (agentrun exits first). 0, or -1
 * and *cause. */
int	 proc_detach(const char *path, const char *const argv[], char **cause);

#endif
