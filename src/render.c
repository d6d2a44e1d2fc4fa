/* render.c: a virtual terminal (libtsm 4.0.2) fed with recorded output;
 * reads the screen back as text or as ANSI to repaint a real terminal, and
 * takes snapshots of its whole state so a player can seek quickly. The
 * only file that includes <libtsm.h>; the workarounds follow
 * reference/libtsm-notes.md.
 *
 * libtsm cannot be copied or asked for its parser state, so a small shadow
 * parser ("track") follows the stream beside it and remembers what a
 * snapshot needs and the screen cannot tell: the SGR in force, margins,
 * charsets, the DECSC save, the alternate-screen cursor save, LNM/SRM.
 * A snapshot is only taken where that is complete (parser in ground
 * state; no changed tab stops, no DECSCL); restoring paints the cells of
 * both screens and replays that state as escape sequences.
 *
 * The shadow parser also keeps from libtsm the final byte of sequences
 * that 4.0.2 misreads (DECRQM and XTSMPOINTER reset it, private forms of
 * SGR and DECSTBM change colours and margins), sending CAN instead, so
 * they have no effect, as on a real terminal; or it then feeds what xterm
 * (and tmux) do in libtsm's terms: CSI s / CSI u as ESC 7 / ESC 8;
 * DECSTBM as xterm reads it, then home; DECOM set or reset, then home;
 * ?1049h on the alternate screen and ?1047l on the main one, nothing;
 * HPA (unknown to libtsm), and CHA in origin mode (where libtsm moves the
 * row), as CR and CUF; CNL and CPL (unknown) as CR and CUD or CUU; REP
 * (unknown) as the last graphic character again, if nothing came between
 * (the shadow parser keeps that character). After CUU and CUD it leaves
 * libtsm's pending wrap. Before a wide character at the last column it
 * feeds CR LF, so that the character wraps, as xterm does, instead of
 * overhanging the row. LF, VT, FF, IND and NEL on the last row below the
 * margins, and RI on the first row above them, it keeps from libtsm,
 * which scrolls the margins there; xterm leaves the cursor where it is.
 * A wrap there (after the last column) it makes a CR, for the same
 * reason. C1 controls that UTF-8 encodes (U+0080-U+009F) it keeps from
 * libtsm altogether: xterm does not act on them (ctlseqs: "it is not
 * possible to use a C1 control obtained from decoding the UTF-8 text"),
 * nor print them. Before a narrowing, it blanks for good a wide character
 * whose right half was overwritten, where the new last column would show
 * it again (narrow_prepare).
 *
 * libtsm 4.0.2 drops combining marks (width 0) and cannot be given them:
 * the symbol table that would join them to the character before is not
 * exported (tsm_symbol_append is internal). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtsm.h>

#include "render.h"
#include "util.h"

#define RENDER_SB_MAX	256	/* > 0: lines pushed off by a resize survive */
#define TR_SEQ_MAX	64	/* raw bytes of one CSI kept for replay */
#define TR_SGR_MAX	512	/* SGR sequences since the last reset */
#define TR_ARG_MAX	16	/* as libtsm's CSI_ARG_MAX */
#define TR_CP_MAX	0x1fffff	/* the UTF-8 decoder's largest */
/* A screen one column wide is made two: libtsm 4.0.2 crashes on a wide
 * character in insert mode there (tsm_screen_write). */
#define RENDER_COLS(c)	((c) < 2 ? 2 : (c))

/* libtsm's CSI flags (do_collect). */
#define F_BANG		0x001
#define F_CASH		0x002
#define F_WHAT		0x004
#define F_GT		0x008
#define F_SPACE		0x010
#define F_POPEN		0x020
#define F_PCLOSE	0x040
#define F_MULT		0x080
#define F_PLUS		0x100
#define F_OTHER		0x200

enum tr_state {
	TR_GROUND,
	TR_ESC,
	TR_ESC_INT,
	TR_CSI_ENTRY,
	TR_CSI_PARAM,
	TR_CSI_INT,
	TR_CSI_IGNORE,
	TR_STRING,	/* DCS, SOS, PM, APC: until ST */
	TR_OSC,		/* until BEL or ST */
};

enum tr_probe {
	PROBE_NONE,
	PROBE_DECSC,	/* read the cursor and modes DECSC saved */
	PROBE_ALTSAVE,	/* read the cursor ?1048h/?1049h saved */
	PROBE_UNWRAP,	/* CUU, CUD: leave the pending wrap, as xterm */
	PROBE_TEXT,	/* a graphic character, on the careful path */
	PROBE_C1,	/* U+0080-U+009F decoded from UTF-8 */
	/* From here on libtsm may be kept from the character (render_hold
	 * says); render_replace then feeds what it means. */
	PROBE_LF,	/* LF, VT, FF: a C0 control, also inside a sequence */
	/* From here on it gets CAN instead: the sequence has no effect. */
	PROBE_CANCEL,	/* nothing */
	PROBE_IND,	/* IND, NEL, RI: ESC D, E, M or C1 */
	PROBE_NEL,
	PROBE_RI,
	PROBE_SCOSC,	/* CSI s: DECSC */
	PROBE_SCORC,	/* CSI u: DECRC */
	PROBE_STBM,	/* DECSTBM as xterm reads it, then home */
	PROBE_DECMODE,	/* DEC modes 6, 1047, 1049: one at a time */
	PROBE_HPA,	/* HPA: CR, then CUF */
	PROBE_CHA,	/* the same, in origin mode only */
	PROBE_CNL,	/* CNL, CPL: CR, then CUD or CUU */
	PROBE_REP,	/* REP: the last graphic character again */
};

struct tr_sgr {
	char	 s[TR_SGR_MAX];
	size_t	 len;
	int	 over;		/* did not fit: state unknown */
};

struct track {
	int		 state;
	uint32_t	 cp;		/* UTF-8 decoder */
	int		 need;
	unsigned int	 flags;		/* collected intermediates */
	int		 inter;		/* any intermediate or private marker */
	int		 argc;
	int		 argv[TR_ARG_MAX];
	char		 seq[TR_SEQ_MAX];	/* CSI bytes after the introducer */
	size_t		 seqlen;
	int		 seqover;
	uint32_t	 rep;		/* what REP repeats; 0: nothing */

	struct tr_sgr	 sgr;
	int		 margins;	/* DECSTBM in force */
	int		 mtop, mbot;	/* its rows, from 1, as taken */
	int		 lnm;		/* LNM set */
	int		 srm_off;	/* SRM reset (local echo) */
	char		 g[4];		/* designation finals, 0 default */
	int		 gl, gr;
	int		 shift;		/* SS2/SS3 pending */
	int		 tabs;		/* tab stops changed */
	int		 unsupported;	/* DECSCL seen */
	int		 bits;		/* 0: UTF-8; 7 or 8 after DECSCL */
	struct {
		int		 valid;
		unsigned int	 x, y;
		struct tr_sgr	 sgr;
		int		 gl, gr;
		int		 wrap, origin;
	}		 saved;
	unsigned int	 altx, alty;
};

struct render {
	struct tsm_screen	*scr;
	struct tsm_vte		*vte;
	struct track		 tr;
	struct tsm_screen_attr	 blank;	/* attributes of a never-written cell */
	unsigned int		 xmax;	/* cursor x is at most this, where
					 * render_feed is; XMAX_UNKNOWN */
};

#define XMAX_UNKNOWN	(~0u)

/* One cell as read back with tsm_screen_draw. */
struct rcell {
	uint32_t		 ch;	/* 0 when empty */
	int			 width;	/* 0: right half of a wide character */
	struct tsm_screen_attr	 attr;
};

struct grid {
	int		 cols, rows;
	struct rcell	*c;
};

/* A non-blank cell of a snapshot. */
struct scell {
	uint16_t		 x, y;
	uint32_t		 ch;
	struct tsm_screen_attr	 attr;
};

struct render_snap {
	int		 cols, rows;
	unsigned int	 flags;
	unsigned int	 cx, cy;
	struct track	 tr;
	size_t		 nmain, nalt;
	struct scell	*cells;		/* nmain main-screen cells, then alt */
};

static void
discard_write_cb(struct tsm_vte *vte, const char *u8, size_t len, void *data)
{
	/* Answers to DSR, DA, ENQ...: never sent anywhere. */
	(void)vte;
	(void)u8;
	(void)len;
	(void)data;
}

/* ------------------------------------------------------------------ */
/* The shadow parser. It mirrors the state machine of libtsm's vte.c. */

static void
tr_sgr_clear(struct tr_sgr *s)
{
	s->len = 0;
	s->over = 0;
}

static void
tr_soft_reset(struct track *t)
{
	tr_sgr_clear(&t->sgr);
	t->margins = 0;
	t->lnm = 0;
	t->srm_off = 0;
	memset(t->g, 0, sizeof t->g);
	t->gl = 0;
	t->gr = 1;
	t->shift = 0;
	t->tabs = 0;
	t->unsupported = 0;
	t->bits = 0;
	t->saved.valid = 0;
}

static void
tr_init(struct track *t)
{
	memset(t, 0, sizeof *t);
	t->state = TR_GROUND;
	tr_soft_reset(t);
}

static void
tr_clear(struct track *t)
{
	int	i;

	t->flags = 0;
	t->inter = 0;
	t->argc = 0;
	for (i = 0; i < TR_ARG_MAX; i++)
		t->argv[i] = -1;
	t->seqlen = 0;
	t->seqover = 0;
}

