/* multipass.c: running the multipass client with argv only (fork and
 * execvp, never a shell) and a bounded wait, stripping its spinner,
 * parsing its JSON, and mapping its error texts (reference/multipass-cli.md,
 * multipass-samples/errors.txt) to one actionable line each. */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "multipass.h"
#include "proc.h"
#include "util.h"

/* Walk PATH as the search for multipass goes: absolute folders only (not
 * "." or "", which may be the project, which the agent can write). The
 * program found, or NULL. With inside set, stop instead at the first
 * folder searched that is or lies in that (resolved) folder, and put its
 * name in *hit: there the agent could put a multipass of its own that
 * agentrun would run on this machine, from this project or any other. */
static char *
mp_search(const char *inside, char **hit)
{
	const char	*path = getenv("PATH");
	char		*copy, *dir, *save, *full, *found = NULL;
	char		 real[PATH_MAX];
	struct stat	 st;

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin:/snap/bin";
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		if (*dir != '/')
			continue;
		if (inside != NULL && path_resolve(dir, real) == 0 &&
		    path_under(real, inside)) {
			*hit = xstrdup(dir);
			break;
		}
		/* As execvp and the shell: a folder named multipass (or
		 * one not executable) is passed over. */
		full = path_join(dir, "multipass");
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(full, X_OK) == 0) {
			found = full;
			break;
		}
		free(full);
	}
	free(copy);
	return found;
}

char *
mp_find(void)
{
	return mp_search(NULL, NULL);
}

char *
mp_path_inside(const char *dir)
{
	char	*hit = NULL;

	free(mp_search(dir, &hit));
	return hit;
}

int
mp_path_is_snap(const char *path)
{
	char	 real[PATH_MAX];

	if (path == NULL)
		return 0;
	if (strncmp(path, "/snap/", 6) == 0)
		return 1;
	if (realpath(path, real) == NULL)
		return 0;
	/* /snap/bin/multipass is a link to /usr/bin/snap. */
	return strncmp(real, "/snap/", 6) == 0 ||
	    strcmp(real, "/usr/bin/snap") == 0;
}

const char *
mp_install_hint(void)
{
#ifdef __APPLE__
	return "install it with 'brew install --cask multipass' "
	    "(or from https://canonical.com/multipass/install)";
#else
	return "install it with 'sudo snap install multipass' "
	    "(see https://canonical.com/multipass/install)";
#endif
}

/* --- the spinner ------------------------------------------------------ */

void
mp_strip_init(struct mp_strip *st)
{
	memset(st, 0, sizeof *st);
	buf_init(&st->line);
	buf_init(&st->done);
}

void
mp_strip_free(struct mp_strip *st)
{
	buf_free(&st->line);
	buf_free(&st->done);
	free(st->last);
}

/* The message being drawn, without the spinner character and padding. */
static char *
strip_message(const struct buf *line)
{
	size_t	n = line->len;

	while (n > 0 && isspace((unsigned char)line->data[n - 1]))
		n--;
	if (n >= 2 && strchr("/-\\|", line->data[n - 1]) != NULL &&
	    line->data[n - 2] == ' ') {
		n--;
		while (n > 0 && isspace((unsigned char)line->data[n - 1]))
			n--;
	}
	if (n == 0)
		return NULL;
	return xstrndup(line->data, n);
}

/* A message drawn on the current line is reported once, before the line
 * is cleared and at the end of each chunk. */
static const char *
strip_report(struct mp_strip *st)
{
	char	*msg;

	if ((msg = strip_message(&st->line)) == NULL)
		return NULL;
	if (st->last != NULL && strcmp(st->last, msg) == 0) {
		free(msg);
		return NULL;
	}
	free(st->last);
	st->last = msg;
	if (st->cb != NULL)
		st->cb(st->arg, msg);
	return msg;
}

