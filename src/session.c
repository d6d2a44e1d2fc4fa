/* session.c: the session store. Ids, the layout of
 * $XDG_DATA_HOME/agentrun/sessions (ID.cast.zst beside ID.json, directory
 * 0700, files 0600), sidecars written atomically, listing newest first,
 * and resolving what the user typed into one session. */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cast.h"
#include "session.h"
#include "util.h"

#define SIDECAR_MAX	(1024 * 1024)

void
session_init(struct session *s)
{
	memset(s, 0, sizeof *s);
	s->git_dirty_before = s->git_dirty_after = -1;
	s->exit_status = -1;
	s->state = SESSION_RUNNING;
}

void
session_free(struct session *s)
{
	free(s->cast_path);
	free(s->json_path);
	free(s->project);
	free(s->command);
	cJSON_Delete(s->argv);
	free(s->title);
	free(s->backend);
	free(s->vm);
	free(s->multipass_version);
	cJSON_Delete(s->mounts);
	free(s->mount_mode);
	free(s->git_head_before);
	free(s->git_head_after);
	free(s->record_error);
	session_init(s);
}

/* The store is the user's alone: 0700, a folder (a file there is not
 * made so). */
static int
session_dir_mode(const char *dir)
{
	struct stat	 st;

	if (stat(dir, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return chmod(dir, 0700);
}

char *
session_dir(int create, char **cause)
{
	char	*base, *dir;

	if ((base = xdg_dir("XDG_DATA_HOME", ".local/share")) == NULL) {
		xasprintf(cause, "neither XDG_DATA_HOME nor HOME is set "
		    "(as an absolute path)");
		return NULL;
	}
	dir = path_join(base, "sessions");
	free(base);
	if (create) {
		if (mkdir_p(dir, 0700) != 0 || session_dir_mode(dir) != 0) {
			xasprintf(cause, "%s: %s", dir, strerror(errno));
			free(dir);
			return NULL;
		}
	}
	return dir;
}

void
session_new_id(char id[SESSION_ID_LEN + 1])
{
	struct timespec	 ts;
	struct tm	 tm;
	unsigned int	 r = 0;
	int		 fd;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL)
		fatal("clock: %s", strerror(errno));
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, &r, sizeof r) != (ssize_t)sizeof r)
		r = (unsigned int)ts.tv_nsec ^ (unsigned int)getpid();
	if (fd >= 0)
		close(fd);
	if (strftime(id, SESSION_ID_LEN + 1, "%Y%m%d-%H%M%S-", &tm) != 16)
		fatal("strftime failed");
	/* The millisecond, then a random digit: ids made in the same second
	 * still sort by time (and 'latest' is the last one made). */
	snprintf(id + 16, 5, "%03x%x", (unsigned int)(ts.tv_nsec / 1000000),
	    r & 0xfu);	/* tv_nsec is not a long everywhere (x32) */
}

