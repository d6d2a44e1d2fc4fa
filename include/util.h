/* util.h: memory helpers that never return NULL, a growable byte buffer,
 * and the one-line messages agentrun prints on stderr. */
#ifndef AGENTRUN_UTIL_H
#define AGENTRUN_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...) PRINTFLIKE(2, 3);
int	 xvasprintf(char **, const char *, va_list) PRINTFLIKE(2, 0);

/* A growable buffer; data is always NUL-terminated after buf_add*. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 size;
};
void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_reserve(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, char);
void	 buf_adds(struct buf *, const char *);
void	 buf_addf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
void	 buf_consume(struct buf *, size_t);	/* drop n bytes from the front */
/* Letters wrong, missing, extra or swapped from a (n bytes) to b, or more
 * than max: for "did you mean". */
size_t	 edit_distance(const char *a, size_t n, const char *b, size_t max);
/* The UTF-8 sequence that starts with s[0] >= 0x80 (n > 0 bytes left):
 * k > 0, a valid character of k bytes; 0, a valid but incomplete start
 * that runs to the end; -k, invalid, its first k bytes (the longest
 * valid-looking start) standing for one U+FFFD. */
int	 utf8_check(const unsigned char *s, size_t n);
/* cp (up to 0x1fffff, surrogates too: as libtsm's decoder reads them)
 * written at o as UTF-8; the end. */
char	*utf8_put(char *o, uint32_t cp);
/* 1 if s is valid UTF-8. */
int	 utf8_valid(const char *s);
/* w quoted, if it needs it, as a POSIX shell reads it back. */
void	 buf_add_shell_word(struct buf *, const char *w);

/* NULL-terminated string vectors (argv-like). strv_cat copies a then b
 * (either may be NULL) into a new vector. */
char	**strv_cat(const char *const *, const char *const *);
void	 strv_free(char **);
/* char ** to const char *const * is safe but not implicit in C. */
#define STRV_CONST(v)	((const char *const *)(const void *)(v))

/* Messages: "agentrun: ..." on stderr. log_info is shown unless -q,
 * log_debug only with -v. */
void	 log_set_verbosity(int);		/* -1 quiet, 0 normal, 1+ verbose */
int	 log_get_verbosity(void);
void	 log_warn(const char *, ...) PRINTFLIKE(1, 2);
void	 log_info(const char *, ...) PRINTFLIKE(1, 2);
void	 log_debug(const char *, ...) PRINTFLIKE(1, 2);
void	 log_error(const char *, ...) PRINTFLIKE(1, 2);
__attribute__((noreturn))
void	 fatal(const char *, ...) PRINTFLIKE(1, 2);

/* Time. */
int64_t	 now_us(void);		/* CLOCK_MONOTONIC */
int64_t	 wall_us(void);		/* CLOCK_REALTIME */

/* Files. */
int	 write_all(int, const void *, size_t);	/* 0 or -1 with errno */
int	 flush_stdout(void);	/* 0, or -1 after saying why */
int	 path_under(const char *path, const char *top);
int	 path_in_dir(const char *path, const char *dir);
int	 path_resolve(const char *path, char out[]);
int	 has_suffix(const char *, const char *);
int	 pid_alive(long pid);
int	 file_locked(const char *path);
int	 unlink_leftover(const char *path, long pid);
int	 mkdir_p(const char *, int mode);	/* 0 or -1 with errno */
int	 write_file_atomic(const char *, const void *, size_t, int mode,
	     char **cause);	/* 0, or -1 with *cause and errno */
/* Overwrite an existing file in place: not atomic, but it takes no new
 * block while the data fits in those the file has (a full disk). */
int	 write_file_inplace(const char *, const void *, size_t, char **cause);
char	*read_file(const char *, size_t *, size_t max, char **cause);
/* As read_file, for agentrun's own files (sidecars, live entries,
 * caches): anything but a regular file is refused, a FIFO included
 * (opening one would wait for a writer). */
char	*read_state_file(const char *, size_t *, size_t max, char **cause);
char	*read_file_at(int dfd, const char *name, const char *shown, size_t *,
	    size_t max, int regular, char **cause);
char	*path_join(const char *, const char *);
/* $XDG_xxx_HOME/agentrun with fallback to $HOME/default; NULL if no HOME. */
char	*xdg_dir(const char *env, const char *fallback);

/* Parse helpers: 0 ok, -1 invalid. */
int	 parse_seconds(const char *, double *);		/* "90", "1.5", "2m", "1:30" */
int	 parse_int(const char *, long min, long max, long *);

/* Eight bytes at a time, for the scanning loops of the readers: flags
 * (0x80) on the bytes of x below n (n at most 0x80), or equal to c. */
#define SWAR_ONES	0x0101010101010101ULL
#define SWAR_HIGHS	0x8080808080808080ULL

static inline uint64_t
swar_load(const void *p)
{
	uint64_t	 x;

	memcpy(&x, p, sizeof x);
	return x;
}

static inline uint64_t
swar_below(uint64_t x, unsigned int n)
{
	return (x - SWAR_ONES * n) & ~x & SWAR_HIGHS;
}

static inline uint64_t
swar_has(uint64_t x, unsigned char c)
{
	return swar_below(x ^ (SWAR_ONES * c), 1);
}

/* Where the first flagged byte of a nonzero mask of those flags is:
 * exact, as a false flag only ever follows a true one. 0 where the byte
 * order is not known: the caller then goes a byte at a time. */
static inline size_t
swar_first(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (size_t)__builtin_ctzll(m) / 8;
#else
	(void)m;
	return 0;
#endif
}

#endif
