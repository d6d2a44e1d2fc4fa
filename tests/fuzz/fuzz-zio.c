/* fuzz-zio.c: the transcript reader on any bytes (zstd frames cut or
 * corrupt, plain text), line by line as the cast reader uses it. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"
#include "zio.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char			 path[] = "/tmp/fuzz-zio.XXXXXX";
	struct zio_reader	*r;
	char			*cause = NULL, *line;
	size_t			 len;
	int			 fd, nl, i = 0;

	if ((fd = mkstemp(path)) < 0)
		return 0;
	if (write_all(fd, data, n) == 0 &&
	    (r = zio_reader_open(path, &cause)) != NULL) {
		while (zio_getline(r, &line, &len, &nl) == 1 && i++ < 1000000)
			;
		(void)zio_truncated(r);
		(void)zio_reader_error(r);
		zio_reader_free(r);
	}
	free(cause);
	close(fd);
	unlink(path);
	return 0;
}
