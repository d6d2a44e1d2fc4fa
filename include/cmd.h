/* cmd.h: the subcommands. Each takes argv starting at the command's name
 * and returns the process exit status. */
#ifndef AGENTRUN_CMD_H
#define AGENTRUN_CMD_H

#include <stdio.h>

/* Exit statuses of agentrun itself (the agent's own pass through). */
#define EXIT_OK		0
#define EXIT_ERROR	1	/* something failed; the message says what */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_SETUP	125	/* a session could not be started */

struct globals {
	const char	*dir;		/* -C DIR or NULL */
	const char	*vm;		/* --vm NAME or NULL */
	const char	*backend;	/* --backend or NULL (config/default) */
	int		 verbosity;	/* -1 quiet, 0, 1+ verbose */
};

struct cmd_entry {
	const char	*name;
	int		(*fn)(struct globals *, int, char **);
	const char	*summary;	/* one line for 'agentrun help' */
	const char	*usage;		/* full text for --help */
	int		 hidden;
};

/* "agentrun: msg" + "Try 'agentrun CMD --help'." on stderr; returns 2. */
int	 usage_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "unknown option: OPT", saying that a global one goes before the
 * command; returns 2. */
int	 usage_option(const char *cmd, const char *opt);
/* For an argument a command does not take: "unknown option: ARG" when
 * it looks like one, else "unexpected argument: ARG"; returns 2. */
int	 usage_extra(const char *cmd, const char *arg);
/* The one-line usage error for what getopt_long returned as ch ('?' or
 * ':' with a ':' in the option string), given its long options (to name
 * what a cut-short one could mean); returns 2. */
struct option;
int	 usage_getopt(char **argv, int ch, const struct option *longopts);
/* usage_option, and for a --NAME that is a typo of one of longopts (which
 * may be NULL), "did you mean" it; returns 2. */
int	 usage_unknown(const char *cmd, const char *opt,
	    const struct option *longopts);
/* The options of a command that has none but --help: -1 to go on, with
 * optind at the first operand, else the status to exit with. */
int	 usage_help_only(int argc, char **argv);
/* Print the command's usage on stdout; returns 0. */
int	 usage_print(const char *cmd);
const struct cmd_entry *cmd_find(const char *);
const struct cmd_entry *cmd_table(size_t *);

/* The project folder (realpath of -C or cwd, then the nearest .git
 * ancestor below $HOME). NULL and *cause on error. */
char	*project_root(const struct globals *, char **cause);
struct session;
/* The session an ID the user typed names ("latest" is this project's);
 * 0, or -1 after printing why. */
/* The project, or NULL if there is none; -1 after saying why when -C
 * names no folder. */
int	 cmd_project(const struct globals *, char **project);
/* The project a listing (ls, grep) is of: NULL and *cause when there is
 * none; with no -C (the folder is gone) the cause ends with what still
 * works, all (e.g. "ls --all lists every project's sessions"). */
char	*cmd_project_listing(const struct globals *, const char *all,
	    char **cause);
int	 cmd_session(const struct globals *, const char *id, struct session *);
/* What a damaged transcript means for a reading command: a file cut short
 * is warned about and is no error (said of neither a session still
 * recording nor one whose state already says it ended in a crash); other
 * damage is an error, after what could be read. damage may be NULL.
 * Returns the exit status. */
int	 cmd_damage(const struct session *, const char *damage);
/* After a session has ended: if it is long enough for replay's snapshot
 * cache, build that in a detached background process (__index), so the
 * first seek into it is quick. */
void	 replay_index_later(const struct session *);

int	 cmd_agent(struct globals *, int, char **);	/* claude, config agents */
int	 cmd_shell(struct globals *, int, char **);
int	 cmd_run(struct globals *, int, char **);
int	 cmd_ls(struct globals *, int, char **);
int	 cmd_show(struct globals *, int, char **);
int	 cmd_cat(struct globals *, int, char **);
int	 cmd_replay(struct globals *, int, char **);
int	 cmd_text(struct globals *, int, char **);
int	 cmd_export(struct globals *, int, char **);
int	 cmd_import(struct globals *, int, char **);
int	 cmd_grep(struct globals *, int, char **);
int	 cmd_rm(struct globals *, int, char **);
int	 cmd_gc(struct globals *, int, char **);
int	 cmd_vm(struct globals *, int, char **);
int	 cmd_doctor(struct globals *, int, char **);
int	 cmd_init(struct globals *, int, char **);
int	 cmd_completion(struct globals *, int, char **);
int	 cmd_complete(struct globals *, int, char **);	/* hidden: __complete */
int	 cmd_index(struct globals *, int, char **);	/* hidden: __index */
int	 cmd_version(struct globals *, int, char **);
int	 cmd_help(struct globals *, int, char **);

#endif
