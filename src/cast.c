/* cast.c: asciicast v1/v2/v3 encode and decode. Owns the header in both
 * shapes (through cJSON), JSON string escaping of terminal output, the v3
 * interval clock, a hand-written parser for event lines, and the reader
 * that turns any asciicast file (plain or zstd, cut or damaged) into events
 * with absolute times. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cast.h"
#include "util.h"
#include "zio.h"

#define CAST_V1_MAX	(256 * 1024 * 1024)	/* largest v1 file read */
#define CAST_NUM_MAX	64			/* longest number token */
#define CAST_TIME_MAX	1e12			/* seconds: fits int64 us */
#define CAST_SIZE_MAX	100000			/* cols, rows */
#define CAST_CHUNK	4096			/* escape input per reserve */

static const char cast_fffd[3] = { '\xef', '\xbf', '\xbd' };

/* Byte classes for escaping: 0 copy, 1 escape, 2 UTF-8 lead or stray. */
#define C1 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
#define C0 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define C2 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2
static const unsigned char cast_esc_class[256] = {
	C1, C1,					/* 0x00-0x1f */
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* '"' */
	C0, C0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,	/* '\\' */
	C0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,	/* DEL */
	C2, C2, C2, C2, C2, C2, C2, C2
};
/* Byte classes inside a JSON string being parsed: 0 copy, 1 '"' or '\\',
 * 2 UTF-8 lead or stray. Raw control characters are taken as they are. */
static const unsigned char cast_str_class[256] = {
	C0, C0,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* '"' */
	C0, C0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,	/* '\\' */
	C0, C0,
	C2, C2, C2, C2, C2, C2, C2, C2
};
#undef C0
#undef C1
#undef C2

struct cast_reader {
	struct zio_reader	*zr;
	char			*path;
	struct cast_header	 hdr;
	int64_t			 clock;
	struct buf		 scratch;
	size_t			 lineno;
	size_t			 events;
	int			 torn;		/* the last line had no end */
	int			 done;
	char			*damage;

	struct buf		 pend;		/* read ahead (cast_reader_ahead) */
	size_t			 pendpos;	/* the next line there */
	int			 ahead;		/* the last line was from it */

	int			 v1;		/* a v1 file, read whole: */
	struct buf		 v1text;	/* its text */
	size_t			 v1next;	/* where the next frame is */
	size_t			 v1end;		/* the "stdout" array's ']' */
};

/*
 * UTF-8.
 */

/* Append s as valid UTF-8: invalid bytes become U+FFFD. */
static void
utf8_sanitize(struct buf *b, const char *s0, size_t n)
{
	const unsigned char	*s = (const unsigned char *)s0;
	size_t			 i = 0, start;
	int			 k;

	while (i < n) {
		start = i;
		while (i < n && s[i] < 0x80)
			i++;
		while (i < n && (k = utf8_check(s + i, n - i)) > 0)
			i += (size_t)k;
		if (i != start)
			buf_add(b, s + start, i - start);
		if (i == n)
			break;
		if (s[i] < 0x80)
			continue;
		k = utf8_check(s + i, n - i);
		buf_add(b, cast_fffd, sizeof cast_fffd);
		i += k == 0 ? n - i : (size_t)-k;
	}
	if (b->data == NULL)
		buf_reserve(b, 0);
	b->data[b->len] = '\0';
}

/* Every string in item and below made valid UTF-8, as JSON wants: what
 * a sidecar keeps raw (a command line, a path) is shown with U+FFFD. */
void
cast_json_utf8(struct cJSON *item)
{
	struct buf	 b;
	cJSON		*c;

	for (; item != NULL; item = item->next) {
		if (cJSON_IsString(item) && item->valuestring != NULL) {
			buf_init(&b);
			utf8_sanitize(&b, item->valuestring,
			    strlen(item->valuestring));
			if (strcmp(b.data, item->valuestring) != 0 &&
			    cJSON_SetValuestring(item, b.data) == NULL)
				fatal("out of memory");
			buf_free(&b);
		}
		if ((c = item->child) != NULL)
			cast_json_utf8(c);
	}
}

/*
 * Escaping.
 */

/* The escape for each ASCII byte of class 1: its length, then the text.
 * Six bytes are always copied; the length says how many count. */
static const char cast_esc_seq[128][7] = {
	[0x00] = { 6, '\\', 'u', '0', '0', '0', '0' },
	[0x01] = { 6, '\\', 'u', '0', '0', '0', '1' },
	[0x02] = { 6, '\\', 'u', '0', '0', '0', '2' },
	[0x03] = { 6, '\\', 'u', '0', '0', '0', '3' },
	[0x04] = { 6, '\\', 'u', '0', '0', '0', '4' },
	[0x05] = { 6, '\\', 'u', '0', '0', '0', '5' },
	[0x06] = { 6, '\\', 'u', '0', '0', '0', '6' },
	[0x07] = { 6, '\\', 'u', '0', '0', '0', '7' },
	[0x08] = { 2, '\\', 'b' },
	[0x09] = { 2, '\\', 't' },
	[0x0a] = { 2, '\\', 'n' },
	[0x0b] = { 6, '\\', 'u', '0', '0', '0', 'b' },
	[0x0c] = { 2, '\\', 'f' },
	[0x0d] = { 2, '\\', 'r' },
	[0x0e] = { 6, '\\', 'u', '0', '0', '0', 'e' },
	[0x0f] = { 6, '\\', 'u', '0', '0', '0', 'f' },
	[0x10] = { 6, '\\', 'u', '0', '0', '1', '0' },
	[0x11] = { 6, '\\', 'u', '0', '0', '1', '1' },
	[0x12] = { 6, '\\', 'u', '0', '0', '1', '2' },
	[0x13] = { 6, '\\', 'u', '0', '0', '1', '3' },
	[0x14] = { 6, '\\', 'u', '0', '0', '1', '4' },
	[0x15] = { 6, '\\', 'u', '0', '0', '1', '5' },
	[0x16] = { 6, '\\', 'u', '0', '0', '1', '6' },
	[0x17] = { 6, '\\', 'u', '0', '0', '1', '7' },
	[0x18] = { 6, '\\', 'u', '0', '0', '1', '8' },
	[0x19] = { 6, '\\', 'u', '0', '0', '1', '9' },
	[0x1a] = { 6, '\\', 'u', '0', '0', '1', 'a' },
	[0x1b] = { 6, '\\', 'u', '0', '0', '1', 'b' },
	[0x1c] = { 6, '\\', 'u', '0', '0', '1', 'c' },
	[0x1d] = { 6, '\\', 'u', '0', '0', '1', 'd' },
	[0x1e] = { 6, '\\', 'u', '0', '0', '1', 'e' },
	[0x1f] = { 6, '\\', 'u', '0', '0', '1', 'f' },
	[0x22] = { 2, '\\', '"' },
	[0x5c] = { 2, '\\', '\\' },
	[0x7f] = { 6, '\\', 'u', '0', '0', '7', 'f' },
};

