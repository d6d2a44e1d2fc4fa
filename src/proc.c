/* proc.c: run a helper program (git, multipass) with argv and
 * posix_spawnp only (never a shell), capture or stream stdout and stderr
 * through pipes, and wait a bounded time (TERM, then KILL, when it is
 * exceeded). */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

extern char **environ;

#define PROC_KILL_GRACE	2000	/* ms between TERM and KILL */

/* Start path (searched in PATH unless it has a '/') with argv by
 * posix_spawn (no copy of our address space, so it is cheap even from a
 * large process): stdin /dev/null (or o->in_path), stdout and stderr to
 * the pipes out and err unless inherited (both to our stderr), in dir,
 * with an empty signal mask and SIGPIPE and SIGXFSZ (both ignored here)
 * at their defaults. out < 0 detaches it: stdout and stderr /dev/null
 * too, and a session of its own. 0, or an errno value. */
static int
proc_spawn(const char *path, const char *const argv[],
    const struct proc_opts *o, int out, int err, pid_t *pid)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 at;
	sigset_t			 none, dfl;
	short				 flags = POSIX_SPAWN_SETSIGMASK |
					     POSIX_SPAWN_SETSIGDEF;
	int				 e, fd;

	if ((e = posix_spawn_file_actions_init(&fa)) != 0)
		return e;
	if ((e = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return e;
	}
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGXFSZ);
	for (fd = 0; fd < (out < 0 ? 3 : 1); fd++)
		if ((e = posix_spawn_file_actions_addopen(&fa, fd,
		    fd == 0 && o->in_path != NULL ? o->in_path : "/dev/null",
		    fd == 0 ? O_RDONLY : O_WRONLY, 0)) != 0)
			goto out;
	if (out < 0)
		flags |= POSIX_SPAWN_SETSID;
	else if (o->inherit)	/* ours is data (claude -p | jq): stderr */
		e = posix_spawn_file_actions_adddup2(&fa, 2, 1);
	else if ((e = posix_spawn_file_actions_adddup2(&fa, out, 1)) == 0)
		e = posix_spawn_file_actions_adddup2(&fa, err, 2);
	if (e != 0)
		goto out;
	if (o->dir != NULL && (e = posix_spawn_file_actions_addchdir_np(&fa,
	    o->dir)) != 0)
		goto out;
	if ((e = posix_spawnattr_setsigmask(&at, &none)) != 0 ||
	    (e = posix_spawnattr_setsigdefault(&at, &dfl)) != 0 ||
	    (e = posix_spawnattr_setflags(&at, flags)) != 0)
		goto out;
	/* argv is not modified: the cast is posix_spawn's old prototype. */
	e = posix_spawnp(pid, path, &fa, &at, (char *const *)(uintptr_t)argv,
	    environ);
out:
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return e;
}

int
proc_detach(const char *path, const char *const argv[], char **cause)
{
	struct proc_opts	 o = { .dir = "/" };
	pid_t			 pid;
	int			 e;

	if ((e = proc_spawn(path, argv, &o, -1, -1, &pid)) != 0) {
		xasprintf(cause, "%s: %s", argv[0], strerror(e));
		return -1;
	}
	return 0;
}

/* One read from fd into b or the callback: 0 at end of file. */
static int
proc_read(int fd, struct buf *b, const struct proc_opts *o)
{
	char	 chunk[16384];
	ssize_t	 n;

	n = read(fd, chunk, sizeof chunk);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	if (o != NULL && o->out_cb != NULL)
		o->out_cb(o->arg, chunk, (size_t)n);
	else
		buf_add(b, chunk, (size_t)n);
	return 1;
}

/* Wait for pid at most ms (< 0: forever); 1 if it was reaped. The
 * pipes have usually closed already, so the first checks come quickly. */
