/* zio.c: zstd stream writer and reader for transcripts. Owns every use of
 * <zstd.h>: streaming compression with a bounded window, flushes that make
 * a live file decodable, and a reader that takes zstd or plain input, cut
 * anywhere, and hands back bytes or lines. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>
#include <zstd_errors.h>

#include "util.h"
#include "zio.h"

#define ZIO_WINDOW_LOG	20			/* 1 MiB window: flat memory */
#define ZIO_MAX_LINE	(64 * 1024 * 1024)	/* longest line getline takes */
#define ZIO_LINE_START	65536
#define ZIO_GARBAGE	"not zstd data after the end of a frame"

/* Adaptive writers look at the ratio every ZIO_PROBE bytes of input. Data
 * that the normal level shrinks by less than ZIO_TO_FAST percent is mostly
 * entropy (base64, compressed or random bytes): there zstd's Huffman stage
 * costs as much as all the rest for a quarter of the size, and its fastest
 * levels store such data as it is anyway (their raw blocks, after a match
 * search that finds nothing: about 15% of the proxy's CPU on bulk base64).
 * So the writer stores it in raw blocks itself, in a frame of its own
 * (RFC 8878: no content size, no checksum, a 128 KiB window), with no
 * search at all. It samples the start of each block it stores at the
 * normal level (of several blocks, when flushes end them short) and goes
 * back to it when the sample shrinks by ZIO_TO_NORMAL percent (terminal
 * text does by 60-80%). A switch ends the frame and starts another
 * (concatenated frames decode as one stream). */
#define ZIO_PROBE	(4 * 1024 * 1024)
#define ZIO_TO_FAST	30
#define ZIO_TO_NORMAL	50
#define ZIO_SAMPLE	8192
#define ZIO_BLOCK	(128 * 1024)	/* ZSTD_BLOCKSIZE_MAX */
#define ZIO_FRAME_HEAD	6		/* magic, descriptor, window */
#define ZIO_BLOCK_HEAD	3
#define ZIO_RAW_HEAD	(ZIO_FRAME_HEAD + ZIO_BLOCK_HEAD)

struct zio_writer {
	int		 fd;
	ZSTD_CCtx	*cctx;
	char		*out;
	size_t		 outsize;
	int		 inframe;	/* a frame is open */
	size_t		 pending;	/* bytes since the last flush */
	uint64_t	 bytes_in;
	uint64_t	 bytes_out;
	uint64_t	 flushed;	/* bytes_out at the last flush or end */
	int		 error;		/* errno of the first failure */
	int		 level;		/* the level asked for */
	int		 adaptive;
	int		 stored;	/* storing raw blocks (out holds one) */
	int		 rawframe;	/* their frame's header is written */
	size_t		 rawlen;	/* bytes after ZIO_RAW_HEAD in out */
	char		*sample;	/* ZIO_SAMPLE bytes stored since the
					   last test, then their output */
	size_t		 samplen;	/* bytes of it so far */
	uint64_t	 probe_in;	/* bytes_in and bytes_out at the last look */
	uint64_t	 probe_out;
};

struct zio_reader {
	int		 fd;
	int		 ownfd;
	char		*name;
	int		 compressed;
	ZSTD_DStream	*dctx;

	char		*in;		/* raw input */
	size_t		 insize;
	size_t		 inpos;
	size_t		 inlen;
	int		 ineof;

	uint64_t	 frame_in;	/* bytes eaten inside the current frame */
	unsigned char	 frame_head[4];	/* the first bytes of that frame */
	int		 truncated;
	int		 done;		/* no more bytes will come */
	int		 failed;	/* an error is pending: -1 from now on */
	char		*error;

	char		*line;		/* decoded bytes for getline */
	size_t		 lsize;
	size_t		 lstart;
	size_t		 lend;
	size_t		 lscan;		/* no '\n' in [lstart, lscan) */
	int		 leof;
};

static const unsigned char zio_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

