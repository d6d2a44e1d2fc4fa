/* test-zio.c: the zstd writer and reader: round trips, the adaptive level,
 * stored raw blocks, flushes seen by a live reader, streams cut at every byte, plain input, concatenated and
 * skippable frames, trailing garbage, long lines and write errors. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"
#include "zio.h"

struct fixture {
	char	 dir[64];
	char	 path[128];
	char	 cut[128];
};

struct decoded {
	struct buf	 data;
	int		 truncated;
	int		 compressed;
	int		 rc;		/* last zio_read result */
	char		*error;
};

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
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof *f);

	snprintf(f->dir, sizeof f->dir, "/tmp/test-zio.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/a.zst", f->dir);
	snprintf(f->cut, sizeof f->cut, "%s/cut.zst", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	unlink(f->path);
	unlink(f->cut);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int
create(const char *path)
{
	int	 fd;

	fd = open(path, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	return fd;
}

static void
put_file(const char *path, const void *p, size_t n)
{
	int	 fd = create(path);

	assert_int_equal(write_all(fd, p, n), 0);
	assert_int_equal(close(fd), 0);
}

static char *
get_file(const char *path, size_t *n)
{
	char	*cause = NULL, *p;

	p = read_file(path, n, SIZE_MAX, &cause);
	assert_non_null(p);
	return p;
}

/* Decode a whole file with zio_read in odd-sized pieces. */
static void
decode(const char *path, struct decoded *d)
{
	struct zio_reader	*zr;
	char			*cause = NULL, chunk[7777];
	ssize_t			 n;
	size_t			 want;

	memset(d, 0, sizeof *d);
	buf_init(&d->data);
	zr = zio_reader_open(path, &cause);
	assert_non_null(zr);
	for (;;) {
		want = 1 + rng() % sizeof chunk;
		n = zio_read(zr, chunk, want);
		if (n <= 0)
			break;
		assert_true((size_t)n <= want);
		buf_add(&d->data, chunk, (size_t)n);
	}
	d->rc = (int)n;
	d->truncated = zio_truncated(zr);
	d->compressed = zio_compressed(zr);
	if (zio_reader_error(zr) != NULL)
		d->error = xstrdup(zio_reader_error(zr));
	zio_reader_free(zr);
}

static void
decoded_free(struct decoded *d)
{
	buf_free(&d->data);
	free(d->error);
}

/* Compress p into path, in chunks of random size, flushing now and then. */
static void
compress_file(const char *path, const char *p, size_t n, int level,
    size_t maxchunk, int flushes)
{
	struct zio_writer	*zw;
	size_t			 off = 0, k;
	int			 fd = create(path);

	zw = zio_writer_new(fd, level);
	assert_non_null(zw);
	while (off < n) {
		k = 1 + rng() % maxchunk;
		if (k > n - off)
			k = n - off;
		assert_int_equal(zio_write(zw, p + off, k), 0);
		off += k;
		if (flushes && rng() % 8 == 0)
			assert_int_equal(zio_flush(zw), 0);
	}
	assert_int_equal(zio_end(zw), 0);
	assert_int_equal(zio_bytes_in(zw), n);
	zio_writer_free(zw);
	assert_int_equal(close(fd), 0);
}

static char *
make_text(size_t n)
{
	static const char *words[] = { "the ", "agent ", "runs ", "\x1b[1;32m",
	    "make ", "test\r\n", "\xe2\x94\x80", "ok ", "\xf0\x9f\x98\x80",
	    "\x1b[0m", "\n" };
	char	*p = xmalloc(n);
	size_t	 off = 0, k;
	const char *w;

	while (off < n) {
		w = words[rng() % (sizeof words / sizeof words[0])];
		k = strlen(w);
		if (k > n - off)
			k = n - off;
		memcpy(p + off, w, k);
		off += k;
	}
	return p;
}

static void
test_roundtrip_small(void **state)
{
	struct fixture		*f = *state;
	struct zio_writer	*zw;
	struct zio_reader	*zr;
	struct decoded		 d;
	char			*cause = NULL, *line;
	size_t			 len;
	int			 fd, nl;

	fd = create(f->path);
	zw = zio_writer_new(fd, 3);
	assert_non_null(zw);
	assert_int_equal(zio_write(zw, "hello\n", 6), 0);
	assert_int_equal(zio_write(zw, "", 0), 0);
	assert_int_equal(zio_pending(zw), 6);
	assert_int_equal(zio_write(zw, "\nworld", 6), 0);
	assert_int_equal(zio_pending(zw), 12);
	assert_int_equal(zio_flush(zw), 0);
	assert_int_equal(zio_pending(zw), 0);
	assert_int_equal(zio_end(zw), 0);
	assert_int_equal(zio_bytes_in(zw), 12);
	assert_true(zio_bytes_out(zw) > 0);
	assert_int_equal(zio_error(zw), 0);
	zio_writer_free(zw);
	close(fd);

	decode(f->path, &d);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.data.len, 12);
	assert_memory_equal(d.data.data, "hello\n\nworld", 12);
	assert_int_equal(d.truncated, 0);
	assert_int_equal(d.compressed, 1);
	assert_null(d.error);
	decoded_free(&d);

	zr = zio_reader_open(f->path, &cause);
	assert_non_null(zr);
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 1);
	assert_string_equal(line, "hello");
	assert_int_equal(len, 5);
	assert_int_equal(nl, 1);
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 1);
	assert_string_equal(line, "");
	assert_int_equal(nl, 1);
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 1);
	assert_string_equal(line, "world");
	assert_int_equal(nl, 0);
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 0);
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 0);
	assert_int_equal(zio_truncated(zr), 0);
	zio_reader_free(zr);
}

