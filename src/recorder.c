/* recorder.c: turns what the proxy sees into an asciicast v3 stream: the
 * clock, UTF-8 carried across reads, secrets redacted across reads, the
 * flush policy (at least once a second while data is pending) and the
 * sidecar at start and end. A write failure never ends the session: the
 * recorder stops writing, remembers why, and says so at the end. */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cast.h"
#include "recorder.h"
#include "session.h"
#include "util.h"
#include "zio.h"

#define RECORDER_LEVEL	1	/* zstd level, adaptive (zio.c) */

/* One event kind's event being gathered. Output that arrives within one
 * millisecond becomes one event (v3 times are written in ms, so no timing
 * is lost). Without secrets to redact, data is escaped straight into the
 * open event line; pending keeps only a UTF-8 character cut at the end of
 * a read. With secrets, pending keeps the raw bytes until the event is
 * written, and after a write the tail that may be the start of a secret
 * ("held"). */
struct rstream {
	char			 code;
	struct buf		 pending;
	size_t			 held;	/* kept back by the last write */
	int64_t			 t;	/* time of the open event */
	struct buf		 line;	/* the open event line, or empty */
	size_t			 head;	/* its length before the data */
	struct cast_clock	 clock0; /* the clock before it opened */
};

#define MERGE_MAX	(32 * 1024)	/* write an event at least this often */

struct recorder {
	struct session			*s;
	struct recorder_opts		 opts;
	int				 fd;
	struct zio_writer		*z;
	struct cast_clock		 clock;
	int64_t				 t0;
	int64_t				 t_end;		/* recorder_stop_clock's, */
	int64_t				 wall_end;	/* 0 if not yet */
	int				 cols, rows;
	struct rstream			 out, in;
	struct buf			 line;		/* one event line */
	struct buf			 red;		/* redaction scratch */
	struct recorder_secret		*sec;		/* opts.secrets, and
							   their \r\n forms */
	char				**sec_crlf;	/* those forms (strv) */
	uint64_t			 head;		/* file size after
							   the header */
	char				*error;		/* first failure */
};

static void
recorder_fail(struct recorder *r, const char *what, int err)
{
	if (r->error != NULL)
		return;
	xasprintf(&r->error, "%s: %s", what, strerror(err));
}

static void
recorder_put(struct recorder *r, const struct buf *b)
{
	if (r->error != NULL || b->len == 0)
		return;
	if (zio_write(r->z, b->data, b->len) != 0)
		recorder_fail(r, "write", zio_error(r->z));
}

static void
recorder_event(struct recorder *r, int64_t t, char code, const char *data,
    size_t len, int escaped)
{
	buf_reset(&r->line);
	cast_event_write_v3(&r->clock, t, code, data, len, escaped, &r->line);
	recorder_put(r, &r->line);
}

/* Replace every one of the n secret values in b by [redacted:NAME]. */
static void
redact_buf(const struct recorder_secret *v, size_t n, struct buf *b,
    struct buf *red)
{
	const char	*p, *e, *hit;
	size_t		 i, vlen;

	for (i = 0; i < n; i++) {
		vlen = strlen(v[i].value);
		if (vlen == 0 || b->len < vlen)
			continue;
		if (memmem(b->data, b->len, v[i].value, vlen) == NULL)
			continue;
		buf_reset(red);
		p = b->data;
		e = b->data + b->len;
		while ((hit = memmem(p, (size_t)(e - p), v[i].value, vlen))
		    != NULL) {
			buf_add(red, p, (size_t)(hit - p));
			buf_addf(red, "[redacted:%s]", v[i].name);
			p = hit + vlen;
		}
		buf_add(red, p, (size_t)(e - p));
		buf_reset(b);
		buf_add(b, red->data, red->len);
	}
}

