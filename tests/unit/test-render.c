/* test-render.c: the libtsm wrapper: text and ANSI read-back of known byte
 * sequences (colours, wide characters, the alternate screen, resizes,
 * queries), and snapshots that must rebuild exactly the terminal they
 * were taken from, checked on random streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render.h"
#include "util.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	uint64_t	 x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static int
rnd(int n)
{
	return (int)(rng() % (uint64_t)n);
}

static void
feeds(struct render *r, const char *s)
{
	render_feed(r, s, strlen(s));
}

/* The text of a terminal of cols x rows after s. */
static char *
text_of(int cols, int rows, const char *s)
{
	struct render	*r;
	struct buf	 b;
	char		*out;

	r = render_new(cols, rows);
	assert_non_null(r);
	feeds(r, s);
	buf_init(&b);
	render_text(r, &b);
	out = xstrdup(b.data == NULL ? "" : b.data);
	buf_free(&b);
	render_free(r);
	return out;
}

static void
expect_text(int cols, int rows, const char *in, const char *want)
{
	char	*got = text_of(cols, rows, in);

	assert_string_equal(got, want);
	free(got);
}

static void
t_plain(void **state)
{
	(void)state;
	expect_text(20, 5, "hello\r\nworld", "hello\nworld\n");
	expect_text(20, 5, "", "");
	expect_text(20, 6, "a   \r\n\r\n\r\nb\r\n\r\n", "a\n\n\nb\n");
	expect_text(20, 5, "x\033[2J", "");
	/* Only the screen: what scrolled off is not text. */
	expect_text(10, 2, "1\r\n2\r\n3\r\n4", "3\n4\n");
	/* Tabs, backspace, carriage return overwrite. */
	expect_text(20, 2, "a\tb\bc\rZ", "Z       c\n");
}

static void
t_split(void **state)
{
	struct render	*r;
	struct buf	 b;

	(void)state;
	r = render_new(20, 3);
	render_feed(r, "\xe4", 1);		/* 中, cut inside */
	render_feed(r, "\xb8\xad", 2);
	render_feed(r, "\033[3", 3);		/* CSI cut inside */
	render_feed(r, "1mX\033", 4);
	render_feed(r, "[0mY", 4);
	buf_init(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "中XY\n");
	buf_reset(&b);
	render_ansi(r, 20, 3, &b);
	assert_non_null(strstr(b.data, "\033[0;31mX\033[0mY"));
	buf_free(&b);
	render_free(r);
}

/*
 * Everything render_ansi writes must be harmless to a real terminal:
 * only cursor moves, SGR, erase in line and cursor show/hide. No query
 * (DSR, DA, DECRQM...), no OSC, no mode other than ?25.
 */
static void
assert_ansi_safe(const char *s, size_t len)
{
	size_t	i, j;

	for (i = 0; i < len; i++) {
		if (s[i] != '\033')
			continue;
		assert_true(i + 1 < len && s[i + 1] == '[');
		for (j = i + 2; j < len && ((s[j] >= '0' && s[j] <= '9') ||
		    s[j] == ';' || s[j] == '?'); j++)
			;
		assert_true(j < len);
		assert_non_null(strchr("HmKhl", s[j]));
		if (s[j] == 'h' || s[j] == 'l')
			assert_int_equal(j - i, 5);	/* \033[?25h */
		i = j;
	}
}

static void
t_colours(void **state)
{
	struct render	*r;
	struct buf	 b;

	(void)state;
	r = render_new(40, 4);
	feeds(r, "\033[31mred\033[0m \033[1;38;2;1;2;3mrgb\033[0m "
	    "\033[44;97mbg\033[0m \033[38;5;196mx\033[7m\033[4mi\033[m");
	buf_init(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "red rgb bg xi\n");
	buf_reset(&b);
	render_ansi(r, 40, 4, &b);
	assert_non_null(strstr(b.data, "\033[0;31mred"));
	assert_non_null(strstr(b.data, "\033[0;1;38;2;1;2;3mrgb"));
	assert_non_null(strstr(b.data, "\033[0;97;44mbg"));
	assert_non_null(strstr(b.data, "\033[0;38;2;255;0;0mx"));
	assert_non_null(strstr(b.data, "\033[0;4;7;38;2;255;0;0mi"));
	assert_ansi_safe(b.data, b.len);
	buf_free(&b);
	render_free(r);
}

