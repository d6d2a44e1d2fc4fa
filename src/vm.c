/* vm.c: policy for the multipass backend: ensure the VM (launch and
 * provision, start), the mount safety rules, reconciling mounts to exactly
 * the project under a per-VM lock, the live-session registry, and the
 * exec command line that runs the payload through a login shell. */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "multipass.h"
#include "session.h"
#include "util.h"
#include "vm.h"

/* In ≤1.16 an exec whose command exits 4 is re-run forever; inside the
 * guest 4 becomes this and vm_exit_status turns it back. */
#define VM_STATUS4_SENTINEL	244
/* Ends a guest script: its last status, 4 turned into the sentinel. */
#define VM_GUARD4	"s=$?; [ \"$s\" -eq 4 ] && s=244; exit \"$s\""

/* Where a read-only project's real (writable) mount lives in the guest:
 * below a folder only root can enter. */
#define VM_STAGE_ROOT		"/var/lib/agentrun"
#define VM_STAGE_DIR		VM_STAGE_ROOT "/ro"

#define VM_HEAD_MAX	4096	/* output looked at for "exec failed:" */

struct vm_handle {
	char	*name;
	char	*live_path;	/* our entry in the live registry */
	int	 live_fd;	/* holding its lock */
	int	 guard4;
	struct buf env;		/* the forwarded variables, as VM_ENV_READ
				   reads them; empty: none */
	char	 head[VM_HEAD_MAX];	/* the start of the output */
	size_t	 head_len;
};

/* The forwarded variables (ANTHROPIC_API_KEY) do not go on the multipass
 * command line, where any user of the host could read them (ps): the
 * guest shell turns echo, line editing and signal keys off, prints
 * VM_ENV_MARK and reads them from its terminal, NAME=VALUE each followed
 * by a space, then a space alone; agentrun, seeing the mark, types them
 * in ahead of the user's keys, which wait for it (pty.h: mark and reply).
 * A value's letters, digits and a few marks go as they are, every other
 * byte (the space too) as \xHH, which printf %b undoes: no byte the
 * terminal would act on. read -d reads a byte at a time, leaving the keys
 * after it to the command (with '\n' bash reads a terminal in blocks,
 * which would take them). The script's own variables start with
 * _agentrun_, which config.c refuses to forward. */
#define VM_ENV_READ \
	"_agentrun_t=$(stty -g 2>/dev/null); " \
	"stty -echo -icanon -isig 2>/dev/null; " \
	"printf '\\033]" VM_ENV_MARK_TEXT "\\007'; " \
	"while IFS= read -r -d ' ' _agentrun_l && " \
	"[ -n \"$_agentrun_l\" ]; do " \
	"printf -v _agentrun_v %b \"${_agentrun_l#*=}\"; " \
	"export \"${_agentrun_l%%=*}=$_agentrun_v\"; done; " \
	"[ -z \"$_agentrun_t\" ] || stty \"$_agentrun_t\"; "

/* What a snap multipass can mount (reference: its confinement; removable
 * media, /media and /mnt, once that interface is connected). */
#define VM_SNAP_SEES	"can only mount folders under /home (and, once "	\
	"'sudo snap connect multipass:removable-media' is run, /media and "	\
	"/mnt) with no hidden (dot) folder in their path"

/* Ends a refusal where choosing another project folder is the fix. */
#define VM_PROJECT_ADVICE	"run agentrun in a project folder or use -C DIR"

/* Folders that are the system's: refused, and so is all inside them. */
static const char *const system_dirs[] = {
	"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64",
	"/libx32", "/proc", "/run", "/sbin", "/snap", "/sys", "/usr", "/var",
	"/nix", "/System", "/Library", "/Applications", "/private/etc",
	"/private/var", "/cores", NULL
};

/* Folders that hold many things rather than one project: refused
 * themselves, their sub-folders are fine. */
static const char *const container_dirs[] = {
	"/home", "/Users", "/tmp", "/private", "/private/tmp", "/opt",
	"/srv", "/mnt", "/media", "/root", "/Volumes", "/home/ubuntu", NULL
};

int
vm_name_valid(const char *name, char **cause)
{
	size_t	i, len = strlen(name);

	if (len == 0) {
		xasprintf(cause, "a VM name cannot be empty");
		return -1;
	}
	if (len > 40) {
		xasprintf(cause, "VM name \"%s\" is longer than 40 characters",
		    name);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '-')
			break;
	}
	if (i != len || !isalpha((unsigned char)name[0]) ||
	    name[len - 1] == '-') {
		xasprintf(cause, "VM name \"%s\" is not valid: use letters, "
		    "digits and hyphens, starting with a letter and not "
		    "ending with a hyphen", name);
		return -1;
	}
	if (strcasecmp(name, "primary") == 0) {
		xasprintf(cause, "the VM name \"%s\" is refused: "
		    "Multipass mounts your home folder into it", name);
		return -1;
	}
	return 0;
}

/* --- the mount policy (pure) ------------------------------------------ */

static int
path_plain(const char *p)
{
	const char	*s;

	if (p[0] != '/')
		return 0;
	if (strcmp(p, "/") == 0)
		return 1;
	if (p[strlen(p) - 1] == '/')
		return 0;
	for (s = p; *s != '\0'; s++) {
		if (s[0] != '/')
			continue;
		if (s[1] == '/' || (s[1] == '.' && (s[2] == '/' ||
		    s[2] == '\0')) || (s[1] == '.' && s[2] == '.' &&
		    (s[3] == '/' || s[3] == '\0')))
			return 0;
	}
	return 1;
}

int
vm_mount_allowed(const char *path, const char *home, int snap, char **cause)
{
	const char	*s;
	size_t		 i, hlen;

	for (s = path; *s != '\0'; s++) {
		if (iscntrl((unsigned char)*s)) {
			xasprintf(cause, "refusing to mount a folder whose "
			    "name has a control character");
			return -1;
		}
	}
	if (!path_plain(path)) {
		xasprintf(cause, "refusing to mount %s: not a resolved "
		    "absolute path", path);
		return -1;
	}
	if (!utf8_valid(path)) {
		/* Multipass carries paths as UTF-8 strings. */
		xasprintf(cause, "cannot mount a folder whose path is not "
		    "valid UTF-8: multipass cannot express it; rename the "
		    "folder or use -C with another one");
		return -1;
	}
	if (strchr(path, ':') != NULL) {
		xasprintf(cause, "cannot mount %s: multipass cannot express a "
		    "path with ':' in it (it reads NAME:PATH); rename the "
		    "folder or use -C with another one", path);
		return -1;
	}
	if (strcmp(path, "/") == 0) {
		xasprintf(cause, "refusing to mount /: that would give the VM "
		    "your whole file system; " VM_PROJECT_ADVICE);
		return -1;
	}
	if (home != NULL && *home != '\0' && strcmp(home, "/") != 0) {
		if (strcmp(path, home) == 0) {
			xasprintf(cause, "refusing to mount your home folder "
			    "%s: " VM_PROJECT_ADVICE, path);
			return -1;
		}
		if (path_under(home, path)) {
			xasprintf(cause, "refusing to mount %s: it contains "
			    "your home folder %s; " VM_PROJECT_ADVICE, path,
			    home);
			return -1;
		}
		hlen = strlen(home);
		if (path_under(path, home) && path[hlen + 1] == '.') {
			s = strchr(path + hlen + 1, '/');
			if (s == NULL)
				s = path + strlen(path);
			if (*s == '\0')
				xasprintf(cause, "refusing to mount %s: hidden "
				    "folders of your home hold settings and "
				    "credentials", path);
			else
				xasprintf(cause, "refusing to mount %s: it is "
				    "inside %.*s, where settings and "
				    "credentials live", path, (int)(s - path),
				    path);
			return -1;
		}
	}
	for (i = 0; system_dirs[i] != NULL; i++) {
		if (path_under(path, system_dirs[i])) {
			xasprintf(cause, "refusing to mount %s: %s is a system "
			    "folder", path, system_dirs[i]);
			return -1;
		}
	}
	for (i = 0; container_dirs[i] != NULL; i++) {
		if (strcmp(path, container_dirs[i]) == 0) {
			xasprintf(cause, "refusing to mount %s: it holds many "
			    "folders, not one project; " VM_PROJECT_ADVICE,
			    path);
			return -1;
		}
	}
	if (snap && ((!path_under(path, "/home") &&
	    !path_under(path, "/media") && !path_under(path, "/mnt")) ||
	    strstr(path, "/.") != NULL)) {
		xasprintf(cause, "cannot mount %s: multipass is installed as "
		    "a snap, which " VM_SNAP_SEES "; move the project there",
		    path);
		return -1;
	}
	return 0;
}