static int
zio_fail(struct zio_writer *zw, int error)
{
	if (zw->error == 0)
		zw->error = error != 0 ? error : EIO;
	errno = zw->error;
	return -1;
}

/* Compress in with the given directive, writing output as it appears. For
 * ZSTD_e_flush and ZSTD_e_end, loop until zstd says it is done. */
static int
zio_compress(struct zio_writer *zw, const void *p, size_t n,
    ZSTD_EndDirective mode)
{
	ZSTD_inBuffer	 in = { p, n, 0 };
	ZSTD_outBuffer	 out;
	size_t		 left;

	for (;;) {
		out.dst = zw->out;
		out.size = zw->outsize;
		out.pos = 0;
		left = ZSTD_compressStream2(zw->cctx, &out, &in, mode);
		if (ZSTD_isError(left))
			return zio_fail(zw, EIO);
		if (out.pos != 0) {
			if (write_all(zw->fd, zw->out, out.pos) != 0)
				return zio_fail(zw, errno);
			zw->bytes_out += out.pos;
		}
		if (mode == ZSTD_e_continue) {
			if (in.pos == in.size)
				break;
		} else if (left == 0)
			break;
	}
	return 0;
}

struct zio_writer *
zio_writer_new(int fd, int level)
{
	struct zio_writer	*zw;
	ZSTD_CCtx		*cctx;

	if ((cctx = ZSTD_createCCtx()) == NULL)
		fatal("out of memory");
	if (level < ZSTD_minCLevel())
		level = ZSTD_minCLevel();
	if (level > ZSTD_maxCLevel())
		level = ZSTD_maxCLevel();
	if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx,
	    ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cctx,
	    ZSTD_c_windowLog, ZIO_WINDOW_LOG)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cctx,
	    ZSTD_c_checksumFlag, 1))) {
		ZSTD_freeCCtx(cctx);
		return NULL;
	}

	zw = xcalloc(1, sizeof *zw);
	zw->fd = fd;
	zw->cctx = cctx;
	zw->level = level;
	zw->outsize = ZSTD_CStreamOutSize();
	if (zw->outsize < ZIO_RAW_HEAD + ZIO_BLOCK)
		zw->outsize = ZIO_RAW_HEAD + ZIO_BLOCK;
	zw->out = xmalloc(zw->outsize);
	return zw;
}

void
zio_writer_adaptive(struct zio_writer *zw)
{
	zw->adaptive = 1;
	zw->probe_in = zw->bytes_in;
	zw->probe_out = zw->bytes_out;
}

int
zio_stored(struct zio_writer *zw)
{
	return zw->stored;
}

/* Every ZIO_PROBE bytes at the normal level: store from now on if the
 * last stretch hardly compressed. */
static int
zio_adapt(struct zio_writer *zw)
{
	uint64_t	 in = zw->bytes_in - zw->probe_in;
	uint64_t	 out = zw->bytes_out - zw->probe_out;
	int		 saved;

	saved = out >= in ? 0 : (int)(100 - out * 100 / in);
	if (saved < ZIO_TO_FAST) {
		if (zio_compress(zw, NULL, 0, ZSTD_e_end) != 0)
			return -1;
		zw->inframe = 0;
		zw->pending = 0;
		zw->flushed = zw->bytes_out;
		zw->stored = 1;
		if (zw->sample == NULL) {
			zw->sample = xmalloc(ZIO_SAMPLE +
			    ZSTD_compressBound(ZIO_SAMPLE));
		}
		zw->samplen = 0;
	}
	zw->probe_in = zw->bytes_in;
	zw->probe_out = zw->bytes_out;
	return 0;
}

/* Write out the raw block that out holds (last: the frame's last). The
 * frame's header goes with its first block; a frame with no block yet
 * gets none when it ends (it never began). */