static int
secret_cmp(const void *a, const void *b)
{
	size_t	 la = strlen(((const struct recorder_secret *)a)->value);
	size_t	 lb = strlen(((const struct recorder_secret *)b)->value);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Longest first: a value that holds another (KEY=abc, OTHER=abcdef) is
 * replaced whole, not by the shorter one's name and its own rest. */
void
recorder_secrets_order(struct recorder_secret *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, secret_cmp);
}

static void
recorder_redact(struct recorder *r, struct buf *b)
{
	redact_buf(r->opts.secrets, r->opts.n_secrets, b, &r->red);
}

char *
recorder_redact_string(const struct recorder_secret *v, size_t n,
    const char *s)
{
	struct buf	 b, red;

	buf_init(&b);
	buf_init(&red);
	buf_adds(&b, s);
	redact_buf(v, n, &b, &red);
	buf_free(&red);
	if (b.data == NULL)
		return xstrdup("");
	return b.data;
}

/* How many bytes at the end of b might begin a secret. */
static size_t
recorder_holdback(struct recorder *r, const struct buf *b)
{
	const char	*v;
	size_t		 i, k, vlen, hold = 0;

	for (i = 0; i < r->opts.n_secrets; i++) {
		v = r->opts.secrets[i].value;
		vlen = strlen(v);
		for (k = vlen - (vlen > 0); k > hold; k--) {
			if (k <= b->len &&
			    memcmp(b->data + b->len - k, v, k) == 0) {
				hold = k;
				break;
			}
		}
	}
	return hold;
}

static void
recorder_open_event(struct recorder *r, struct rstream *st, int64_t t)
{
	st->t = t;
	st->clock0 = r->clock;
	cast_event_open_v3(&r->clock, t, st->code, &st->line);
	st->head = st->line.len;
}

/* Write the open event out; one with no data is dropped, as if it had
 * never been opened. */
static void
recorder_close_event(struct recorder *r, struct rstream *st)
{
	if (st->line.len == 0)
		return;
	if (st->line.len == st->head)
		r->clock = st->clock0;
	else {
		cast_event_close(&st->line);
		recorder_put(r, &st->line);
	}
	buf_reset(&st->line);
}

/* With secrets: redact what is pending and write it as one event, but
 * for a tail that may begin a secret (unless final). */
static void
recorder_stream_redacted(struct recorder *r, struct rstream *st, int final)
{
	size_t	 hold = 0, used;

	if (st->pending.len == 0 || (st->pending.len == st->held && !final))
		return;
	recorder_redact(r, &st->pending);
	if (!final)
		hold = recorder_holdback(r, &st->pending);
	if (st->pending.len > hold) {
		recorder_open_event(r, st, st->t);
		used = cast_escape(&st->line, st->pending.data,
		    st->pending.len - hold, final);
		recorder_close_event(r, st);
		buf_consume(&st->pending, used);
	}
	st->held = st->pending.len;
}

/* Write out what can be written of a stream; final writes everything. */
static void
recorder_stream(struct recorder *r, struct rstream *st, int final)
{
	if (r->opts.n_secrets > 0) {
		recorder_stream_redacted(r, st, final);
		return;
	}
	if (final && st->pending.len > 0) {	/* a cut character, last */
		if (st->line.len == 0)
			recorder_open_event(r, st, st->t);
		cast_escape(&st->line, st->pending.data, st->pending.len, 1);
		buf_reset(&st->pending);
		st->held = 0;
	}
	recorder_close_event(r, st);
}

/* Is an event of this stream waiting to be written? */
static int
recorder_waiting(const struct rstream *st)
{
	return st->line.len > 0 || st->pending.len > st->held;
}

/* Write what both streams hold, before an event of another kind. */
static void
recorder_settle(struct recorder *r, int final)
{
	recorder_stream(r, &r->out, final);
	recorder_stream(r, &r->in, final);
}

