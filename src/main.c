/* main.c: global options, the command table with every command's usage
 * text, exit codes, and the project root every command agrees on. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "session.h"
#include "util.h"

#define RUN_OPTIONS \
"      --read-only       mount the project read-only inside the VM (guards\n" \
"                        against accidents; root in the VM can undo it;\n" \
"                        not with --backend local)\n" \
"      --no-record       do not record this session\n" \
"      --record-input    also record keys typed (off by default: passwords)\n" \
"      --title TEXT      a title for the recording\n" \
"  -h, --help            show this help\n"

static const struct cmd_entry cmds[] = {
	{ "claude", cmd_agent, "run Claude Code in the project's VM",
"usage: agentrun claude [RUN OPTIONS] [--] [ARGS...]\n"
"\n"
"Run Claude Code in the project's VM, recorded. The VM is created on first\n"
"use and sees only the project folder. ARGS go to claude unchanged; RUN\n"
"OPTIONS are read only before the first other word (use -- to pass one of\n"
"them, or --help, to claude).\n"
"\n"
"Run options:\n" RUN_OPTIONS, 0 },
	{ "shell", cmd_shell, "a login shell in the VM, in the project folder",
"usage: agentrun shell [RUN OPTIONS]\n"
"\n"
"Open an interactive login shell in the project's VM, in the project\n"
"folder, recorded.\n"
"\n"
"Run options:\n" RUN_OPTIONS, 0 },
	{ "run", cmd_run, "run any command in the VM, recorded",
"usage: agentrun run [RUN OPTIONS] [--] CMD [ARGS...]\n"
"\n"
"Run CMD in the project's VM in a pseudo-terminal, recorded. With\n"
"--backend local, CMD runs on this machine with no isolation at all.\n"
"The exit status is CMD's (128+N if a signal N killed it, 127 if it was\n"
"not found, 126 if it could not be executed).\n"
"\n"
"Run options:\n" RUN_OPTIONS, 0 },
	{ "ls", cmd_ls, "list recorded sessions, newest first",
"usage: agentrun ls [--all] [--json] [-n N]\n"
"\n"
"List this project's recorded sessions, newest first.\n"
"\n"
"  -a, --all     sessions of every project\n"
"      --json    one JSON array of the sidecars, for scripts\n"
"  -n N          at most N sessions\n"
"  -h, --help    show this help\n", 0 },
	{ "show", cmd_show, "one session's metadata and provenance",
"usage: agentrun show [--json] ID\n"
"\n"
"Show one session's metadata: command, project, VM, mounts, git state\n"
"before and after, times, exit status. ID is a full id, a unique prefix,\n"
"'latest', or a path to a .cast, .cast.zst or v1 .json file.\n"
"\n"
"      --json    the sidecar as JSON\n"
"  -h, --help    show this help\n", 0 },
	{ "cat", cmd_cat, "the raw output of a session",
"usage: agentrun cat ID\n"
"\n"
"Write a session's output to stdout as the terminal received it. asciicast\n"
"holds UTF-8 text only, so bytes that were not valid UTF-8 come out as\n"
"U+FFFD. ID is a full id, a unique prefix, 'latest', or a file path.\n"
"\n"
"  -h, --help    show this help\n", 0 },
	{ "replay", cmd_replay, "play a session back in the terminal",
"usage: agentrun replay [--speed X] [--idle-limit S] [--at T] ID\n"
"\n"
"Play a session back in this terminal, rendered through a virtual terminal:\n"
"the recorded bytes never reach yours, so recorded queries get no answer\n"
"from it. A recording larger than the terminal is cropped, keeping the\n"
"cursor's row in view (the status line says so); a smaller one is drawn at\n"
"the top left. At the end the last screen stays until q. Times (--at, the\n"
"status line, grep's offsets) are offsets into the recording; --idle-limit\n"
"only shortens the pauses. Needs a terminal on stdout: use 'agentrun cat'\n"
"or 'agentrun text' otherwise.\n"
"\n"
"      --speed X        playback speed, 0.0625 to 64 (default 1)\n"
"      --idle-limit S   cap every pause at S (written as --at; default:\n"
"                       the file's; 0: no cap)\n"
"      --at T           start at T (90, 1.5, 1:30, 2m)\n"
"  -h, --help           show this help\n"
"\n"
"Keys: space pause/play, . one step (pauses), + - speed, left/right 5 s\n"
"back/forward, 0-9 jump to 0%-90%, [ ] previous/next marker, ? help,\n"
"q or Ctrl-C quit, Ctrl-L redraw, Ctrl-Z suspend.\n", 0 },
	{ "text", cmd_text, "the screen of a session as plain text",
"usage: agentrun text [--at T] ID\n"
"\n"
"Print the screen at the end of the session (or at offset T) as plain UTF-8\n"
"text, rendered through a virtual terminal: trailing spaces and empty rows\n"
"dropped, wide characters once, colours and escape sequences gone. Long\n"
"sessions keep screen snapshots, as replay does, so a later --at is quick.\n"
"\n"
"      --at T    the screen at T (90, 1.5, 1:30, 2m, or an offset from grep)\n"
"  -h, --help    show this help\n", 0 },
	{ "export", cmd_export, "write a session in another format",
"usage: agentrun export [--format FMT] [-o FILE] ID\n"
"\n"
"Write a session as asciicast v3 (cast, the default), asciicast v2 (cast-v2,\n"
"what asciinema 2.x reads), the raw output bytes (raw, as 'agentrun cat') or\n"
"the final screen (text, as 'agentrun text'). Header fields are kept.\n"
"\n"
"  -f, --format FMT   cast, cast-v2, raw or text\n"
"  -o, --output FILE  write to FILE (replaced when complete) instead of stdout\n"
"                     ('-': stdout)\n"
"  -h, --help         show this help\n", 0 },
	{ "import", cmd_import, "add an asciicast file to the store",
"usage: agentrun import FILE\n"
"\n"
"Copy an asciicast v1, v2 or v3 file (plain or zstd) into the store as a\n"
"session of this project, with its header fields and a sidecar, and print\n"
"its new id. A damaged file is imported up to the damage, with a warning.\n"
"FILE '-' is standard input.\n"
"\n"
"  -h, --help    show this help\n", 0 },
	{ "grep", cmd_grep, "search the output of sessions",
"usage: agentrun grep [-i] [--all] PATTERN\n"
"\n"
"Search the output of this project's sessions for the fixed string PATTERN\n"
"(not a regular expression), as text without escape sequences: lines end at\n"
"newlines, carriage returns and cursor moves; text split across output\n"
"chunks or colour changes is found. Each hit prints the session id, the\n"
"offset in seconds at which the text was complete, and the line (a line\n"
"redrawn in place, once; one printed again, each time): 'agentrun replay\n"
"ID --at OFFSET' opens that moment. Exit status 0 if something matched, 1\n"
"if not.\n"
"\n"
"  -i, --ignore-case   ignore case (ASCII)\n"
"  -a, --all           search every project's sessions\n"
"  -h, --help          show this help\n", 0 },
	{ "rm", cmd_rm, "delete sessions",
"usage: agentrun rm ID...\n"
"\n"
"Delete sessions of the store (transcript, sidecar and replay snapshots).\n"
"Every ID must name exactly one session (a full id, a unique prefix,\n"
"'latest' or the path of a transcript in the store), else nothing is\n"
"deleted. A session still recording is never deleted.\n"
"\n"
"  -h, --help    show this help\n", 0 },
	{ "gc", cmd_gc, "delete old sessions",
"usage: agentrun gc [--keep N] [--older-than DAYS] [--dry-run]\n"
"\n"
"Delete sessions of every project that are no longer recording: all but the\n"
"newest N (--keep), those that started (an import: were imported) more\n"
"than DAYS days ago (--older-than), or, with both, those that are beyond\n"
"the newest N and older than DAYS. Prints each id it removes. It also\n"
"removes what a crash left in the store and the replay snapshots of\n"
"sessions deleted by hand.\n"
"\n"
"      --keep N            keep the newest N sessions\n"
"      --older-than DAYS   delete sessions older than DAYS days\n"
"  -n, --dry-run           only print what would be deleted\n"
"  -h, --help              show this help\n", 0 },
	{ "vm", cmd_vm, "look after the VM",
"usage: agentrun vm status|start|stop|delete|mounts|provision [OPTIONS]\n"
"\n"
"  status      the VM's state and mounts\n"
"  start       start the VM (create it if needed)\n"
"  stop        stop the VM (a suspended or starting one only with --force,\n"
"              which powers it off)\n"
"  delete      delete the VM and purge it (asks first)\n"
"  mounts      the VM's mounts\n"
"  provision [AGENT]\n"
"              (re)install an agent in the VM (claude by default)\n"
"\n"
"  -y, --yes     delete without asking (needed when stdin is no terminal)\n"
"      --force   stop or delete while a session uses the VM; stop powers\n"
"                off a VM that cannot shut down (suspended, starting)\n"
"  -h, --help    show this help\n", 0 },
	{ "doctor", cmd_doctor, "check the set-up and say how to fix it",
"usage: agentrun doctor\n"
"\n"
"Check multipass, its daemon, the VM, its mounts, the session store and\n"
"the config; print one line per check, and how to fix what is wrong.\n"
"With the local backend, the VM and multipass are not checked.\n"
"Exits 1 if something is wrong.\n"
"\n"
"  -h, --help    show this help\n", 0 },
	{ "init", cmd_init, "print shell integration for eval",
"usage: agentrun init bash|zsh [--aliases] [--wrap AGENT]...\n"
"\n"
"Print shell integration for eval \"$(agentrun init zsh)\": completion and,\n"
"optionally, short aliases and functions (claude) that run agentrun AGENT.\n"
"\n"
"      --aliases       also define short aliases\n"
"      --wrap AGENT    define a function AGENT that runs agentrun AGENT\n"
"  -h, --help          show this help\n", 0 },
	{ "completion", cmd_completion, "print the completion script",
"usage: agentrun completion bash|zsh\n"
"\n"
"Print the completion script alone.\n"
"\n"
"  -h, --help    show this help\n", 0 },
	{ "version", cmd_version, "print the version",
"usage: agentrun version\n", 0 },
	{ "help", cmd_help, "help on a command",
"usage: agentrun help [COMMAND]\n", 0 },
	{ "__complete", cmd_complete, "values for shell completion",
"usage: agentrun __complete sessions|vms|agents|commands\n", 1 },
	{ "__index", cmd_index, "build the snapshot cache of a session",
"usage: agentrun __index ID\n", 1 },
};

static const char main_usage[] =
"usage: agentrun [-C DIR] [--vm NAME] [--backend multipass|local] [-q|-v]\n"
"                COMMAND [ARGS]\n"
"\n"
"Run an AI coding agent in a Multipass VM that sees only the project, and\n"
"record every session.\n"
"\n"
"Options:\n"
"  -C DIR              act as if started in DIR (the project is found there)\n"
"      --vm NAME       the VM to use (default: config vm.name, 'agentrun')\n"
"      --backend B     multipass (default) or local (no isolation)\n"
"  -q, --quiet         only errors on stderr\n"
"  -v, --verbose       more detail (multipass calls)\n"
"  -h, --help          show this help\n"
"      --version       print the version\n"
"\n"
"Commands:\n";

const struct cmd_entry *
cmd_table(size_t *n)
{
	*n = sizeof cmds / sizeof cmds[0];
	return cmds;
}

const struct cmd_entry *
cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	}
	return NULL;
}

int
usage_error(const char *cmd, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "agentrun: %s\n", msg);
	if (cmd != NULL && strcmp(cmd, "agentrun") != 0)
		fprintf(stderr, "Try 'agentrun %s --help'.\n", cmd);
	else
		fprintf(stderr, "Try 'agentrun --help'.\n");
	free(msg);
	return EXIT_USAGE;
}

/* What was typed and the known names nearest to it, for a "did you
 * mean": one typo away (a letter wrong, missing, extra, or two swapped),
 * two for a word of more than three letters. */
