/* proc.h: run a helper program (git, multipass) with argv only, never a
 * shell, capture its output and wait a bounded time. */
#ifndef AGENTRUN_PROC_H
#define AGENTRUN_PROC_H

#include "util.h"

struct proc_result {
	struct buf	 out;		/* stdout */
	struct buf	 err;		/* stderr */
	int		 status;	/* exit code, 128+N for signal N */
	int		 timed_out;	/* killed after timeout_ms */
};

/* Run argv in dir (NULL: here) with stdin from /dev/null. timeout_ms 0
 * waits forever. 0 when the program ran (whatever its status), -1 and
 * *cause when it could not be started (ENOENT in errno if not found). */
int	 proc_capture(const char *const argv[], const char *dir, int timeout_ms,
	     struct proc_result *, char **cause);
void	 proc_result_free(struct proc_result *);

#endif
