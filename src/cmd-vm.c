/* cmd-vm.c: 'agentrun vm status|start|stop|delete|mounts|provision' and
 * 'agentrun doctor' (one line per check: ok, or what to do). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "multipass.h"
#include "session.h"
#include "util.h"
#include "vm.h"

struct vm_ctx {
	struct config	 cfg;
	const char	*name;
	char		*again;		/* agentrun's command line for hints */
};

static int
vm_ctx_init(struct globals *g, struct vm_ctx *c)
{
	char	*cause = NULL;

	if (config_load(&c->cfg, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		config_free(&c->cfg);
		return -1;
	}
	c->name = g->vm != NULL ? g->vm : c->cfg.vm.name;
	if (vm_name_valid(c->name, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		config_free(&c->cfg);
		return -1;
	}
	c->again = vm_cmdline(&c->cfg, c->name);
	return 0;
}

static void
vm_ctx_free(struct vm_ctx *c)
{
	free(c->again);
	config_free(&c->cfg);
}

/* Run one multipass command on the VM; EXIT_OK or EXIT_ERROR. */
static int
vm_simple(struct vm_ctx *vc, const char *const *argv, int timeout)
{
	struct mp_call		 c = { argv, timeout, 0, NULL, NULL, NULL };
	struct mp_result	 r;
	char			*cause = NULL;
	int			 rv = EXIT_ERROR;

	if (mp_run(&c, &r, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_ERROR;
	}
	if (r.status == 0 && !r.timed_out)
		rv = EXIT_OK;
	else {
		cause = mp_error(argv[0], vc->name, vc->again, &r);
		log_error("%s", cause);
		free(cause);
	}
	mp_result_free(&r);
	return rv;
}

/* 1 exists (info filled), 0 not, -1 error (printed). */
static int
vm_lookup(struct vm_ctx *c, struct mp_info *info)
{
	char	*cause = NULL;
	int	 r;

	if ((r = mp_info(c->name, c->again, info, &cause)) < 0) {
		log_error("%s", cause);
		free(cause);
	}
	return r;
}

/* The VM, which must exist: 0 (info filled), or -1 (said why). */
static int
vm_lookup_existing(struct vm_ctx *c, struct mp_info *info)
{
	int	 r;

	if ((r = vm_lookup(c, info)) == 0)
		log_error("VM %s does not exist ('multipass list' shows the "
		    "ones there are)", c->name);
	return r == 1 ? 0 : -1;
}

static int
vm_status(struct vm_ctx *c)
{
	struct mp_info	 info;
	const char	*note;
	char		*d, *why;
	size_t		 i, n;
	int		 r;

	if ((r = vm_lookup(c, &info)) < 0)
		return EXIT_ERROR;
	printf("vm:       %s\n", c->name);
	if (r == 0) {
		d = vm_cmdline(&c->cfg, c->name);
		printf("state:    not created ('%s claude' or '%s vm start' "
		    "creates it)\n", d, d);
		free(d);
		return EXIT_OK;
	}
	printf("state:    %s\n", info.state);
	/* What a session would say about it, and what to do. */
	if (vm_state_usable(&c->cfg, c->name, info.state, &note, &why) != 0) {
		n = strlen(info.state);
		printf("advice:   %s\n", strncmp(why, info.state, n) == 0 &&
		    (why[n] == ':' || why[n] == ',') && why[n + 1] == ' ' ?
		    why + n + 2 : why);
		free(why);
	}
	if (info.release != NULL && *info.release != '\0')
		printf("image:    %s\n", info.release);
	if (info.n_mounts == 0)
		printf("mounts:   none\n");
	for (i = 0; i < info.n_mounts; i++) {
		d = vm_mount_describe(&info.mounts[i]);
		printf("mount:    %s\n", d);
		free(d);
	}
	vm_live_print(c->name, stdout);
	mp_info_free(&info);
	return EXIT_OK;
}

static int
vm_mounts(struct vm_ctx *c)
{
	struct mp_info	 info;
	char		*d;
	size_t		 i;

	if (vm_lookup_existing(c, &info) != 0)
		return EXIT_ERROR;
	for (i = 0; i < info.n_mounts; i++) {
		d = vm_mount_describe(&info.mounts[i]);
		printf("%s\n", d);
		free(d);
	}
	mp_info_free(&info);
	return EXIT_OK;
}

static int
vm_agent_of(struct vm_ctx *c, const char *agent_name,
    const struct agent_profile **agent)
{
	struct buf	 names;
	size_t		 i;

	*agent = config_agent(&c->cfg, agent_name != NULL ? agent_name :
	    c->cfg.agents[0].name);
	if (*agent != NULL)
		return 0;
	buf_init(&names);
	for (i = 0; i < c->cfg.n_agents; i++)
		buf_addf(&names, "%s%s", i > 0 ? ", " : "",
		    c->cfg.agents[i].name);
	buf_addc(&names, '\0');
	log_error("no agent profile '%s' in the config; the agents "
	    "are: %s", agent_name, names.data);
	buf_free(&names);
	return -1;
}

/* Launch (and provision) or start; with provision set, (re)install the
 * agent in any case. */
static int
vm_up(struct vm_ctx *c, const struct agent_profile *agent, int provision)
{
	struct mp_info	 info;
	const char	*note;
	char		*cause = NULL, *again, *why;
	int		 r, lockfd, rv = EXIT_ERROR;

	if ((lockfd = vm_lock_open(c->name, &cause)) < 0)
		goto out;
	if ((r = vm_lookup(c, &info)) < 0)
		goto out;
	if (r == 0) {
		if (provision) {
			/* start installs the default agent only. */
			again = vm_cmdline(&c->cfg, c->name);
			if (agent == &c->cfg.agents[0])
				xasprintf(&cause, "VM %s does not exist: '%s "
				    "vm start' creates it", c->name, again);
			else
				xasprintf(&cause, "VM %s does not exist: '%s "
				    "vm start' creates it, then '%s vm "
				    "provision %s' installs %s", c->name, again,
				    again, agent->name, agent->name);
			free(again);
			goto out;
		}
		if (vm_launch(&c->cfg, c->name, agent, &cause) != 0)
			goto out;
		provision = 1;
	} else {
		/* What a session would say of a state it cannot use. */
		if (vm_state_usable(&c->cfg, c->name, info.state, &note,
		    &why) != 0) {
			xasprintf(&cause, "VM %s is %s", c->name, why);
			free(why);
			mp_info_free(&info);
			goto out;
		}
		if (strcmp(info.state, "Running") != 0 &&
		    vm_start(&c->cfg, c->name, &cause) != 0) {
			mp_info_free(&info);
			goto out;
		}
		mp_info_free(&info);
	}
	if (provision && vm_provision(&c->cfg, c->name, agent, &cause) != 0)
		goto out;
	rv = EXIT_OK;
out:
	vm_lock_close(lockfd);
	if (cause != NULL) {
		log_error("%s", cause);
		free(cause);
	}
	return rv;
}

/* Stop and delete refuse while a session is live, unless forced. */
static int
vm_busy(struct vm_ctx *c, const char *what, int force)
{
	if (force)
		return 0;
	if (vm_live_print(c->name, stderr) == 0)
		return 0;
	log_error("not %s VM %s while a session uses it (above); use --force",
	    what, c->name);
	return 1;
}

/* Stop the VM: an orderly shutdown, whoever uses it with force; and with
 * force a power-off where multipass allows nothing else (a suspended or
 * starting VM). */
static int
vm_stop(struct vm_ctx *c, int force)
{
	const char		*plain[] = { "stop", c->name, NULL };
	const char		*hard[] = { "stop", "--force", c->name, NULL };
	struct mp_call		 mc = { plain, MP_TIMEOUT_STOP, 0, NULL, NULL, NULL };
	struct mp_result	 r;
	const char		*e, *what;
	char			*cause = NULL;
	int			 rv = EXIT_ERROR, hard_done = 0;

	if (vm_busy(c, "stopping", force))
		return EXIT_ERROR;
again:
	if (mp_run(&mc, &r, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return EXIT_ERROR;
	}
	e = r.err.data != NULL ? r.err.data : "";
	if (r.status == 0 && !r.timed_out) {
		rv = EXIT_OK;
		log_info("%s VM %s", hard_done ? "powered off" : "stopped",
		    c->name);
	} else if (!r.timed_out && strstr(e, "Use --force") != NULL && force &&
	    !hard_done) {
		mp_result_free(&r);
		mc.argv = hard;
		hard_done = 1;
		goto again;
	} else if (!r.timed_out && strstr(e, "Use --force") != NULL) {
		/* Multipass's advice names its own option: say ours. */
		what = strstr(e, "suspended") != NULL ? "suspended" :
		    strstr(e, "while starting") != NULL ? "starting" : NULL;
		if (what != NULL)
			log_error("VM %s is %s, which a plain stop cannot shut "
			    "down: use '%s vm stop --force' to power it off",
			    c->name, what, c->again);
		else
			log_error("VM %s cannot be shut down in an orderly "
			    "way now: use '%s vm stop --force' to power it "
			    "off", c->name, c->again);
	} else {
		cause = mp_error("stop", c->name, c->again, &r);
		log_error("%s", cause);
		free(cause);
	}
	mp_result_free(&r);
	return rv;
}

/* Deleting a VM cannot be undone: ask on a terminal, and anywhere else
 * want --yes. 0 to go on. */
static int
vm_confirm_delete(struct vm_ctx *c)
{
	struct mp_info	 info;
	char		 line[32] = "", *again;

	/* No question (nor a demand for --yes) about a VM not there. */
	if (vm_lookup_existing(c, &info) != 0)
		return EXIT_ERROR;
	mp_info_free(&info);
	if (!isatty(STDIN_FILENO)) {
		again = vm_cmdline(&c->cfg, c->name);
		log_error("deleting VM %s cannot be undone: confirm with "
		    "'%s vm delete --yes'", c->name, again);
		free(again);
		return EXIT_USAGE;
	}
	fprintf(stderr, "Delete VM %s and everything in it (its disk, the "
	    "agents installed there)? [y/N] ", c->name);
	if (fflush(stderr) != 0 || fgets(line, sizeof line, stdin) == NULL ||
	    (strcasecmp(line, "y\n") != 0 && strcasecmp(line, "yes\n") != 0)) {
		if (strchr(line, '\n') == NULL)	/* ^D: the prompt's line */
			fputc('\n', stderr);
		log_error("VM %s not deleted", c->name);
		return EXIT_ERROR;
	}
	return 0;
}

int
cmd_vm(struct globals *g, int argc, char **argv)
{
	struct vm_ctx			 c;
	const struct agent_profile	*agent;
	const char			*sub, *arg = NULL;
	int				 i, force = 0, yes = 0, rv;
	int				 dashdash = 0;

	if (argc < 2)
		return usage_error("vm", "which one: status, start, stop, "
		    "delete, mounts or provision?");
	sub = argv[1];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0)
		return usage_print("vm");
	if (sub[0] == '-')
		return usage_error("vm", "the action comes first, then its "
		    "options ('agentrun vm delete --yes'), not %s", sub);
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 && !dashdash) {
			dashdash = 1;	/* the rest are no options */
			continue;
		}
		if (!dashdash && (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0))
			return usage_print("vm");
		if (dashdash || argv[i][0] != '-') {
			if (strcmp(sub, "provision") != 0 || arg != NULL)
				return usage_error("vm", "unexpected argument: "
				    "%s", argv[i]);
			arg = argv[i];
		} else if (strcmp(argv[i], "--force") == 0 &&
		    (strcmp(sub, "stop") == 0 || strcmp(sub, "delete") == 0))
			force = 1;
		else if ((strcmp(argv[i], "--yes") == 0 ||
		    strcmp(argv[i], "-y") == 0) && strcmp(sub, "delete") == 0)
			yes = 1;
		else
			return usage_option("vm", argv[i]);
	}
	if (strcmp(sub, "status") != 0 && strcmp(sub, "start") != 0 &&
	    strcmp(sub, "stop") != 0 && strcmp(sub, "delete") != 0 &&
	    strcmp(sub, "mounts") != 0 && strcmp(sub, "provision") != 0)
		return usage_error("vm", "unknown vm command: %s", sub);
	if (vm_ctx_init(g, &c) != 0)	/* the config or --vm: as for run */
		return EXIT_USAGE;

	if (strcmp(sub, "status") == 0)
		rv = vm_status(&c);
	else if (strcmp(sub, "mounts") == 0)
		rv = vm_mounts(&c);
	else if (strcmp(sub, "start") == 0 || strcmp(sub, "provision") == 0) {
		if (vm_agent_of(&c, arg, &agent) != 0)
			rv = EXIT_USAGE;
		else
			rv = vm_up(&c, agent, strcmp(sub, "provision") == 0);
	} else if (strcmp(sub, "stop") == 0)
		rv = vm_stop(&c, force);
	else {
		const char	*a[] = { "delete", "--purge", c.name, NULL };

		if (vm_busy(&c, "deleting", force))
			rv = EXIT_ERROR;
		else if (!yes && (rv = vm_confirm_delete(&c)) != 0)
			;
		else if ((rv = vm_simple(&c, a, MP_TIMEOUT_DELETE)) ==
		    EXIT_OK)
			log_info("deleted VM %s", c.name);
	}
	vm_ctx_free(&c);
	return rv;
}

/* --- doctor ----------------------------------------------------------- */

static int
check(int ok, const char *fmt, ...) PRINTFLIKE(2, 3);

static int
check(int ok, const char *fmt, ...)
{
	va_list	 ap;

	printf("%-6s", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return ok ? 0 : 1;
}

static int
doctor_vm(const char *name, const char *again, const struct config *cfg)
{
	struct mp_info	 info;
	struct buf	 spec, word;
	const char	*note, *q;
	char		*cause = NULL;
	size_t		 i;
	int		 r, bad = 0;

	if ((r = mp_info(name, again, &info, &cause)) < 0) {
		bad += check(0, "vm %s: %s", name, cause);
		free(cause);
		return bad;
	}
	if (r == 0) {
		bad = check(1, "vm %s: not created yet ('%s claude' creates "
		    "it: %d CPUs, %s memory, %s disk)", name, again,
		    cfg->vm.cpus, cfg->vm.memory, cfg->vm.disk);
		return bad;
	}
	/* As a session would take it, and with the same advice. */
	if (vm_state_usable(cfg, name, info.state, &note, &cause) == 0)
		check(1, "vm %s: %s%s%s%s", name, info.state,
		    note != NULL ? " (" : "", note != NULL ? note : "",
		    note != NULL ? ")" : "");
	else {
		bad += check(0, "vm %s: %s", name, cause);
		free(cause);
		cause = NULL;
	}
	for (i = 0; i < info.n_mounts; i++) {
		if (vm_mount_ok(info.mounts[i].source, &cause) != 0) {
			buf_init(&spec);
			buf_addf(&spec, "%s:%s", name, info.mounts[i].target);
			buf_init(&word);
			buf_add_shell_word(&word, spec.data);
			/* 'cmd', or "cmd" around a quoted word. */
			q = strcmp(word.data, spec.data) == 0 ? "'" : "\"";
			bad += check(0, "mount %s => %s: %s; the next "
			    "session removes it, or remove it now with "
			    "%smultipass umount %s%s", info.mounts[i].source,
			    info.mounts[i].target, cause, q, word.data, q);
			buf_free(&word);
			buf_free(&spec);
			free(cause);
			cause = NULL;
		} else if (access(info.mounts[i].source, F_OK) != 0 &&
		    errno == ENOENT)
			/* Stale: its folder was moved or deleted. */
			check(1, "mount %s => %s (the folder is gone; the next "
			    "session removes the mount)",
			    info.mounts[i].source, info.mounts[i].target);
		else
			check(1, "mount %s => %s", info.mounts[i].source,
			    info.mounts[i].target);
	}
	if (info.n_mounts == 0)
		check(1, "mounts: none (each session mounts its project)");
	if (info.n_mounts > 1)
		check(1, "mounts: %zu; the next session keeps only its "
		    "project", info.n_mounts);
	mp_info_free(&info);
	return bad;
}

/* Why the daemon gave 'multipass version' no answer. version says nothing
 * whatever the reason (not running, socket access denied, user not
 * authenticated): a call that fails says which. */
static char *
doctor_no_daemon(const char *name, const char *again)
{
	struct mp_info		 info;
	struct mp_result	 r;
	char			*cause = NULL;

	if (mp_info(name, again, &info, &cause) < 0)
		return cause;
	mp_info_free(&info);
	/* It answers now: say what version's silence meant at the time. */
	memset(&r, 0, sizeof r);
	buf_init(&r.err);
	buf_adds(&r.err, "cannot connect to the multipass socket");
	cause = mp_error("version", name, again, &r);
	mp_result_free(&r);
	return cause;
}

int
cmd_doctor(struct globals *g, int argc, char **argv)
{
	struct config	 cfg;
	char		*cause = NULL, *path, *client = NULL, *daemon = NULL;
	char		*dir, *again = NULL;
	const char	*name, *backend, *why;
	int		 bad = 0, i, have_cfg, local;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return usage_print("doctor");
		return usage_extra("doctor", argv[i]);
	}

	have_cfg = config_load(&cfg, &cause) == 0;
	if (!have_cfg) {
		bad += check(0, "config: %s", cause);
		free(cause);
		cause = NULL;
	} else
		check(1, "config: %s", cfg.path != NULL ? cfg.path :
		    "none, using the defaults");
	/* Only a launch reads it: found missing here, not after the wait. */
	if (have_cfg && config_cloud_init_check(&cfg, &why) != 0)
		bad += check(0, "vm.cloud_init: %s: %s", cfg.vm.cloud_init,
		    why);
	name = g->vm != NULL ? g->vm : cfg.vm.name;
	again = vm_cmdline(&cfg, name);
	backend = g->backend != NULL ? g->backend : cfg.backend;
	local = backend != NULL && strcmp(backend, "local") == 0;
	if (!local && vm_name_valid(name, &cause) != 0) {
		bad += check(0, "vm name: %s", cause);
		free(cause);
		cause = NULL;
	}

	if ((dir = session_dir(1, &cause)) == NULL) {
		bad += check(0, "store: %s", cause);
		free(cause);
		cause = NULL;
	} else {
		bad += check(access(dir, W_OK) == 0, "store: %s%s", dir,
		    access(dir, W_OK) == 0 ? "" : ": not writable");
		free(dir);
	}
	if ((dir = xdg_dir("XDG_STATE_HOME", ".local/state")) != NULL) {
		if (mkdir_p(dir, 0700) != 0)
			bad += check(0, "state: %s: %s", dir, strerror(errno));
		else
			check(1, "state: %s", dir);
		free(dir);
	}

	if (local) {
		/* No VM to check: multipass is not needed. */
		check(1, "backend: local (commands run on this machine, with "
		    "no isolation; multipass is not used)");
		path = NULL;
		goto out;
	}
	if ((path = mp_find()) == NULL) {
		bad += check(0, "multipass: not installed: %s",
		    mp_install_hint());
		goto out;
	}
	if (mp_version(again, &client, &daemon, &cause) != 0) {
		bad += check(0, "multipass: %s", cause);
		free(cause);
		cause = NULL;
		goto out;
	}
	check(1, "multipass %s: %s%s", client, path,
	    mp_path_is_snap(path) ? " (snap: only non-hidden folders under "
	    "/home can be mounted)" : "");
	if (daemon == NULL) {
		bad += check(0, "daemon: %s", (cause = doctor_no_daemon(name,
		    again)));
		free(cause);
		cause = NULL;
		goto out;
	}
	check(1, "daemon: multipassd %s", daemon);
	if (!have_cfg && g->vm == NULL)		/* bad counts it already */
		check(0, "vm: not checked until the config is fixed (it names "
		    "the VM and its size)");
	else if (vm_name_valid(name, &cause) == 0)
		bad += doctor_vm(name, again, &cfg);
	free(cause);
	cause = NULL;
out:
	free(again);
	free(path);
	free(client);
	free(daemon);
	config_free(&cfg);
	return bad > 0 ? EXIT_ERROR : EXIT_OK;
}
