/* mpshim.c: a `multipass` first on PATH for the warm-start benchmark. It
 * runs the real emulator ($BENCH_MP_REAL) and appends one line per call to
 * $BENCH_MP_LOG with CLOCK_MONOTONIC microseconds:
 *
 *   call VERB START END    a call agentrun waited for (info, version, ...)
 *   exec VERB START        exec/shell: the hand-over to the agent; the shim
 *                          execs the emulator in place, so START is the
 *                          moment agentrun's own start-up work has ended
 *
 * agentrun's own time = exec START - agentrun's start - the sum of
 * (END - START) of the calls before it. */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t
mono_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
logline(const char *line)
{
	const char	*log = getenv("BENCH_MP_LOG");
	int		 fd;

	if (log == NULL)
		return;
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644))
	    < 0)
		return;
	if (write(fd, line, strlen(line)) < 0) {
		/* a lost line shows as a missing call in the report */
	}
	close(fd);
}

int
main(int argc, char **argv)
{
	const char	*real = getenv("BENCH_MP_REAL");
	const char	*verb = argc > 1 ? argv[1] : "-";
	char		 line[256];
	int64_t		 t0 = mono_us();
	pid_t		 pid;
	int		 st;

	if (real == NULL) {
		fprintf(stderr, "mpshim: set BENCH_MP_REAL\n");
		return 2;
	}
	if (strcmp(verb, "exec") == 0 || strcmp(verb, "shell") == 0) {
		snprintf(line, sizeof line, "exec %s %lld\n", verb,
		    (long long)t0);
		logline(line);
		execv(real, argv);
		fprintf(stderr, "mpshim: %s: %s\n", real, strerror(errno));
		return 127;
	}
	if ((pid = fork()) < 0)
		return 125;
	if (pid == 0) {
		execv(real, argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	snprintf(line, sizeof line, "call %s %lld %lld\n", verb,
	    (long long)t0, (long long)mono_us());
	logline(line);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
