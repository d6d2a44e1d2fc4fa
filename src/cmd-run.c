/* cmd-run.c: the commands that start a session: claude (and every agent
 * profile of the config), shell and run. Their shared options, the
 * backend choice, git provenance, and the flow: prepare the VM, start the
 * recorder, run the proxy, finish. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "config.h"
#include "git.h"
#include "proc.h"
#include "pty.h"
#include "recorder.h"
#include "session.h"
#include "sig.h"
#include "term.h"
#include "util.h"
#include "vm.h"

/* The command line kept in the sidecar: a very long one (a glob of a big
 * tree) would make the sidecar too big to read, and its session look
 * like an orphan. The rest is counted, not kept. */
#define RUN_DESCRIBE_MAX	(64 * 1024)

enum run_kind {
	RUN_AGENT,
	RUN_SHELL,
	RUN_CMD,
};

struct run_opts {
	int		 read_only;
	int		 no_record;
	int		 record_input;
	const char	*title;
};

/* The run options, for a "did you mean" (they are parsed by hand: an
 * agent's first other word ends them). */
static const struct option run_longopts[] = {
	{ "read-only",		no_argument,		NULL, 'r' },
	{ "no-record",		no_argument,		NULL, 'n' },
	{ "record-input",	no_argument,		NULL, 'i' },
	{ "title",		required_argument,	NULL, 't' },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL,			0,			NULL, 0 }
};

/* Leading run options. Returns the index of the first payload word, or
 * -1 with *rc set. For an agent, the first word that is not a run option
 * starts the payload; for run, an unknown option is an error. */
static int
run_options(enum run_kind kind, int argc, char **argv, struct run_opts *o,
    int *rc)
{
	const char	*a;
	int		 i;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0)
			return i + 1;
		if (strcmp(a, "--read-only") == 0)
			o->read_only = 1;
		else if (strcmp(a, "--no-record") == 0)
			o->no_record = 1;
		else if (strcmp(a, "--record-input") == 0)
			o->record_input = 1;
		else if (strcmp(a, "--title") == 0 ||
		    strncmp(a, "--title=", 8) == 0) {
			if (a[7] == '=')
				o->title = a + 8;
			else if (i + 1 < argc)
				o->title = argv[++i];
			else {
				*rc = usage_error(argv[0], "option --title "
				    "needs a value");
				return -1;
			}
			if (*o->title == '\0') {	/* as -C '' */
				*rc = usage_error(argv[0], "option --title "
				    "needs a value, not an empty one");
				return -1;
			}
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			*rc = usage_print(argv[0]);
			return -1;
		} else if (a[0] == '-' && a[1] != '\0' && kind != RUN_AGENT) {
			*rc = usage_unknown(argv[0], a, run_longopts);
			return -1;
		} else
			return i;
	}
	return i;
}

/* The command line for the sidecar and the header, its secret values
 * redacted as in the transcript. */
static void
run_describe(struct session *s, char *const *words,
    const struct recorder_secret *sec, size_t nsec)
{
	struct buf	 b;
	size_t		 i, n;
	char		*more, *w;

	buf_init(&b);
	s->argv = cJSON_CreateArray();
	for (i = 0; words[i] != NULL && b.len < RUN_DESCRIBE_MAX; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		w = recorder_redact_string(sec, nsec, words[i]);
		buf_add_shell_word(&b, w);
		cJSON_AddItemToArray(s->argv, cJSON_CreateString(w));
		free(w);
	}
	if (words[i] != NULL) {
		for (n = 0; words[i + n] != NULL; n++)
			;
		xasprintf(&more, "[%zu more arguments]", n);
		buf_addf(&b, " %s", more);
		cJSON_AddItemToArray(s->argv, cJSON_CreateString(more));
		free(more);
	}
	s->command = b.data != NULL ? b.data : xstrdup("");
}

/* HEAD and the dirty flag of the project, from one 'git status
 * --porcelain=v2 --branch'. Started early and read late, so that git runs
 * while multipass answers; NULL if git could not be started. */
static struct proc *
git_start(const char *project, struct proc_opts *o)
{
	static const char	*argv[] = { "git", "status", "--porcelain=v2",
				    "--branch", NULL };
	char			*cause = NULL;
	struct proc		*p;

	memset(o, 0, sizeof *o);
	o->dir = project;
	o->timeout_ms = 10000;
	if ((p = proc_start(argv, o, &cause)) == NULL)
		free(cause);	/* no git: no provenance */
	return p;
}

