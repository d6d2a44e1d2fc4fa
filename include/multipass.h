/* multipass.h: running the multipass client (argv only, bounded wait),
 * parsing its JSON, stripping its spinner and turning its error texts into
 * one actionable line. Knows nothing about agentrun's policy. */
#ifndef AGENTRUN_MULTIPASS_H
#define AGENTRUN_MULTIPASS_H

#include <stddef.h>

#include "util.h"

/* Timeouts in seconds for the calls agentrun makes (multipass-cli.md
 * section 6). */
#define MP_TIMEOUT_INFO		30
#define MP_TIMEOUT_START	300
#define MP_TIMEOUT_STOP		330
#define MP_TIMEOUT_MOUNT	300
#define MP_TIMEOUT_UMOUNT	60
#define MP_TIMEOUT_DELETE	120
#define MP_TIMEOUT_EXEC		120	/* short guest commands */

struct mp_result {
	struct buf	 out;		/* stdout, spinner stripped */
	struct buf	 err;		/* stderr */
	int		 status;	/* exit code, 128+N for signal N */
	int		 timed_out;
};

/* Called with each new progress message (spinner text) of a call. */
typedef void (*mp_progress_cb)(void *, const char *);

#define MP_INHERIT	0x1	/* stdout and stderr go to our stderr (our
				   stdout is the session's), not captured */

struct mp_call {
	const char *const	*argv;		/* without "multipass" */
	int			 timeout;	/* seconds, 0 for none */
	int			 flags;
	mp_progress_cb		 progress_cb;
	void			*arg;
	const char		*in_path;	/* stdin, or NULL: /dev/null */
};

/* The multipass client on PATH, or NULL if there is none. */
char	*mp_find(void);
/* A folder searched for multipass before it is found (or at all, when it
 * is not) that is or lies inside the resolved folder given; NULL none. */
char	*mp_path_inside(const char *);
/* 1 if the client at path is the snap (resolves under /snap). */
int	 mp_path_is_snap(const char *path);
/* One line saying how to install multipass on this system. */
const char *mp_install_hint(void);

/* Run multipass with argv (stdin /dev/null). 0 when it ran, whatever its
 * status; -1 with *cause if it could not be run (not installed). A call
 * that outlives its timeout is killed and reported as timed_out. */
int	 mp_run(const struct mp_call *, struct mp_result *, char **cause);
void	 mp_result_free(struct mp_result *);
/* The failure of a call as one actionable line ("the multipass daemon
 * is not running: ..."). cmd is the multipass command, name the VM, again
 * how the caller runs agentrun on that VM, for hints ("agentrun --vm
 * NAME"; NULL for "agentrun"). */
char	*mp_error(const char *cmd, const char *name, const char *again,
	     const struct mp_result *);
/* A launch that failed by timing out, ours or multipass's: the VM may
 * still come up. */
int	 mp_launch_timed_out(const struct mp_result *);

/* Spinner and progress bytes removed: ESC sequences, backspaces, \r
 * overwrites; what is left is the lines the client meant to print. */
struct mp_strip {
	struct buf	 line;		/* the line being drawn */
	struct buf	 done;		/* finished lines */
	char		*last;		/* last progress message reported */
	int		 esc;		/* inside an escape sequence */
	mp_progress_cb	 cb;		/* told each new message, or NULL */
	void		*arg;
};
void	 mp_strip_init(struct mp_strip *);
void	 mp_strip_free(struct mp_strip *);
/* Feed bytes; each new progress message goes to cb. Returns the last
 * new one of this chunk (valid until the next call), else NULL. */
const char *mp_strip_feed(struct mp_strip *, const char *, size_t);
char	*mp_strip_text(const char *, size_t);

/* One instance from 'info --format json'. */
struct mp_mount {
	char	 *target;	/* inside the VM */
	char	 *source;	/* on the host */
	char	**uid_maps;	/* NULL-terminated */
	char	**gid_maps;
};

struct mp_info {
	char		*name;
	char		*state;		/* "Running", "Stopped", ... */
	char		*release;	/* image_release, or NULL */
	struct mp_mount	*mounts;
	size_t		 n_mounts;
};

/* Parse the instance name from info JSON. 0, or -1 with *cause. */
int	 mp_info_parse(const char *json, size_t len, const char *name,
	     struct mp_info *, char **cause);
void	 mp_info_free(struct mp_info *);
/* 'multipass info NAME --no-runtime-information --format json'. 1 and
 * *info filled if it exists, 0 if it does not, -1 and *cause (one
 * actionable line; again as for mp_error) if multipass failed. */
int	 mp_info(const char *name, const char *again, struct mp_info *,
	     char **cause);

/* 'version --format json': the client's version and the daemon's (NULL
 * when the daemon did not answer). 0, or -1 with *cause (again as for
 * mp_error). */
int	 mp_version(const char *again, char **client, char **daemon,
	     char **cause);
/* 1 if version v (like "1.16.3" or "1.17.0-dev...") re-runs exec when
 * the command exits 4 (<= 1.16). */
int	 mp_version_loops_on_4(const char *v);

/* -v: "run: multipass ARGS..." on stderr, as every call is logged. */
void	 mp_log_args(const char *const *argv);

#endif
