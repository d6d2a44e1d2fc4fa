/* test-session.c: session ids, sidecars, listing and resolving ids. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "session.h"
#include "util.h"

static char	 tmpdir[] = "/tmp/test-session.XXXXXX";

static int
setup(void **state)
{
	char	*data;

	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	xasprintf(&data, "%s/data", tmpdir);
	setenv("XDG_DATA_HOME", data, 1);
	free(data);
	return 0;
}

static int
teardown(void **state)
{
	char	*argv[] = { (char *)(uintptr_t)"rm", (char *)(uintptr_t)"-rf", tmpdir, NULL };
	pid_t	 pid;

	(void)state;
	if ((pid = fork()) == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

static void
test_ids(void **state)
{
	char	 id[SESSION_ID_LEN + 1], id2[SESSION_ID_LEN + 1];

	(void)state;
	session_new_id(id);
	assert_int_equal(strlen(id), SESSION_ID_LEN);
	assert_true(session_id_valid(id));
	session_new_id(id2);
	assert_true(strncmp(id, id2, 8) == 0);	/* same day */
	assert_false(session_id_valid("20261127-091500-ABCD"));
	assert_false(session_id_valid("20261127-091500-abc"));
	assert_false(session_id_valid("2026112x-091500-abcd"));
	assert_false(session_id_valid("../../etc/passwd"));
	assert_true(session_id_valid("20261127-091500-0a9f"));
}

static void
make_session(const char *id, const char *project, int64_t start,
    const char *state)
{
	struct session	 s;
	char		*dir, *cause = NULL, *name;
	FILE		*f;

	session_init(&s);
	dir = session_dir(1, &cause);
	assert_non_null(dir);
	memcpy(s.id, id, SESSION_ID_LEN + 1);
	xasprintf(&name, "%s.json", id);
	s.json_path = path_join(dir, name);
	free(name);
	xasprintf(&name, "%s/%s.cast.zst", dir, id);
	assert_non_null(f = fopen(name, "w"));
	fclose(f);
	free(name);
	s.project = xstrdup(project);
	s.command = xstrdup("claude --resume");
	s.start = start;
	s.end = start + 5000000;
	s.exit_status = 0;
	s.state = strcmp(state, "running") == 0 ? SESSION_RUNNING :
	    SESSION_FINISHED;
	s.pid = strcmp(state, "running") == 0 ? 999999 : getpid();
	assert_int_equal(session_write(&s, &cause), 0);
	session_free(&s);
	free(dir);
}

static void
test_store(void **state)
{
	struct session_list	 l;
	struct session		 s;
	char			*dir, *cause = NULL, *path;
	struct stat		 st;
	FILE			*f;

	(void)state;
	make_session("20261101-100000-aaaa", "/p/one", 1000, "finished");
	make_session("20261102-100000-bbbb", "/p/two", 2000, "finished");
	make_session("20261103-100000-bbbc", "/p/one", 3000, "running");
	make_session("20261103-100000-0001", "/p/one", 3500, "finished");

	dir = session_dir(0, &cause);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	assert_int_equal(session_list(dir, NULL, &l, &cause), 0);
	assert_int_equal(l.n, 4);
	/* Newest first; within a second the start time decides. */
	assert_string_equal(l.v[0].id, "20261103-100000-0001");
	assert_string_equal(l.v[1].id, "20261103-100000-bbbc");
	assert_string_equal(l.v[3].id, "20261101-100000-aaaa");
	/* A running sidecar whose pid is gone reads as interrupted. */
	assert_int_equal(l.v[1].state, SESSION_INTERRUPTED);
	assert_int_equal(l.v[0].state, SESSION_FINISHED);
	session_list_free(&l);

	assert_int_equal(session_list(dir, "/p/two", &l, &cause), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].command, "claude --resume");
	session_list_free(&l);

	/* Resolving: full id, unique prefix, ambiguous prefix, latest. */
	assert_int_equal(session_resolve("20261101-100000-aaaa", NULL, &s,
	    &cause), 0);
	assert_string_equal(s.project, "/p/one");
	session_free(&s);
	assert_int_equal(session_resolve("20261102", NULL, &s, &cause), 0);
	assert_string_equal(s.id, "20261102-100000-bbbb");
	session_free(&s);
	assert_int_equal(session_resolve("20261103", NULL, &s, &cause), -1);
	assert_non_null(strstr(cause, "ambiguous"));
	assert_non_null(strstr(cause, "20261103-100000-bbbc"));
	free(cause);
	cause = NULL;
	assert_int_equal(session_resolve("2027", NULL, &s, &cause), -1);
	assert_non_null(strstr(cause, "no such session"));
	free(cause);
	cause = NULL;
	assert_int_equal(session_resolve("latest", "/p/two", &s, &cause), 0);
	assert_string_equal(s.id, "20261102-100000-bbbb");
	session_free(&s);
	assert_int_equal(session_resolve("latest", "/p/none", &s, &cause), 0);
	assert_string_equal(s.id, "20261103-100000-0001");
	session_free(&s);
	/* A path. */
	assert_int_equal(session_resolve("/nonexistent/x.cast", NULL, &s,
	    &cause), -1);
	free(cause);
	cause = NULL;
	/* A store transcript by path: its sidecar's state; a file elsewhere
	 * with no sidecar is a file, not an import. */
	xasprintf(&path, "%s/20261102-100000-bbbb.cast.zst", dir);
	assert_int_equal(session_resolve(path, NULL, &s, &cause), 0);
	assert_int_equal(s.state, SESSION_FINISHED);
	session_free(&s);
	free(path);
	xasprintf(&path, "%s/../x.cast", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_int_equal(session_resolve(path, NULL, &s, &cause), 0);
	assert_int_equal(s.state, SESSION_FILE);
	assert_string_equal(session_state_name(s.state), "file");
	session_free(&s);
	free(path);
	free(dir);
}

