/* bareloop.c: the benchmark's "physical limit" of a PTY proxy. Runs a
 * command under forkpty and copies master -> stdout and stdin -> master
 * with one poll and plain reads and writes, recording nothing. Puts its
 * own terminal in raw mode like every recorder does, restores it at the
 * end, and exits with the command's status.
 *
 * usage: bareloop CMD [ARG...] */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define BUF_SIZE	(64 * 1024)

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static char	 buf[BUF_SIZE];
	struct termios	 saved, raw, *tp = NULL;
	struct winsize	 ws, *wp = NULL;
	struct pollfd	 pfd[2];
	int		 m, st, tty, in_open = 1;
	pid_t		 pid;
	ssize_t		 n;

	if (argc < 2) {
		fprintf(stderr, "usage: bareloop CMD [ARG...]\n");
		return 2;
	}
	tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (tty)
		tp = &saved;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		wp = &ws;
	if ((pid = forkpty(&m, NULL, tp, wp)) < 0) {
		perror("bareloop: forkpty");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "bareloop: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	(void)signal(SIGPIPE, SIG_IGN);
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &raw);
	}
	for (;;) {
		pfd[0].fd = m;
		pfd[0].events = POLLIN;
		pfd[1].fd = in_open ? STDIN_FILENO : -1;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(m, buf, sizeof buf);
			if (n <= 0 && !(n < 0 && errno == EINTR))
				break;	/* EIO: the command's side closed */
			if (n > 0)
				(void)write_all(STDOUT_FILENO, buf, (size_t)n);
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(STDIN_FILENO, buf, sizeof buf);
			if (n <= 0)
				in_open = 0;
			else
				(void)write_all(m, buf, (size_t)n);
		}
	}
	if (tty)
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