static void
test_roundtrip_big(void **state)
{
	struct fixture	*f = *state;
	struct decoded	 d;
	size_t		 n = 10 * 1024 * 1024, i;
	char		*p;
	int		 level;

	/* Half random bytes, half terminal-like text. */
	p = make_text(n);
	for (i = 0; i < n / 2; i++)
		p[i] = (char)rng();
	for (level = 1; level <= 3; level += 2) {
		compress_file(f->path, p, n, level, 70000, 1);
		decode(f->path, &d);
		assert_int_equal(d.rc, 0);
		assert_int_equal(d.data.len, n);
		assert_memory_equal(d.data.data, p, n);
		assert_int_equal(d.truncated, 0);
		assert_null(d.error);
		decoded_free(&d);
	}
	free(p);
}

/* An adaptive writer stores data that hardly compresses (base64 of random
 * bytes) in raw blocks, goes back to compressing on text, never switches
 * on text alone, and the stream (several frames) decodes to the input. */
static void
test_adaptive(void **state)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	struct fixture		*f = *state;
	struct zio_writer	*zw;
	struct decoded		 d;
	size_t			 part = 12 * 1024 * 1024, n = 3 * part, i;
	size_t			 off, k;
	char			*p = xmalloc(n), *text;
	int			 fd, stored_b64 = 99, stored_text = 99;
	int			 stored_text2;
	uint64_t		 out_b64 = 0;

	text = make_text(part);
	memcpy(p, text, part);				/* text */
	for (i = part; i < 2 * part; i++)		/* base64 lines */
		p[i] = (i + 1) % 77 == 0 ? '\n' : b64[rng() % 64];
	memcpy(p + 2 * part, text, part);		/* text again */
	fd = create(f->path);
	zw = zio_writer_new(fd, 1);
	assert_non_null(zw);
	zio_writer_adaptive(zw);
	for (off = 0; off < n; off += k) {
		k = 1 + rng() % 40000;
		if (k > n - off)
			k = n - off;
		assert_int_equal(zio_write(zw, p + off, k), 0);
		if (off < part && off + k >= part) {
			stored_text = zio_stored(zw);
			out_b64 = zio_bytes_out(zw);
		}
		if (off < 2 * part && off + k >= 2 * part) {
			stored_b64 = zio_stored(zw);
			out_b64 = zio_bytes_out(zw) - out_b64;
		}
		if (rng() % 64 == 0)
			assert_int_equal(zio_flush(zw), 0);
	}
	stored_text2 = zio_stored(zw);
	assert_int_equal(zio_end(zw), 0);
	zio_writer_free(zw);
	assert_int_equal(close(fd), 0);
	assert_int_equal(stored_text, 0);
	assert_int_equal(stored_b64, 1);
	/* Stored: base64 costs its size and a few block headers. */
	assert_true(out_b64 > part * 9 / 10);
	assert_int_equal(stored_text2, 0);

	decode(f->path, &d);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.data.len, n);
	assert_memory_equal(d.data.data, p, n);
	assert_null(d.error);
	decoded_free(&d);
	free(text);
	free(p);
}