/* Copy from s the bytes that need no escaping (none below 0x20, no '"' or
 * '\\', none at or above 0x7f) to o, a block at a time while n holds a
 * whole block; return how many were such bytes. The block with the first
 * other byte is copied whole, so up to a block's length past the count
 * is written to o. */
#ifdef __SSE2__
#include <emmintrin.h>

#define CAST_BLOCK	16

static size_t
cast_copy_plain(char *o, const unsigned char *s, size_t n)
{
	const __m128i	 sp = _mm_set1_epi8(0x20), qu = _mm_set1_epi8('"');
	const __m128i	 bs = _mm_set1_epi8('\\'), del = _mm_set1_epi8(0x7f);
	__m128i		 v, x;
	size_t		 i;
	unsigned	 m;

	for (i = 0; n - i >= CAST_BLOCK; i += CAST_BLOCK) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		_mm_storeu_si128((__m128i *)(void *)(o + i), v);
		/* Signed: below 0x20 or at and above 0x80. */
		x = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, sp),
		    _mm_cmpeq_epi8(v, qu)), _mm_or_si128(_mm_cmpeq_epi8(v, bs),
		    _mm_cmpeq_epi8(v, del)));
		if ((m = (unsigned)_mm_movemask_epi8(x)) != 0)
			return i + (size_t)__builtin_ctz(m);
	}
	return i;
}
#else
#define CAST_BLOCK	8

static size_t
cast_copy_plain(char *o, const unsigned char *s, size_t n)
{
	const uint64_t	 ones = 0x0101010101010101ULL;
	const uint64_t	 high = 0x8080808080808080ULL;
	uint64_t	 w, q, b, t;
	size_t		 i;

	for (i = 0; n - i >= CAST_BLOCK; i += CAST_BLOCK) {
		memcpy(&w, s + i, 8);
		memcpy(o + i, &w, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		/* A borrow only flags bytes after a flagged one, so the
		 * first flag is exact. */
		t = (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
		    ((b - ones) & ~b) | (((w & ~high) + ones) | w)) & high;
		if (t != 0)
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			return i + (size_t)__builtin_clzll(t) / 8;
#else
			return i + (size_t)__builtin_ctzll(t) / 8;
#endif
	}
	return i;
}
#endif

size_t
cast_escape(struct buf *b, const char *s0, size_t len, int final)
{
	const unsigned char	*s = (const unsigned char *)s0;
	size_t			 i = 0, end, n;
	char			*o;
	int			 k, stop = 0;

	while (i < len && !stop) {
		end = len - i > CAST_CHUNK ? i + CAST_CHUNK : len;
		/* Worst case 6 bytes out per byte in, plus a character
		 * that starts before end and runs 3 bytes past it. */
		buf_reserve(b, (end - i) * 6 + 8);
		o = b->data + b->len;
		while (i < end) {
			n = cast_copy_plain(o, s + i, end - i);
			o += n;
			i += n;
			while (i < end && cast_esc_class[s[i]] == 0)
				*o++ = (char)s[i++];
			if (i == end)
				break;
			if (s[i] < 0x80) {
				memcpy(o, cast_esc_seq[s[i]] + 1, 6);
				o += cast_esc_seq[s[i]][0];
				i++;
				continue;
			}
			k = utf8_check(s + i, len - i);
			if (k > 0) {
				memcpy(o, s + i, (size_t)k);
				o += k;
				i += (size_t)k;
				continue;
			}
			if (k == 0 && !final) {
				stop = 1;	/* carried to the next call */
				break;
			}
			memcpy(o, cast_fffd, sizeof cast_fffd);
			o += sizeof cast_fffd;
			i += k == 0 ? len - i : (size_t)-k;
		}
		b->len = (size_t)(o - b->data);
	}
	if (b->data == NULL)
		buf_reserve(b, 0);
	b->data[b->len] = '\0';
	return i;
}

static void
cast_string_write(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	cast_escape(b, s, strlen(s), 1);
	buf_addc(b, '"');
}

/*
 * Times.
 */

/* Seconds (0 <= v <= CAST_TIME_MAX) to microseconds, rounded. */
static int64_t
cast_seconds_us(double v)
{
	return (int64_t)(v * 1e6 + 0.5);
}

/* Write v in decimal, with at least width digits. */
static void
cast_uint_write(struct buf *b, uint64_t v, int width)
{
	char	 tmp[24], *p = tmp + sizeof tmp;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
		width--;
	} while (v != 0 || width > 0);
	buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

static uint64_t
cast_abs(int64_t v)
{
	return v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;
}

/* t microseconds to whole milliseconds, halves away from zero. */
static int64_t
cast_round_ms(int64_t t)
{
	int64_t	 q = t / 1000, r = t % 1000;

	if (r >= 500)
		q++;
	else if (r <= -500)
		q--;
	return q;
}

static void
cast_ms_write(int64_t ms, struct buf *b)
{
	uint64_t	 u = cast_abs(ms);

	if (ms < 0)
		buf_addc(b, '-');
	cast_uint_write(b, u / 1000, 1);
	buf_addc(b, '.');
	cast_uint_write(b, u % 1000, 3);
}

static void
cast_us_write(int64_t t, struct buf *b)
{
	uint64_t	 u = cast_abs(t), frac;
	int		 digits = 6;

	if (t < 0)
		buf_addc(b, '-');
	cast_uint_write(b, u / 1000000, 1);
	buf_addc(b, '.');
	frac = u % 1000000;
	while (digits > 1 && frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	cast_uint_write(b, frac, digits);
}

void
cast_time_write(int64_t t, int ms, struct buf *b)
{
	if (ms)
		cast_ms_write(cast_round_ms(t), b);
	else
		cast_us_write(t, b);
}

/*
 * Event lines.
 */

/* The code and the opening quote of the data. */
static void
cast_event_code(char code, struct buf *b)
{
	unsigned char	 c = (unsigned char)code;

	buf_add(b, ", \"", 3);
	if (cast_esc_class[c] == 0)
		buf_addc(b, code);
	else
		cast_escape(b, &code, 1, 1);
	buf_add(b, "\", \"", 4);
}

static void
cast_event_tail(char code, const char *data, size_t len, int escaped,
    struct buf *b)
{
	buf_reserve(b, len + 16);
	cast_event_code(code, b);
	if (escaped)
		buf_add(b, data, len);
	else
		cast_escape(b, data, len, 1);
	cast_event_close(b);
}

/* The v3 interval for an event at t (us), rounded with error diffusion. */
static void
cast_interval_v3(struct cast_clock *clock, int64_t t, struct buf *b)
{
	int64_t	 ms;

	ms = cast_round_ms(t) - clock->written_ms;
	if (ms < 0)
		ms = 0;		/* time never runs backwards in a file */
	clock->written_ms += ms;
	buf_addc(b, '[');
	cast_ms_write(ms, b);
}

void
cast_event_open_v3(struct cast_clock *clock, int64_t t, char code,
    struct buf *b)
{
	cast_interval_v3(clock, t, b);
	cast_event_code(code, b);
}

void
cast_event_close(struct buf *b)
{
	buf_add(b, "\"]\n", 3);
}

void
cast_event_write_v3(struct cast_clock *clock, int64_t t, char code,
    const char *data, size_t len, int escaped, struct buf *b)
{
	cast_interval_v3(clock, t, b);
	cast_event_tail(code, data, len, escaped, b);
}

void
cast_event_write_v2(int64_t t, char code, const char *data, size_t len,
    int escaped, struct buf *b)
{
	buf_addc(b, '[');
	cast_us_write(t, b);
	cast_event_tail(code, data, len, escaped, b);
}

void
cast_event_write_split(struct cast_clock *clock, int version, int64_t t,
    char code, const char *data, size_t len, struct buf *b)
{
	size_t	 off = 0, end, start;

	if (code != 'o' && code != 'i') {	/* a marker's label: whole */
		if (version == 2)
			cast_event_write_v2(t, code, data, len, 0, b);
		else
			cast_event_write_v3(clock, t, code, data, len, 0, b);
		return;
	}
	do {
		if (version == 2) {
			buf_addc(b, '[');
			cast_us_write(t, b);
			cast_event_code(code, b);
		} else
			cast_event_open_v3(clock, t, code, b);
		/* A chunk at a time; one not the last leaves out a character
		 * it cuts (final 0), which starts the next. Never none: a
		 * chunk not the last is CAST_CHUNK long. */
		start = b->len;
		while (off < len && b->len - start < CAST_EVENT_MAX) {
			end = len - off > CAST_CHUNK ? off + CAST_CHUNK : len;
			off += cast_escape(b, data + off, end - off,
			    end == len);
		}
		cast_event_close(b);
	} while (off < len);
}

/*
 * Event parsing.
 */

static const char *
cast_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	return p;
}

/* A JSON number, as seconds, into microseconds. */
static int
cast_number_parse(const char **pp, const char *end, int64_t *us,
    const char **why)
{
	const char	*p = *pp;
	char		 tmp[CAST_NUM_MAX], *e;
	size_t		 n = 0;
	double		 v;

	while (p + n < end && n < sizeof tmp && ((p[n] >= '0' && p[n] <= '9') ||
	    p[n] == '-' || p[n] == '+' || p[n] == '.' || p[n] == 'e' ||
	    p[n] == 'E'))
		n++;
	if (n == 0) {
		*why = "the time is not a number";
		return -1;
	}
	if (n == sizeof tmp) {
		*why = "the time is too long a number";
		return -1;
	}
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtod(tmp, &e);
	if (e != tmp + n || !isfinite(v)) {
		*why = "the time is not a number";
		return -1;
	}
	if (v < 0) {
		*why = "negative time";
		return -1;
	}
	if (v > CAST_TIME_MAX) {
		*why = "time out of range";
		return -1;
	}
	*us = cast_seconds_us(v);
	*pp = p + n;
	return 0;
}

static int
cast_hex4(const char *p, const char *end, unsigned long *cp)
{
	unsigned long	 v = 0;
	int		 i, d;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		d = p[i];
		if (d >= '0' && d <= '9')
			d -= '0';
		else if (d >= 'a' && d <= 'f')
			d -= 'a' - 10;
		else if (d >= 'A' && d <= 'F')
			d -= 'A' - 10;
		else
			return -1;
		v = v << 4 | (unsigned long)d;
	}
	*cp = v;
	return 0;
}