static void
t_wide(void **state)
{
	struct render	*r;
	struct buf	 b;

	(void)state;
	expect_text(10, 2, "中文ab", "中文ab\n");
	/* Written over "AB": the stale right half is not shown. */
	expect_text(10, 2, "AB\r中", "中\n");
	/* A narrow character over the left half: the right half blanks. */
	expect_text(10, 2, "中x\rab", "abx\n");
	/* Over the right half: the wide character goes (as in xterm). */
	expect_text(10, 2, "中x\033[2Gb", " bx\n");
	/* Combining marks are dropped by libtsm 4.0.2. */
	expect_text(10, 2, "e\xcc\x81!", "e!\n");

	/* A wide character at the last column wraps to the next line, as
	 * in xterm and tmux (libtsm 4.0.2 alone leaves it overhanging);
	 * the last cell keeps what it had. */
	expect_text(5, 3, "abcd中x", "abcd\n中x\n");
	expect_text(5, 3, "12345\rabcd中x", "abcd5\n中x\n");
	expect_text(9, 3, "中文中文中文", "中文中文\n中文\n");
	expect_text(9, 3, "ab中文中文中文", "ab中文中\n文中文\n");
	expect_text(5, 3, "a\r\nb\r\nabcd中x", "b\nabcd\n中x\n");
	expect_text(5, 5, "\033[2;3r\033[3;1Habcd中x", "\nabcd\n中x\n");
	expect_text(5, 3, "abcd\xf0\x9f\x98\x80", "abcd\n\xf0\x9f\x98\x80\n");
	/* Not wide, or not at the last column, or no auto-wrap. */
	expect_text(5, 3, "abcdé", "abcdé\n");
	expect_text(6, 3, "abcd中", "abcd中\n");
	expect_text(5, 3, "\033[?7labcd中", "abcd中\n");
	/* After a cursor move, with text in between. */
	expect_text(7, 3, "\033[5Gxy中z", "    xy\n中z\n");
	expect_text(7, 3, "\033[3G中中中z", "  中中\n中z\n");
	expect_text(8, 3, "\033[3G中中中z", "  中中中\nz\n");

	/* A wide character can still overhang after a resize cut its
	 * right half: a repaint must not let the real terminal wrap it. */
	r = render_new(6, 2);
	feeds(r, "abc中");
	assert_int_equal(render_resize(r, 4, 2), 0);
	buf_init(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "abc中\n");
	buf_reset(&b);
	render_ansi(r, 4, 2, &b);
	assert_non_null(strstr(b.data, "abc \033[0m"));
	assert_null(strstr(b.data, "中"));
	buf_reset(&b);
	render_ansi(r, 3, 2, &b);		/* cropped */
	assert_non_null(strstr(b.data, "abc\033[0m"));
	buf_free(&b);
	render_free(r);

	/* A wide character cut by the crop becomes a space. */
	r = render_new(10, 1);
	feeds(r, "abc中");
	buf_init(&b);
	render_ansi(r, 4, 1, &b);
	assert_non_null(strstr(b.data, "abc \033[0m"));
	buf_free(&b);
	render_free(r);
}

/*
 * Sequences libtsm 4.0.2 gets wrong, done as xterm does (and tmux 3.3a,
 * which gave the expected screens, apart from DECSTBM in origin mode and
 * VPA, noted below).
 */

/* SCOSC/SCORC: CSI s and CSI u are DECSC/DECRC. */
static void
t_scosc(void **state)
{
	struct render	*r;
	struct buf	 b;

	(void)state;
	expect_text(10, 4, "ab\033[s\033[3;5Hcd\033[uX", "abX\n\n    cd\n");
	/* Not the kitty keyboard forms, nor with parameters (as libtsm:
	 * tmux takes those too; xterm's CSI s with them is DECSLRM). */
	expect_text(10, 4, "ab\033[s\033[3;5Hcd\033[>1u\033[<u\033[=1u"
	    "\033[?u\033[1uX", "ab\n\n    cdX\n");
	expect_text(10, 4, "ab\033[0s\033[3;5Hcd\033[uX", "Xb\n\n    cd\n");
	/* The same save as ESC 7: restored by ESC 8 and the other way. */
	expect_text(10, 4, "ab\033[s\033[3;5Hcd\0338X", "abX\n\n    cd\n");
	expect_text(10, 4, "ab\0337\033[3;5Hcd\033[uX", "abX\n\n    cd\n");
	/* It saves the colours too. */
	r = render_new(10, 4);
	feeds(r, "\033[31mab\033[s\033[0mcd\033[uX");
	buf_init(&b);
	render_ansi(r, 10, 4, &b);
	assert_non_null(strstr(b.data, "\033[0;31mabX\033[0md"));
	buf_free(&b);
	render_free(r);
}

/* DECSTBM and DECOM home the cursor. */
static void
t_home(void **state)
{
	(void)state;
	/* DECSTBM, when the margins are taken. */
	expect_text(10, 4, "abc\r\ndef\r\nghi\033[rX", "Xbc\ndef\nghi\n");
	expect_text(10, 6, "abc\r\ndef\033[5;3rX", "abc\ndefX\n");
	expect_text(10, 6, "abc\r\ndef\033[5;5rX", "abc\ndefX\n");
	/* Refused margins leave the old ones (libtsm reset them). */
	expect_text(10, 6, "abc\r\ndef\033[2;4r\033[4;2rX\033[4;1H\nY",
	    "Xbc\n\n\nY\n");
	/* The bottom is clamped to the screen; it defaults to it. */
	expect_text(10, 6, "abc\r\ndef\033[2;99rX\033[5;1H\n\n\n\nY",
	    "Xbc\n\n\n\n\nY\n");
	expect_text(10, 6, "abc\r\ndef\033[3rX\033[5;1H\n\n\n\nY",
	    "Xbc\ndef\n\n\n\nY\n");
	/* DECOM, set or reset, to the top margin when set. */
	expect_text(10, 4, "abc\r\ndef\033[2;5r\033[?6hX", "abc\nXef\n");
	expect_text(10, 6, "\033[3;5r\033[?6h\033[1;1HA\033[?6lB", "B\n\nA\n");
	expect_text(10, 6, "abc\r\ndef\033[2;5r\033[?7;6hX", "abc\nXef\n");
	/* In origin mode DECSTBM homes to the new top margin (xterm;
	 * tmux 3.3a goes to the top of the screen). */
	expect_text(10, 6, "abc\r\ndef\033[?6h\033[3;5rX", "abc\ndef\nX\n");
}