/* --- state: lock, live registry, version cache ------------------------ */

static char *
state_path(const char *name, char **cause)
{
	char	*dir, *p;

	if ((dir = xdg_dir("XDG_STATE_HOME", ".local/state")) == NULL) {
		xasprintf(cause, "HOME is not set, or not an absolute path");
		return NULL;
	}
	if (mkdir_p(dir, 0700) != 0) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	p = name != NULL ? path_join(dir, name) : xstrdup(dir);
	free(dir);
	return p;
}

/* The exclusive per-VM lock; -1 and *cause on failure. */
static int
vm_lock(const char *name, char **cause)
{
	char	*file, *path;
	int	 fd;

	xasprintf(&file, "%s.lock", name);
	path = state_path(file, cause);
	free(file);
	if (path == NULL)
		return -1;
	if ((fd = open(path, O_RDWR|O_CREAT|O_CLOEXEC, 0600)) < 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX|LOCK_NB) != 0) {
		log_info("waiting for another agentrun to finish with VM %s",
		    name);
		while (flock(fd, LOCK_EX) != 0) {
			if (errno != EINTR) {
				xasprintf(cause, "%s: %s", path,
				    strerror(errno));
				close(fd);
				free(path);
				return -1;
			}
		}
	}
	free(path);
	return fd;
}

static void
vm_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

struct live {
	long	 pid;
	char	*vm;
	char	*project;
	char	*mode;
	char	*path;
};

static void
live_free(struct live *l)
{
	free(l->vm);
	free(l->project);
	free(l->mode);
	free(l->path);
	memset(l, 0, sizeof *l);
}

/* Is the session of this entry alive? Its agentrun holds a lock on the
 * entry: that decides, as a pid may be reused after a crash (or a
 * reboot); the pid counts only where flock cannot be used. */
static int
live_alive(const struct live *l)
{
	int	 rc;

	if ((rc = file_locked(l->path)) >= 0)
		return rc;
	return errno == ENOENT ? 0 : pid_alive(l->pid);	/* gone; no flock */
}

static int
live_read(const char *path, struct live *l)
{
	cJSON		*j;
	const cJSON	*pid, *vm, *project, *mode;
	char		*text, *cause = NULL;
	size_t		 len;
	int		 rv = -1;

	memset(l, 0, sizeof *l);
	if ((text = read_state_file(path, &len, 65536, &cause)) == NULL) {
		free(cause);
		return -1;
	}
	j = cJSON_ParseWithLength(text, len);
	free(text);
	pid = cJSON_GetObjectItemCaseSensitive(j, "pid");
	vm = cJSON_GetObjectItemCaseSensitive(j, "vm");
	project = cJSON_GetObjectItemCaseSensitive(j, "project");
	mode = cJSON_GetObjectItemCaseSensitive(j, "mode");
	if (cJSON_IsNumber(pid) && cJSON_IsString(vm) &&
	    cJSON_IsString(project) && cJSON_IsString(mode)) {
		/* out of range: no pid, the entry's lock alone decides */
		l->pid = pid->valuedouble >= 1 && pid->valuedouble <= INT_MAX ?
		    (long)pid->valuedouble : 0;
		l->vm = xstrdup(vm->valuestring);
		l->project = xstrdup(project->valuestring);
		l->mode = xstrdup(mode->valuestring);
		l->path = xstrdup(path);
		rv = 0;
	}
	cJSON_Delete(j);
	return rv;
}

/* An entry a crash left before it was renamed into place
 * (NAME.PID.json.tmp, live_register): removed once its maker is gone and
 * nobody holds its lock. */
static void
live_tmp_clean(const char *dir, const char *name)
{
	const char	*dot = NULL, *p;
	char		*path, *end;
	long		 pid;

	for (p = name; *p != '\0' && strcmp(p, ".json.tmp") != 0; p++)
		if (*p == '.')
			dot = p;
	if (dot == NULL || dot[1] < '1' || dot[1] > '9')
		return;
	errno = 0;
	pid = strtol(dot + 1, &end, 10);
	if (errno != 0 || end != p || pid_alive(pid))
		return;
	path = path_join(dir, name);
	(void)unlink_leftover(path, pid);
	free(path);
}

/* Calls fn for each live session of VM name (all VMs if NULL); stale
 * entries are removed. fn returns non-zero to stop. */
static int
live_walk(const char *name, int (*fn)(void *, const struct live *),
    void *arg)
{
	struct live	 l;
	struct dirent	*de;
	DIR		*d;
	char		*dir, *path, *cause = NULL;
	int		 r = 0;

	if ((dir = state_path("live", &cause)) == NULL) {
		free(cause);
		return 0;
	}
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return 0;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' && has_suffix(de->d_name,
		    ".json.tmp"))
			live_tmp_clean(dir, de->d_name);
		if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".json"))
			continue;
		path = path_join(dir, de->d_name);
		if (live_read(path, &l) != 0) {
			free(path);
			continue;
		}
		if (!live_alive(&l))
			unlink(path);
		else if (name == NULL || strcmp(l.vm, name) == 0)
			r = fn(arg, &l);
		live_free(&l);
		free(path);
	}
	closedir(d);
	free(dir);
	return r;
}

struct live_check {
	const char	*project;
	const char	*mode;
	const char	*name;
	char		**cause;
};

static int
live_conflict_cb(void *arg, const struct live *l)
{
	struct live_check	*c = arg;

	if ((long)getpid() == l->pid)
		return 0;
	if (strcmp(l->project, c->project) != 0) {
		xasprintf(c->cause, "VM %s is in use by a session in %s (pid "
		    "%ld); wait for it to end, or use another VM with --vm "
		    "NAME", c->name, l->project, l->pid);
		return 1;
	}
	if (strcmp(l->mode, c->mode) != 0) {
		xasprintf(c->cause, "a %s session of this project is live on "
		    "VM %s (pid %ld); end it before starting a %s one, or use "
		    "--vm NAME", strcmp(l->mode, "ro") == 0 ? "read-only" :
		    "read-write", c->name, l->pid, strcmp(c->mode, "ro") == 0 ?
		    "read-only" : "read-write");
		return 1;
	}
	return 0;
}

/* Our entry in the live registry, locked before it appears (written
 * beside and renamed into place) and for as long as *fd stays open. */
