/* rusage.c: LD_PRELOAD library for the benchmark. When a process that
 * loaded it ends through exit() (or a return from main), it appends one
 * line to $BENCH_RUSAGE_LOG with its own getrusage(RUSAGE_SELF):
 *
 *   pid=N ppid=N exe=PATH maxrss_kb=N user_s=X sys_s=X nvcsw=N nivcsw=N
 *   syscr=N syscw=N rchar=N wchar=N
 *
 * (context switches, and the read/write syscall counts and bytes of the
 * live threads' /proc/self/task/TID/io, which show how well a recorder
 * coalesces small writes; threads that ended earlier are not counted)
 * so the harness can tell a recorder's own peak RSS and CPU from those of
 * the workload and helper programs in the same process tree (wait4 only
 * gives the largest peak over the tree, and a program exec'd from a fork
 * inherits its parent's peak as its own). Processes that end by _exit()
 * or a signal write nothing. */
#define _GNU_SOURCE
#include <sys/resource.h>

#include <dirent.h>
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
	char		 exe[512], line[1024], io[1024], path[300];
	DIR		*d;
	struct dirent	*de;
	ssize_t		 n;
	int		 fd, len;
	unsigned long long syscr = 0, syscw = 0, rchar = 0, wchar = 0;
	const char	*p;

	if (log == NULL || getrusage(RUSAGE_SELF, &ru) != 0)
		return;
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) < 0)
		n = 0;
	exe[n] = '\0';
	/* Each live thread's own counters: /proc/self/io would also hold
	 * those of the children this process reaped. */
	if ((d = opendir("/proc/self/task")) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "/proc/self/task/%s/io",
			    de->d_name);
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
				continue;
			n = read(fd, io, sizeof io - 1);
			close(fd);
			io[n > 0 ? n : 0] = '\0';
			if ((p = strstr(io, "rchar: ")) != NULL)
				rchar += strtoull(p + 7, NULL, 10);
			if ((p = strstr(io, "wchar: ")) != NULL)
				wchar += strtoull(p + 7, NULL, 10);
			if ((p = strstr(io, "syscr: ")) != NULL)
				syscr += strtoull(p + 7, NULL, 10);
			if ((p = strstr(io, "syscw: ")) != NULL)
				syscw += strtoull(p + 7, NULL, 10);
		}
		closedir(d);
	}
	len = snprintf(line, sizeof line, "pid=%ld ppid=%ld exe=%s "
	    "maxrss_kb=%ld user_s=%.6f sys_s=%.6f nvcsw=%ld nivcsw=%ld "
	    "syscr=%llu syscw=%llu rchar=%llu wchar=%llu\n", (long)getpid(),
	    (long)getppid(), exe, ru.ru_maxrss,
	    (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
	    ru.ru_nvcsw, ru.ru_nivcsw, syscr, syscw, rchar, wchar);
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