static void
tr_seq_add(struct track *t, uint32_t cp)
{
	if (cp >= 0x80 || t->seqlen >= sizeof t->seq) {
		t->seqover = 1;
		return;
	}
	t->seq[t->seqlen++] = (char)cp;
}

static void
tr_collect(struct track *t, uint32_t cp)
{
	t->inter = 1;
	switch (cp) {
	case '!': t->flags |= F_BANG; break;
	case '$': t->flags |= F_CASH; break;
	case '?': t->flags |= F_WHAT; break;
	case '>': t->flags |= F_GT; break;
	case ' ': t->flags |= F_SPACE; break;
	case '(': t->flags |= F_POPEN; break;
	case ')': t->flags |= F_PCLOSE; break;
	case '*': t->flags |= F_MULT; break;
	case '+': t->flags |= F_PLUS; break;
	case '\'': case '"': t->flags |= F_OTHER; break;
	}
}

static void
tr_param(struct track *t, uint32_t cp)
{
	int	v;

	if (cp == ';') {
		if (t->argc < TR_ARG_MAX)
			t->argc++;
		return;
	}
	if (t->argc >= TR_ARG_MAX || t->argv[t->argc] > 0xffff)
		return;
	v = t->argv[t->argc];
	t->argv[t->argc] = v <= 0 ? (int)(cp - '0') : v * 10 + (int)(cp - '0');
}

/* A line feed or reverse index: only with margins can the cursor be
 * where libtsm gets it wrong (render_hold). */
static enum tr_probe
tr_index(const struct track *t, enum tr_probe probe)
{
	return t->margins ? probe : PROBE_NONE;
}

/* C0 and C1 controls that change tracked state. */
static enum tr_probe
tr_execute(struct track *t, uint32_t cp)
{
	switch (cp) {
	case 0x0a: case 0x0b: case 0x0c:	/* LF, VT, FF */
		return tr_index(t, PROBE_LF);
	case 0x0e: t->gl = 1; break;		/* SO */
	case 0x0f: t->gl = 0; break;		/* SI */
	case 0x84: return tr_index(t, PROBE_IND);
	case 0x85: return tr_index(t, PROBE_NEL);
	case 0x88: t->tabs = 1; break;		/* HTS */
	case 0x8d: return tr_index(t, PROBE_RI);
	case 0x8e: case 0x8f: t->shift = 1; break; /* SS2, SS3 */
	}
	return PROBE_NONE;
}

/* Printed in ground state (DEL is ignored, C1 controls execute). */
static int
tr_graphic(uint32_t cp)
{
	return cp >= 0x20 && cp != 0x7f && (cp < 0x80 || cp > 0x9f);
}

/*
 * A graphic character. REP repeats it, as it came (so through the
 * charset in force); a character of width 0 (libtsm drops it; xterm
 * joins it to the one before) leaves what REP repeats. In the 7- and
 * 8-bit modes only ASCII is kept, as the bytes fed are not UTF-8.
 */
static void
tr_print(struct track *t, uint32_t cp)
{
	if (cp >= 33 && cp <= 126)
		t->shift = 0;
	if (cp < 0x80)
		t->rep = cp;
	else if (t->bits != 0 || cp > TR_CP_MAX)
		t->rep = 0;
	else if (tsm_ucs4_get_width(cp) != 0)
		t->rep = cp;
}

static void
tr_decrc(struct track *t)
{
	if (t->saved.valid) {
		t->sgr = t->saved.sgr;
		t->gl = t->saved.gl;
		t->gr = t->saved.gr;
	} else {
		tr_sgr_clear(&t->sgr);
		t->gl = 0;
		t->gr = 1;
	}
}

static int
tr_charset_final(uint32_t f)
{
	return f != 0 && strchr("B<0A4C5RQKYE6ZH7=", (int)f) != NULL;
}

static enum tr_probe
tr_esc_dispatch(struct track *t, uint32_t f)
{
	int	slot = -1;

	if (tr_charset_final(f)) {
		if (t->flags & F_POPEN)
			slot = 0;
		else if (t->flags & F_PCLOSE)
			slot = 1;
		else if (t->flags & F_MULT)
			slot = 2;
		else if (t->flags & F_PLUS)
			slot = 3;
		if (slot != -1) {
			t->g[slot] = (char)f;
			return PROBE_NONE;
		}
	}
	if ((f == 'F' || f == 'G') && (t->flags & F_SPACE))
		return PROBE_NONE;
	if (t->flags != 0)
		return PROBE_NONE;
	switch (f) {
	case 'H': t->tabs = 1; break;
	case 'N': case 'O': t->shift = 1; break;
	case '~': t->gr = 1; break;
	case 'n': t->gl = 2; break;
	case '}': t->gr = 2; break;
	case 'o': t->gl = 3; break;
	case '|': t->gr = 3; break;
	case 'c': tr_soft_reset(t); break;
	case '7': return PROBE_DECSC;
	case '8': tr_decrc(t); break;
	case 'D': return tr_index(t, PROBE_IND);
	case 'E': return tr_index(t, PROBE_NEL);
	case 'M': return tr_index(t, PROBE_RI);
	}
	return PROBE_NONE;
}

static void
tr_sgr(struct track *t)
{
	struct tr_sgr	*s = &t->sgr;

	if (t->argv[0] == 0 || (t->argc <= 1 && t->argv[0] == -1))
		tr_sgr_clear(s);
	if (t->seqover || s->len + 2 + t->seqlen > sizeof s->s) {
		s->over = 1;
		return;
	}
	memcpy(s->s + s->len, "\033[", 2);
	memcpy(s->s + s->len + 2, t->seq, t->seqlen);
	s->len += 2 + t->seqlen;
}

/* DEC modes that libtsm 4.0.2 gets wrong: DECOM (6) homes the cursor;
 * ?1049h on the alternate screen does nothing (it cleared it and saved
 * the cursor again); ?1047l on the main screen does nothing (it cleared
 * it). render_decmode sets the modes one by one and does that. */
static enum tr_probe
tr_mode(struct track *t, int set)
{
	enum tr_probe	 probe = PROBE_NONE;
	int		 i;

	for (i = 0; i < t->argc; i++) {
		if (!(t->flags & F_WHAT)) {
			if (t->argv[i] == 12)
				t->srm_off = !set;
			else if (t->argv[i] == 20)
				t->lnm = set;
			continue;
		}
		if (t->argv[i] == 6 || t->argv[i] == 1047 ||
		    t->argv[i] == 1049)
			return PROBE_DECMODE;
		if (set && t->argv[i] == 1048)
			probe = PROBE_ALTSAVE;
	}
	return probe;
}

/* libtsm 4.0.2 reads past its argument array when SGR 38 or 48 comes
 * among the last of 16 parameters (fixed in 4.7.1): such a sequence is
 * kept from it. Real programs do not send 16-parameter SGRs. */
static int
tr_sgr_overrun(const struct track *t)
{
	int	 i;

	if (t->argc < TR_ARG_MAX)
		return 0;
	for (i = TR_ARG_MAX - 5; i < TR_ARG_MAX; i++) {
		if (t->argv[i] == 38 || t->argv[i] == 48)
			return 1;
	}
	return 0;
}

static enum tr_probe
tr_csi_dispatch(struct track *t, uint32_t f)
{
	if (t->argc < TR_ARG_MAX)
		t->argc++;
	switch (f) {
	case 'm':
		if (t->inter)	/* "\033[>4;2m" is not SGR, libtsm thinks so */
			return PROBE_CANCEL;
		if (tr_sgr_overrun(t))
			return PROBE_CANCEL;
		tr_sgr(t);
		break;
	case 'r':
		if (t->inter)	/* XTRESTORE, read as DECSTBM */
			return PROBE_CANCEL;
		return PROBE_STBM;	/* margins: render_stbm */
	case 's':		/* SCOSC, as xterm (without DECLRMM) */
		if (t->inter || t->argc != 1 || t->argv[0] != -1)
			break;
		return PROBE_SCOSC;
	case 'u':		/* SCORC; not the kitty keyboard forms */
		if (t->inter || t->argc != 1 || t->argv[0] != -1)
			break;
		tr_decrc(t);
		return PROBE_SCORC;
	case 'A':		/* CUU, CUD, whatever the flags (libtsm) */
	case 'B':
		return PROBE_UNWRAP;
	case '`':		/* HPA, unknown to libtsm */
		if (t->inter)
			break;
		return PROBE_HPA;
	case 'G':		/* CHA: libtsm moves down in origin mode */
		return PROBE_CHA;
	case 'E':		/* CNL, CPL: unknown to libtsm */
	case 'F':
		if (t->inter)
			break;
		return PROBE_CNL;
	case 'b':		/* REP: unknown to libtsm */
		if (t->inter)
			break;
		return PROBE_REP;
	case 'h':
		return tr_mode(t, 1);
	case 'l':
		return tr_mode(t, 0);
	case 'p':
		/* DECRQM (vim sends "\033[?12$p") and XTSMPOINTER reset
		 * libtsm 4.0.2, which also drops the alternate screen. */
		if (t->flags & (F_CASH | F_GT))
			return PROBE_CANCEL;
		tr_soft_reset(t);
		if (!(t->flags & F_BANG)) {
			t->unsupported = 1;	/* DECSCL: 7/8-bit modes */
			if (t->argv[0] == 61)
				t->bits = 7;
			else if (t->argv[0] >= 62 && t->argv[0] <= 64)
				t->bits = 8;
		}
		break;
	case 'g':
		t->tabs = 1;
		break;
	}
	return PROBE_NONE;
}

