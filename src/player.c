/* player.c: playing a recording back: the timeline of its events, seeking
 * through snapshots an indexer takes ahead of the display, and the
 * interactive loop of 'agentrun replay' (pacing, keys, pause, step,
 * speed, markers, status line) on the user's terminal, which it leaves
 * exactly as it found it on every way out. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "cast.h"
#include "player.h"
#include "render.h"
#include "sig.h"
#include "term.h"
#include "util.h"

#define TL_MAX_COLS	2000	/* larger sizes in a file are not believed */
#define TL_MAX_ROWS	1000
#define SNAP_MIN	(1024 * 1024)	/* output between snapshots, at least */
#define SNAP_RATIO	8	/* snapshots hold at most 1/8 of the output */
#define WORK_SLICE	(256 * 1024)	/* indexer work between polls */
#define FRAME_US	16000	/* at most about 60 repaints a second */
#define TICK_US		100000	/* the status clock while playing */
#define SEEK_STEP	5000000
#define SPEED_MIN	(1.0 / 16)
#define SPEED_MAX	64.0
#define PLAYER_MARK_AGAIN 2000000 /* [ within this of a jump: the one before */
#define PLAYER_ESC_MAX	16	/* an arrow key's sequence, at most */
#define PLAYER_ESC_WAIT	200000	/* us the rest of one cut by a read may take */
#define PLAYER_KEY_RIGHT 0x100	/* the arrows: no byte a key sends */
#define PLAYER_KEY_LEFT	0x101

/* ------------------------------------------------------------------ */
/* The timeline. */

void
timeline_init(struct timeline *tl)
{
	memset(tl, 0, sizeof *tl);
	tl->cols = 80;
	tl->rows = 24;
}

void
timeline_free(struct timeline *tl)
{
	free(tl->ev);
	free(tl->data);
	free(tl->damage);
	timeline_init(tl);
}

static int
parse_size(const char *s, int *cols, int *rows)
{
	char	*end;
	long	 c, r;

	c = strtol(s, &end, 10);
	if (end == s || *end != 'x')
		return -1;
	s = end + 1;
	r = strtol(s, &end, 10);
	if (end == s || *end != '\0')
		return -1;
	if (c < 1 || c > TL_MAX_COLS || r < 1 || r > TL_MAX_ROWS)
		return -1;
	*cols = (int)c;
	*rows = (int)r;
	return 0;
}

static uint64_t
tl_total(const struct timeline *tl)
{
	const struct tl_event	*e;

	if (tl->n == 0)
		return 0;
	e = &tl->ev[tl->n - 1];
	return e->cum + (e->code == 'o' ? e->len : 0);
}

/* Output bytes of the events before index i. */
static uint64_t
tl_cum(const struct timeline *tl, size_t i)
{
	return i >= tl->n ? tl_total(tl) : tl->ev[i].cum;
}

/* An idle limit in seconds, in microseconds: 0 for none; one under a
 * microsecond is the least there is, not none. */
static int64_t
tl_limit_us(double s)
{
	int64_t	 us;

	if (!(s > 0))
		return 0;
	us = llround(s * 1e6);
	return us > 0 ? us : 1;
}

static int64_t
tl_gap(const struct timeline *tl, int64_t gap)
{
	if (tl->idle_limit > 0 && gap > tl->idle_limit)
		return tl->idle_limit;
	return gap;
}

void
timeline_add(struct timeline *tl, int64_t t, char code, const char *data,
    size_t len)
{
	struct tl_event	 e, *prev;

	memset(&e, 0, sizeof e);
	if (code != 'o' && code != 'r' && code != 'm')
		return;
	if (code == 'r' && parse_size(data, &e.cols, &e.rows) != 0)
		return;
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	prev = tl->n > 0 ? &tl->ev[tl->n - 1] : NULL;
	if (t < 0)
		t = 0;
	if (prev != NULL && t < prev->t)
		t = prev->t;	/* times never go back */
	e.t = t;
	e.pt = prev == NULL ? tl_gap(tl, t) : prev->pt + tl_gap(tl, t - prev->t);
	e.code = code;
	e.cum = tl_total(tl);
	if (code == 'o' || code == 'm') {
		if (tl->datalen + len + 1 > tl->datasize) {
			while (tl->datalen + len + 1 > tl->datasize)
				tl->datasize = tl->datasize == 0 ? 65536 :
				    tl->datasize * 2;
			tl->data = xrealloc(tl->data, tl->datasize);
		}
		e.off = tl->datalen;
		e.len = (uint32_t)len;
		memcpy(tl->data + tl->datalen, data, len);
		tl->data[tl->datalen + len] = '\0';
		tl->datalen += len + 1;
	}
	if (tl->n == tl->cap) {
		tl->cap = tl->cap == 0 ? 1024 : tl->cap * 2;
		tl->ev = xrealloc(tl->ev, tl->cap * sizeof *tl->ev);
	}
	tl->ev[tl->n++] = e;
	timeline_end(tl, t);
}

void
timeline_end(struct timeline *tl, int64_t t)
{
	if (t > tl->duration)
		tl->duration = t;
	tl->pduration = timeline_ptime(tl, tl->duration);
}

void
timeline_set_idle_limit(struct timeline *tl, int64_t limit)
{
	size_t	 i;
	int64_t	 prev_t = 0, prev_pt = 0;

	tl->idle_limit = limit > 0 ? limit : 0;
	for (i = 0; i < tl->n; i++) {
		tl->ev[i].pt = prev_pt + tl_gap(tl, tl->ev[i].t - prev_t);
		prev_t = tl->ev[i].t;
		prev_pt = tl->ev[i].pt;
	}
	tl->pduration = timeline_ptime(tl, tl->duration);
}