static char *
live_register(const char *name, const char *project, const char *mode,
    int *fd, char **cause)
{
	cJSON	*j;
	char	*dir, *file, *path = NULL, *tmp = NULL, *text;

	*fd = -1;
	if ((dir = state_path("live", cause)) == NULL)
		return NULL;
	if (mkdir_p(dir, 0700) != 0) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	xasprintf(&file, "%s.%ld.json", name, (long)getpid());
	path = path_join(dir, file);
	free(file);
	free(dir);
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "pid", (double)getpid());
	cJSON_AddStringToObject(j, "vm", name);
	cJSON_AddStringToObject(j, "project", project);
	cJSON_AddStringToObject(j, "mode", mode);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	xasprintf(&tmp, "%s.tmp", path);
	/* Where flock cannot be used, live_alive falls back on the pid. A
	 * file of its own (a crash of a process with this pid left the name):
	 * one a cleaner holds goes, as live_tmp_clean finds. */
	(void)unlink(tmp);
	if ((*fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) >= 0 && flock(*fd, LOCK_EX) != 0)
		log_debug("%s: flock: %s", tmp, strerror(errno));
	if (*fd < 0 || write_all(*fd, text, strlen(text)) != 0 ||
	    rename(tmp, path) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (*fd >= 0) {
			(void)close(*fd);
			(void)unlink(tmp);
		}
		*fd = -1;
		free(path);
		path = NULL;
	}
	free(tmp);
	cJSON_free(text);
	return path;
}

/* The client's version, cached against the binary so the warm path
 * needs no 'multipass version' call. NULL if unknown. */
static char *
vm_multipass_version(void)
{
	struct stat	 st;
	char		 real[PATH_MAX], snap[PATH_MAX], *bin, *cache, *key;
	char		*text, *client = NULL, *daemon = NULL, *cause = NULL;
	char		*nl, *v = NULL;
	size_t		 len;
	ssize_t		 n;

	if ((bin = mp_find()) == NULL)
		return NULL;
	if (realpath(bin, real) == NULL || stat(real, &st) != 0) {
		free(bin);
		return NULL;
	}
	free(bin);
	if ((n = readlink("/snap/multipass/current", snap, sizeof snap - 1))
	    < 0)
		n = 0;
	snap[n] = '\0';
	xasprintf(&key, "%s %lld %lld %s\n", real, (long long)st.st_mtime,
	    (long long)st.st_size, snap);
	if ((cache = state_path("multipass-version", &cause)) == NULL) {
		free(cause);
		free(key);
		return NULL;
	}
	if ((text = read_state_file(cache, &len, 4096, &cause)) != NULL &&
	    strncmp(text, key, strlen(key)) == 0) {
		v = xstrdup(text + strlen(key));
		if ((nl = strchr(v, '\n')) != NULL)
			*nl = '\0';
		goto out;
	}
	free(cause);
	cause = NULL;
	if (mp_version(NULL, &client, &daemon, &cause) == 0) {
		v = xstrdup(client);
		free(text);
		xasprintf(&text, "%s%s\n", key, v);
		if (write_file_atomic(cache, text, strlen(text), 0600,
		    &cause) != 0)
			log_debug("%s", cause);
	} else
		log_debug("%s", cause);
out:
	free(client);
	free(daemon);
	free(cause);
	free(text);
	free(cache);
	free(key);
	return v;
}

/* --- running multipass ------------------------------------------------ */

/* Run a multipass command on VM name; 0, or -1 with *cause (one line,
 * its hints naming the VM as cfg makes agentrun do). */
static int
vm_mp(const struct config *cfg, const char *const *argv, int timeout,
    int flags, const char *name, mp_progress_cb cb, void *arg, char **cause)
{
	struct mp_call		 c = { argv, timeout, flags, cb, arg, NULL };
	struct mp_result	 r;
	char			*again;
	int			 rv = -1;

	if (mp_run(&c, &r, cause) != 0)
		return -1;
	if (r.status == 0 && !r.timed_out)
		rv = 0;
	else {
		again = vm_cmdline(cfg, name);
		*cause = mp_error(argv[0], name, again, &r);
		free(again);
	}
	if (rv == 0 && r.err.len > 0)
		log_debug("multipass %s: %s", argv[0], r.err.data);
	mp_result_free(&r);
	return rv;
}

struct progress {
	char	*last;
	int	 sshfs;
};

/* Launch and start progress: one line per new message, percentages
 * once per step. */
static void
vm_progress_cb(void *arg, const char *msg)
{
	struct progress	*p = arg;
	const char	*colon = strchr(msg, ':');
	size_t		 n;

	n = colon != NULL ? (size_t)(colon - msg) : strlen(msg);

	if (strstr(msg, "Enabling support for mounting") != NULL) {
		if (!p->sshfs)
			log_info("installing sshfs in the VM for its first "
			    "mount (the VM needs internet access; this can "
			    "take a minute)");
		p->sshfs = 1;
		return;
	}
	if (p->last != NULL && strncmp(p->last, msg, n) == 0 &&
	    p->last[n] == (colon != NULL ? ':' : '\0'))
		return;
	free(p->last);
	p->last = xstrdup(msg);
	log_info("%s", msg);
}

/* A launch that failed over a value of the config names the key, where
 * multipass's words would not say where the value came from. */
static void
vm_launch_blame(const struct config *cfg, const struct mp_result *r,
    char **cause)
{
	const char	*e = r->err.data != NULL ? r->err.data : "";
	const char	*file = cfg->path != NULL ? cfg->path : "config";
	char		*msg;

	if (r->timed_out)
		return;
	if (strstr(e, "Unable to find an image matching") != NULL ||
	    strstr(e, "Invalid remote and source image name") != NULL)
		xasprintf(&msg, "%s: vm.image: multipass has no image \"%s\" "
		    "('multipass find' lists the ones there are)", file,
		    cfg->vm.image);
	else if (strstr(e, "below minimum for this image") != NULL ||
	    strstr(e, "Invalid disk size value") != NULL)
		xasprintf(&msg, "%s: vm.disk: multipass refuses \"%s\" (%s)",
		    file, cfg->vm.disk, *cause);
	else if (strstr(e, "Invalid memory size value") != NULL)
		xasprintf(&msg, "%s: vm.memory: multipass refuses \"%s\" (%s)",
		    file, cfg->vm.memory, *cause);
	else
		return;
	free(*cause);
	*cause = msg;
}

int
vm_launch(const struct config *cfg, const char *name,
    const struct agent_profile *agent, char **cause)
{
	const char		*argv[16];
	char			 cpus[16], timeout[16], *again, *msg;
	const char		*ci_why;
	struct progress		 p = { NULL, 0 };
	struct mp_call		 c = { argv, 0, 0, vm_progress_cb, &p, NULL };
	struct mp_result	 r;
	size_t			 n = 0;
	int			 rv = -1, grace;

	if (config_cloud_init_check(cfg, &ci_why) != 0) {
		xasprintf(cause, "%s: vm.cloud_init: %s: %s", cfg->path != NULL ?
		    cfg->path : "config", cfg->vm.cloud_init, ci_why);
		return -1;
	}
	snprintf(cpus, sizeof cpus, "%d", cfg->vm.cpus);
	snprintf(timeout, sizeof timeout, "%d", cfg->vm.launch_timeout);
	argv[n++] = "launch";
	argv[n++] = "--name";
	argv[n++] = name;
	argv[n++] = "--cpus";
	argv[n++] = cpus;
	argv[n++] = "--memory";
	argv[n++] = cfg->vm.memory;
	argv[n++] = "--disk";
	argv[n++] = cfg->vm.disk;
	if (cfg->vm.cloud_init != NULL) {
		/* On stdin, as a snap multipass cannot read hidden folders
		 * such as ~/.config (reference: issue #3693). */
		argv[n++] = "--cloud-init";
		argv[n++] = "-";
		c.in_path = cfg->vm.cloud_init;
	}
	argv[n++] = "--timeout";
	argv[n++] = timeout;
	argv[n++] = cfg->vm.image;
	argv[n] = NULL;
	log_info("creating VM %s (%d CPUs, %s memory, %s disk, image %s); "
	    "this takes a few minutes", name, cfg->vm.cpus, cfg->vm.memory,
	    cfg->vm.disk, cfg->vm.image);
	/* multipass's own --timeout should fire first; ours is the bound. */
	grace = cfg->vm.launch_timeout < 60 ? cfg->vm.launch_timeout : 60;
	c.timeout = cfg->vm.launch_timeout + grace;
	if (mp_run(&c, &r, cause) != 0)
		goto out;
	if (r.status == 0 && !r.timed_out) {
		rv = 0;
		if (r.err.len > 0)
			log_debug("multipass launch: %s", r.err.data);
		mp_result_free(&r);
		goto out;
	}
	again = vm_cmdline(cfg, name);
	*cause = mp_error("launch", name, again, &r);
	vm_launch_blame(cfg, &r, cause);
	/* The install that would have followed is not done: say how. */
	if (mp_launch_timed_out(&r) && agent != NULL &&
	    agent->install != NULL && *agent->install != '\0') {
		xasprintf(&msg, "%s; once it is up, install %s with '%s vm "
		    "provision %s'", *cause, agent->name, again, agent->name);
		free(*cause);
		*cause = msg;
	}
	free(again);
	mp_result_free(&r);
out:
	free(p.last);
	return rv;
}