/* One escape after a backslash at *pp (which points past it). */
/* One more than the value of a hex digit; 0 for anything else. */
static const unsigned char cast_hex1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int
cast_unescape(const char **pp, const char *end, struct buf *out)
{
	const char	*p = *pp;
	char		 tmp[4], c;
	unsigned long	 cp, lo;

	if (p >= end)
		return -1;
	switch ((c = *p++)) {
	case '"':
	case '\\':
	case '/':
		buf_addc(out, c);
		break;
	case 'b':
		buf_addc(out, '\b');
		break;
	case 'f':
		buf_addc(out, '\f');
		break;
	case 'n':
		buf_addc(out, '\n');
		break;
	case 'r':
		buf_addc(out, '\r');
		break;
	case 't':
		buf_addc(out, '\t');
		break;
	case 'u':
		if (cast_hex4(p, end, &cp) != 0)
			return -1;
		p += 4;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
			    cast_hex4(p + 2, end, &lo) == 0 &&
			    lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			} else
				cp = 0xfffd;	/* a lone high surrogate */
		} else if (cp >= 0xdc00 && cp <= 0xdfff)
			cp = 0xfffd;		/* a lone low surrogate */
		buf_add(out, tmp, (size_t)(utf8_put(tmp, cp) - tmp));
		break;
	default:
		return -1;
	}
	*pp = p;
	return 0;
}

/* Append to a buffer that was reserved: no call when it fits. */
static inline void
cast_put(struct buf *out, const char *p, size_t n)
{
	if (out->len + n < out->size) {
		memcpy(out->data + out->len, p, n);
		out->len += n;
	} else
		buf_add(out, p, n);
}

/* The bytes from s on that a string holds as they are: ASCII but '"'
 * and '\\' (raw controls too), and whole valid UTF-8 characters. Eight
 * ASCII bytes at a time, and the common three-byte characters (box
 * drawing, CJK) without a call. */
static const char *
cast_str_span(const char *s, const char *end)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*e = (const unsigned char *)end;
	uint64_t		 x, m;
	int			 k;

	while (p < e) {
		if (e - p >= 8) {
			x = swar_load(p);
			m = swar_has(x, '"') | swar_has(x, '\\') |
			    (x & SWAR_HIGHS);
			if (m == 0) {
				p += 8;
				continue;
			}
			p += swar_first(m);
		}
		if (*p < 0x80) {
			if (cast_str_class[*p] != 0)
				break;
			p++;
		} else if (*p >= 0xe1 && *p <= 0xec && e - p >= 3 &&
		    (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80)
			p += 3;
		else if ((k = utf8_check(p, (size_t)(e - p))) > 0)
			p += k;
		else
			break;
	}
	return (const char *)p;
}