/* CUU and CUD leave the pending wrap: the cursor stays at the last
 * column. VPA and VPR did already, as in xterm (tmux 3.3a keeps the
 * pending wrap after VPA, and has no VPR). */
static void
t_unwrap(void **state)
{
	(void)state;
	expect_text(10, 4, "0123\r\n\r\n\r\nabcdefghij\033[AX",
	    "0123\n\n         X\nabcdefghij\n");
	expect_text(10, 4, "abcdefghij\033[BX", "abcdefghij\n         X\n");
	expect_text(10, 4, "abcdefghij\033[AX", "abcdefghiX\n");
	expect_text(10, 4, "abcdefghij\033[2dX", "abcdefghij\n         X\n");
	expect_text(10, 4, "abcdefghij\033[eX", "abcdefghij\n         X\n");
	/* In origin mode too, without moving the row. */
	expect_text(10, 6, "\033[2;5r\033[?6h\033[2;1Habcdefghij\033[AX",
	    "\n         X\nabcdefghij\n");
}

/* HPA is CHA; neither moves the row in origin mode. */
static void
t_hpa(void **state)
{
	(void)state;
	expect_text(10, 4, "abc\033[7`X\033[`Y", "Ybc   X\n");
	expect_text(10, 4, "ab\033[99`Y", "ab       Y\n");
	expect_text(10, 8, "\033[3;6r\033[?6h\033[2;1HX\033[5`Y",
	    "\n\n\nX   Y\n");
	expect_text(10, 8, "\033[3;6r\033[?6h\033[2;1HX\033[5GY",
	    "\n\n\nX   Y\n");
}

/* REP repeats the last graphic character, as xterm does: only right
 * after it, with the colours in force, wrapping at the end of the line
 * (tmux 3.3a stops there, and repeats only ASCII). */
static void
t_rep(void **state)
{
	struct render		*r, *b;
	struct render_snap	*s;
	struct buf		 t;

	(void)state;
	expect_text(10, 4, "ab\033[3bc", "abbbbc\n");
	expect_text(10, 4, "ab\033[b", "abb\n");
	expect_text(10, 4, "ab\033[0b", "abb\n");
	expect_text(10, 4, "a\033[2;5b", "aaa\n");
	expect_text(10, 4, "a\033[20b", "aaaaaaaaaa\naaaaaaaaaa\na\n");
	expect_text(10, 4, "\033[?7la\033[20bX", "aaaaaaaaaX\n");
	/* Only right after the character: not after a control, another
	 * sequence or REP itself; not with a private marker. */
	expect_text(10, 4, "a\033[31m\033[2bX", "aX\n");
	expect_text(10, 4, "a\r\033[2bX", "X\n");
	expect_text(10, 4, "ab\033[2b\033[2bX", "abbbX\n");
	expect_text(10, 4, "a\033[?2bX", "aX\n");
	expect_text(10, 4, "\033[2bX", "X\n");
	/* Wide characters, also at the last column; the character the
	 * charset in force gave (DEC graphics); a combining mark (dropped
	 * by libtsm 4.0.2) leaves the character before it. */
	expect_text(10, 4, "\xe4\xb8\xad\033[3bX", "中中中中X\n");
	expect_text(9, 4, "\xe4\xb8\xad\033[4bX", "中中中中\n中X\n");
	expect_text(10, 4, "\033(0q\033[3bx", "────│\n");
	expect_text(10, 4, "e\xcc\x81\033[2bX", "eeeX\n");
	/* Split across feeds, and with the colours in force. */
	r = render_new(10, 4);
	feeds(r, "\033[31ma\033[");
	feeds(r, "3");
	feeds(r, "b");
	buf_init(&t);
	render_ansi(r, 10, 4, &t);
	assert_non_null(strstr(t.data, "\033[0;31maaaa\033[0m"));
	/* In a snapshot taken right after the character. */
	feeds(r, "\033[0mb");
	assert_non_null(s = render_snap_take(r));
	b = render_snap_restore(s);
	render_snap_free(s);
	feeds(b, "\033[2b");
	buf_reset(&t);
	render_text(b, &t);
	assert_string_equal(t.data, "aaaabbb\n");
	buf_free(&t);
	render_free(b);
	render_free(r);
}

/* REP n times after ch gives what n + 1 ch written give. */
static void
rep_same(const char *setup, const char *ch, int cols, size_t n)
{
	struct render	*a, *b;
	struct buf	 lit, rep, da, db;
	size_t		 k;

	buf_init(&lit);
	buf_init(&rep);
	buf_adds(&lit, setup);
	for (k = 0; k <= n; k++)
		buf_adds(&lit, ch);
	buf_addf(&rep, "%s%s\033[%zub", setup, ch, n);
	a = render_new(cols, 6);
	b = render_new(cols, 6);
	render_feed(a, lit.data, lit.len);
	render_feed(b, rep.data, rep.len);
	buf_init(&da);
	buf_init(&db);
	render_dump(a, &da);
	render_dump(b, &db);
	if (strcmp(da.data, db.data) != 0) {
		fprintf(stderr, "%s / %s, %d columns, %zu\n%s\n%s", setup, ch,
		    cols, n, da.data, db.data);
		fail();
	}
	buf_free(&lit);
	buf_free(&rep);
	buf_free(&da);
	buf_free(&db);
	render_free(a);
	render_free(b);
}

