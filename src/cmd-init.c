/* cmd-init.c: shell integration. 'init bash|zsh' prints what eval needs
 * (the completion script, then shell/agentrun.SHELL, then one call per
 * feature asked for), 'completion bash|zsh' prints the completion script
 * alone, and the hidden '__complete KIND' lists the values completion
 * needs from agentrun's own files, one a line, without ever calling
 * multipass. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "embed.h"
#include "session.h"
#include "util.h"
#include "vm.h"

#define LOCK_SUFFIX	".lock"

static int
init_is_help(const char *a)
{
	return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

/* "bash" or "zsh" to the embedded completion script's name. */
static const char *
init_completion_name(const char *shell)
{
	if (strcmp(shell, "bash") == 0)
		return "completions/agentrun.bash";
	if (strcmp(shell, "zsh") == 0)
		return "completions/_agentrun";
	return NULL;
}

static int
init_put(const char *name)
{
	const char	*text;

	if ((text = embed_get(name)) == NULL) {
		log_error("%s is not built into this binary", name);
		return EXIT_ERROR;
	}
	fputs(text, stdout);
	return EXIT_OK;
}

/*
 * init bash|zsh [--aliases] [--wrap AGENT]...
 *
 * Bash gets the completion first and the shell file after it (the alias
 * and wrapper completion reuse _agentrun); zsh gets the shell file first,
 * because it makes sure compinit has run before the completion file
 * registers itself with compdef.
 */
int
cmd_init(struct globals *g, int argc, char **argv)
{
	struct config	  cfg;
	const char	 *shell = NULL, *v, *comp, *file;
	const char	**wrap;
	char		 *cause = NULL;
	size_t		  nwrap = 0, i;
	int		  aliases = 0, bad, k, rc;

	(void)g;
	wrap = xcalloc((size_t)argc, sizeof *wrap);
	for (k = 1; k < argc; k++) {
		if (init_is_help(argv[k])) {
			free(wrap);
			return usage_print(argv[0]);
		}
		if (strcmp(argv[k], "--aliases") == 0) {
			aliases = 1;
			continue;
		}
		v = NULL;
		if (strncmp(argv[k], "--wrap=", 7) == 0)
			v = argv[k] + 7;
		else if (strcmp(argv[k], "--wrap") == 0) {
			if (k + 1 >= argc) {
				free(wrap);
				return usage_error(argv[0],
				    "option --wrap needs an agent name");
			}
			v = argv[++k];
		} else if (argv[k][0] == '-') {
			free(wrap);
			return usage_option(argv[0], argv[k]);
		} else if (shell != NULL) {
			free(wrap);
			return usage_error(argv[0], "unexpected argument: %s",
			    argv[k]);
		} else
			shell = argv[k];
		if (v != NULL)
			wrap[nwrap++] = v;
	}
	if (shell == NULL) {
		free(wrap);
		return usage_error(argv[0], "which shell? bash or zsh");
	}
	if ((comp = init_completion_name(shell)) == NULL) {
		free(wrap);
		return usage_error(argv[0], "unknown shell '%s' (bash or zsh)",
		    shell);
	}
	file = strcmp(shell, "bash") == 0 ? "shell/agentrun.bash" :
	    "shell/agentrun.zsh";

	/* A wrapper is only for a known agent: its name is then also a
	 * safe shell function name (lower case, digits, - and _). A broken
	 * config costs only the wrappers of its agents, not the completion
	 * and the rest that a shell's rc file evaluates. */
	if (nwrap > 0) {
		if ((bad = config_load(&cfg, &cause) != 0)) {
			log_error("warning: %s; the agents of the config get no "
			    "wrapper until it is fixed", cause);
			free(cause);
		}
		/* An unknown one is skipped, as a broken config's are: an
		 * rc file's eval keeps the rest. */
		for (i = 0, k = 0; i < nwrap; i++) {
			if (config_agent(&cfg, wrap[i]) != NULL)
				wrap[k++] = wrap[i];
			else if (!bad)
				log_error("warning: --wrap: no agent profile "
				    "'%s' (claude or one from the config); it "
				    "gets no wrapper", wrap[i]);
		}
		nwrap = (size_t)k;
		config_free(&cfg);	/* it holds the defaults if it failed */
	}

	if (strcmp(shell, "bash") == 0) {
		if ((rc = init_put(comp)) == EXIT_OK)
			rc = init_put(file);
	} else {
		if ((rc = init_put(file)) == EXIT_OK)
			rc = init_put(comp);
	}
	if (rc == EXIT_OK) {
		if (aliases)
			printf("__agentrun_setup_aliases\n");
		for (i = 0; i < nwrap; i++)
			printf("__agentrun_setup_wrap %s\n", wrap[i]);
	}
	free(wrap);
	return rc;
}

int
cmd_completion(struct globals *g, int argc, char **argv)
{
	const char	*comp;
	int		 i;

	(void)g;
	for (i = 1; i < argc; i++) {
		if (init_is_help(argv[i]))	/* anywhere, as init's */
			return usage_print(argv[0]);
	}
	if (argc < 2)
		return usage_error(argv[0], "which shell? bash or zsh");
	if (argc > 2)
		return usage_extra(argv[0], argv[2]);
	if (argv[1][0] == '-')
		return usage_extra(argv[0], argv[1]);
	if ((comp = init_completion_name(argv[1])) == NULL)
		return usage_error(argv[0], "unknown shell '%s' (bash or zsh)",
		    argv[1]);
	return init_put(comp);
}

/* The config, or the built-in defaults (config_load leaves them on
 * failure) with a message: completion keeps working while the user fixes
 * the file. */