int
timeline_load(struct timeline *tl, const char *path, char **cause)
{
	struct cast_reader		*cr;
	const struct cast_header	*h;
	struct cast_event		 ev;
	const char			*damage;

	timeline_init(tl);
	if ((cr = cast_reader_open(path, cause)) == NULL)
		return -1;
	h = cast_reader_header(cr);
	if (h->cols >= 1 && h->cols <= TL_MAX_COLS && h->rows >= 1 &&
	    h->rows <= TL_MAX_ROWS) {
		tl->cols = h->cols;
		tl->rows = h->rows;
	}
	tl->file_idle_limit = tl_limit_us(h->idle_time_limit);
	while (cast_reader_next(cr, &ev) == 1) {
		if (ev.code == 'x')
			timeline_end(tl, ev.time);
		else
			timeline_add(tl, ev.time, ev.code, ev.data, ev.len);
	}
	if ((damage = cast_reader_damage(cr)) != NULL)
		tl->damage = xstrdup(damage);
	cast_reader_free(cr);
	return 0;
}

size_t
timeline_index(const struct timeline *tl, int64_t t)
{
	size_t	 lo = 0, hi = tl->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tl->ev[mid].t <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The number of events at or before playback time pt. */
static size_t
timeline_pindex(const struct timeline *tl, int64_t pt)
{
	size_t	 lo = 0, hi = tl->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tl->ev[mid].pt <= pt)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int64_t
timeline_ptime(const struct timeline *tl, int64_t t)
{
	size_t	 k = timeline_index(tl, t);

	if (k == 0)
		return tl_gap(tl, t < 0 ? 0 : t);
	return tl->ev[k - 1].pt + tl_gap(tl, t - tl->ev[k - 1].t);
}

int64_t
timeline_rtime(const struct timeline *tl, int64_t pt)
{
	size_t	 k = timeline_pindex(tl, pt);
	int64_t	 t;

	if (pt <= 0)
		return 0;
	if (k == 0)
		t = pt;
	else
		t = tl->ev[k - 1].t + (pt - tl->ev[k - 1].pt);
	if (k < tl->n && t > tl->ev[k].t)
		t = tl->ev[k].t;
	return t > tl->duration ? tl->duration : t;
}

int64_t
timeline_marker(const struct timeline *tl, int64_t t, int dir, size_t *idx)
{
	size_t	 i;

	if (dir < 0) {
		for (i = timeline_index(tl, t); i-- > 0;) {
			if (tl->ev[i].code == 'm' && tl->ev[i].t < t) {
				*idx = i;
				return tl->ev[i].t;
			}
		}
		return -1;
	}
	for (i = timeline_index(tl, t); i < tl->n; i++) {
		if (tl->ev[i].code == 'm' && tl->ev[i].t > t) {
			*idx = i;
			return tl->ev[i].t;
		}
	}
	return -1;
}

void
timeline_apply(const struct timeline *tl, size_t i, struct render *r)
{
	const struct tl_event	*e = &tl->ev[i];

	if (e->code == 'o')
		render_feed(r, tl->data + e->off, e->len);
	else if (e->code == 'r')
		(void)render_resize(r, e->cols, e->rows);
}

/* ------------------------------------------------------------------ */
/* Seeking: the display terminal moves forward by feeding events; going
 * back, or far ahead, it is rebuilt from the nearest snapshot before the
 * target. An indexer terminal runs ahead (in idle time, or on demand)
 * and takes a snapshot every "interval" bytes of output. */

struct snap_at {
	size_t			 pos;
	struct render_snap	*snap;
};

struct seeker {
	const struct timeline	*tl;
	struct render		*disp;
	size_t			 dpos;
	struct render		*ix;
	size_t			 ipos;
	uint64_t		 since;
	uint64_t		 interval;
	int			 fixed;		/* interval set by hand */
	struct snap_at		*snaps;
	size_t			 nsnaps, cap;
	size_t			 snapbytes;
};

static struct render *
seeker_fresh(const struct seeker *s)
{
	struct render	*r;

	if ((r = render_new(s->tl->cols, s->tl->rows)) == NULL)
		fatal("cannot make a %dx%d terminal", s->tl->cols, s->tl->rows);
	return r;
}

struct seeker *
seeker_new(const struct timeline *tl)
{
	struct seeker	*s;

	s = xcalloc(1, sizeof *s);
	s->tl = tl;
	s->disp = seeker_fresh(s);
	s->ix = seeker_fresh(s);
	s->interval = SNAP_MIN;
	return s;
}

void
seeker_free(struct seeker *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nsnaps; i++)
		render_snap_free(s->snaps[i].snap);
	free(s->snaps);
	render_free(s->disp);
	render_free(s->ix);
	free(s);
}

static void
seeker_snap(struct seeker *s)
{
	struct render_snap	*snap;
	size_t			 size;

	if ((snap = render_snap_take(s->ix)) == NULL)
		return;		/* not possible here: try after the next event */
	if (s->nsnaps == s->cap) {
		s->cap = s->cap == 0 ? 16 : s->cap * 2;
		s->snaps = xrealloc(s->snaps, s->cap * sizeof *s->snaps);
	}
	s->snaps[s->nsnaps].pos = s->ipos;
	s->snaps[s->nsnaps].snap = snap;
	s->nsnaps++;
	size = render_snap_size(snap);
	s->snapbytes += size;
	s->since = 0;
	if (!s->fixed && (uint64_t)size * SNAP_RATIO > s->interval)
		s->interval = (uint64_t)size * SNAP_RATIO;
}

