/* rusage.c: LD_PRELOAD library for the benchmark. When a process that
 * loaded it ends through exit() (or a return from main), it appends one
 * line to $BENCH_RUSAGE_LOG with its own getrusage(RUSAGE_SELF):
 *
 *   pid=N ppid=N exe=PATH maxrss_kb=N user_s=X sys_s=X
 *
 * so the harness can tell a recorder's own peak RSS and CPU from those of
 * the workload and helper programs in the same process tree (wait4 only
 * gives the largest peak over the tree, and a program exec'd from a fork
 * inherits its parent's peak as its own). Processes that end by _exit()
 * or a signal write nothing. */
#define _GNU_SOURCE
#include <sys/resource.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((destructor)) static void
rusage_report(void)
{
	struct rusage	 ru;
	const char	*log = getenv("BENCH_RUSAGE_LOG");
	char		 exe[512], line[800];
	ssize_t		 n;
	int		 fd, len;

	if (log == NULL || getrusage(RUSAGE_SELF, &ru) != 0)
		return;
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) < 0)
		n = 0;
	exe[n] = '\0';
	len = snprintf(line, sizeof line, "pid=%ld ppid=%ld exe=%s "
	    "maxrss_kb=%ld user_s=%.6f sys_s=%.6f\n", (long)getpid(),
	    (long)getppid(), exe, ru.ru_maxrss,
	    (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	if (len <= 0 || (size_t)len >= sizeof line)
		return;
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644))
	    < 0)
		return;
	if (write(fd, line, (size_t)len) < 0) {
		/* nothing to do: a lost line shows as a missing figure */
	}
	close(fd);
}