char *
vm_cmdline(const struct config *cfg, const char *name)
{
	char	*s;

	if (cfg != NULL && strcmp(name, cfg->vm.name) == 0)
		return xstrdup("agentrun");
	xasprintf(&s, "agentrun --vm %s", name);
	return s;
}

int
vm_provision(const struct config *cfg, const char *name,
    const struct agent_profile *agent, char **cause)
{
	/* The install text runs in a subshell of the login shell, so that
	 * its own 'exit 4' meets the status-4 guard too. */
	static const char	 script[] = "(eval \"$1\"); " VM_GUARD4;
	const char		*argv[] = { "exec", name, "-n", "--", "bash",
	    "-lc", script, "agentrun", NULL, NULL };
	struct mp_call		 c = { argv, 0, MP_INHERIT, NULL, NULL, NULL };
	struct mp_result	 r;
	char			*again;
	int			 rv = -1;

	if (agent->install == NULL || *agent->install == '\0') {
		log_info("agent %s has no install command; nothing to do",
		    agent->name);
		return 0;
	}
	argv[8] = agent->install;
	log_info("installing %s in VM %s: %s", agent->name, name,
	    agent->install);
	if (mp_run(&c, &r, cause) != 0)
		return -1;
	if (r.status == 0)
		rv = 0;
	else {
		again = vm_cmdline(cfg, name);
		xasprintf(cause, "installing %s in VM %s failed (status %d); "
		    "fix the problem above, then run '%s vm provision %s'",
		    agent->name, name, r.status == VM_STATUS4_SENTINEL ? 4 :
		    r.status, again, agent->name);
		free(again);
	}
	mp_result_free(&r);
	return rv;
}

int
vm_start(const struct config *cfg, const char *name, char **cause)
{
	const char	*argv[] = { "start", name, NULL };

	log_info("starting VM %s", name);
	return vm_mp(cfg, argv, MP_TIMEOUT_START, 0, name, NULL, NULL, cause);
}

/* A guest command as root, without a working directory (so multipass's
 * sudo special case never applies). mount(8) exits 4 for an internal
 * error: the script's status goes through the status-4 guard. */
static int
vm_guest_root(const struct config *cfg, const char *name, const char *script,
    const char *a1, const char *a2, char **cause)
{
	const char	*argv[] = { "exec", name, "-n", "--", "sudo", "sh",
	    "-c", NULL, "sh", a1, a2, NULL };
	char		*guarded;
	int		 rv;

	xasprintf(&guarded, "(%s); " VM_GUARD4, script);
	argv[7] = guarded;
	rv = vm_mp(cfg, argv, MP_TIMEOUT_EXEC, 0, name, NULL, NULL, cause);
	free(guarded);
	return rv;
}

static char *
stage_path(const char *project)
{
	return path_join(VM_STAGE_DIR, project + 1);
}

char *
vm_mount_describe(const struct mp_mount *m)
{
	size_t	 n = strlen(VM_STAGE_DIR);
	char	*d;

	if (strncmp(m->target, VM_STAGE_DIR "/", n + 1) == 0)
		xasprintf(&d, "%s => %s (read-only; the writable mount is at "
		    "%s, which only root can reach)", m->source, m->target + n,
		    m->target);
	else
		xasprintf(&d, "%s => %s", m->source, m->target);
	return d;
}

/* A read-only view's staging mount at target: its bind over the project
 * goes before multipass unmounts it (a failure only logged). */
static void
vm_unbind(const struct config *cfg, const char *name, const char *target)
{
	size_t	 len = strlen(VM_STAGE_DIR);
	char	*why = NULL;

	if (strncmp(target, VM_STAGE_DIR "/", len + 1) != 0)
		return;
	if (vm_guest_root(cfg, name, "umount -l \"$1\"", target + len, "",
	    &why) != 0) {
		log_debug("%s", why);
		free(why);
	}
}

/* Remove every mount but the wanted one; 1 if the wanted one is there. */
static int
vm_umount_others(const struct config *cfg, const char *name,
    const struct mp_info *info, const char *target, const char *source,
    char **cause)
{
	const char	*argv[] = { "umount", NULL, NULL };
	const char	*t;
	char		*spec;
	size_t		 i, j;
	int		 have = 0, r;

	for (i = 0; i < info->n_mounts; i++) {
		t = info->mounts[i].target;
		if (strcmp(t, target) == 0 &&
		    strcmp(info->mounts[i].source, source) == 0) {
			have = 1;
			continue;
		}
		if (strchr(t, ':') != NULL) {
			/* NAME:PATH cannot name it: remove them all, the
			 * binds of read-only views first. */
			for (j = 0; j < info->n_mounts; j++)
				vm_unbind(cfg, name, info->mounts[j].target);
			argv[1] = name;
			if (vm_mp(cfg, argv, MP_TIMEOUT_UMOUNT, 0, name, NULL,
			    NULL, cause) != 0)
				return -1;
			return 0;
		}
		vm_unbind(cfg, name, t);
		log_info("unmounting %s from VM %s", info->mounts[i].source,
		    name);
		xasprintf(&spec, "%s:%s", name, t);
		argv[1] = spec;
		r = vm_mp(cfg, argv, MP_TIMEOUT_UMOUNT, 0, name, NULL, NULL,
		    cause);
		free(spec);
		if (r != 0)
			return -1;
	}
	return have;
}

static int
vm_mount(const struct config *cfg, const char *name, const char *source,
    const char *target, char **cause)
{
	const char	*argv[] = { "mount", source, NULL, NULL };
	struct progress	 p = { NULL, 1 };
	char		*spec;
	int		 rv;

	p.sshfs = 0;
	xasprintf(&spec, "%s:%s", name, target);
	argv[2] = spec;
	rv = vm_mp(cfg, argv, MP_TIMEOUT_MOUNT, 0, name, vm_progress_cb, &p,
	    cause);
	if (rv != 0 && strstr(*cause, "ource path") != NULL &&
	    strstr(*cause, "does not exist") != NULL &&
	    access(source, F_OK) == 0) {
		free(*cause);
		xasprintf(cause, "multipass cannot see %s: a snap install of "
		    "multipass " VM_SNAP_SEES "; move the project there",
		    source);
	}
	free(p.last);
	free(spec);
	return rv;
}

/* The read-only view: bind the staging mount read-only over the project
 * path, and close the staging folder to everyone but root. fresh: the
 * staging mount was just made, so a bind already there is of an earlier
 * one (removed outside agentrun), dead with its sshfs: it goes first. */
