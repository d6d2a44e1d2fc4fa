/* cmd-ls.c: looking at the store: ls (sessions, newest first), show (one
 * session's metadata and provenance) and cat (its output bytes). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cast.h"
#include "cmd.h"
#include "session.h"
#include "util.h"

static const struct option ls_longopts[] = {
	{ "all",	no_argument,		NULL, 'a' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 }
};

static void
fmt_time(int64_t us, char *out, size_t len)
{
	time_t		 t = (time_t)(us / 1000000);
	struct tm	 tm;

	if (us == 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, len, "-");
}

static void
fmt_duration(const struct session *s, char *out, size_t len)
{
	int64_t	 d;

	if (s->end == 0 || s->start == 0) {
		snprintf(out, len, "-");
		return;
	}
	d = (s->end - s->start + 500000) / 1000000;
	if (d < 60)
		snprintf(out, len, "%llds", (long long)d);
	else if (d < 3600)
		snprintf(out, len, "%lldm%02llds", (long long)(d / 60),
		    (long long)(d % 60));
	else
		snprintf(out, len, "%lldh%02lldm", (long long)(d / 3600),
		    (long long)(d % 3600 / 60));
}

/* A string of a sidecar (an imported file's title or command, a command
 * line, a project path) on the terminal: control characters, C0, DEL and
 * C1, become '?', as ls(1) shows odd names, so none can move the cursor
 * or retitle the window; so do bytes that are not UTF-8 (a lone 0x9b is
 * a C1 CSI to a terminal not in UTF-8 mode), so the output is UTF-8. */
static void
put_safe(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s, *run;
	size_t			 n = strlen(s);
	int			 k;

	for (;;) {
		for (run = p; n > 0; p += k, n -= (size_t)k) {
			if (*p < 0x80)
				k = *p >= 0x20 && *p != 0x7f ? 1 : -1;
			else if ((k = utf8_check(p, n)) > 0 && *p == 0xc2 &&
			    p[1] <= 0x9f)
				k = -k;		/* C1, as U+0080..U+009F */
			if (k <= 0)
				break;
		}
		fwrite(run, 1, (size_t)(p - run), stdout);
		if (n == 0)
			break;
		putchar('?');
		k = k == 0 ? (int)n : -k;	/* cut short at the end: one */
		p += k;
		n -= (size_t)k;
	}
}

static void
ls_print_table(const struct session_list *l, size_t n, int all)
{
	char		 start[32], dur[32], st[16];
	size_t		 i;
	const struct session *s;

	printf("%-20s  %-16s  %8s  %4s  %-11s  %s\n", "ID", "STARTED",
	    "DURATION", "EXIT", "STATE", all ? "PROJECT / COMMAND" : "COMMAND");
	for (i = 0; i < n; i++) {
		s = &l->v[i];
		fmt_time(s->start, start, sizeof start);
		fmt_duration(s, dur, sizeof dur);
		if (s->exit_status >= 0)
			snprintf(st, sizeof st, "%d", s->exit_status);
		else
			snprintf(st, sizeof st, "-");
		printf("%-20s  %-16s  %8s  %4s  %-11s  ", s->id, start, dur, st,
		    session_state_name(s->state));
		if (all) {
			put_safe(s->project != NULL ? s->project : "-");
			fputs(": ", stdout);
		}
		put_safe(s->command != NULL ? s->command : "-");
		putchar('\n');
	}
}

static void
ls_print_json(const struct session_list *l, size_t n)
{
	cJSON	*a = cJSON_CreateArray();
	char	*text;
	size_t	 i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, session_to_json(&l->v[i]));
	if ((text = cJSON_Print(a)) == NULL)
		fatal("out of memory");
	printf("%s\n", text);
	free(text);
	cJSON_Delete(a);
}