static void
seeker_index_to(struct seeker *s, size_t target)
{
	const struct tl_event	*e;

	while (s->ipos < target) {
		e = &s->tl->ev[s->ipos];
		timeline_apply(s->tl, s->ipos, s->ix);
		s->ipos++;
		if (e->code == 'o')
			s->since += e->len;
		if (s->since >= s->interval)
			seeker_snap(s);
	}
}

int
seeker_work(struct seeker *s, size_t budget)
{
	size_t		 target = s->ipos;
	uint64_t	 start = tl_cum(s->tl, s->ipos);

	while (target < s->tl->n && tl_cum(s->tl, target) - start < budget)
		target++;
	seeker_index_to(s, target);
	return s->ipos < s->tl->n;
}

/* The last snapshot at or before idx, or NULL. */
static const struct snap_at *
seeker_best(const struct seeker *s, size_t idx)
{
	size_t	 lo = 0, hi = s->nsnaps, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->snaps[mid].pos <= idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? NULL : &s->snaps[lo - 1];
}

static void
seeker_feed(struct seeker *s, size_t idx)
{
	while (s->dpos < idx)
		timeline_apply(s->tl, s->dpos++, s->disp);
}

struct render *
seeker_goto(struct seeker *s, size_t idx)
{
	const struct snap_at	*best;
	struct render		*r;
	size_t			 from;

	if (idx > s->tl->n)
		idx = s->tl->n;
	if (idx == s->dpos)
		return s->disp;
	if (idx > s->dpos && tl_cum(s->tl, idx) - tl_cum(s->tl, s->dpos) <=
	    s->interval) {
		seeker_feed(s, idx);
		return s->disp;
	}
	if (s->ipos < idx)
		seeker_index_to(s, idx);
	best = seeker_best(s, idx);
	from = best != NULL ? best->pos : 0;
	if (idx > s->dpos && s->dpos >= from) {
		seeker_feed(s, idx);	/* already past the snapshot */
		return s->disp;
	}
	r = best != NULL ? render_snap_restore(best->snap) : NULL;
	if (r == NULL) {
		r = seeker_fresh(s);
		from = 0;
	}
	render_free(s->disp);
	s->disp = r;
	s->dpos = from;
	seeker_feed(s, idx);
	return s->disp;
}

struct render *
seeker_render(struct seeker *s)
{
	return s->disp;
}

size_t
seeker_pos(struct seeker *s)
{
	return s->dpos;
}

void
seeker_set_interval(struct seeker *s, uint64_t bytes)
{
	s->interval = bytes;
	s->fixed = 1;
}

size_t
seeker_snapshots(struct seeker *s, size_t *bytes)
{
	if (bytes != NULL)
		*bytes = s->snapbytes;
	return s->nsnaps;
}

/* ------------------------------------------------------------------ */
/* The snapshots of a long session kept in a cache file, so that the
 * next replay seeks anywhere at once, without indexing first. */

#define CACHE_MAGIC	"ARSNAP1\n"

struct cache_head {
	char		 magic[8];
	uint32_t	 layout;
	uint32_t	 zero;
	uint64_t	 fsize;		/* the transcript it was made from */
	int64_t		 mtime_ns;
	uint64_t	 nevents;	/* the timeline it indexes */
	uint64_t	 total;
	uint64_t	 nsnaps;
};

char *
player_cache_dir(void)
{
	char	*dir, *path;

	if ((dir = xdg_dir("XDG_STATE_HOME", ".local/state")) == NULL)
		return NULL;
	path = path_join(dir, "snapshots");
	free(dir);
	return path;
}

char *
player_cache_path(const char *id)
{
	char	*dir, *path;

	if ((dir = player_cache_dir()) == NULL)
		return NULL;
	xasprintf(&path, "%s/%s.snap", dir, id);
	free(dir);
	return path;
}

static void
cache_head_fill(struct cache_head *h, const struct seeker *s,
    const struct stat *st)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, CACHE_MAGIC, sizeof h->magic);
	h->layout = render_snap_layout();
	h->fsize = (uint64_t)st->st_size;
	h->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
	    st->st_mtim.tv_nsec;
	h->nevents = s->tl->n;
	h->total = tl_total(s->tl);
	h->nsnaps = s->nsnaps;
}

int
seeker_save(struct seeker *s, const char *path, const struct stat *st,
    char **cause)
{
	struct cache_head	 h;
	struct buf		 b;
	char			*dir, *slash;
	uint64_t		 pos;
	size_t			 i;
	int			 rc;

	if (s->ipos < s->tl->n) {
		xasprintf(cause, "%s: the session is not indexed yet", path);
		return -1;
	}
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if (slash != NULL && mkdir_p(dir, 0700) != 0) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	cache_head_fill(&h, s, st);
	buf_init(&b);
	buf_add(&b, &h, sizeof h);
	for (i = 0; i < s->nsnaps; i++) {
		pos = s->snaps[i].pos;
		buf_add(&b, &pos, sizeof pos);
		render_snap_save(s->snaps[i].snap, &b);
	}
	rc = write_file_atomic(path, b.data, b.len, 0600, cause);
	buf_free(&b);
	return rc;
}