#define SUGGEST_MAX	8
struct suggest {
	const char	*word;
	size_t		 len;
	size_t		 best;
	const char	*names[SUGGEST_MAX];
	size_t		 n;
};

static void
suggest_init(struct suggest *sg, const char *word, size_t len)
{
	memset(sg, 0, sizeof *sg);
	sg->word = word;
	sg->len = len;
	sg->best = len <= 3 ? 1 : 2;	/* the most allowed */
}

static void
suggest_try(struct suggest *sg, const char *name)
{
	size_t	 d = edit_distance(sg->word, sg->len, name, sg->best);

	if (d == 0 || d > sg->best)
		return;
	if (d < sg->best || sg->n == 0) {
		sg->best = d;
		sg->n = 0;
	}
	if (sg->n < SUGGEST_MAX)
		sg->names[sg->n++] = name;
}

/* "; did you mean 'ls'?" (with quote '\'') or "; did you mean --json?"
 * (with pre "--"), or "" when nothing is near. */
static char *
suggest_text(const struct suggest *sg, const char *quote, const char *pre)
{
	char	*s, *t;
	size_t	 i;

	if (sg->n == 0)
		return xstrdup("");
	s = xstrdup("; did you mean ");
	for (i = 0; i < sg->n; i++) {
		xasprintf(&t, "%s%s%s%s%s%s", s, i == 0 ? "" : i + 1 == sg->n ?
		    " or " : ", ", quote, pre, sg->names[i], quote);
		free(s);
		s = t;
	}
	xasprintf(&t, "%s?", s);
	free(s);
	return t;
}