/* Transitions that apply in every state. 1 if cp was consumed. */
static int
tr_anywhere(struct track *t, uint32_t cp, enum tr_probe *probe)
{
	switch (cp) {
	case 0x18: case 0x1a:
		t->state = TR_GROUND;
		return 1;
	case 0x1b:
		t->state = TR_ESC;
		tr_clear(t);
		return 1;
	case 0x90: case 0x98: case 0x9e: case 0x9f:
		t->state = TR_STRING;
		return 1;
	case 0x9d:
		t->state = TR_OSC;
		return 1;
	case 0x9b:
		t->state = TR_CSI_ENTRY;
		tr_clear(t);
		return 1;
	}
	if (cp >= 0x80 && cp <= 0x9f) {
		t->state = TR_GROUND;
		*probe = tr_execute(t, cp);
		return 1;
	}
	return 0;
}

static int
is_c0(uint32_t cp)
{
	return cp <= 0x17 || cp == 0x19 || (cp >= 0x1c && cp <= 0x1f);
}

static enum tr_probe
tr_csi(struct track *t, uint32_t cp)
{
	int	ignore;

	if (is_c0(cp))
		return tr_execute(t, cp);
	if (cp == 0x7f)
		return PROBE_NONE;
	tr_seq_add(t, cp);
	if (cp >= 0x40 && cp <= 0x7e) {
		ignore = t->state == TR_CSI_IGNORE;
		t->state = TR_GROUND;
		return ignore ? PROBE_NONE : tr_csi_dispatch(t, cp);
	}
	switch (t->state) {
	case TR_CSI_ENTRY:
		if (cp >= 0x20 && cp <= 0x2f) {
			tr_collect(t, cp);
			t->state = TR_CSI_INT;
		} else if ((cp >= '0' && cp <= '9') || cp == ';') {
			tr_param(t, cp);
			t->state = TR_CSI_PARAM;
		} else if (cp >= 0x3c && cp <= 0x3f) {
			tr_collect(t, cp);
			t->state = TR_CSI_PARAM;
		} else
			t->state = TR_CSI_IGNORE;
		break;
	case TR_CSI_PARAM:
		if ((cp >= '0' && cp <= '9') || cp == ';')
			tr_param(t, cp);
		else if (cp >= 0x20 && cp <= 0x2f) {
			tr_collect(t, cp);
			t->state = TR_CSI_INT;
		} else
			t->state = TR_CSI_IGNORE;
		break;
	case TR_CSI_INT:
		if (cp >= 0x20 && cp <= 0x2f)
			tr_collect(t, cp);
		else
			t->state = TR_CSI_IGNORE;
		break;
	}
	return PROBE_NONE;
}

static enum tr_probe
tr_esc(struct track *t, uint32_t cp)
{
	if (is_c0(cp))
		return tr_execute(t, cp);
	if (cp == 0x7f)
		return PROBE_NONE;
	if (t->state == TR_ESC_INT) {
		if (cp >= 0x30 && cp <= 0x7e) {
			t->state = TR_GROUND;
			return tr_esc_dispatch(t, cp);
		}
		tr_collect(t, cp);
		return PROBE_NONE;
	}
	switch (cp) {
	case '[':
		t->state = TR_CSI_ENTRY;
		tr_clear(t);
		return PROBE_NONE;
	case ']':
		t->state = TR_OSC;
		return PROBE_NONE;
	case 'P': case 'X': case '^': case '_':
		t->state = TR_STRING;
		return PROBE_NONE;
	}
	if (cp >= 0x30 && cp <= 0x7e) {
		t->state = TR_GROUND;
		return tr_esc_dispatch(t, cp);
	}
	tr_collect(t, cp);
	t->state = TR_ESC_INT;
	return PROBE_NONE;
}

/* Anything but a graphic character in ground state. */
static enum tr_probe
tr_control(struct track *t, uint32_t cp)
{
	enum tr_probe	 probe = PROBE_NONE;

	if (tr_anywhere(t, cp, &probe))
		return probe;
	switch (t->state) {
	case TR_GROUND:
		return is_c0(cp) ? tr_execute(t, cp) : PROBE_NONE;
	case TR_ESC:
	case TR_ESC_INT:
		return tr_esc(t, cp);
	case TR_CSI_ENTRY:
	case TR_CSI_PARAM:
	case TR_CSI_INT:
	case TR_CSI_IGNORE:
		return tr_csi(t, cp);
	case TR_OSC:
		if (cp == 0x07)
			t->state = TR_GROUND;
		return PROBE_NONE;
	}
	return PROBE_NONE;	/* TR_STRING: only ST (handled above) ends it */
}

static enum tr_probe
tr_cp(struct track *t, uint32_t cp)
{
	enum tr_probe	 probe;

	if (t->state == TR_GROUND && tr_graphic(cp)) {
		tr_print(t, cp);
		t->cp = cp;	/* for render_feed (the decoder is done) */
		return t->bits == 0 ? PROBE_TEXT : PROBE_NONE;
	}
	probe = tr_control(t, cp);
	/* As xterm: whatever else ends in ground state (a control, a
	 * sequence, REP itself once done) leaves REP nothing to repeat. */
	if (t->state == TR_GROUND && probe != PROBE_REP)
		t->rep = 0;
	return probe;
}

/*
 * Decode input as libtsm 4.0.2 does (tsm_utf8_mach_feed, tsm_vte_input):
 * a stray continuation byte is dropped; a sequence broken by another byte
 * gives U+FFFD and that byte is lost; overlong forms are accepted (so
 * "\xc0\x9b" is ESC). A C1 control that UTF-8 encodes (U+0080-U+009F)
 * is left to render_feed: PROBE_C1, the state untouched. After DECSCL, bytes are read as 8-bit (a signed char,
 * as libtsm does) or 7-bit.
 */
static enum tr_probe
tr_byte(struct track *t, unsigned char b)
{
	if (t->bits == 7)
		return tr_cp(t, b & 0x7f);
	if (t->bits == 8)
		return tr_cp(t, (uint32_t)(int32_t)(signed char)b);
	if (t->need > 0) {
		if ((b & 0xc0) != 0x80) {
			t->need = 0;
			return tr_cp(t, 0xfffd);
		}
		t->cp = (t->cp << 6) | (b & 0x3f);
		if (--t->need > 0)
			return PROBE_NONE;
		if (t->cp >= 0x80 && t->cp <= 0x9f)
			return PROBE_C1;	/* render_feed decides */
		return tr_cp(t, t->cp);
	}
	if (b < 0x80)
		return tr_cp(t, b);
	if ((b & 0xc0) == 0x80)
		return PROBE_NONE;	/* out of sync: ignored */
	if ((b & 0xe0) == 0xc0) {
		t->cp = b & 0x1f;
		t->need = 1;
	} else if ((b & 0xf0) == 0xe0) {
		t->cp = b & 0x0f;
		t->need = 2;
	} else if ((b & 0xf8) == 0xf0) {
		t->cp = b & 0x07;
		t->need = 3;
	} else
		return tr_cp(t, 0xfffd);
	return PROBE_NONE;
}

/* Can a snapshot hold everything that matters here? */
static int
tr_complete(const struct track *t)
{
	if (t->state != TR_GROUND || t->need != 0 || t->shift)
		return 0;
	if (t->tabs || t->unsupported || t->sgr.over)
		return 0;
	if (t->saved.valid && t->saved.sgr.over)
		return 0;
	return 1;
}

/* ------------------------------------------------------------------ */
/* The terminal. */

static void
screen_cursor_raw(struct render *r, unsigned int *x, unsigned int *y)
{
	*x = tsm_screen_get_cursor_x(r->scr);
	*y = tsm_screen_get_cursor_y(r->scr);
}

static void
vte_puts(struct render *r, const char *s)
{
	tsm_vte_input(r->vte, s, strlen(s));
}

static void
render_probe(struct render *r, enum tr_probe probe)
{
	struct track	*t = &r->tr;
	unsigned int	 flags;

	switch (probe) {
	case PROBE_UNWRAP:
		/* libtsm keeps x == width (the pending wrap), so that the
		 * next character would wrap; xterm clears it. CUF takes x
		 * to the last column without touching y. */
		if (tsm_screen_get_cursor_x(r->scr) >=
		    tsm_screen_get_width(r->scr))
			vte_puts(r, "\033[C");
		break;
	case PROBE_REP:
		t->rep = 0;	/* libtsm saw it (render_feed): done */
		break;
	default:
		break;
	case PROBE_DECSC:
		flags = tsm_screen_get_flags(r->scr);
		t->saved.valid = 1;
		screen_cursor_raw(r, &t->saved.x, &t->saved.y);
		t->saved.sgr = t->sgr;
		t->saved.gl = t->gl;
		t->saved.gr = t->gr;
		t->saved.wrap = (flags & TSM_SCREEN_AUTO_WRAP) != 0;
		t->saved.origin = (flags & TSM_SCREEN_REL_ORIGIN) != 0;
		break;
	case PROBE_ALTSAVE:
		screen_cursor_raw(r, &t->altx, &t->alty);
		break;
	}
}

/*
 * The shadow parser's fast path: in ground state, printable text changes
 * nothing it tracks. Skip whole characters from i: ASCII 0x20-0x7e and
 * complete, shortest-form UTF-8 sequences that are not C1 controls
 * (U+0080-U+009F; libtsm takes overlong forms too).
 * Returns where the careful, byte by byte path must go on; or, with *wide
 * set to its length, where a complete character from U+1000 up (all
 * that can be wide) starts, unless the characters before it take fewer
 * than room columns (then it cannot be at the last column, see
 * render_wide). *cols: at most the columns of what was skipped.
 */