const char *
mp_strip_feed(struct mp_strip *st, const char *p, size_t len)
{
	const char	*msg, *latest = NULL;
	size_t		 i;

	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)p[i];

		if (st->esc == 1) {
			st->esc = c == '[' ? 2 : 0;
			continue;
		}
		if (st->esc == 2) {
			if (c >= 0x40 && c <= 0x7e) {
				st->esc = 0;
				if (c == 'K') {
					if ((msg = strip_report(st)) != NULL)
						latest = msg;
					buf_reset(&st->line);
				}
			}
			continue;
		}
		switch (c) {
		case 0x1b:
			st->esc = 1;
			break;
		case '\b':
			if (st->line.len > 0)
				st->line.data[--st->line.len] = '\0';
			break;
		case '\r':
			if ((msg = strip_report(st)) != NULL)
				latest = msg;
			buf_reset(&st->line);
			break;
		case '\n':
			buf_add(&st->done, st->line.data, st->line.len);
			buf_addc(&st->done, '\n');
			buf_reset(&st->line);
			break;
		default:
			if (c >= 0x20 || c == '\t')
				buf_addc(&st->line, (char)c);
			break;
		}
	}
	if ((msg = strip_report(st)) != NULL)
		latest = msg;
	return latest;
}

char *
mp_strip_text(const char *p, size_t len)
{
	struct mp_strip	 st;
	char		*msg, *out;

	mp_strip_init(&st);
	mp_strip_feed(&st, p, len);
	/* A last line without a newline is kept only if it is text, not a
	 * spinner. */
	if ((msg = strip_message(&st.line)) != NULL &&
	    strcmp(msg, st.line.data) == 0)
		buf_adds(&st.done, msg);
	free(msg);
	buf_addc(&st.done, '\0');
	out = xstrdup(st.done.data);
	mp_strip_free(&st);
	return out;
}

/* --- running ---------------------------------------------------------- */

void
mp_log_args(const char *const *argv)
{
	struct buf	 b;
	size_t		 i;

	if (log_get_verbosity() < 1)
		return;
	buf_init(&b);
	buf_adds(&b, "run: multipass");
	for (i = 0; argv[i] != NULL; i++) {
		if (strpbrk(argv[i], " \t\n'\"\\$`") != NULL ||
		    argv[i][0] == '\0')
			buf_addf(&b, " '%s'", argv[i]);
		else
			buf_addf(&b, " %s", argv[i]);
	}
	log_debug("%s", b.data);
	buf_free(&b);
}

static void
mp_log_call(const struct mp_call *c)
{
	mp_log_args(c->argv);
}

/* stdout of a call, as it arrives: through the spinner stripper. */
static void
mp_out_cb(void *arg, const char *p, size_t n)
{
	mp_strip_feed(arg, p, n);
}

int
mp_run(const struct mp_call *c, struct mp_result *r, char **cause)
{
	struct mp_strip		 st;
	struct proc_opts	 o;
	struct proc_result	 pr;
	const char		**argv = NULL;
	char			*path;
	size_t			 n;
	int			 rv = -1;

	memset(r, 0, sizeof *r);
	buf_init(&r->out);
	buf_init(&r->err);
	r->status = -1;
	mp_strip_init(&st);
	st.cb = c->progress_cb;
	st.arg = c->arg;
	if ((path = mp_find()) == NULL) {
		xasprintf(cause, "multipass is not installed: %s",
		    mp_install_hint());
		goto out;
	}
	mp_log_call(c);
	for (n = 0; c->argv[n] != NULL; n++)
		;
	argv = xcalloc(n + 2, sizeof *argv);
	argv[0] = path;
	memcpy(argv + 1, c->argv, n * sizeof *argv);
	memset(&o, 0, sizeof o);
	o.timeout_ms = c->timeout * 1000;
	o.inherit = (c->flags & MP_INHERIT) != 0;
	o.in_path = c->in_path;
	o.out_cb = mp_out_cb;
	o.arg = &st;
	if (proc_run(argv, &o, &pr, cause) != 0) {
		free(*cause);
		xasprintf(cause, "cannot run %s: %s", path, strerror(errno));
		goto out;
	}
	r->status = pr.status;
	r->timed_out = pr.timed_out;
	if (st.line.len > 0)
		mp_strip_feed(&st, "\n", 1);
	buf_add(&r->out, st.done.data, st.done.len);
	buf_add(&r->err, pr.err.data, pr.err.len);
	proc_result_free(&pr);
	log_debug("multipass %s: status %d%s", c->argv[0], r->status,
	    r->timed_out ? " (timed out)" : "");
	rv = 0;
out:
	mp_strip_free(&st);
	free(argv);
	free(path);
	return rv;
}

void
mp_result_free(struct mp_result *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}

/* --- errors ----------------------------------------------------------- */