/* For a word that is no command: the commands and the config's agents
 * it is a typo of. */
static char *
suggest_command(const char *word)
{
	struct suggest	 sg;
	struct config	 cfg;
	char		*cause = NULL, *s;
	size_t		 i;

	suggest_init(&sg, word, strlen(word));
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (!cmds[i].hidden)
			suggest_try(&sg, cmds[i].name);
	}
	(void)config_load(&cfg, &cause);	/* else the defaults */
	for (i = 0; i < cfg.n_agents; i++) {
		if (cmd_find(cfg.agents[i].name) == NULL)
			suggest_try(&sg, cfg.agents[i].name);
	}
	s = suggest_text(&sg, "'", "");
	config_free(&cfg);
	free(cause);
	return s;
}

/* Is this unknown option one of the global ones, given after the
 * command? */
static int
usage_is_global(const char *a)
{
	static const char *const globals[] = {
		"-C", "--vm", "--backend", "-q", "--quiet", "-v", "--verbose",
		"--version"
	};
	size_t	 i, n = strcspn(a, "=");

	for (i = 0; i < sizeof globals / sizeof globals[0]; i++) {
		if (strncmp(a, globals[i], n) == 0 && globals[i][n] == '\0')
			return 1;
	}
	return strncmp(a, "-C", 2) == 0;
}

