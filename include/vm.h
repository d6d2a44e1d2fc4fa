/* vm.h: policy for the multipass backend: ensure the VM exists and runs,
 * reconcile mounts to exactly the project (the safety rules live here),
 * the per-VM lock and live-session registry, and the exec command line. */
#ifndef AGENTRUN_VM_H
#define AGENTRUN_VM_H

#include <stdio.h>

struct config;
struct agent_profile;
struct session;

struct vm_request {
	const struct config		*cfg;
	const char			*name;		/* VM name (--vm, config, "agentrun") */
	const char			*project;	/* project root, realpath */
	int				 read_only;
	/* Exactly one of: agent (with agent_args), cmd (run), or neither
	 * (an interactive login shell in the project folder). */
	const struct agent_profile	*agent;
	char *const			*agent_args;	/* NULL-terminated */
	char *const			*cmd;		/* NULL-terminated */
	int				 interactive;	/* stdin and stdout are terminals */
};

struct vm_handle;
struct mp_mount;

/* The refusals that need no VM (name, mount policy for the project,
 * agentrun's own folders): 0, or -1 with *cause. vm_prepare runs it
 * first; a caller that wants DESIGN's exit 2 for a refusal (rather than
 * 125 for a session that could not start) calls it before vm_prepare. */
int	 vm_check(const struct vm_request *, char **cause);
/* A mount found on the VM, judged as a project would be; *cause without
 * the advice to choose another project folder. */
int	 vm_mount_ok(const char *source, char **cause);

/* Ensure the VM (launch + provision, start), refuse unsafe projects,
 * reconcile mounts under the lock, register this session as live, and
 * build the argv that runs the payload (multipass exec NAME -d DIR --
 * ...). Fills s->vm, s->multipass_version, s->mounts, s->mount_mode.
 * NULL and *cause (one actionable line) on failure; nothing is left
 * changed on a refusal. */
struct vm_handle *vm_prepare(const struct vm_request *, struct session *s,
	    char ***argv, char **cause);
/* The mark the guest prints when it is ready to read the forwarded
 * variables from its terminal, and the reply to type in then (the
 * NAME=VALUE lines; *len its size): NULL if none is forwarded, and the
 * guest prints no mark. For pty.h's mark and reply. */
#define VM_ENV_MARK_TEXT	"agentrun;env"
#define VM_ENV_MARK		"\033]" VM_ENV_MARK_TEXT "\007"
const char *vm_env_reply(const struct vm_handle *, size_t *len);
/* The output of the session, for vm_exit_status to look at its start. */
void	 vm_watch_output(struct vm_handle *, const char *, size_t);
/* The payload's exit status from multipass exec's (undoes the status-4
 * guard); -1 and *cause if multipass exec itself failed ("exec failed:"
 * near the start of the output, with its status 2, or 255 in 1.17). */
int	 vm_exit_status(struct vm_handle *, int status, char **cause);
/* Unregister the live session and free. */
void	 vm_release(struct vm_handle *);

/* The mount policy, pure (unit-tested): 0 if path may be mounted, else
 * -1 with *cause. home is $HOME (realpath), snap is 1 for a snap install
 * of multipass. */
int	 vm_mount_allowed(const char *path, const char *home, int snap,
	     char **cause);

/* Multipass's instance-name rule (letters, digits and hyphens, a letter
 * first, no hyphen last) plus agentrun's: at most 40 characters and
 * never "primary" (Multipass mounts $HOME into it). 0 or -1 with
 * *cause. */
int	 vm_name_valid(const char *name, char **cause);

/* Pieces of the flow for 'agentrun vm' and 'doctor'. Each 0, or -1 with
 * *cause (one actionable line). */
/* agent: the one a session or 'vm start' would then install (NULL for
 * none), for the advice when the launch times out. */
int	 vm_launch(const struct config *, const char *name,
	     const struct agent_profile *agent, char **cause);
int	 vm_provision(const struct config *, const char *name,
	     const struct agent_profile *, char **cause);
int	 vm_start(const struct config *, const char *name, char **cause);
/* What a session does with VM name in state (as multipass info gives
 * it): 0 if it uses it, *note saying how ("a session starts it"; NULL
 * for Running); -1 if it refuses, *why the reason and the advice, to
 * follow "VM NAME is " ("Unknown: see ..."). Run and doctor both ask. */
int	 vm_state_usable(const struct config *, const char *name,
	     const char *state, const char **note, char **why);
/* agentrun's command line for VM name, for hints: "agentrun", or
 * "agentrun --vm NAME" when it is not the configured one. */
char	*vm_cmdline(const struct config *, const char *name);
/* Print the live sessions of VM name ("session: pid N in DIR (mode)");
 * returns how many. */
int	 vm_live_print(const char *name, FILE *);
/* The per-VM lock ($XDG_STATE_HOME/agentrun/NAME.lock); fd or -1. */
int	 vm_lock_open(const char *name, char **cause);
void	 vm_lock_close(int fd);

/* "SOURCE => TARGET" for the user; a read-only project's mount (its
 * target is agentrun's staging folder) is shown at its project path. */
char	*vm_mount_describe(const struct mp_mount *);

#endif