/* A JSON string at *pp (at its opening quote), decoded into out. */
static int
cast_string_parse(const char **pp, const char *end, struct buf *out,
    const char **why)
{
	const char	*p = *pp + 1, *start;
	int		 k;

	buf_reset(out);
	buf_reserve(out, (size_t)(end - p));	/* enough unless bytes are bad */
	for (;;) {
		start = p;
		p = cast_str_span(p, end);
		if (p != start)
			cast_put(out, start, (size_t)(p - start));
		if (p >= end) {
			*why = "a string does not end";
			return -1;
		}
		if (*p == '"')
			break;
		if (*p == '\\') {
			/* \u00XX below 0x80 (ESC and the other controls):
			 * most escapes in terminal output. */
			if (end - p >= 6 && p[1] == 'u' && p[2] == '0' &&
			    p[3] == '0' && p[4] >= '0' && p[4] <= '7' &&
			    cast_hex1[(unsigned char)p[5]] != 0) {
				char c = (char)((p[4] - '0') << 4 |
				    (cast_hex1[(unsigned char)p[5]] - 1));

				cast_put(out, &c, 1);
				p += 6;
				continue;
			}
			p++;
			if (cast_unescape(&p, end, out) != 0) {
				*why = "bad escape in a string";
				return -1;
			}
			continue;
		}
		k = utf8_check((const unsigned char *)p, (size_t)(end - p));
		if (k > 0) {
			cast_put(out, p, (size_t)k);
			p += k;
		} else {
			buf_add(out, cast_fffd, sizeof cast_fffd);
			p += k == 0 ? end - p : -k;
		}
	}
	if (out->data == NULL)
		buf_reserve(out, 0);
	out->data[out->len] = '\0';
	*pp = p + 1;
	return 0;
}

static int
cast_expect(const char **pp, const char *end, char c)
{
	const char	*p = cast_skip_ws(*pp, end);

	if (p >= end || *p != c)
		return -1;
	*pp = cast_skip_ws(p + 1, end);
	return 0;
}

int
cast_event_parse(const char *line, size_t len, int version, int64_t *clock,
    struct cast_event *ev, struct buf *scratch, char **cause)
{
	const char	*p = line, *end = line + len, *why = NULL;
	int64_t		 t;
	char		 code;

	if (cast_expect(&p, end, '[') != 0) {
		why = "not an event (no '[')";
		goto fail;
	}
	if (cast_number_parse(&p, end, &t, &why) != 0)
		goto fail;
	if (cast_expect(&p, end, ',') != 0 || p >= end || *p != '"') {
		why = "no event code after the time";
		goto fail;
	}
	if (cast_string_parse(&p, end, scratch, &why) != 0)
		goto fail;
	if (scratch->len == 0) {
		why = "empty event code";
		goto fail;
	}
	code = scratch->data[0];
	if (cast_expect(&p, end, ',') != 0 || p >= end || *p != '"') {
		why = "no string data after the event code";
		goto fail;
	}
	if (cast_string_parse(&p, end, scratch, &why) != 0)
		goto fail;
	if (cast_expect(&p, end, ']') != 0) {
		why = "no ']' after the event data";
		goto fail;
	}
	if (p != end) {
		why = "text after the event";
		goto fail;
	}

	if (version == 3) {
		if (t > INT64_MAX - *clock) {
			why = "time out of range";
			goto fail;
		}
		t += *clock;
	}
	*clock = t;
	ev->time = t;
	ev->code = code;
	ev->data = scratch->data;
	ev->len = scratch->len;
	return 0;

fail:
	xasprintf(cause, "%s", why);
	return -1;
}

/*
 * Header.
 */

void
cast_header_init(struct cast_header *h)
{
	memset(h, 0, sizeof *h);
}

void
cast_header_free(struct cast_header *h)
{
	free(h->term_type);
	free(h->term_version);
	free(h->command);
	free(h->title);
	cJSON_Delete(h->env);
	cJSON_Delete(h->theme);
	cJSON_Delete(h->tags);
	cast_header_init(h);
}

/* A header string. cJSON ends its strings at a NUL, so cast_json_lone
 * makes each \u0000 a \ufffd first: a title or command is text, unlike
 * event data (which cast_string_parse decodes whole, NULs and all). */
static char *
cast_json_string(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return NULL;
	return xstrdup(v->valuestring);
}

/* A terminal's size: 0 (asciinema 2 writes it when its terminal had no
 * size: in CI, under script or docker exec) reads as dflt. */
static int
cast_json_size(const cJSON *o, const char *key, int dflt, int *out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > CAST_SIZE_MAX)
		return -1;
	*out = v->valuedouble < 1 ? dflt : (int)v->valuedouble;
	return 0;
}

static cJSON *
cast_json_object_copy(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);
	cJSON		*c;

	if (!cJSON_IsObject(v))
		return NULL;
	if ((c = cJSON_Duplicate(v, 1)) == NULL)
		fatal("out of memory");
	return c;
}

/* env: string values only (old files have nulls); TERM goes to *term. */
static cJSON *
cast_env_copy(const cJSON *o, char **term)
{
	const cJSON	*env = cJSON_GetObjectItemCaseSensitive(o, "env"), *v;
	cJSON		*c;

	if (!cJSON_IsObject(env))
		return NULL;
	if ((c = cJSON_CreateObject()) == NULL)
		fatal("out of memory");
	cJSON_ArrayForEach(v, env) {
		if (!cJSON_IsString(v) || v->valuestring == NULL ||
		    v->string == NULL)
			continue;
		if (term != NULL && strcmp(v->string, "TERM") == 0) {
			free(*term);
			*term = xstrdup(v->valuestring);
			continue;
		}
		if (cJSON_AddStringToObject(c, v->string, v->valuestring) ==
		    NULL)
			fatal("out of memory");
	}
	return c;
}

/* The fields that v1, v2 and v3 share. */
static void
cast_header_common(const cJSON *o, struct cast_header *h)
{
	const cJSON	*v;

	v = cJSON_GetObjectItemCaseSensitive(o, "timestamp");
	/* Up to the end of year 9999: in microseconds it still fits. */
	if (cJSON_IsNumber(v) && v->valuedouble > 0 &&
	    v->valuedouble < 253402300800.0)
		h->timestamp = (int64_t)v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(o, "idle_time_limit");
	if (cJSON_IsNumber(v) && v->valuedouble > 0 &&
	    v->valuedouble < CAST_TIME_MAX)
		h->idle_time_limit = v->valuedouble;
	h->command = cast_json_string(o, "command");
	h->title = cast_json_string(o, "title");
}

/* Fill h from a parsed header object; the version is already known. */
static int
cast_header_from(const cJSON *o, int version, struct cast_header *h,
    const char **why)
{
	const cJSON	*term, *v;

	h->version = version;
	cast_header_common(o, h);
	if (version == 3) {
		term = cJSON_GetObjectItemCaseSensitive(o, "term");
		if (!cJSON_IsObject(term)) {
			*why = "the header has no \"term\"";
			return -1;
		}
		if (cast_json_size(term, "cols", 80, &h->cols) != 0 ||
		    cast_json_size(term, "rows", 24, &h->rows) != 0) {
			*why = "the header has no valid term.cols and term.rows";
			return -1;
		}
		h->term_type = cast_json_string(term, "type");
		h->term_version = cast_json_string(term, "version");
		h->theme = cast_json_object_copy(term, "theme");
		h->env = cast_env_copy(o, NULL);
		v = cJSON_GetObjectItemCaseSensitive(o, "tags");
		if (cJSON_IsArray(v) && (h->tags = cJSON_Duplicate(v, 1)) ==
		    NULL)
			fatal("out of memory");
		return 0;
	}
	if (cast_json_size(o, "width", 80, &h->cols) != 0 ||
	    cast_json_size(o, "height", 24, &h->rows) != 0) {
		*why = "the header has no valid width and height";
		return -1;
	}
	h->env = cast_env_copy(o, &h->term_type);
	if (version == 2)
		h->theme = cast_json_object_copy(o, "theme");
	return 0;
}

