/* fuzz-render.c: the libtsm render feed on any output bytes, with
 * resizes, then the text and ANSI views. libtsm 4.0.2 has known
 * out-of-bounds reads (see README): this target is how they are found. */
#include <stdint.h>
#include <stdlib.h>

#include "render.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct render	*r;
	struct buf	 b;
	size_t		 half = n / 2;

	if (n < 2 || (r = render_new(2 + data[0] % 120, 2 + data[1] % 50))
	    == NULL)
		return 0;
	render_feed(r, (const char *)data + 2, half > 2 ? half - 2 : 0);
	render_resize(r, 1 + data[0] % 60, 1 + data[1] % 30);
	render_feed(r, (const char *)data + half, n - half);
	buf_init(&b);
	render_text(r, &b);
	buf_reset(&b);
	render_ansi(r, 40, 20, &b);
	buf_free(&b);
	render_free(r);
	return 0;
}
