/* config.h: the user's config file ($XDG_CONFIG_HOME/agentrun/config.json)
 * read into a plain struct. Unknown keys and wrong types are errors that
 * name the key path. There is deliberately no per-project config. */
#ifndef AGENTRUN_CONFIG_H
#define AGENTRUN_CONFIG_H

#include <stddef.h>

struct agent_profile {
	char	 *name;		/* subcommand name, e.g. "claude" */
	char	**command;	/* argv, NULL-terminated, e.g. {"claude", NULL} */
	char	 *install;	/* shell text run in the VM by 'vm provision' */
	char	**env;		/* names of host variables to forward, NULL-terminated */
	char	 *description;	/* one line for help, or NULL */
};

struct config {
	char			*path;		/* file read, or NULL if none */
	char			*backend;	/* "multipass" (default) or "local" */
	struct {
		char	*name;		/* default "agentrun" */
		int	 cpus;		/* default 2 */
		char	*memory;	/* default "4G" */
		char	*disk;		/* default "20G" */
		char	*image;		/* default "24.04" */
		char	*cloud_init;	/* path or NULL */
		int	 launch_timeout; /* seconds, default 900 */
	} vm;
	struct agent_profile	*agents;	/* the built-in claude first */
	size_t			 n_agents;
};

/* Defaults, then the file if it exists. 0, or -1 with *cause like
 * "config.json: vm.memory: expected a size like \"4G\"". Either way cfg
 * holds something (the defaults after a failure): config_free it. */
int	 config_load(struct config *, char **cause);
/* Same from an explicit path (tests, fuzzing) or text. */
int	 config_load_file(struct config *, const char *path, char **cause);
int	 config_load_text(struct config *, const char *text, size_t len,
	     const char *name, char **cause);
void	 config_defaults(struct config *);
void	 config_free(struct config *);
const struct agent_profile *config_agent(const struct config *,
	    const char *name);
char	*config_path(void);
/* 0 if vm.cloud_init is unset or a regular file that can be read, else
 * -1 and *why ("Is a directory"): a launch reads it as its stdin, where a
 * FIFO would hang it and a directory fail it obscurely. */
int	 config_cloud_init_check(const struct config *, const char **why);

#endif