/* A large count (made shorter) gives what as many characters give. */
static void
t_rep_count(void **state)
{
	static const char	*setup[] = {
		"", "\033[3;5H", "\033[2;4r\033[3;1H", "\033[2;4r\033[6;1H",
		"\033[?7l", "\033[4h\033[2;3Hxyz\033[2;2H", "\033[3;9r\033[?6h",
	};
	static const char	*ch[] = { "a", "\xe4\xb8\xad", "\xc3\xa9" };
	size_t			 i, j, n;
	int			 cols;

	(void)state;
	for (i = 0; i < sizeof setup / sizeof setup[0]; i++) {
		for (j = 0; j < sizeof ch / sizeof ch[0]; j++) {
			for (cols = 1; cols <= 9; cols += 4) {
				for (n = 1; n < 600; n += 1 + n / 3)
					rep_same(setup[i], ch[j], cols, n);
			}
		}
	}
}

/* A screen one column wide is two: libtsm 4.0.2 crashed on a wide
 * character in insert mode there (agentrun text of such a file). */
static void
t_one_column(void **state)
{
	(void)state;
	expect_text(1, 3, "\033[4h\xe4\xb8\xad", "\xe4\xb8\xad\n");
	expect_text(1, 3, "ab", "ab\n");
}

/* CNL and CPL: down or up, to the first column; within the margins. */
static void
t_cnl(void **state)
{
	(void)state;
	expect_text(10, 4, "abc\r\ndef\033[EX", "abc\ndef\nX\n");
	expect_text(10, 4, "abc\r\ndef\033[2EX", "abc\ndef\n\nX\n");
	expect_text(10, 4, "abc\033[0EX", "abc\nX\n");
	expect_text(10, 4, "abc\033[9EX", "abc\n\n\nX\n");
	expect_text(10, 4, "abc\r\ndef\r\nghi\033[2FX", "Xbc\ndef\nghi\n");
	expect_text(10, 4, "abc\033[FX", "Xbc\n");
	expect_text(10, 4, "\033[2;3r\033[2;5Habc\033[5EX", "\n    abc\nX\n");
	expect_text(10, 4, "\033[2;3r\033[3;5Habc\033[5FX", "\nX\n    abc\n");
	/* From the pending wrap: the row does not change. */
	expect_text(10, 4, "abcdefghij\033[FX", "Xbcdefghij\n");
	expect_text(10, 4, "abcdefghij\033[EX", "abcdefghij\nX\n");
	/* Not with a private marker. */
	expect_text(10, 4, "abc\033[?2EX", "abcX\n");
}

/* Line feeds on the last row below the margins, and RI on the first
 * row above them, move nothing: xterm and tmux leave the cursor there
 * (libtsm 4.0.2 scrolled the margins). NEL (and LF in LNM, which tmux
 * 3.3a does not have) still go to the first column. */
static void
t_stuck(void **state)
{
	struct render	*r;
	struct buf	 b;

	(void)state;
#define FIVE	"1\r\n2\r\n3\r\n4\r\n5"
	expect_text(10, 5, FIVE "\033[1;3r\033[5;1HX\nY\nZ",
	    "1\n2\n3\n4\nXYZ\n");
	expect_text(10, 5, FIVE "\033[1;3r\033[5;1HX\033DY\033EZ\013W\014V",
	    "1\n2\n3\n4\nZWV\n");
	/* C1 controls in UTF-8 are none (t_c1_utf8). */
	expect_text(10, 5, FIVE "\033[1;3r\033[5;1HX\xc2\x84Y\xc2\x85Z",
	    "1\n2\n3\n4\nXYZ\n");
	expect_text(10, 5, FIVE "\033[1;3r\033[20h\033[5;3HX\nY",
	    "1\n2\n3\n4\nY X\n");
	expect_text(10, 5, FIVE "\033[3;5r\033[1;1HX\033MY\xc2\x8dZ",
	    "XYZ\n2\n3\n4\n5\n");
	expect_text(10, 5, FIVE "\033[2;5r\033[1;1H\033MX", "X\n2\n3\n4\n5\n");
	/* Executed inside a sequence, which goes on. */
	expect_text(10, 5, FIVE "\033[1;3r\033[5;1H\033[\n3CX",
	    "1\n2\n3\n4\n5  X\n");
	/* Elsewhere they move and scroll as before. */
	expect_text(10, 5, FIVE "\033[1;3r\033[3;1H\nX", "2\n3\nX\n4\n5\n");
	expect_text(10, 5, FIVE "\033[1;3r\033[4;1H\nX", "1\n2\n3\n4\nX\n");
	expect_text(10, 5, FIVE "\033[1;4r\033[1;1H\033MX", "X\n1\n2\n3\n5\n");
	expect_text(10, 5, FIVE "\033[1;5r\033[5;1H\nX", "2\n3\n4\n5\nX\n");
	expect_text(10, 5, FIVE "\033[r\033[5;1H\nX", "2\n3\n4\n5\nX\n");
	/* Split across feeds. */
	r = render_new(10, 5);
	feeds(r, FIVE "\033[1;3r\033[5;1HX\033");
	feeds(r, "DY\033");
	feeds(r, "EZ");
	buf_init(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "1\n2\n3\n4\nZY\n");
	buf_free(&b);
	render_free(r);
#undef FIVE
}

/* A wrap on the last row below the margins is a CR, as xterm's line feed
 * there moves nothing (libtsm scrolled the margins); elsewhere, and with
 * REP or a wide character, as before. */
