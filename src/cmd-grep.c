/* cmd-grep.c: searching the output of sessions. The output is turned into
 * text by a small escape-sequence stripper (not a terminal: it is much
 * faster, and sees text that scrolled away or was redrawn), cut into lines
 * at newlines, carriage returns and cursor moves, and searched for a fixed
 * string with memmem, optionally ignoring ASCII case. Text split across
 * output events or colour changes is one line. Each hit prints the session
 * id, the time offset at which the matching text was complete on screen,
 * and the line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cast.h"
#include "cmd.h"
#include "session.h"
#include "util.h"

#define GREP_LINE_MAX	(64 * 1024)	/* longer lines (and the pattern's
					   length) are searched in parts */
#define GREP_SHOW	160		/* bytes of context shown around a hit */

enum grep_state {
	G_TEXT,
	G_ESC,
	G_ESC_INT,
	G_CSI,
	G_OSC,		/* until BEL or ST */
	G_STR,		/* DCS, SOS, PM, APC: until ST */
};

struct grep_seg {
	size_t		 off;	/* where in the line this event's text starts */
	int64_t		 t;
};

struct grep {
	const char	*pat;
	size_t		 plen;
	int		 icase;
	char		*fpat;		/* the pattern folded */
	const char	*id;
	int		 state;
	char		 csi[16];	/* a CSI sequence's parameters */
	size_t		 ncsi;
	struct buf	 line;
	struct buf	 folded;
	struct grep_seg	*segs;
	size_t		 nsegs, segcap;
	int64_t		 t;		/* time of the event being read */
	int		 cut;		/* the line's start was searched before */
	struct buf	 last;		/* the last line printed */
	int		 back;		/* the cursor went back to it since: a
					   repeat of last is a redraw */
	long		 rel;		/* rows below the last hit, roughly */
	int		 cr;		/* a CR: back, unless LF follows */
	struct buf	 out;
	int		 werr;		/* errno of a failed write to stdout */
	size_t		 hits;
	int		 unread;	/* a session could not be read */
};

/* Bytes the stripper must look at (controls, DEL, and 0xc2 that may
 * start a C1 control); every other byte is text. A table: one load a
 * byte in the hot loop. */
#define C8(x)	[x] = 1, [x + 1] = 1, [x + 2] = 1, [x + 3] = 1, \
		[x + 4] = 1, [x + 5] = 1, [x + 6] = 1, [x + 7] = 1
static const unsigned char grep_special_tab[256] = {
	C8(0x00), C8(0x08), C8(0x10), C8(0x18), [0x7f] = 1, [0xc2] = 1,
};
#undef C8
#define grep_special(c)	(grep_special_tab[(c)])

/* The plain text at p, up to n bytes, that the stripper can copy. */
static size_t
grep_text_span(const unsigned char *p, size_t n)
{
	uint64_t	 x, m;
	size_t		 i = 0;

	while (n - i >= 8) {
		x = swar_load(p + i);
		m = swar_below(x, 0x20) | swar_has(x, 0x7f) | swar_has(x, 0xc2);
		if (m != 0) {
			i += swar_first(m);
			break;
		}
		i += 8;
	}
	while (i < n && !grep_special(p[i]))
		i++;
	return i;
}