/* 1 if p (at a backslash) is a \u escape of a high surrogate, 2 of a
 * low one, else 0. */
static int
cast_surrogate_at(const char *p, const char *end)
{
	unsigned long	 cp;

	if (end - p < 6 || p[1] != 'u' || cast_hex4(p + 2, end, &cp) != 0)
		return 0;
	if (cp >= 0xd800 && cp <= 0xdbff)
		return 1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return 2;
	return 0;
}

/* cJSON refuses a lone surrogate escape (one not in a high and low pair),
 * which Python's json (asciinema's) takes, and cuts a string at a \u0000
 * (a title lost its end, a key "version\u0000" read as "version"): a copy
 * of s (as long) with each made \ufffd, as cast_unescape reads lone ones
 * in events; NULL if s has none. A backslash outside a string is no JSON
 * either way. */
static char *
cast_json_lone(const char *s, size_t len)
{
	const char	*p = s, *end = s + len;
	char		*copy = NULL;
	int		 k;

	while (p < end && (p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		k = cast_surrogate_at(p, end);
		if (k == 0 && (end - p < 6 || memcmp(p, "\\u0000", 6) != 0)) {
			p += 2;		/* any other escape, whole */
			continue;
		}
		if (k == 1 && cast_surrogate_at(p + 6, end) == 2) {
			p += 12;	/* a pair */
			continue;
		}
		if (copy == NULL) {
			copy = xmalloc(len + 1);
			memcpy(copy, s, len);
			copy[len] = '\0';
		}
		memcpy(copy + (p - s), "\\ufffd", 6);
		p += 6;
	}
	return copy;
}

/* Parse a whole JSON text; NULL if it is not exactly one value. */
static cJSON *
cast_json_parse(const char *s, size_t len)
{
	const char	*end = NULL;
	char		*copy;
	cJSON		*o;

	if ((copy = cast_json_lone(s, len)) != NULL)
		s = copy;
	o = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	if (o != NULL && (end == NULL ||
	    cast_skip_ws(end, s + len) != s + len)) {
		cJSON_Delete(o);
		o = NULL;
	}
	free(copy);
	return o;
}

static int
cast_json_version(const cJSON *o)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, "version");

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > 1000 || v->valuedouble != (int)v->valuedouble)
		return -1;
	return (int)v->valuedouble;
}

/* The compressor that made data starting with s, if one that asciicast
 * files are often kept with (zstd is read as it is). */
static const char *
cast_compressed_by(const char *s, size_t len)
{
	static const struct {
		const char	*magic;
		size_t		 len;
		const char	*name;
	} known[] = {
		{ "\x1f\x8b", 2, "gzip" },
		{ "\xfd" "7zXZ", 5, "xz" },
		{ "BZh", 3, "bzip2" },
	};
	size_t	 i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (len >= known[i].len &&
		    memcmp(s, known[i].magic, known[i].len) == 0)
			return known[i].name;
	}
	return NULL;
}

int
cast_header_parse(const char *s, size_t len, struct cast_header *h,
    char **cause)
{
	cJSON		*o;
	const char	*why = NULL, *by, *p;
	int		 version, rc = -1;

	cast_header_init(h);
	if ((o = cast_json_parse(s, len)) == NULL) {
		p = len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ? s + 3 : s;
		p = cast_skip_ws(p, s + len);
		if ((by = cast_compressed_by(s, len)) != NULL)
			xasprintf(cause, "%s-compressed; decompress it first "
			    "(%s -d)", by, by);
		else if (p < s + len && *p == '{')
			xasprintf(cause, "the header is not JSON");
		else	/* text, a binary: no header at all */
			xasprintf(cause, "not an asciicast recording (the "
			    "header is not JSON); agentrun reads asciicast "
			    "v1, v2 and v3 files, plain or zstd-compressed");
		return -1;
	}
	if (!cJSON_IsObject(o)) {
		why = "the header is not a JSON object";
		goto out;
	}
	version = cast_json_version(o);
	if (version < 0) {
		why = "the header has no version";
		goto out;
	}
	if (version != 2 && version != 3) {
		xasprintf(cause, "asciicast version %d is not supported here",
		    version);
		goto out;
	}
	if (cast_header_from(o, version, h, &why) != 0) {
		cast_header_free(h);
		goto out;
	}
	rc = 0;
out:
	if (why != NULL)
		xasprintf(cause, "%s", why);
	cJSON_Delete(o);
	return rc;
}

static void cast_json_write(const cJSON *, struct buf *);

static void
cast_json_number_write(double d, struct buf *b)
{
	char	 tmp[64];

	if (!isfinite(d)) {
		buf_adds(b, "null");
		return;
	}
	if (d > -1e15 && d < 1e15 && d == (double)(long long)d) {
		buf_addf(b, "%lld", (long long)d);
		return;
	}
	snprintf(tmp, sizeof tmp, "%.15g", d);
	if (strtod(tmp, NULL) != d)
		snprintf(tmp, sizeof tmp, "%.17g", d);
	buf_adds(b, tmp);
}

/* Any JSON value, with ", " and ": " between tokens like asciinema. */
static void
cast_json_write(const cJSON *v, struct buf *b)
{
	const cJSON	*c;
	int		 first = 1;

	if (cJSON_IsString(v))
		cast_string_write(b, v->valuestring != NULL ?
		    v->valuestring : "");
	else if (cJSON_IsNumber(v))
		cast_json_number_write(v->valuedouble, b);
	else if (cJSON_IsTrue(v))
		buf_adds(b, "true");
	else if (cJSON_IsFalse(v))
		buf_adds(b, "false");
	else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		buf_addc(b, cJSON_IsArray(v) ? '[' : '{');
		cJSON_ArrayForEach(c, v) {
			if (!first)
				buf_add(b, ", ", 2);
			first = 0;
			if (cJSON_IsObject(v)) {
				cast_string_write(b, c->string != NULL ?
				    c->string : "");
				buf_add(b, ": ", 2);
			}
			cast_json_write(c, b);
		}
		buf_addc(b, cJSON_IsArray(v) ? ']' : '}');
	} else
		buf_adds(b, "null");
}

static void
cast_key_write(struct buf *b, const char *key)
{
	buf_add(b, ", \"", 3);
	buf_adds(b, key);
	buf_add(b, "\": ", 3);
}