int
session_file_new(const char *dir, char **tmp, char **cause)
{
	char	*name;
	int	 fd, rc;

	xasprintf(&name, ".%ld.cast.zst.new", (long)getpid());
	*tmp = path_join(dir, name);
	free(name);
	(void)unlink(*tmp);		/* left by a crash of this pid */
	if ((fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0 || fchmod(fd, 0600) != 0) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		if (fd >= 0) {
			(void)close(fd);
			(void)unlink(*tmp);
		}
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	/* A reader looking holds a shared lock for an instant: wait. */
	while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
		;
	if (rc != 0)
		log_debug("%s: flock: %s", *tmp, strerror(errno));
	return fd;
}

/* Give tmp the name path, failing with EEXIST if it is taken; tmp goes.
 * A file system without hard links gets a rename, after a look (the id's
 * random part makes a clash in between unlikely). */
static int
session_link(const char *tmp, const char *path)
{
	struct stat	 st;

	if (link(tmp, path) == 0) {
		(void)unlink(tmp);
		return 0;
	}
	if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP &&
	    errno != ENOSYS)
		return -1;
	if (lstat(path, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(tmp, path);
}

int
session_file_claim(struct session *s, const char *dir, const char *tmp,
    char **cause)
{
	char	*name;
	int	 tries, rc = -1;

	for (tries = 0; tries < 20; tries++) {
		if (tries > 0 || !session_id_valid(s->id))
			session_new_id(s->id);
		free(s->cast_path);
		xasprintf(&name, "%s.cast.zst", s->id);
		s->cast_path = path_join(dir, name);
		free(name);
		if ((rc = session_link(tmp, s->cast_path)) == 0 ||
		    errno != EEXIST)
			break;
	}
	if (rc != 0) {
		xasprintf(cause, "%s: %s", s->cast_path, strerror(errno));
		return -1;
	}
	free(s->json_path);
	xasprintf(&name, "%s.json", s->id);
	s->json_path = path_join(dir, name);
	free(name);
	return 0;
}

int
session_id_valid(const char *s)
{
	static const char	 shape[] = "dddddddd-dddddd-xxxx";
	size_t			 i;

	if (strlen(s) != SESSION_ID_LEN)
		return 0;
	for (i = 0; i < SESSION_ID_LEN; i++) {
		switch (shape[i]) {
		case 'd':
			if (s[i] < '0' || s[i] > '9')
				return 0;
			break;
		case 'x':
			if ((s[i] < '0' || s[i] > '9') &&
			    (s[i] < 'a' || s[i] > 'f'))
				return 0;
			break;
		default:
			if (s[i] != shape[i])
				return 0;
		}
	}
	return 1;
}

const char *
session_state_name(enum session_state st)
{
	switch (st) {
	case SESSION_RUNNING:
		return "running";
	case SESSION_FINISHED:
		return "finished";
	case SESSION_INTERRUPTED:
		return "interrupted";
	case SESSION_IMPORTED:
		return "imported";
	case SESSION_FILE:
		return "file";
	}
	return "unknown";
}

static void
json_add_str(cJSON *o, const char *k, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, k, v);
}

static void
json_add_time(cJSON *o, const char *k, int64_t us)
{
	char		 iso[64];
	struct tm	 tm;
	time_t		 t = (time_t)(us / 1000000);
	char		*key;

	cJSON_AddNumberToObject(o, k, (double)us / 1e6);
	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0) {
		xasprintf(&key, "%s_iso", k);
		cJSON_AddStringToObject(o, key, iso);
		free(key);
	}
}

/* The bytes of s in hex: the exact name of a project whose path is not
 * UTF-8, which JSON cannot hold. */
static char *
hex_encode(const char *s)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i, n = strlen(s);
	char			*h = xmalloc(2 * n + 1);

	for (i = 0; i < n; i++) {
		h[2 * i] = digits[(unsigned char)s[i] >> 4];
		h[2 * i + 1] = digits[(unsigned char)s[i] & 0xf];
	}
	h[2 * n] = '\0';
	return h;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* hex_encode undone: NULL for anything else (odd, not hex, a NUL). */
static char *
hex_decode(const char *h)
{
	size_t	 i, n = strlen(h);
	char	*s;
	int	 hi, lo;

	if (n == 0 || n % 2 != 0)
		return NULL;
	s = xmalloc(n / 2 + 1);
	for (i = 0; i < n / 2; i++) {
		hi = hex_digit(h[2 * i]);
		lo = hex_digit(h[2 * i + 1]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(s);
			return NULL;
		}
		s[i] = (char)(hi << 4 | lo);
	}
	s[n / 2] = '\0';
	return s;
}

/* Every string valid UTF-8, as JSON wants (a command line or a path may
 * hold any bytes): what is not becomes U+FFFD, and a project path that
 * is not also goes in project_hex, which session_from_json prefers, as
 * ls matches it byte for byte. */
