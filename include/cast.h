/* cast.h: asciicast v1/v2/v3 encode and decode (pure: no I/O except the
 * reader, which sits on a zio_reader). Times are int64 microseconds. */
#ifndef AGENTRUN_CAST_H
#define AGENTRUN_CAST_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct cJSON;

/* Make the strings of a JSON item and its children valid UTF-8 (its
 * siblings too: pass an object or array, or its first child). */
void	 cast_json_utf8(struct cJSON *);

struct cast_header {
	int		 version;	/* 1, 2 or 3 */
	int		 cols;
	int		 rows;
	char		*term_type;	/* NULL if unknown */
	char		*term_version;	/* v3 term.version, or NULL */
	int64_t		 timestamp;	/* unix seconds, 0 if unknown */
	double		 idle_time_limit; /* 0 if none */
	char		*command;	/* NULL if none */
	char		*title;		/* NULL if none */
	struct cJSON	*env;		/* object or NULL (v3 env; v2 env less TERM) */
	struct cJSON	*theme;		/* object or NULL */
	struct cJSON	*tags;		/* array or NULL */
};

void	 cast_header_init(struct cast_header *);
void	 cast_header_free(struct cast_header *);
/* Parse a v2 or v3 header line. 0, or -1 with *cause. */
int	 cast_header_parse(const char *, size_t, struct cast_header *,
	     char **cause);
/* Append the header as one line ending in '\n'; version 2 or 3. */
void	 cast_header_write(const struct cast_header *, int version,
	     struct buf *);

struct cast_event {
	int64_t	 time;		/* absolute, since the start */
	char	 code;		/* 'o', 'i', 'r', 'm', 'x', or other */
	char	*data;		/* decoded UTF-8, NUL-terminated */
	size_t	 len;
};
/* The exit status an "x" event gives (0 to 255), or -1. */
int	 cast_event_exit_status(const struct cast_event *);

/* Append s (len bytes) as the body of a JSON string (no quotes): valid
 * UTF-8 is copied, control characters escaped, invalid bytes become
 * U+FFFD. If final is 0, an incomplete UTF-8 sequence at the very end is
 * left out; the return value is the number of input bytes consumed. */
size_t	 cast_escape(struct buf *, const char *s, size_t len, int final);

/* v3 writer clock: intervals printed in milliseconds with error diffusion
 * (each interval is rounded so that the sum tracks the real time). */
struct cast_clock {
	int64_t	 written_ms;	/* sum of the intervals written */
};
/* Append one v3 event line. data must already be valid UTF-8 (or use
 * cast_escape first and pass escaped = 1). */
void	 cast_event_write_v3(struct cast_clock *, int64_t t, char code,
	     const char *data, size_t len, int escaped, struct buf *);
/* The same in parts, for data escaped straight into the line: the
 * interval, the code and the opening quote; then the data (cast_escape);
 * then cast_event_close for the closing quote, bracket and newline. */
void	 cast_event_open_v3(struct cast_clock *, int64_t t, char code,
	     struct buf *);
void	 cast_event_close(struct buf *);
/* Append one v2 event line (absolute time, microseconds precision). */
void	 cast_event_write_v2(int64_t t, char code, const char *data,
	     size_t len, int escaped, struct buf *);
/* The most escaped data a writer of whole files (import, export) puts
 * in one event line, as the recorder's MERGE_MAX: data longer escaped
 * is cut into several events (up to one CAST_CHUNK of input past it).
 * The single-line writers above take any length, and a reader refuses a
 * line longer than 64 MiB (zio.c), so that a re-escaped event that grew
 * past it (a DEL is 6 bytes escaped) would make a file nobody reads. */
#define CAST_EVENT_MAX	(32 * 1024)
/* Append data (any bytes: made valid UTF-8 and escaped here) as one v3
 * (version 3, with clock) or v2 (version 2, absolute times, clock NULL)
 * event, or several of the same time cut at character boundaries (v3:
 * the later ones with interval 0) when it is longer than CAST_EVENT_MAX
 * escaped: output and input only (a marker stays one). */
void	 cast_event_write_split(struct cast_clock *, int version, int64_t t,
	     char code, const char *data, size_t len, struct buf *);
/* Format t (us) as decimal seconds: v3 "%.3f" style or v2 trimmed. */
void	 cast_time_write(int64_t t, int ms, struct buf *);

/* Parse one event line of a v2 or v3 stream. *clock holds the absolute
 * time of the previous event and is advanced. ev->data points into
 * scratch. 0, or -1 with *cause (a short description). */
int	 cast_event_parse(const char *, size_t, int version, int64_t *clock,
	     struct cast_event *, struct buf *scratch, char **cause);

/* Reads any asciicast file (v1, v2, v3; plain or zstd; cut or damaged).
 * Events come with absolute times; v1 frames become 'o' events. */
struct cast_reader;
struct cast_reader *cast_reader_open(const char *path, char **cause);
const struct cast_header *cast_reader_header(struct cast_reader *);
/* 1 an event (valid until the next call), 0 at the end. Damage ends the
 * stream early: cast_reader_damage then says what happened. */
int	 cast_reader_next(struct cast_reader *, struct cast_event *);
/* NULL, or a one-line description: "cut short after N events (the
 * recording was not closed cleanly)" for a cut stream (callers may treat
 * that prefix as a warning), "line N: <what>" for damage. */
const char *cast_reader_damage(struct cast_reader *);
void	 cast_reader_free(struct cast_reader *);

#endif