int
usage_option(const char *cmd, const char *opt)
{
	return usage_unknown(cmd, opt, NULL);
}

int
usage_unknown(const char *cmd, const char *opt, const struct option *lo)
{
	struct suggest	 sg;
	char		*near;
	size_t		 i;
	int		 rc;

	if (cmd != NULL && usage_is_global(opt))
		return usage_error(cmd, "unknown option: %s (global options "
		    "go before the command: agentrun %.*s ... %s)", opt,
		    (int)strcspn(opt, "="), opt, cmd);
	if (lo == NULL || strncmp(opt, "--", 2) != 0 || opt[2] == '\0')
		return usage_error(cmd, "unknown option: %s", opt);
	suggest_init(&sg, opt + 2, strcspn(opt + 2, "="));
	for (i = 0; lo[i].name != NULL; i++)
		suggest_try(&sg, lo[i].name);
	near = suggest_text(&sg, "", "--");
	rc = usage_error(cmd, "unknown option: %s%s", opt, near);
	free(near);
	return rc;
}

int
usage_extra(const char *cmd, const char *arg)
{
	if (arg[0] == '-' && arg[1] != '\0')
		return usage_option(cmd, arg);
	return usage_error(cmd, "unexpected argument: %s", arg);
}

/* The long options a cut-short --NAME could mean; glibc's getopt_long
 * with opterr 0 says neither "ambiguous" nor which ones. */
