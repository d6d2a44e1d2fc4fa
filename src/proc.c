/* proc.c: run a helper program (git, multipass) with argv and execvp
 * only, capture stdout and stderr through pipes, and wait a bounded time
 * (TERM, then KILL, when it is exceeded). */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

static void
proc_child(const char *const argv[], const char *dir, int out, int err, int ep)
{
	int	 fd, e;

	if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) < 0 ||
	    dup2(out, 1) < 0 || dup2(err, 2) < 0)
		goto fail;
	if (dir != NULL && chdir(dir) != 0)
		goto fail;
	execvp(argv[0], (char *const *)(uintptr_t)argv);	/* argv is not modified */
fail:
	e = errno;
	if (write(ep, &e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

static int
proc_read(int fd, struct buf *b)
{
	char	 chunk[16384];
	ssize_t	 n;

	n = read(fd, chunk, sizeof chunk);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	buf_add(b, chunk, (size_t)n);
	return 1;
}

int
proc_capture(const char *const argv[], const char *dir, int timeout_ms,
    struct proc_result *r, char **cause)
{
	int		 po[2] = { -1, -1 }, pe[2] = { -1, -1 }, ep[2] = { -1, -1 };
	int		 st, e = 0, open_fds, rc = -1;
	struct pollfd	 pfd[2];
	pid_t		 pid;
	int64_t		 deadline = 0, killed_at = 0;
	ssize_t		 n;

	memset(r, 0, sizeof *r);
	buf_init(&r->out);
	buf_init(&r->err);
	if (pipe(po) != 0 || pipe(pe) != 0 || pipe(ep) != 0 ||
	    fcntl(ep[1], F_SETFD, FD_CLOEXEC) != 0) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		xasprintf(cause, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		close(po[0]);
		close(pe[0]);
		close(ep[0]);
		proc_child(argv, dir, po[1], pe[1], ep[1]);
	}
	close(po[1]);
	close(pe[1]);
	close(ep[1]);
	po[1] = pe[1] = ep[1] = -1;
	do
		n = read(ep[0], &e, sizeof e);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof e) {	/* exec failed */
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		errno = e;
		xasprintf(cause, "%s: %s", argv[0], strerror(e));
		goto out;
	}
	if (timeout_ms > 0)
		deadline = now_us() / 1000 + timeout_ms;
	open_fds = 2;
	pfd[0].fd = po[0];
	pfd[1].fd = pe[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (open_fds > 0) {
		int64_t now = now_us() / 1000;
		int wait = -1;

		if (deadline != 0) {
			if (now >= deadline && killed_at == 0) {
				r->timed_out = 1;
				(void)kill(pid, SIGTERM);
				killed_at = now;
			} else if (killed_at != 0 && now >= killed_at + 2000) {
				(void)kill(pid, SIGKILL);
				break;	/* a grandchild may hold the pipes */
			}
			wait = (int)((killed_at != 0 ? killed_at + 2000 :
			    deadline) - now);
			if (wait < 0)
				wait = 0;
		}
		if (poll(pfd, 2, wait) < 0 && errno != EINTR) {
			xasprintf(cause, "poll: %s", strerror(errno));
			(void)kill(pid, SIGKILL);
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents &
			    (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!proc_read(pfd[i].fd, i == 0 ? &r->out : &r->err)) {
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			xasprintf(cause, "waitpid: %s", strerror(errno));
			goto out;
		}
	}
	if (WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	else
		r->status = 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	if (r->out.data == NULL)
		buf_add(&r->out, "", 0);
	if (r->err.data == NULL)
		buf_add(&r->err, "", 0);
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	if (rc != 0)
		proc_result_free(r);
	if (rc != 0 && e != 0)
		errno = e;
	return rc;
}

void
proc_result_free(struct proc_result *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}
