/* zio.h: zstd stream writer and reader for transcripts. The only module
 * that includes <zstd.h>. A reader also accepts plain (uncompressed) files
 * and streams cut anywhere: it returns what decodes and says it was cut. */
#ifndef AGENTRUN_ZIO_H
#define AGENTRUN_ZIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct zio_writer;

/* Compress into fd (not owned, not closed). level: zstd level. */
struct zio_writer *zio_writer_new(int fd, int level);
/* From now on store the data in raw zstd blocks, with no compression
 * search, while it hardly compresses at the level asked for (base64,
 * compressed or random bytes), and go back when it does again. For
 * writers on the hot path. */
void	 zio_writer_adaptive(struct zio_writer *);
/* 1 while the writer stores raw blocks, 0 while it compresses. */
int	 zio_stored(struct zio_writer *);
/* Queue bytes. Compressed output is written to fd as zstd produces it.
 * 0, or -1 with errno after which the writer is failed and stays so. */
int	 zio_write(struct zio_writer *, const void *, size_t);
/* Make everything written so far decodable from the file (ZSTD_e_flush). */
int	 zio_flush(struct zio_writer *);
/* Bytes given to zio_write since the last flush. */
size_t	 zio_pending(struct zio_writer *);
/* End the frame (ZSTD_e_end). The writer may be used again after this:
 * a new frame starts (concatenated frames decode as one stream). */
int	 zio_end(struct zio_writer *);
/* errno of the first failure, or 0. */
int	 zio_error(struct zio_writer *);
uint64_t zio_bytes_in(struct zio_writer *);
uint64_t zio_bytes_out(struct zio_writer *);
/* Bytes of output up to the last flush or end of a frame that succeeded:
 * the output cut there decodes to everything given before it, when each
 * zio_write was given whole lines. After a failed write, the file holds
 * this and maybe a torn piece after it. */
uint64_t zio_bytes_flushed(struct zio_writer *);
void	 zio_writer_free(struct zio_writer *);

struct zio_reader;

/* Open path ("-" is stdin). Compressed if it starts with the zstd magic,
 * else read as plain bytes. NULL and *cause on error. */
struct zio_reader *zio_reader_open(const char *path, char **cause);
/* Read decompressed bytes: >0, 0 at end (clean or cut), -1 on error. */
ssize_t	 zio_read(struct zio_reader *, void *, size_t);
/* Next line without its '\n'. 1 a line (*nl = 1 if it ended in '\n',
 * 0 if it is the unterminated last piece), 0 at end, -1 on error.
 * The line is valid until the next call; it is NUL-terminated. */
int	 zio_getline(struct zio_reader *, char **line, size_t *len, int *nl);
/* 1 if the compressed stream ended inside a frame (a crash cut it). */
int	 zio_truncated(struct zio_reader *);
/* 1 if the input is zstd, 0 plain. */
int	 zio_compressed(struct zio_reader *);
/* 1 if the input is a regular file (it can be read again), else 0. */
int	 zio_reader_regular(struct zio_reader *);
/* Description of the last error, or NULL. */
const char *zio_reader_error(struct zio_reader *);
void	 zio_reader_free(struct zio_reader *);

#endif
