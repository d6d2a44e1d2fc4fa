/* render.h: a virtual terminal (libtsm) fed with recorded output; gives
 * the screen as plain text or as ANSI to repaint a real terminal. The
 * only module that includes <libtsm.h>. */
#ifndef AGENTRUN_RENDER_H
#define AGENTRUN_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct render;

struct render *render_new(int cols, int rows);	/* NULL on failure */
void	 render_free(struct render *);
/* Feed output bytes (escape sequences may span calls). Replies the
 * terminal would send (DSR, DA) are discarded. */
void	 render_feed(struct render *, const char *, size_t);
int	 render_resize(struct render *, int cols, int rows);
void	 render_size(struct render *, int *cols, int *rows);
void	 render_cursor(struct render *, int *x, int *y);
/* The screen as UTF-8 text: one line per row, trailing spaces trimmed,
 * trailing empty rows dropped, each line ending in '\n'; wide characters
 * once. */
void	 render_text(struct render *, struct buf *);
/* Repaint of max_cols x max_rows of the screen, from its left edge and
 * its top, or lower down to keep the cursor's row in view: each row with
 * SGR colours/attributes, clear to end of line, then the cursor placed
 * and shown/hidden. Never contains a query. */
void	 render_ansi(struct render *, int max_cols, int max_rows,
	     struct buf *);
/* The same, drawing only the rows that differ from the last call with
 * this frame (all of them after render_frame_reset, or when the area
 * changed). Cursor placement and visibility are always written. */
struct render_frame;
struct render_frame *render_frame_new(void);
void	 render_frame_reset(struct render_frame *);
void	 render_frame_free(struct render_frame *);
void	 render_ansi_frame(struct render *, struct render_frame *,
	     int max_cols, int max_rows, struct buf *);
int	 render_cursor_visible(struct render *);
int	 render_alt(struct render *);	/* the alternate screen is shown */

/* Snapshots: the whole state of the terminal, to rebuild it exactly
 * without feeding everything again. NULL where that is not possible (in
 * the middle of an escape sequence, or after changed tab stops or
 * DECSCL); take one again a little later. */
struct render_snap;
struct render_snap *render_snap_take(struct render *);
struct render *render_snap_restore(const struct render_snap *);
size_t	 render_snap_size(const struct render_snap *);	/* bytes held */
void	 render_snap_free(struct render_snap *);
/* Snapshots as bytes for a cache file, read back only by the same build:
 * the layout stamp goes in the file's header. load advances *p and
 * *left past one snapshot, or returns NULL for bytes it refuses. */
uint32_t render_snap_layout(void);
void	 render_snap_save(const struct render_snap *, struct buf *);
struct render_snap *render_snap_load(const char **p, size_t *left);

/* Every cell with its attributes on both screens, the cursor and the
 * modes: for tests that compare two terminals. */
void	 render_dump(struct render *, struct buf *);

#endif