static void
t_wrap_below(void **state)
{
	(void)state;
#define FIVE	"1\r\n2\r\n3\r\n4\r\n5"
	expect_text(5, 5, FIVE "\033[1;3r\033[5;1Habcdefgh",
	    "1\n2\n3\n4\nfghde\n");
	expect_text(5, 5, FIVE "\033[1;3r\033[5;1Habcd\xe4\xb8\xad",
	    "1\n2\n3\n4\n\xe4\xb8\xad" "cd\n");
	expect_text(5, 5, FIVE "\033[1;3r\033[5;1Ha\033[8b",
	    "1\n2\n3\n4\naaaaa\n");
	expect_text(5, 5, FIVE "\033[1;3r\033[4;1Habcdefghijklm",
	    "1\n2\n3\nabcde\nklmij\n");
	expect_text(5, 5, FIVE "\033[1;3r\033[3;1Habcdefgh",
	    "2\nabcde\nfgh\n4\n5\n");
	expect_text(5, 5, FIVE "\033[5;1Habcdefgh",
	    "2\n3\n4\nabcde\nfgh\n");
#undef FIVE
}

/* C1 controls that UTF-8 encodes do nothing, as in xterm: neither
 * execute nor print; in a string they do not end it. */
static void
t_c1_utf8(void **state)
{
	(void)state;
	expect_text(10, 3, "abc\xc2\x85" "def", "abcdef\n");
	expect_text(10, 3, "abc\xc2\x9b" "31mX", "abc31mX\n");
	expect_text(10, 3, "\033]0;t\xc2\x9cX\007Y", "Y\n");
	expect_text(10, 3, "a\033[\xc2\x84" "2Cb", "a  b\n");
}

/* ?1049h on the alternate screen does nothing: no clear, and ?1049l
 * goes back to the cursor of the first one; ?1047l on the main screen
 * does not clear it. */
static void
t_altscreen(void **state)
{
	struct render	*r;
	struct buf	 b;
	int		 x, y;

	(void)state;
	r = render_new(20, 6);
	feeds(r, "abc\033[?1049h\033[5;13Hxyz12\033[?1049h");
	buf_init(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "\n\n\n\n            xyz12\n");
	feeds(r, "\033[?1049lZ");
	buf_reset(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "abcZ\n");
	feeds(r, "\r\ndef\033[?1047lX");
	buf_reset(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "abcZ\ndefX\n");
	/* With other modes in the same sequence. */
	feeds(r, "\033[?1049;25hA\033[?25;1049;1049hB\033[?1049;25lC");
	render_cursor(r, &x, &y);
	assert_int_equal(x, 5);
	assert_int_equal(y, 1);
	buf_reset(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "abcZ\ndefXC\n");
	buf_free(&b);
	render_free(r);
}

static void
t_alt(void **state)
{
	struct render	*r;
	struct buf	 b;
	int		 x, y;

	(void)state;
	r = render_new(20, 4);
	feeds(r, "main\033[?1049hALT");
	assert_true(render_alt(r));
	buf_init(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "    ALT\n");
	feeds(r, "\033[?1049l");
	assert_false(render_alt(r));
	buf_reset(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "main\n");
	render_cursor(r, &x, &y);
	assert_int_equal(x, 4);
	assert_int_equal(y, 0);
	buf_free(&b);
	render_free(r);
}

/* A wide character whose right half was overwritten stays blank when a
 * narrowing cuts the overwriting cell off (libtsm kept it: it showed
 * again at the new last column), on both screens; the cursor and the
 * modes stay. */
static void
t_narrow_wide(void **state)
{
	struct render	*r;
	struct buf	 b;
	int		 x, y;

	(void)state;
	r = render_new(10, 3);
	feeds(r, "\xe4\xb8\xad\xe6\x96\x87\033[4Gx\r\n\033[4h\033[?6h");
	feeds(r, "\033[?1049h\xe4\xb8\xad\xe6\x96\x87\033[4Gy\033[2;2H");
	assert_int_equal(render_resize(r, 3, 3), 0);
	buf_init(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "\xe4\xb8\xad\n");
	render_cursor(r, &x, &y);
	assert_int_equal(x, 1);
	assert_int_equal(y, 1);
	feeds(r, "\033[?1049l");
	buf_reset(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "\xe4\xb8\xad\n");
	feeds(r, "\033[2;1HZ\033[1;3HW");	/* DECOM, IRM kept */
	buf_reset(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "\xe4\xb8\xadW\nZ\n");
	feeds(r, "\033[1;1HV");
	buf_reset(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "V\xe4\xb8\xad\nZ\n");
	buf_free(&b);
	render_free(r);
}

static void
t_resize(void **state)
{
	struct render	*r;
	struct buf	 b;
	int		 c, w;

	(void)state;
	r = render_new(10, 3);
	feeds(r, "abcdefghij");
	assert_int_equal(render_resize(r, 5, 3), 0);
	render_size(r, &c, &w);
	assert_int_equal(c, 5);
	assert_int_equal(w, 3);
	assert_int_equal(render_resize(r, 10, 3), 0);	/* no reflow */
	buf_init(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "abcde\n");
	assert_int_equal(render_resize(r, 0, 3), -1);
	assert_int_equal(render_resize(r, 10, 3), 0);	/* no-op */
	feeds(r, "\r\n1\r\n2\r\n3");
	assert_int_equal(render_resize(r, 10, 2), 0);
	buf_reset(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "2\n3\n");
	/* Shrinking keeps the top lines while the cursor stays visible
	 * (libtsm 4.0.2 alone scrolls them away). */
	render_free(r);
	r = render_new(10, 24);
	feeds(r, "top\r\nsecond");
	assert_int_equal(render_resize(r, 10, 5), 0);
	buf_reset(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "top\nsecond\n");
	render_cursor(r, &c, &w);
	assert_int_equal(c, 6);
	assert_int_equal(w, 1);
	feeds(r, "\r\n3\r\n4\r\n5");		/* cursor on the last row */
	assert_int_equal(render_resize(r, 10, 3), 0);
	buf_reset(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "3\n4\n5\n");
	buf_free(&b);
	render_free(r);
	assert_null(render_new(0, 5));
	assert_null(render_new(5, -1));
}