int
seeker_load(struct seeker *s, const char *path, const struct stat *st)
{
	struct cache_head	 h, want;
	struct render_snap	*snap;
	struct snap_at		*v;
	const char		*p;
	char			*data, *cause = NULL;
	size_t			 len, left, n = 0, i;
	uint64_t		 pos;

	if ((data = read_state_file(path, &len, (size_t)1 << 31, &cause)) == NULL) {
		free(cause);
		return -1;
	}
	cache_head_fill(&want, s, st);
	want.nsnaps = 0;
	if (len < sizeof h)
		goto bad;
	memcpy(&h, data, sizeof h);
	n = (size_t)h.nsnaps;
	h.nsnaps = 0;
	if (memcmp(&h, &want, sizeof h) != 0 || n > len / sizeof pos)
		goto bad;
	v = xcalloc(n == 0 ? 1 : n, sizeof *v);
	p = data + sizeof h;
	left = len - sizeof h;
	for (i = 0; i < n; i++) {
		if (left < sizeof pos)
			break;
		memcpy(&pos, p, sizeof pos);
		p += sizeof pos;
		left -= sizeof pos;
		if (pos > s->tl->n || (i > 0 && pos <= v[i - 1].pos) ||
		    (snap = render_snap_load(&p, &left)) == NULL)
			break;
		v[i].pos = (size_t)pos;
		v[i].snap = snap;
	}
	if (i < n || left != 0) {
		while (i-- > 0)
			render_snap_free(v[i].snap);
		free(v);
		goto bad;
	}
	for (i = 0; i < s->nsnaps; i++)
		render_snap_free(s->snaps[i].snap);
	free(s->snaps);
	s->snaps = v;
	s->nsnaps = s->cap = n;
	s->snapbytes = 0;
	for (i = 0; i < n; i++)
		s->snapbytes += render_snap_size(v[i].snap);
	s->ipos = s->tl->n;		/* nothing left to index */
	free(data);
	return 0;
bad:
	free(data);
	return -1;
}