static int
zio_raw_block(struct zio_writer *zw, int last)
{
	unsigned char	*o = (unsigned char *)zw->out;
	uint32_t	 head = (uint32_t)zw->rawlen << 3 | (last ? 1 : 0);
	size_t		 from = ZIO_FRAME_HEAD, n;

	if (zw->rawlen == 0 && (!last || !zw->rawframe))
		return 0;
	o[ZIO_FRAME_HEAD] = head & 0xff;	/* block type 0: raw */
	o[ZIO_FRAME_HEAD + 1] = (head >> 8) & 0xff;
	o[ZIO_FRAME_HEAD + 2] = (head >> 16) & 0xff;
	if (!zw->rawframe) {
		memcpy(o, zio_magic, sizeof zio_magic);
		o[4] = 0;	/* no content size, checksum or dictionary */
		o[5] = (17 - 10) << 3;	/* window 2^17: one block */
		from = 0;
	}
	n = ZIO_RAW_HEAD - from + zw->rawlen;
	if (write_all(zw->fd, o + from, n) != 0)
		return zio_fail(zw, errno);
	zw->bytes_out += n;
	zw->rawframe = !last;
	zw->rawlen = 0;
	return 0;
}

/* Add the start of the block out holds to the sample. Once it holds
 * ZIO_SAMPLE bytes (the start of this block, or of this and the blocks
 * before it that flushes ended short): does it shrink at the normal level
 * by ZIO_TO_NORMAL percent? Until then, no. */
static int
zio_sample_shrinks(struct zio_writer *zw)
{
	size_t	 k = ZIO_SAMPLE - zw->samplen, got;

	if (k > zw->rawlen)
		k = zw->rawlen;
	memcpy(zw->sample + zw->samplen, zw->out + ZIO_RAW_HEAD, k);
	zw->samplen += k;
	if (zw->samplen < ZIO_SAMPLE)
		return 0;
	zw->samplen = 0;
	got = ZSTD_compress2(zw->cctx, zw->sample + ZIO_SAMPLE,
	    ZSTD_compressBound(ZIO_SAMPLE), zw->sample, ZIO_SAMPLE);
	if (ZSTD_isError(got))
		return 0;
	return got * 100 <= ZIO_SAMPLE * (100 - ZIO_TO_NORMAL);
}

/* Write out the block being stored; if it compresses, it ends the raw
 * frame and the normal level takes over. */
static int
zio_store_block(struct zio_writer *zw)
{
	int	 back = zio_sample_shrinks(zw);

	if (zio_raw_block(zw, back) != 0)
		return -1;
	if (back) {
		zw->stored = 0;
		zw->probe_in = zw->bytes_in;
		zw->probe_out = zw->bytes_out;
	}
	return 0;
}

/* Store bytes in raw blocks; how many were taken before the normal level
 * took over (all of them unless it did), or -1. */
static ssize_t
zio_store(struct zio_writer *zw, const char *p, size_t n)
{
	size_t	 k, used = 0;

	while (used < n && zw->stored) {
		k = ZIO_BLOCK - zw->rawlen;
		if (k > n - used)
			k = n - used;
		memcpy(zw->out + ZIO_RAW_HEAD + zw->rawlen, p + used, k);
		zw->rawlen += k;
		used += k;
		if (zw->rawlen == ZIO_BLOCK && zio_store_block(zw) != 0)
			return -1;
	}
	return (ssize_t)used;
}

int
zio_write(struct zio_writer *zw, const void *p, size_t n)
{
	ssize_t	 used;

	if (zw->error != 0) {
		errno = zw->error;
		return -1;
	}
	if (n == 0)
		return 0;
	zw->pending += n;
	zw->bytes_in += n;
	if (zw->stored) {
		if ((used = zio_store(zw, p, n)) < 0)
			return -1;
		p = (const char *)p + used;
		n -= (size_t)used;
		if (n == 0)
			return 0;
	}
	zw->inframe = 1;
	if (zio_compress(zw, p, n, ZSTD_e_continue) != 0)
		return -1;
	if (zw->adaptive && zw->bytes_in - zw->probe_in >= ZIO_PROBE)
		return zio_adapt(zw);
	return 0;
}