static size_t
tr_skip_text(const struct track *t, const char *s, size_t i, size_t len,
    size_t *wide, size_t room, size_t *cols)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n, i0 = i, slack = 0;	/* bytes - columns */

	*wide = 0;
	*cols = 0;
	if (t->state != TR_GROUND || t->need != 0 || t->shift || t->bits != 0)
		return i;
	while (i < len) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			i++;
			continue;
		}
		if (u[i] >= 0xc3 && u[i] <= 0xdf)
			n = 2;
		else if ((u[i] >= 0xe1 && u[i] <= 0xef) ||
		    (u[i] == 0xe0 && i + 1 < len && u[i + 1] >= 0xa0))
			n = 3;
		else if ((u[i] >= 0xf1 && u[i] <= 0xf4) ||
		    (u[i] == 0xf0 && i + 1 < len && u[i + 1] >= 0x90))
			n = 4;
		else if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0xa0 &&
		    u[i + 1] <= 0xbf)
			n = 2;
		else
			break;
		if (i + n > len || (u[i + 1] & 0xc0) != 0x80 ||
		    (n > 2 && (u[i + 2] & 0xc0) != 0x80) ||
		    (n > 3 && (u[i + 3] & 0xc0) != 0x80))
			break;	/* cut or invalid: the careful path */
		if (u[i] >= 0xe1) {
			if (i - i0 - slack >= room) {
				*wide = n;
				break;
			}
			slack += n - 2;
		} else
			slack += n - 1;
		i += n;
	}
	*cols = i - i0 - slack;
	return i;
}

/* A complete, well-formed UTF-8 character of n bytes. */
static uint32_t
utf8_get(const unsigned char *u, size_t n)
{
	switch (n) {
	case 1:
		return u[0];
	case 2:
		return (uint32_t)(u[0] & 0x1f) << 6 | (u[1] & 0x3f);
	case 3:
		return (uint32_t)(u[0] & 0x0f) << 12 |
		    (uint32_t)(u[1] & 0x3f) << 6 | (u[2] & 0x3f);
	}
	return (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3f) << 12 |
	    (uint32_t)(u[2] & 0x3f) << 6 | (u[3] & 0x3f);
}

/*
 * What REP repeats after text the fast path skipped, s[i..j): its last
 * character not of width 0 (see tr_print), or what it was before.
 */
static void
tr_text_rep(struct track *t, const char *s, size_t i, size_t j)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 k;
	uint32_t		 cp;

	while (j > i) {
		for (k = j - 1; k > i && (u[k] & 0xc0) == 0x80; k--)
			;
		cp = utf8_get(u + k, j - k);
		if (cp < 0x80 || tsm_ucs4_get_width(cp) != 0) {
			t->rep = cp;
			return;
		}
		j = k;
	}
}

static int render_hold(struct render *, enum tr_probe);

/*
 * The wraps libtsm 4.0.2 gets wrong, before a character cp is written. A
 * wide character at the last column it writes there, overhanging the row,
 * where xterm and tmux wrap it to the next line (leaving the last cell as
 * it was). On the last row below the margins a wrap (its own, after the
 * last column) scrolls the margins; there xterm's line feed moves nothing
 * (render_hold), so the wrap is a CR. With auto-wrap on, give libtsm CR
 * LF, or CR there, first.
 */
static void
wide_wrap(struct render *r, uint32_t cp)
{
	unsigned int	 w = tsm_screen_get_width(r->scr), x;
	int		 stuck;

	x = tsm_screen_get_cursor_x(r->scr);
	r->xmax = x + 2;
	if (!(tsm_screen_get_flags(r->scr) & TSM_SCREEN_AUTO_WRAP))
		return;
	stuck = r->tr.margins && render_hold(r, PROBE_LF);
	if (x >= w && stuck)
		vte_puts(r, "\r");
	else if (x + 1 == w && w >= 2 && tsm_ucs4_get_width(cp) == 2)
		vte_puts(r, stuck ? "\r" : "\r\n");
	else
		return;
	r->xmax = 2;
}

/*
 * With margins, and the cursor below them, where text may reach the last
 * row: how far the fast path may skip from i (libtsm fed up to there) so
 * that no character of it comes at the pending wrap (wide_wrap looks at
 * the one that does). len where that cannot happen.
 */
static size_t
wrap_end(struct render *r, const char *s, size_t *start, size_t i,
    size_t len)
{
	unsigned int	 w, x;

	if (!r->tr.margins || r->tr.state != TR_GROUND || r->tr.need != 0)
		return len;
	tsm_vte_input(r->vte, s + *start, i - *start);
	*start = i;
	if (tsm_screen_get_cursor_y(r->scr) + 1 <= (unsigned int)r->tr.mbot)
		return len;
	w = tsm_screen_get_width(r->scr);
	x = tsm_screen_get_cursor_x(r->scr);
	r->xmax = x;
	if (x >= w)
		return i;
	return len - i > w - x ? i + (w - x) : len;
}

/* A character that may be wide, from the fast path: fed up to it; s + i
 * holds its n bytes. */
static void
render_wide(struct render *r, const char *s, size_t *start, size_t i,
    size_t n)
{
	uint32_t	 cp = utf8_get((const unsigned char *)s + i, n);

	if (*start < i)
		tsm_vte_input(r->vte, s + *start, i - *start);
	*start = i;
	wide_wrap(r, cp);
	if (tsm_ucs4_get_width(cp) != 0)
		r->tr.rep = cp;
}

/* DECSTBM as xterm reads it: the bottom clamped to the screen, and set
 * only if below the top, then the cursor home (libtsm resets the margins
 * to the whole screen instead, and leaves the cursor). */
static void
render_stbm(struct render *r)
{
	struct track	*t = &r->tr;
	int		 top, bot, h = (int)tsm_screen_get_height(r->scr);
	char		 m[64];

	top = t->argv[0] <= 0 ? 1 : t->argv[0];
	bot = t->argv[1] <= 0 || t->argv[1] > h ? h : t->argv[1];
	if (top >= bot)
		return;
	t->margins = 1;
	t->mtop = top;
	t->mbot = bot;
	snprintf(m, sizeof m, "\033[%d;%dr\033[H", top, bot);
	vte_puts(r, m);
}

/* The DEC private modes of one SM/RM, one at a time (see tr_mode). */
static void
render_decmode(struct render *r, int set)
{
	struct track	*t = &r->tr;
	char		 m[32];
	int		 i, p, alt;

	for (i = 0; i < t->argc; i++) {
		if ((p = t->argv[i]) < 0)
			continue;
		alt = (tsm_screen_get_flags(r->scr) & TSM_SCREEN_ALTERNATE) != 0;
		if ((set && p == 1049 && alt) || (!set && p == 1047 && !alt))
			continue;
		snprintf(m, sizeof m, "\033[?%d%c", p, set ? 'h' : 'l');
		vte_puts(r, m);
		if (p == 6)
			vte_puts(r, "\033[H");	/* home, in the new mode */
		if (set && (p == 1048 || p == 1049))
			render_probe(r, PROBE_ALTSAVE);
	}
}

/*
 * Must libtsm be kept from the character? LF, VT, FF, IND and NEL on the
 * last row below the margins, and RI on the first row above them, move
 * nothing in xterm and tmux; libtsm 4.0.2 scrolls the margins instead.
 * (NEL, and LF with LNM, still go to the first column.)
 */
static int
render_hold(struct render *r, enum tr_probe probe)
{
	const struct track	*t = &r->tr;
	unsigned int		 y = tsm_screen_get_cursor_y(r->scr);

	switch (probe) {
	case PROBE_LF:
	case PROBE_IND:
	case PROBE_NEL:
		return y + 1 == tsm_screen_get_height(r->scr) &&
		    t->margins && t->mbot < (int)y + 1;
	case PROBE_RI:
		return y == 0 && t->margins && t->mtop > 1;
	default:
		return 1;
	}
}

/*
 * REP's count less whole rows, where that changes nothing: once every
 * row the character reaches holds it, and the rows scrolled in since
 * (the margins at most), each row more is the same screen and cursor
 * again. So a stray "\033[65535b" costs at most some screens' worth.
 */
static size_t
rep_count(struct render *r, uint32_t cp, size_t n)
{
	size_t	w = tsm_screen_get_width(r->scr);
	size_t	h = tsm_screen_get_height(r->scr);
	size_t	row, settle;

	row = tsm_ucs4_get_width(cp) == 2 ? w / 2 : w;	/* per row */
	if (row == 0)
		row = 1;
	settle = (2 * h + 2) * row;
	if (n > settle + row)
		n = settle + (n - settle) % row;
	return n;
}

/* REP: the character again, as xterm (tmux 3.3a stops at the end of the
 * row and repeats only ASCII). Wide ones, and any with margins set, one
 * by one, to wrap them (wide_wrap). */
static void
render_rep(struct render *r)
{
	struct track	*t = &r->tr;
	char		 u[256];
	size_t		 len, run, n, i;
	uint32_t	 cp = t->rep;

	t->rep = 0;	/* not again after REP */
	if (cp == 0)
		return;
	n = rep_count(r, cp, t->argv[0] <= 0 ? 1 : (size_t)t->argv[0]);
	len = (size_t)(utf8_put(u, cp) - u);
	if (tsm_ucs4_get_width(cp) == 2 || r->tr.margins) {
		for (i = 0; i < n; i++) {
			wide_wrap(r, cp);
			tsm_vte_input(r->vte, u, len);
		}
		return;
	}
	for (run = len; run + len <= sizeof u; run += len)
		memcpy(u + run, u, len);
	for (n *= len; n > 0; n -= i) {
		i = n < run ? n : run;
		tsm_vte_input(r->vte, u, i);
	}
}