int
player_screen(const char *path, int64_t at, struct render **rp,
    char **damage, char **cause)
{
	struct cast_reader		*cr;
	const struct cast_header	*h;
	struct cast_event		 ev;
	struct render			*r;
	int				 cols = 80, rows = 24;

	*damage = NULL;
	if ((cr = cast_reader_open(path, cause)) == NULL)
		return -1;
	h = cast_reader_header(cr);
	if (h->cols >= 1 && h->cols <= TL_MAX_COLS && h->rows >= 1 &&
	    h->rows <= TL_MAX_ROWS) {
		cols = h->cols;
		rows = h->rows;
	}
	if ((r = render_new(cols, rows)) == NULL)
		fatal("cannot make a %dx%d terminal", cols, rows);
	while (cast_reader_next(cr, &ev) == 1) {
		if (at >= 0 && ev.time > at)
			break;
		if (ev.code == 'o')
			render_feed(r, ev.data, ev.len);
		else if (ev.code == 'r' && parse_size(ev.data, &cols, &rows) == 0)
			(void)render_resize(r, cols, rows);
	}
	if (cast_reader_damage(cr) != NULL)
		*damage = xstrdup(cast_reader_damage(cr));
	cast_reader_free(cr);
	*rp = r;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The interactive player. */

struct player {
	struct timeline		*tl;
	struct seeker		*sk;
	struct render_frame	*frame;
	double			 speed;
	int			 paused;
	int			 ended;
	int			 quit;
	int			 cont_seen;	/* a SIGCONT to let pass */
	int			 help;
	int64_t			 pt_base;	/* playback clock at wall_base */
	int64_t			 wall_base;
	int64_t			 pos;		/* recorded time while paused */
	int64_t			 seen_pt;	/* the clock at the last advance */
	int64_t			 lead_t;	/* a start inside the cut part */
	int64_t			 lead_pt;	/* of a pause: its recorded and */
	int64_t			 lead_len;	/* playback time, what is left */
	int			 tcols, trows;
	int			 keys;		/* stdin is a terminal */
	const char		*end_note;	/* at an end with damage */
	int			 killed;	/* the signal that ended it */
	int			 out_ok;
	int			 out_errno;	/* why it is not */
	int			 on_screen;	/* raw, alternate screen */
	int			 dirty;
	int64_t			 last_draw;
	char			 msg[128];
	int64_t			 msg_until;
	int			 sigfd;
	size_t			 mark_i;	/* the marker [ or ] went to */
	int64_t			 mark_at;	/* when (wall clock), or 0 */
	unsigned char		 esc[PLAYER_ESC_MAX];	/* a sequence cut */
	size_t			 esc_len;		/* by the read */
	int64_t			 esc_at;
};

/* Recorded time to playback time and back, as the timeline maps them,
 * but for a start inside the part of a pause the idle limit cuts (which
 * has no playback time of its own): from there the rest of the pause
 * plays, capped as any pause, at the end of the shortened one. */
static int64_t
player_t2pt(const struct player *p, int64_t t)
{
	if (p->lead_len > 0 && t >= p->lead_t && t < p->lead_t + p->lead_len)
		return p->lead_pt + (t - p->lead_t);
	return timeline_ptime(p->tl, t);
}

static int64_t
player_pt2t(const struct player *p, int64_t pt)
{
	if (p->lead_len > 0 && pt >= p->lead_pt &&
	    pt < p->lead_pt + p->lead_len)
		return p->lead_t + (pt - p->lead_pt);
	return timeline_rtime(p->tl, pt);
}

static int64_t
player_ptime(const struct player *p)
{
	if (p->paused || p->ended)
		return player_t2pt(p, p->pos);
	return p->pt_base + (int64_t)((double)(now_us() - p->wall_base) *
	    p->speed);
}

/* The recorded time shown and used for relative seeks. */
static int64_t
player_now(const struct player *p)
{
	if (p->paused || p->ended)
		return p->pos;
	return player_pt2t(p, player_ptime(p));
}

static void
player_message(struct player *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
player_message(struct player *p, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof p->msg, fmt, ap);
	va_end(ap);
	p->msg_until = now_us() + 2000000;
	p->dirty = 1;
}

static void
player_seek(struct player *p, int64_t t)
{
	const struct timeline	*tl = p->tl;
	size_t			 k;
	int64_t			 from;

	p->mark_at = 0;		/* [ again counts from a marker jump only */
	if (t < 0)
		t = 0;
	if (t > tl->duration)
		t = tl->duration;
	k = timeline_index(tl, t);
	seeker_goto(p->sk, k);
	p->pos = t;
	/* In the cut part of a pause (only --at goes there): the screen and
	 * the time of t, then the rest of the pause up to the idle limit. */
	p->lead_len = 0;
	from = k > 0 ? tl->ev[k - 1].t : 0;
	if (tl->idle_limit > 0 && t - from > tl->idle_limit &&
	    t < tl->duration) {
		p->lead_t = t;
		p->lead_len = (k < tl->n ? tl->ev[k].t : tl->duration) - t;
		if (p->lead_len > tl->idle_limit)
			p->lead_len = tl->idle_limit;
		p->lead_pt = (k < tl->n ? tl->ev[k].pt : tl->pduration) -
		    p->lead_len;
	}
	p->pt_base = player_t2pt(p, t);
	p->wall_base = now_us();
	p->ended = seeker_pos(p->sk) == p->tl->n && t >= p->tl->duration;
	p->dirty = 1;
}

/* Seek to a playback time, the time the idle limit shortens pauses in:
 * the keys step through what is played, so a step back from just after a
 * shortened pause lands before it (a recorded time inside the cut part
 * would play the pause's end at once and undo the step). */
static void
player_seek_pt(struct player *p, int64_t pt)
{
	if (pt >= p->tl->pduration)
		player_seek(p, p->tl->duration);
	else
		player_seek(p, timeline_rtime(p->tl, pt < 0 ? 0 : pt));
}

static void
player_pause(struct player *p, int on)
{
	if (on == p->paused)
		return;
	if (on) {
		/* The screen of the time it stops at: the events due since
		 * the last advance too (at high speed there nearly always
		 * are some), else the screen is behind the clock and a
		 * step skips them. */
		p->pos = player_now(p);
		seeker_goto(p->sk, timeline_index(p->tl, p->pos));
	} else {
		p->pt_base = player_t2pt(p, p->pos);
		p->wall_base = now_us();
	}
	p->paused = on;
	p->dirty = 1;
}

static void
player_speed(struct player *p, double factor)
{
	double	 s = p->speed * factor;

	/* Up to the limits from any speed (3x: 48x, then 64x). */
	if (s > SPEED_MAX)
		s = SPEED_MAX;
	if (s < SPEED_MIN)
		s = SPEED_MIN;
	if (s == p->speed)
		return;
	p->pt_base = player_ptime(p);
	p->wall_base = now_us();
	p->speed = s;
	p->dirty = 1;
}

/* One event that shows something (output or resize) while paused. */
static void
player_step(struct player *p)
{
	size_t	 i;

	player_pause(p, 1);
	i = timeline_index(p->tl, p->pos);
	while (i < p->tl->n && p->tl->ev[i].code == 'm')
		i++;
	if (i >= p->tl->n) {
		player_message(p, "at the end");
		return;
	}
	p->pos = p->tl->ev[i].t;
	p->mark_at = 0;
	seeker_goto(p->sk, timeline_index(p->tl, p->pos));
	p->dirty = 1;
}

static void
player_marker(struct player *p, int dir)
{
	int64_t			 t;
	size_t			 i, n;
	const struct tl_event	*e;

	t = timeline_marker(p->tl, player_now(p), dir, &i);
	/* Playing on from a marker, [ again soon after means the one before
	 * it, not that one once more. */
	if (dir < 0 && t >= 0 && p->mark_at != 0 && i == p->mark_i &&
	    now_us() - p->mark_at < PLAYER_MARK_AGAIN)
		t = timeline_marker(p->tl, t, dir, &i);
	if (t < 0) {
		player_message(p, "no %s marker", dir < 0 ? "earlier" :
		    "later");
		return;
	}
	player_seek(p, t);
	p->mark_i = i;
	p->mark_at = now_us();
	e = &p->tl->ev[i];
	/* At most 60 bytes, not ending inside a UTF-8 character. */
	n = e->len > 60 ? 60 : e->len;
	while (n < e->len && n > 0 &&
	    ((unsigned char)p->tl->data[e->off + n] & 0xc0) == 0x80)
		n--;
	player_message(p, "marker %.*s", (int)n, p->tl->data + e->off);
}

static void
player_fmt_time(int64_t us, char *out, size_t len)
{
	int64_t	 ds = us / 100000, s = ds / 10;

	if (s >= 3600)
		snprintf(out, len, "%lld:%02lld:%02lld", (long long)(s / 3600),
		    (long long)(s / 60 % 60), (long long)(s % 60));
	else
		snprintf(out, len, "%lld:%02lld.%lld", (long long)(s / 60),
		    (long long)(s % 60), (long long)(ds % 10));
}

/* Append s in exactly cols columns of the terminal, cut or padded: what
 * is not printable in the locale (controls, bytes that are not a
 * character) shows as '?', so a marker's label cannot move the cursor. */
static void
player_fit(struct buf *b, const char *s, int cols)
{
	mbstate_t	 ps;
	wchar_t		 wc;
	size_t		 n, len = strlen(s);
	int		 w, col = 0;

	memset(&ps, 0, sizeof ps);
	while (len > 0 && col < cols) {
		n = mbrtowc(&wc, s, len, &ps);
		if (n == (size_t)-2)
			break;			/* a character cut at the end */
		if (n == (size_t)-1 || n == 0) {
			memset(&ps, 0, sizeof ps);
			n = 1;
			w = -1;
		} else
			w = wcwidth(wc);
		if (w < 0) {
			buf_addc(b, '?');
			w = 1;
		} else if (col + w > cols)
			break;
		else
			buf_add(b, s, n);
		col += w;
		s += n;
		len -= n;
	}
	for (; col < cols; col++)
		buf_addc(b, ' ');
}

static void
player_status(struct player *p, struct buf *b)
{
	char		 now[32], total[32], line[512];
	int		 cols, rows, n;
	const char	*state;

	player_fmt_time(player_now(p), now, sizeof now);
	player_fmt_time(p->tl->duration, total, sizeof total);
	state = p->ended ? "end" : p->paused ? "paused" : "playing";
	n = snprintf(line, sizeof line, " %s / %s  %gx  %s", now, total,
	    p->speed, state);
	render_size(seeker_render(p->sk), &cols, &rows);
	if (n > 0 && (size_t)n < sizeof line && (cols > p->tcols ||
	    rows > p->trows - 1))
		n += snprintf(line + n, sizeof line - (size_t)n,
		    "  | cropped: %dx%d on %dx%d", cols, rows, p->tcols,
		    p->trows - 1);
	if (n > 0 && (size_t)n < sizeof line && p->msg[0] != '\0' &&
	    now_us() < p->msg_until)
		n += snprintf(line + n, sizeof line - (size_t)n, "  | %s",
		    p->msg);
	else if (n > 0 && (size_t)n < sizeof line && p->ended &&
	    p->tl->damage != NULL)
		n += snprintf(line + n, sizeof line - (size_t)n, "  | %s",
		    p->end_note != NULL ? p->end_note :
		    "damaged file: played up to the damage");
	if (n > 0 && (size_t)n < sizeof line)
		snprintf(line + n, sizeof line - (size_t)n, "  | ? help ");
	buf_addf(b, "\033[?25l\033[%d;1H\033[0;7m", p->trows);
	player_fit(b, line, p->tcols);
	buf_adds(b, "\033[0m");
}

static const char *player_help_text[] = {
	" agentrun replay: keys                ",
	"                                      ",
	"  space     pause / play              ",
	"  .         one step (pauses)         ",
	"  + -       faster / slower           ",
	"  left      back 5 seconds            ",
	"  right     forward 5 seconds         ",
	"  0 ... 9   jump to 0% ... 90%        ",
	"  [ ]       previous / next marker    ",
	"  q, ^C     quit                      ",
	"  ^L        redraw                    ",
	"  ^Z        suspend                   ",
	"  ?         this help                 ",
	"                                      ",
	" any key closes this help             ",
	NULL
};

static void
player_help(struct player *p, struct buf *b)
{
	int	 i;

	/* From the second row down to the one above the status line. */
	for (i = 0; player_help_text[i] != NULL && i + 2 < p->trows; i++)
		buf_addf(b, "\033[%d;2H\033[0;7m%.*s\033[0m", i + 2,
		    p->tcols > 2 ? p->tcols - 2 : 1, player_help_text[i]);
	buf_adds(b, "\033[?25l");
}

/* To the terminal; a write that fails ends the replay (status 1). */
static void
player_out(struct player *p, const char *s, size_t len)
{
	if (p->out_ok && write_all(STDOUT_FILENO, s, len) != 0) {
		p->out_ok = 0;
		p->out_errno = errno;
		p->quit = 1;
	}
}

static void
player_draw(struct player *p)
{
	struct buf	 b;
	int		 rows;

	buf_init(&b);
	rows = p->trows > 1 ? p->trows - 1 : 1;
	if (p->trows > 1)
		player_status(p, &b);
	render_ansi_frame(seeker_render(p->sk), p->frame, p->tcols, rows, &b);
	if (p->help)
		player_help(p, &b);
	player_out(p, b.data, b.len);
	buf_free(&b);
	p->dirty = 0;
	p->last_draw = now_us();
}

static void
player_write(struct player *p, const char *s)
{
	player_out(p, s, strlen(s));
}

static void
player_winsize(struct player *p)
{
	int	 c, r;

	if (term_size(STDOUT_FILENO, &c, &r) == 0) {
		p->tcols = c;
		p->trows = r;
	}
	player_write(p, "\033[0m\033[2J");
	render_frame_reset(p->frame);
	p->dirty = 1;
}

/* Raw keys and the alternate screen; again after a stop (resume). */
static void
player_enter(struct player *p, int resume)
{
	if (p->keys && (resume ? term_reraw() : term_raw(STDIN_FILENO)) != 0)
		p->keys = 0;
	term_set_alt(1);
	p->on_screen = 1;
	player_write(p, "\033[?1049h\033[H\033[2J");
	player_winsize(p);
}

static void
player_leave(struct player *p)
{
	if (!p->on_screen)
		return;		/* left already: nothing to undo on the shell's */
	p->on_screen = 0;
	if (p->keys && term_is_raw())
		term_restore();		/* leaves the alternate screen too */
	else
		player_write(p, term_reset_string(1));
	term_set_alt(0);
}

/* The signals that came while stopped, read before going back on the
 * screen: one that ends the replay ends it there, off the screen (a
 * shell's 'kill %1' sends TERM, then CONT: going back on the screen from
 * the background, the replay was stopped again by the terminal, and the
 * TERM never acted). Going back redoes the size; the CONT is this
 * stop's. */
static void
player_stopped_signals(struct player *p)
{
	int	 sig;

	while ((sig = sig_next(p->sigfd)) > 0) {
		switch (sig) {
		case SIGCONT:
			p->cont_seen = 0;
			break;
		case SIGWINCH:
		case SIGTSTP:
			break;
		default:	/* INT, TERM, HUP, QUIT */
			p->quit = 1;
			p->killed = sig;
			break;
		}
	}
}

static void
player_suspend(struct player *p)
{
	int	 was_paused = p->paused;

	player_pause(p, 1);
	player_leave(p);
	/* Continued (or never stopped, with no shell to continue it): back
	 * at once, before anything is drawn on the main screen, unless a
	 * signal that ends it came meanwhile; the SIGCONT that continued it
	 * is then no news. */
	p->cont_seen = sig_stop_self();
	player_stopped_signals(p);
	if (p->quit)
		return;
	player_enter(p, 1);
	p->paused = was_paused;
	if (!was_paused) {
		p->pt_base = player_t2pt(p, p->pos);
		p->wall_base = now_us();
	}
}

static void
player_key(struct player *p, int key)
{
	int64_t	 pt;

	if (p->help) {
		p->help = 0;
		render_frame_reset(p->frame);
		p->dirty = 1;
		/* Any key closes it; Ctrl-C, Ctrl-D and Ctrl-Z also act. */
		if (key != 0x03 && key != 0x04 && key != 0x1a)
			return;
	}
	switch (key) {
	case 'q': case 'Q': case 0x03: case 0x04:
		p->quit = 1;
		break;
	case ' ':
		if (p->ended) {
			player_seek(p, 0);
			player_pause(p, 0);
		} else
			player_pause(p, !p->paused);
		break;
	case '.':
		player_step(p);
		break;
	case '+': case '=':
		player_speed(p, 2);
		break;
	case '-': case '_':
		player_speed(p, 0.5);
		break;
	case PLAYER_KEY_RIGHT:
		pt = player_ptime(p);
		player_seek_pt(p, pt > p->tl->pduration - SEEK_STEP ?
		    p->tl->pduration : pt + SEEK_STEP);
		break;
	case PLAYER_KEY_LEFT:
		player_seek_pt(p, player_ptime(p) - SEEK_STEP);
		break;
	case '[':
		player_marker(p, -1);
		break;
	case ']':
		player_marker(p, 1);
		break;
	case '?':
		p->help = 1;
		p->dirty = 1;
		break;
	case 0x1a:
		player_suspend(p);
		break;
	case 0x0c:		/* ^L: repaint */
		render_frame_reset(p->frame);
		p->dirty = 1;
		break;
	default:
		if (key >= '0' && key <= '9')	/* no overflow: */
			player_seek_pt(p, p->tl->pduration / 10 * (key - '0') +
			    p->tl->pduration % 10 * (key - '0') / 10);
		break;
	}
}

/* An escape kept for the rest of a sequence that has not come in time:
 * one typed alone, a key (it closes the help, as any key). */
static void
player_esc_timeout(struct player *p)
{
	if (p->esc_len > 0 && now_us() - p->esc_at >= PLAYER_ESC_WAIT) {
		p->esc_len = 0;
		player_key(p, 0x1b);
	}
}

/* Keys from one read: arrows arrive as ESC [ C or ESC O C. A sequence
 * the read cut (over ssh, a slow link) is kept for the next read, unless
 * that comes too late to be its end (an escape typed alone). */
static void
player_input(struct player *p, const unsigned char *in, size_t len)
{
	unsigned char	 s[PLAYER_ESC_MAX + 256];
	size_t		 i, j, n = 0;

	player_esc_timeout(p);
	if (p->esc_len > 0) {
		memcpy(s, p->esc, p->esc_len);
		n = p->esc_len;
	}
	p->esc_len = 0;
	if (len > sizeof s - n)
		len = sizeof s - n;	/* the caller reads 256 at most */
	memcpy(s + n, in, len);
	n += len;
	for (i = 0; i < n && !p->quit; i++) {
		if (s[i] != 0x1b) {
			player_key(p, s[i]);
			continue;
		}
		if (i + 1 < n && s[i + 1] != '[' && s[i + 1] != 'O')
			continue;	/* a lone escape */
		for (j = i + 2; j < n && ((s[j] >= '0' && s[j] <= '9') ||
		    s[j] == ';'); j++)
			;
		if (j >= n) {		/* cut: the rest comes next */
			if (n - i <= sizeof p->esc) {
				memcpy(p->esc, s + i, n - i);
				p->esc_len = n - i;
				p->esc_at = now_us();
			}
			break;
		}
		if (s[j] == 'C')
			player_key(p, PLAYER_KEY_RIGHT);
		else if (s[j] == 'D')
			player_key(p, PLAYER_KEY_LEFT);
		i = j;
	}
}

static void
player_signals(struct player *p)
{
	int	 sig;

	while ((sig = sig_next(p->sigfd)) > 0) {
		switch (sig) {
		case SIGWINCH:
			player_winsize(p);
			break;
		case SIGTSTP:
			player_suspend(p);
			break;
		case SIGCONT:
			if (p->cont_seen) {
				p->cont_seen = 0;	/* player_suspend's */
				break;
			}
			/* Stopped by SIGSTOP, which it cannot see: on from
			 * where it was, as after a pause, not from where the
			 * wall clock went meanwhile. */
			if (!p->paused && !p->ended) {
				p->pt_base = p->seen_pt;
				p->wall_base = now_us();
			}
			player_enter(p, 1);
			break;
		default:	/* INT, TERM, HUP, QUIT */
			p->quit = 1;
			p->killed = sig;
			break;
		}
	}
}

/* Apply the events that are due; notice the end. */
static void
player_advance(struct player *p)
{
	int64_t	 pt;
	size_t	 idx;

	if (p->paused || p->ended)
		return;
	pt = p->seen_pt = player_ptime(p);
	idx = timeline_pindex(p->tl, pt);
	if (idx != seeker_pos(p->sk)) {
		seeker_goto(p->sk, idx);
		p->dirty = 1;
	}
	if (idx >= p->tl->n && pt >= p->tl->pduration) {
		p->ended = 1;
		p->pos = p->tl->duration;
		p->dirty = 1;
	}
	if (!p->ended && now_us() - p->last_draw >= TICK_US)
		p->dirty = 1;	/* the clock in the status line */
}

/* How long to sleep, in microseconds; -1 for until something happens. */
static int64_t
player_timeout(struct player *p)
{
	int64_t	 t = -1, now = now_us(), next, d;
	double	 dd;	/* a huge gap at a low speed: past int64_t */

	if (!p->paused && !p->ended) {
		next = seeker_pos(p->sk) < p->tl->n ?
		    p->tl->ev[seeker_pos(p->sk)].pt : p->tl->pduration;
		dd = (double)(next - player_ptime(p)) / p->speed;
		t = dd <= 0 ? 0 : dd >= TICK_US ? TICK_US : (int64_t)dd;
	}
	if (p->dirty) {
		d = p->last_draw + FRAME_US - now;
		if (d < 0)
			d = 0;
		if (t < 0 || d < t)
			t = d;
	}
	if (p->msg[0] != '\0' && p->msg_until > now) {
		d = p->msg_until - now;
		if (t < 0 || d < t)
			t = d;
	}
	if (p->esc_len > 0) {
		d = p->esc_at + PLAYER_ESC_WAIT - now;
		if (d < 0)
			d = 0;
		if (t < 0 || d < t)
			t = d;
	}
	return t;
}

static int
player_loop(struct player *p, char **cause)
{
	struct pollfd	 pfd[2];
	unsigned char	 in[256];
	ssize_t		 n;
	int64_t		 t;
	int		 nfd, rc, work = 1;

	while (!p->quit) {
		/* Signals first: a SIGCONT after a stop (the self-pipe's
		 * handler breaks the poll with EINTR, or the stop came
		 * elsewhere) sets the clock back before it is read. */
		player_signals(p);
		player_esc_timeout(p);
		player_advance(p);
		if (p->msg[0] != '\0' && now_us() >= p->msg_until) {
			p->msg[0] = '\0';	/* its time is up: off the */
			p->dirty = 1;		/* status line, paused too */
		}
		if (p->dirty && now_us() - p->last_draw >= FRAME_US)
			player_draw(p);
		if (p->quit)
			break;
		if (!p->keys && p->ended) {	/* nobody to press q */
			if (p->dirty)
				player_draw(p);
			break;
		}
		t = player_timeout(p);
		nfd = 0;
		pfd[nfd].fd = p->sigfd;
		pfd[nfd++].events = POLLIN;
		if (p->keys) {
			pfd[nfd].fd = STDIN_FILENO;
			pfd[nfd++].events = POLLIN;
		}
		if (work && (t < 0 || t > 2000)) {
			if ((rc = poll(pfd, (nfds_t)nfd, 0)) == 0) {
				work = seeker_work(p->sk, WORK_SLICE);
				continue;
			}
		} else
			rc = poll(pfd, (nfds_t)nfd, t < 0 ? -1 :
			    (int)((t + 999) / 1000));
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "poll: %s", strerror(errno));
			return -1;
		}
		if (pfd[0].revents != 0)
			player_signals(p);
		if (p->keys && pfd[1].revents != 0) {
			n = read(STDIN_FILENO, in, sizeof in);
			if (n > 0)
				player_input(p, in, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				p->keys = 0;	/* no keyboard any more */
		}
	}
	return 0;
}

