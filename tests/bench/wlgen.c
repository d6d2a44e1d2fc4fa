/* wlgen.c: the benchmark's workloads and small helpers, all deterministic
 * (a fixed-seed xorshift), so every run prints the same bytes.
 *
 *   wlgen b64 BYTES      about BYTES of base64 text in 80-column lines
 *                        (random data), in 64 KiB writes: workload (a)
 *   wlgen agent BYTES    about BYTES of agent-like output in small write()s
 *                        of one element each (spinner frames, streamed
 *                        words, SGR colours, cursor moves, a status line,
 *                        box drawing, diffs, emoji, CJK; valid UTF-8,
 *                        ~50 bytes a write): workload (b)
 *   wlgen echo           raw mode on the terminal, print BENCH-READY, then
 *                        echo every byte back until ^D (latency runs)
 *   wlgen run FILE CMD [ARG...]
 *                        run CMD, wait, append its rusage to FILE as
 *                        "wl_user_s=.. wl_sys_s=.. wl_maxrss_kb=.." and
 *                        exit with its status (the workload's own cost) */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static uint64_t	 rng = 0x9e3779b97f4a7c15ULL;
static uint64_t	 writes;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static void
out(const char *p, size_t n)
{
	ssize_t	 w;

	writes++;
	while (n > 0) {
		w = write(STDOUT_FILENO, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			exit(1);
		}
		p += w;
		n -= (size_t)w;
	}
}

static int
b64(uint64_t total)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	static char		 buf[81 * 800];
	uint64_t		 done = 0, v = 0;
	size_t			 len = 0;
	int			 i, k;

	while (done < total) {
		for (i = 0; i < 80; i += 4) {
			if ((i & 7) == 0)
				v = rnd();
			for (k = 0; k < 4; k++) {
				buf[len++] = tab[v & 63];
				v >>= 6;
			}
		}
		buf[len++] = '\n';
		done += 81;
		if (len == sizeof buf || done >= total) {
			out(buf, len);
			len = 0;
		}
	}
	return 0;
}

static const char *const words[] = {
	"the", "function", "returns", "a", "value", "when", "config",
	"is", "missing", "I'll", "update", "tests", "for", "parser", "and",
	"then", "run", "make", "check", "again", "to", "confirm", "fix",
	"error", "handling", "in", "src/session.c", "buffer", "length",
	"should", "be", "size_t", "not", "int", "because", "overflow",
	"let", "me", "read", "file", "first", "Now", "edit", "The",
	"build", "passes", "but", "one", "test", "fails:", "expected",
	"got", "null", "pointer", "📦", "✅", "🔧", "🚀", "⚠️", "→",
	"日本語の", "テキスト", "中文字符", "한국어", "café", "naïve",
	"Überprüfung", "ñandú", "—", "…", "`git", "diff`", "λ", "∑",
};
#define NWORDS	(sizeof words / sizeof words[0])

static const char *const spin[] = {
	"✻", "✽", "✶", "✳", "✢", "·", "⠋", "⠙", "⠹", "⠸", "⠼", "⠴",
};
static const char *const verbs[] = {
	"Thinking", "Reading", "Compiling", "Pondering", "Searching",
	"Editing", "Running", "Testing", "Writing",
};
static const char *const tools[] = {
	"Bash(make check)", "Read(src/pty.c)", "Edit(src/recorder.c)",
	"Grep(\"zio_write\")", "Write(tests/bench/run.sh)",
	"Bash(git diff --stat)", "Glob(**/*.c)", "TodoWrite",
};
static const char *const code[] = {
	"static int", "return -1;", "if (n < 0)", "buf_add(&b, p, n);",
	"for (i = 0; i < len; i++) {", "}", "char *s = xstrdup(name);",
	"errno = EINVAL;", "/* keep the tail */", "size_t used = 0;",
	"zio_write(z, data, len);", "#include <stdio.h>",
};

