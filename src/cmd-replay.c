/* cmd-replay.c: watching a session again: replay (played back through a
 * virtual terminal on the user's terminal, never the recorded bytes
 * themselves), text (the screen at the end, or at a time, as plain
 * text), and the hidden __index that builds the snapshot cache of a long
 * session in the background when it ends, so the first seek is quick. */
#include <sys/resource.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "player.h"
#include "proc.h"
#include "render.h"
#include "session.h"
#include "util.h"

#define TEXT_CACHE_MAX	(256 * 1024 * 1024)	/* the timeline is in memory */
#define INDEX_NICE	19			/* __index runs in the background */

/* Seconds as the user may write them ("90", "1.5", "1:30", "2m") into
 * microseconds. 0, or -1 if it is not a time. */
static int
replay_parse_time(const char *s, int64_t *us)
{
	double	 v;

	if (parse_seconds(s, &v) != 0 || !isfinite(v) || v < 0 || v > 1e12)
		return -1;
	*us = llround(v * 1e6);
	return 0;
}

/* What the status line says at an end cut short: damage only where the
 * file should have been whole (cmd_damage's rule). */
static const char *
replay_end_note(const struct session *s, const char *damage)
{
	if (s->state == SESSION_RUNNING)
		return "still recording: played what is written so far";
	if (damage == NULL || strncmp(damage, "cut short", 9) != 0)
		return NULL;
	if (s->state == SESSION_INTERRUPTED)
		return "interrupted: played what was written";
	if (s->state != SESSION_FINISHED || s->record_error != NULL)
		return "cut short: played what was written";
	return NULL;
}

/* 1 if s is a finished session of the store long enough for a snapshot
 * cache and short enough to index in memory. Only the store's file has
 * its id's cache: a copy elsewhere, with or without its sidecar, would
 * replace it with one of its own. */
static int
cache_worth(const struct session *s)
{
	char	*dir, *why = NULL;
	int	 in;

	if (!session_id_valid(s->id) || s->state == SESSION_RUNNING ||
	    s->bytes < PLAYER_CACHE_MIN || s->bytes > TEXT_CACHE_MAX ||
	    s->cast_path == NULL)
		return 0;
	dir = session_dir(0, &why);
	in = dir != NULL && path_in_dir(s->cast_path, dir);
	free(dir);
	free(why);
	return in;
}

int
cmd_replay(struct globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "speed",	required_argument,	NULL, 's' },
		{ "idle-limit",	required_argument,	NULL, 'i' },
		{ "at",		required_argument,	NULL, 't' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct player_opts	 o;
	struct session		 s;
	struct timeline		 tl;
	char			*cause = NULL, *end, *cache = NULL;
	int			 ch, rc, sig;
	int64_t			 us;

	memset(&o, 0, sizeof o);
	o.speed = 1;
	o.idle_limit = -1;
	optind = 0;	/* 0, not 1: glibc starts afresh (main's "+" is not kept) */
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			/* Digits and a point: no hex, no exponent. */
			o.speed = strtod(optarg, &end);
			if (end == optarg || *end != '\0' ||
			    optarg[strspn(optarg, "0123456789.")] != '\0' ||
			    o.speed < 1.0 / 16 || o.speed > 64)
				return usage_error(argv[0], "--speed needs a "
				    "number from 0.0625 to 64, not '%s'", optarg);
			break;
		case 'i':
			if (replay_parse_time(optarg, &us) != 0)
				return usage_error(argv[0], "--idle-limit needs"
				    " seconds, not '%s'", optarg);
			/* Under a microsecond but not 0 (which is none): the
			 * least limit there is. */
			if (us == 0 && optarg[strspn(optarg, "0.:hms")] != '\0')
				us = 1;
			o.idle_limit = (double)us / 1e6;
			break;
		case 't':
			if (replay_parse_time(optarg, &o.at) != 0)
				return usage_error(argv[0], "--at needs a time "
				    "(90, 1.5, 1:30, 2m), not '%s'", optarg);
			break;
		case 'h':
			return usage_print(argv[0]);
		default:
			return usage_getopt(argv, ch, longopts);
		}
	}
	if (argc - optind != 1)
		return usage_error(argv[0], "replay takes one session ID");
	if (cmd_session(g, argv[optind], &s) != 0)
		return EXIT_ERROR;
	if (!isatty(STDOUT_FILENO)) {
		log_error("replay draws on a terminal and stdout is not one; "
		    "use 'agentrun cat %s' for the raw output or 'agentrun "
		    "text %s' for the screen", argv[optind], argv[optind]);
		session_free(&s);
		return EXIT_ERROR;
	}
	/* Long sessions of the store keep their snapshots in a cache. */
	if (cache_worth(&s) && stat(s.cast_path, &o.cache_st) == 0)
		o.cache = cache = player_cache_path(s.id);
	if (timeline_load(&tl, s.cast_path, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		free(cache);
		session_free(&s);
		return EXIT_ERROR;
	}
	o.end_note = replay_end_note(&s, tl.damage);
	if ((sig = player_run(&tl, &o, &cause)) < 0) {
		log_error("%s", cause);
		free(cause);
		rc = EXIT_ERROR;
	} else if (sig > 0)
		rc = 128 + sig;		/* as a shell reports a killed program */
	else
		rc = cmd_damage(&s, tl.damage);
	timeline_free(&tl);
	session_free(&s);
	free(cache);
	return rc;
}

