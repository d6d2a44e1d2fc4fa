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
#include <unistd.h>

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
	char			*dir, *cause = NULL;
	struct stat		 st;

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
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_store),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