/* What a sequence or control kept from libtsm means, fed its way. */
static void
render_replace(struct render *r, enum tr_probe probe, uint32_t final)
{
	char	m[32];
	int	n;

	switch (probe) {
	case PROBE_LF:
		if (r->tr.lnm)
			vte_puts(r, "\r");
		break;
	case PROBE_NEL:
		vte_puts(r, "\r");
		break;
	case PROBE_CNL:
		n = r->tr.argv[0] <= 0 ? 1 : r->tr.argv[0];
		snprintf(m, sizeof m, "\r\033[%d%c", n, final == 'E' ? 'B' : 'A');
		vte_puts(r, m);
		break;
	case PROBE_REP:
		render_rep(r);
		break;
	case PROBE_SCOSC:
		vte_puts(r, "\0337");
		render_probe(r, PROBE_DECSC);
		break;
	case PROBE_SCORC:
		vte_puts(r, "\0338");
		break;
	case PROBE_STBM:
		render_stbm(r);
		break;
	case PROBE_DECMODE:
		render_decmode(r, final == 'h');
		break;
	case PROBE_HPA:
	case PROBE_CHA:
		/* CHA in libtsm adds the top margin to the row in origin
		 * mode; CR and CUF never move the row. */
		n = r->tr.argv[0] <= 0 ? 1 : r->tr.argv[0];
		vte_puts(r, "\r");
		if (n > 1) {
			snprintf(m, sizeof m, "\033[%dC", n - 1);
			vte_puts(r, m);
		}
		break;
	default:
		break;
	}
}

/*
 * Feed libtsm, through the shadow parser, which may keep a character
 * from it (probes from PROBE_LF on): fed up to where that character
 * starts, render_hold says whether libtsm's own handling is right. One
 * that began in an earlier feed (a C1 control or an overlong final cut
 * in two) libtsm has partly; it gets the rest, as it is.
 */
void
render_feed(struct render *r, const char *s, size_t len)
{
	enum tr_probe	 probe;
	size_t		 i, j, n, room, cols, end, start = 0, cstart = 0;
	unsigned int	 w;
	int		 split = r->tr.need > 0;

	for (i = 0; i < len; i++) {
		/* Text moves the cursor right by at most its columns
		 * (wrapping moves it back): libtsm is only asked where the
		 * cursor is (and fed up to there) near the last column. */
		end = wrap_end(r, s, &start, i, len);
		room = 0;
		if (r->xmax != XMAX_UNKNOWN &&
		    r->xmax + 1 < (w = tsm_screen_get_width(r->scr)))
			room = w - 1 - r->xmax;
		j = tr_skip_text(&r->tr, s, i, end, &n, room, &cols);
		if (r->xmax != XMAX_UNKNOWN)
			r->xmax = cols >= XMAX_UNKNOWN - r->xmax ?
			    XMAX_UNKNOWN : r->xmax + (unsigned int)cols;
		if (j > i)
			tr_text_rep(&r->tr, s, i, j);
		if ((i = j) == len)
			break;
		if (n > 0) {
			/* A character that may be wide. */
			render_wide(r, s, &start, i, n);
			i += n - 1;
			continue;
		}
		r->xmax = XMAX_UNKNOWN;	/* the careful path may move it */
		if (r->tr.need == 0) {
			cstart = i;
			split = 0;
		}
		if ((probe = tr_byte(&r->tr, (unsigned char)s[i])) == PROBE_NONE)
			continue;
		if (probe == PROBE_C1 && split)	/* libtsm has part of it */
			probe = tr_cp(&r->tr, r->tr.cp);
		if ((probe == PROBE_TEXT || probe == PROBE_C1) && !split) {
			tsm_vte_input(r->vte, s + start, cstart - start);
			start = cstart;
			if (probe == PROBE_TEXT)
				wide_wrap(r, r->tr.cp);
			else
				start = i + 1;	/* not a control: nothing */
			continue;
		}
		if (probe == PROBE_TEXT)
			continue;
		if (probe == PROBE_CHA && !(tsm_screen_get_flags(r->scr) &
		    TSM_SCREEN_REL_ORIGIN))
			continue;	/* libtsm's own is right */
		if (probe >= PROBE_LF && !split) {
			tsm_vte_input(r->vte, s + start, cstart - start);
			start = cstart;
			if (!render_hold(r, probe))
				continue;	/* libtsm's own is right */
			/* After CAN, the sequence has no effect. */
			if (probe >= PROBE_CANCEL)
				tsm_vte_input(r->vte, "\030", 1);
			start = i + 1;
			render_replace(r, probe, (unsigned char)s[i]);
			continue;
		}
		tsm_vte_input(r->vte, s + start, i + 1 - start);
		start = i + 1;
		render_probe(r, probe);
	}
	if (start < len)
		tsm_vte_input(r->vte, s + start, len - start);
}

static int
attr_eq(const struct tsm_screen_attr *a, const struct tsm_screen_attr *b)
{
	return a->fccode == b->fccode && a->bccode == b->bccode &&
	    a->fr == b->fr && a->fg == b->fg && a->fb == b->fb &&
	    a->br == b->br && a->bg == b->bg && a->bb == b->bb &&
	    a->bold == b->bold && a->italic == b->italic &&
	    a->underline == b->underline && a->inverse == b->inverse &&
	    a->protect == b->protect && a->blink == b->blink;
}

static int
grid_cb(struct tsm_screen *scr, uint64_t id, const uint32_t *ch, size_t len,
    unsigned int width, unsigned int posx, unsigned int posy,
    const struct tsm_screen_attr *attr, tsm_age_t age, void *data)
{
	struct grid	*g = data;
	struct rcell	*c;

	(void)scr;
	(void)id;
	(void)age;
	if ((int)posx >= g->cols || (int)posy >= g->rows)
		return 0;
	c = &g->c[(size_t)posy * (size_t)g->cols + posx];
	c->ch = len > 0 ? ch[0] : 0;
	c->width = (int)width;
	c->attr = *attr;
	return 0;
}

static const struct rcell *
grid_at(const struct grid *g, int x, int y)
{
	return &g->c[(size_t)y * (size_t)g->cols + (size_t)x];
}

/*
 * Smooth over libtsm 4.0.2's leftovers so that what is shown depends only
 * on what a terminal would show: a width-0 cell whose left neighbour is
 * no longer wide becomes a blank with that neighbour's attributes; a wide
 * character whose right half was overwritten becomes a blank (as xterm
 * erases it) unless raw: it shows again if a resize cuts the overwriting
 * cell off. A wide character in the last column stays (it overhangs).
 */
static void
grid_fix(struct grid *g, const struct tsm_screen_attr *blank, int raw)
{
	struct rcell	*c, *row;
	int		 x, y;

	for (y = 0; y < g->rows; y++) {
		row = &g->c[(size_t)y * (size_t)g->cols];
		for (x = 0; x < g->cols; x++) {
			c = &row[x];
			if (c->width == 2 && x + 1 < g->cols &&
			    row[x + 1].width != 0 && !raw) {
				c->ch = 0;
				c->width = 1;
			} else if (c->width == 0 &&
			    (x == 0 || row[x - 1].width != 2)) {
				c->ch = 0;
				c->width = 1;
				c->attr = x == 0 ? *blank : row[x - 1].attr;
			}
		}
	}
}

/*
 * Read the live screen (not the scrollback view) without the cursor. raw:
 * the cells as stored, without the whole-screen inverse (DECSCNM) that
 * draw applies to every cell, and broken wide characters kept.
 */
static void
grid_grab(struct render *r, struct grid *g, int raw)
{
	unsigned int	 flags;

	g->cols = (int)tsm_screen_get_width(r->scr);
	g->rows = (int)tsm_screen_get_height(r->scr);
	g->c = xcalloc((size_t)g->cols * (size_t)g->rows, sizeof *g->c);
	tsm_screen_sb_reset(r->scr);
	flags = tsm_screen_get_flags(r->scr);
	if (!(flags & TSM_SCREEN_HIDE_CURSOR))
		tsm_screen_set_flags(r->scr, TSM_SCREEN_HIDE_CURSOR);
	if (raw && (flags & TSM_SCREEN_INVERSE))
		tsm_screen_reset_flags(r->scr, TSM_SCREEN_INVERSE);
	tsm_screen_draw(r->scr, grid_cb, g);
	if (raw && (flags & TSM_SCREEN_INVERSE))
		tsm_screen_set_flags(r->scr, TSM_SCREEN_INVERSE);
	if (!(flags & TSM_SCREEN_HIDE_CURSOR))
		tsm_screen_reset_flags(r->scr, TSM_SCREEN_HIDE_CURSOR);
	grid_fix(g, &r->blank, raw);
}

/* The main screen, also while the alternate one is shown. */
static void
grid_grab_main(struct render *r, struct grid *g, int raw)
{
	unsigned int	 alt;

	alt = tsm_screen_get_flags(r->scr) & TSM_SCREEN_ALTERNATE;
	if (alt)
		tsm_screen_reset_flags(r->scr, TSM_SCREEN_ALTERNATE);
	grid_grab(r, g, raw);
	if (alt)
		tsm_screen_set_flags(r->scr, TSM_SCREEN_ALTERNATE);
}

static void
grid_grab_alt(struct render *r, struct grid *g)
{
	unsigned int	 alt;

	alt = tsm_screen_get_flags(r->scr) & TSM_SCREEN_ALTERNATE;
	if (!alt)
		tsm_screen_set_flags(r->scr, TSM_SCREEN_ALTERNATE);
	grid_grab(r, g, 1);
	if (!alt)
		tsm_screen_reset_flags(r->scr, TSM_SCREEN_ALTERNATE);
}