static int
grep_fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The time at which byte off of the line was written. */
static int64_t
grep_time_at(const struct grep *gr, size_t off)
{
	size_t	 lo = 0, hi = gr->nsegs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (gr->segs[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? 0 : gr->segs[lo - 1].t;
}

static void
grep_print(struct grep *gr, size_t at, int64_t t)
{
	const char	*l = gr->line.data;
	size_t		 start, end, len = gr->line.len;
	int64_t		 ms = (t + 999) / 1000;	/* up: --at then shows it */

	start = at > GREP_SHOW / 2 ? at - GREP_SHOW / 2 : 0;
	end = start + GREP_SHOW < len ? start + GREP_SHOW : len;
	while (start > 0 && ((unsigned char)l[start] & 0xc0) == 0x80)
		start--;	/* whole UTF-8 characters */
	while (end < len && ((unsigned char)l[end] & 0xc0) == 0x80)
		end++;
	while (start < end && (l[start] == ' ' || l[start] == '\t'))
		start++;
	while (end > start && (l[end - 1] == ' ' || l[end - 1] == '\t'))
		end--;
	if (gr->back && gr->last.len == end - start &&
	    memcmp(gr->last.data, l + start, end - start) == 0)
		return;		/* the same line redrawn */
	gr->back = 0;
	gr->rel = 0;
	buf_reset(&gr->last);
	buf_add(&gr->last, l + start, end - start);
	buf_addf(&gr->out, "%s  %lld.%03lld  %s", gr->id,
	    (long long)(ms / 1000), (long long)(ms % 1000),
	    start > 0 || gr->cut ? "..." : "");
	buf_add(&gr->out, l + start, end - start);
	buf_adds(&gr->out, end < len ? "...\n" : "\n");
	gr->hits++;
}

/* memmem for the many short lines of terminal output: a memchr for the
 * first byte costs less to start than glibc's two-way search. Long
 * patterns go to memmem, which is linear whatever the text. */
#define GREP_FIND_SHORT	16

static const char *
grep_find(const char *hay, size_t n, const char *pat, size_t m)
{
	const char	*p, *last = hay + n - m;	/* n >= m */

	if (m > GREP_FIND_SHORT)
		return memmem(hay, n, pat, m);
	for (p = hay; p <= last; p++) {
		if ((p = memchr(p, pat[0], (size_t)(last - p) + 1)) == NULL)
			break;
		if (memcmp(p + 1, pat + 1, m - 1) == 0)
			return p;
	}
	return NULL;
}

static void
grep_search(struct grep *gr)
{
	const char	*hay = gr->line.data, *p;
	size_t		 i;

	if (gr->line.len < gr->plen)
		return;
	if (gr->icase) {
		buf_reset(&gr->folded);
		buf_reserve(&gr->folded, gr->line.len);
		for (i = 0; i < gr->line.len; i++)
			gr->folded.data[i] = (char)grep_fold(
			    (unsigned char)gr->line.data[i]);
		gr->folded.len = gr->line.len;
		hay = gr->folded.data;
	}
	p = grep_find(hay, gr->line.len, gr->icase ? gr->fpat : gr->pat,
	    gr->plen);
	if (p != NULL)
		grep_print(gr, (size_t)(p - hay),
		    grep_time_at(gr, (size_t)(p - hay) + gr->plen - 1));
}

static void
grep_seg(struct grep *gr)
{
	if (gr->nsegs > 0 && gr->segs[gr->nsegs - 1].off == gr->line.len) {
		/* The last event wrote nothing here (colours, a title): this
		 * one replaces it, so that a line of such events takes no
		 * more memory than one. */
		gr->segs[gr->nsegs - 1].t = gr->t;
		return;
	}
	if (gr->nsegs == gr->segcap) {
		gr->segcap = gr->segcap == 0 ? 16 : gr->segcap * 2;
		gr->segs = xrealloc(gr->segs, gr->segcap * sizeof *gr->segs);
	}
	gr->segs[gr->nsegs].off = gr->line.len;
	gr->segs[gr->nsegs++].t = gr->t;
}

static void
grep_line_end(struct grep *gr)
{
	grep_search(gr);
	buf_reset(&gr->line);
	gr->cut = 0;
	gr->nsegs = 0;
	grep_seg(gr);		/* the rest of this event's text */
}

/* A very long line: search it, keep the tail a match could start in,
 * from the start of a character (a hit shows no part of one). */
static void
grep_line_long(struct grep *gr)
{
	size_t	 keep = gr->plen - 1, drop = gr->line.len - keep, i, j;

	grep_search(gr);
	while (drop > 0 && drop < gr->line.len &&
	    ((unsigned char)gr->line.data[drop] & 0xc0) == 0x80)
		drop--;
	buf_consume(&gr->line, drop);
	gr->cut = 1;
	for (i = j = 0; i < gr->nsegs; i++) {
		if (i + 1 < gr->nsegs && gr->segs[i + 1].off <= drop)
			continue;
		gr->segs[j].t = gr->segs[i].t;
		gr->segs[j++].off = gr->segs[i].off > drop ?
		    gr->segs[i].off - drop : 0;
	}
	gr->nsegs = j;
}

static void
grep_csi_param(struct grep *gr, const unsigned char *p, size_t n)
{
	while (n-- > 0 && gr->ncsi < sizeof gr->csi - 1)
		gr->csi[gr->ncsi++] = (char)*p++;
}

/* Does the private mode set or reset switch screens (1049, 1047, 47)? */
static int
grep_csi_alt(struct grep *gr)
{
	char	*p, *q;
	long	 v;

	gr->csi[gr->ncsi] = '\0';
	if (gr->csi[0] != '?')
		return 0;
	for (p = gr->csi + 1; *p != '\0'; p = *q == ';' ? q + 1 : q) {
		v = strtol(p, &q, 10);
		if (v == 1049 || v == 1047 || v == 47)
			return 1;
		if (q == p)
			break;
	}
	return 0;
}

/* The cursor moved dy rows: back at or above the last hit's row is a
 * redraw of it, below is new output (a prompt, the next line). */
static void
grep_rows(struct grep *gr, long dy)
{
	if (gr->rel > -100000 && gr->rel < 100000)
		gr->rel += dy;
	if (gr->rel <= 0)
		gr->back = 1;
}

/* A CR seen: unless a LF follows, the cursor is back at the start of its
 * row. c is the byte after it; another CR decides in its turn (CR CR LF
 * is a line end still). */
static void
grep_cr(struct grep *gr, unsigned char c)
{
	gr->cr = 0;
	if (c != '\r' && c != '\n')
		grep_rows(gr, 0);
}

/* The first parameter of a CSI sequence (default 1); 0 if it has a
 * private prefix (kitty's CSI > 1 u, and the like): not a move. */
static long
grep_csi_n(struct grep *gr)
{
	long	 n;

	gr->csi[gr->ncsi] = '\0';
	if (gr->ncsi > 0 && strchr("<=>?", gr->csi[0]) != NULL)
		return 0;
	n = strtol(gr->csi, NULL, 10);
	return n > 0 ? n : 1;
}

static void
grep_csi_final(struct grep *gr, unsigned char c)
{
	long	 n;

	switch (c) {
	case 'H': case 'f': case 'd':
		if (grep_csi_n(gr) == 0)
			break;
		grep_line_end(gr);	/* the cursor went elsewhere */
		gr->back = 1;		/* perhaps to redraw */
		break;
	case 'u':			/* restore the cursor */
		if (gr->ncsi > 0)
			break;
		grep_line_end(gr);
		gr->back = 1;
		break;
	case 'A': case 'F':
		if ((n = grep_csi_n(gr)) == 0)
			break;
		grep_line_end(gr);
		grep_rows(gr, -n);
		break;
	case 'B': case 'E':
		if ((n = grep_csi_n(gr)) == 0)
			break;
		grep_line_end(gr);
		grep_rows(gr, n);
		break;
	case 'G': case 'D':		/* to a column, back: text there
					   is written over, not added */
		if (grep_csi_n(gr) == 0)
			break;
		grep_line_end(gr);
		grep_rows(gr, 0);	/* along its row */
		break;
	case 'h': case 'l':
		if (grep_csi_alt(gr)) {
			grep_line_end(gr);	/* another screen */
			gr->back = 1;
		}
		break;
	case 'C':
		buf_addc(&gr->line, ' ');
		break;
	}
}

/* Take back the line's last character. Text written over it from now on
 * is the current event's: a segment that started past the new end is
 * gone, and the current one starts there at the latest. */
static void
grep_backspace(struct grep *gr)
{
	size_t	 n = gr->nsegs;

	while (gr->line.len > 0 &&
	    ((unsigned char)gr->line.data[--gr->line.len] & 0xc0) == 0x80)
		;
	while (n > 1 && gr->segs[n - 2].off >= gr->line.len) {
		gr->segs[n - 2] = gr->segs[n - 1];
		n--;
	}
	if (n > 0 && gr->segs[n - 1].off > gr->line.len)
		gr->segs[n - 1].off = gr->line.len;
	gr->nsegs = n;
}

/* One byte that is not plain text, or that follows an escape. */
static void
grep_byte(struct grep *gr, unsigned char c, unsigned char next)
{
	if (c == 0x1b) {
		gr->state = G_ESC;
		return;
	}
	if (c == 0x18 || c == 0x1a) {
		gr->state = G_TEXT;
		return;
	}
	switch (gr->state) {
	case G_TEXT:
		if (c == '\n' || c == '\r' || c == '\v' || c == '\f')
			grep_line_end(gr);
		if (c == '\r' && next == 0)
			gr->cr = 1;	/* the next event tells */
		else if (c == '\r')
			grep_cr(gr, next);
		else if (c == '\n' || c == '\v' || c == '\f')
			grep_rows(gr, 1);
		else if (c == '\t')
			buf_addc(&gr->line, '\t');
		else if (c == '\b')
			grep_backspace(gr);
		else if (c >= 0x20 && c != 0x7f)
			buf_addc(&gr->line, (char)c);	/* 0xc2 */
		break;
	case G_ESC:
		if (c == '[') {
			gr->state = G_CSI;
			gr->ncsi = 0;
		} else if (c == ']')
			gr->state = G_OSC;
		else if (c == 'P' || c == 'X' || c == '^' || c == '_')
			gr->state = G_STR;
		else if (c >= 0x20 && c <= 0x2f)
			gr->state = G_ESC_INT;
		else {
			if (c == 'D' || c == 'E' || c == 'M' || c == '8' ||
			    c == 'c')	/* moves, restore cursor, reset */
				grep_line_end(gr);
			if (c == 'D' || c == 'E')
				grep_rows(gr, 1);
			else if (c == 'M')
				grep_rows(gr, -1);
			else if (c == '8' || c == 'c')
				gr->back = 1;	/* restore, reset */
			gr->state = G_TEXT;
		}
		break;
	case G_ESC_INT:
		if (c < 0x20 || c > 0x2f)
			gr->state = G_TEXT;
		break;
	case G_CSI:
		if (c >= 0x20 && c < 0x40)
			grep_csi_param(gr, &c, 1);
		else if (c >= 0x40 && c <= 0x7e) {
			gr->state = G_TEXT;
			grep_csi_final(gr, c);
		}
		break;
	case G_OSC:
		if (c == 0x07)
			gr->state = G_TEXT;
		break;
	case G_STR:
		break;
	}
}

static void
grep_event(struct grep *gr, const char *s, size_t len, int64_t t)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, j;

	gr->t = t;
	if (gr->nsegs == 0 || gr->segs[gr->nsegs - 1].t != t)
		grep_seg(gr);
	buf_reserve(&gr->line, len);	/* text is never longer than that */
	if (gr->cr && len > 0)
		grep_cr(gr, p[0]);	/* the last event ended in CR */
	while (i < len) {
		if (gr->line.len > GREP_LINE_MAX + gr->plen)
			grep_line_long(gr);	/* however it grew */
		if (gr->state == G_CSI) {	/* skip parameters in one go */
			for (j = i; j < len && p[j] >= 0x20 && p[j] < 0x40; j++)
				;
			if (j > i) {
				grep_csi_param(gr, p + i, j - i);
				i = j;
				continue;
			}
		}
		if (gr->state == G_TEXT) {
			j = i + grep_text_span(p + i, len - i);
			if (j > i) {
				memcpy(gr->line.data + gr->line.len, s + i, j - i);
				gr->line.len += j - i;
				i = j;
				continue;
			}
			if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
			    p[i + 1] <= 0x9f) {
				/* A C1 control as UTF-8: xterm neither acts
				 * on it nor shows it (as render.c). */
				i += 2;
				continue;
			}
			if (p[i] == 0xc2 && i + 1 < len) {
				buf_add(&gr->line, s + i, 2);
				i += 2;
				continue;
			}
		}
		grep_byte(gr, p[i], i + 1 < len ? p[i + 1] : 0);
		i++;
	}
}

