/* ptydrive.c: the benchmark's terminal. Creates a PTY pair, runs a command
 * (a recorder under test) with the slave as its controlling terminal and
 * stdin/stdout/stderr, and plays the part of the terminal emulator:
 *
 *   throughput (default): read the master as fast as possible, discard the
 *     bytes (as if to /dev/null), count them; when every slave fd is closed
 *     (EIO) and the child has ended, print one line of key=value:
 *       wall_s     fork to the child reaped, output all drained
 *       user_s sys_s   CPU of the whole process tree under test (wait4)
 *       maxrss_kb  ru_maxrss from wait4: the largest peak RSS of any single
 *                  process in the tree (the recorder, its shell, or the
 *                  workload), not their sum
 *       bytes      bytes drained from the master
 *       status     the child's exit status (128+N for signal N)
 *       start_us   CLOCK_MONOTONIC just before fork, in microseconds
 *       pid        the child's process id (the recorder under test)
 *
 *   latency (-l N): wait for the text BENCH-READY from the command (an echo
 *     program in raw mode under the recorder), then N times: write one byte
 *     to the master, wait until it comes back; after a warm-up. Prints
 *     lat_med_us, lat_p99_us, lat_mean_us, lat_min_us (and with -o FILE
 *     appends every sample to FILE, one a line, to pool runs), then sends
 *     ^D (the echo program's cue to exit) and drains as above.
 *
 * usage: ptydrive [-l N [-o FILE]] [-s COLSxROWS] [-T SECONDS] -- CMD... */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define READ_SIZE	(256 * 1024)
#define WARMUP		200

static char	 rbuf[READ_SIZE];
static volatile pid_t child;
static const char *samples_file;

static void
on_alarm(int sig)
{
	(void)sig;
	if (child > 0)
		kill(-child, SIGKILL);
}