int
player_run(struct timeline *tl, const struct player_opts *o, char **cause)
{
	static const int	 sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP,
				     SIGQUIT, SIGTSTP, SIGCONT, 0 };
	struct player		 p;
	char			*why = NULL;
	int			 rc, loaded;

	memset(&p, 0, sizeof p);
	p.tl = tl;
	p.end_note = o->end_note;
	p.speed = o->speed > 0 ? o->speed : 1;
	if (o->idle_limit >= 0)
		timeline_set_idle_limit(tl, tl_limit_us(o->idle_limit));
	else
		timeline_set_idle_limit(tl, tl->file_idle_limit);
	p.keys = isatty(STDIN_FILENO);
	p.out_ok = 1;
	p.tcols = 80;
	p.trows = 24;
	if ((p.sigfd = sig_open(sigs)) < 0) {
		xasprintf(cause, "signals: %s", strerror(errno));
		return -1;
	}
	p.sk = seeker_new(tl);
	loaded = o->cache != NULL &&
	    seeker_load(p.sk, o->cache, &o->cache_st) == 0;
	p.frame = render_frame_new();
	player_enter(&p, 0);
	player_seek(&p, o->at);
	rc = player_loop(&p, cause);
	if (rc == 0 && !p.out_ok && p.killed == 0) {
		xasprintf(cause, "stdout: %s", strerror(p.out_errno));
		rc = -1;
	}
	player_leave(&p);
	sig_close(p.sigfd);
	if (o->cache != NULL && !loaded && tl_total(tl) >= PLAYER_CACHE_MIN &&
	    !seeker_work(p.sk, 0) &&
	    seeker_save(p.sk, o->cache, &o->cache_st, &why) != 0) {
		log_debug("%s", why);
		free(why);
	}
	render_frame_free(p.frame);
	seeker_free(p.sk);
	return rc == 0 ? p.killed : rc;
}