/* Write the matches gathered so far. 0, or -1 once a write has failed
 * (gr->werr says why; nothing more is written). */
static int
grep_flush(struct grep *gr)
{
	if (gr->werr == 0 && gr->out.len > 0 &&
	    write_all(STDOUT_FILENO, gr->out.data, gr->out.len) != 0)
		gr->werr = errno != 0 ? errno : EIO;
	buf_reset(&gr->out);
	return gr->werr != 0 ? -1 : 0;
}

/* Search one session; 0, or -1 if it could not be read at all. */
static int
grep_session(struct grep *gr, const struct session *s)
{
	struct cast_reader	*cr;
	struct cast_event	 ev;
	char			*cause = NULL;

	if ((cr = cast_reader_open(s->cast_path, &cause)) == NULL) {
		log_error("%s: %s", s->id, cause);
		free(cause);
		gr->unread = 1;
		return -1;
	}
	gr->id = s->id;
	gr->state = G_TEXT;
	gr->cut = gr->back = gr->cr = 0;
	gr->rel = 0;
	buf_reset(&gr->line);
	buf_reset(&gr->last);
	gr->nsegs = 0;
	while (cast_reader_next(cr, &ev) == 1) {
		if (ev.code != 'o')
			continue;
		grep_event(gr, ev.data, ev.len, ev.time);
		if (gr->out.len > 65536 && grep_flush(gr) != 0)
			break;
	}
	grep_line_end(gr);
	/* Damage is said, and the search goes on; the exit status tells. */
	if (cmd_damage(s, cast_reader_damage(cr)) != EXIT_OK)
		gr->unread = 1;
	cast_reader_free(cr);
	return 0;
}