cJSON *
session_to_json(const struct session *s)
{
	cJSON	*o, *git;
	char	*hex;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", s->id);
	cJSON_AddStringToObject(o, "state", session_state_name(s->state));
	cJSON_AddNumberToObject(o, "pid", (double)s->pid);
	json_add_str(o, "project", s->project);
	if (s->project != NULL && !utf8_valid(s->project)) {
		hex = hex_encode(s->project);
		cJSON_AddStringToObject(o, "project_hex", hex);
		free(hex);
	}
	json_add_str(o, "command", s->command);
	if (s->argv != NULL)
		cJSON_AddItemToObject(o, "argv", cJSON_Duplicate(s->argv, 1));
	json_add_str(o, "title", s->title);
	json_add_str(o, "backend", s->backend);
	json_add_str(o, "vm", s->vm);
	json_add_str(o, "multipass_version", s->multipass_version);
	if (s->mounts != NULL)
		cJSON_AddItemToObject(o, "mounts", cJSON_Duplicate(s->mounts, 1));
	json_add_str(o, "mount_mode", s->mount_mode);
	if (s->git_head_before != NULL || s->git_head_after != NULL) {
		git = cJSON_AddObjectToObject(o, "git");
		json_add_str(git, "head_before", s->git_head_before);
		if (s->git_dirty_before >= 0)
			cJSON_AddBoolToObject(git, "dirty_before",
			    s->git_dirty_before);
		json_add_str(git, "head_after", s->git_head_after);
		if (s->git_dirty_after >= 0)
			cJSON_AddBoolToObject(git, "dirty_after",
			    s->git_dirty_after);
	}
	if (s->start != 0)	/* 0: unknown (a file without a timestamp) */
		json_add_time(o, "start", s->start);
	if (s->end != 0) {
		json_add_time(o, "end", s->end);
		cJSON_AddNumberToObject(o, "duration",
		    (double)(s->end - s->start) / 1e6);
	}
	if (s->exit_status >= 0)
		cJSON_AddNumberToObject(o, "exit_status", s->exit_status);
	cJSON_AddNumberToObject(o, "bytes", (double)s->bytes);
	cJSON_AddNumberToObject(o, "cols", s->cols);
	cJSON_AddNumberToObject(o, "rows", s->rows);
	cJSON_AddBoolToObject(o, "record_input", s->record_input);
	json_add_str(o, "record_error", s->record_error);
	cast_json_utf8(o);
	return o;
}

/* Atomically, but for a full disk: there the new sidecar overwrites the
 * one written at the start in place, which needs no new block as long
 * as the text fits in the old one's (a crash in between could tear it). */
int
session_write(const struct session *s, char **cause)
{
	cJSON	*o;
	char	*text, *c2 = NULL;
	int	 rc, err;

	o = session_to_json(s);
	text = cJSON_Print(o);
	cJSON_Delete(o);
	if (text == NULL)
		fatal("out of memory");
	rc = write_file_atomic(s->json_path, text, strlen(text), 0600, cause);
	err = errno;
	if (rc != 0 && (err == ENOSPC || err == EDQUOT)) {
		if (write_file_inplace(s->json_path, text, strlen(text),
		    &c2) == 0) {
			free(*cause);
			*cause = NULL;
			rc = 0;
		} else
			err = errno;
	}
	free(c2);
	free(text);
	errno = err;	/* the caller may look at why */
	return rc;
}

/* A sidecar's members looked up in the order they are written: each
 * search starts after the last member found and wraps, so a sidecar
 * from session_to_json costs one comparison a member (ls reads
 * thousands). */
struct json_cursor {
	cJSON		*o;
	cJSON		*next;
};

static int
json_key_is(const cJSON *v, const char *k)
{
	const char	*s = v->string;

	if (s == NULL)
		return 0;
	while (*s == *k && *k != '\0') {
		s++;
		k++;
	}
	return *s == *k;
}

static cJSON *
json_get(struct json_cursor *c, const char *k)
{
	cJSON	*v;

	for (v = c->next; v != NULL; v = v->next)
		if (json_key_is(v, k))
			goto found;
	for (v = c->o->child; v != NULL && v != c->next; v = v->next)
		if (json_key_is(v, k))
			goto found;
	return NULL;
found:
	c->next = v->next;
	return v;
}

static char *
json_str(struct json_cursor *c, const char *k)
{
	const cJSON	*v = json_get(c, k);

	return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

/* A number from lo to hi, else def: a sidecar edited by hand must not
 * make a conversion overflow. */
static double
json_num(struct json_cursor *c, const char *k, double def, double lo,
    double hi)
{
	const cJSON	*v = json_get(c, k);

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo) ||
	    !(v->valuedouble <= hi))
		return def;
	return v->valuedouble;
}

static int
json_bool(struct json_cursor *c, const char *k)
{
	const cJSON	*v = json_get(c, k);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
}