int
zio_flush(struct zio_writer *zw)
{
	if (zw->error != 0) {
		errno = zw->error;
		return -1;
	}
	if (zw->pending == 0)
		return 0;
	if (zw->stored ? zio_store_block(zw) :
	    zio_compress(zw, NULL, 0, ZSTD_e_flush))
		return -1;
	zw->pending = 0;
	zw->flushed = zw->bytes_out;
	return 0;
}

size_t
zio_pending(struct zio_writer *zw)
{
	return zw->pending;
}

int
zio_end(struct zio_writer *zw)
{
	if (zw->error != 0) {
		errno = zw->error;
		return -1;
	}
	if (zw->stored) {
		if (zio_raw_block(zw, 1) != 0)
			return -1;
		zw->pending = 0;
		zw->flushed = zw->bytes_out;
		return 0;
	}
	/* Nothing written at all still makes one (empty) frame: a file of
	 * no bytes is no zstd file. No frame open: all is out (the last
	 * write may have ended the stored frame and given nothing more). */
	if (!zw->inframe && zw->bytes_out != 0) {
		zw->pending = 0;
		zw->flushed = zw->bytes_out;
		return 0;
	}
	if (zio_compress(zw, NULL, 0, ZSTD_e_end) != 0)
		return -1;
	zw->inframe = 0;
	zw->pending = 0;
	zw->flushed = zw->bytes_out;
	return 0;
}

int
zio_error(struct zio_writer *zw)
{
	return zw->error;
}

uint64_t
zio_bytes_in(struct zio_writer *zw)
{
	return zw->bytes_in;
}

uint64_t
zio_bytes_out(struct zio_writer *zw)
{
	return zw->bytes_out;
}

uint64_t
zio_bytes_flushed(struct zio_writer *zw)
{
	return zw->flushed;
}

void
zio_writer_free(struct zio_writer *zw)
{
	if (zw == NULL)
		return;
	ZSTD_freeCCtx(zw->cctx);
	free(zw->out);
	free(zw->sample);
	free(zw);
}

/* Reader. */

static void
zio_reader_seterror(struct zio_reader *zr, const char *what)
{
	if (zr->error == NULL)
		xasprintf(&zr->error, "%s: %s", zr->name, what);
	zr->failed = 1;
	zr->done = 1;
}

/* Read more raw input into zr->in; 0 at end, -1 on error. */
static ssize_t
zio_fill(struct zio_reader *zr)
{
	ssize_t	 n;

	if (zr->inpos == zr->inlen)
		zr->inpos = zr->inlen = 0;
	if (zr->ineof || zr->inlen == zr->insize)
		return 0;
	for (;;) {
		n = read(zr->fd, zr->in + zr->inlen, zr->insize - zr->inlen);
		if (n >= 0)
			break;
		if (errno != EINTR) {
			zio_reader_seterror(zr, strerror(errno));
			return -1;
		}
	}
	if (n == 0)
		zr->ineof = 1;
	zr->inlen += (size_t)n;
	return n;
}

/* Is p (n < 4 bytes) the start of a zstd or skippable frame magic? */
static int
zio_magic_prefix(const unsigned char *p, size_t n)
{
	static const unsigned char skip[4] = { 0x50, 0x2a, 0x4d, 0x18 };
	size_t	 i;

	if (n == 0 || memcmp(p, zio_magic, n) == 0)
		return 1;
	for (i = 0; i < n; i++) {
		if (i == 0 ? (p[0] & 0xf0) != skip[0] : p[i] != skip[i])
			return 0;
	}
	return 1;
}

