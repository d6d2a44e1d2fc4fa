/* cmd-rm.c: deleting sessions: rm (the sessions named, each resolved to
 * exactly one session of the store before anything is deleted) and gc
 * (finished sessions beyond the newest N and/or older than some days,
 * what a crash left, and replay snapshots of sessions deleted by hand).
 * A session that is still recording is never deleted. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "player.h"
#include "session.h"
#include "util.h"

/* Remove a session's files. 0, or -1 after saying why. */
static int
rm_files(const struct session *s)
{
	char	*cache;
	int	 rc = 0;

	if (unlink(s->cast_path) != 0 && errno != ENOENT) {
		log_error("%s: %s", s->cast_path, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && s->json_path != NULL && unlink(s->json_path) != 0 &&
	    errno != ENOENT) {
		log_error("%s: %s", s->json_path, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && (cache = player_cache_path(s->id)) != NULL) {
		(void)unlink(cache);	/* replay's snapshots, if any */
		free(cache);
	}
	return rc;
}

/* Is the transcript a file of the store (not some path the user gave)? */
static int
rm_in_store(const struct session *s, const char *dir)
{
	return session_id_valid(s->id) && path_in_dir(s->cast_path, dir);
}

int
cmd_rm(struct globals *g, int argc, char **argv)
{
	struct session	*v;
	char		*project, *dir, *cause = NULL;
	int		 i, j, n, bad = 0, dup, dd;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return usage_print(argv[0]);	/* anywhere, as getopt */
	/* No options but help: one after an id too ('rm ID -f') is an
	 * error, not an id (no id starts with '-'; a file can, after --). */
	for (i = 1, dd = 0; i < argc && !dd; i++) {
		if (strcmp(argv[i], "--") == 0)
			dd = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_option(argv[0], argv[i]);
	}
	if (argc - 1 - dd == 0)
		return usage_error(argv[0], "rm takes one or more session IDs");
	if ((dir = session_dir(0, &cause)) == NULL) {
		log_error("%s", cause);
		free(cause);
		return EXIT_ERROR;
	}
	if (cmd_project(g, &project) != 0) {
		free(dir);
		return EXIT_ERROR;
	}

	/* Resolve every id first: nothing goes unless all are clear. */
	v = xcalloc((size_t)argc, sizeof *v);
	for (n = 0, i = 1; i < argc; i++) {
		if (dd && strcmp(argv[i], "--") == 0) {
			dd = 0;		/* the end of the options */
			continue;
		}
		if (session_resolve(argv[i], project, &v[n], &cause) != 0) {
			log_error("%s", cause);
			free(cause);
			cause = NULL;
			bad = 1;
			continue;
		}
		if (strcmp(argv[i], "latest") == 0 && (project == NULL ||
		    v[n].project == NULL || strcmp(v[n].project, project)
		    != 0)) {
			/* latest's fallback to the store is for reading */
			log_error("latest: no session of %s to remove; name "
			    "one by its id (see 'agentrun ls --all')",
			    project != NULL ? project : "this folder");
			bad = 1;
		} else if (!rm_in_store(&v[n], dir)) {
			log_error("%s: not a session of the store (%s)",
			    argv[i], dir);
			bad = 1;
		} else if (v[n].state == SESSION_RUNNING) {
			if (v[n].pid > 0)
				log_error("%s: still recording (pid %ld)",
				    v[n].id, (long)v[n].pid);
			else
				log_error("%s: still recording", v[n].id);
			bad = 1;
		}
		for (dup = 0, j = 0; j < n; j++)
			dup |= strcmp(v[j].id, v[n].id) == 0;
		if (dup)
			session_free(&v[n]);
		else
			n++;
	}
	if (bad)
		log_error("nothing removed");
	for (j = 0; j < n; j++) {
		if (!bad && rm_files(&v[j]) != 0)
			bad = 1;
		session_free(&v[j]);
	}
	free(v);
	free(project);
	free(dir);
	return bad ? EXIT_ERROR : EXIT_OK;
}

/* Is name a file a crash can leave: a transcript not yet linked into
 * place (".PID.cast.zst.new", session.c), or a file of an id not yet
 * renamed into place ("ID" ext ".tmp.PID", util.c)? Then *pid is its
 * maker's. */
static int
gc_leftover_name(const char *name, const char *ext, long *pid)
{
	const char	*p;
	char		*end;
	size_t		 n = strlen(ext);

	if (name[0] == '.' && strcmp(ext, ".json") == 0)
		p = name + 1;
	else if (strlen(name) > SESSION_ID_LEN + n + 5 &&
	    strncmp(name + SESSION_ID_LEN, ext, n) == 0 &&
	    strncmp(name + SESSION_ID_LEN + n, ".tmp.", 5) == 0)
		p = name + SESSION_ID_LEN + n + 5;
	else
		return 0;
	if (*p < '1' || *p > '9')
		return 0;
	errno = 0;
	*pid = strtol(p, &end, 10);
	if (errno != 0)
		return 0;
	return name[0] == '.' ? strcmp(end, ".cast.zst.new") == 0 :
	    *end == '\0';
}

/* Is the session whose sidecar is being written as name (ID.json.tmp.PID)
 * still held by its maker? Every maker of a sidecar (a recorder, import)
 * holds the lock on its transcript meanwhile, a better witness than the
 * pid in the name, which may be of another PID namespace (a container
 * sharing the store) and so look gone here. Can it not be told (no flock
 * here), the pid alone decides. */
static int
gc_sidecar_held(const char *dir, const char *name)
{
	char	 cast[SESSION_ID_LEN + sizeof ".cast.zst"], *path;
	int	 held;

	if (name[0] == '.')	/* the transcript itself: locked, or not */
		return 0;
	memcpy(cast, name, SESSION_ID_LEN);
	memcpy(cast + SESSION_ID_LEN, ".cast.zst", sizeof ".cast.zst");
	path = path_join(dir, cast);
	held = file_locked(path) == 1;
	free(path);
	return held;
}

/* Transcripts a crash left under their hidden name, and sidecars not yet
 * renamed into place: no lock on them (for a sidecar, on its transcript)
 * and their maker gone. One linked into place is still there by its id. */
static int
gc_leftovers(const char *dir, int dry, size_t *removed)
{
	struct dirent	*de;
	DIR		*d;
	char		*path;
	long		 pid;
	int		 rc = 0, r;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (!gc_leftover_name(de->d_name, ".json", &pid) ||
		    pid_alive(pid) || gc_sidecar_held(dir, de->d_name))
			continue;
		path = path_join(dir, de->d_name);
		if (dry) {
			if (file_locked(path) == 0) {
				printf("would remove %s (left by a crash)\n",
				    de->d_name);
				(*removed)++;
			}
		} else if ((r = unlink_leftover(path, pid)) == 1) {
			printf("removed %s (left by a crash)\n", de->d_name);
			(*removed)++;
		} else if (r < 0) {
			log_error("%s: %s", path, strerror(errno));
			rc = -1;
		}
		free(path);
	}
	closedir(d);
	return rc;
}

/* Does the store hold a file of the session id (its sidecar or its
 * transcript)? 1 if it does or that cannot be told, 0 if it does not. */
static int
gc_has_session(const char *dir, const char *id)
{
	static const char	*ext[] = { ".cast.zst", ".json" };
	struct stat		 st;
	char			*name, *path;
	size_t			 i;
	int			 rv = 0;

	for (i = 0; i < sizeof ext / sizeof ext[0] && !rv; i++) {
		xasprintf(&name, "%s%s", id, ext[i]);
		path = path_join(dir, name);
		free(name);
		if (lstat(path, &st) == 0 || errno != ENOENT)
			rv = 1;
		free(path);
	}
	return rv;
}

/* Replay's snapshot caches (ID.snap) of sessions that are gone, deleted
 * by hand: only when the store has neither the sidecar nor the
 * transcript of that id (a session being recorded has its transcript).
 * And caches a crash left half written (ID.snap.tmp.PID). */
static int
gc_snapshots(const char *dir, int dry, size_t *removed)
{
	struct dirent	*de;
	DIR		*d;
	char		*snaps, *path, id[SESSION_ID_LEN + 1];
	const char	*why;
	long		 pid;
	int		 rc = 0;

	if ((snaps = player_cache_dir()) == NULL)
		return 0;
	if ((d = opendir(snaps)) == NULL) {
		if (errno != ENOENT) {
			log_error("%s: %s", snaps, strerror(errno));
			rc = -1;
		}
		free(snaps);
		return rc;
	}
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) < SESSION_ID_LEN + 5)
			continue;
		memcpy(id, de->d_name, SESSION_ID_LEN);
		id[SESSION_ID_LEN] = '\0';
		if (!session_id_valid(id))
			continue;
		if (gc_leftover_name(de->d_name, ".snap", &pid)) {
			if (pid_alive(pid))
				continue;
			why = "left by a crash";
		} else if (strcmp(de->d_name + SESSION_ID_LEN, ".snap") == 0 &&
		    !gc_has_session(dir, id))
			why = "snapshots of a deleted session";
		else
			continue;
		path = path_join(snaps, de->d_name);
		if (dry) {
			printf("would remove %s (%s)\n", de->d_name, why);
			(*removed)++;
		} else if (unlink(path) == 0) {
			printf("removed %s (%s)\n", de->d_name, why);
			(*removed)++;
		} else if (errno != ENOENT) {
			log_error("%s: %s", path, strerror(errno));
			rc = -1;
		}
		free(path);
	}
	closedir(d);
	free(snaps);
	return rc;
}