static int64_t
mono_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
die(const char *what)
{
	fprintf(stderr, "ptydrive: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void
usage(void)
{
	fprintf(stderr, "usage: ptydrive [-l N [-o FILE]] [-s COLSxROWS] "
	    "[-T SECONDS] -- CMD [ARG...]\n");
	exit(2);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Read what is there (waiting at most ms); -1 at EIO/EOF, else bytes. */
static ssize_t
drain_some(int m, int ms, uint64_t *total)
{
	struct pollfd	 pfd = { .fd = m, .events = POLLIN };
	ssize_t		 n;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	n = read(m, rbuf, sizeof rbuf);
	if (n > 0) {
		*total += (uint64_t)n;
		return n;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	return -1;
}

/* Wait until the output contains mark; 0 found, -1 not. */
static int
wait_mark(int m, const char *mark, int64_t deadline, uint64_t *total)
{
	char	 seen[512];
	size_t	 len = 0, ml = strlen(mark);
	ssize_t	 n;

	while (mono_us() < deadline) {
		if ((n = drain_some(m, 100, total)) < 0)
			return -1;
		if (n == 0)
			continue;
		/* keep the last bytes to match a mark split across reads */
		if ((size_t)n >= sizeof seen - 1) {
			memcpy(seen, rbuf + n - (sizeof seen - 1),
			    sizeof seen - 1);
			len = sizeof seen - 1;
		} else {
			if (len + (size_t)n > sizeof seen - 1) {
				size_t drop = len + (size_t)n -
				    (sizeof seen - 1);
				memmove(seen, seen + drop, len - drop);
				len -= drop;
			}
			memcpy(seen + len, rbuf, (size_t)n);
			len += (size_t)n;
		}
		seen[len] = '\0';
		if (memmem(seen, len, mark, ml) != NULL)
			return 0;
	}
	return -1;
}

static int
latency(int m, int nkeys, int64_t deadline, uint64_t *total)
{
	int64_t		*lat, t, sum = 0;
	int		 i, k, got;
	char		 c;
	ssize_t		 n;

	if (wait_mark(m, "BENCH-READY", deadline, total) != 0) {
		fprintf(stderr, "ptydrive: no BENCH-READY from the command\n");
		return -1;
	}
	/* let the recorder finish setting up its own terminal */
	usleep(200000);
	while (drain_some(m, 0, total) > 0)
		;
	lat = calloc((size_t)nkeys, sizeof *lat);
	if (lat == NULL)
		die("calloc");
	for (i = -WARMUP; i < nkeys; i++) {
		c = (char)('a' + ((i + WARMUP) % 26));
		t = mono_us();
		if (write(m, &c, 1) != 1)
			die("write");
		for (got = 0; !got;) {
			if (mono_us() > deadline) {
				fprintf(stderr, "ptydrive: key %d lost\n", i);
				free(lat);
				return -1;
			}
			if ((n = drain_some(m, 1000, total)) < 0) {
				free(lat);
				return -1;
			}
			for (k = 0; k < n; k++)
				if (rbuf[k] == c)
					got = 1;
		}
		if (i >= 0)
			lat[i] = mono_us() - t;
	}
	for (i = 0; i < nkeys; i++)
		sum += lat[i];
	if (samples_file != NULL) {
		FILE *f = fopen(samples_file, "a");

		if (f == NULL)
			die(samples_file);
		for (i = 0; i < nkeys; i++)
			fprintf(f, "%lld\n", (long long)lat[i]);
		fclose(f);
	}
	qsort(lat, (size_t)nkeys, sizeof *lat, cmp_i64);
	printf("lat_med_us=%lld lat_p99_us=%lld lat_mean_us=%lld "
	    "lat_min_us=%lld ", (long long)lat[nkeys / 2],
	    (long long)lat[(nkeys * 99) / 100], (long long)(sum / nkeys),
	    (long long)lat[0]);
	free(lat);
	c = 4;	/* ^D: the echo program's cue to exit */
	if (write(m, &c, 1) != 1)
		die("write");
	return 0;
}

int
main(int argc, char **argv)
{
	struct winsize	 ws = { .ws_col = 80, .ws_row = 24 };
	struct rusage	 ru;
	int64_t		 t0, t1, deadline, tlimit = 600;
	uint64_t	 total = 0;
	int		 o, m, s, st, nkeys = 0, status, killed = 0;
	pid_t		 pid, r;
	char		*name;

	while ((o = getopt(argc, argv, "l:o:s:T:")) != -1) {
		switch (o) {
		case 'l':
			nkeys = atoi(optarg);
			if (nkeys < 1)
				usage();
			break;
		case 'o':
			samples_file = optarg;
			break;
		case 's':
			if (sscanf(optarg, "%hux%hu", &ws.ws_col, &ws.ws_row)
			    != 2)
				usage();
			break;
		case 'T':
			tlimit = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	argv += optind;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) < 0)
		die("posix_openpt");
	if (grantpt(m) != 0 || unlockpt(m) != 0 || (name = ptsname(m)) == NULL)
		die("grantpt");
	/* The parent opens the slave and hands it to the child, so the slave
	 * is open from the fork on and EIO on the master means the end. */
	if ((s = open(name, O_RDWR | O_NOCTTY)) < 0)
		die(name);
	if (ioctl(s, TIOCSWINSZ, &ws) != 0)
		die("TIOCSWINSZ");
	(void)fcntl(m, F_SETFD, FD_CLOEXEC);
	(void)signal(SIGPIPE, SIG_IGN);

	t0 = mono_us();
	deadline = t0 + tlimit * 1000000;
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		(void)signal(SIGPIPE, SIG_DFL);
		if (setsid() < 0 || ioctl(s, TIOCSCTTY, 0) != 0)
			die("setsid/TIOCSCTTY");
		if (dup2(s, 0) < 0 || dup2(s, 1) < 0 || dup2(s, 2) < 0)
			die("dup2");
		if (s > 2)
			close(s);
		execvp(argv[0], argv);
		fprintf(stderr, "ptydrive: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(s);
	child = pid;
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alarm;	/* no SA_RESTART */
		sigaction(SIGALRM, &sa, NULL);
		alarm((unsigned)tlimit);
	}

	if (nkeys > 0 && latency(m, nkeys, deadline, &total) != 0) {
		kill(-pid, SIGKILL);
		killed = 1;
	}
	/* Drain until every slave fd is closed: plain blocking reads, the
	 * fastest a terminal can take output; SIGALRM ends a run that hangs. */
	for (;;) {
		ssize_t n = read(m, rbuf, sizeof rbuf);

		if (n > 0)
			total += (uint64_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			break;
	}
	do
		r = wait4(pid, &st, 0, &ru);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		die("wait4");
	t1 = mono_us();
	alarm(0);
	if (mono_us() > deadline) {
		fprintf(stderr, "ptydrive: time limit reached, killed\n");
		killed = 1;
	}
	close(m);
	status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	printf("wall_s=%.6f user_s=%.6f sys_s=%.6f maxrss_kb=%ld bytes=%llu "
	    "status=%d start_us=%lld pid=%ld\n", (double)(t1 - t0) / 1e6,
	    (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
	    ru.ru_maxrss, (unsigned long long)total, status, (long long)t0,
	    (long)pid);
	return killed ? 124 : 0;
}