struct zio_reader *
zio_reader_open(const char *path, char **cause)
{
	struct zio_reader	*zr;
	int			 fd, ownfd;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		ownfd = 0;
	} else {
		if ((fd = open(path, O_RDONLY|O_CLOEXEC)) < 0) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			return NULL;
		}
		ownfd = 1;
	}

	zr = xcalloc(1, sizeof *zr);
	zr->fd = fd;
	zr->ownfd = ownfd;
	zr->name = xstrdup(strcmp(path, "-") == 0 ? "standard input" : path);
	zr->insize = ZSTD_DStreamInSize();
	zr->in = xmalloc(zr->insize);

	/* Peek at the first four bytes; they stay in the input buffer. */
	while (zr->inlen < 4 && !zr->ineof) {
		if (zio_fill(zr) < 0) {
			*cause = zr->error;
			zr->error = NULL;
			zio_reader_free(zr);
			return NULL;
		}
	}
	if (zr->inlen >= 4) {
		zr->compressed = memcmp(zr->in, zio_magic, 4) == 0 ||
		    (((unsigned char)zr->in[0] & 0xf0) == 0x50 &&
		    memcmp(zr->in + 1, "\x2a\x4d\x18", 3) == 0);
	} else if (zr->inlen > 0) {
		/* A stream cut inside the magic number itself. */
		zr->compressed = memcmp(zr->in, zio_magic, zr->inlen) == 0;
	}
	if (zr->compressed) {
		if ((zr->dctx = ZSTD_createDStream()) == NULL)
			fatal("out of memory");
	}
	return zr;
}

/* Decompress into p; >0 bytes, 0 at end, -1 on error. */
static ssize_t
zio_decompress(struct zio_reader *zr, void *p, size_t n)
{
	ZSTD_inBuffer	 in;
	ZSTD_outBuffer	 out;
	size_t		 ret, eaten, i;

	for (;;) {
		if (zr->inpos == zr->inlen && !zr->ineof) {
			if (zio_fill(zr) < 0)
				return -1;
		}
		in.src = zr->in;
		in.size = zr->inlen;
		in.pos = zr->inpos;
		out.dst = p;
		out.size = n;
		out.pos = 0;
		ret = ZSTD_decompressStream(zr->dctx, &out, &in);
		eaten = in.pos - zr->inpos;
		for (i = 0; i < eaten && zr->frame_in + i < 4; i++) {
			zr->frame_head[zr->frame_in + i] =
			    (unsigned char)zr->in[zr->inpos + i];
		}
		zr->frame_in += eaten;
		zr->inpos = in.pos;
		if (ZSTD_isError(ret)) {
			if (ZSTD_getErrorCode(ret) == ZSTD_error_prefix_unknown)
				zio_reader_seterror(zr, ZIO_GARBAGE);
			else
				zio_reader_seterror(zr, ZSTD_getErrorName(ret));
			if (out.pos != 0)
				return (ssize_t)out.pos;
			return -1;
		}
		if (ret == 0)
			zr->frame_in = 0;
		if (out.pos != 0)
			return (ssize_t)out.pos;
		if (zr->ineof && zr->inpos == zr->inlen)
			break;
	}

	/* End of input: inside a frame means the stream was cut. */
	zr->done = 1;
	if (zr->frame_in == 0)
		return 0;
	if (zr->frame_in < 4 &&
	    !zio_magic_prefix(zr->frame_head, (size_t)zr->frame_in)) {
		zio_reader_seterror(zr, ZIO_GARBAGE);
		return -1;
	}
	zr->truncated = 1;
	return 0;
}

/* Plain input: what is buffered, then the file. */
static ssize_t
zio_passthrough(struct zio_reader *zr, void *p, size_t n)
{
	size_t	 have;
	ssize_t	 got;

	if (zr->inpos == zr->inlen) {
		if ((got = zio_fill(zr)) < 0)
			return -1;
		if (got == 0) {
			zr->done = 1;
			return 0;
		}
	}
	have = zr->inlen - zr->inpos;
	if (have > n)
		have = n;
	memcpy(p, zr->in + zr->inpos, have);
	zr->inpos += have;
	return (ssize_t)have;
}

static ssize_t
zio_rawread(struct zio_reader *zr, void *p, size_t n)
{
	if (zr->failed)
		return -1;
	if (zr->done || n == 0)
		return 0;
	if (zr->compressed)
		return zio_decompress(zr, p, n);
	return zio_passthrough(zr, p, n);
}