/* Every field written comes back; a sidecar written by hand, its members
 * in another order and some missing, reads the same way (ls looks the
 * members up in the written order, starting after the last found). */
static void
test_sidecar_fields(void **state)
{
	struct session	 s, r;
	char		*cause = NULL, *path;
	const char	*text;
	FILE		*f;

	(void)state;
	session_init(&s);
	memcpy(s.id, "20261104-100000-0a1b", SESSION_ID_LEN + 1);
	xasprintf(&s.json_path, "%s/fields.json", tmpdir);
	s.project = xstrdup("/p/fields");
	s.command = xstrdup("claude -p hi");
	s.argv = cJSON_CreateArray();
	cJSON_AddItemToArray(s.argv, cJSON_CreateString("claude"));
	s.title = xstrdup("a title");
	s.backend = xstrdup("multipass");
	s.vm = xstrdup("agentrun");
	s.multipass_version = xstrdup("1.16.3");
	s.mounts = cJSON_CreateArray();
	cJSON_AddItemToArray(s.mounts, cJSON_CreateString("m"));
	s.mount_mode = xstrdup("ro");
	s.git_head_before = xstrdup("aaaa");
	s.git_head_after = xstrdup("bbbb");
	s.git_dirty_before = 0;
	s.git_dirty_after = 1;
	s.start = 1000000;
	s.end = 3500000;
	s.exit_status = 3;
	s.bytes = 12345;
	s.cols = 100;
	s.rows = 30;
	s.state = SESSION_FINISHED;
	s.pid = getpid();
	s.record_error = xstrdup("disk full");
	s.record_input = 1;
	assert_int_equal(session_write(&s, &cause), 0);
	session_init(&r);
	assert_int_equal(session_read(s.json_path, &r, &cause), 0);
	assert_string_equal(r.id, s.id);
	assert_string_equal(r.project, "/p/fields");
	assert_string_equal(r.command, "claude -p hi");
	assert_true(cJSON_Compare(r.argv, s.argv, 1));
	assert_string_equal(r.title, "a title");
	assert_string_equal(r.backend, "multipass");
	assert_string_equal(r.vm, "agentrun");
	assert_string_equal(r.multipass_version, "1.16.3");
	assert_true(cJSON_Compare(r.mounts, s.mounts, 1));
	assert_string_equal(r.mount_mode, "ro");
	assert_string_equal(r.git_head_before, "aaaa");
	assert_string_equal(r.git_head_after, "bbbb");
	assert_int_equal(r.git_dirty_before, 0);
	assert_int_equal(r.git_dirty_after, 1);
	assert_int_equal(r.start, 1000000);
	assert_int_equal(r.end, 3500000);
	assert_int_equal(r.exit_status, 3);
	assert_int_equal(r.bytes, 12345);
	assert_int_equal(r.cols, 100);
	assert_int_equal(r.rows, 30);
	assert_int_equal(r.state, SESSION_FINISHED);
	assert_int_equal(r.pid, getpid());
	assert_string_equal(r.record_error, "disk full");
	assert_int_equal(r.record_input, 1);
	session_free(&r);
	session_free(&s);

	xasprintf(&path, "%s/by-hand.json", tmpdir);
	text = "{\"rows\": 40, \"git\": {\"dirty_after\": true, "
	    "\"head_before\": \"cccc\"}, \"exit_status\": 2, "
	    "\"mounts\": [], \"state\": \"finished\", \"title\": \"t\", "
	    "\"id\": \"20261104-100000-0a1c\", \"argv\": [\"x\"], "
	    "\"start\": 7, \"cols\": 90, \"project\": \"/p/hand\"}";
	assert_non_null(f = fopen(path, "w"));
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	session_init(&r);
	assert_int_equal(session_read(path, &r, &cause), 0);
	assert_string_equal(r.id, "20261104-100000-0a1c");
	assert_string_equal(r.project, "/p/hand");
	assert_null(r.command);
	assert_int_equal(cJSON_GetArraySize(r.argv), 1);
	assert_string_equal(r.title, "t");
	assert_int_equal(cJSON_GetArraySize(r.mounts), 0);
	assert_string_equal(r.git_head_before, "cccc");
	assert_null(r.git_head_after);
	assert_int_equal(r.git_dirty_before, -1);
	assert_int_equal(r.git_dirty_after, 1);
	assert_int_equal(r.start, 7000000);
	assert_int_equal(r.exit_status, 2);
	assert_int_equal(r.cols, 90);
	assert_int_equal(r.rows, 40);
	assert_int_equal(r.state, SESSION_FINISHED);
	assert_int_equal(r.record_input, 0);
	session_free(&r);
	free(path);
}