/* The member taken out of the parsed object, which is freed after. */
static cJSON *
json_take(struct json_cursor *c, const char *k)
{
	cJSON	*v = json_get(c, k);

	return v != NULL ? cJSON_DetachItemViaPointer(c->o, v) : NULL;
}

static enum session_state
session_state_parse(const char *st, pid_t pid)
{
	if (st == NULL)
		return SESSION_INTERRUPTED;
	if (strcmp(st, "finished") == 0)
		return SESSION_FINISHED;
	if (strcmp(st, "imported") == 0)
		return SESSION_IMPORTED;
	if (strcmp(st, "running") == 0) {
		if (pid_alive(pid))
			return SESSION_RUNNING;
	}
	return SESSION_INTERRUPTED;
}

static void
session_from_json(cJSON *o, struct session *s)
{
	struct json_cursor	 c = { o, o->child }, gc;
	cJSON			*git;
	char			*id, *st, *hex, *raw;

	/* In session_to_json's order. */
	if ((id = json_str(&c, "id")) != NULL && session_id_valid(id))
		memcpy(s->id, id, SESSION_ID_LEN + 1);
	free(id);
	st = json_str(&c, "state");
	s->pid = (pid_t)json_num(&c, "pid", 0, 0, INT_MAX);
	s->state = session_state_parse(st, s->pid);
	free(st);
	s->project = json_str(&c, "project");
	if ((hex = json_str(&c, "project_hex")) != NULL &&
	    (raw = hex_decode(hex)) != NULL) {
		free(s->project);
		s->project = raw;
	}
	free(hex);
	s->command = json_str(&c, "command");
	s->argv = json_take(&c, "argv");
	s->title = json_str(&c, "title");
	s->backend = json_str(&c, "backend");
	s->vm = json_str(&c, "vm");
	s->multipass_version = json_str(&c, "multipass_version");
	s->mounts = json_take(&c, "mounts");
	s->mount_mode = json_str(&c, "mount_mode");
	git = json_get(&c, "git");
	if (cJSON_IsObject(git)) {
		gc.o = git;
		gc.next = git->child;
		s->git_head_before = json_str(&gc, "head_before");
		s->git_dirty_before = json_bool(&gc, "dirty_before");
		s->git_head_after = json_str(&gc, "head_after");
		s->git_dirty_after = json_bool(&gc, "dirty_after");
	}
	/* Times up to the year 9999, as the ids can say. */
	s->start = (int64_t)(json_num(&c, "start", 0, 0, 253402300799.0) *
	    1e6 + 0.5);
	s->end = (int64_t)(json_num(&c, "end", 0, 0, 253402300799.0) * 1e6 +
	    0.5);
	s->exit_status = (int)json_num(&c, "exit_status", -1, -1, 255);
	s->bytes = (uint64_t)json_num(&c, "bytes", 0, 0, 9007199254740992.0);
	s->cols = (int)json_num(&c, "cols", 80, 1, 65535);
	s->rows = (int)json_num(&c, "rows", 24, 1, 65535);
	s->record_input = json_bool(&c, "record_input") == 1;
	s->record_error = json_str(&c, "record_error");
}

/* A sidecar's text made into s; path names it in messages. */
static int
session_parse(const char *text, size_t len, const char *path,
    struct session *s, char **cause)
{
	cJSON	*o;

	o = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		xasprintf(cause, "%s: not a session sidecar (bad JSON)", path);
		return -1;
	}
	session_from_json(o, s);
	cJSON_Delete(o);
	return 0;
}

int
session_read(const char *path, struct session *s, char **cause)
{
	char	*text;
	size_t	 len;
	int	 rc;

	if ((text = read_state_file(path, &len, SIDECAR_MAX, cause)) == NULL)
		return -1;
	rc = session_parse(text, len, path, s, cause);
	free(text);
	if (rc == 0) {
		free(s->json_path);
		s->json_path = xstrdup(path);
	}
	return rc;
}

/* Is a recorder writing the session's transcript? 1 if one holds the
 * lock on it, 0 if nobody does, -1 with errno if that cannot be told
 * (ENOENT: no transcript; a file system without flock). */
static int
session_recording(const struct session *s)
{
	if (s->cast_path == NULL) {
		errno = EINVAL;
		return -1;
	}
	return file_locked(s->cast_path);
}