ssize_t
zio_read(struct zio_reader *zr, void *p, size_t n)
{
	size_t	 have;

	/* Bytes getline has already taken come first. */
	have = zr->lend - zr->lstart;
	if (have != 0) {
		if (have > n)
			have = n;
		memcpy(p, zr->line + zr->lstart, have);
		zr->lstart += have;
		if (zr->lscan < zr->lstart)
			zr->lscan = zr->lstart;
		return (ssize_t)have;
	}
	return zio_rawread(zr, p, n);
}

/* Make room at the end of the line buffer: slide, then grow. */
static int
zio_line_room(struct zio_reader *zr)
{
	size_t	 have = zr->lend - zr->lstart, size;

	if (zr->lstart != 0) {
		memmove(zr->line, zr->line + zr->lstart, have);
		zr->lscan -= zr->lstart;
		zr->lstart = 0;
		zr->lend = have;
	}
	if (zr->lsize - zr->lend >= ZIO_LINE_START / 4)
		return 0;
	if (have > ZIO_MAX_LINE) {
		if (zr->error == NULL) {
			xasprintf(&zr->error, "%s: a line is longer than %d "
			    "MiB", zr->name, ZIO_MAX_LINE / 1024 / 1024);
		}
		zr->failed = 1;
		zr->done = 1;
		return -1;
	}
	size = zr->lsize == 0 ? ZIO_LINE_START : zr->lsize * 2;
	if (size > ZIO_MAX_LINE + ZIO_LINE_START)
		size = ZIO_MAX_LINE + ZIO_LINE_START;
	if (size > zr->lsize) {
		zr->line = xrealloc(zr->line, size);
		zr->lsize = size;
	}
	return 0;
}

int
zio_getline(struct zio_reader *zr, char **line, size_t *len, int *nl)
{
	char	*p;
	ssize_t	 n;

	for (;;) {
		p = NULL;
		if (zr->lscan < zr->lend) {
			p = memchr(zr->line + zr->lscan, '\n',
			    zr->lend - zr->lscan);
		}
		if (p != NULL) {
			*p = '\0';
			*line = zr->line + zr->lstart;
			*len = (size_t)(p - *line);
			*nl = 1;
			zr->lstart = zr->lscan = (size_t)(p - zr->line) + 1;
			return 1;
		}
		zr->lscan = zr->lend;
		if (zr->leof)
			break;
		if (zio_line_room(zr) != 0)
			return -1;
		/* Keep one byte for the NUL of an unterminated last line. */
		n = zio_rawread(zr, zr->line + zr->lend,
		    zr->lsize - zr->lend - 1);
		if (n <= 0) {
			zr->leof = 1;
			continue;
		}
		zr->lend += (size_t)n;
	}

	if (zr->lstart != zr->lend) {
		zr->line[zr->lend] = '\0';
		*line = zr->line + zr->lstart;
		*len = zr->lend - zr->lstart;
		*nl = 0;
		zr->lstart = zr->lscan = zr->lend;
		return 1;
	}
	*line = NULL;
	*len = 0;
	*nl = 0;
	return zr->failed ? -1 : 0;
}

int
zio_truncated(struct zio_reader *zr)
{
	return zr->truncated;
}

int
zio_compressed(struct zio_reader *zr)
{
	return zr->compressed;
}

int
zio_reader_regular(struct zio_reader *zr)
{
	struct stat	 st;

	return fstat(zr->fd, &st) == 0 && S_ISREG(st.st_mode);
}

const char *
zio_reader_error(struct zio_reader *zr)
{
	return zr->error;
}

void
zio_reader_free(struct zio_reader *zr)
{
	if (zr == NULL)
		return;
	if (zr->ownfd && zr->fd >= 0)
		close(zr->fd);
	ZSTD_freeDStream(zr->dctx);
	free(zr->in);
	free(zr->line);
	free(zr->name);
	free(zr->error);
	free(zr);
}