static void
git_finish(struct proc *p, char **head, int *dirty)
{
	struct proc_result	 r;
	const char		*line, *nl;
	char			*cause = NULL;

	free(*head);
	*head = NULL;
	*dirty = -1;
	if (p == NULL)
		return;
	if (proc_finish(p, &r, &cause) != 0 || r.status != 0) {
		free(cause);
		proc_result_free(&r);
		return;	/* not a work tree */
	}
	*dirty = 0;
	for (line = r.out.data; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line) - 1;
		if (strncmp(line, "# branch.oid ", 13) == 0 &&
		    line[13] != '(')
			*head = xstrndup(line + 13, strcspn(line + 13, "\n"));
		else if (line[0] != '#')
			*dirty = 1;
	}
	proc_result_free(&r);
}

/* What runs on this machine for the local backend. */
static char **
run_local_argv(enum run_kind kind, const struct agent_profile *agent,
    const char *const *payload)
{
	const char	*sh = getenv("SHELL");
	const char	*login[] = { NULL, "-l", NULL };

	switch (kind) {
	case RUN_AGENT:
		return strv_cat(STRV_CONST(agent->command), payload);
	case RUN_SHELL:
		login[0] = sh != NULL && *sh != '\0' ? sh : "/bin/sh";
		return strv_cat(login, NULL);
	case RUN_CMD:
		break;
	}
	return strv_cat(payload, NULL);
}

/* A value too short to be a secret ("1", "y", a space): redacting it
 * would replace that character all through the transcript. */
#define RUN_SECRET_MIN	4

static int
run_secret_worth(const char *val)
{
	const char	*p;

	if (strlen(val) < RUN_SECRET_MIN)
		return 0;
	for (p = val; *p != '\0'; p++) {
		if (!isspace((unsigned char)*p))
			return 1;
	}
	return 0;
}

static struct recorder_secret *
run_secrets(const struct agent_profile *agent, size_t *n)
{
	struct recorder_secret	*v;
	const char		*val;
	size_t			 i, k = 0;

	*n = 0;
	if (agent == NULL || agent->env == NULL)
		return NULL;
	for (i = 0; agent->env[i] != NULL; i++)
		;
	v = xcalloc(i + 1, sizeof *v);
	for (i = 0; agent->env[i] != NULL; i++) {
		if ((val = getenv(agent->env[i])) == NULL || *val == '\0')
			continue;
		if (!run_secret_worth(val)) {
			log_debug("%s is forwarded but too short to redact",
			    agent->env[i]);
			continue;
		}
		v[k].name = agent->env[i];
		v[k].value = val;
		k++;
	}
	recorder_secrets_order(v, k);
	*n = k;
	return v;
}

/* The output goes to the VM's watch (to tell a failure of multipass exec
 * from the command's status) and to the recorder. */
struct run_watch {
	struct recorder		*rec;
	struct vm_handle	*vm;
};

static void
run_output_cb(void *arg, const char *s, size_t n)
{
	struct run_watch	*w = arg;

	if (w->vm != NULL)
		vm_watch_output(w->vm, s, n);
	if (w->rec != NULL)
		recorder_output_cb(w->rec, s, n);
}

static void
run_input_cb(void *arg, const char *s, size_t n)
{
	struct run_watch	*w = arg;

	if (w->rec != NULL)
		recorder_input_cb(w->rec, s, n);
}

static void
run_resize_cb(void *arg, int cols, int rows)
{
	struct run_watch	*w = arg;

	if (w->rec != NULL)
		recorder_resize_cb(w->rec, cols, rows);
}

static void
run_tick_cb(void *arg)
{
	struct run_watch	*w = arg;

	if (w->rec != NULL)
		recorder_tick_cb(w->rec);
}