/* The recorder holds a lock on the transcript while it writes, and the
 * lock outranks the sidecar: a session whose sidecar says the recorder is
 * gone (none, an unreadable one, a dead pid) but whose transcript is
 * locked is running; one whose sidecar names a live pid but whose
 * transcript nobody locks, or that has no transcript at all (a recorder
 * makes it before the sidecar), is not (that pid is another process now,
 * as after a reboot). */
static void
session_check_lock(struct session *s)
{
	int	 rec;

	if (s->state != SESSION_INTERRUPTED && s->state != SESSION_RUNNING &&
	    s->state != SESSION_FILE)
		return;
	rec = session_recording(s);
	if (rec == 1)
		s->state = SESSION_RUNNING;
	else if ((rec == 0 || (rec < 0 && errno == ENOENT)) &&
	    s->state == SESSION_RUNNING)
		s->state = SESSION_INTERRUPTED;
}

/* A sidecar read ahead (text NULL: there was none to read). */
struct sidecar {
	char	*text;
	size_t	 len;
};

/* A store file's name: the id and ext (".json", ".cast.zst"). */
static char *
session_file_name(char name[SESSION_ID_LEN + 16], const char *id,
    const char *ext)
{
	memcpy(name, id, SESSION_ID_LEN);
	memcpy(name + SESSION_ID_LEN, ext, strlen(ext) + 1);
	return name;
}

/* Fill s for the id in dir (open as dfd, or AT_FDCWD): the sidecar if
 * there is one, else the id alone (a transcript whose sidecar was never
 * written). With pre, the sidecar was read already (its text is freed). */
static void
session_load(const char *dir, int dfd, const char *id, struct sidecar *pre,
    struct session *s)
{
	char		*cause = NULL, name[SESSION_ID_LEN + 16];
	struct sidecar	 sc;

	session_init(s);
	s->json_path = path_join(dir, session_file_name(name, id, ".json"));
	if (pre != NULL)
		sc = *pre;
	else
		sc.text = read_file_at(dfd, dfd == AT_FDCWD ? s->json_path :
		    name, s->json_path, &sc.len, SIDECAR_MAX, 1, &cause);
	if (sc.text == NULL ||
	    session_parse(sc.text, sc.len, s->json_path, s, &cause) != 0) {
		free(cause);	/* nothing was filled in */
		s->state = SESSION_INTERRUPTED;
	}
	free(sc.text);
	memcpy(s->id, id, SESSION_ID_LEN + 1);
	s->cast_path = path_join(dir, session_file_name(name, id, ".cast.zst"));
	session_check_lock(s);
}

typedef char session_idrec[SESSION_ID_LEN + 1];

static int
id_cmp_desc(const void *a, const void *b)
{
	return memcmp(b, a, SESSION_ID_LEN);
}

/* For a file system that gives no type in readdir. */
static int
session_is_dir(const char *dir, const char *name)
{
	struct stat	 st;
	char		*path = path_join(dir, name);
	int		 rv;

	rv = lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
	free(path);
	return rv;
}

/* The ids are gathered as fixed records, sorted, and handed out as one
 * block: the pointers, then the ids they point to (one free). */
int
session_ids(const char *dir, char ***idsp, size_t *np, char **cause)
{
	DIR		*d;
	struct dirent	*de;
	session_idrec	*rec = NULL;
	char		**ids;
	size_t		 n = 0, cap = 0, i, j;

	*idsp = NULL;
	*np = 0;
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len < SESSION_ID_LEN + 1 || de->d_name[SESSION_ID_LEN] != '.')
			continue;
		if (de->d_type == DT_DIR || (de->d_type == DT_UNKNOWN &&
		    session_is_dir(dir, de->d_name)))
			continue;	/* not a session's file */
		if (strcmp(de->d_name + SESSION_ID_LEN, ".cast.zst") != 0 &&
		    strcmp(de->d_name + SESSION_ID_LEN, ".json") != 0)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			rec = xrealloc(rec, cap * sizeof *rec);
		}
		memcpy(rec[n], de->d_name, SESSION_ID_LEN);
		rec[n][SESSION_ID_LEN] = '\0';
		if (session_id_valid(rec[n]))
			n++;
	}
	closedir(d);
	if (n == 0)
		goto out;
	qsort(rec, n, sizeof *rec, id_cmp_desc);
	for (i = j = 1; i < n; i++)	/* ID.json and ID.cast.zst: once */
		if (memcmp(rec[j - 1], rec[i], SESSION_ID_LEN) != 0)
			memcpy(rec[j++], rec[i], sizeof *rec);
	ids = xmalloc(j * (sizeof *ids + sizeof *rec));
	memcpy(ids + j, rec, j * sizeof *rec);
	for (i = 0; i < j; i++)
		ids[i] = (char *)(ids + j) + i * sizeof *rec;
	*idsp = ids;
	*np = j;