int
cmd_ls(struct globals *g, int argc, char **argv)
{
	struct session_list	 l;
	char			*dir = NULL, *project = NULL, *cause = NULL;
	int			 ch, all = 0, json = 0, rc = EXIT_ERROR;
	long			 max = -1;

	optind = 0;	/* 0, not 1: glibc starts afresh (main's "+" is not kept) */
	while ((ch = getopt_long(argc, argv, ":an:h", ls_longopts, NULL))
	    != -1) {
		switch (ch) {
		case 'a':
			all = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'n':
			if (parse_int(optarg, 0, 1000000000, &max) != 0)
				return usage_error(argv[0], "-n needs a number,"
				    " not '%s'", optarg);
			break;
		case 'h':
			return usage_print(argv[0]);
		default:
			return usage_getopt(argv, ch, ls_longopts);
		}
	}
	if (optind < argc)
		return usage_error(argv[0], "unexpected argument: %s",
		    argv[optind]);
	if (!all && (project = cmd_project_listing(g,
	    "ls --all lists every project's sessions", &cause)) == NULL)
		goto out;
	if ((dir = session_dir(0, &cause)) == NULL)
		goto out;
	if (session_list(dir, project, &l, &cause) != 0)
		goto out;
	if (max < 0 || (size_t)max > l.n)
		max = (long)l.n;
	if (json)
		ls_print_json(&l, (size_t)max);
	else if (l.n == 0 && isatty(STDOUT_FILENO))
		fprintf(stderr, "No sessions recorded%s yet.\n",
		    all ? "" : " for this project");
	else
		ls_print_table(&l, (size_t)max, all);
	session_list_free(&l);
	rc = EXIT_OK;
out:
	if (cause != NULL)
		log_error("%s", cause);
	free(cause);
	free(dir);
	free(project);
	return rc;
}

static void
show_line(const char *k, const char *v)
{
	if (v == NULL)
		return;
	printf("%-18s ", k);
	put_safe(v);
	putchar('\n');
}

static void
show_text(const struct session *s)
{
	char		 start[32], end[32], dur[32], n[32];
	const cJSON	*m;

	fmt_time(s->start, start, sizeof start);
	fmt_time(s->end, end, sizeof end);
	fmt_duration(s, dur, sizeof dur);
	show_line("id:", s->id);
	show_line("state:", s->state == SESSION_FILE ?
	    "file (not in the store)" : session_state_name(s->state));
	show_line("command:", s->command);
	show_line("title:", s->title);
	show_line("project:", s->project);
	show_line("backend:", s->backend);
	show_line("vm:", s->vm);
	show_line("multipass:", s->multipass_version);
	cJSON_ArrayForEach(m, s->mounts) {
		const cJSON *src = cJSON_GetObjectItem(m, "source");
		const cJSON *dst = cJSON_GetObjectItem(m, "target");
		const cJSON *mode = cJSON_GetObjectItem(m, "mode");

		printf("%-18s ", "mount:");
		put_safe(cJSON_IsString(src) ? src->valuestring : "?");
		fputs(" -> ", stdout);
		put_safe(cJSON_IsString(dst) ? dst->valuestring : "?");
		if (cJSON_IsString(mode)) {
			putchar(' ');
			put_safe(mode->valuestring);
		}
		putchar('\n');
	}
	show_line("mount mode:", s->mount_mode);
	if (s->git_head_before != NULL) {
		printf("%-18s ", "git before:");
		put_safe(s->git_head_before);
		puts(s->git_dirty_before == 1 ? " (dirty)" : "");
	}
	if (s->git_head_after != NULL) {
		printf("%-18s ", "git after:");
		put_safe(s->git_head_after);
		puts(s->git_dirty_after == 1 ? " (dirty)" : "");
	}
	show_line("started:", start);
	if (s->end != 0)
		show_line("ended:", end);
	show_line("duration:", dur);
	if (s->exit_status >= 0) {
		snprintf(n, sizeof n, "%d", s->exit_status);
		show_line("exit status:", n);
	}
	snprintf(n, sizeof n, "%dx%d", s->cols, s->rows);
	show_line("terminal:", n);
	snprintf(n, sizeof n, "%llu", (unsigned long long)s->bytes);
	show_line("output bytes:", n);
	show_line("input recorded:", s->record_input ? "yes" : "no");
	show_line("recording error:", s->record_error);
	show_line("transcript:", s->cast_path);
}

/* What only the transcript can say: for a file given by path with no
 * sidecar beside it, its header (size, start, command, title); for that,
 * a session still recording and one that ended in a crash (their
 * sidecars have no end), its output bytes so far, and the time of its
 * last event (not for a running one: it is not over). 0, or -1 after
 * saying why it is not a recording. */
