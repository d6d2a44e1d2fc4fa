/* fuzz-render.c: the libtsm render feed on any output bytes, with a
 * resize, then the text and ANSI views; and snapshots: a terminal
 * restored from a snapshot (also through its cache-file bytes) and fed
 * the rest must equal one fed everything. libtsm 4.0.2 has known
 * out-of-bounds reads (see README): this target is how they are found. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Restore the snapshot of a (directly and through saved bytes), feed
 * both the rest, and compare with a fed the rest. */
static void
fuzz_snapshot(struct render *a, const char *rest, size_t n)
{
	struct render_snap	*snap, *loaded;
	struct render		*b, *c;
	struct buf		 da, db, saved;
	const char		*p;
	size_t			 left;

	if ((snap = render_snap_take(a)) == NULL)
		return;
	buf_init(&saved);
	render_snap_save(snap, &saved);
	p = saved.data;
	left = saved.len;
	loaded = render_snap_load(&p, &left);
	b = render_snap_restore(snap);
	c = loaded != NULL ? render_snap_restore(loaded) : NULL;
	render_snap_free(snap);
	render_snap_free(loaded);
	buf_free(&saved);
	if (b == NULL)
		abort();	/* a snapshot that cannot be restored */
	render_feed(a, rest, n);
	render_feed(b, rest, n);
	buf_init(&da);
	buf_init(&db);
	render_dump(a, &da);
	render_dump(b, &db);
	if (da.len != db.len || memcmp(da.data, db.data, da.len) != 0)
		abort();	/* the restored terminal differs */
	if (c != NULL) {
		render_feed(c, rest, n);
		buf_reset(&db);
		render_dump(c, &db);
		if (da.len != db.len || memcmp(da.data, db.data, da.len) != 0)
			abort();
		render_free(c);
	}
	buf_free(&da);
	buf_free(&db);
	render_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct render	*r;
	struct buf	 b;
	size_t		 third = n / 3;

	if (n < 3 || (r = render_new(2 + data[0] % 120, 2 + data[1] % 50))
	    == NULL)
		return 0;
	render_feed(r, (const char *)data + 2, third > 2 ? third - 2 : 0);
	render_resize(r, 1 + data[0] % 60, 1 + data[1] % 30);
	render_feed(r, (const char *)data + third, third);
	fuzz_snapshot(r, (const char *)data + 2 * third, n - 2 * third);
	buf_init(&b);
	render_text(r, &b);
	buf_reset(&b);
	render_ansi(r, 40, 20, &b);
	buf_free(&b);
	render_free(r);
	return 0;
}
