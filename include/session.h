/* session.h: the session store: ids, file layout, sidecars (ID.json),
 * listing and resolving an id the user typed. */
#ifndef AGENTRUN_SESSION_H
#define AGENTRUN_SESSION_H

#include <stdint.h>
#include <sys/types.h>

struct cJSON;

#define SESSION_ID_LEN	20	/* YYYYMMDD-HHMMSS-xxxx */

enum session_state {
	SESSION_RUNNING,
	SESSION_FINISHED,
	SESSION_INTERRUPTED,
	SESSION_IMPORTED,
	SESSION_FILE,		/* a file given by path, not in the store */
};

struct session {
	char		 id[SESSION_ID_LEN + 1];
	char		*cast_path;	/* full path of the transcript */
	char		*json_path;	/* full path of the sidecar, or NULL */
	char		*project;	/* project root, or NULL */
	char		*command;	/* command line for display */
	struct cJSON	*argv;		/* array of strings, or NULL */
	char		*title;
	char		*backend;	/* "multipass", "local", "import" */
	char		*vm;
	char		*multipass_version;
	struct cJSON	*mounts;	/* array of {source,target,mode}, or NULL */
	char		*mount_mode;	/* "rw", "ro" or NULL */
	char		*git_head_before, *git_head_after;
	int		 git_dirty_before, git_dirty_after; /* -1 unknown */
	int64_t		 start;		/* unix microseconds */
	int64_t		 end;		/* 0 while running */
	int		 exit_status;	/* -1 unknown */
	uint64_t	 bytes;		/* output bytes recorded */
	int		 cols, rows;
	enum session_state state;
	pid_t		 pid;		/* of the recording agentrun */
	char		*record_error;	/* why recording stopped early, or NULL */
	int		 record_input;
};

void	 session_init(struct session *);
void	 session_free(struct session *);

/* The store directory ($XDG_DATA_HOME/agentrun/sessions), created 0700
 * if create is set. NULL and *cause on failure. */
char	*session_dir(int create, char **cause);
/* A new id from the current time (UTC): the second, then three hex
 * digits of the millisecond and one random hex digit. */
void	 session_new_id(char id[SESSION_ID_LEN + 1]);
int	 session_id_valid(const char *);
/* A transcript is made under a hidden name of this process in the store
 * (.PID.cast.zst.new), locked, then given an id: linked into place as
 * ID.cast.zst, never over a name taken (another id is tried). gc removes
 * a hidden one its maker left. new returns the open fd (*tmp: its path),
 * or -1 with *cause; claim sets s's id and paths, and removes tmp. */
int	 session_file_new(const char *dir, char **tmp, char **cause);
int	 session_file_claim(struct session *, const char *dir, const char *tmp,
	     char **cause);

const char *session_state_name(enum session_state);
/* Sidecar I/O. write is atomic (temp file + rename), mode 0600. */
int	 session_write(const struct session *, char **cause);
int	 session_read(const char *json_path, struct session *, char **cause);
/* Is the .json file at path a session's sidecar (an object with no
 * "version"), not an asciicast v1 file? Its id, if any, goes into id. */
int	 session_sidecar_at(const char *path, char id[SESSION_ID_LEN + 1]);
/* A running sidecar whose pid is gone reads as interrupted. Strings are
 * made valid UTF-8 (U+FFFD); a project path that was not is also given
 * byte for byte in hex as project_hex, which session_read prefers. */
struct cJSON *session_to_json(const struct session *);

/* The ids of the store (file names only, nothing opened), newest first
 * to the second. 0 (none for a missing store), or -1 with *cause. */
int	 session_ids(const char *dir, char ***ids, size_t *n, char **cause);
void	 session_ids_free(char **, size_t);

/* All sessions of the store, newest first; project NULL = all. A
 * transcript without a sidecar is listed from its id alone. */
struct session_list {
	struct session	*v;
	size_t		 n;
};
int	 session_list(const char *dir, const char *project,
	     struct session_list *, char **cause);
void	 session_list_free(struct session_list *);

/* Resolve what the user typed: a full id, a unique prefix, "latest"
 * (newest of the project, else of the store), or a path to a .cast or
 * .cast.zst file, or to a .json one that is not a sidecar (asciinema 1.x
 * named its v1 files so). Fills s (with cast_path set). 0, or -1 with
 * *cause (unknown, ambiguous with the candidates named, not a
 * recording). */
int	 session_resolve(const char *spec, const char *project,
	     struct session *, char **cause);

#endif