/* A writer ended with nothing written still leaves one (empty) frame, so
 * that zstd -t takes the file; once a frame was written, zio_end with
 * none open adds nothing. */
static void
test_end_empty(void **state)
{
	struct fixture		*f = *state;
	struct zio_writer	*zw;
	struct decoded		 d;
	struct stat		 st;
	off_t			 size;
	int			 fd;

	fd = create(f->path);
	zw = zio_writer_new(fd, 3);
	assert_int_equal(zio_end(zw), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_size > 0);
	size = st.st_size;
	assert_int_equal(zio_end(zw), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, size);
	zio_writer_free(zw);
	close(fd);

	decode(f->path, &d);
	assert_int_equal(d.rc, 0);
	assert_null(d.error);
	assert_int_equal(d.data.len, 0);
	assert_int_equal(d.truncated, 0);
	decoded_free(&d);
}

static void
test_flush_live(void **state)
{
	struct fixture		*f = *state;
	struct zio_writer	*zw;
	struct decoded		 d;
	char			*p;
	size_t			 n = 300000;
	int			 fd;

	p = make_text(n);
	fd = create(f->path);
	zw = zio_writer_new(fd, 3);

	/* Nothing written yet: an empty file. */
	assert_int_equal(zio_flush(zw), 0);
	decode(f->path, &d);
	assert_int_equal(d.data.len, 0);
	assert_int_equal(d.truncated, 0);
	decoded_free(&d);

	assert_int_equal(zio_write(zw, p, 1000), 0);
	assert_int_equal(zio_flush(zw), 0);
	decode(f->path, &d);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.data.len, 1000);
	assert_memory_equal(d.data.data, p, 1000);
	assert_int_equal(d.truncated, 1);	/* the frame is still open */
	decoded_free(&d);

	assert_int_equal(zio_write(zw, p + 1000, n - 1000), 0);
	assert_int_equal(zio_flush(zw), 0);
	decode(f->path, &d);
	assert_int_equal(d.data.len, n);
	assert_memory_equal(d.data.data, p, n);
	assert_int_equal(d.truncated, 1);
	decoded_free(&d);

	assert_int_equal(zio_end(zw), 0);
	decode(f->path, &d);
	assert_int_equal(d.data.len, n);
	assert_int_equal(d.truncated, 0);
	decoded_free(&d);

	/* A second frame after the end. */
	assert_int_equal(zio_write(zw, "tail", 4), 0);
	assert_int_equal(zio_flush(zw), 0);
	decode(f->path, &d);
	assert_int_equal(d.data.len, n + 4);
	assert_memory_equal(d.data.data + n, "tail", 4);
	assert_int_equal(d.truncated, 1);
	decoded_free(&d);
	assert_int_equal(zio_end(zw), 0);
	assert_int_equal(zio_end(zw), 0);	/* nothing open: no-op */

	zio_writer_free(zw);
	close(fd);
	free(p);
}