static int
complete_config(struct config *cfg)
{
	char	*cause = NULL;

	if (config_load(cfg, &cause) == 0)
		return 0;
	log_error("%s", cause);
	free(cause);
	return -1;
}

static int
complete_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir that end in suffix and whose stem passes valid(), sorted,
 * duplicates dropped. Directory names only: no
 * file is opened. */
static char **
complete_scan(const char *dir, const char *const *suffixes,
    int (*valid)(const char *), size_t *n)
{
	DIR		 *d;
	struct dirent	 *de;
	char		**v = NULL, *stem;
	size_t		  len, slen, nv = 0, size = 0, i, j;

	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		for (i = 0; suffixes[i] != NULL; i++) {
			slen = strlen(suffixes[i]);
			if (len > slen && strcmp(de->d_name + len - slen,
			    suffixes[i]) == 0)
				break;
		}
		if (suffixes[i] == NULL)
			continue;
		stem = xstrndup(de->d_name, len - slen);
		if (!valid(stem)) {
			free(stem);
			continue;
		}
		if (nv == size) {
			size = size == 0 ? 256 : size * 2;
			v = xrealloc(v, size * sizeof *v);
		}
		v[nv++] = stem;
	}
	closedir(d);
	if (nv == 0) {
		free(v);
		return NULL;
	}
	qsort(v, nv, sizeof *v, complete_cmp);
	for (i = j = 0; i < nv; i++) {
		if (j > 0 && strcmp(v[j - 1], v[i]) == 0)
			free(v[i]);
		else
			v[j++] = v[i];
	}
	*n = j;
	return v;
}

static void
complete_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* latest, then every id in the store, newest first. */
static int
complete_sessions(void)
{
	char		**ids, *dir, *cause = NULL;
	size_t		  n, i;

	printf("latest\tthe newest session (of this project, else of all)\n");
	if ((dir = session_dir(0, &cause)) == NULL ||
	    session_ids(dir, &ids, &n, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		free(dir);
		return EXIT_ERROR;
	}
	for (i = 0; i < n; i++)
		printf("%s\n", ids[i]);
	session_ids_free(ids, n);
	free(dir);
	return EXIT_OK;
}

static int
complete_vm_name_valid(const char *name)
{
	char	*cause = NULL;

	if (vm_name_valid(name, &cause) == 0)
		return 1;
	free(cause);
	return 0;
}

/* The config's VM first, then those the state directory has locks for. */
static int
complete_vms(void)
{
	static const char *const suffixes[] = { LOCK_SUFFIX, NULL };
	struct config	  cfg;
	char		**names, *dir;
	size_t		  n = 0, i;
	int		  rc = EXIT_OK;

	if (complete_config(&cfg) != 0)
		rc = EXIT_ERROR;
	printf("%s\tthe default VM (config vm.name)\n", cfg.vm.name);
	if ((dir = xdg_dir("XDG_STATE_HOME", ".local/state")) != NULL) {
		names = complete_scan(dir, suffixes, complete_vm_name_valid,
		    &n);
		for (i = 0; i < n; i++) {
			if (strcmp(names[i], cfg.vm.name) != 0)
				printf("%s\tused before\n", names[i]);
		}
		complete_free(names, n);
		free(dir);
	}
	config_free(&cfg);
	return rc;
}

static void
complete_agent(const struct agent_profile *a)
{
	printf("%s\t%s\n", a->name, a->description != NULL ?
	    a->description : "an agent from the config");
}

static int
complete_agents(void)
{
	struct config	 cfg;
	size_t		 i;
	int		 rc;

	rc = complete_config(&cfg) == 0 ? EXIT_OK : EXIT_ERROR;
	for (i = 0; i < cfg.n_agents; i++)
		complete_agent(&cfg.agents[i]);
	config_free(&cfg);
	return rc;
}

/* The command table (not the hidden commands), then the config's agents
 * that are not in it: everything that may follow 'agentrun'. */
static int
complete_commands(void)
{
	const struct cmd_entry	*t;
	struct config		 cfg;
	size_t			 n, i;
	int			 rc;

	t = cmd_table(&n);
	for (i = 0; i < n; i++) {
		if (!t[i].hidden)
			printf("%s\t%s\n", t[i].name, t[i].summary);
	}
	rc = complete_config(&cfg) == 0 ? EXIT_OK : EXIT_ERROR;
	for (i = 0; i < cfg.n_agents; i++) {
		if (cmd_find(cfg.agents[i].name) == NULL)
			complete_agent(&cfg.agents[i]);
	}
	config_free(&cfg);
	return rc;
}

/*
 * __complete sessions|vms|agents|commands
 *
 * One value a line; a tab may follow it, then a one-line description
 * (zsh shows it, bash drops it). Values are always safe shell words:
 * session ids, VM and agent names are checked before they are printed.
 */
int
cmd_complete(struct globals *g, int argc, char **argv)
{
	int	rc;

	(void)g;
	if (argc > 1 && init_is_help(argv[1]))
		return usage_print(argv[0]);
	if (argc != 2)
		return usage_error(argv[0], "expected one of sessions, vms, "
		    "agents, commands");
	if (strcmp(argv[1], "sessions") == 0)
		rc = complete_sessions();
	else if (strcmp(argv[1], "vms") == 0)
		rc = complete_vms();
	else if (strcmp(argv[1], "agents") == 0)
		rc = complete_agents();
	else if (strcmp(argv[1], "commands") == 0)
		rc = complete_commands();
	else
		return usage_error(argv[0], "unknown kind '%s' (sessions, "
		    "vms, agents or commands)", argv[1]);
	return rc;
}