static int
vm_bind_ro(const struct config *cfg, const char *name, const char *stage,
    const char *target, int fresh, char **cause)
{
	static const char	 keep[] =
	    "mountpoint -q \"$2\" || { mkdir -p \"$2\" && "
	    "mount --bind -o ro \"$1\" \"$2\"; } && "
	    "chmod 0700 " VM_STAGE_ROOT;
	static const char	 again[] =
	    "while mountpoint -q \"$2\"; do umount -l \"$2\" || exit 1; "
	    "done; mkdir -p \"$2\" && mount --bind -o ro \"$1\" \"$2\" && "
	    "chmod 0700 " VM_STAGE_ROOT;

	return vm_guest_root(cfg, name, fresh ? again : keep, stage, target,
	    cause);
}

/* --- checks and the flow ---------------------------------------------- */

/* Refuse project if the file path (freed here; NULL: none) resolves into
 * it: the agent could change what agentrun reads or runs next time. */
static int
vm_own_file(const char *project, char *path, const char *what, char **cause)
{
	char	 real[PATH_MAX];
	int	 in;

	if (path == NULL)
		return 0;
	in = realpath(path, real) != NULL && path_under(real, project);
	if (in)
		xasprintf(cause, "refusing to mount %s: it holds %s (%s), "
		    "which the agent could change", project, what, real);
	free(path);
	return in ? -1 : 0;
}

/* project is, holds or lies inside one of agentrun's own folders, or its
 * config file or multipass program. */
static int
vm_own_dirs(const char *project, char **cause)
{
	static const struct { const char *env, *fallback; } dirs[] = {
		{ "XDG_CONFIG_HOME", ".config" },
		{ "XDG_DATA_HOME", ".local/share" },
		{ "XDG_STATE_HOME", ".local/state" },
	};
	char	 real[PATH_MAX], *d;
	size_t	 i;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		if ((d = xdg_dir(dirs[i].env, dirs[i].fallback)) == NULL)
			continue;
		if (path_resolve(d, real) != 0)
			snprintf(real, sizeof real, "%s", d);
		free(d);
		if (path_under(project, real) || path_under(real, project)) {
			xasprintf(cause, "refusing to mount %s: it holds "
			    "agentrun's own files (%s), which the agent could "
			    "change", project, real);
			return -1;
		}
	}
	/* The config file and the multipass program agentrun runs may be
	 * links into a folder of their own (dotfiles, a venv on PATH). */
	if (vm_own_file(project, config_path(), "agentrun's config", cause) !=
	    0 || vm_own_file(project, mp_find(), "the multipass program "
	    "agentrun runs", cause) != 0)
		return -1;
	/* Nor may it hold a folder searched for multipass, where the agent
	 * could put one (a venv's bin, direnv's PATH_add). */
	if ((d = mp_path_inside(project)) != NULL) {
		xasprintf(cause, "refusing to mount %s: %s is on PATH before "
		    "multipass, and the agent could put a multipass there that "
		    "agentrun would run on this machine; take it off PATH "
		    "(deactivate the venv) or put it after multipass", project,
		    d);
		free(d);
		return -1;
	}
	return 0;
}

/* The project (real: resolved) against one home folder h (NULL: none). */
static int
vm_check_home(const char *project, const char *real, const char *h, int snap,
    char **cause)
{
	char	 home[PATH_MAX];

	if (h != NULL && realpath(h, home) == NULL)
		snprintf(home, sizeof home, "%s", h);
	if (vm_mount_allowed(real, h != NULL ? home : NULL, snap, cause) != 0)
		return -1;
	if (h != NULL && strcmp(h, home) != 0 && path_plain(h) &&
	    vm_mount_allowed(real, h, snap, cause) != 0)
		return -1;
	if (strcmp(real, project) != 0 && vm_mount_allowed(project,
	    h != NULL ? home : NULL, snap, cause) != 0)
		return -1;
	return 0;
}

/* Is the folder at path the one st describes? */
static int
vm_same_dir(const struct stat *st, const char *path)
{
	struct stat	 sb;

	return stat(path, &sb) == 0 && sb.st_dev == st->st_dev &&
	    sb.st_ino == st->st_ino;
}

/* Is the folder dir (shown as what: "it", or "D in it") one a project may
 * not be, by its identity rather than its name: home h, a folder above
 * it, a hidden folder of it, or a system folder? A bind mount (or a
 * second mount of a file system) shows a folder at a path realpath
 * cannot see through. */
static int
vm_ident_check(const char *project, const char *dir, const char *what,
    const char *h, char **cause)
{
	struct stat	 st, sb;
	struct dirent	*de;
	DIR		*d;
	char		 home[PATH_MAX], *p, *slash;
	size_t		 i;
	int		 rv = 0;

	if (stat(dir, &st) != 0)
		return 0;
	for (i = 0; system_dirs[i] != NULL; i++) {
		if (vm_same_dir(&st, system_dirs[i])) {
			xasprintf(cause, "refusing to mount %s: %s is %s, a "
			    "system folder, mounted there too; "
			    VM_PROJECT_ADVICE, project, what, system_dirs[i]);
			return -1;
		}
	}
	if (h == NULL || *h != '/' || realpath(h, home) == NULL)
		return 0;
	p = xstrdup(home);
	for (;;) {
		if (vm_same_dir(&st, p)) {
			if (strcmp(p, home) == 0)
				xasprintf(cause, "refusing to mount %s: %s is "
				    "your home folder %s, mounted there too; "
				    VM_PROJECT_ADVICE, project, what, home);
			else
				xasprintf(cause, "refusing to mount %s: %s is "
				    "%s, which contains your home folder %s; "
				    VM_PROJECT_ADVICE, project, what, p, home);
			rv = -1;
			goto out;
		}
		if (strcmp(p, "/") == 0 || (slash = strrchr(p, '/')) == NULL)
			break;
		slash[slash == p ? 1 : 0] = '\0';
	}
	if ((d = opendir(home)) == NULL)
		goto out;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* Not through a link: a link there to a project is not the
		 * hidden folder the name check guards. */
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode) &&
		    sb.st_dev == st.st_dev && sb.st_ino == st.st_ino) {
			free(p);
			p = path_join(home, de->d_name);
			xasprintf(cause, "refusing to mount %s: %s is %s, "
			    "where settings and credentials live, mounted "
			    "there too", project, what, p);
			rv = -1;
			break;
		}
	}
	closedir(d);
out:
	free(p);
	return rv;
}

/* This machine's mounts, from /proc/self/mountinfo: the file system
 * (major:minor), the folder of it mounted (a bind mount's source, as a
 * path inside that file system) and where (fields 3 to 5, \ooo escaped).
 * An empty list on other systems. */
struct vm_mount {
	char	*dev;
	char	*root;
	char	*at;
};

static char *
vm_mountinfo_field(char *f)
{
	char	*w, *r;

	for (w = r = f; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' &&
		    r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 |
			    (r[3] - '0'));
			r += 3;
		} else
			*w++ = *r;
	}
	*w = '\0';
	return xstrdup(f);
}

static struct vm_mount *
vm_mountinfo(size_t *np)
{
	struct vm_mount	*v = NULL;
	char		*line = NULL, *f[5], *save;
	size_t		 n = 0, size = 0;
	FILE		*fp;
	int		 i;

	*np = 0;
	if ((fp = fopen("/proc/self/mountinfo", "r")) == NULL)
		return NULL;
	while (getline(&line, &size, fp) != -1) {
		f[0] = strtok_r(line, " \n", &save);
		for (i = 1; f[i - 1] != NULL && i < 5; i++)
			f[i] = strtok_r(NULL, " \n", &save);
		if (i < 5 || f[4] == NULL || *f[3] != '/' || *f[4] != '/')
			continue;
		v = xrealloc(v, (n + 1) * sizeof *v);
		v[n].dev = xstrdup(f[2]);
		v[n].root = vm_mountinfo_field(f[3]);
		v[n].at = vm_mountinfo_field(f[4]);
		n++;
	}
	free(line);
	fclose(fp);
	*np = n;
	return v;
}