static void
t_cursor(void **state)
{
	struct render	*r;
	struct buf	 b;
	int		 x, y;

	(void)state;
	r = render_new(5, 3);
	feeds(r, "abcde");		/* pending wrap: libtsm says x == 5 */
	render_cursor(r, &x, &y);
	assert_int_equal(x, 4);
	assert_int_equal(y, 0);
	assert_true(render_cursor_visible(r));
	buf_init(&b);
	render_ansi(r, 5, 3, &b);
	assert_non_null(strstr(b.data, "\033[1;5H\033[?25h"));
	feeds(r, "\033[?25l");
	assert_false(render_cursor_visible(r));
	buf_reset(&b);
	render_ansi(r, 5, 3, &b);
	assert_null(strstr(b.data, "?25h"));
	/* The cursor outside the crop stays hidden. */
	feeds(r, "\033[?25h\033[3;5H");
	buf_reset(&b);
	render_ansi(r, 3, 2, &b);
	assert_null(strstr(b.data, "?25h"));
	buf_free(&b);
	render_free(r);
}

/* Queries in the stream get no answer anywhere and change nothing. */
static void
t_queries(void **state)
{
	struct render	*r;
	struct buf	 b;

	(void)state;
	r = render_new(20, 3);
	feeds(r, "a\033[6nb\033[c\033[>c\033[5n\005\033Z\033[?1$p"
	    "\033]11;?\007\033P+q544e\033\\c");
	buf_init(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "abc\n");
	buf_reset(&b);
	render_ansi(r, 20, 3, &b);
	assert_ansi_safe(b.data, b.len);
	buf_free(&b);
	render_free(r);
}

/* Sequences libtsm 4.0.2 misreads have no effect, as on a terminal. */
static void
t_misread(void **state)
{
	struct render	*r;
	struct buf	 b;

	(void)state;
	/* vim's DECRQM would reset libtsm and drop the alternate screen. */
	expect_text(20, 3, "\033[?1049h\033[Hvim screen\033[?12$p!",
	    "vim screen!\n");
	expect_text(20, 3, "\033[?1049hA\033[>1pB", "AB\n");
	/* Split across feeds, the cancelled sequence still does nothing. */
	r = render_new(20, 3);
	feeds(r, "\033[?1049hx\033[?12");
	feeds(r, "$");
	feeds(r, "py");
	buf_init(&b);
	render_text(r, &b);
	assert_string_equal(b.data, "xy\n");
	assert_true(render_alt(r));
	/* vim's modifyOtherKeys is not SGR 4 (underline). */
	feeds(r, "\033[>4;2mu\033[?5;3rv");
	buf_reset(&b);
	render_ansi(r, 20, 3, &b);
	assert_non_null(strstr(b.data, "xyuv"));
	assert_null(strstr(b.data, ";4"));
	buf_free(&b);
	render_free(r);
}

/* A smaller screen is drawn at the top left; the rest is cleared. */
static void
t_ansi_layout(void **state)
{
	struct render	*r;
	struct buf	 b;

	(void)state;
	r = render_new(4, 2);
	feeds(r, "ab\r\ncd");
	buf_init(&b);
	render_ansi(r, 10, 4, &b);
	assert_string_equal(b.data, "\033[?25l\033[0m"
	    "\033[1;1H\033[0mab\033[0m\033[K"
	    "\033[2;1H\033[0mcd\033[0m\033[K"
	    "\033[3;1H\033[K\033[4;1H\033[K"
	    "\033[2;3H\033[?25h");
	buf_free(&b);
	render_free(r);
}

/* A frame repaints only the rows that changed. */
static void
t_frame(void **state)
{
	struct render		*r;
	struct render_frame	*f;
	struct buf		 b;

	(void)state;
	r = render_new(10, 3);
	f = render_frame_new();
	feeds(r, "one\r\ntwo");
	buf_init(&b);
	render_ansi_frame(r, f, 10, 3, &b);
	assert_non_null(strstr(b.data, "one"));
	assert_non_null(strstr(b.data, "two"));
	assert_non_null(strstr(b.data, "\033[3;1H"));
	buf_reset(&b);
	render_ansi_frame(r, f, 10, 3, &b);
	assert_string_equal(b.data, "\033[?25l\033[0m\033[2;4H\033[?25h");
	feeds(r, "!");
	buf_reset(&b);
	render_ansi_frame(r, f, 10, 3, &b);
	assert_null(strstr(b.data, "one"));
	assert_non_null(strstr(b.data, "two!"));
	buf_reset(&b);
	render_ansi_frame(r, f, 8, 3, &b);	/* another area: all again */
	assert_non_null(strstr(b.data, "one"));
	render_frame_reset(f);
	buf_reset(&b);
	render_ansi_frame(r, f, 8, 3, &b);
	assert_non_null(strstr(b.data, "one"));
	buf_free(&b);
	render_frame_free(f);
	render_free(r);
}