static int
usage_ambiguous(const char *cmd, const char *a, const struct option *lo)
{
	const char	*name = a + 2;
	size_t		 n = strcspn(name, "="), i, count = 0;
	char		*list = NULL, *t;

	for (i = 0; lo != NULL && lo[i].name != NULL; i++) {
		if (strncmp(lo[i].name, name, n) != 0)
			continue;
		if (lo[i].name[n] == '\0') {
			free(list);
			return 0;	/* exact: not what went wrong */
		}
		xasprintf(&t, "%s%s--%s", list != NULL ? list : "",
		    list != NULL ? ", " : "", lo[i].name);
		free(list);
		list = t;
		count++;
	}
	if (count < 2) {
		free(list);
		return 0;
	}
	usage_error(cmd, "ambiguous option: --%.*s (could be %s)", (int)n,
	    name, list);
	free(list);
	return 1;
}

/* The long option whose val is ch, or NULL. */
static const struct option *
usage_long(const struct option *lo, int ch)
{
	for (; lo != NULL && lo->name != NULL; lo++) {
		if (lo->flag == NULL && lo->val == ch)
			return lo;
	}
	return NULL;
}

static int
usage_getopt_cmd(const char *cmd, char **argv, int ch,
    const struct option *lo)
{
	const char	*a = argv[optind - 1];
	char		 s[3] = { '-', (char)optopt, '\0' };
	int		 islong = strncmp(a, "--", 2) == 0;

	/* A short option is named alone: in a group (-xy) argv[optind - 1]
	 * is the argument before it, or the whole group. A long one that
	 * takes no value but got one (--all=1) has its val in optopt. */
	if (ch == ':')
		return usage_error(cmd, "option %.*s needs a value",
		    islong ? (int)strcspn(a, "=") : 2, islong ? a : s);
	if (optopt != 0 && (!islong || strchr(a, '=') == NULL))
		return usage_option(cmd, s);
	if (optopt != 0 && (lo = usage_long(lo, optopt)) != NULL)
		return usage_error(cmd, "option --%s takes no value",
		    lo->name);
	if (islong && optopt == 0 && usage_ambiguous(cmd, a, lo))
		return EXIT_USAGE;
	return usage_unknown(cmd, a, lo);
}

int
usage_getopt(char **argv, int ch, const struct option *longopts)
{
	return usage_getopt_cmd(argv[0], argv, ch, longopts);
}

int
usage_help_only(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help",	no_argument,	NULL, 'h' },
		{ NULL,		0,		NULL, 0 }
	};
	int	 ch;

	optind = 0;	/* 0, not 1: glibc starts afresh (main's "+" is not kept) */
	if ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) == -1)
		return -1;
	if (ch == 'h')
		return usage_print(argv[0]);
	return usage_getopt(argv, ch, longopts);
}

static void
main_help(void)
{
	struct config	 cfg;
	char		*cause = NULL;
	size_t		 i;

	fputs(main_usage, stdout);
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (!cmds[i].hidden)
			printf("  %-12s%s\n", cmds[i].name, cmds[i].summary);
	}
	if (config_load(&cfg, &cause) != 0) {	/* the defaults then */
		log_warn("%s; the config's agents are not listed", cause);
	}
	for (i = 0; i < cfg.n_agents; i++) {
		if (cmd_find(cfg.agents[i].name) != NULL)
			continue;
		printf("  %-12s%s\n", cfg.agents[i].name,
		    cfg.agents[i].description != NULL ?
		    cfg.agents[i].description : "an agent from the config");
	}
	config_free(&cfg);
	free(cause);
	printf("\nSee 'agentrun COMMAND --help' for a command's options.\n");
}

int
usage_print(const char *cmd)
{
	const struct cmd_entry	*e = cmd_find(cmd);

	if (e == NULL) {
		printf("usage: agentrun %s [RUN OPTIONS] [--] [ARGS...]\n\n"
		    "Run the agent '%s' from the config in the project's VM, "
		    "recorded.\n\nRun options:\n%s", cmd, cmd, RUN_OPTIONS);
		return EXIT_OK;
	}
	fputs(e->usage, stdout);
	return EXIT_OK;
}