/* Cut the compressed file at off and check that it decodes to a prefix. */
static size_t
check_cut(struct fixture *f, const char *z, size_t zlen, size_t off,
    const char *p, size_t n)
{
	struct decoded	 d;
	size_t		 got;

	put_file(f->cut, z, off);
	decode(f->cut, &d);
	assert_int_equal(d.rc, 0);
	assert_null(d.error);
	assert_true(d.data.len <= n);
	if (d.data.len != 0)
		assert_memory_equal(d.data.data, p, d.data.len);
	if (off == 0)
		assert_int_equal(d.truncated, 0);
	else if (off < zlen)
		assert_int_equal(d.truncated, 1);
	else {
		assert_int_equal(d.truncated, 0);
		assert_int_equal(d.data.len, n);
	}
	if (off != 0)
		assert_int_equal(d.compressed, 1);
	got = d.data.len;
	decoded_free(&d);
	return got;
}

static void
test_cut_every_byte(void **state)
{
	struct fixture	*f = *state;
	char		*p, *z;
	size_t		 n = 20000, zlen, off, got, last = 0;

	p = make_text(n);
	compress_file(f->path, p, n, 3, 500, 1);
	z = get_file(f->path, &zlen);
	for (off = 0; off <= zlen; off++) {
		got = check_cut(f, z, zlen, off, p, n);
		assert_true(got >= last);	/* more bytes, more data */
		last = got;
	}
	free(z);
	free(p);
}

/* Stored raw blocks: a cut anywhere in their frame (its header, a block's
 * header, a block's data, at a flush) decodes to a prefix of the input,
 * a longer one the later the cut, and everything before the last flush;
 * the frame ends with zio_end and the whole decodes. */
static void
test_stored_cut(void **state)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	struct fixture		*f = *state;
	struct zio_writer	*zw;
	struct decoded		 d;
	size_t			 n = 4 * 1024 * 1024 + 400 * 1024, i, off, k;
	size_t			 zlen, got, last = 0, nflush = 0, start = 0;
	size_t			 start_in = 0;
	size_t			 fl_out[64], fl_in[64], step;
	char			*p = xmalloc(n), *z;
	int			 fd;

	for (i = 0; i < n; i++)
		p[i] = (i + 1) % 81 == 0 ? '\n' : b64[rng() % 64];
	fd = create(f->path);
	zw = zio_writer_new(fd, 1);
	assert_non_null(zw);
	zio_writer_adaptive(zw);
	for (off = 0; off < n; off += k) {
		k = 1 + rng() % 40000;
		if (k > n - off)
			k = n - off;
		assert_int_equal(zio_write(zw, p + off, k), 0);
		if (start == 0 && zio_stored(zw)) {
			start = zio_bytes_out(zw);
			start_in = off + k;
		}
		if (start != 0 && nflush < 64 && rng() % 4 == 0) {
			assert_int_equal(zio_flush(zw), 0);
			fl_out[nflush] = zio_bytes_flushed(zw);
			fl_in[nflush++] = off + k;
		}
	}
	assert_int_equal(zio_stored(zw), 1);
	assert_int_equal(zio_end(zw), 0);
	zio_writer_free(zw);
	assert_int_equal(close(fd), 0);
	assert_true(start != 0 && nflush > 2);

	z = get_file(f->path, &zlen);
	/* after the switch, stored as it is, with headers */
	assert_true(zlen - start > n - start_in);
	assert_true(zlen - start < n - start_in + 1024);
	for (off = start + 1; off <= zlen; off += step) {
		got = check_cut(f, z, zlen, off, p, n);
		assert_true(got >= last);
		last = got;
		step = off - start < 40 || zlen - off <= 40 ? 1 : 4999;
		if (step > 1 && zlen - off > 40 && off + step > zlen - 40)
			step = zlen - 40 - off;
	}
	for (i = 0; i < nflush; i++) {
		got = check_cut(f, z, zlen, fl_out[i], p, n);
		assert_true(got >= fl_in[i]);
	}
	decode(f->path, &d);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.data.len, n);
	assert_memory_equal(d.data.data, p, n);
	decoded_free(&d);
	free(z);
	free(p);
}