/* Without secrets: escape p straight into the open event. */
static void
recorder_append(struct recorder *r, struct rstream *st, int64_t t,
    const char *p, size_t n)
{
	size_t	 used;

	if (st->line.len == 0)
		recorder_open_event(r, st, t);
	if (st->pending.len > 0) {		/* a cut character first */
		buf_add(&st->pending, p, n);
		used = cast_escape(&st->line, st->pending.data,
		    st->pending.len, 0);
		buf_consume(&st->pending, used);
	} else {
		used = cast_escape(&st->line, p, n, 0);
		buf_add(&st->pending, p + used, n - used);
	}
	st->held = st->pending.len;
}

static void
recorder_data(struct recorder *r, struct rstream *st, const char *p,
    size_t n)
{
	struct rstream	*other = st == &r->out ? &r->in : &r->out;
	int64_t		 t = now_us() - r->t0;

	if (recorder_waiting(other))
		recorder_stream(r, other, 0);
	if (recorder_waiting(st) && t / 1000 != st->t / 1000)
		recorder_stream(r, st, 0);	/* a new millisecond */
	if (r->opts.n_secrets > 0) {
		if (st->pending.len == st->held)
			st->t = t;
		buf_add(&st->pending, p, n);
		if (st->pending.len >= MERGE_MAX)
			recorder_stream(r, st, 0);
		return;
	}
	recorder_append(r, st, t, p, n);
	if (st->line.len >= MERGE_MAX)
		recorder_stream(r, st, 0);
}

void
recorder_output_cb(void *arg, const char *p, size_t n)
{
	struct recorder	*r = arg;

	r->s->bytes += n;
	if (r->error == NULL)
		recorder_data(r, &r->out, p, n);
}

void
recorder_input_cb(void *arg, const char *p, size_t n)
{
	struct recorder	*r = arg;

	if (r->opts.record_input && r->error == NULL)
		recorder_data(r, &r->in, p, n);
}

void
recorder_resize_cb(void *arg, int cols, int rows)
{
	struct recorder	*r = arg;
	char		 size[32];
	int		 n;

	if (cols == r->cols && rows == r->rows)
		return;
	r->cols = cols;
	r->rows = rows;
	recorder_settle(r, 0);
	n = snprintf(size, sizeof size, "%dx%d", cols, rows);
	recorder_event(r, now_us() - r->t0, 'r', size, (size_t)n, 0);
}

void
recorder_tick_cb(void *arg)
{
	struct recorder	*r = arg;

	if (r->error != NULL)
		return;
	recorder_settle(r, 0);
	if (zio_pending(r->z) == 0)
		return;
	if (zio_flush(r->z) != 0)
		recorder_fail(r, "write", zio_error(r->z));
}

/* Create ID.cast.zst, locked before it appears: ls, rm and gc tell a
 * recording by this lock, whatever the sidecar says (or before it
 * exists). */