/* The operands of a command that takes no option but --help: 0 with the
 * first "--" taken out of argv (the operands are argv[1] on), or -1 after
 * its usage (*rc 0) or a usage error (*rc 2). As with getopt, --help
 * anywhere before "--" wins. */
static int
main_operands(int *argc, char **argv, int *rc)
{
	int	 i, end;

	for (end = 1; end < *argc && strcmp(argv[end], "--") != 0; end++) {
		if (strcmp(argv[end], "--help") == 0 ||
		    strcmp(argv[end], "-h") == 0) {
			*rc = usage_print(argv[0]);
			return -1;
		}
	}
	for (i = 1; i < end; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			*rc = usage_option(argv[0], argv[i]);
			return -1;
		}
	}
	if (end < *argc) {
		for (i = end; i + 1 < *argc; i++)
			argv[i] = argv[i + 1];
		argv[--*argc] = NULL;
	}
	return 0;
}

int
cmd_version(struct globals *g, int argc, char **argv)
{
	int	 rc;

	(void)g;
	if (main_operands(&argc, argv, &rc) != 0)
		return rc;
	if (argc > 1)
		return usage_error(argv[0], "unexpected argument: %s",
		    argv[1]);
	printf("agentrun %s\n", AGENTRUN_VERSION);
	return EXIT_OK;
}

int
cmd_help(struct globals *g, int argc, char **argv)
{
	struct config	 cfg;
	char		*cause = NULL, *near;
	int		 rc, known;

	(void)g;
	if (main_operands(&argc, argv, &rc) != 0)
		return rc;	/* help ls --help: help's own */
	if (argc > 2)
		return usage_error(argv[0], "help takes one command");
	if (argc == 1) {
		main_help();
		return EXIT_OK;
	}
	if (cmd_find(argv[1]) != NULL)
		return usage_print(argv[1]);
	if (config_load(&cfg, &cause) == 0)
		known = config_agent(&cfg, argv[1]) != NULL;
	else {
		log_error("%s", cause);
		known = -1;
	}
	config_free(&cfg);
	free(cause);
	if (known < 0)
		return EXIT_USAGE;
	if (known)
		return usage_print(argv[1]);
	near = suggest_command(argv[1]);
	rc = usage_error("help", "no such command: '%s'%s", argv[1], near);
	free(near);
	return rc;
}

