/* recorder.h: turns what the proxy sees into an asciicast v3 stream
 * (clock, UTF-8 carry, redaction, flush policy) and keeps the sidecar.
 * A failure to write never ends the session: it is remembered and
 * reported once at the end. */
#ifndef AGENTRUN_RECORDER_H
#define AGENTRUN_RECORDER_H

#include <stddef.h>

struct session;

struct recorder_secret {
	const char	*name;
	const char	*value;
};

struct recorder_opts {
	int				 record_input;
	const struct recorder_secret	*secrets;	/* n_secrets entries */
	size_t				 n_secrets;
	const char			*term_type;
	int				 level;		/* zstd level, 0 default */
};

/* Create ID.cast.zst and write the header and the sidecar (state
 * running). s must have id, start, cols, rows, and whatever provenance
 * is known; the recorder keeps a pointer to it. NULL and *cause if the
 * files cannot be created. */
struct recorder *recorder_new(struct session *, const struct recorder_opts *,
	    char **cause);
/* A copy of s with each of the n secret values replaced by
 * [redacted:NAME], as in the transcript. */
void	 recorder_secrets_order(struct recorder_secret *, size_t);
char	*recorder_redact_string(const struct recorder_secret *, size_t,
	    const char *);
void	 recorder_output_cb(void *, const char *, size_t);
void	 recorder_input_cb(void *, const char *, size_t);
void	 recorder_resize_cb(void *, int, int);
void	 recorder_tick_cb(void *);
/* Write the exit event, end the stream, update the sidecar (state
 * finished, end, status, bytes). After a write error the transcript is
 * cut back to its last flush first (whole events, and room for the
 * sidecar on a full disk). Returns 0, or -1 with *cause if the recording
 * failed at any point (the message says what was kept, and whether the
 * sidecar could be written). */
int	 recorder_finish(struct recorder *, int status, char **cause);
/* The session's end is now (the command ended): recorder_finish, called
 * later (after git), dates the exit event and the sidecar's end so. */
void	 recorder_stop_clock(struct recorder *);
void	 recorder_free(struct recorder *);

#endif