static void
grid_free(struct grid *g)
{
	free(g->c);
	g->c = NULL;
}

/* What a cell shows: its character (0 for none) and width, 0 for the
 * right half of a wide character, which is skipped. */
static int
grid_show(const struct grid *g, int x, int y, uint32_t *ch)
{
	const struct rcell	*c = grid_at(g, x, y);

	*ch = c->ch;
	return c->width;
}

static void
put_utf8(struct buf *b, uint32_t ch)
{
	char	 u[8];
	size_t	 n;

	if (ch == 0) {
		buf_addc(b, ' ');
		return;
	}
	if ((n = tsm_ucs4_to_utf8(ch, u)) == 0)
		buf_adds(b, "\xef\xbf\xbd");
	else
		buf_add(b, u, n);
}

struct render *
render_new(int cols, int rows)
{
	struct render	*r;
	struct grid	 g;

	if (cols <= 0 || rows <= 0 || cols > 10000 || rows > 10000)
		return NULL;
	cols = RENDER_COLS(cols);
	r = xcalloc(1, sizeof *r);
	r->xmax = XMAX_UNKNOWN;
	tr_init(&r->tr);
	if (tsm_screen_new(&r->scr, NULL, NULL) < 0)
		goto fail;
	tsm_screen_set_max_sb(r->scr, RENDER_SB_MAX);
	/* The vte first, then a hard reset: the screen's own default
	 * attributes (black on white codes) become the vte's, and all 24
	 * lines of both screens are erased with them, so lines a later
	 * resize hides or shows are blank alike in every instance. */
	if (tsm_vte_new(&r->vte, r->scr, discard_write_cb, NULL, NULL, NULL) < 0)
		goto fail;
	tsm_vte_hard_reset(r->vte);
	tsm_screen_set_flags(r->scr, TSM_SCREEN_ALTERNATE);
	tsm_screen_erase_screen(r->scr, false);
	tsm_screen_reset_flags(r->scr, TSM_SCREEN_ALTERNATE);
	if (tsm_screen_resize(r->scr, (unsigned int)cols, (unsigned int)rows) < 0)
		goto fail;
	grid_grab(r, &g, 1);
	r->blank = g.c[0].attr;
	grid_free(&g);
	return r;
fail:
	render_free(r);
	return NULL;
}

void
render_free(struct render *r)
{
	if (r == NULL)
		return;
	if (r->vte != NULL)
		tsm_vte_unref(r->vte);
	if (r->scr != NULL) {
		tsm_screen_clear_sb(r->scr);	/* 4.0.2 leaks it in unref */
		tsm_screen_unref(r->scr);
	}
	free(r);
}

/*
 * libtsm 4.0.2 shrinks the height by scrolling the top (old - new) lines
 * away, even when the cursor is near the top and they are all the user
 * sees. Terminals (xterm, tmux) drop the lines below the cursor first and
 * scroll only what the cursor needs. Insert blank lines at the top that
 * libtsm's scroll then takes, and move the cursor with its line. Margins
 * are set to the whole screen, as the resize does anyway.
 */
static void
shrink_prepare(struct render *r, int diff, int rows)
{
	unsigned int	 cy = tsm_screen_get_cursor_y(r->scr);
	int		 keep, down;

	keep = (int)cy - rows + 1;	/* lines that must scroll off */
	if (keep < 0)
		keep = 0;
	if ((down = diff - keep) <= 0)
		return;
	tsm_screen_set_margins(r->scr, 0, 0);
	tsm_screen_scroll_down(r->scr, (unsigned int)down);
	tsm_screen_move_down(r->scr, (unsigned int)down, false);
}

/*
 * A wide character whose right half was overwritten shows as a blank
 * (grid_fix), as xterm erased it; libtsm keeps it, and a narrowing that
 * cuts off the cell that overwrote it would show it again in the new last
 * column. Blank it there for good first, on both screens, with its own
 * attributes as shown; the cursor and modes stay as they were.
 */
static void
narrow_prepare(struct render *r, int cols)
{
	const unsigned int	 modes = TSM_SCREEN_INSERT_MODE |
				    TSM_SCREEN_REL_ORIGIN | TSM_SCREEN_ALTERNATE;
	struct grid		 g;
	const struct rcell	*c;
	unsigned int		 flags, x, y;
	int			 alt, row;

	flags = tsm_screen_get_flags(r->scr);
	screen_cursor_raw(r, &x, &y);
	tsm_screen_reset_flags(r->scr, flags & modes);
	for (alt = 0; alt < 2; alt++) {
		if (alt)
			tsm_screen_set_flags(r->scr, TSM_SCREEN_ALTERNATE);
		grid_grab(r, &g, 1);
		for (row = 0; row < g.rows && cols < g.cols; row++) {
			c = grid_at(&g, cols - 1, row);
			if (c->width != 2 || grid_at(&g, cols, row)->width == 0)
				continue;
			tsm_screen_move_to(r->scr, (unsigned int)cols - 1,
			    (unsigned int)row);
			tsm_screen_write(r->scr, ' ', &c->attr);
		}
		grid_free(&g);
	}
	tsm_screen_reset_flags(r->scr, TSM_SCREEN_ALTERNATE);
	tsm_screen_move_to(r->scr, x, y);	/* clamped, as the resize will */
	tsm_screen_set_flags(r->scr, flags & modes);
}

int
render_resize(struct render *r, int cols, int rows)
{
	int	oc, or;

	if (cols <= 0 || rows <= 0 || cols > 10000 || rows > 10000)
		return -1;
	cols = RENDER_COLS(cols);
	render_size(r, &oc, &or);
	if (oc == cols && or == rows)
		return 0;
	if (cols < oc)
		narrow_prepare(r, cols);
	if (rows < or)
		shrink_prepare(r, or - rows, rows);
	if (tsm_screen_resize(r->scr, (unsigned int)cols,
	    (unsigned int)rows) < 0)
		return -1;
	r->tr.margins = 0;	/* a resize resets margins and tab stops */
	r->tr.tabs = 0;
	r->xmax = XMAX_UNKNOWN;
	return 0;
}

void
render_size(struct render *r, int *cols, int *rows)
{
	*cols = (int)tsm_screen_get_width(r->scr);
	*rows = (int)tsm_screen_get_height(r->scr);
}

void
render_cursor(struct render *r, int *x, int *y)
{
	unsigned int	 cx, cy, w, h;

	screen_cursor_raw(r, &cx, &cy);
	w = tsm_screen_get_width(r->scr);
	h = tsm_screen_get_height(r->scr);
	*x = (int)(cx >= w ? w - 1 : cx);	/* pending wrap: x == width */
	*y = (int)(cy >= h ? h - 1 : cy);
}

int
render_cursor_visible(struct render *r)
{
	return !(tsm_screen_get_flags(r->scr) & TSM_SCREEN_HIDE_CURSOR);
}

int
render_alt(struct render *r)
{
	return (tsm_screen_get_flags(r->scr) & TSM_SCREEN_ALTERNATE) != 0;
}

void
render_text(struct render *r, struct buf *out)
{
	struct grid	 g;
	uint32_t	 ch;
	size_t		 keep = out->len, line;
	int		 x, y;

	grid_grab(r, &g, 0);
	for (y = 0; y < g.rows; y++) {
		line = out->len;
		for (x = 0; x < g.cols; x++) {
			if (grid_show(&g, x, y, &ch) == 0)
				continue;
			put_utf8(out, ch);
		}
		while (out->len > line && out->data[out->len - 1] == ' ')
			out->len--;
		buf_addc(out, '\n');
		if (out->len - line > 1)
			keep = out->len;
	}
	out->len = keep;	/* drop trailing empty rows */
	buf_add(out, "", 0);
	grid_free(&g);
}

/* ------------------------------------------------------------------ */
/* ANSI repaint. */

static void
sgr_color(struct buf *b, int code, uint8_t r, uint8_t g, uint8_t bl, int fg)
{
	if (code < 0)
		buf_addf(b, ";%d;2;%u;%u;%u", fg ? 38 : 48, r, g, bl);
	else if (code < 8)
		buf_addf(b, ";%d", (fg ? 30 : 40) + code);
	else if (code < 16)
		buf_addf(b, ";%d", (fg ? 90 : 100) + code - 8);
}

static void
sgr_emit(struct buf *b, const struct tsm_screen_attr *a)
{
	buf_adds(b, "\033[0");
	if (a->bold)
		buf_adds(b, ";1");
	if (a->italic)
		buf_adds(b, ";3");
	if (a->underline)
		buf_adds(b, ";4");
	if (a->blink)
		buf_adds(b, ";5");
	if (a->inverse)
		buf_adds(b, ";7");
	sgr_color(b, a->fccode, a->fr, a->fg, a->fb, 1);
	sgr_color(b, a->bccode, a->br, a->bg, a->bb, 0);
	buf_addc(b, 'm');
}

/* A cell that "\033[0m\033[K" would leave the same. */
static int
cell_plain(const struct render *r, const struct rcell *c, uint32_t ch)
{
	const struct tsm_screen_attr	*a = &c->attr;

	if (ch != 0 && ch != ' ')
		return 0;
	return a->bccode == r->blank.bccode && a->bccode >= 0 &&
	    !a->inverse && !a->underline;
}