/* Random streams made of what terminals programs really send. */
static void
gen_token(struct buf *b)
{
	static const char *fixed[] = {
		"\r\n", "\n", "\r", "\b", "\t", "\033[K", "\033[1K", "\033[2K",
		"\033[J", "\033[1J", "\033[2J", "\033[L", "\033[2M", "\033[P",
		"\033[3@", "\033[X", "\033[0m", "\033[m", "\033[1m", "\033[;1m",
		"\033[7m", "\033[4m", "\033[22;24m", "\033[>4;2m", "\033[r",
		"\033[?7l", "\033[?7h", "\033[?6h", "\033[?6l", "\033[4h",
		"\033[4l", "\033[?25l", "\033[?25h", "\033[?5h", "\033[?5l",
		"\033[20h", "\033[20l", "\033[?1049h", "\033[?1049l",
		"\033[?47h", "\033[?47l", "\033[?1047h", "\033[?1047l",
		"\033[?1048h", "\033[?1048l", "\0337", "\0338", "\033(0",
		"\033(B", "\033)0", "\016", "\017", "\033D", "\033M", "\033E",
		"\033]0;title\007", "\033[6n", "\033[S", "\033[2T", "\033[H",
		"\033[?1h\033=", "\033[?2004h", "\033[?1000h", "中", "é",
		"\033[?12$p", "\033[0%m", "\033[?1r", "\033#8",
		"\xe4\x0e", "\x80\033(", "\xc0\x9b[7m", ("\xe0\x82\x9b" "1m"),
		"\xf0\x9f", "\xff",
		"\xf0\x9f\x98\x80", "─│┌", "lqqk", "\033*0\033n", "\033~",
		"\033[s", "\033[u", "\033[>1u", "\033[?6;1049h",
		"\033[?1047;6l", "\033[?25;1049l", "中文中文中", "a中b中c中",
		"\033[3b", "\033[b", "\033[300b", "中\033[5b", "\033[2E",
		"\033[F", "\xc2\x84", "\xc2\x85", "\xc2\x8d", "\v", "\f",
	};
	static const char *rare[] = {
		"\033c", "\033[!p", "\033H", "\033[3g", "\033N", "\033[61\"p",
		"\033[12l", "\033[12h",
	};
	int	i, n, p, q, v;

	/* The rnd() calls one by one, last argument first (as gcc did):
	 * the same streams whatever the compiler's order of evaluation. */
	switch (rnd(12)) {
	case 0:
	case 1:
	case 2:
		n = 1 + rnd(30);
		for (i = 0; i < n; i++)
			buf_addc(b, (char)('!' + rnd(94)));
		break;
	case 3:
		q = rnd(90);
		buf_addf(b, "\033[%d;%dH", rnd(30), q);
		break;
	case 4:
		q = rnd(11);
		buf_addf(b, "\033[%d%c", rnd(12), "ABCDdGe`EFb"[q]);
		break;
	case 5:
		switch (rnd(4)) {
		case 0: buf_addf(b, "\033[3%dm", rnd(10)); break;
		case 1: buf_addf(b, "\033[38;5;%dm", rnd(256)); break;
		case 2:
			v = rnd(256);
			q = rnd(256);
			p = rnd(256);
			buf_addf(b, "\033[48;2;%d;%d;%dm", p, q, v);
			break;
		default:
			q = rnd(8);
			buf_addf(b, "\033[%d;1;4%dm", 90 + rnd(8), q);
		}
		break;
	case 6:
		q = rnd(25);
		buf_addf(b, "\033[%d;%dr", rnd(25), q);
		break;
	case 7:
		if (rnd(40) == 0) {
			buf_adds(b, rare[rnd((int)(sizeof rare /
			    sizeof rare[0]))]);
			break;
		}
		/* FALLTHROUGH */
	default:
		buf_adds(b, fixed[rnd((int)(sizeof fixed / sizeof fixed[0]))]);
	}
}

struct op {
	char	*s;		/* bytes, or NULL for a resize */
	size_t	 len;
	int	 cols, rows;
};

static void
apply(struct render *r, const struct op *o)
{
	if (o->s != NULL)
		render_feed(r, o->s, o->len);
	else
		render_resize(r, o->cols, o->rows);
}

static void
assert_same(struct render *a, struct render *b, int seed, int at)
{
	struct buf	 da, db;

	buf_init(&da);
	buf_init(&db);
	render_dump(a, &da);
	render_dump(b, &db);
	if (strcmp(da.data, db.data) != 0) {
		fprintf(stderr, "seed %d, snapshot at op %d\n--- fed:\n%s\n"
		    "--- restored:\n%s\n", seed, at, da.data, db.data);
		fail();
	}
	buf_free(&da);
	buf_free(&db);
}