/* One element: a buffer of a few dozen bytes that goes out in one write. */
static size_t
element(char *b, size_t cap, uint64_t *secs, int *in_box)
{
	unsigned	 r = pick(100), i, n;
	size_t		 len = 0;

#define ADD(...) (len += (size_t)snprintf(b + len, cap - len, __VA_ARGS__))
	if (*in_box > 0) {
		/* the inside of a tool box: one line of output */
		if (--*in_box == 0) {
			ADD("\033[2m╰");
			for (i = 0; i < 60; i++)
				ADD("─");
			ADD("╯\033[0m\n");
		} else if (pick(3) == 0) {
			ADD("\033[2m│\033[0m \033[%dm%c %s\033[0m\n",
			    pick(2) ? 32 : 31, pick(2) ? '+' : '-',
			    code[pick(sizeof code / sizeof code[0])]);
		} else {
			ADD("\033[2m│\033[0m ");
			n = 2 + pick(6);
			for (i = 0; i < n; i++)
				ADD("%s ", words[pick(NWORDS)]);
			ADD("\n");
		}
		return len;
	}
	if (r < 45) {
		/* a streamed word or two of the answer */
		n = 1 + pick(3);
		for (i = 0; i < n; i++)
			ADD("%s%s", words[pick(NWORDS)], pick(12) ? " " : "");
		if (pick(14) == 0)
			ADD(pick(3) ? "\n" : ".\n\n");
		if (pick(9) == 0)
			ADD("\033[1m%s\033[22m ", words[pick(NWORDS)]);
	} else if (r < 75) {
		/* a spinner frame: erase the line and redraw it */
		(*secs)++;
		ADD("\r\033[2K\033[38;5;%um%s\033[39m %s… \033[2m(%llus · ↑ "
		    "%u.%uk tokens)\033[22m", 166 + pick(12),
		    spin[pick(sizeof spin / sizeof spin[0])],
		    verbs[pick(sizeof verbs / sizeof verbs[0])],
		    (unsigned long long)(*secs / 10), pick(40), pick(10));
	} else if (r < 85) {
		/* the status line: save, move, draw reversed, restore */
		ADD("\0337\033[24;1H\033[7m %s │ %u%% │ 🔧 %u \033[27m\033[K"
		    "\0338", verbs[pick(sizeof verbs / sizeof verbs[0])],
		    pick(100), pick(500));
	} else if (r < 92) {
		/* redraw of the prompt box: up, erase down, draw */
		ADD("\033[%uA\033[J\033[38;5;244m╭", 1 + pick(4));
		for (i = 0; i < 20; i++)
			ADD("─");
		ADD("╮\033[0m\n│ > \033[7m \033[27m");
	} else if (r < 97) {
		/* a coloured word with a 24-bit colour */
		ADD("\033[38;2;%u;%u;%um%s\033[0m ", pick(256), pick(256),
		    pick(256), words[pick(NWORDS)]);
	} else {
		/* a tool call opens a box of a few lines */
		ADD("\n\033[1;36m⏺ %s\033[0m\n\033[2m╭",
		    tools[pick(sizeof tools / sizeof tools[0])]);
		for (i = 0; i < 60; i++)
			ADD("─");
		ADD("╮\033[0m\n");
		*in_box = 2 + (int)pick(8);
	}
#undef ADD
	return len;
}

static int
agent(uint64_t total)
{
	char		 b[1024];
	uint64_t	 done = 0, secs = 0;
	int		 in_box = 0;
	size_t		 n;

	while (done < total) {
		n = element(b, sizeof b, &secs, &in_box);
		out(b, n);
		done += n;
	}
	if (getenv("WLGEN_STATS") != NULL)
		fprintf(stderr, "wlgen: %llu bytes in %llu writes\n",
		    (unsigned long long)done, (unsigned long long)writes);
	return 0;
}

static int
echo(void)
{
	struct termios	 t, saved;
	char		 b[256];
	ssize_t		 n, i;
	int		 tty;

	tty = tcgetattr(STDIN_FILENO, &saved) == 0;
	if (tty) {
		t = saved;
		cfmakeraw(&t);
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	out("BENCH-READY\r\n", 13);
	for (;;) {
		n = read(STDIN_FILENO, b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n && b[i] != 4; i++)
			;
		if (i > 0)
			out(b, (size_t)i);
		if (i < n)
			break;
	}
	if (tty)
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return 0;
}

static int
run(const char *file, char **argv)
{
	struct rusage	 ru;
	pid_t		 pid;
	int		 st, fd;
	char		 line[160];

	if ((pid = fork()) < 0)
		return 125;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return 125;
	snprintf(line, sizeof line, "wl_user_s=%.6f wl_sys_s=%.6f "
	    "wl_maxrss_kb=%ld\n",
	    (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
	    ru.ru_maxrss);
	if ((fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0) {
		if (write(fd, line, strlen(line)) < 0)
			st = 1;
		close(fd);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "b64") == 0)
		return b64(strtoull(argv[2], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "agent") == 0)
		return agent(strtoull(argv[2], NULL, 10));
	if (argc == 2 && strcmp(argv[1], "echo") == 0)
		return echo();
	if (argc >= 4 && strcmp(argv[1], "run") == 0)
		return run(argv[2], argv + 3);
	fprintf(stderr, "usage: wlgen b64|agent BYTES | echo | "
	    "run FILE CMD [ARG...]\n");
	return 2;
}
