/* castwrite.c: a test helper built on zio and cast alone, for checking
 * them against the real zstd CLI.
 *   castwrite FILE N [open]   write a v3 .cast.zst of N events the way the
 *                             recorder does (header, events, a flush every
 *                             few events, the frame ended unless "open")
 *   castwrite -r FILE         read any asciicast file; print "version V",
 *                             "events N", and "damage: ..." if damaged */
#include "../../src/util.c"
#include "../../src/zio.c"
#include "../../src/cast.c"

static const char *samples[] = {
	"$ ls -la\r\n",
	"\x1b[1;32mok\x1b[0m \xe2\x94\x80\xe2\x94\x80 done\r\n",
	"quote \" backslash \\ tab \t bell \a del \x7f",
	"emoji \xf0\x9f\x98\x80 and a cut \xe2\x82",
	"\xac invalid \xff\xfe bytes \xed\xa0\x80",
	"\x1b[2J\x1b[H\x1b[?1049h",
	"",
};

static int
write_cast(const char *path, int n, int end)
{
	struct zio_writer	*zw;
	struct cast_header	 h;
	struct cast_clock	 clock = { 0 };
	struct buf		 line, esc;
	const char		*s;
	size_t			 used, carry = 0;
	char			 tmp[256];
	int			 fd, i;

	fd = open(path, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	if ((zw = zio_writer_new(fd, 3)) == NULL)
		return 1;
	buf_init(&line);
	buf_init(&esc);
	cast_header_init(&h);
	h.cols = 80;
	h.rows = 24;
	h.term_type = xstrdup("xterm-256color");
	h.timestamp = 1700000000;
	h.command = xstrdup("castwrite");
	cast_header_write(&h, 3, &line);
	cast_header_free(&h);
	if (zio_write(zw, line.data, line.len) != 0 || zio_flush(zw) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		/* Carry an incomplete character into the next event, as
		 * the recorder does. */
		s = samples[i % (sizeof samples / sizeof samples[0])];
		snprintf(tmp + carry, sizeof tmp - carry, "%d: %s", i, s);
		buf_reset(&esc);
		used = cast_escape(&esc, tmp, strlen(tmp), 0);
		carry = strlen(tmp) - used;
		buf_reset(&line);
		cast_event_write_v3(&clock, (int64_t)i * 33333, 'o', esc.data,
		    esc.len, 1, &line);
		memmove(tmp, tmp + used, carry);
		if (zio_write(zw, line.data, line.len) != 0)
			goto fail;
		if (i % 10 == 9 && zio_flush(zw) != 0)
			goto fail;
	}
	buf_reset(&line);
	cast_event_write_v3(&clock, (int64_t)n * 33333, 'x', "0", 1, 0, &line);
	if (zio_write(zw, line.data, line.len) != 0)
		goto fail;
	if (end ? zio_end(zw) : zio_flush(zw))
		goto fail;
	zio_writer_free(zw);
	buf_free(&line);
	buf_free(&esc);
	return close(fd) == 0 ? 0 : 1;
fail:
	fprintf(stderr, "%s: %s\n", path, strerror(zio_error(zw)));
	return 1;
}

static int
read_cast(const char *path)
{
	struct cast_reader	*cr;
	struct cast_event	 ev;
	char			*cause = NULL;
	size_t			 n = 0;

	if ((cr = cast_reader_open(path, &cause)) == NULL) {
		printf("error: %s\n", cause);
		free(cause);
		return 1;
	}
	while (cast_reader_next(cr, &ev) == 1)
		n++;
	printf("version %d\n", cast_reader_header(cr)->version);
	printf("events %zu\n", n);
	if (cast_reader_damage(cr) != NULL)
		printf("damage: %s\n", cast_reader_damage(cr));
	cast_reader_free(cr);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "-r") == 0)
		return read_cast(argv[2]);
	if (argc == 3 || (argc == 4 && strcmp(argv[3], "open") == 0))
		return write_cast(argv[1], atoi(argv[2]), argc == 3);
	fprintf(stderr, "usage: castwrite FILE N [open] | castwrite -r FILE\n");
	return 2;
}