/* The next line of stderr from *p that says something, with "CMD failed: "
 * and "The following errors occurred:" folded away; NULL if none. */
static char *
next_error(const char **p)
{
	const char	*nl, *colon;
	char		*line;

	while (**p != '\0') {
		nl = strchr(*p, '\n');
		line = nl != NULL ? xstrndup(*p, (size_t)(nl - *p)) :
		    xstrdup(*p);
		*p = nl != NULL ? nl + 1 : *p + strlen(*p);
		if ((colon = strstr(line, " failed: ")) != NULL)
			memmove(line, colon + 9, strlen(colon + 9) + 1);
		if (*line != '\0' &&
		    strcmp(line, "The following errors occurred:") != 0)
			return line;
		free(line);
	}
	return NULL;
}

/* What stderr says, on one line: its first line that says something and
 * the next, which often holds the detail ("Invalid arguments supplied" /
 * "Invalid memory size value supplied: 100M."); after a first line that
 * is a sentence of its own, the next follows as one. */
static char *
first_error(const char *cmd, const char *err)
{
	const char	*p;
	char		*a, *b, *line, *head;
	size_t		 n;

	/* Warnings the daemon streamed before the failure (a mount it
	 * removed at start) are not it: begin at "CMD failed: ". */
	xasprintf(&head, "%s failed: ", cmd);
	for (p = err; *p != '\0'; p = strchr(p, '\n') + 1) {
		if (strncmp(p, head, strlen(head)) == 0) {
			err = p;
			break;
		}
		if (strchr(p, '\n') == NULL)
			break;
	}
	free(head);
	if ((a = next_error(&err)) == NULL)
		return NULL;
	if ((b = next_error(&err)) == NULL)
		return a;
	n = strlen(a);
	xasprintf(&line, "%s%s%s", a, strchr(".!?:", a[n - 1]) != NULL ?
	    " " : ": ", b);
	free(a);
	free(b);
	return line;
}

int
mp_launch_timed_out(const struct mp_result *r)
{
	return r->timed_out || r->status == 5 || (r->err.data != NULL &&
	    strstr(r->err.data, "timed out") != NULL);
}

/* Did multipass say the instance is what ("does not exist", "is
 * deleted")? Its commands quote the name three ways
 * (reference/multipass-cli.md): instance "N", Instance 'N' and instance
 * 'N'. */
static int
mp_said_state(const char *e, const char *name, const char *what)
{
	char	*n[3];
	int	 found;
	size_t	 i;

	xasprintf(&n[0], "instance \"%s\" %s", name, what);
	xasprintf(&n[1], "Instance '%s' %s", name, what);
	xasprintf(&n[2], "instance '%s' %s", name, what);
	found = strstr(e, n[0]) != NULL || strstr(e, n[1]) != NULL ||
	    strstr(e, n[2]) != NULL;
	for (i = 0; i < 3; i++)
		free(n[i]);
	return found;
}

static int
mp_said_missing(const char *e, const char *name)
{
	return mp_said_state(e, name, "does not exist");
}