static void
ansi_row(struct render *r, const struct grid *g, int y, int at,
    int max_cols, struct buf *out)
{
	const struct tsm_screen_attr	*last = NULL;
	const struct rcell		*c;
	uint32_t			 ch;
	int				 x, w, end, ncols;

	ncols = g->cols < max_cols ? g->cols : max_cols;
	/* Last column worth drawing; the rest is cleared with EL. */
	for (end = ncols; end > 0; end--) {
		c = grid_at(g, end - 1, y);
		if (grid_show(g, end - 1, y, &ch) == 0 || !cell_plain(r, c, ch))
			break;
	}
	buf_addf(out, "\033[%d;1H", at + 1);
	for (x = 0; x < end; x++) {
		if ((w = grid_show(g, x, y, &ch)) == 0)
			continue;
		c = grid_at(g, x, y);
		if (last == NULL || !attr_eq(last, &c->attr)) {
			sgr_emit(out, &c->attr);
			last = &c->attr;
		}
		if (w == 2 && x + 1 >= ncols)
			ch = 0;	/* would wrap on the real terminal */
		put_utf8(out, ch);
	}
	buf_adds(out, "\033[0m");
	if (end < max_cols)
		buf_adds(out, "\033[K");
}

/* What the last repaint drew, row by row. */
struct render_frame {
	int	 cols, rows;	/* the area it covered; 0 after a reset */
	char	**row;
	size_t	*len;
};

struct render_frame *
render_frame_new(void)
{
	return xcalloc(1, sizeof (struct render_frame));
}

void
render_frame_reset(struct render_frame *f)
{
	int	y;

	for (y = 0; y < f->rows; y++)
		free(f->row[y]);
	free(f->row);
	free(f->len);
	f->row = NULL;
	f->len = NULL;
	f->cols = f->rows = 0;
}

void
render_frame_free(struct render_frame *f)
{
	if (f == NULL)
		return;
	render_frame_reset(f);
	free(f);
}

/* Keep row y of the frame; 1 if it changed (or there is no frame). */
static int
frame_keep(struct render_frame *f, int y, const char *s, size_t len)
{
	if (f == NULL)
		return 1;
	if (f->row[y] != NULL && f->len[y] == len &&
	    memcmp(f->row[y], s, len) == 0)
		return 0;
	free(f->row[y]);
	f->row[y] = xstrndup(s, len);
	f->len[y] = len;
	return 1;
}

void
render_ansi_frame(struct render *r, struct render_frame *f, int max_cols,
    int max_rows, struct buf *out)
{
	struct grid	 g;
	struct buf	 row;
	int		 y, cx, cy, top;

	if (max_cols <= 0 || max_rows <= 0)
		return;
	if (f != NULL && (f->cols != max_cols || f->rows != max_rows)) {
		render_frame_reset(f);
		f->cols = max_cols;
		f->rows = max_rows;
		f->row = xcalloc((size_t)max_rows, sizeof *f->row);
		f->len = xcalloc((size_t)max_rows, sizeof *f->len);
	}
	grid_grab(r, &g, 0);
	/* Taller than the area: the rows that hold the cursor, where the
	 * newest output and a prompt are, rather than always the top. */
	render_cursor(r, &cx, &cy);
	top = cy >= max_rows && cy < g.rows ? cy - max_rows + 1 : 0;
	cy -= top;
	buf_init(&row);
	buf_adds(out, "\033[?25l\033[0m");
	for (y = 0; y < max_rows; y++) {
		buf_reset(&row);
		if (top + y < g.rows)
			ansi_row(r, &g, top + y, y, max_cols, &row);
		else
			buf_addf(&row, "\033[%d;1H\033[K", y + 1);
		if (frame_keep(f, y, row.data, row.len))
			buf_add(out, row.data, row.len);
	}
	buf_free(&row);
	if (cx < max_cols && cy < max_rows)
		buf_addf(out, "\033[%d;%dH", cy + 1, cx + 1);
	if (render_cursor_visible(r) && cx < max_cols && cy < max_rows)
		buf_adds(out, "\033[?25h");
	grid_free(&g);
}

void
render_ansi(struct render *r, int max_cols, int max_rows, struct buf *out)
{
	render_ansi_frame(r, NULL, max_cols, max_rows, out);
}

/* ------------------------------------------------------------------ */
/* Snapshots. */

static int
cell_blank(const struct render *r, const struct rcell *c)
{
	return c->ch == 0 && c->width == 1 && attr_eq(&c->attr, &r->blank);
}

static size_t
snap_cells(struct render *r, const struct grid *g, struct scell **v,
    size_t n, size_t *cap)
{
	const struct rcell	*c;
	size_t			 start = n;
	int			 x, y, after_wide;

	for (y = 0; y < g->rows; y++) {
		after_wide = 0;
		for (x = 0; x < g->cols; x++) {
			c = grid_at(g, x, y);
			if (c->width == 0 || (cell_blank(r, c) && !after_wide)) {
				after_wide = 0;
				continue;
			}
			after_wide = c->width == 2;
			if (n == *cap) {
				*cap = *cap == 0 ? 64 : *cap * 2;
				*v = xrealloc(*v, *cap * sizeof **v);
			}
			(*v)[n].x = (uint16_t)x;
			(*v)[n].y = (uint16_t)y;
			(*v)[n].ch = c->ch;
			(*v)[n].attr = c->attr;
			n++;
		}
	}
	return n - start;
}

struct render_snap *
render_snap_take(struct render *r)
{
	struct render_snap	*s;
	struct grid		 g;
	size_t			 cap = 0;

	if (!tr_complete(&r->tr))
		return NULL;
	s = xcalloc(1, sizeof *s);
	render_size(r, &s->cols, &s->rows);
	s->flags = tsm_screen_get_flags(r->scr);
	screen_cursor_raw(r, &s->cx, &s->cy);
	s->tr = r->tr;
	grid_grab_main(r, &g, 1);
	s->nmain = snap_cells(r, &g, &s->cells, 0, &cap);
	grid_free(&g);
	/* The alternate screen keeps its cells while hidden (?47h and
	 * ?1047h show them again). */
	grid_grab_alt(r, &g);
	s->nalt = snap_cells(r, &g, &s->cells, s->nmain, &cap);
	grid_free(&g);
	return s;
}

size_t
render_snap_size(const struct render_snap *s)
{
	return sizeof *s + (s->nmain + s->nalt) * sizeof *s->cells;
}

void
render_snap_free(struct render_snap *s)
{
	if (s == NULL)
		return;
	free(s->cells);
	free(s);
}

static const struct scell *
snap_find(const struct scell *v, size_t n, unsigned int x, unsigned int y)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (v[i].x == x && v[i].y == y)
			return &v[i];
	}
	return NULL;
}

static void
paint(struct render *r, const struct scell *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		tsm_screen_move_to(r->scr, v[i].x, v[i].y);
		tsm_screen_write(r->scr, v[i].ch == 0 ? ' ' : v[i].ch,
		    &v[i].attr);
	}
}

/*
 * Put the cursor at (x, y) with origin mode off and full margins. x may be
 * the width or beyond (the pending wrap after the last column): then the
 * cell of v that got it there is written again.
 */
static void
place_cursor(struct render *r, unsigned int x, unsigned int y,
    const struct scell *v, size_t n)
{
	const struct scell	*c;
	unsigned int		 w = tsm_screen_get_width(r->scr);

	if (x < w) {
		tsm_screen_move_to(r->scr, x, y);
		return;
	}
	c = snap_find(v, n, w - 1, y);
	if (c == NULL && w >= 2 && (c = snap_find(v, n, w - 2, y)) != NULL &&
	    tsm_ucs4_get_width(c->ch) != 2)
		c = NULL;
	if (c == NULL) {
		tsm_screen_move_to(r->scr, w - 1, y);
		tsm_screen_write(r->scr, ' ', &r->blank);
		return;
	}
	tsm_screen_move_to(r->scr, c->x, y);
	tsm_screen_write(r->scr, c->ch == 0 ? ' ' : c->ch, &c->attr);
}

static void
restore_charsets(struct render *r, const struct track *t, int gl, int gr)
{
	static const char	*intro = "()*+";
	static const char	*gls[] = { "\017", "\016", "\033n", "\033o" };
	static const char	*grs[] = { "", "\033~", "\033}", "\033|" };
	char			 seq[4];
	int			 i;

	for (i = 0; i < 4; i++) {
		if (t->g[i] == 0)
			continue;
		seq[0] = '\033';
		seq[1] = intro[i];
		seq[2] = t->g[i];
		seq[3] = '\0';
		vte_puts(r, seq);
	}
	vte_puts(r, gls[gl & 3]);
	vte_puts(r, grs[gr & 3]);
}

static void
restore_sgr(struct render *r, const struct tr_sgr *s)
{
	vte_puts(r, "\033[0m");
	tsm_vte_input(r->vte, s->s, s->len);
}

/* The DECSC save: set up what it saved, save, then back to defaults. */
static void
restore_saved(struct render *r, const struct render_snap *s)
{
	const struct track	*t = &s->tr;

	if (!t->saved.valid)
		return;
	restore_charsets(r, t, t->saved.gl, t->saved.gr);
	restore_sgr(r, &t->saved.sgr);
	tsm_screen_move_to(r->scr, t->saved.x, t->saved.y);
	vte_puts(r, t->saved.wrap ? "\033[?7h" : "\033[?7l");
	vte_puts(r, t->saved.origin ? "\033[?6h" : "\033[?6l");
	vte_puts(r, "\0337\033[?6l\033[?7h\033[0m\017\033~");
}

