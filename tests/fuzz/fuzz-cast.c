/* fuzz-cast.c: asciicast decoding of any bytes: header, v2/v3 event lines,
 * and whole files (v1, v2, v3; plain) through the reader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cast.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_lines(const char *p, size_t n)
{
	struct cast_header	 h;
	struct cast_event	 ev;
	struct buf		 scratch;
	const char		*nl;
	char			*cause = NULL;
	int64_t			 clock = 0;

	cast_header_init(&h);
	buf_init(&scratch);
	nl = memchr(p, '\n', n);
	if (cast_header_parse(p, nl != NULL ? (size_t)(nl - p) : n, &h,
	    &cause) != 0) {
		free(cause);
		cause = NULL;
	}
	while (nl != NULL) {
		const char *s = nl + 1, *e;

		n -= (size_t)(s - p);
		p = s;
		e = memchr(p, '\n', n);
		if (cast_event_parse(p, e != NULL ? (size_t)(e - p) : n,
		    h.version == 2 ? 2 : 3, &clock, &ev, &scratch, &cause) != 0) {
			free(cause);
			cause = NULL;
		}
		nl = e;
	}
	buf_free(&scratch);
	cast_header_free(&h);
}

static void
fuzz_reader(const uint8_t *data, size_t n)
{
	char			 path[] = "/tmp/fuzz-cast.XXXXXX";
	struct cast_reader	*r;
	struct cast_event	 ev;
	char			*cause = NULL;
	int			 fd, i = 0;

	if ((fd = mkstemp(path)) < 0)
		return;
	if (write_all(fd, data, n) == 0 &&
	    (r = cast_reader_open(path, &cause)) != NULL) {
		while (cast_reader_next(r, &ev) == 1 && i++ < 100000)
			;
		(void)cast_reader_damage(r);
		cast_reader_free(r);
	}
	free(cause);
	close(fd);
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct buf	 b;

	fuzz_lines((const char *)data, n);
	buf_init(&b);
	(void)cast_escape(&b, (const char *)data, n, 0);
	buf_reset(&b);
	(void)cast_escape(&b, (const char *)data, n, 1);
	buf_free(&b);
	fuzz_reader(data, n);
	return 0;
}