static void
one_stream(int seed, int nops, int *taken)
{
	struct op		*ops;
	struct render		*a, *b;
	struct render_snap	*s;
	struct buf		 tok;
	int			 i, k, cols, rows;

	rng_state = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)seed * 0x100000001b3ULL);
	cols = 5 + rnd(40);
	rows = 2 + rnd(12);
	ops = xcalloc((size_t)nops, sizeof *ops);
	buf_init(&tok);
	for (i = 0; i < nops; i++) {
		if (rnd(60) == 0) {
			ops[i].cols = 5 + rnd(40);
			ops[i].rows = 2 + rnd(12);
			continue;
		}
		buf_reset(&tok);
		gen_token(&tok);
		ops[i].s = xstrndup(tok.data, tok.len);
		ops[i].len = tok.len;
	}
	buf_free(&tok);

	for (k = 0; k < nops; k += 1 + rnd(nops / 4 + 1)) {
		a = render_new(cols, rows);
		for (i = 0; i < k; i++)
			apply(a, &ops[i]);
		if ((s = render_snap_take(a)) == NULL) {
			render_free(a);
			continue;
		}
		(*taken)++;
		b = render_snap_restore(s);
		assert_non_null(b);
		assert_true(render_snap_size(s) > 0);
		render_snap_free(s);
		assert_same(a, b, seed, k);
		for (i = k; i < nops; i++) {
			apply(a, &ops[i]);
			apply(b, &ops[i]);
			if (getenv("TR_DEBUG") != NULL)
				fprintf(stderr, "op %d: %s\n", i, ops[i].s ? ops[i].s : "resize");
			if (i % 16 == 0 || getenv("TR_DEBUG") != NULL)
				assert_same(a, b, seed, k);
		}
		assert_same(a, b, seed, k);
		render_free(a);
		render_free(b);
	}
	for (i = 0; i < nops; i++)
		free(ops[i].s);
	free(ops);
}

static void
t_snapshots(void **state)
{
	int	seed, taken = 0;

	(void)state;
	if (getenv("TR_SEED") != NULL) {		/* debugging one stream */
		one_stream(atoi(getenv("TR_SEED")), 120, &taken);
		return;
	}
	for (seed = 0; seed < 300; seed++)
		one_stream(seed, 120, &taken);
	assert_true(taken > 500);
}

/* Not possible mid-sequence or after tab stops changed. */
static void
t_snapshot_refused(void **state)
{
	struct render		*r;
	struct render_snap	*s;

	(void)state;
	r = render_new(10, 3);
	feeds(r, "\033[3");
	assert_null(render_snap_take(r));
	feeds(r, "1m\xe4");
	assert_null(render_snap_take(r));
	feeds(r, "\xb8\xad");
	assert_non_null(s = render_snap_take(r));
	render_snap_free(s);
	feeds(r, "\033]0;ti");
	assert_null(render_snap_take(r));
	feeds(r, "tle\007\033[3g");
	assert_null(render_snap_take(r));
	assert_int_equal(render_resize(r, 11, 3), 0);
	assert_non_null(s = render_snap_take(r));
	render_snap_free(s);
	render_free(r);
}

/* Replaying render_ansi into a fresh terminal shows the same text. */
static void
t_ansi_roundtrip(void **state)
{
	struct render	*a, *b;
	struct buf	 tok, ta, tb, ansi;
	int		 seed, i;

	(void)state;
	buf_init(&tok);
	buf_init(&ta);
	buf_init(&tb);
	buf_init(&ansi);
	for (seed = 0; seed < 200; seed++) {
		rng_state = 0x12345678ULL + (uint64_t)seed * 7919;
		a = render_new(30, 8);
		b = render_new(30, 8);
		for (i = 0; i < 80; i++) {
			buf_reset(&tok);
			gen_token(&tok);
			render_feed(a, tok.data, tok.len);
		}
		buf_reset(&ansi);
		render_ansi(a, 30, 8, &ansi);
		assert_ansi_safe(ansi.data, ansi.len);
		render_feed(b, ansi.data, ansi.len);
		buf_reset(&ta);
		buf_reset(&tb);
		render_text(a, &ta);
		render_text(b, &tb);
		/* The overhanging wide character becomes a space. */
		if (strstr(ta.data == NULL ? "" : ta.data, "\n") != NULL &&
		    ta.len == tb.len)
			assert_memory_equal(ta.data, tb.data, ta.len);
		render_free(a);
		render_free(b);
	}
	buf_free(&tok);
	buf_free(&ta);
	buf_free(&tb);
	buf_free(&ansi);
}

/* Much scrolling: scrollback lines must be freed (ASan). */
static void
t_scrollback(void **state)
{
	struct render	*r;
	int		 i;

	(void)state;
	r = render_new(20, 5);
	for (i = 0; i < 2000; i++)
		feeds(r, "line of text\r\n");
	render_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_plain),
		cmocka_unit_test(t_split),
		cmocka_unit_test(t_colours),
		cmocka_unit_test(t_wide),
		cmocka_unit_test(t_scosc),
		cmocka_unit_test(t_home),
		cmocka_unit_test(t_unwrap),
		cmocka_unit_test(t_hpa),
		cmocka_unit_test(t_rep),
		cmocka_unit_test(t_rep_count),
		cmocka_unit_test(t_cnl),
		cmocka_unit_test(t_stuck),
		cmocka_unit_test(t_wrap_below),
		cmocka_unit_test(t_c1_utf8),
		cmocka_unit_test(t_one_column),
		cmocka_unit_test(t_altscreen),
		cmocka_unit_test(t_alt),
		cmocka_unit_test(t_resize),
		cmocka_unit_test(t_narrow_wide),
		cmocka_unit_test(t_cursor),
		cmocka_unit_test(t_queries),
		cmocka_unit_test(t_misread),
		cmocka_unit_test(t_ansi_layout),
		cmocka_unit_test(t_frame),
		cmocka_unit_test(t_snapshots),
		cmocka_unit_test(t_snapshot_refused),
		cmocka_unit_test(t_ansi_roundtrip),
		cmocka_unit_test(t_scrollback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