/* v2 env: the v3 env less any TERM, then TERM from term_type. */
static void
cast_env_v2_write(const struct cast_header *h, struct buf *b)
{
	const cJSON	*c;
	int		 first = 1;

	cast_key_write(b, "env");
	buf_addc(b, '{');
	if (h->env != NULL) {
		cJSON_ArrayForEach(c, h->env) {
			if (c->string == NULL || (h->term_type != NULL &&
			    strcmp(c->string, "TERM") == 0))
				continue;
			if (!first)
				buf_add(b, ", ", 2);
			first = 0;
			cast_string_write(b, c->string);
			buf_add(b, ": ", 2);
			cast_json_write(c, b);
		}
	}
	if (h->term_type != NULL) {
		if (!first)
			buf_add(b, ", ", 2);
		buf_adds(b, "\"TERM\": ");
		cast_string_write(b, h->term_type);
	}
	buf_addc(b, '}');
}

void
cast_header_write(const struct cast_header *h, int version, struct buf *b)
{
	if (version != 2)
		version = 3;
	buf_addf(b, "{\"version\": %d", version);
	if (version == 3) {
		buf_addf(b, ", \"term\": {\"cols\": %d, \"rows\": %d",
		    h->cols, h->rows);
		if (h->term_type != NULL) {
			cast_key_write(b, "type");
			cast_string_write(b, h->term_type);
		}
		if (h->term_version != NULL) {
			cast_key_write(b, "version");
			cast_string_write(b, h->term_version);
		}
		if (h->theme != NULL) {
			cast_key_write(b, "theme");
			cast_json_write(h->theme, b);
		}
		buf_addc(b, '}');
	} else
		buf_addf(b, ", \"width\": %d, \"height\": %d", h->cols,
		    h->rows);
	if (h->timestamp != 0)
		buf_addf(b, ", \"timestamp\": %lld", (long long)h->timestamp);
	if (h->idle_time_limit > 0 && h->idle_time_limit < CAST_TIME_MAX) {
		cast_key_write(b, "idle_time_limit");
		cast_us_write(cast_seconds_us(h->idle_time_limit), b);
	}
	if (h->command != NULL) {
		cast_key_write(b, "command");
		cast_string_write(b, h->command);
	}
	if (h->title != NULL) {
		cast_key_write(b, "title");
		cast_string_write(b, h->title);
	}
	if (version == 2) {
		if (h->term_type != NULL || cJSON_GetArraySize(h->env) > 0)
			cast_env_v2_write(h, b);
		if (h->theme != NULL) {
			cast_key_write(b, "theme");
			cast_json_write(h->theme, b);
		}
	} else {
		if (cJSON_GetArraySize(h->env) > 0) {
			cast_key_write(b, "env");
			cast_json_write(h->env, b);
		}
		if (h->tags != NULL) {
			cast_key_write(b, "tags");
			cast_json_write(h->tags, b);
		}
	}
	buf_add(b, "}\n", 2);
}

/*
 * Reader.
 */

static void
cast_reader_damaged(struct cast_reader *cr, const char *fmt, ...)
    PRINTFLIKE(2, 3);

static void
cast_reader_damaged(struct cast_reader *cr, const char *fmt, ...)
{
	va_list	 ap;

	cr->done = 1;
	if (cr->damage != NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&cr->damage, fmt, ap);
	va_end(ap);
}

static int
cast_json_whole(const char *s, size_t len)
{
	cJSON	*o = cast_json_parse(s, len);

	cJSON_Delete(o);
	return o != NULL;
}

/* Past the closing quote of the JSON string at p (its opening quote), or
 * NULL if it does not end before end. */
static const char *
cast_string_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\' && ++p == end)
			break;
	}
	return NULL;
}

/* Past the JSON value at p: a string; an array or object, to the bracket
 * that closes it (what is inside is checked by whoever reads it); or a
 * number or word. NULL if it does not end before end. */
static const char *
cast_json_skip(const char *p, const char *end)
{
	const char	*start = p;
	size_t		 depth = 0;
	char		 c;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return cast_string_end(p, end);
	if (*p == '[' || *p == '{') {
		while (p < end) {
			if ((c = *p) == '"') {
				if ((p = cast_string_end(p, end)) == NULL)
					return NULL;
				continue;
			}
			p++;
			if (c == '[' || c == '{')
				depth++;
			else if ((c == ']' || c == '}') && --depth == 0)
				return p;
		}
		return NULL;
	}
	while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' &&
	    *p <= 'z') || *p == '-' || *p == '+' || *p == '.' || *p == 'E'))
		p++;
	return p == start ? NULL : p;
}

/* Walk the members of the one object that is s (each value only skipped
 * over) to find the value of "stdout": [*v, *vend), or *v NULL if there
 * is none. 0, or -1 if s is not one object. key is scratch space. */
static int
cast_v1_walk(const char *s, size_t len, const char **v, const char **vend,
    struct buf *key)
{
	const char	*p = s, *end = s + len, *q, *why;
	int		 stdout_key;

	*v = *vend = NULL;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* a UTF-8 BOM, as cJSON skips it */
	if (cast_expect(&p, end, '{') != 0)
		return -1;
	if (p < end && *p == '}')
		return cast_skip_ws(p + 1, end) == end ? 0 : -1;
	for (;;) {
		if (p >= end || *p != '"' ||
		    (q = cast_string_end(p, end)) == NULL ||
		    cast_string_parse(&p, q, key, &why) != 0)
			return -1;
		stdout_key = key->len == 6 && memcmp(key->data, "stdout", 6) == 0;
		if (cast_expect(&p, end, ':') != 0)
			return -1;
		q = p;
		if ((p = cast_json_skip(p, end)) == NULL)
			return -1;
		if (stdout_key && *v == NULL) {
			*v = q;
			*vend = p;
		}
		p = cast_skip_ws(p, end);
		if (p < end && *p == ',') {
			p = cast_skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}')
			return cast_skip_ws(p + 1, end) == end ? 0 : -1;
		return -1;
	}
}

/* Was line 1 of what is not a v1 file meant as a v2 or v3 header? Yes
 * if it is no JSON by itself but looks like one whole object, or event
 * lines follow it. */