static int
recorder_open(struct recorder *r, const char *dir, char **cause)
{
	char	*tmp;

	if ((r->fd = session_file_new(dir, &tmp, cause)) < 0)
		return -1;
	if (session_file_claim(r->s, dir, tmp, cause) != 0) {
		(void)close(r->fd);
		r->fd = -1;
		(void)unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static void
recorder_header(struct recorder *r)
{
	struct cast_header	 h;
	struct buf		 b;

	cast_header_init(&h);
	h.version = 3;
	h.cols = r->cols;
	h.rows = r->rows;
	h.term_type = (char *)(uintptr_t)r->opts.term_type;
	h.timestamp = r->s->start / 1000000;
	h.command = r->s->command;
	h.title = r->s->title;
	buf_init(&b);
	cast_header_write(&h, 3, &b);
	recorder_put(r, &b);
	buf_free(&b);
	if (r->error == NULL && zio_flush(r->z) != 0)
		recorder_fail(r, "write", zio_error(r->z));
}

/* The secrets to redact: each value as given, and a value with line
 * breaks also as the terminal shows it, each \n after a \r (ONLCR). */
static void
recorder_secrets(struct recorder *r)
{
	const struct recorder_secret	*v = r->opts.secrets;
	size_t				 i, n = r->opts.n_secrets, k = 0, m = 0;
	struct buf			 b;
	const char			*p;

	if (n == 0)
		return;
	r->sec = xcalloc(2 * n, sizeof *r->sec);
	r->sec_crlf = xcalloc(n + 1, sizeof *r->sec_crlf);
	for (i = 0; i < n; i++) {
		r->sec[k++] = v[i];
		if (strchr(v[i].value, '\n') == NULL)
			continue;
		buf_init(&b);
		for (p = v[i].value; *p != '\0'; p++) {
			if (*p == '\n' && (p == v[i].value || p[-1] != '\r'))
				buf_addc(&b, '\r');
			buf_addc(&b, *p);
		}
		r->sec_crlf[m++] = b.data;
		r->sec[k].name = v[i].name;
		r->sec[k++].value = b.data;
	}
	recorder_secrets_order(r->sec, k);
	r->opts.secrets = r->sec;
	r->opts.n_secrets = k;
}

static void
recorder_secrets_free(struct recorder *r)
{
	strv_free(r->sec_crlf);
	free(r->sec);
}

struct recorder *
recorder_new(struct session *s, const struct recorder_opts *opts,
    char **cause)
{
	struct recorder	*r;
	char		*dir;

	if ((dir = session_dir(1, cause)) == NULL)
		return NULL;
	r = xcalloc(1, sizeof *r);
	r->s = s;
	r->opts = *opts;
	recorder_secrets(r);
	r->fd = -1;
	r->out.code = 'o';
	r->in.code = 'i';
	if (recorder_open(r, dir, cause) != 0)
		goto fail;
	r->z = zio_writer_new(r->fd, opts->level > 0 ? opts->level :
	    RECORDER_LEVEL);
	if (r->z == NULL) {
		xasprintf(cause, "zstd: cannot create a compressor");
		goto fail;
	}
	r->cols = s->cols;
	r->rows = s->rows;
	r->t0 = now_us();
	if (s->start == 0)
		s->start = wall_us();
	s->pid = getpid();
	s->state = SESSION_RUNNING;
	s->record_input = opts->record_input;
	recorder_header(r);
	r->head = zio_bytes_flushed(r->z);
	zio_writer_adaptive(r->z);
	if (r->error != NULL) {		/* the file goes: say only why */
		xasprintf(cause, "%s: %s", s->cast_path,
		    strerror(zio_error(r->z)));
		goto fail;
	}
	if (session_write(s, cause) != 0)
		goto fail;
	free(dir);
	return r;
fail:
	if (r->fd >= 0) {
		close(r->fd);
		unlink(s->cast_path);
	}
	free(r->error);
	zio_writer_free(r->z);
	recorder_secrets_free(r);
	free(r);
	free(dir);
	return NULL;
}

/* After a failed write, what the transcript keeps. With cut, it is first
 * cut back to the end of its last flush, so that it ends with a whole
 * event and the room the torn tail took (on a full disk) is free again
 * for the sidecar; that loses the whole blocks written since, so it is
 * done only when the sidecar finds no room otherwise. */
static char *
recorder_kept(struct recorder *r, int cut)
{
	uint64_t	 keep = zio_bytes_flushed(r->z);
	char		*msg;

	/* If this fails, the tail stays: readers drop a torn last line, so
	 * the message is as true. */
	if (cut && ftruncate(r->fd, (off_t)keep) != 0)
		log_debug("%s: ftruncate: %s", r->s->cast_path,
		    strerror(errno));
	if (keep <= r->head && cut)
		xasprintf(&msg, "recording stopped at the start (%s); no output "
		    "was kept (%s holds only the session's header)", r->error,
		    r->s->cast_path);
	else if (keep <= r->head)
		xasprintf(&msg, "recording stopped at the start (%s); %s holds "
		    "at most its first output", r->error, r->s->cast_path);
	else
		xasprintf(&msg, "recording stopped early (%s); what was "
		    "written before is kept in %s", r->error, r->s->cast_path);
	return msg;
}

void
recorder_stop_clock(struct recorder *r)
{
	if (r == NULL || r->wall_end != 0)
		return;
	r->t_end = now_us() - r->t0;
	r->wall_end = wall_us();
}

int
recorder_finish(struct recorder *r, int status, char **cause)
{
	struct session	*s = r->s;
	struct stat	 sb;
	int64_t		 t;
	char		 st[16], *msg = NULL, *c2 = NULL, *tmp;
	int		 n, rc;

	recorder_stop_clock(r);
	t = r->t_end;
	if (r->error == NULL) {
		recorder_settle(r, 1);
		n = snprintf(st, sizeof st, "%d", status);
		recorder_event(r, t, 'x', st, (size_t)n, 0);
	}
	if (r->error == NULL && zio_end(r->z) != 0)
		recorder_fail(r, "write", zio_error(r->z));
	/* Deleted while it ran (by hand, or with the store): a sidecar
	 * now would describe a recording that is not there. */
	if (fstat(r->fd, &sb) == 0 && sb.st_nlink == 0) {
		xasprintf(cause, "the recording was deleted while the session "
		    "ran (%s): nothing of it is kept", s->cast_path);
		(void)close(r->fd);	/* nothing left to lose */
		r->fd = -1;
		/* Nor the sidecar of the start, which would show it as an
		 * interrupted session with no transcript. */
		if (unlink(s->json_path) != 0 && errno != ENOENT)
			log_debug("%s: %s", s->json_path, strerror(errno));
		return -1;
	}
	if (r->error != NULL)
		msg = recorder_kept(r, 0);
	s->end = r->wall_end;
	s->exit_status = status;
	s->state = SESSION_FINISHED;
	if (msg != NULL)
		s->record_error = xstrdup(msg);
	/* The sidecar says finished before the transcript's lock goes:
	 * never a moment where gc would take it for an interrupted one. A
	 * full disk may have room for it only once the torn tail is gone. */
	rc = session_write(s, &c2);
	if (rc != 0 && r->error != NULL && (errno == ENOSPC ||
	    errno == EDQUOT)) {
		free(c2);
		c2 = NULL;
		free(msg);
		msg = recorder_kept(r, 1);
		free(s->record_error);
		s->record_error = xstrdup(msg);
		rc = session_write(s, &c2);
	}
	if (rc != 0) {
		if (msg == NULL)
			xasprintf(&msg, "the session's sidecar could not be "
			    "written: %s", c2);
		else {
			tmp = msg;
			xasprintf(&msg, "%s; and the sidecar could not be "
			    "written either (%s), so the session shows as "
			    "interrupted", tmp, c2);
			free(tmp);
		}
	}
	free(c2);
	/* No fsync: the file is safe from a crash of this process once
	 * written, and the kernel writes it back as it does script's and
	 * asciinema's. Waiting for the disk here cost ~35 ms per 100 MB
	 * of output at every exit (tests/bench). */
	if (close(r->fd) != 0 && msg == NULL)
		xasprintf(&msg, "recording stopped early (close: %s); what "
		    "was written before is kept in %s", strerror(errno),
		    s->cast_path);
	r->fd = -1;
	if (msg != NULL) {
		*cause = msg;
		return -1;
	}
	return 0;
}

void
recorder_free(struct recorder *r)
{
	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	zio_writer_free(r->z);
	buf_free(&r->out.pending);
	buf_free(&r->in.pending);
	buf_free(&r->out.line);
	buf_free(&r->in.line);
	buf_free(&r->line);
	buf_free(&r->red);
	recorder_secrets_free(r);
	free(r->error);
	free(r);
}
