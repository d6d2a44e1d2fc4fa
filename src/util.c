/* util.c: memory helpers, the growable buffer, stderr messages, clocks and
 * small file helpers shared by every module. */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static int log_verbosity;	/* set once from the command line */

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		fatal("out of memory");
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, m == 0 ? 1 : m)) == NULL)
		fatal("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		fatal("out of memory");
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
xvasprintf(char **out, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal("vsnprintf failed");
	*out = xmalloc((size_t)n + 1);
	vsnprintf(*out, (size_t)n + 1, fmt, ap);
	return n;
}

int
xasprintf(char **out, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = xvasprintf(out, fmt, ap);
	va_end(ap);
	return n;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->size = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_reserve(struct buf *b, size_t extra)
{
	size_t	 need = b->len + extra + 1;

	if (need <= b->size)
		return;
	if (b->size == 0)
		b->size = 256;
	while (b->size < need)
		b->size *= 2;
	b->data = xrealloc(b->data, b->size);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n != 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("vsnprintf failed");
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

char **
strv_cat(const char *const *a, const char *const *b)
{
	size_t	 na = 0, nb = 0, i;
	char	**v;

	while (a != NULL && a[na] != NULL)
		na++;
	while (b != NULL && b[nb] != NULL)
		nb++;
	v = xcalloc(na + nb + 1, sizeof *v);
	for (i = 0; i < na; i++)
		v[i] = xstrdup(a[i]);
	for (i = 0; i < nb; i++)
		v[na + i] = xstrdup(b[i]);
	return v;
}

void
strv_free(char **v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
log_set_verbosity(int v)
{
	log_verbosity = v;
}

int
log_get_verbosity(void)
{
	return log_verbosity;
}

static void log_vprint(const char *, const char *, va_list) PRINTFLIKE(2, 0);

static void
log_vprint(const char *prefix, const char *fmt, va_list ap)
{
	char	*msg;
	char	*line;
	int	 n;

	xvasprintf(&msg, fmt, ap);
	n = xasprintf(&line, "agentrun: %s%s\n", prefix, msg);
	(void)write_all(STDERR_FILENO, line, (size_t)n);
	free(line);
	free(msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbosity < 0)
		return;
	va_start(ap, fmt);
	log_vprint("warning: ", fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbosity < 0)
		return;
	va_start(ap, fmt);
	log_vprint("", fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbosity < 1)
		return;
	va_start(ap, fmt);
	log_vprint("", fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vprint("", fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vprint("fatal: ", fmt, ap);
	va_end(ap);
	exit(1);	/* atexit restores the terminal */
}

int64_t
now_us(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		fatal("clock_gettime: %s", strerror(errno));
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
wall_us(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		fatal("clock_gettime: %s", strerror(errno));
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* All of it, on a descriptor left non-blocking by someone else too (a
 * terminal shares its O_NONBLOCK with every program using it): there
 * EAGAIN waits for room, as a blocking write would. */
int
write_all(int fd, const void *p, size_t n)
{
	const char	*s = p;
	struct pollfd	 pfd;
	ssize_t		 w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -1;
			continue;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Push out what stdio holds for stdout. A write error (ENOSPC, a closed
 * stdout) is said on stderr, except a closed pipe (the reader has gone, as
 * with 'agentrun ls | head'), and gives -1. An error stdio met earlier has
 * lost its errno: it is just "write error", as coreutils says. */
int
flush_stdout(void)
{
	if (fflush(stdout) != 0) {
		if (errno != EPIPE)
			log_error("stdout: %s", strerror(errno));
		return -1;
	}
	if (ferror(stdout)) {
		log_error("stdout: write error");
		return -1;
	}
	return 0;
}

/* Is a process with this id alive (ours to signal or not)? A number that
 * pid_t cannot hold names no process (cast, it could name a live one). */
int
pid_alive(long pid)
{
	if (pid <= 0 || (pid_t)pid != pid)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Does some process hold a lock (flock) on the file at path? 1 if one
 * does, 0 if none does, -1 if that cannot be told (errno: the file cannot
 * be opened, or the file system has no flock). */
int
file_locked(const char *path)
{
	int	 fd, rv, err;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return -1;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		rv = 0;
	else
		rv = errno == EWOULDBLOCK ? 1 : -1;
	err = errno;
	(void)close(fd);
	errno = err;
	return rv;
}

/* Remove path, a file process pid made and a crash left: only while we
 * hold its lock (so its maker, or one that took the name since, does not),
 * with pid gone, and the name still that of the file we locked. 1 removed,
 * 0 kept (held, maker alive, gone meanwhile, or no flock here), -1 on an
 * error (errno). */
int
unlink_leftover(const char *path, long pid)
{
	struct stat	 a, b;
	int		 fd, rv = 0, err = 0;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0 && !pid_alive(pid) &&
	    fstat(fd, &a) == 0 && lstat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		if (unlink(path) == 0)
			rv = 1;
		else if (errno != ENOENT) {
			rv = -1;
			err = errno;
		}
	}
	(void)close(fd);
	errno = err;
	return rv;
}

/* 1 if s ends in suffix. */
int
has_suffix(const char *s, const char *suffix)
{
	size_t	 a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* 1 if path is top or inside it (both absolute and resolved: by name). */
int
path_under(const char *path, const char *top)
{
	size_t	n = strlen(top);

	if (strcmp(top, "/") == 0)
		return 1;
	return strncmp(path, top, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/');
}

/* 1 if path (which need not exist) names an entry of the folder dir, both
 * resolved (symbolic links, "..", relative paths); 0 if not or unknown. */
int
path_in_dir(const char *path, const char *dir)
{
	char	 a[PATH_MAX], b[PATH_MAX], *parent, *slash;
	int	 in;

	if (realpath(dir, a) == NULL)
		return 0;
	if (strchr(path, '/') == NULL)
		return realpath(".", b) != NULL && strcmp(a, b) == 0;
	parent = xstrdup(path);
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	in = realpath(parent, b) != NULL && strcmp(a, b) == 0;
	free(parent);
	return in;
}

/* realpath(3) for a path whose end need not exist (as realpath -m): its
 * deepest existing folder resolved, the names after it added as words,
 * "." and ".." taken by name, and what exists again after them (a link
 * reached through missing/..) resolved. out holds PATH_MAX bytes. 0, or
 * -1 (errno) for a relative path that does not resolve, or a failure. */
int
path_resolve(const char *path, char out[])
{
	char	*head, *rest = NULL, *slash, *w, *save, real[PATH_MAX];
	size_t	 n, k;
	int	 rv = -1;

	if (realpath(path, out) != NULL)
		return 0;
	if (errno != ENOENT || path[0] != '/')
		return -1;
	head = xstrdup(path);
	for (;;) {	/* cut names off until what is left resolves */
		slash = strrchr(head, '/');
		*slash = '\0';
		if (realpath(slash == head ? "/" : head, out) != NULL)
			break;
		if (errno != ENOENT || slash == head)
			goto out;
	}
	rest = xstrdup(path + (slash - head) + 1);
	n = strlen(out);
	for (w = strtok_r(rest, "/", &save); w != NULL;
	    w = strtok_r(NULL, "/", &save)) {
		if (strcmp(w, ".") == 0)
			continue;
		if (strcmp(w, "..") == 0) {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--;
			out[n] = '\0';
			continue;
		}
		k = strlen(w);
		if (n + 1 + k >= PATH_MAX) {
			errno = ENAMETOOLONG;
			goto out;
		}
		if (n > 1)
			out[n++] = '/';
		memcpy(out + n, w, k + 1);
		n += k;
		if (realpath(out, real) != NULL) {
			n = strlen(real);
			memcpy(out, real, n + 1);
		}
	}
	rv = 0;
out:
	free(rest);
	free(head);
	return rv;
}

/* mkdir -p: the common case (it exists) costs one system call. */
int
mkdir_p(const char *path, int mode)
{
	char	*parent, *slash;
	int	 rc;

	if (mkdir(path, (mode_t)mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	parent = xstrdup(path);
	if ((slash = strrchr(parent, '/')) == NULL || slash == parent) {
		free(parent);
		errno = ENOENT;
		return -1;
	}
	*slash = '\0';
	rc = mkdir_p(parent, mode);
	free(parent);
	if (rc != 0)
		return -1;
	if (mkdir(path, (mode_t)mode) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

int
write_file_atomic(const char *path, const void *data, size_t len, int mode,
    char **cause)
{
	char	*tmp;
	int	 fd, rc = -1, err = 0;

	xasprintf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, (mode_t)mode);
	if (fd < 0) {
		err = errno;
		xasprintf(cause, "%s: %s", tmp, strerror(err));
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, data, len) != 0) {
		err = errno;
		xasprintf(cause, "%s: %s", tmp, strerror(err));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		err = errno;
		xasprintf(cause, "%s: %s", path, strerror(err));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	errno = err;
	return rc;
}

int
write_file_inplace(const char *path, const void *data, size_t len,
    char **cause)
{
	struct stat	 st;
	int		 fd, err = 0;

	if ((fd = open(path, O_WRONLY|O_CLOEXEC)) < 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Only into the room the file has: a write that stops part way
	 * would spoil the text that was there. */
	if (fstat(fd, &st) != 0)
		err = errno;
	else if ((off_t)len > (off_t)st.st_blocks * 512)
		err = ENOSPC;
	if (err != 0) {
		xasprintf(cause, "%s: %s", path, strerror(err));
		(void)close(fd);
		errno = err;
		return -1;
	}
	if (write_all(fd, data, len) != 0 || ftruncate(fd, (off_t)len) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		(void)close(fd);
		return -1;
	}
	if (close(fd) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

char *
read_file(const char *path, size_t *lenp, size_t max, char **cause)
{
	return read_file_at(AT_FDCWD, path, path, lenp, max, 0, cause);
}

char *
read_state_file(const char *path, size_t *lenp, size_t max, char **cause)
{
	return read_file_at(AT_FDCWD, path, path, lenp, max, 1, cause);
}

/* name is opened relative to the directory dfd (AT_FDCWD: the current
 * one); errors say shown. With regular, it must be a regular file: it is
 * opened without waiting (a FIFO has no writer) and looked at first. */
char *
read_file_at(int dfd, const char *name, const char *shown, size_t *lenp,
    size_t max, int regular, char **cause)
{
	struct buf	 b;
	struct stat	 st;
	char		 chunk[65536];
	ssize_t		 n;
	int		 fd;

	buf_init(&b);
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC |
	    (regular ? O_NONBLOCK | O_NOCTTY : 0))) < 0) {
		xasprintf(cause, "%s: %s", shown, strerror(errno));
		return NULL;
	}
	if (regular && fstat(fd, &st) != 0) {
		xasprintf(cause, "%s: %s", shown, strerror(errno));
		goto fail;
	}
	if (regular && !S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		xasprintf(cause, "%s: %s", shown, errno == EISDIR ?
		    strerror(errno) : "not a regular file");
		goto fail;
	}
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xasprintf(cause, "%s: %s", shown, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			xasprintf(cause, "%s: larger than %zu bytes", shown, max);
			goto fail;
		}
		buf_add(&b, chunk, (size_t)n);
		/* A short read that reached the size fstat gave is the end of
		 * a regular file: no second read to hear 0 (ls reads thousands
		 * of small sidecars). Files that say size 0 (/proc) read on. */
		if (regular && (size_t)n < sizeof chunk && st.st_size > 0 &&
		    b.len >= (size_t)st.st_size)
			break;
	}
	close(fd);
	if (b.data == NULL)
		buf_add(&b, "", 0);
	if (lenp != NULL)
		*lenp = b.len;
	return b.data;
fail:
	close(fd);
	buf_free(&b);
	return NULL;
}

/* Quote a word for display the way a POSIX shell would read it back. */
void
buf_add_shell_word(struct buf *b, const char *w)
{
	const char	*p;

	if (*w != '\0' && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
	    "OPQRSTUVWXYZ0123456789-_./=:,+@%") == strlen(w)) {
		buf_adds(b, w);
		return;
	}
	buf_addc(b, '\'');
	for (p = w; *p != '\0'; p++) {
		if (*p == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *p);
	}
	buf_addc(b, '\'');
}

/* Look at the sequence that starts with s[0] >= 0x80 (n > 0 bytes left).
 * k > 0: a valid character of k bytes. 0: a valid but incomplete start
 * that runs to the end of the input. -k: invalid; the first k bytes (the
 * longest valid-looking start) stand for one U+FFFD. */
int
utf8_check(const unsigned char *s, size_t n)
{
	unsigned char	 c = s[0], lo = 0x80, hi = 0xbf;
	int		 need, i;

	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (c == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;		/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;		/* above U+10FFFF */
	} else
		return -1;
	for (i = 1; i <= need; i++) {
		if ((size_t)i >= n)
			return 0;
		if (s[i] < lo || s[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

char *
utf8_put(char *o, uint32_t cp)
{
	if (cp < 0x80)
		*o++ = (char)cp;
	else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | ((cp >> 18) & 0x07));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

int
utf8_valid(const char *s0)
{
	const unsigned char	*s = (const unsigned char *)s0;
	size_t			 n = strlen(s0), i = 0;
	int			 k;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_check(s + i, n - i)) <= 0)
			return 0;
		i += (size_t)k;
	}
	return 1;
}

char *
path_join(const char *a, const char *b)
{
	char	*p;
	size_t	 n = strlen(a), k = strlen(b), slash;

	slash = n > 0 && a[n - 1] == '/' ? 0 : 1;
	p = xmalloc(n + slash + k + 1);
	memcpy(p, a, n);
	p[n] = '/';
	memcpy(p + n + slash, b, k + 1);
	return p;
}

char *
xdg_dir(const char *env, const char *fallback)
{
	const char	*v = getenv(env), *home;
	char		*p;

	if (v != NULL && v[0] == '/') {
		xasprintf(&p, "%s/agentrun", v);
		return p;
	}
	/* A relative HOME is no home: it would be taken from the working
	 * folder, the project, which the agent can write. */
	if ((home = getenv("HOME")) == NULL || home[0] != '/')
		return NULL;
	xasprintf(&p, "%s/%s/agentrun", home, fallback);
	return p;
}

int
parse_int(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A decimal number at *s: digits with at most one '.', no sign, exponent
 * or hex (strtod takes all those). *s moves past it; *dot says if it had
 * a fraction. 0, or -1 if there is none. */
static int
scan_decimal(const char **s, double *v, int *dot)
{
	const char	*p = *s;
	char		*end;
	int		 digits = 0;

	*dot = 0;
	for (; (*p >= '0' && *p <= '9') || (*p == '.' && !*dot); p++) {
		if (*p == '.')
			*dot = 1;
		else
			digits++;
	}
	if (digits == 0)
		return -1;
	errno = 0;
	*v = strtod(*s, &end);
	if (errno != 0 || end != p)
		return -1;
	*s = p;
	return 0;
}

/* "90", "1.5", "2m", "1m30s", "1h2m3.5s", "1:30", "1:02:03.5" into
 * seconds. Units come largest first, each once; a bare number stands
 * alone; minutes and seconds after a ':' or a larger unit are below 60,
 * and only the last field has a fraction. */
int
parse_seconds(const char *s, double *out)
{
	static const char	 units[] = "hms";
	static const double	 mult[] = { 3600, 60, 1 };
	double			 total = 0, v;
	const char		*u;
	int			 n, dot, last = -1;

	if (s == NULL || *s == '\0')
		return -1;
	if (strchr(s, ':') != NULL) {
		for (n = 0;; n++) {
			if (n == 3 || scan_decimal(&s, &v, &dot) != 0 ||
			    (n > 0 && v >= 60))
				return -1;
			total = total * 60 + v;
			if (*s == '\0')
				break;
			if (*s != ':' || dot)
				return -1;
			s++;
		}
		*out = total;
		return 0;
	}
	while (*s != '\0') {
		if (scan_decimal(&s, &v, &dot) != 0)
			return -1;
		if (*s == '\0') {
			if (last >= 0)
				return -1;	/* "2m1": 1 what? */
			total = v;
			break;
		}
		if ((u = strchr(units, *s)) == NULL || u - units <= last ||
		    (last >= 0 && v >= 60) || (dot && s[1] != '\0'))
			return -1;
		last = (int)(u - units);
		total += v * mult[last];
		s++;
	}
	*out = total;
	return 0;
}

/* The optimal string alignment distance of a (la bytes) and b: letters
 * wrong, missing, extra or two swapped; or more than max. For "did you
 * mean". */
size_t
edit_distance(const char *a, size_t la, const char *b, size_t max)
{
	size_t	 lb = strlen(b), i, j, d, *r0, *r1, *r2, *t;

	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1;
	r0 = xcalloc(lb + 1, sizeof *r0);	/* row i - 2 */
	r1 = xcalloc(lb + 1, sizeof *r1);	/* row i - 1 */
	r2 = xcalloc(lb + 1, sizeof *r2);	/* row i */
	for (j = 0; j <= lb; j++)
		r1[j] = j;
	for (i = 1; i <= la; i++) {
		r2[0] = i;
		for (j = 1; j <= lb; j++) {
			d = r1[j - 1] + (a[i - 1] != b[j - 1]);
			if (r1[j] + 1 < d)
				d = r1[j] + 1;
			if (r2[j - 1] + 1 < d)
				d = r2[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && r0[j - 2] + 1 < d)
				d = r0[j - 2] + 1;
			r2[j] = d;
		}
		t = r0;
		r0 = r1;
		r1 = r2;
		r2 = t;
	}
	d = r1[lb];
	free(r0);
	free(r1);
	free(r2);
	return d;
}
