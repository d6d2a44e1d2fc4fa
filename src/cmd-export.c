/* cmd-export.c: sessions in and out of the store: export (asciicast v3 or
 * v2, the raw output, or the final screen as text) and import (any
 * asciicast v1/v2/v3 file, plain or zstd, copied into the store as a v3
 * stream with its header kept and a sidecar). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cast.h"
#include "cmd.h"
#include "player.h"
#include "render.h"
#include "session.h"
#include "sig.h"
#include "util.h"
#include "zio.h"

#define EXPORT_FLUSH	(256 * 1024)	/* write out in pieces this big */
#define IMPORT_LEVEL	6		/* zstd level for imported files */

enum export_format {
	FMT_CAST,
	FMT_CAST_V2,
	FMT_RAW,
	FMT_TEXT,
};

/* Where the export goes: stdout or a file; through zstd when the file's
 * name ends in .zst. */
struct export_out {
	int			 fd;
	const char		*path;		/* NULL for stdout */
	struct zio_writer	*z;
	struct buf		 b;
	int			 failed;
	int			 guarded;	/* ends blocked while writing a tmp */
	sigset_t		 ends;
};

/* The signals that end agentrun (sig_add_ends), blocked while a file is
 * written as its temporary name, so that one of them (Ctrl-C) does not
 * kill it with that file left behind: export_stopped sees it come, the
 * file goes, and the signal is let through (its default action, the exit
 * status the shell expects). One that is ignored stays ignored. */
static void
export_guard(struct export_out *o, sigset_t *old)
{
	if (sigemptyset(&o->ends) != 0)
		return;
	sig_add_live_ends(&o->ends);
	if (sigprocmask(SIG_BLOCK, &o->ends, old) != 0) {
		log_debug("sigprocmask: %s", strerror(errno));
		return;
	}
	o->guarded = 1;
}

/* 1 if a signal export_guard blocked has come. */
static int
export_stopped(struct export_out *o)
{
	return o->guarded && sig_ends_pending(&o->ends);
}

static void
export_flush(struct export_out *o, int force)
{
	int	 rc;

	if (o->failed || (o->b.len < EXPORT_FLUSH && !force))
		return;
	if (export_stopped(o)) {
		o->failed = 1;		/* quietly: the signal says it */
		buf_reset(&o->b);
		return;
	}
	if (o->b.len == 0)
		rc = 0;
	else if (o->z != NULL)
		rc = zio_write(o->z, o->b.data, o->b.len);
	else
		rc = write_all(o->fd, o->b.data, o->b.len);
	if (rc == 0 && force && o->z != NULL)
		rc = zio_end(o->z);
	if (rc != 0) {
		if (errno != EPIPE)
			log_error("%s: %s", o->path != NULL ? o->path :
			    "stdout", strerror(errno));
		o->failed = 1;
	}
	buf_reset(&o->b);
}

static int
export_events(const char *path, enum export_format fmt, struct export_out *o,
    char **damage, char **cause)
{
	struct cast_reader	*cr;
	struct cast_event	 ev;
	struct cast_clock	 clock;

	if ((cr = cast_reader_open(path, cause)) == NULL)
		return -1;
	memset(&clock, 0, sizeof clock);
	if (fmt != FMT_RAW)
		cast_header_write(cast_reader_header(cr), fmt == FMT_CAST_V2 ?
		    2 : 3, &o->b);
	/* Events as lines a reader takes: a long one is cut in several. */
	while (!o->failed && cast_reader_next(cr, &ev) == 1) {
		if (fmt == FMT_RAW) {
			if (ev.code == 'o')
				buf_add(&o->b, ev.data, ev.len);
		} else if (fmt == FMT_CAST_V2)	/* x too, as asciinema's */
			cast_event_write_split(NULL, 2, ev.time, ev.code,
			    ev.data, ev.len, &o->b);
		else
			cast_event_write_split(&clock, 3, ev.time, ev.code,
			    ev.data, ev.len, &o->b);
		export_flush(o, 0);
	}
	export_flush(o, 1);
	if (cast_reader_damage(cr) != NULL)
		*damage = xstrdup(cast_reader_damage(cr));
	cast_reader_free(cr);
	return 0;
}