static void
restore_modes(struct render *r, const struct render_snap *s)
{
	const struct track	*t = &s->tr;
	char			 m[64];

	if (t->margins) {
		snprintf(m, sizeof m, "\033[%.0d;%.0dr",
		    t->mtop < 0 ? 0 : t->mtop, t->mbot < 0 ? 0 : t->mbot);
		vte_puts(r, m);
	}
	if (s->flags & TSM_SCREEN_INSERT_MODE)
		vte_puts(r, "\033[4h");
	if (!(s->flags & TSM_SCREEN_AUTO_WRAP))
		vte_puts(r, "\033[?7l");
	if (s->flags & TSM_SCREEN_REL_ORIGIN)
		vte_puts(r, "\033[?6h");
	if (s->flags & TSM_SCREEN_INVERSE)
		vte_puts(r, "\033[?5h");
	if (s->flags & TSM_SCREEN_HIDE_CURSOR)
		vte_puts(r, "\033[?25l");
	if (t->lnm)
		vte_puts(r, "\033[20h");
	if (t->srm_off)
		vte_puts(r, "\033[12l");
}

static void
grow(unsigned int *w, unsigned int *h, unsigned int x, unsigned int y)
{
	if (x + 1 > *w)
		*w = x + 1;
	if (y + 1 > *h)
		*h = y + 1;
}

struct render *
render_snap_restore(const struct render_snap *s)
{
	const struct scell	*cur, *alt;
	struct render		*r;
	size_t			 ncur;
	unsigned int		 w, h;

	/* Saved cursors may lie outside the screen (saved before it
	 * shrank): save them on a screen big enough, then resize. */
	w = (unsigned int)s->cols;
	h = (unsigned int)s->rows;
	grow(&w, &h, s->tr.altx, s->tr.alty);
	if (s->tr.saved.valid)
		grow(&w, &h, s->tr.saved.x, s->tr.saved.y);
	if ((r = render_new((int)w, (int)h)) == NULL)
		return NULL;
	restore_saved(r, s);
	if (s->tr.alty != 0 || s->tr.altx != 0) {
		tsm_screen_move_to(r->scr, s->tr.altx, s->tr.alty);
		vte_puts(r, "\033[?1048h");
	}
	if ((w != (unsigned int)s->cols || h != (unsigned int)s->rows) &&
	    tsm_screen_resize(r->scr, (unsigned int)s->cols,
	    (unsigned int)s->rows) < 0) {
		render_free(r);
		return NULL;
	}
	alt = s->cells != NULL ? s->cells + s->nmain : NULL;
	paint(r, s->cells, s->nmain);
	tsm_screen_set_flags(r->scr, TSM_SCREEN_ALTERNATE);
	paint(r, alt, s->nalt);
	cur = alt;
	ncur = s->nalt;
	if (!(s->flags & TSM_SCREEN_ALTERNATE)) {
		tsm_screen_reset_flags(r->scr, TSM_SCREEN_ALTERNATE);
		cur = s->cells;
		ncur = s->nmain;
	}
	place_cursor(r, s->cx, s->cy, cur, ncur);
	restore_modes(r, s);
	restore_charsets(r, &s->tr, s->tr.gl, s->tr.gr);
	restore_sgr(r, &s->tr.sgr);
	r->tr = s->tr;
	return r;
}

/*
 * Snapshots as bytes, for a cache file. Only the same build reads them
 * back: the layout stamp changes with the structures, and everything a
 * later feed indexes with is checked, so a damaged file is refused, not
 * trusted.
 */
#define SNAP_MAGIC	0x736e6170u	/* "snap" */

/* The last term changes with what render_feed does: a snapshot made by
 * an older feed (4: CSI s/u, DECSTBM, DECOM, wide characters at the last
 * column...; 5: REP, CNL/CPL, line feeds below the margins; 6: wraps
 * below the margins, C1 controls in UTF-8) would not match a straight
 * read now. */
uint32_t
render_snap_layout(void)
{
	return (uint32_t)(sizeof (struct track) * 131u +
	    sizeof (struct scell) * 7u + sizeof (struct render_snap) + 6u);
}

struct snap_disk {
	uint32_t	 magic;
	int32_t		 cols, rows;
	uint32_t	 flags, cx, cy;
	uint64_t	 nmain, nalt;
};

void
render_snap_save(const struct render_snap *s, struct buf *out)
{
	struct snap_disk	 d;

	memset(&d, 0, sizeof d);
	d.magic = SNAP_MAGIC;
	d.cols = s->cols;
	d.rows = s->rows;
	d.flags = s->flags;
	d.cx = s->cx;
	d.cy = s->cy;
	d.nmain = s->nmain;
	d.nalt = s->nalt;
	buf_add(out, &d, sizeof d);
	buf_add(out, &s->tr, sizeof s->tr);
	if (s->nmain + s->nalt > 0)
		buf_add(out, s->cells, (s->nmain + s->nalt) * sizeof *s->cells);
}

static int
snap_track_ok(const struct track *t)
{
	return t->state == TR_GROUND && t->need == 0 && t->bits == 0 &&
	    t->argc >= 0 && t->argc <= TR_ARG_MAX &&
	    t->seqlen <= sizeof t->seq && t->sgr.len <= sizeof t->sgr.s &&
	    t->saved.sgr.len <= sizeof t->saved.sgr.s &&
	    t->gl >= 0 && t->gl <= 3 && t->gr >= 0 && t->gr <= 3 &&
	    t->saved.gl >= 0 && t->saved.gl <= 3 && t->saved.gr >= 0 &&
	    t->saved.gr <= 3 && t->altx < 10000 && t->alty < 10000 &&
	    t->saved.x < 10000 && t->saved.y < 10000 && t->rep <= TR_CP_MAX;
}

struct render_snap *
render_snap_load(const char **p, size_t *left)
{
	struct render_snap	*s;
	struct snap_disk	 d;
	size_t			 n, i;

	if (*left < sizeof d)
		return NULL;
	memcpy(&d, *p, sizeof d);
	if (d.magic != SNAP_MAGIC || d.cols < 1 || d.cols > 10000 ||
	    d.rows < 1 || d.rows > 10000 ||
	    d.nmain > (uint64_t)d.cols * (uint64_t)d.rows ||
	    d.nalt > (uint64_t)d.cols * (uint64_t)d.rows)
		return NULL;
	n = (size_t)(d.nmain + d.nalt);
	if (*left - sizeof d < sizeof (struct track) ||
	    (*left - sizeof d - sizeof (struct track)) / sizeof (struct scell)
	    < n)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->cols = d.cols;
	s->rows = d.rows;
	s->flags = d.flags;
	s->cx = d.cx > (uint32_t)d.cols + 1 ? (uint32_t)d.cols : d.cx;
	s->cy = d.cy >= (uint32_t)d.rows ? (uint32_t)d.rows - 1 : d.cy;
	s->nmain = (size_t)d.nmain;
	s->nalt = (size_t)d.nalt;
	memcpy(&s->tr, *p + sizeof d, sizeof s->tr);
	if (!snap_track_ok(&s->tr)) {
		free(s);
		return NULL;
	}
	if (n > 0) {
		s->cells = xcalloc(n, sizeof *s->cells);
		memcpy(s->cells, *p + sizeof d + sizeof s->tr,
		    n * sizeof *s->cells);
	}
	for (i = 0; i < n; i++) {
		if (s->cells[i].x >= d.cols || s->cells[i].y >= d.rows ||
		    s->cells[i].ch > 0x10ffff) {
			render_snap_free(s);
			return NULL;
		}
	}
	n = sizeof d + sizeof s->tr + n * sizeof *s->cells;
	*p += n;
	*left -= n;
	return s;
}

/* ------------------------------------------------------------------ */
/* For tests: everything visible, both screens, cursor and modes. */

static void
dump_grid(struct render *r, const struct grid *g, struct buf *out)
{
	const struct tsm_screen_attr	*a;
	uint32_t			 ch;
	int				 x, y, w;

	for (y = 0; y < g->rows; y++) {
		for (x = 0; x < g->cols; x++) {
			if ((w = grid_show(g, x, y, &ch)) == 0)
				continue;
			a = &grid_at(g, x, y)->attr;
			if (ch == 0 && attr_eq(a, &r->blank)) {
				buf_addc(out, '.');
				continue;
			}
			buf_addc(out, '[');
			put_utf8(out, ch);
			buf_addf(out, "|%d,%d,%u%u%u,%u%u%u,%d%d%d%d%d]", a->fccode,
			    a->bccode, a->fr, a->fg, a->fb, a->br, a->bg, a->bb,
			    a->bold, a->italic, a->underline, a->inverse,
			    a->blink);
		}
		buf_addc(out, '\n');
	}
}

void
render_dump(struct render *r, struct buf *out)
{
	struct grid	 g;
	unsigned int	 cx, cy;

	/* x beyond the width (after a wide character that overhangs the
	 * last column) behaves exactly as x == width, the pending wrap. */
	screen_cursor_raw(r, &cx, &cy);
	if (cx > tsm_screen_get_width(r->scr))
		cx = tsm_screen_get_width(r->scr);
	buf_addf(out, "size %dx%d cursor %u,%u flags %#x\n",
	    (int)tsm_screen_get_width(r->scr),
	    (int)tsm_screen_get_height(r->scr), cx, cy,
	    tsm_screen_get_flags(r->scr));
	grid_grab_main(r, &g, 0);
	dump_grid(r, &g, out);
	grid_free(&g);
	if (render_alt(r)) {
		buf_adds(out, "alt:\n");
		grid_grab(r, &g, 0);
		dump_grid(r, &g, out);
		grid_free(&g);
	}
}