char *
mp_error(const char *cmd, const char *name, const char *again,
    const struct mp_result *r)
{
	const char	*e = r->err.data != NULL ? r->err.data : "";
	char		*msg, *line;

	if (again == NULL)
		again = "agentrun";
	if (r->timed_out) {
		if (strcmp(cmd, "launch") == 0)
			xasprintf(&msg, "launching VM %s timed out; it may "
			    "still be coming up: check with '%s vm status'",
			    name, again);
		else
			/* Not "see doctor": doctor says this too. */
			xasprintf(&msg, "multipass %s did not finish in time; "
			    "the daemon may be stuck: %s", cmd,
#ifdef __APPLE__
			    "restart it with 'sudo launchctl kickstart -k "
			    "system/com.canonical.multipassd'"
#else
			    "restart it with 'sudo snap restart multipass' "
			    "(or 'sudo systemctl restart multipassd')"
#endif
			    );
		return msg;
	}
	if (strstr(e, "cannot connect to the multipass socket") != NULL) {
		xasprintf(&msg, "the multipass daemon is not running: %s",
#ifdef __APPLE__
		    "start it with 'sudo launchctl kickstart -k "
		    "system/com.canonical.multipassd'"
#else
		    "start it with 'sudo snap start multipass' (or "
		    "'sudo systemctl start multipassd')"
#endif
		    );
		return msg;
	}
	if (strstr(e, "socket access denied") != NULL) {
		xasprintf(&msg, "not allowed to talk to the multipass daemon: "
		    "your user needs read and write access to its socket "
		    "(on Linux, membership of the sudo or admin group)");
		return msg;
	}
	if (strstr(e, "not authenticated") != NULL) {
		xasprintf(&msg, "multipass does not know this user: run "
		    "'multipass authenticate' (an authorised user sets the "
		    "passphrase with 'multipass set local.passphrase')");
		return msg;
	}
	if (strstr(e, "Error enabling mount support") != NULL) {
		xasprintf(&msg, "multipass could not install sshfs in VM %s "
		    "(the first mount needs the VM to reach the internet): "
		    "run 'multipass exec %s -- sudo snap install "
		    "multipass-sshfs', then try again", name, name);
		return msg;
	}
	if (strstr(e, "Mounts are disabled") != NULL) {
		xasprintf(&msg, "mounts are disabled in multipass: run "
		    "'multipass set local.privileged-mounts=true'");
		return msg;
	}
	if (strcmp(cmd, "launch") == 0 && mp_launch_timed_out(r)) {
		xasprintf(&msg, "launching VM %s timed out; it may still be "
		    "coming up: check with '%s vm status'", name, again);
		return msg;
	}
	if (name != NULL && mp_said_missing(e, name)) {
		xasprintf(&msg, "VM %s does not exist ('multipass list' shows "
		    "the ones there are)", name);
		return msg;
	}
	/* A state changed since agentrun looked (or a command that does not
	 * look first, as vm stop): the advice a session gives for it. */
	if (name != NULL && mp_said_state(e, name, "is deleted")) {
		xasprintf(&msg, "VM %s is deleted but not purged: run "
		    "'multipass recover %s' to keep it, or 'multipass delete "
		    "--purge %s' to start afresh", name, name, name);
		return msg;
	}
	if (name != NULL && (strstr(e, "in an unknown state") != NULL ||
	    strstr(e, "in unknown state") != NULL)) {
		xasprintf(&msg, "VM %s is in an unknown state (multipass "
		    "cannot tell what it is doing): power it off with '%s vm "
		    "stop --force', then try again", name, again);
		return msg;
	}
	if (name != NULL && strstr(e, "while suspending") != NULL) {
		xasprintf(&msg, "VM %s is suspending: that ends by itself; "
		    "wait a moment and try again", name);
		return msg;
	}
	if (strstr(e, "is unknown or unreachable") != NULL) {
		xasprintf(&msg, "multipass cannot reach its image server yet "
		    "(this happens for a while after the host boots): try "
		    "again in a few minutes");
		return msg;
	}
	if ((line = first_error(cmd, e)) == NULL && r->status > 128 &&
	    r->status < 128 + NSIG && strcmp(cmd, "exec") != 0)
		/* multipass's own statuses are small; exec's are the
		 * command's. */
		xasprintf(&msg, "multipass %s was killed by signal %d (%s) "
		    "before it finished: try again", cmd, r->status - 128,
		    strsignal(r->status - 128));
	else if (line == NULL)
		xasprintf(&msg, "multipass %s failed with status %d", cmd,
		    r->status);
	else {
		xasprintf(&msg, "multipass %s failed: %s", cmd, line);
		free(line);
	}
	return msg;
}

/* --- info ------------------------------------------------------------- */

static char **
json_strings(const cJSON *a)
{
	const cJSON	*e;
	char		**v;
	size_t		  n = 0;

	v = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof *v);
	cJSON_ArrayForEach(e, a) {
		if (cJSON_IsString(e))
			v[n++] = xstrdup(e->valuestring);
	}
	return v;
}

int
mp_info_parse(const char *json, size_t len, const char *name,
    struct mp_info *info, char **cause)
{
	cJSON		*root;
	const cJSON	*inst, *state, *mounts, *m, *src, *rel;
	struct mp_mount	*mm;
	int		 rv = -1;