/* An adaptive writer on path, written base64 until it stores raw blocks
 * (it has just switched: no block is begun). What it was given goes into
 * in. */
static struct zio_writer *
stored_writer(int fd, struct buf *in)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	struct zio_writer	*zw = zio_writer_new(fd, 1);
	char			 chunk[65536];
	size_t			 i;

	assert_non_null(zw);
	zio_writer_adaptive(zw);
	while (!zio_stored(zw)) {
		assert_true(in->len < 16 * 1024 * 1024);
		for (i = 0; i < sizeof chunk; i++)
			chunk[i] = (i + 1) % 81 == 0 ? '\n' : b64[rng() % 64];
		assert_int_equal(zio_write(zw, chunk, sizeof chunk), 0);
		buf_add(in, chunk, sizeof chunk);
	}
	return zw;
}

/* Text that trickles in after bulk base64, a flush after every few
 * hundred bytes (as the recorder flushes once a second): each flush ends
 * a stored block too short to sample alone, yet the writer goes back to
 * compressing, and the text costs a fraction of its size. */
static void
test_stored_slow(void **state)
{
	struct fixture		*f = *state;
	struct zio_writer	*zw;
	struct decoded		 d;
	struct buf		 in;
	size_t			 n = 2 * 1024 * 1024, off, k;
	uint64_t		 out0;
	char			*text = make_text(n);
	int			 fd = create(f->path);

	buf_init(&in);
	zw = stored_writer(fd, &in);
	out0 = zio_bytes_out(zw);
	for (off = 0; off < n; off += k) {
		k = 300 + rng() % 600;
		if (k > n - off)
			k = n - off;
		assert_int_equal(zio_write(zw, text + off, k), 0);
		buf_add(&in, text + off, k);
		assert_int_equal(zio_flush(zw), 0);
	}
	assert_int_equal(zio_stored(zw), 0);
	assert_true(zio_bytes_out(zw) - out0 < n / 2);
	assert_int_equal(zio_end(zw), 0);
	zio_writer_free(zw);
	assert_int_equal(close(fd), 0);

	decode(f->path, &d);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.truncated, 0);
	assert_int_equal(d.data.len, in.len);
	assert_memory_equal(d.data.data, in.data, in.len);
	decoded_free(&d);
	buf_free(&in);
	free(text);
}

/* A write that fills a stored block exactly with text, which takes the
 * writer back to compressing with nothing left to compress; then the
 * end: nothing is pending, and all of the file is flushed. */
static void
test_stored_end_exact(void **state)
{
	struct fixture		*f = *state;
	struct zio_writer	*zw;
	struct decoded		 d;
	struct buf		 in;
	size_t			 n = 128 * 1024;
	char			*text = make_text(n);
	int			 fd = create(f->path);

	buf_init(&in);
	zw = stored_writer(fd, &in);
	assert_int_equal(zio_write(zw, text, n), 0);
	buf_add(&in, text, n);
	assert_int_equal(zio_stored(zw), 0);
	assert_int_equal(zio_end(zw), 0);
	assert_int_equal(zio_pending(zw), 0);
	assert_int_equal(zio_bytes_flushed(zw), zio_bytes_out(zw));
	zio_writer_free(zw);
	assert_int_equal(close(fd), 0);

	decode(f->path, &d);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.truncated, 0);
	assert_int_equal(d.data.len, in.len);
	assert_memory_equal(d.data.data, in.data, in.len);
	decoded_free(&d);
	buf_free(&in);
	free(text);
}

static void
test_cut_random(void **state)
{
	struct fixture	*f = *state;
	char		*p, *z;
	size_t		 n = 3 * 1024 * 1024, zlen, i;

	p = make_text(n);
	for (i = 0; i < n; i += 4096)
		p[i] = (char)rng();
	compress_file(f->path, p, n, 3, 5000, 1);
	z = get_file(f->path, &zlen);
	for (i = 0; i < 60; i++)
		check_cut(f, z, zlen, rng() % zlen, p, n);
	check_cut(f, z, zlen, zlen - 1, p, n);
	check_cut(f, z, zlen, zlen, p, n);
	free(z);
	free(p);
}