out:
	free(rec);
	return 0;
}

void
session_ids_free(char **ids, size_t n)
{
	(void)n;
	free(ids);
}

/* When a session came into the store, in microseconds: a recording's
 * start; for an import (whose start is its file's, maybe years old) or a
 * session without a sidecar, the time in its id, to the millisecond. */
static int64_t
session_store_time(const struct session *s)
{
	struct tm	 tm;
	unsigned int	 ms;

	if (s->state != SESSION_IMPORTED && s->start > 0)
		return s->start;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s->id, "%4d%2d%2d-%2d%2d%2d-%3x", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	if (ms > 999)		/* an id from before the millisecond */
		ms = 0;
	return (int64_t)timegm(&tm) * 1000000 + (int64_t)ms * 1000;
}

/* Newest first: ids order by the second, and ties within a second are
 * broken by the time each came into the store. */
static int
session_cmp_desc(const void *a, const void *b)
{
	const struct session	*x = a, *y = b;
	int64_t			 tx = session_store_time(x);
	int64_t			 ty = session_store_time(y);

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return strcmp(y->id, x->id);
}

/* A long list is loaded by two threads. A sidecar costs about as much
 * to open, read and close as to parse, so a second thread reads the
 * sidecars of the list's older part while this one loads the newer part
 * whole, then parses what the other read. The other thread only reads:
 * cJSON's parser keeps its last error in a global. The shares are those
 * that end together when reading is half the cost. */
#define SESSION_LIST_SPLIT	512	/* shorter lists: one thread */

struct sidecar_reader {
	int		 dfd;
	char		**ids;
	struct sidecar	*sc;		/* one per id from `from' on */
	size_t		 from, to;
};

static void *
sidecar_reader_run(void *arg)
{
	struct sidecar_reader	*rd = arg;
	struct sidecar		*sc;
	char			 name[SESSION_ID_LEN + 16], *cause;
	size_t			 i;

	for (i = rd->from; i < rd->to; i++) {
		sc = &rd->sc[i - rd->from];
		cause = NULL;
		session_file_name(name, rd->ids[i], ".json");
		sc->text = read_file_at(rd->dfd, name, name, &sc->len,
		    SIDECAR_MAX, 1, &cause);
		free(cause);
	}
	return NULL;
}

static void
session_load_all(const char *dir, int dfd, char **ids, size_t n,
    struct session *v)
{
	struct sidecar_reader	 rd = { dfd, ids, NULL, n, n };
	pthread_t		 t;
	size_t			 i;

	if (n >= SESSION_LIST_SPLIT) {
		rd.from = n / 3;
		rd.sc = xcalloc(n - rd.from, sizeof *rd.sc);
		if (pthread_create(&t, NULL, sidecar_reader_run, &rd) != 0)
			rd.from = n;	/* no thread: all here */
	}
	for (i = 0; i < rd.from; i++)
		session_load(dir, dfd, ids[i], NULL, &v[i]);
	if (rd.from < n && (errno = pthread_join(t, NULL)) != 0)
		fatal("pthread_join: %s", strerror(errno));
	for (; i < n; i++)
		session_load(dir, dfd, ids[i], &rd.sc[i - rd.from], &v[i]);
	free(rd.sc);
}

