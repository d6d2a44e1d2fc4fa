/* player.h: playing a recording back. The timeline (every output, resize
 * and marker event in memory, recorded and idle-limited times), seeking
 * (a display terminal plus snapshots that an indexer takes ahead of it),
 * and the interactive loop of 'agentrun replay': pacing, keys, pause,
 * step, speed, markers and the status line. The timeline and seeking need
 * no terminal and are unit-tested. Times are microseconds; positions the
 * user sees (--at, seeks, the status line) are recorded times. */
#ifndef AGENTRUN_PLAYER_H
#define AGENTRUN_PLAYER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct render;

struct tl_event {
	int64_t		 t;	/* recorded time since the start */
	int64_t		 pt;	/* playback time: gaps capped at the idle limit */
	uint64_t	 cum;	/* output bytes of the events before this one */
	size_t		 off;	/* 'o' data or 'm' label in the arena */
	uint32_t	 len;
	char		 code;	/* 'o', 'r' or 'm' */
	int		 cols, rows;	/* 'r' */
};

struct timeline {
	struct tl_event	*ev;
	size_t		 n, cap;
	char		*data;		/* the arena */
	size_t		 datalen, datasize;
	int		 cols, rows;	/* size at the start */
	int64_t		 duration;	/* recorded time of the end */
	int64_t		 pduration;	/* playback time of the end */
	int64_t		 idle_limit;	/* 0: none */
	int64_t		 file_idle_limit; /* the header's, 0 if none */
	char		*damage;	/* how the file was cut or broken */
};

void	 timeline_init(struct timeline *);
void	 timeline_free(struct timeline *);
/* Read a recording (any asciicast). Input and unknown events are dropped.
 * A damaged file loads up to the damage (tl->damage says what). 0, or -1
 * with *cause when it cannot be read at all. */
int	 timeline_load(struct timeline *, const char *path, char **cause);
/* Add one event (times in order); used by the loader and by tests. */
void	 timeline_add(struct timeline *, int64_t t, char code, const char *,
	     size_t);
void	 timeline_end(struct timeline *, int64_t t);	/* the x event */
/* Cap every gap between events at limit (0: none) for pacing. */
void	 timeline_set_idle_limit(struct timeline *, int64_t limit);
/* The number of events at or before recorded time t. */
size_t	 timeline_index(const struct timeline *, int64_t t);
/* Recorded time to playback time and back. */
int64_t	 timeline_ptime(const struct timeline *, int64_t t);
int64_t	 timeline_rtime(const struct timeline *, int64_t pt);
/* The nearest marker strictly before (dir < 0) or after (dir > 0) t,
 * with its index in *idx; -1 if none. */
int64_t	 timeline_marker(const struct timeline *, int64_t t, int dir,
	     size_t *idx);
/* Apply event i to a terminal. */
void	 timeline_apply(const struct timeline *, size_t i, struct render *);

/* Seeking. */
struct seeker;
struct seeker *seeker_new(const struct timeline *);
void	 seeker_free(struct seeker *);
/* The display terminal after the first idx events. */
struct render *seeker_goto(struct seeker *, size_t idx);
struct render *seeker_render(struct seeker *);
size_t	 seeker_pos(struct seeker *);
/* Let the indexer take snapshots over about budget more output bytes: 1
 * while it has work left, 0 when it has reached the end. */
int	 seeker_work(struct seeker *, size_t budget);
size_t	 seeker_snapshots(struct seeker *, size_t *bytes);
/* The snapshots in a cache file (write_file_atomic, mode 0600), valid
 * for the transcript of that size and modification time and the same
 * build. save needs the indexer at the end; load gives 0 when they were
 * read (the indexer then has nothing left to do), -1 when the file is
 * missing, stale or refused. */
int	 seeker_save(struct seeker *, const char *path, const struct stat *,
	     char **cause);
int	 seeker_load(struct seeker *, const char *path, const struct stat *);
/* $XDG_STATE_HOME/agentrun/snapshots/ID.snap (regenerated when missing),
 * or NULL without a home. */
char	*player_cache_path(const char *id);
/* The folder of those ($XDG_STATE_HOME/agentrun/snapshots), or NULL. */
char	*player_cache_dir(void);
/* Output (bytes) from which a session is worth a snapshot cache. */
#define PLAYER_CACHE_MIN	(4 * 1024 * 1024)
/* A fixed number of output bytes between snapshots (tests use small
 * ones); by default it grows so snapshots take at most 1/8 of the output. */
void	 seeker_set_interval(struct seeker *, uint64_t);

/* The screen of a recording at recorded time at (the end if at < 0),
 * read straight through without a timeline. *damage: what cut the file
 * short, or NULL. 0, or -1 with *cause if it cannot be read. */
int	 player_screen(const char *path, int64_t at, struct render **,
	     char **damage, char **cause);

/* The interactive player on the user's terminal (stdin, stdout). */
struct player_opts {
	double		 speed;		/* > 0, 1 = as recorded */
	double		 idle_limit;	/* seconds; < 0: the file's, 0: none */
	int64_t		 at;		/* start at this recorded time */
	const char	*cache;		/* snapshot cache file, or NULL */
	struct stat	 cache_st;	/* the transcript it belongs to */
	const char	*end_note;	/* said at an end with damage */
};
/* 0 when the user quit, the number of the signal that ended it (INT,
 * TERM, HUP, QUIT), or -1 with *cause. */
int	 player_run(struct timeline *, const struct player_opts *,
	     char **cause);

#endif