static void
test_plain(void **state)
{
	struct fixture	*f = *state;
	struct decoded	 d;
	char		*p;
	size_t		 n = 500000;

	p = make_text(n);
	put_file(f->path, p, n);
	decode(f->path, &d);
	assert_int_equal(d.compressed, 0);
	assert_int_equal(d.truncated, 0);
	assert_int_equal(d.data.len, n);
	assert_memory_equal(d.data.data, p, n);
	decoded_free(&d);

	put_file(f->path, "ab", 2);
	decode(f->path, &d);
	assert_int_equal(d.compressed, 0);
	assert_int_equal(d.data.len, 2);
	assert_memory_equal(d.data.data, "ab", 2);
	decoded_free(&d);

	put_file(f->path, "", 0);
	decode(f->path, &d);
	assert_int_equal(d.compressed, 0);
	assert_int_equal(d.data.len, 0);
	assert_int_equal(d.rc, 0);
	decoded_free(&d);

	/* Three of the four magic bytes and no more: a cut stream. */
	put_file(f->path, "\x28\xb5\x2f", 3);
	decode(f->path, &d);
	assert_int_equal(d.compressed, 1);
	assert_int_equal(d.truncated, 1);
	assert_int_equal(d.data.len, 0);
	decoded_free(&d);
	free(p);
}

static void
test_stdin(void **state)
{
	struct fixture		*f = *state;
	struct zio_reader	*zr;
	char			*cause = NULL, *line;
	size_t			 len;
	int			 fd, saved, nl;

	compress_file(f->path, "one\ntwo\n", 8, 3, 3, 0);
	saved = dup(STDIN_FILENO);
	assert_true(saved >= 0);
	fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	assert_true(dup2(fd, STDIN_FILENO) >= 0);
	close(fd);

	zr = zio_reader_open("-", &cause);
	assert_non_null(zr);
	assert_int_equal(zio_compressed(zr), 1);
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 1);
	assert_string_equal(line, "one");
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 1);
	assert_string_equal(line, "two");
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 0);
	zio_reader_free(zr);

	/* stdin is not closed by the reader. */
	assert_true(fcntl(STDIN_FILENO, F_GETFD) >= 0);
	assert_true(dup2(saved, STDIN_FILENO) >= 0);
	close(saved);
}

static void
test_open_error(void **state)
{
	struct fixture	*f = *state;
	char		*cause = NULL, path[200];

	snprintf(path, sizeof path, "%s/missing", f->dir);
	assert_null(zio_reader_open(path, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "missing"));
	free(cause);
}

static void
test_concatenated(void **state)
{
	struct fixture		*f = *state;
	struct zio_writer	*zw;
	struct decoded		 d;
	/* A skippable frame: magic 0x184D2A53, 5 bytes of payload. */
	static const char	 skip[] = "\x53\x2a\x4d\x18\x05\x00\x00\x00hello";
	int			 fd;

	fd = create(f->path);
	zw = zio_writer_new(fd, 1);
	assert_int_equal(zio_write(zw, "first\n", 6), 0);
	assert_int_equal(zio_end(zw), 0);
	assert_int_equal(write_all(fd, skip, sizeof skip - 1), 0);
	assert_int_equal(zio_write(zw, "second\n", 7), 0);
	assert_int_equal(zio_end(zw), 0);
	assert_int_equal(zio_write(zw, "third\n", 6), 0);
	assert_int_equal(zio_end(zw), 0);
	zio_writer_free(zw);
	close(fd);

	decode(f->path, &d);
	assert_int_equal(d.rc, 0);
	assert_null(d.error);
	assert_int_equal(d.truncated, 0);
	assert_int_equal(d.data.len, 19);
	assert_memory_equal(d.data.data, "first\nsecond\nthird\n", 19);
	decoded_free(&d);

	/* A file that starts with a skippable frame is zstd too. */
	fd = create(f->path);
	assert_int_equal(write_all(fd, skip, sizeof skip - 1), 0);
	zw = zio_writer_new(fd, 1);
	assert_int_equal(zio_write(zw, "x\n", 2), 0);
	assert_int_equal(zio_end(zw), 0);
	zio_writer_free(zw);
	close(fd);
	decode(f->path, &d);
	assert_int_equal(d.compressed, 1);
	assert_int_equal(d.data.len, 2);
	assert_memory_equal(d.data.data, "x\n", 2);
	decoded_free(&d);
}