static int
run_session(struct globals *g, enum run_kind kind, const char *agent_name,
    char *const *payload, const struct run_opts *o)
{
	static const char		*shell_words[] = { "shell", NULL };
	struct config			 cfg;
	const struct agent_profile	*agent = NULL;
	struct session			 s;
	struct vm_request		 req;
	struct vm_handle		*vm = NULL;
	struct recorder			*rec = NULL;
	struct recorder_secret		*secrets = NULL;
	size_t				 nsec = 0;
	struct recorder_opts		 ropts;
	struct pty_cbs			 cbs;
	struct run_watch		 watch;
	struct proc_opts		 git_opts;
	struct proc			*git = NULL;
	char				**argv = NULL, **shown = NULL;
	char				*cause = NULL, *project = NULL;
	char				*out_err = NULL;
	const char			*backend;
	sigset_t			 ends, mask;
	int				 status = EXIT_SETUP, local;
	int				 saved = 0;

	session_init(&s);
	if (config_load(&cfg, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	if (kind == RUN_AGENT && (agent = config_agent(&cfg, agent_name))
	    == NULL) {
		log_error("no agent profile '%s' in the config", agent_name);
		status = EXIT_USAGE;
		goto out;
	}
	backend = g->backend != NULL ? g->backend : cfg.backend;
	if (backend == NULL)
		backend = "multipass";
	local = strcmp(backend, "local") == 0;
	/* Read-only is the VM's mount: with no VM it would be a promise not
	 * kept, as the command could write the project anyway. */
	if (local && o->read_only) {
		status = usage_error(kind == RUN_SHELL ? "shell" : kind ==
		    RUN_CMD ? "run" : agent_name, "--read-only needs the multipass "
		    "backend: the local backend runs on this machine, where "
		    "the project stays writable");
		goto out;
	}
	if ((project = project_root(g, &cause)) == NULL) {
		log_error("%s", cause);
		status = EXIT_USAGE;
		goto out;
	}

	if (kind == RUN_SHELL)
		shown = strv_cat(shell_words, NULL);
	else if (kind == RUN_AGENT)
		shown = strv_cat(STRV_CONST(agent->command),
		    STRV_CONST(payload));
	else
		shown = strv_cat(STRV_CONST(payload), NULL);
	secrets = run_secrets(agent, &nsec);
	run_describe(&s, shown, secrets, nsec);
	s.project = xstrdup(project);
	s.backend = xstrdup(backend);
	s.title = o->title != NULL ? recorder_redact_string(secrets, nsec,
	    o->title) : NULL;
	if (term_size(STDIN_FILENO, &s.cols, &s.rows) != 0 &&
	    term_size(STDOUT_FILENO, &s.cols, &s.rows) != 0) {
		s.cols = 80;
		s.rows = 24;
	}

	/* git runs what the project's .git/config says, and in the VM the
	 * agent can write that: only the local backend, whose command runs
	 * here anyway, runs git; for the VM, HEAD is read from the files. */
	if (local) {
		git = git_start(project, &git_opts);
		log_warn("the local backend runs the command on this machine, "
		    "with no isolation");
		/* In the project folder, as in the VM (multipass exec -d). */
		if (chdir(project) != 0) {
			log_error("%s: %s", project, strerror(errno));
			goto out;
		}
		argv = run_local_argv(kind, agent, STRV_CONST(payload));
	} else {
		s.git_head_before = git_head_read(project);
		memset(&req, 0, sizeof req);
		req.cfg = &cfg;
		req.name = g->vm != NULL ? g->vm : cfg.vm.name;
		req.project = project;
		req.read_only = o->read_only;
		req.agent = agent;
		req.agent_args = kind == RUN_AGENT ? payload : NULL;
		req.cmd = kind == RUN_CMD ? payload : NULL;
		req.interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
		if (vm_check(&req, &cause) != 0) {	/* a refusal: exit 2 */
			log_error("%s", cause);
			status = EXIT_USAGE;
			goto out;
		}
		if ((vm = vm_prepare(&req, &s, &argv, &cause)) == NULL) {
			log_error("%s", cause);
			goto out;
		}
	}
	if (local)
		git_finish(git, &s.git_head_before, &s.git_dirty_before);
	git = NULL;

	memset(&cbs, 0, sizeof cbs);
	if ((cbs.reply = vm_env_reply(vm, &cbs.reply_len)) != NULL)
		cbs.mark = VM_ENV_MARK;
	if (!o->no_record) {
		memset(&ropts, 0, sizeof ropts);
		ropts.secrets = secrets;
		ropts.n_secrets = nsec;
		ropts.record_input = o->record_input;
		ropts.term_type = getenv("TERM");
		if (ropts.term_type != NULL && *ropts.term_type == '\0')
			ropts.term_type = NULL;		/* none, not "" */
		if ((rec = recorder_new(&s, &ropts, &cause)) == NULL) {
			log_error("warning: not recording: %s (the command runs "
			    "unrecorded; mend that, or run with --no-record)",
			    cause);
			free(cause);
			cause = NULL;
		}
	}
	watch.rec = rec;
	watch.vm = vm;
	cbs.arg = &watch;
	cbs.output_cb = run_output_cb;
	cbs.input_cb = run_input_cb;
	cbs.resize_cb = run_resize_cb;
	cbs.tick_cb = run_tick_cb;

	/* A hangup or TERM once the command has ended waits until the
	 * recording is finished (its last output and the sidecar), then ends
	 * us: pty_run leaves it pending, blocked until the mask saved here is
	 * restored at the end. */
	sigemptyset(&ends);
	sig_add_ends(&ends);
	saved = sigprocmask(SIG_BLOCK, NULL, &mask) == 0;
	status = pty_run(argv, &cbs, &cause);
	recorder_stop_clock(rec);	/* not the git run below */
	if (saved)	/* as pty_run leaves them (it may have failed early) */
		(void)sigprocmask(SIG_BLOCK, &ends, NULL);
	if (status < 0) {
		log_error("%s", cause);
		free(cause);
		cause = NULL;
		status = EXIT_SETUP;
	} else {
		out_err = cause;	/* stdout could not be written */
		cause = NULL;
		if (vm != NULL &&
		    (status = vm_exit_status(vm, status, &cause)) < 0) {
			log_error("%s", cause);
			free(cause);
			cause = NULL;
			status = EXIT_SETUP;
		}
	}

	if (local)
		git_finish(git_start(project, &git_opts), &s.git_head_after,
		    &s.git_dirty_after);
	else
		s.git_head_after = git_head_read(project);
	if (rec != NULL && recorder_finish(rec, status, &cause) != 0) {
		log_error("warning: %s", cause);	/* shown even with -q */
		free(cause);
		cause = NULL;
	} else if (rec != NULL)
		replay_index_later(&s);
	/* The output could not be written (a full disk, a closed stdout):
	 * an error, as for every command that prints, not a silent success;
	 * the transcript keeps the command's status. */
	if (out_err != NULL) {
		log_error("%s", out_err);
		status = EXIT_ERROR;
	}
out:
	git_finish(git, &s.git_head_before, &s.git_dirty_before);
	recorder_free(rec);
	vm_release(vm);
	free(secrets);
	strv_free(argv);
	strv_free(shown);
	free(project);
	free(cause);
	free(out_err);
	session_free(&s);
	config_free(&cfg);
	if (saved)
		(void)sigprocmask(SIG_SETMASK, &mask, NULL);
	return status;
}

int
cmd_agent(struct globals *g, int argc, char **argv)
{
	struct run_opts	 o;
	int		 i, rc;

	memset(&o, 0, sizeof o);
	if ((i = run_options(RUN_AGENT, argc, argv, &o, &rc)) < 0)
		return rc;
	return run_session(g, RUN_AGENT, argv[0], argv + i, &o);
}

int
cmd_shell(struct globals *g, int argc, char **argv)
{
	struct run_opts	 o;
	int		 i, rc;

	memset(&o, 0, sizeof o);
	if ((i = run_options(RUN_SHELL, argc, argv, &o, &rc)) < 0)
		return rc;
	if (i < argc)
		return usage_error(argv[0], "shell takes no command (use "
		    "'agentrun run -- CMD')");
	return run_session(g, RUN_SHELL, NULL, argv + i, &o);
}

int
cmd_run(struct globals *g, int argc, char **argv)
{
	struct run_opts	 o;
	int		 i, rc;

	memset(&o, 0, sizeof o);
	if ((i = run_options(RUN_CMD, argc, argv, &o, &rc)) < 0)
		return rc;
	if (i >= argc)
		return usage_error(argv[0], "no command given");
	return run_session(g, RUN_CMD, NULL, argv + i, &o);
}