/* When a session came into the store: the sidecar's start, else (and
 * for an import, whose start is its file's, maybe years before) the time
 * in its id, as ls orders them: a file imported today is not old. */
static int64_t
gc_start(const struct session *s)
{
	struct tm	 tm;
	time_t		 t;

	if (s->start > 0 && s->state != SESSION_IMPORTED)
		return s->start;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s->id, "%4d%2d%2d-%2d%2d%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return 0;
	return (int64_t)t * 1000000;
}

int
cmd_gc(struct globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "keep",	required_argument,	NULL, 'k' },
		{ "older-than",	required_argument,	NULL, 'o' },
		{ "dry-run",	no_argument,		NULL, 'n' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct session_list	 l;
	const struct session	*s;
	char			*dir, *cause = NULL, *end;
	long			 keep = -1, rank = 0;
	double			 days = -1;
	int64_t			 cutoff = 0;
	size_t			 i, removed = 0;	/* or would be */
	int			 ch, dry = 0, rc = EXIT_OK;

	(void)g;
	optind = 0;	/* 0, not 1: glibc starts afresh (main's "+" is not kept) */
	while ((ch = getopt_long(argc, argv, ":nh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			if (parse_int(optarg, 0, 1000000000, &keep) != 0)
				return usage_error(argv[0], "--keep needs a "
				    "number, not '%s'", optarg);
			break;
		case 'o':
			/* Digits and a point only: strtod also takes a
			 * sign, spaces, hex ("0x10" days) and "inf". */
			days = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !isfinite(days) ||
			    optarg[strspn(optarg, "0123456789.")] != '\0' ||
			    days < 0 || days > 1e6)
				return usage_error(argv[0], "--older-than needs "
				    "a number of days, not '%s'", optarg);
			break;
		case 'n':
			dry = 1;
			break;
		case 'h':
			return usage_print(argv[0]);
		default:
			return usage_getopt(argv, ch, longopts);
		}
	}
	if (optind < argc)
		return usage_error(argv[0], "unexpected argument: %s",
		    argv[optind]);
	if (keep < 0 && days < 0)
		return usage_error(argv[0], "say what to delete: --keep N "
		    "and/or --older-than DAYS");
	if (days >= 0)
		cutoff = wall_us() - (int64_t)(days * 86400e6);
	if ((dir = session_dir(0, &cause)) == NULL ||
	    session_list(dir, NULL, &l, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		free(dir);
		return EXIT_ERROR;
	}
	for (i = 0; i < l.n; i++) {	/* newest first */
		s = &l.v[i];
		if (s->state == SESSION_RUNNING)
			continue;
		if (keep >= 0 && rank++ < keep)
			continue;
		if (days >= 0 && gc_start(s) >= cutoff)
			continue;
		if (dry) {
			printf("would remove %s\n", s->id);
			removed++;
		} else if (rm_files(s) == 0) {
			printf("removed %s\n", s->id);
			removed++;
		} else
			rc = EXIT_ERROR;
	}
	if (gc_leftovers(dir, dry, &removed) != 0)
		rc = EXIT_ERROR;
	if (gc_snapshots(dir, dry, &removed) != 0)
		rc = EXIT_ERROR;
	if (removed == 0 && rc == EXIT_OK)	/* also for --dry-run */
		log_info("nothing to remove");
	session_list_free(&l);
	free(dir);
	return rc;
}