int
session_list(const char *dir, const char *project, struct session_list *l,
    char **cause)
{
	char	**ids;
	size_t	 n, i, j;
	int	 dfd;

	l->v = NULL;
	l->n = 0;
	if (session_ids(dir, &ids, &n, cause) != 0)
		return -1;
	if (n == 0)
		return 0;
	/* Opened once: each sidecar is then one name to look up. */
	if ((dfd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC)) < 0) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		session_ids_free(ids, n);
		return -1;
	}
	l->v = xcalloc(n, sizeof *l->v);
	session_load_all(dir, dfd, ids, n, l->v);
	close(dfd);
	session_ids_free(ids, n);
	for (i = 0; i < n; i++) {
		if (project != NULL && (l->v[i].project == NULL ||
		    strcmp(l->v[i].project, project) != 0))
			session_free(&l->v[i]);
		else if (l->n++ != i)
			l->v[l->n - 1] = l->v[i];
	}
	/* In id order already; only the sessions of one second need it. */
	for (i = 0; i < l->n; i = j) {
		for (j = i + 1; j < l->n &&
		    memcmp(l->v[i].id, l->v[j].id, 15) == 0; j++)
			;
		if (j - i > 1)
			qsort(l->v + i, j - i, sizeof *l->v,
			    session_cmp_desc);
	}
	return 0;
}

void
session_list_free(struct session_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		session_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Is the .json file at path a session's sidecar, not a recording (an
 * asciicast v1 file, which asciinema 1.x names .json)? A sidecar is an
 * object with no "version"; anything else (a v1 file, one larger than a
 * sidecar may be, no JSON object at all) is left to the cast reader to
 * read or refuse. The sidecar's session id goes into id, if it has one. */
int
session_sidecar_at(const char *path, char id[SESSION_ID_LEN + 1])
{
	const cJSON	*v;
	cJSON		*o;
	char		*text, *cause = NULL;
	size_t		 len;
	int		 sidecar;

	id[0] = '\0';
	if ((text = read_state_file(path, &len, SIDECAR_MAX, &cause)) == NULL) {
		free(cause);
		return 0;
	}
	o = cJSON_ParseWithLength(text, len);
	sidecar = cJSON_IsObject(o) &&
	    cJSON_GetObjectItemCaseSensitive(o, "version") == NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, "id");
	if (sidecar && cJSON_IsString(v) && session_id_valid(v->valuestring))
		memcpy(id, v->valuestring, SESSION_ID_LEN + 1);
	cJSON_Delete(o);
	free(text);
	return sidecar;
}

/* Is s's transcript one of the store, named by its id? */
static int
session_in_store(const struct session *s)
{
	char		*dir, *cause = NULL, name[SESSION_ID_LEN + 16];
	const char	*base = strrchr(s->cast_path, '/');
	int		 in;

	base = base != NULL ? base + 1 : s->cast_path;
	if (!session_id_valid(s->id) ||
	    strcmp(base, session_file_name(name, s->id, ".cast.zst")) != 0)
		return 0;
	if ((dir = session_dir(0, &cause)) == NULL) {
		free(cause);
		return 0;
	}
	in = path_in_dir(s->cast_path, dir);
	free(dir);
	return in;
}

/* A path the user gave: a transcript, with its sidecar if one is beside;
 * a .json one is an asciicast v1 file (but a sidecar is refused). */