static void
vm_mountinfo_free(struct vm_mount *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].dev);
		free(v[i].root);
		free(v[i].at);
	}
	free(v);
}

/* path, which lies in from, moved to to. */
static char *
vm_rebase(const char *path, const char *from, const char *to)
{
	const char	*rest = path + (strcmp(from, "/") == 0 ? 0 :
			    strlen(from));
	char		*p;

	if (strcmp(path, from) == 0)
		return xstrdup(to);
	if (strcmp(to, "/") == 0)
		return xstrdup(rest);
	xasprintf(&p, "%s%s", to, rest);
	return p;
}

/* The other paths that show the folder dir (resolved) through the mounts
 * of m: where else its file system, or a bind mount of a folder that holds
 * it, is mounted. A folder bound somewhere is its source too, and the
 * source may be one a project must not be; realpath does not see it. */
static char **
vm_views(const struct vm_mount *m, size_t n, const char *dir)
{
	const struct vm_mount	*in = NULL;
	char			**v = NULL, *rel, *p;
	size_t			  i, k = 0;

	for (i = 0; i < n; i++) {	/* the last of the deepest: on top */
		if (path_under(dir, m[i].at) && (in == NULL ||
		    strlen(m[i].at) >= strlen(in->at)))
			in = &m[i];
	}
	if (in == NULL)
		return NULL;
	rel = vm_rebase(dir, in->at, in->root);
	for (i = 0; i < n; i++) {
		if (&m[i] == in || strcmp(m[i].dev, in->dev) != 0 ||
		    !path_under(rel, m[i].root))
			continue;
		p = vm_rebase(rel, m[i].root, m[i].at);
		if (strcmp(p, dir) == 0) {
			free(p);
			continue;
		}
		v = xrealloc(v, (k + 2) * sizeof *v);
		v[k++] = p;
		v[k] = NULL;
	}
	free(rel);
	return v;
}

/* Is the folder dir (shown as what) the folder view too, one that the
 * policy refuses by name: inside a hidden folder of home h (resolved), a
 * system folder or inside one, or a folder that holds many? (The home,
 * the folders above it and its hidden folders themselves are found by
 * identity.) */
static int
vm_view_check(const char *project, const char *what, const char *view,
    const char *h, char **cause)
{
	const char	*s;
	size_t		 i, hlen = h != NULL ? strlen(h) : 0;

	if (h != NULL && strcmp(h, "/") != 0 && path_under(view, h) &&
	    view[hlen] == '/' && view[hlen + 1] == '.') {
		s = strchr(view + hlen + 1, '/');
		xasprintf(cause, "refusing to mount %s: %s is %s (through a "
		    "bind mount), inside %.*s, where settings and credentials "
		    "live", project, what, view, s != NULL ? (int)(s - view) :
		    (int)strlen(view), view);
		return -1;
	}
	for (i = 0; system_dirs[i] != NULL; i++) {
		if (path_under(view, system_dirs[i])) {
			xasprintf(cause, "refusing to mount %s: %s is %s "
			    "(through a bind mount), and %s is a system folder",
			    project, what, view, system_dirs[i]);
			return -1;
		}
	}
	for (i = 0; container_dirs[i] != NULL; i++) {
		if (strcmp(view, container_dirs[i]) == 0) {
			xasprintf(cause, "refusing to mount %s: %s is %s "
			    "(through a bind mount), which holds many folders, "
			    "not one project; " VM_PROJECT_ADVICE, project,
			    what, view);
			return -1;
		}
	}
	return 0;
}

/* dir (shown as what) against home h, by identity and by every other
 * path that shows it. */
static int
vm_dir_check(const struct vm_mount *m, size_t n, const char *project,
    const char *dir, const char *what, const char *h, char **cause)
{
	char	**views, home[PATH_MAX];
	size_t	  i;
	int	  rv = 0;

	if (vm_ident_check(project, dir, what, h, cause) != 0)
		return -1;
	if ((views = vm_views(m, n, dir)) == NULL)
		return 0;
	if (h == NULL || *h != '/' || realpath(h, home) == NULL)
		h = NULL;
	for (i = 0; rv == 0 && views[i] != NULL; i++)
		rv = vm_view_check(project, what, views[i], h ? home : NULL,
		    cause);
	strv_free(views);
	return rv;
}

/* The project (real: resolved) and every mount point inside it (the
 * whole tree goes into the VM) against home h. */
static int
vm_ident_tree(const struct vm_mount *m, size_t n, const char *real,
    const char *h, char **cause)
{
	char	*what;
	size_t	 i;
	int	 rv = 0;

	if (vm_dir_check(m, n, real, real, "it", h, cause) != 0)
		return -1;
	for (i = 0; rv == 0 && i < n; i++) {
		if (strcmp(m[i].at, real) == 0 || !path_under(m[i].at, real))
			continue;
		xasprintf(&what, "%s in it", m[i].at);
		rv = vm_dir_check(m, n, real, m[i].at, what, h, cause);
		free(what);
	}
	return rv;
}

/* May path (real: resolved) be mounted into the VM? Every home counts,
 * and agentrun's own folders. */
static int
vm_path_check(const char *path, const char *real, char **cause)
{
	const char	*sudo = getenv("SUDO_USER");
	struct passwd	*pw;
	struct vm_mount	*m = NULL;
	char		*bin, *homes[3] = { NULL, NULL, NULL };
	size_t		 i, j, n = 0;
	int		 snap, rv = -1;

	bin = mp_find();
	snap = mp_path_is_snap(bin);
	free(bin);
	if (vm_check_home(path, real, getenv("HOME"), snap, cause) != 0)
		return -1;
	/* $HOME may be unset, wrong or someone else's (sudo -E): the home
	 * of the account, and under sudo the invoking user's, count too. */
	if (getenv("HOME") != NULL)
		homes[0] = xstrdup(getenv("HOME"));
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_dir != NULL &&
	    *pw->pw_dir == '/')
		homes[1] = xstrdup(pw->pw_dir);
	if (sudo != NULL && *sudo != '\0' && (pw = getpwnam(sudo)) != NULL &&
	    pw->pw_dir != NULL && *pw->pw_dir == '/')
		homes[2] = xstrdup(pw->pw_dir);
	for (i = 1; i < 3; i++) {
		if (homes[i] != NULL && vm_check_home(path, real, homes[i],
		    snap, cause) != 0)
			goto out;
	}
	m = vm_mountinfo(&n);
	for (i = 0; i < 3; i++) {	/* each home once (the first always) */
		for (j = 0; j < i; j++)
			if (homes[i] == NULL || (homes[j] != NULL &&
			    strcmp(homes[i], homes[j]) == 0))
				break;
		if (j == i && vm_ident_tree(m, n, real, homes[i], cause) != 0)
			goto out;
	}
	rv = vm_own_dirs(real, cause);
out:
	vm_mountinfo_free(m, n);
	for (i = 0; i < 3; i++)
		free(homes[i]);
	return rv;
}

int
vm_check(const struct vm_request *req, char **cause)
{
	char	 real[PATH_MAX];

	if (vm_name_valid(req->name, cause) != 0)
		return -1;
	if (realpath(req->project, real) == NULL) {
		xasprintf(cause, "%s: %s", req->project, strerror(errno));
		return -1;
	}
	return vm_path_check(req->project, real, cause);
}