	memset(info, 0, sizeof *info);
	if ((root = cJSON_ParseWithLength(json, len)) == NULL) {
		xasprintf(cause, "multipass info printed something that is "
		    "not JSON");
		return -1;
	}
	inst = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(root, "info"), name);
	if (!cJSON_IsObject(inst)) {
		xasprintf(cause, "multipass info did not describe %s", name);
		goto out;
	}
	state = cJSON_GetObjectItemCaseSensitive(inst, "state");
	if (!cJSON_IsString(state)) {
		xasprintf(cause, "multipass info gave no state for %s", name);
		goto out;
	}
	info->name = xstrdup(name);
	info->state = xstrdup(state->valuestring);
	rel = cJSON_GetObjectItemCaseSensitive(inst, "image_release");
	if (cJSON_IsString(rel))
		info->release = xstrdup(rel->valuestring);
	mounts = cJSON_GetObjectItemCaseSensitive(inst, "mounts");
	if (cJSON_IsObject(mounts)) {
		info->mounts = xcalloc((size_t)cJSON_GetArraySize(mounts) + 1,
		    sizeof *info->mounts);
		cJSON_ArrayForEach(m, mounts) {
			src = cJSON_GetObjectItemCaseSensitive(m,
			    "source_path");
			if (!cJSON_IsString(src) || m->string == NULL)
				continue;
			mm = &info->mounts[info->n_mounts++];
			mm->target = xstrdup(m->string);
			mm->source = xstrdup(src->valuestring);
			mm->uid_maps = json_strings(
			    cJSON_GetObjectItemCaseSensitive(m,
			    "uid_mappings"));
			mm->gid_maps = json_strings(
			    cJSON_GetObjectItemCaseSensitive(m,
			    "gid_mappings"));
		}
	}
	rv = 0;
out:
	cJSON_Delete(root);
	if (rv != 0)
		mp_info_free(info);
	return rv;
}

void
mp_info_free(struct mp_info *info)
{
	size_t	i;

	for (i = 0; i < info->n_mounts; i++) {
		free(info->mounts[i].target);
		free(info->mounts[i].source);
		strv_free(info->mounts[i].uid_maps);
		strv_free(info->mounts[i].gid_maps);
	}
	free(info->mounts);
	free(info->name);
	free(info->state);
	free(info->release);
	memset(info, 0, sizeof *info);
}

int
mp_info(const char *name, const char *again, struct mp_info *info,
    char **cause)
{
	const char		*argv[] = { "info", name,
	    "--no-runtime-information", "--format", "json", NULL };
	struct mp_call		 c = { argv, MP_TIMEOUT_INFO, 0, NULL, NULL, NULL };
	struct mp_result	 r;
	int			 rv = -1;

	memset(info, 0, sizeof *info);
	if (mp_run(&c, &r, cause) != 0)
		return -1;
	if (r.status != 0 || r.timed_out) {
		if (!r.timed_out && mp_said_missing(r.err.data, name))
			rv = 0;
		else
			*cause = mp_error("info", name, again, &r);
		goto out;
	}
	if (mp_info_parse(r.out.data, r.out.len, name, info, cause) == 0)
		rv = 1;
out:
	mp_result_free(&r);
	return rv;
}

/* --- version ---------------------------------------------------------- */

int
mp_version(const char *again, char **client, char **daemon, char **cause)
{
	const char		*argv[] = { "version", "--format", "json",
	    NULL };
	struct mp_call		 c = { argv, MP_TIMEOUT_INFO, 0, NULL, NULL, NULL };
	struct mp_result	 r;
	cJSON			*root = NULL;
	const cJSON		*v;
	int			 rv = -1;

	*client = *daemon = NULL;
	if (mp_run(&c, &r, cause) != 0)
		return -1;
	if (r.status != 0 || r.timed_out ||
	    (root = cJSON_Parse(r.out.data)) == NULL) {
		*cause = mp_error("version", "", again, &r);
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "multipass");
	if (cJSON_IsString(v))
		*client = xstrdup(v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(root, "multipassd");
	if (cJSON_IsString(v))
		*daemon = xstrdup(v->valuestring);
	if (*client == NULL) {
		xasprintf(cause, "multipass version printed no version");
		goto out;
	}
	rv = 0;
out:
	cJSON_Delete(root);
	mp_result_free(&r);
	return rv;
}

int
mp_version_loops_on_4(const char *v)
{
	long	 major, minor;
	char	*end;

	if (v == NULL)
		return 1;
	major = strtol(v, &end, 10);
	if (*end != '.')
		return 1;
	minor = strtol(end + 1, &end, 10);
	return major < 1 || (major == 1 && minor <= 16);
}