/* A list long enough to be loaded by two threads (session.c reads the
 * older part's sidecars in a second one) comes out as one thread makes
 * it: every session's own fields, in order, ties within a second by the
 * start, sessions with no sidecar or a bad one among them (odd ones: the
 * time in their id, the second and i / 16 ms, keeps them second in their
 * second), and the project filter. */
#define LONG_N	700
#define LONG_T0	1780000000

/* A start in the id's second: the even one of a pair 0.5 s into it, the
 * odd one 0.1 s. */
static int64_t
long_start(int i)
{
	return ((int64_t)LONG_T0 + i / 2) * 1000000 +
	    (i % 2 == 0 ? 500000 : 100000);
}

static void
long_id(char id[SESSION_ID_LEN + 1], int i)
{
	time_t		 t = LONG_T0 + i / 2;	/* pairs share a second */
	struct tm	 tm;
	char		 when[32];

	assert_non_null(gmtime_r(&t, &tm));
	assert_true(strftime(when, sizeof when, "%Y%m%d-%H%M%S", &tm) > 0);
	assert_int_equal(snprintf(id, SESSION_ID_LEN + 1, "%s-%04x", when, i),
	    SESSION_ID_LEN);
}

static void
test_long_list(void **state)
{
	struct session_list	 l;
	char			 id[SESSION_ID_LEN + 1], *dir, *cause = NULL;
	char			*data, *path, proj[32];
	size_t			 k, want_a = 0;
	int			 i;
	FILE			*f;

	(void)state;
	xasprintf(&data, "%s/long", tmpdir);
	setenv("XDG_DATA_HOME", data, 1);
	for (i = 0; i < LONG_N; i++) {
		long_id(id, i);
		snprintf(proj, sizeof proj, "/p/%d", i % 3 == 0 ? 0 : i);
		/* The lower id of a pair started later: it comes first. */
		make_session(id, proj, long_start(i), "finished");
	}
	dir = session_dir(0, &cause);
	assert_non_null(dir);
	for (i = 0; i < LONG_N; i++) {
		long_id(id, i);
		xasprintf(&path, "%s/%s.json", dir, id);
		if (i % 14 == 3)
			assert_int_equal(unlink(path), 0);	/* none */
		else if (i % 22 == 5) {
			assert_non_null(f = fopen(path, "w"));
			assert_true(fputs("{\"id\": ", f) >= 0);
			assert_int_equal(fclose(f), 0);
		} else if (i % 3 == 0)
			want_a++;
		free(path);
	}

	assert_int_equal(session_list(dir, NULL, &l, &cause), 0);
	assert_int_equal(l.n, LONG_N);
	for (k = 0; k < l.n; k++) {
		/* Newest second first; in it the even (later) one first. */
		i = (int)(LONG_N - 2 - k / 2 * 2 + k % 2);
		long_id(id, i);
		assert_string_equal(l.v[k].id, id);
		if (i % 14 == 3 || i % 22 == 5) {
			assert_null(l.v[k].project);
			assert_int_equal(l.v[k].state, SESSION_INTERRUPTED);
			continue;
		}
		snprintf(proj, sizeof proj, "/p/%d", i % 3 == 0 ? 0 : i);
		assert_string_equal(l.v[k].project, proj);
		assert_string_equal(l.v[k].command, "claude --resume");
		assert_int_equal(l.v[k].state, SESSION_FINISHED);
		assert_int_equal(l.v[k].start, long_start(i));
	}
	session_list_free(&l);

	assert_int_equal(session_list(dir, "/p/0", &l, &cause), 0);
	assert_int_equal(l.n, want_a);
	for (k = 1; k < l.n; k++)
		assert_true(strcmp(l.v[k - 1].id, l.v[k].id) > 0);
	session_list_free(&l);
	free(dir);
	free(data);
	xasprintf(&data, "%s/data", tmpdir);
	setenv("XDG_DATA_HOME", data, 1);
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_sidecar_fields),
		cmocka_unit_test(test_long_list),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