static int
export_text(const char *path, struct export_out *o, char **damage,
    char **cause)
{
	struct render	*r;

	if (player_screen(path, -1, &r, damage, cause) != 0)
		return -1;
	render_text(r, &o->b);
	render_free(r);
	export_flush(o, 1);
	return 0;
}

static int
export_format_parse(const char *s, enum export_format *fmt)
{
	if (strcmp(s, "cast") == 0 || strcmp(s, "cast-v3") == 0)
		*fmt = FMT_CAST;
	else if (strcmp(s, "cast-v2") == 0)
		*fmt = FMT_CAST_V2;
	else if (strcmp(s, "raw") == 0)
		*fmt = FMT_RAW;
	else if (strcmp(s, "text") == 0)
		*fmt = FMT_TEXT;
	else
		return -1;
	return 0;
}

/* Where writing into path ends up: path with its symbolic links followed,
 * a dangling one to the file it would create (at most 40 deep). */
static char *
export_target(const char *path)
{
	char		*p = xstrdup(path), *next, *slash;
	char		 link[PATH_MAX];
	struct stat	 st;
	ssize_t		 n;
	int		 depth;

	for (depth = 0; depth < 40; depth++) {
		if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode))
			break;
		if ((n = readlink(p, link, sizeof link - 1)) < 0)
			break;
		link[n] = '\0';
		if (link[0] == '/' || (slash = strrchr(p, '/')) == NULL)
			next = xstrdup(link);
		else {
			*slash = '\0';
			next = path_join(*p == '\0' ? "/" : p, link);
		}
		free(p);
		p = next;
	}
	return p;
}

/* The temporary name o->path is written as: PATH.tmp.PID, or
 * DIR/.agentrun-export.PID.tmp where a name that long is more than a file
 * name may hold (a name near NAME_MAX is still exported). */
static char *
export_tmp_name(const char *path)
{
	const char	*base = strrchr(path, '/');
	char		*tmp;
	int		 dirlen;

	base = base != NULL ? base + 1 : path;
	xasprintf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if (strlen(tmp) - (size_t)(base - path) <= NAME_MAX)
		return tmp;
	free(tmp);
	dirlen = (int)(base - path);
	xasprintf(&tmp, "%.*s.agentrun-export.%ld.tmp", dirlen, path,
	    (long)getpid());
	return tmp;
}

/* A file with no name in the folder of path (O_TMPFILE), that a kill
 * cannot leave behind; export_link names it when it is complete. -1 with
 * errno EOPNOTSUPP, EISDIR or EINVAL where the file system or the kernel
 * has none, or where /proc (which export_link needs) is not mounted. */
static int
export_open_anon(const char *path)
{
#ifdef O_TMPFILE
	const char	*slash = strrchr(path, '/');
	char		*dir, proc[64];
	int		 fd, saved;

	if (slash == NULL)
		dir = xstrdup(".");
	else
		xasprintf(&dir, "%.*s", slash == path ? 1 : (int)(slash - path),
		    path);
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	saved = errno;
	free(dir);
	if (fd < 0) {
		errno = saved;
		return -1;
	}
	(void)snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (access(proc, F_OK) != 0) {
		(void)close(fd);
		errno = EOPNOTSUPP;
		return -1;
	}
	return fd;
#else
	(void)path;
	errno = EOPNOTSUPP;
	return -1;
#endif
}

/* Give the file export_open_anon opened the name tmp. 0, or -1 and errno. */
static int
export_link(int fd, const char *tmp)
{
	char	 proc[64];

	(void)snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW);
}