static int
is_dir(const char *p)
{
	struct stat	 st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *
project_root(const struct globals *g, char **cause)
{
	char	 cwd[PATH_MAX], home[PATH_MAX], *dir, *p, *git;
	size_t	 hlen;
	int	 have_home;

	if (g->dir != NULL) {
		if (realpath(g->dir, cwd) == NULL) {
			xasprintf(cause, "%s: %s", g->dir, strerror(errno));
			return NULL;
		}
		if (!is_dir(cwd)) {
			xasprintf(cause, "%s: not a directory", g->dir);
			return NULL;
		}
	} else if (getcwd(cwd, sizeof cwd) == NULL) {	/* already physical */
		xasprintf(cause, "current directory: %s", strerror(errno));
		return NULL;
	}
	have_home = getenv("HOME") != NULL && *getenv("HOME") == '/' &&
	    realpath(getenv("HOME"), home) != NULL;
	hlen = have_home ? strlen(home) : 0;
	dir = xstrdup(cwd);
	for (;;) {
		/* Never $HOME itself, nor above it. */
		if (have_home && strncmp(dir, home, hlen) == 0 &&
		    dir[hlen] == '\0')
			break;
		if (strcmp(dir, "/") == 0)
			break;
		git = path_join(dir, ".git");
		if (access(git, F_OK) == 0) {
			free(git);
			return dir;
		}
		free(git);
		if ((p = strrchr(dir, '/')) == NULL)
			break;
		if (p == dir)
			p[1] = '\0';
		else
			*p = '\0';
		if (have_home && hlen > strlen(dir) &&
		    strncmp(home, dir, strlen(dir)) == 0 &&
		    (home[strlen(dir)] == '/' || strcmp(dir, "/") == 0))
			break;	/* climbed above $HOME */
	}
	free(dir);
	return xstrdup(cwd);
}

int
cmd_project(const struct globals *g, char **project)
{
	char	*cause = NULL;

	/* No project (the folder it was started in is gone) is no error; a
	 * -C that names no folder is a mistake to say. */
	if ((*project = project_root(g, &cause)) == NULL && g->dir != NULL) {
		log_error("%s", cause);
		free(cause);
		return -1;
	}
	free(cause);
	return 0;
}

char *
cmd_project_listing(const struct globals *g, const char *all, char **cause)
{
	char	*project, *why = NULL;

	if ((project = project_root(g, &why)) != NULL)
		return project;
	if (g->dir == NULL) {	/* the folder it was started in is gone */
		xasprintf(cause, "%s; %s", why, all);
		free(why);
	} else
		*cause = why;
	return NULL;
}

int
cmd_session(const struct globals *g, const char *id, struct session *s)
{
	char	*project, *cause = NULL;
	int	 rc;

	if (cmd_project(g, &project) != 0)	/* none: latest of the store */
		return -1;
	rc = session_resolve(id, project, s, &cause);
	free(project);
	if (rc != 0) {
		log_error("%s", cause);
		free(cause);
	}
	return rc;
}

int
cmd_damage(const struct session *s, const char *damage)
{
	int	 cut;

	if (damage == NULL)
		return EXIT_OK;
	cut = strncmp(damage, "cut short", 9) == 0;	/* cast_reader_damage */
	/* The end of a session still being written, or of one that ended in
	 * a crash (its state says "interrupted"), is cut short by nature; a
	 * file from elsewhere may be (a recorder killed), as may one whose
	 * recorder could not write it all (record_error): a warning. One whose
	 * recorder said it finished cleanly was complete: that is damage. */
	if (cut && (s->state == SESSION_RUNNING ||
	    s->state == SESSION_INTERRUPTED))
		return EXIT_OK;
	if (cut && (s->state != SESSION_FINISHED || s->record_error != NULL)) {
		log_warn("%s: %s", s->id, damage);
		return EXIT_OK;
	}
	log_error("%s: %s", s->id, damage);
	return EXIT_ERROR;
}

/* Standard input, output or error closed by whoever started agentrun is
 * held by /dev/null, read-only: else the next file opened, a transcript,
 * would take its number and get the program's output. Writing there still
 * fails (EBADF), as into a closed one. */
static int
main_std_fds(void)
{
	int	 fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDONLY) != fd)
			return -1;
	}
	return 0;
}

/* Is name an agent of the config? No, when the config has an error. */
static int
main_is_agent(const char *name)
{
	struct config	 cfg;
	char		*cause = NULL;
	int		 known;

	known = config_load(&cfg, &cause) == 0 &&
	    config_agent(&cfg, name) != NULL;
	config_free(&cfg);
	free(cause);
	return known;
}

/* Global options; returns the index of the command or -1 after an
 * error/help (*rc set). */