static int
show_scan(struct session *s)
{
	struct cast_reader		*cr;
	const struct cast_header	*h;
	struct cast_event		 ev;
	char				*cause = NULL;
	int64_t				 last = 0;
	int				 bare = s->backend == NULL;
	int				 imported, st, want_exit;

	/* Imported before imports noted recorded input: look again. */
	imported = !bare && strcmp(s->backend, "import") == 0 &&
	    !s->record_input;
	if (!bare && !imported && s->state != SESSION_INTERRUPTED &&
	    s->state != SESSION_RUNNING)
		return 0;
	if ((cr = cast_reader_open(s->cast_path, &cause)) == NULL) {
		if (!bare && access(s->cast_path, F_OK) != 0 &&
		    errno == ENOENT) {	/* deleted by hand: the sidecar stays */
			log_warn("%s; what its sidecar says follows", cause);
			free(cause);
			return 0;
		}
		log_error("%s", cause);
		free(cause);
		return -1;
	}
	h = cast_reader_header(cr);
	if (bare) {
		s->cols = h->cols;
		s->rows = h->rows;
		s->start = h->timestamp * 1000000;
		if (h->command != NULL && s->command == NULL)
			s->command = xstrdup(h->command);
		if (h->title != NULL && s->title == NULL)
			s->title = xstrdup(h->title);
	}
	s->bytes = 0;
	want_exit = s->exit_status < 0;	/* the sidecar's, if it has one */
	while (cast_reader_next(cr, &ev) == 1) {
		if (ev.code == 'o')
			s->bytes += ev.len;
		if (ev.code == 'i')
			s->record_input = 1;
		if (want_exit && (st = cast_event_exit_status(&ev)) >= 0)
			s->exit_status = st;
		last = ev.time;
	}
	if (s->start != 0 && s->end == 0 && s->state != SESSION_RUNNING)
		s->end = s->start + last;
	cast_reader_free(cr);
	return 0;
}

int
cmd_show(struct globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,	NULL, 'j' },
		{ "help",	no_argument,	NULL, 'h' },
		{ NULL,		0,		NULL, 0 }
	};
	struct session	 s;
	char		*text;
	int		 ch, json = 0;
	cJSON		*o;

	optind = 0;	/* 0, not 1: glibc starts afresh (main's "+" is not kept) */
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'h':
			return usage_print(argv[0]);
		default:
			return usage_getopt(argv, ch, longopts);
		}
	}
	if (argc - optind != 1)
		return usage_error(argv[0], "show takes one session ID");
	if (cmd_session(g, argv[optind], &s) != 0)
		return EXIT_ERROR;
	if (show_scan(&s) != 0) {
		session_free(&s);
		return EXIT_ERROR;
	}
	if (json) {
		o = session_to_json(&s);
		if ((text = cJSON_Print(o)) == NULL)
			fatal("out of memory");
		printf("%s\n", text);
		free(text);
		cJSON_Delete(o);
	} else
		show_text(&s);
	session_free(&s);
	return EXIT_OK;
}

int
cmd_cat(struct globals *g, int argc, char **argv)
{
	struct session		 s;
	struct cast_reader	*r;
	struct cast_event	 ev;
	char			*cause = NULL;
	int			 ch, rc = EXIT_OK;

	if ((ch = usage_help_only(argc, argv)) >= 0)
		return ch;
	if (argc - optind != 1)
		return usage_error(argv[0], "cat takes one session ID");
	if (cmd_session(g, argv[optind], &s) != 0)
		return EXIT_ERROR;
	if ((r = cast_reader_open(s.cast_path, &cause)) == NULL) {
		log_error("%s", cause);
		free(cause);
		session_free(&s);
		return EXIT_ERROR;
	}
	while (cast_reader_next(r, &ev) == 1) {
		if (ev.code != 'o')
			continue;
		if (write_all(STDOUT_FILENO, ev.data, ev.len) != 0) {
			if (errno != EPIPE)
				log_error("stdout: %s", strerror(errno));
			rc = EXIT_ERROR;
			break;
		}
	}
	if (cmd_damage(&s, cast_reader_damage(r)) != EXIT_OK)
		rc = EXIT_ERROR;
	cast_reader_free(r);
	session_free(&s);
	return rc;
}