/* Open o->path for export -o. Never a file of the store, even through a
 * symbolic link (it would replace a recording), nor the input itself. A
 * new or regular file is written as a file with no name (*anon set), or
 * where there can be none as *tmp (export_tmp_name), and renamed from *tmp
 * over it when complete; anything else (a device such as /dev/null, a
 * FIFO, a symbolic link) is written into, as the shell's '>' does. 0, or
 * -1 after saying why. */
static int
export_open(struct export_out *o, const char *src, char **tmp, int *anon)
{
	struct stat	 st, in;
	char		*dir, *why = NULL, *target;
	int		 store, exists;

	*tmp = NULL;
	*anon = 0;
	dir = session_dir(0, &why);
	target = export_target(o->path);
	store = dir != NULL && path_in_dir(target, dir);
	free(target);
	free(dir);
	free(why);
	if (store || (stat(o->path, &st) == 0 && stat(src, &in) == 0 &&
	    st.st_dev == in.st_dev && st.st_ino == in.st_ino)) {
		log_error("%s: %s; choose another file", o->path, store ?
		    "agentrun's store holds the recordings" :
		    "it is the recording being exported");
		return -1;
	}
	exists = lstat(o->path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		if ((o->fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0666)) < 0) {
			log_error("%s: %s", o->path, strerror(errno));
			return -1;
		}
		return 0;
	}
	*tmp = export_tmp_name(o->path);
	if ((o->fd = export_open_anon(o->path)) >= 0)
		*anon = 1;
	else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		log_error("%s: %s", o->path, strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return -1;
	} else if ((o->fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0666)) < 0) {
		log_error("%s: %s", o->path, strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	/* A file replaced keeps its permissions, as with '>'. */
	if (exists && fchmod(o->fd, st.st_mode & 0777) != 0) {
		log_error("%s: %s", o->path, strerror(errno));
		(void)close(o->fd);
		if (!*anon)
			(void)unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	return 0;
}

int
cmd_export(struct globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format",	required_argument,	NULL, 'f' },
		{ "output",	required_argument,	NULL, 'o' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	enum export_format	 fmt = FMT_CAST;
	struct export_out	 o;
	struct session		 s;
	sigset_t		 old;
	char			*cause = NULL, *damage = NULL, *tmp = NULL;
	int			 ch, rc, drc, anon = 0;

	memset(&o, 0, sizeof o);
	o.fd = STDOUT_FILENO;
	optind = 0;	/* 0, not 1: glibc starts afresh (main's "+" is not kept) */
	while ((ch = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (export_format_parse(optarg, &fmt) != 0)
				return usage_error(argv[0], "unknown format "
				    "'%s' (cast, cast-v2, raw or text)", optarg);
			break;
		case 'o':
			if (*optarg == '\0')
				return usage_error(argv[0], "-o needs a file "
				    "name, not an empty one");
			/* "-": standard output, as without -o */
			o.path = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case 'h':
			return usage_print(argv[0]);
		default:
			return usage_getopt(argv, ch, longopts);
		}
	}
	if (argc - optind != 1)
		return usage_error(argv[0], "export takes one session ID");
	if (cmd_session(g, argv[optind], &s) != 0)
		return EXIT_ERROR;
	if (o.path != NULL &&
	    export_open(&o, s.cast_path, &tmp, &anon) != 0) {
		session_free(&s);
		return EXIT_ERROR;
	}
	if (tmp != NULL)
		export_guard(&o, &old);
	if (o.path != NULL && has_suffix(o.path, ".zst") &&
	    (o.z = zio_writer_new(o.fd, IMPORT_LEVEL)) == NULL)
		fatal("zstd: cannot make a compressor");
	buf_init(&o.b);
	if (fmt == FMT_TEXT)
		rc = export_text(s.cast_path, &o, &damage, &cause);
	else
		rc = export_events(s.cast_path, fmt, &o, &damage, &cause);
	if (rc != 0) {
		log_error("%s", cause);
		free(cause);
		o.failed = 1;
	}
	drc = cmd_damage(&s, damage);
	if (o.path != NULL) {
		/* Damaged input: FILE is left as it was (the rename is
		 * what replaces it); the part before the damage can be
		 * had on stdout, or through import. The end of a session
		 * still recording, or cut short by a crash, is no damage. */
		if (tmp != NULL && !o.failed && drc != EXIT_OK) {
			log_error("%s: not written, the recording is damaged; "
			    "without -o, what comes before the damage is "
			    "written to standard output", o.path);
			o.failed = 1;
		}
		if (tmp != NULL && !o.failed && export_stopped(&o))
			o.failed = 1;
		/* Complete: the file with no name is named tmp. */
		if (anon && !o.failed) {
			if (export_link(o.fd, tmp) != 0) {
				log_error("%s: %s", tmp, strerror(errno));
				o.failed = 1;
			} else
				anon = 0;
		}
		if (!o.failed && close(o.fd) != 0) {
			log_error("%s: %s", o.path, strerror(errno));
			o.failed = 1;
		} else if (o.failed)
			(void)close(o.fd);
		if (tmp != NULL && !o.failed && rename(tmp, o.path) != 0) {
			log_error("%s: %s", o.path, strerror(errno));
			o.failed = 1;
		}
		if (tmp != NULL && o.failed && !anon)
			(void)unlink(tmp);
		free(tmp);
	}
	/* A signal that came is delivered here, the file gone. */
	if (o.guarded && sigprocmask(SIG_SETMASK, &old, NULL) != 0)
		log_debug("sigprocmask: %s", strerror(errno));
	rc = o.failed ? EXIT_ERROR : drc;
	free(damage);
	buf_free(&o.b);
	zio_writer_free(o.z);
	session_free(&s);
	return rc;
}

/* ------------------------------------------------------------------ */
/* import */

struct import {
	struct zio_writer	*zw;
	struct cast_clock	 clock;
	struct buf		 b;
	uint64_t		 bytes;
	size_t			 events;
	int64_t			 end;
	int			 exit_status;
	int			 input;		/* "i" events seen */
};

static int
import_flush(struct import *im, int force)
{
	if (im->b.len < EXPORT_FLUSH && !force)
		return 0;
	if (im->b.len > 0 && zio_write(im->zw, im->b.data, im->b.len) != 0)
		return -1;
	buf_reset(&im->b);
	return 0;
}

/* Copy every event as v3, a long one cut into lines a reader takes
 * (cast_event_write_split); note the size, end and exit status. */
static int
import_copy(struct cast_reader *cr, struct import *im)
{
	struct cast_event	 ev;
	int			 st;

	cast_header_write(cast_reader_header(cr), 3, &im->b);
	while (cast_reader_next(cr, &ev) == 1) {
		im->events++;
		cast_event_write_split(&im->clock, 3, ev.time, ev.code,
		    ev.data, ev.len, &im->b);
		if (ev.code == 'o')
			im->bytes += ev.len;
		if (ev.code == 'i')
			im->input = 1;
		if ((st = cast_event_exit_status(&ev)) >= 0)
			im->exit_status = st;
		if (ev.time > im->end)
			im->end = ev.time;
		if (import_flush(im, 0) != 0)
			return -1;
	}
	if (import_flush(im, 1) != 0 || zio_end(im->zw) != 0)
		return -1;
	return 0;
}

#define IMPORT_END_MAX	(253402300799LL * 1000000)

static void
import_sidecar(const struct cast_header *h, const char *file,
    const struct import *im, struct session *s)
{
	s->state = SESSION_IMPORTED;
	s->backend = xstrdup("import");
	if (h->command != NULL)
		s->command = xstrdup(h->command);
	else
		xasprintf(&s->command, "import %s", file);
	if (h->title != NULL)
		s->title = xstrdup(h->title);
	s->start = h->timestamp > 0 ? h->timestamp * 1000000 : wall_us();
	/* The end as a sidecar can hold it: up to the end of year 9999. */
	s->end = im->end < IMPORT_END_MAX - s->start ? s->start + im->end :
	    IMPORT_END_MAX;
	s->exit_status = im->exit_status;
	s->bytes = im->bytes;
	s->cols = h->cols;
	s->rows = h->rows;
	s->record_input = im->input;
	s->git_dirty_before = s->git_dirty_after = -1;
}

int
cmd_import(struct globals *g, int argc, char **argv)
{
	struct cast_reader	*cr = NULL;
	struct import		 im;
	struct session		 s;
	const char		*damage;
	char			*cause = NULL, *dir = NULL, *tmp = NULL;
	char			 id[SESSION_ID_LEN + 1];
	const char		*file, *name;
	int			 ch, fd = -1, rc = EXIT_ERROR;

	if ((ch = usage_help_only(argc, argv)) >= 0)
		return ch;
	if (argc - optind != 1)
		return usage_error(argv[0], "import takes one file");
	file = argv[optind];
	if (*file == '\0')
		return usage_error(argv[0], "import needs a file name, not an "
		    "empty one ('-' is standard input)");
	name = strcmp(file, "-") == 0 ? "standard input" : file;
	memset(&im, 0, sizeof im);
	im.exit_status = -1;
	buf_init(&im.b);
	session_init(&s);
	/* A session of this project; with none (the folder it was started
	 * in is gone), of none. */
	if (cmd_project(g, &s.project) != 0)
		goto out;
	if (s.project == NULL)
		log_warn("the current folder is gone; imported into no "
		    "project");
	if (has_suffix(file, ".json") && session_sidecar_at(file, id)) {
		xasprintf(&cause, "%s: a session's sidecar, not a recording: "
		    "import the .cast.zst beside it", file);
		goto out;
	}
	if ((cr = cast_reader_open(file, &cause)) == NULL)
		goto out;
	if ((dir = session_dir(1, &cause)) == NULL)
		goto out;
	if ((fd = session_file_new(dir, &tmp, &cause)) < 0)
		goto out;
	if ((im.zw = zio_writer_new(fd, IMPORT_LEVEL)) == NULL)
		fatal("zstd: cannot make a compressor");
	if (import_copy(cr, &im) != 0) {
		xasprintf(&cause, "%s: %s", tmp, strerror(zio_error(im.zw)));
		goto out;
	}
	if (im.events == 0 && (damage = cast_reader_damage(cr)) != NULL) {
		xasprintf(&cause, "%s: nothing to import before the damage: %s",
		    name, damage);
		goto out;
	}
	if (fsync(fd) != 0) {
		xasprintf(&cause, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	/* Its id is taken when it is complete (the time of the import), and
	 * it stays locked until its sidecar is written. */
	if (session_file_claim(&s, dir, tmp, &cause) != 0)
		goto out;
	free(tmp);
	tmp = NULL;
	import_sidecar(cast_reader_header(cr), file, &im, &s);
	if (session_write(&s, &cause) != 0) {
		(void)unlink(s.cast_path);
		goto out;
	}
	if (close(fd) != 0) {
		xasprintf(&cause, "%s: %s", s.cast_path, strerror(errno));
		fd = -1;
		(void)unlink(s.cast_path);
		(void)unlink(s.json_path);
		goto out;
	}
	fd = -1;
	if ((damage = cast_reader_damage(cr)) != NULL)
		log_warn("%s: imported up to the damage: %s", name, damage);
	/* An id that cannot be printed (stdout closed or full) is an
	 * import that failed: undone, as mktemp does, not left for a
	 * second try to copy. */
	printf("%s\n", s.id);
	if (flush_stdout() != 0) {
		(void)unlink(s.cast_path);
		(void)unlink(s.json_path);
		goto out;
	}
	rc = EXIT_OK;
out:
	if (fd >= 0)
		(void)close(fd);
	if (rc != EXIT_OK && tmp != NULL)
		(void)unlink(tmp);
	if (cause != NULL)
		log_error("%s", cause);
	free(cause);
	free(tmp);
	free(dir);
	zio_writer_free(im.zw);
	buf_free(&im.b);
	cast_reader_free(cr);
	session_free(&s);
	return rc;
}