/* A valid frame followed by tail: the frame's data, then an error. */
static void
check_garbage(struct fixture *f, const char *tail, size_t tlen, int expect)
{
	struct zio_writer	*zw;
	struct decoded		 d;
	int			 fd;

	fd = create(f->path);
	zw = zio_writer_new(fd, 3);
	assert_int_equal(zio_write(zw, "valid\n", 6), 0);
	assert_int_equal(zio_end(zw), 0);
	zio_writer_free(zw);
	assert_int_equal(write_all(fd, tail, tlen), 0);
	close(fd);

	decode(f->path, &d);
	assert_int_equal(d.data.len, 6);
	assert_memory_equal(d.data.data, "valid\n", 6);
	if (expect == 0) {		/* garbage */
		assert_int_equal(d.rc, -1);
		assert_non_null(d.error);
		assert_non_null(strstr(d.error, "not zstd data"));
		assert_int_equal(d.truncated, 0);
	} else {			/* a cut next frame */
		assert_int_equal(d.rc, 0);
		assert_null(d.error);
		assert_int_equal(d.truncated, 1);
	}
	decoded_free(&d);
}

static void
test_garbage(void **state)
{
	struct fixture		*f = *state;
	struct zio_reader	*zr;
	char			*cause = NULL, *line;
	size_t			 len;
	int			 nl;

	check_garbage(f, "this is not zstd at all\n", 24, 0);
	check_garbage(f, "xy", 2, 0);
	check_garbage(f, "\x28\xb5", 2, 1);
	check_garbage(f, "\x28\xb5\x2f\xfd", 4, 1);

	/* getline: the good line, then -1. */
	zr = zio_reader_open(f->path, &cause);
	assert_non_null(zr);
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 1);
	assert_string_equal(line, "valid");
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 0);
	assert_int_equal(zio_truncated(zr), 1);
	zio_reader_free(zr);

	/* Corrupt data inside a frame. */
	{
		char	*p = make_text(100000), *z;
		size_t	 zlen;
		struct decoded d;

		compress_file(f->path, p, 100000, 3, 100000, 0);
		z = get_file(f->path, &zlen);
		z[zlen / 2] ^= 0x55;
		z[zlen / 2 + 1] ^= 0x55;
		put_file(f->path, z, zlen);
		decode(f->path, &d);
		assert_int_equal(d.rc, -1);
		assert_non_null(d.error);
		decoded_free(&d);
		free(z);
		free(p);
	}
}