/* The timeline and snapshots of such a session, from its cache, or made
 * with a pass over everything and saved in the cache. 0, or -1 (not such
 * a session, or unreadable: the caller reads it straight through). */
static int
cache_open(const struct session *s, struct timeline *tl,
    struct seeker **sk)
{
	struct stat	 st;
	char		*cache, *why = NULL;

	if (!cache_worth(s) || stat(s->cast_path, &st) != 0)
		return -1;
	if ((cache = player_cache_path(s->id)) == NULL)
		return -1;
	if (timeline_load(tl, s->cast_path, &why) != 0) {
		free(why);
		free(cache);
		return -1;
	}
	*sk = seeker_new(tl);
	if (seeker_load(*sk, cache, &st) != 0) {
		while (seeker_work(*sk, 64 << 20))
			;
		if (seeker_save(*sk, cache, &st, &why) != 0) {
			log_debug("%s", why);
			free(why);
		} else if (access(s->cast_path, F_OK) != 0 && errno == ENOENT)
			(void)unlink(cache);	/* rm'd meanwhile */
	}
	free(cache);
	return 0;
}

/* The screen of a long finished session of the store at at (< 0: the
 * end), as text in b, through the replay snapshot cache: a seek from the
 * nearest snapshot instead of a pass over everything. The indexer started
 * at the end of the session, or else the first use, builds and saves the
 * cache; other sessions are read straight through by the caller (0).
 * 1 when done. */
static int
text_cached(const struct session *s, int64_t at, struct buf *b,
    char **damage)
{
	struct timeline	 tl;
	struct seeker	*sk;
	size_t		 idx;

	if (cache_open(s, &tl, &sk) != 0)
		return 0;
	idx = at < 0 ? tl.n : timeline_index(&tl, at);
	render_text(seeker_goto(sk, idx), b);
	*damage = tl.damage != NULL ? xstrdup(tl.damage) : NULL;
	seeker_free(sk);
	timeline_free(&tl);
	return 1;
}

void
replay_index_later(const struct session *s)
{
	const char	*argv[] = { "agentrun", "__index", s->id, NULL };
	char		*cause = NULL;

	if (!cache_worth(s))
		return;
	if (proc_detach("/proc/self/exe", argv, &cause) != 0) {
		log_debug("%s", cause);	/* the first replay indexes it */
		free(cause);
	}
}

int
cmd_index(struct globals *g, int argc, char **argv)
{
	struct session	 s;
	struct timeline	 tl;
	struct seeker	*sk;

	if (argc != 2)
		return usage_error(argv[0], "__index takes one session ID");
	/* Background work: it yields to everything else. */
	if (setpriority(PRIO_PROCESS, 0, INDEX_NICE) != 0)
		log_debug("setpriority: %s", strerror(errno));
	if (cmd_session(g, argv[1], &s) != 0)
		return EXIT_ERROR;
	if (cache_open(&s, &tl, &sk) == 0) {
		seeker_free(sk);
		timeline_free(&tl);
	}
	session_free(&s);
	return EXIT_OK;
}

int
cmd_text(struct globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "at",		required_argument,	NULL, 't' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct session	 s;
	struct render	*r;
	struct buf	 b;
	char		*cause = NULL, *damage;
	int		 ch, rc = EXIT_OK;
	int64_t		 at = -1;

	optind = 0;	/* 0, not 1: glibc starts afresh (main's "+" is not kept) */
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (replay_parse_time(optarg, &at) != 0)
				return usage_error(argv[0], "--at needs a time "
				    "(90, 1.5, 1:30, 2m), not '%s'", optarg);
			break;
		case 'h':
			return usage_print(argv[0]);
		default:
			return usage_getopt(argv, ch, longopts);
		}
	}
	if (argc - optind != 1)
		return usage_error(argv[0], "text takes one session ID");
	if (cmd_session(g, argv[optind], &s) != 0)
		return EXIT_ERROR;
	buf_init(&b);
	if (!text_cached(&s, at, &b, &damage)) {
		if (player_screen(s.cast_path, at, &r, &damage, &cause) != 0) {
			log_error("%s", cause);
			free(cause);
			session_free(&s);
			return EXIT_ERROR;
		}
		render_text(r, &b);
		render_free(r);
	}
	if (b.len > 0 && write_all(STDOUT_FILENO, b.data, b.len) != 0) {
		if (errno != EPIPE)
			log_error("stdout: %s", strerror(errno));
		rc = EXIT_ERROR;
	}
	buf_free(&b);
	if (rc == EXIT_OK)
		rc = cmd_damage(&s, damage);
	free(damage);
	session_free(&s);
	return rc;
}