static int
main_options(int argc, char **argv, struct globals *g, int *rc)
{
	static const struct option longopts[] = {
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "vm",		required_argument,	NULL, 'm' },
		{ "backend",	required_argument,	NULL, 'b' },
		{ NULL,		0,			NULL, 0 }
	};
	int		 ch, help = 0, version = 0;
	char		 dir[PATH_MAX];

	optind = 0;	/* 0, not 1: glibc starts afresh (main's "+" is not kept) */
	while ((ch = getopt_long(argc, argv, "+:hqvC:", longopts,
	    NULL)) != -1) {
		if ((ch == 'C' || ch == 'm' || ch == 'b') && *optarg == '\0') {
			*rc = usage_error(NULL, "option %s needs a value, not "
			    "an empty one", ch == 'C' ? "-C" : ch == 'm' ?
			    "--vm" : "--backend");
			return -1;
		}
		switch (ch) {
		case 'h':
			help = 1;
			break;
		case 'V':
			version = 1;
			break;
		case 'q':
			g->verbosity = -1;
			break;
		case 'v':
			g->verbosity = g->verbosity < 0 ? 1 : g->verbosity + 1;
			break;
		case 'C':
			g->dir = optarg;
			break;
		case 'm':
			g->vm = optarg;
			break;
		case 'b':
			g->backend = optarg;
			break;
		default:
			*rc = usage_getopt_cmd(NULL, argv, ch, longopts);
			return -1;
		}
	}
	if (g->backend != NULL && strcmp(g->backend, "multipass") != 0 &&
	    strcmp(g->backend, "local") != 0) {
		*rc = usage_error(NULL, "unknown backend '%s' (multipass or "
		    "local)", g->backend);
		return -1;
	}
	/* A -C that names no folder is a mistake in the command line, for
	 * every command alike and with --help or --version too (as git's). */
	if (g->dir != NULL && realpath(g->dir, dir) == NULL) {
		log_error("-C %s: %s", g->dir, strerror(errno));
		*rc = EXIT_USAGE;
		return -1;
	}
	if (g->dir != NULL && !is_dir(dir)) {
		log_error("-C %s: not a directory", g->dir);
		*rc = EXIT_USAGE;
		return -1;
	}
	if (help) {
		/* agentrun --help CMD is CMD's help, as git's; an agent's
		 * profile from the config too. */
		*rc = optind < argc && (cmd_find(argv[optind]) != NULL ||
		    main_is_agent(argv[optind])) ? usage_print(argv[optind]) :
		    (main_help(), EXIT_OK);
		return -1;
	}
	if (version) {
		if (optind < argc) {
			*rc = usage_extra(NULL, argv[optind]);
			return -1;
		}
		printf("agentrun %s\n", AGENTRUN_VERSION);
		*rc = EXIT_OK;
		return -1;
	}
	if (optind >= argc) {
		*rc = usage_error(NULL, "no command given");
		return -1;
	}
	return optind;
}

/* 1 if name is an agent of the config, 0 if not, -1 if the config cannot
 * be read (*cause says why). */
static int
is_agent(const char *name, char **cause)
{
	struct config	 cfg;
	int		 found = 0;

	if (config_load(&cfg, cause) != 0) {
		config_free(&cfg);
		return -1;
	}
	found = config_agent(&cfg, name) != NULL;
	config_free(&cfg);
	return found;
}

/* What a command printed with stdio and could not write is an error, not
 * a silent success (as coreutils' close_stdout): 'agentrun ls >/dev/full'
 * fails. A command that failed has said why already. */
static int
main_done(int rc)
{
	if (rc == EXIT_OK && flush_stdout() != 0)
		return EXIT_ERROR;
	return rc;
}

int
main(int argc, char **argv)
{
	struct globals		 g;
	const struct cmd_entry	*e;
	int			 i, rc = EXIT_OK, agent;
	char			*cause = NULL, *near;

	if (main_std_fds() != 0)
		return EXIT_ERROR;
	memset(&g, 0, sizeof g);
	opterr = 0;	/* commands print their own one-line errors */
	(void)setlocale(LC_CTYPE, "");
	if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR)	/* EFBIG instead */
		fatal("signal: %s", strerror(errno));
	/* SIGCHLD ignored by whoever started us (that is inherited) would
	 * reap our children behind waitpid's back: run waited for ever. */
	if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		fatal("signal: %s", strerror(errno));
	if ((i = main_options(argc, argv, &g, &rc)) < 0)
		return main_done(rc);
	log_set_verbosity(g.verbosity);
	if ((e = cmd_find(argv[i])) != NULL) {
		if (i + 1 < argc && e->fn != cmd_help &&
		    (strcmp(argv[i + 1], "--help") == 0 ||
		    strcmp(argv[i + 1], "-h") == 0))
			return main_done(usage_print(argv[i]));
		return main_done(e->fn(&g, argc - i, argv + i));
	}
	if ((agent = is_agent(argv[i], &cause)) > 0)
		return main_done(cmd_agent(&g, argc - i, argv + i));
	near = suggest_command(argv[i]);
	if (agent < 0) {	/* it may be an agent of a config gone bad */
		log_error("'%s' is not an agentrun command, nor an agent the "
		    "config can tell: %s%s", argv[i], cause, near);
		rc = EXIT_USAGE;
	} else
		rc = usage_error(NULL, "'%s' is not an agentrun command%s",
		    argv[i], near);
	free(near);
	free(cause);
	return rc;
}