static int
cast_header_meant(const char *s, size_t len, size_t flen, int nl)
{
	const char	*p = s + flen, *end = s + len;

	if (!nl || cast_json_whole(s, flen))
		return 0;
	while (p > s && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\r'))
		p--;
	if (p > s && p[-1] == '}')
		return 1;
	p = cast_skip_ws(s + flen, end);
	return p < end && *p == '[';
}

/* Take the whole file as one v1 JSON object, after its first line (flen
 * bytes; none when read afresh). Its header goes through cJSON with the
 * frames left out ("stdout" made []); the frames stay in cr->v1text and
 * are parsed one by one as events are asked for, as v2 and v3 lines are,
 * so that NULs in them are kept and a bad frame ends the file there. */
static int
cast_reader_v1(struct cast_reader *cr, const char *first, size_t flen,
    int nl, char **cause)
{
	struct buf	*b = &cr->v1text, h;
	char		 chunk[65536];
	ssize_t		 n;
	size_t		 off;
	const char	*why = NULL, *v = NULL, *vend = NULL;
	cJSON		*o = NULL;
	int		 rc = -1, joined;

	buf_init(&h);
	buf_reset(b);
	if (cr->ahead) {
		/* Line 1 and what follows it were read ahead: take them
		 * over, the newline cast_getline made a NUL put back. */
		off = (size_t)(first - cr->pend.data);
		joined = off + flen == cr->pend.len;
		if (nl && !joined)
			cr->pend.data[off + flen] = '\n';
		buf_free(b);
		*b = cr->pend;
		buf_init(&cr->pend);
		cr->pendpos = 0;
		buf_consume(b, off);
		if (nl && joined)
			buf_addc(b, '\n');
	} else {
		buf_add(b, first, flen);
		if (nl)
			buf_addc(b, '\n');
	}
	while ((n = zio_read(cr->zr, chunk, sizeof chunk)) > 0) {
		if (b->len + (size_t)n > CAST_V1_MAX) {
			why = "a v1 file larger than 256 MiB";
			goto out;
		}
		buf_add(b, chunk, (size_t)n);
	}
	if (n < 0) {
		*cause = xstrdup(zio_reader_error(cr->zr));
		goto out;
	}
	if (cast_v1_walk(b->data, b->len, &v, &vend, &cr->scratch) == 0) {
		if (v != NULL) {
			buf_add(&h, b->data, (size_t)(v - b->data));
			buf_add(&h, "[]", 2);
			buf_add(&h, vend, (size_t)(b->data + b->len - vend));
			o = cast_json_parse(h.data, h.len);
		} else
			o = cast_json_parse(b->data, b->len);
	}
	if (!cJSON_IsObject(o) || cast_json_version(o) != 1) {
		if (cast_header_meant(b->data, b->len, flen, nl))
			why = "the header is not JSON";
		else if (zio_truncated(cr->zr))
			why = "not an asciicast file (and it was cut short)";
		else
			why = "not an asciicast file";
		goto out;
	}
	if (cast_header_from(o, 1, &cr->hdr, &why) != 0)
		goto out;
	if (v == NULL || *v != '[' || vend[-1] != ']') {
		why = "a v1 file without \"stdout\" frames";
		goto out;
	}
	cr->v1next = (size_t)(v + 1 - b->data);
	cr->v1end = (size_t)(vend - 1 - b->data);
	cr->v1 = 1;
	rc = 0;
out:
	if (why != NULL)
		xasprintf(cause, "%s: %s", cr->path, why);
	if (rc != 0)
		buf_free(b);
	cJSON_Delete(o);
	buf_free(&h);
	return rc;
}

/* Could line 1 be the start of a v1 file? */
static int
cast_maybe_v1(const char *line, size_t len)
{
	const char	*p = line;
	cJSON		*o;
	int		 v1;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* a UTF-8 BOM, as cJSON skips it */
	p = cast_skip_ws(p, line + len);
	if (p == line + len || *p != '{')
		return 0;
	if ((o = cast_json_parse(line, len)) == NULL)
		return 1;		/* an object spread over lines */
	v1 = cJSON_IsObject(o) && cast_json_version(o) == 1;
	cJSON_Delete(o);
	return v1;
}

static int
cast_blank(const char *line, size_t len)
{
	return cast_skip_ws(line, line + len) == line + len;
}

/* Line 1 could not be read (a v1 file on one line may be longer than
 * zio_getline takes): read a regular file afresh as a whole v1 file.
 * Not standard input or a FIFO, which cannot be read again. 0, or -1
 * with *why set to the first error. */
static int
cast_reader_again(struct cast_reader *cr, const char *path, char **why)
{
	char		*first, *again = NULL;

	first = xstrdup(zio_reader_error(cr->zr));
	if (strcmp(path, "-") != 0 && zio_reader_regular(cr->zr)) {
		zio_reader_free(cr->zr);
		if ((cr->zr = zio_reader_open(path, &again)) != NULL &&
		    cast_reader_v1(cr, "", 0, 0, &again) == 0) {
			free(first);
			return 0;
		}
		free(again);
		cast_header_free(&cr->hdr);
	}
	*why = first;
	return -1;
}

/* Standard input or a FIFO cannot be read again as cast_reader_again
 * reads a file whose line 1 is longer than zio_getline takes (a v1 file
 * on one line): its start is read ahead instead, to the end of its first
 * line that is not blank or as far as a v1 file may go, and cast_getline
 * takes lines from that first. An error is left to zio_getline to say. */
static void
cast_reader_ahead(struct cast_reader *cr)
{
	struct buf	*b = &cr->pend;
	char		 chunk[65536];
	const char	*nl;
	size_t		 line = 0, look = 0;	/* a line's start; seen */
	ssize_t		 n;

	for (;;) {
		while (look < b->len && (nl = memchr(b->data + look, '\n',
		    b->len - look)) != NULL) {
			if (!cast_blank(b->data + line,
			    (size_t)(nl - b->data) - line))
				return;
			line = look = (size_t)(nl - b->data) + 1;
		}
		look = b->len;
		if (b->len > CAST_V1_MAX)
			return;
		if ((n = zio_read(cr->zr, chunk, sizeof chunk)) <= 0)
			return;
		buf_add(b, chunk, (size_t)n);
	}
}

/* The next line, as zio_getline gives it: from what was read ahead, then
 * from the stream (a line begun ahead ends there). */
static int
cast_getline(struct cast_reader *cr, char **line, size_t *len, int *nl)
{
	struct buf	*b = &cr->pend;
	char		*start, *p, *more;
	size_t		 mlen;
	int		 rc;

	cr->ahead = 0;
	if (cr->pendpos == b->len) {
		if (b->data != NULL) {
			buf_free(b);
			cr->pendpos = 0;
		}
		return zio_getline(cr->zr, line, len, nl);
	}
	start = b->data + cr->pendpos;
	if ((p = memchr(start, '\n', b->len - cr->pendpos)) != NULL) {
		*p = '\0';
		*line = start;
		*len = (size_t)(p - start);
		*nl = 1;
		cr->pendpos = (size_t)(p - b->data) + 1;
		cr->ahead = 1;
		return 1;
	}
	if ((rc = zio_getline(cr->zr, &more, &mlen, nl)) < 0)
		return -1;
	buf_consume(b, cr->pendpos);
	if (rc == 1)
		buf_add(b, more, mlen);
	else
		*nl = 0;
	*line = b->data;
	*len = b->len;
	cr->pendpos = b->len;
	cr->ahead = 1;
	return 1;
}

/* Read the header (or a whole v1 file). 0, or -1 with *why. */
static int
cast_reader_start(struct cast_reader *cr, const char *path, char **why)
{
	char		*line;
	size_t		 len;
	int		 nl, rc;

	if (strcmp(path, "-") == 0 || !zio_reader_regular(cr->zr))
		cast_reader_ahead(cr);
	do {
		rc = cast_getline(cr, &line, &len, &nl);
		cr->lineno++;
	} while (rc == 1 && cast_blank(line, len));
	if (rc < 0)
		return cast_reader_again(cr, path, why);
	if (rc == 0) {
		xasprintf(why, "%s: empty%s", cr->path, zio_truncated(cr->zr) ?
		    " (the recording was cut short)" : "");
		return -1;
	}
	if (!nl && !cast_json_whole(line, len) && line[0] == '{') {
		xasprintf(why, "%s: cut short inside the header", cr->path);
		return -1;
	}
	if (cast_maybe_v1(line, len))
		return cast_reader_v1(cr, line, len, nl, why);
	if (cast_header_parse(line, len, &cr->hdr, why) != 0) {
		line = *why;
		xasprintf(why, "%s: %s", cr->path, line);
		free(line);
		return -1;
	}
	return 0;
}

struct cast_reader *
cast_reader_open(const char *path, char **cause)
{
	struct cast_reader	*cr;

	cr = xcalloc(1, sizeof *cr);
	cast_header_init(&cr->hdr);
	buf_init(&cr->scratch);
	buf_init(&cr->v1text);
	buf_init(&cr->pend);
	cr->path = xstrdup(strcmp(path, "-") == 0 ? "standard input" : path);
	if ((cr->zr = zio_reader_open(path, cause)) == NULL ||
	    cast_reader_start(cr, path, cause) != 0) {
		cast_reader_free(cr);
		return NULL;
	}
	return cr;
}

const struct cast_header *
cast_reader_header(struct cast_reader *cr)
{
	return &cr->hdr;
}

/* The next frame of a v1 file: [delay, data], more elements ignored. */
static int
cast_reader_next_v1(struct cast_reader *cr, struct cast_event *ev)
{
	const char	*base = cr->v1text.data, *p, *q, *end, *why;
	size_t		 frame = cr->events + 1;
	int64_t		 t;

	p = cast_skip_ws(base + cr->v1next, end = base + cr->v1end);
	if (p == end) {
		cr->done = 1;
		return 0;
	}
	if (cr->events > 0 && cast_expect(&p, end, ',') != 0)
		goto bad;
	if (cast_expect(&p, end, '[') != 0)
		goto bad;
	if (cast_number_parse(&p, end, &t, &why) != 0) {
		if (p < end && *p != '"' && *p != '[' && *p != '{')
			cast_reader_damaged(cr, "frame %zu: bad delay", frame);
		else
			cast_reader_damaged(cr, "frame %zu: not [delay, data]",
			    frame);
		return 0;
	}
	if (cast_expect(&p, end, ',') != 0 || p >= end || *p != '"' ||
	    (q = cast_string_end(p, end)) == NULL ||
	    cast_string_parse(&p, q, &cr->scratch, &why) != 0)
		goto bad;
	p = cast_skip_ws(p, end);
	while (p < end && *p == ',') {
		if ((p = cast_json_skip(cast_skip_ws(p + 1, end), end)) == NULL)
			goto bad;
		p = cast_skip_ws(p, end);
	}
	if (cast_expect(&p, end, ']') != 0)
		goto bad;
	if (t > INT64_MAX - cr->clock) {
		cast_reader_damaged(cr, "frame %zu: time out of range", frame);
		return 0;
	}
	cr->v1next = (size_t)(p - base);
	cr->clock += t;
	ev->time = cr->clock;
	ev->code = 'o';
	ev->data = cr->scratch.data;
	ev->len = cr->scratch.len;
	cr->events++;
	return 1;
bad:
	cast_reader_damaged(cr, "frame %zu: not [delay, data]", frame);
	return 0;
}

/* The reader's error without the file's name it starts with: a damage
 * note is said after the session's name already. */
static const char *
cast_reader_why(struct cast_reader *cr)
{
	const char	*e = zio_reader_error(cr->zr);
	size_t		 n = strlen(cr->path);

	if (strncmp(e, cr->path, n) == 0 && strncmp(e + n, ": ", 2) == 0)
		return e + n + 2;
	return e;
}

int
cast_reader_next(struct cast_reader *cr, struct cast_event *ev)
{
	char	*line, *why = NULL;
	size_t	 len;
	int	 nl, rc;

	if (cr->done)
		return 0;
	if (cr->v1)
		return cast_reader_next_v1(cr, ev);
	for (;;) {
		rc = cast_getline(cr, &line, &len, &nl);
		if (rc < 0) {
			cast_reader_damaged(cr, "line %zu: %s", cr->lineno + 1,
			    cast_reader_why(cr));
			return 0;
		}
		if (rc == 0) {
			if (zio_truncated(cr->zr)) {
				cast_reader_damaged(cr, "cut short after %zu "
				    "event%s (the recording was not closed "
				    "cleanly)", cr->events,
				    cr->events == 1 ? "" : "s");
			} else if (cr->torn) {
				cast_reader_damaged(cr, "cut short after %zu "
				    "event%s (the last line is incomplete)",
				    cr->events, cr->events == 1 ? "" : "s");
			}
			cr->done = 1;
			return 0;
		}
		cr->lineno++;
		if (cast_blank(line, len) ||
		    (cr->hdr.version == 3 && line[0] == '#'))
			continue;
		if (cast_event_parse(line, len, cr->hdr.version, &cr->clock,
		    ev, &cr->scratch, &why) == 0) {
			cr->events++;
			return 1;
		}
		if (!nl) {
			/* A torn last line: drop it, see how the file ends
			 * (a zstd frame left open says more than this). */
			free(why);
			why = NULL;
			cr->torn = 1;
			continue;
		}
		cast_reader_damaged(cr, "line %zu: %s", cr->lineno, why);
		free(why);
		return 0;
	}
}

const char *
cast_reader_damage(struct cast_reader *cr)
{
	return cr->damage;
}

void
cast_reader_free(struct cast_reader *cr)
{
	if (cr == NULL)
		return;
	zio_reader_free(cr->zr);
	cast_header_free(&cr->hdr);
	buf_free(&cr->scratch);
	buf_free(&cr->v1text);
	buf_free(&cr->pend);
	free(cr->damage);
	free(cr->path);
	free(cr);
}

int
cast_event_exit_status(const struct cast_event *ev)
{
	char	*end;
	long	 st;

	if (ev->code != 'x')
		return -1;
	st = strtol(ev->data, &end, 10);
	if (end == ev->data || *end != '\0' || st < 0 || st > 255)
		return -1;
	return (int)st;
}