static int
session_resolve_path(const char *spec, struct session *s, char **cause)
{
	struct stat	 st;
	char		*json = NULL, *c2 = NULL, id[SESSION_ID_LEN + 1];
	const char	*ext;
	size_t		 n = strlen(spec);

	if (stat(spec, &st) != 0) {
		/* A store file's name, as ls of the store shows it. */
		ext = n > SESSION_ID_LEN ? spec + SESSION_ID_LEN : "";
		snprintf(id, sizeof id, "%.*s", SESSION_ID_LEN, spec);
		if (errno == ENOENT && strchr(spec, '/') == NULL &&
		    (strcmp(ext, ".cast.zst") == 0 ||
		    strcmp(ext, ".json") == 0) && session_id_valid(id)) {
			xasprintf(cause, "%s: no such file; for the session, "
			    "say %s", spec, id);
			return -1;
		}
		xasprintf(cause, "%s: %s", spec, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s: not a recording (not a regular file)", spec);
		return -1;
	}
	if (has_suffix(spec, ".json") && session_sidecar_at(spec, id)) {
		xasprintf(cause, "%s: a session's sidecar, not its recording: "
		    "name the session by its id%s%s%s", spec,
		    id[0] != '\0' ? " (" : "", id, id[0] != '\0' ? ")" : "");
		return -1;
	}
	if (has_suffix(spec, ".cast.zst"))
		xasprintf(&json, "%.*s.json", (int)(n - 9), spec);
	if (json != NULL && session_read(json, s, &c2) != 0) {
		free(c2);
		session_free(s);
	}
	s->cast_path = xstrdup(spec);
	if (s->id[0] == '\0') {
		const char *base = strrchr(spec, '/');

		base = base != NULL ? base + 1 : spec;
		snprintf(s->id, sizeof s->id, "%.*s", SESSION_ID_LEN, base);
		/* No sidecar: a transcript of the store reads as session_load
		 * reads it (with the path of a sidecar that cannot be read, a
		 * torn one, for rm to remove too), any other file as what it
		 * is. */
		if (session_in_store(s)) {
			s->state = SESSION_INTERRUPTED;
			s->json_path = json;
			json = NULL;
		} else
			s->state = SESSION_FILE;
	}
	free(json);
	session_check_lock(s);
	return 0;
}

/* The newest session (of the project if it has any). Ids order by the
 * second only, so ties within a second are broken by the sidecar's start. */
static const char *
session_latest(const char *dir, char **ids, size_t n, const char *project)
{
	struct session	 s;
	const char	*best = NULL;
	int64_t		 best_start = -1, t;
	size_t		 i;
	int		 pass;

	for (pass = project != NULL ? 0 : 1; pass < 2 && best == NULL;
	    pass++) {
		for (i = 0; i < n; i++) {
			if (best != NULL && strncmp(ids[i], best, 15) != 0)
				break;	/* an older second */
			session_load(dir, AT_FDCWD, ids[i], NULL, &s);
			if (pass == 0 && (s.project == NULL ||
			    strcmp(s.project, project) != 0)) {
				session_free(&s);
				continue;
			}
			t = session_store_time(&s);
			if (best == NULL || t > best_start) {
				best = ids[i];
				best_start = t;
			}
			session_free(&s);
		}
	}
	return best;
}

int
session_resolve(const char *spec, const char *project, struct session *s,
    char **cause)
{
	char		**ids = NULL, *dir;
	const char	*found = NULL;
	size_t		 n = 0, i, hits = 0, len = strlen(spec);
	struct buf	 cand;
	struct stat	 st;
	int		 rc = -1;

	session_init(s);
	/* No id has a '/' or a '.' in it. */
	if (strchr(spec, '/') != NULL || has_suffix(spec, ".cast") ||
	    has_suffix(spec, ".zst") || has_suffix(spec, ".json"))
		return session_resolve_path(spec, s, cause);
	if ((dir = session_dir(0, cause)) == NULL)
		return -1;
	if (session_ids(dir, &ids, &n, cause) != 0)
		goto out;
	buf_init(&cand);
	if (strcmp(spec, "latest") == 0) {
		if ((found = session_latest(dir, ids, n, project)) == NULL)
			xasprintf(cause, "no sessions recorded yet");
	} else if (len == 0) {
		xasprintf(cause, "empty session id");
	} else {
		for (i = 0; i < n; i++) {
			if (strncmp(ids[i], spec, len) != 0)
				continue;
			if (hits++ < 5)
				buf_addf(&cand, "%s%s", hits > 1 ? ", " : "",
				    ids[i]);
			found = ids[i];
		}
		if (hits == 0 && stat(spec, &st) == 0 && S_ISREG(st.st_mode))
			xasprintf(cause, "%s: no such session; for the file "
			    "of that name, say ./%s", spec, spec);
		else if (hits == 0)
			xasprintf(cause, "%s: no such session (see 'agentrun ls"
			    " --all')", spec);
		else if (hits > 1) {
			xasprintf(cause, "%s: ambiguous, %zu sessions match: "
			    "%s%s", spec, hits, cand.data,
			    hits > 5 ? ", ..." : "");
			found = NULL;
		}
	}
	buf_free(&cand);
	if (found != NULL) {
		session_load(dir, AT_FDCWD, found, NULL, s);
		rc = 0;
	}
out:
	session_ids_free(ids, n);
	free(dir);
	return rc;
}