/* A mount found on the VM (doctor): judged as a project would be, by
 * its resolved path where it still exists on this machine. */
int
vm_mount_ok(const char *source, char **cause)
{
	char	 real[PATH_MAX];
	size_t	 n, a = strlen(VM_PROJECT_ADVICE);

	if (realpath(source, real) == NULL)
		snprintf(real, sizeof real, "%s", source);
	if (vm_path_check(source, real, cause) == 0)
		return 0;
	/* The mount is there already: another project folder is no fix. */
	n = strlen(*cause);
	if (n >= a + 2 && strcmp(*cause + n - a, VM_PROJECT_ADVICE) == 0)
		(*cause)[n - a - 2] = '\0';
	return -1;
}

/* info after a launch or start that multipass said went well. */
static int
vm_info_again(const char *name, const char *again, struct mp_info *info,
    const char *what, char **cause)
{
	int	 r;

	if ((r = mp_info(name, again, info, cause)) == 1)
		return 0;
	if (r == 0)
		xasprintf(cause, "multipass %s said nothing went wrong, but "
		    "there is no VM %s: see 'multipass list'", what, name);
	return -1;
}

int
vm_state_usable(const struct config *cfg, const char *name,
    const char *state, const char **note, char **why)
{
	static const struct {
		const char	*state;
		const char	*note;
	} usable[] = {
		{ "Running", NULL },
		{ "Stopped", "a session starts it" },
		{ "Suspended", "a session resumes it" },
		{ "Starting", "a session waits for it to start" },
		{ "Restarting", "a session waits for it to restart" },
		{ "Delayed Shutdown", "a session cancels the shutdown" },
	};
	char	*again;
	size_t	 i;

	*note = NULL;
	*why = NULL;
	for (i = 0; i < sizeof usable / sizeof usable[0]; i++) {
		if (strcmp(state, usable[i].state) == 0) {
			*note = usable[i].note;
			return 0;
		}
	}
	if (strcmp(state, "Deleted") == 0) {
		xasprintf(why, "deleted but not purged: run 'multipass recover "
		    "%s' to keep it, or 'multipass delete --purge %s' to start "
		    "afresh", name, name);
		return -1;
	}
	if (strcmp(state, "Unavailable") == 0) {
		/* 1.17: its availability zone is off; a stop cannot help. */
		xasprintf(why, "Unavailable: its availability zone is "
		    "unavailable; make the zone available again in multipass "
		    "('multipass info %s' names it), then try again", name);
		return -1;
	}
	if (strcmp(state, "Suspending") == 0) {
		xasprintf(why, "Suspending: that ends by itself (a session "
		    "then resumes it); wait a moment and try again");
		return -1;
	}
	/* multipass start says to stop it first. */
	again = vm_cmdline(cfg, name);
	if (strcmp(state, "Unknown") == 0)
		xasprintf(why, "Unknown: multipass cannot tell what it is "
		    "doing; power it off with '%s vm stop --force', then try "
		    "again", again);
	else
		xasprintf(why, "%s, a state agentrun does not know: power it "
		    "off with '%s vm stop --force', then try again", state,
		    again);
	free(again);
	return -1;
}

/* Bring VM name to Running, launching (and provisioning) it if needed.
 * info is filled with its state and mounts. */
static int
vm_ensure(const struct vm_request *req, struct mp_info *info, char **cause)
{
	const char	*note;
	char		*why, *again;
	int		 r, rv = -1;

	again = vm_cmdline(req->cfg, req->name);
	if ((r = mp_info(req->name, again, info, cause)) < 0)
		goto out;
	if (r == 0) {
		if (vm_launch(req->cfg, req->name, req->agent, cause) != 0)
			goto out;
		if (req->agent != NULL && vm_provision(req->cfg, req->name,
		    req->agent, cause) != 0)
			goto out;
		rv = vm_info_again(req->name, again, info, "launch", cause);
		goto out;
	}
	if (strcmp(info->state, "Running") == 0) {
		rv = 0;
		goto out;
	}
	if (vm_state_usable(req->cfg, req->name, info->state, &note,
	    &why) != 0) {
		xasprintf(cause, "VM %s is %s", req->name, why);
		free(why);
		goto out;
	}
	if (vm_start(req->cfg, req->name, cause) != 0)
		goto out;
	/* Start drops mounts it cannot re-activate: look again. */
	mp_info_free(info);
	rv = vm_info_again(req->name, again, info, "start", cause);
out:
	free(again);
	return rv;
}

static char **
argv_push(char **v, size_t *n, const char *s)
{
	v = xrealloc(v, (*n + 2) * sizeof *v);
	v[(*n)++] = xstrdup(s);
	v[*n] = NULL;
	return v;
}

/* How to install the agent, for the guest to say when its command is
 * missing: "agentrun [--vm NAME] vm provision AGENT", or "" when its
 * profile has no install command. */
static char *
vm_agent_fix(const struct vm_request *req)
{
	const struct agent_profile	*a = req->agent;
	char				*again, *h;

	if (a->install == NULL || *a->install == '\0')
		return xstrdup("");
	again = vm_cmdline(req->cfg, req->name);
	xasprintf(&h, "%s vm provision %s", again, a->name);
	free(again);
	return h;
}

/* multipass exec NAME -d TARGET -- [env N=V...] bash -lc SCRIPT agentrun
 * [FIX] CMD ARGS...: the arguments stay positional parameters, never
 * spliced into the script. For an agent, the script first checks that its
 * command is there and says how to install it if not. */
static char **
vm_exec_argv(const struct vm_request *req, const char *bin, int guard4,
    int env)
{
	static const char check[] =
	    "_agentrun_h=$1; shift; command -v \"$1\" >/dev/null 2>&1 || { "
	    "if [ -n \"$_agentrun_h\" ]; then "
	    "_agentrun_h=\"install it with '$_agentrun_h'\"; else "
	    "_agentrun_h='its agent profile has no install command'; fi; "
	    "printf '%s\\n' \"agentrun: $1 is not installed in the VM; "
	    "$_agentrun_h\" >&2; exit 127; }; ";
	/* Ctrl-C and Ctrl-\\ reach the whole foreground group in the guest,
	 * this shell too: it catches them (the command gets the default
	 * action back at exec) and outlives the command to report 128+N,
	 * where multipass, left with a signal and no status, exits 255. */
	static const char guarded[] = "trap : INT QUIT; \"$@\"; "
	    VM_GUARD4;
	static const char plain[] = "trap : INT QUIT; \"$@\"; exit \"$?\"";
	static const char *const login_shell[] = { "bash", "-l", NULL };
	char		**v = NULL, *script, *hint;
	size_t		  n = 0, i;
	char *const	 *cmd;

	v = argv_push(v, &n, bin);	/* the one found: not a PATH lookup */
	v = argv_push(v, &n, "exec");
	v = argv_push(v, &n, req->name);
	v = argv_push(v, &n, "-d");
	v = argv_push(v, &n, req->project);
	v = argv_push(v, &n, "--");
	xasprintf(&script, "%s%s%s", env ? VM_ENV_READ : "",
	    req->agent != NULL ? check : "", guard4 ? guarded : plain);
	v = argv_push(v, &n, "bash");
	v = argv_push(v, &n, "-lc");
	v = argv_push(v, &n, script);
	v = argv_push(v, &n, "agentrun");
	free(script);
	if (req->agent != NULL) {
		v = argv_push(v, &n, hint = vm_agent_fix(req));
		free(hint);
		for (i = 0; req->agent->command[i] != NULL; i++)
			v = argv_push(v, &n, req->agent->command[i]);
		cmd = req->agent_args;
	} else if (req->cmd != NULL)
		cmd = req->cmd;
	else
		/* login_shell is not modified. */
		cmd = (char *const *)(uintptr_t)login_shell;
	for (i = 0; cmd != NULL && cmd[i] != NULL; i++)
		v = argv_push(v, &n, cmd[i]);
	return v;
}