static int
grep_sessions(struct globals *g, struct grep *gr, int all)
{
	struct session_list	 l;
	char			*dir = NULL, *project = NULL, *cause = NULL;
	size_t			 i;
	int			 rc = -1;

	if (!all && (project = cmd_project_listing(g,
	    "grep --all searches every project's sessions", &cause)) == NULL)
		goto out;
	if ((dir = session_dir(0, &cause)) == NULL)
		goto out;
	if (session_list(dir, project, &l, &cause) != 0)
		goto out;
	for (i = l.n; i-- > 0 && gr->werr == 0;)	/* oldest first */
		(void)grep_session(gr, &l.v[i]);
	session_list_free(&l);
	rc = 0;
out:
	if (cause != NULL)
		log_error("%s", cause);
	free(cause);
	free(dir);
	free(project);
	return rc;
}

int
cmd_grep(struct globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ignore-case",	no_argument,	NULL, 'i' },
		{ "all",		no_argument,	NULL, 'a' },
		{ "help",		no_argument,	NULL, 'h' },
		{ NULL,			0,		NULL, 0 }
	};
	struct grep	 gr;
	size_t		 i;
	int		 ch, all = 0, rc;

	memset(&gr, 0, sizeof gr);
	optind = 0;	/* 0, not 1: glibc starts afresh (main's "+" is not kept) */
	while ((ch = getopt_long(argc, argv, ":iah", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			gr.icase = 1;
			break;
		case 'a':
			all = 1;
			break;
		case 'h':
			return usage_print(argv[0]);
		default:
			return usage_getopt(argv, ch, longopts);
		}
	}
	if (argc - optind != 1)
		return usage_error(argv[0], "grep takes one PATTERN");
	gr.pat = argv[optind];
	if ((gr.plen = strlen(gr.pat)) == 0)
		return usage_error(argv[0], "the pattern is empty");
	for (i = 0; i < gr.plen; i++)
		if ((gr.pat[i] > 0 && gr.pat[i] < 0x20 && gr.pat[i] != '\t') ||
		    gr.pat[i] == 0x7f)
			return usage_error(argv[0], "the pattern holds a "
			    "control character (a newline?): the text "
			    "searched has none but tabs");
	gr.fpat = xstrdup(gr.pat);
	for (i = 0; i < gr.plen; i++)
		gr.fpat[i] = (char)grep_fold((unsigned char)gr.fpat[i]);
	buf_init(&gr.line);
	buf_init(&gr.folded);
	buf_init(&gr.last);
	buf_init(&gr.out);
	rc = grep_sessions(g, &gr, all);
	if (grep_flush(&gr) != 0) {
		if (gr.werr != EPIPE)
			log_error("stdout: %s", strerror(gr.werr));
		rc = -1;
	}
	buf_free(&gr.line);
	buf_free(&gr.folded);
	buf_free(&gr.last);
	buf_free(&gr.out);
	free(gr.segs);
	free(gr.fpat);
	if (rc != 0 || gr.unread)
		return EXIT_ERROR;
	return gr.hits > 0 ? EXIT_OK : EXIT_ERROR;
}