static void
test_getline_long(void **state)
{
	struct fixture		*f = *state;
	struct zio_reader	*zr;
	struct buf		 b;
	char			*cause = NULL, *line, *p;
	size_t			 len, n = 3 * 1024 * 1024;
	int			 nl;

	/* "a", then a 3 MiB line, "", "b" without a newline. */
	buf_init(&b);
	buf_add(&b, "a\n", 2);
	p = xmalloc(n);
	memset(p, 'x', n);
	buf_add(&b, p, n);
	buf_add(&b, "\n\nb", 3);
	compress_file(f->path, b.data, b.len, 3, 100000, 1);

	zr = zio_reader_open(f->path, &cause);
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 1);
	assert_string_equal(line, "a");
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 1);
	assert_int_equal(len, n);
	assert_int_equal(nl, 1);
	assert_memory_equal(line, p, n);
	assert_int_equal(line[n], '\0');
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 1);
	assert_int_equal(len, 0);
	assert_int_equal(nl, 1);
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 1);
	assert_string_equal(line, "b");
	assert_int_equal(nl, 0);
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 0);
	zio_reader_free(zr);

	/* getline then zio_read: read gets what getline had buffered. */
	zr = zio_reader_open(f->path, &cause);
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 1);
	{
		char	 c[16];

		assert_int_equal(zio_read(zr, c, 5), 5);
		assert_memory_equal(c, "xxxxx", 5);
	}
	zio_reader_free(zr);
	buf_free(&b);
	free(p);
}

static void
test_getline_too_long(void **state)
{
	struct fixture		*f = *state;
	struct zio_reader	*zr;
	char			*cause = NULL, *line, *p;
	size_t			 len, n = 65 * 1024 * 1024;
	int			 nl;

	p = xmalloc(n + 4);
	memcpy(p, "ok\n", 3);
	memset(p + 3, 'y', n);
	p[n + 3] = '\n';
	put_file(f->path, p, n + 4);
	free(p);

	zr = zio_reader_open(f->path, &cause);
	assert_int_equal(zio_getline(zr, &line, &len, &nl), 1);
	assert_string_equal(line, "ok");
	assert_int_equal(zio_getline(zr, &line, &len, &nl), -1);
	assert_non_null(zio_reader_error(zr));
	assert_non_null(strstr(zio_reader_error(zr), "longer than 64 MiB"));
	assert_int_equal(zio_getline(zr, &line, &len, &nl), -1);
	zio_reader_free(zr);
}

static void
check_write_error(int fd, int expect)
{
	struct zio_writer	*zw;
	char			*p;
	size_t			 n = 1024 * 1024, i;
	int			 rc = 0;

	p = xmalloc(n);
	for (i = 0; i < n; i++)
		p[i] = (char)rng();
	zw = zio_writer_new(fd, 1);
	for (i = 0; i < 8 && rc == 0; i++)
		rc = zio_write(zw, p, n);
	if (rc == 0)
		rc = zio_flush(zw);
	assert_int_equal(rc, -1);
	assert_int_equal(errno, expect);
	assert_int_equal(zio_error(zw), expect);
	errno = 0;
	assert_int_equal(zio_write(zw, "x", 1), -1);
	assert_int_equal(errno, expect);
	assert_int_equal(zio_flush(zw), -1);
	assert_int_equal(zio_end(zw), -1);
	assert_int_equal(zio_error(zw), expect);
	zio_writer_free(zw);
	free(p);
}

static void
test_write_error(void **state)
{
	struct sigaction	 sa, old;
	int			 fds[2], fd;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	assert_int_equal(sigaction(SIGPIPE, &sa, &old), 0);
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	check_write_error(fds[1], EPIPE);
	close(fds[1]);
	assert_int_equal(sigaction(SIGPIPE, &old, NULL), 0);

	if ((fd = open("/dev/full", O_WRONLY)) >= 0) {
		check_write_error(fd, ENOSPC);
		close(fd);
	}

	/* A small write and an end: the error shows at the end. */
	fd = open("/dev/full", O_WRONLY);
	if (fd >= 0) {
		struct zio_writer *zw = zio_writer_new(fd, 3);

		assert_int_equal(zio_write(zw, "abc", 3), 0);
		assert_int_equal(zio_end(zw), -1);
		assert_int_equal(zio_error(zw), ENOSPC);
		zio_writer_free(zw);
		close(fd);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_small, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_big, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stored_cut, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stored_slow, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stored_end_exact, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_adaptive, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_end_empty, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flush_live, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cut_every_byte, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cut_random, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stdin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_error, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_concatenated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getline_long, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_getline_too_long, setup,
		    teardown),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