/* The forwarded variables as VM_ENV_READ reads them, to out; none set:
 * nothing. */
static void
vm_env_encode(const struct vm_request *req, struct buf *out)
{
	const unsigned char	*c;
	const char		*val;
	size_t			 i;

	if (req->agent == NULL || req->agent->env == NULL)
		return;
	for (i = 0; req->agent->env[i] != NULL; i++) {
		if ((val = getenv(req->agent->env[i])) == NULL)
			continue;
		buf_adds(out, req->agent->env[i]);
		buf_addc(out, '=');
		for (c = (const unsigned char *)val; *c != '\0'; c++) {
			if (*c < 0x80 && (isalnum(*c) ||
			    strchr("_-.,:/+=@%", *c) != NULL))
				buf_addc(out, (char)*c);
			else
				buf_addf(out, "\\x%02x", *c);
		}
		buf_addc(out, ' ');
	}
	if (out->len > 0)
		buf_addc(out, ' ');	/* the end of the list */
}

static void
vm_fill_session(const struct vm_request *req, struct session *s,
    char *version)
{
	cJSON	*m;

	free(s->vm);
	s->vm = xstrdup(req->name);
	free(s->multipass_version);
	s->multipass_version = version;
	free(s->mount_mode);
	s->mount_mode = xstrdup(req->read_only ? "ro" : "rw");
	if (s->mounts != NULL)
		cJSON_Delete(s->mounts);
	s->mounts = cJSON_CreateArray();
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "source", req->project);
	cJSON_AddStringToObject(m, "target", req->project);
	cJSON_AddStringToObject(m, "mode", req->read_only ? "ro" : "rw");
	cJSON_AddItemToArray(s->mounts, m);
}

struct vm_handle *
vm_prepare(const struct vm_request *req, struct session *s, char ***argv,
    char **cause)
{
	struct vm_handle	*h = NULL;
	struct mp_info		 info;
	struct live_check	 lc;
	char			*bin, *stage = NULL, *version = NULL;
	char			*live = NULL;
	int			 live_fd = -1;
	const char		*target, *mode = req->read_only ? "ro" : "rw";
	int			 lockfd = -1, have;

	memset(&info, 0, sizeof info);
	*argv = NULL;
	if (vm_check(req, cause) != 0)
		return NULL;
	if ((bin = mp_find()) == NULL) {
		xasprintf(cause, "multipass is not installed: %s (or use "
		    "--backend local, which has no isolation)",
		    mp_install_hint());
		return NULL;
	}
	if ((lockfd = vm_lock(req->name, cause)) < 0)
		goto fail;
	if (vm_ensure(req, &info, cause) != 0)
		goto fail;

	lc.project = req->project;
	lc.mode = mode;
	lc.name = req->name;
	lc.cause = cause;
	if (live_walk(req->name, live_conflict_cb, &lc) != 0)
		goto fail;

	if (req->read_only) {
		stage = stage_path(req->project);
		target = stage;
	} else
		target = req->project;
	if ((have = vm_umount_others(req->cfg, req->name, &info, target,
	    req->project, cause)) < 0)
		goto fail;
	if (!have) {
		log_info("mounting %s into VM %s%s", req->project, req->name,
		    req->read_only ? " (read-only)" : "");
		if (vm_mount(req->cfg, req->name, req->project, target,
		    cause) != 0)
			goto fail;
	}
	if (req->read_only) {
		if (vm_bind_ro(req->cfg, req->name, stage, req->project,
		    !have, cause) != 0)
			goto fail;
		log_info("read-only: the project is read-only inside the VM; "
		    "root in the VM can undo it, so this guards against "
		    "accidents, not against a hostile agent");
	}
	if ((live = live_register(req->name, req->project, mode, &live_fd,
	    cause)) == NULL)
		goto fail;
	vm_unlock(lockfd);
	lockfd = -1;

	version = vm_multipass_version();
	h = xcalloc(1, sizeof *h);
	buf_init(&h->env);
	h->name = xstrdup(req->name);
	h->live_path = live;
	h->live_fd = live_fd;
	h->guard4 = mp_version_loops_on_4(version);
	vm_fill_session(req, s, version);
	vm_env_encode(req, &h->env);
	*argv = vm_exec_argv(req, bin, h->guard4, h->env.len > 0);
	mp_log_args((const char *const *)*argv + 1);
	mp_info_free(&info);
	free(stage);
	free(bin);
	return h;

fail:
	vm_unlock(lockfd);
	mp_info_free(&info);
	free(stage);
	free(bin);
	return NULL;
}

const char *
vm_env_reply(const struct vm_handle *h, size_t *len)
{
	if (h == NULL || h->env.len == 0)
		return NULL;
	*len = h->env.len;
	return h->env.data;
}

void
vm_watch_output(struct vm_handle *h, const char *s, size_t n)
{
	size_t	 k = sizeof h->head - 1 - h->head_len;

	if (k == 0)
		return;
	if (n < k)
		k = n;
	memcpy(h->head + h->head_len, s, k);
	h->head_len += k;
	h->head[h->head_len] = '\0';
}

/* The line "exec failed: ..." that starts at the beginning of the output
 * or of one of its first lines (an auto-start's spinner may come before
 * it), without its end; NULL if there is none. */
static char *
vm_exec_error(const struct vm_handle *h)
{
	static const char	 want[] = "exec failed:";
	const char		*p = h->head, *e = h->head + h->head_len;

	for (;;) {
		if ((size_t)(e - p) >= sizeof want - 1 &&
		    memcmp(p, want, sizeof want - 1) == 0)
			return xstrndup(p, strcspn(p, "\r\n"));
		if ((p = memchr(p, '\n', (size_t)(e - p))) == NULL)
			return NULL;
		p++;
	}
}

int
vm_exit_status(struct vm_handle *h, int status, char **cause)
{
	char	*line;

	if (h == NULL)
		return status;
	if (h->guard4 && status == VM_STATUS4_SENTINEL)
		return 4;
	if ((status == 2 || status == 255) && (line = vm_exec_error(h)) !=
	    NULL) {
		xasprintf(cause, "multipass could not run the command in VM "
		    "%s: %s", h->name, line);
		free(line);
		return -1;
	}
	return status;
}

void
vm_release(struct vm_handle *h)
{
	if (h == NULL)
		return;
	if (h->live_path != NULL)
		unlink(h->live_path);
	if (h->live_fd >= 0)
		(void)close(h->live_fd);
	free(h->live_path);
	free(h->name);
	if (h->env.data != NULL)
		explicit_bzero(h->env.data, h->env.len);
	buf_free(&h->env);
	free(h);
}

/* --- for 'agentrun vm' and 'doctor' ----------------------------------- */

struct live_print {
	FILE	*f;
	int	 n;
};

static int
live_print_cb(void *arg, const struct live *l)
{
	struct live_print	*p = arg;

	fprintf(p->f, "session:  pid %ld in %s (%s)\n", l->pid, l->project,
	    strcmp(l->mode, "ro") == 0 ? "read-only" : "read-write");
	p->n++;
	return 0;
}

int
vm_live_print(const char *name, FILE *f)
{
	struct live_print	p = { f, 0 };

	live_walk(name, live_print_cb, &p);
	return p.n;
}

int
vm_lock_open(const char *name, char **cause)
{
	return vm_lock(name, cause);
}

void
vm_lock_close(int fd)
{
	vm_unlock(fd);
}