static int
proc_wait(pid_t pid, int *st, int ms)
{
	int64_t	 end = now_us() / 1000 + ms;
	int	 nap = 1;
	pid_t	 r;

	for (;;) {
		r = waitpid(pid, st, ms < 0 ? 0 : WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return 1;
		if (ms >= 0 && now_us() / 1000 >= end)
			return 0;
		if (ms >= 0) {
			(void)poll(NULL, 0, nap);
			if (nap < 32)
				nap *= 2;
		}
	}
}

/* Read both pipes until they close or the deadline (ms, 0 none) passes. */
static void
proc_pump(int out, int err, const struct proc_opts *o, struct proc_result *r,
    int64_t deadline)
{
	struct pollfd	 pfd[2];
	int		 open_fds = 2, wait, i;

	pfd[0].fd = out;
	pfd[1].fd = err;
	pfd[0].events = pfd[1].events = POLLIN;
	while (open_fds > 0) {
		wait = -1;
		if (deadline != 0) {
			int64_t left = deadline - now_us() / 1000;

			if (left <= 0) {
				r->timed_out = 1;
				return;
			}
			wait = left > 60000 ? 60000 : (int)left;
		}
		if (poll(pfd, 2, wait) < 0 && errno != EINTR)
			return;
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			if (!proc_read(pfd[i].fd, i == 0 ? &r->out : &r->err,
			    i == 0 ? o : NULL)) {
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
}

struct proc {
	pid_t			 pid;
	int			 out, err;
	struct proc_opts	 opts;
	const char		*name;
};

struct proc *
proc_start(const char *const argv[], const struct proc_opts *opts,
    char **cause)
{
	static const struct proc_opts	 none;
	struct proc			*p;
	int				 po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	int				 e, i;

	p = xcalloc(1, sizeof *p);
	p->opts = opts != NULL ? *opts : none;
	p->name = argv[0];
	if (pipe(po) != 0 || pipe(pe) != 0 ||
	    fcntl(po[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(pe[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(po[1], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(pe[1], F_SETFD, FD_CLOEXEC) != 0) {
		e = errno;
		xasprintf(cause, "pipe: %s", strerror(e));
		goto fail;
	}
	/* dup2 onto 1 and 2 clears FD_CLOEXEC on the copies. */
	if ((e = proc_spawn(argv[0], argv, &p->opts, po[1], pe[1],
	    &p->pid)) != 0) {
		xasprintf(cause, "%s: %s", argv[0], strerror(e));
		goto fail;
	}
	close(po[1]);
	close(pe[1]);
	p->out = po[0];
	p->err = pe[0];
	return p;
fail:
	for (i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	free(p);
	errno = e;
	return NULL;
}

int
proc_finish(struct proc *p, struct proc_result *r, char **cause)
{
	int64_t	 deadline = 0;
	int	 st = 0, left;

	(void)cause;
	memset(r, 0, sizeof *r);
	buf_init(&r->out);
	buf_init(&r->err);
	if (p->opts.timeout_ms > 0)
		deadline = now_us() / 1000 + p->opts.timeout_ms;
	proc_pump(p->out, p->err, &p->opts, r, deadline);
	left = deadline == 0 ? -1 : (int)(deadline - now_us() / 1000);
	if (r->timed_out || !proc_wait(p->pid, &st, deadline != 0 && left < 0 ?
	    0 : left)) {
		r->timed_out = 1;
		(void)kill(p->pid, SIGTERM);
		if (!proc_wait(p->pid, &st, PROC_KILL_GRACE)) {
			(void)kill(p->pid, SIGKILL);
			(void)proc_wait(p->pid, &st, -1);
		}
	}
	if (WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	else
		r->status = 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	buf_add(&r->out, "", 0);
	buf_add(&r->err, "", 0);
	close(p->out);
	close(p->err);
	free(p);
	return 0;
}

int
proc_run(const char *const argv[], const struct proc_opts *opts,
    struct proc_result *r, char **cause)
{
	struct proc	*p;

	if ((p = proc_start(argv, opts, cause)) == NULL) {
		memset(r, 0, sizeof *r);
		return -1;
	}
	return proc_finish(p, r, cause);
}

void
proc_result_free(struct proc_result *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}
