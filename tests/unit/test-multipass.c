/* test-multipass.c: multipass.c: the info JSON of both versions (samples
 * in tests/data/multipass, copied from the reference), spinner stripping,
 * error mapping, and running a client with a bounded wait. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "multipass.h"
#include "util.h"

#define DATA	"tests/data/multipass/"

static char *
sample(const char *name, size_t *len)
{
	char	*path, *text, *cause = NULL;

	path = path_join(DATA, name);
	text = read_file(path, len, 1 << 20, &cause);
	if (text == NULL)
		fail_msg("%s", cause);
	free(path);
	return text;
}

static void
check_info(const char *file, const char *name, const char *state)
{
	struct mp_info	 info;
	char		*text, *cause = NULL;
	size_t		 len;

	text = sample(file, &len);
	if (mp_info_parse(text, len, name, &info, &cause) != 0)
		fail_msg("%s: %s", file, cause);
	assert_string_equal(info.name, name);
	assert_string_equal(info.state, state);
	assert_string_equal(info.release, "24.04 LTS");
	assert_int_equal(info.n_mounts, 1);
	assert_string_equal(info.mounts[0].target, "/home/ubuntu/project");
	assert_string_equal(info.mounts[0].source, "/home/alice/src/project");
	assert_string_equal(info.mounts[0].uid_maps[0], "1000:default");
	assert_null(info.mounts[0].uid_maps[1]);
	assert_string_equal(info.mounts[0].gid_maps[0], "1000:default");
	mp_info_free(&info);
	free(text);
}

static void
test_info(void **state)
{
	struct mp_info	 info;
	char		*text, *cause = NULL;
	size_t		 len;

	(void)state;
	check_info("info-running.json", "agentrun-demo", "Running");
	check_info("info-running.v1.17-dev.json", "agentrun-demo", "Running");
	check_info("info-stopped.json", "agentrun-demo", "Stopped");
	check_info("info-stopped.v1.17-dev.json", "agentrun-demo", "Stopped");
	check_info("info-deleted.json", "agentrun-old", "Deleted");
	check_info("info-deleted.v1.17-dev.json", "agentrun-old", "Deleted");

	text = sample("info-empty.json", &len);
	assert_int_equal(mp_info_parse(text, len, "agentrun-demo", &info,
	    &cause), -1);
	assert_string_equal(cause, "multipass info did not describe "
	    "agentrun-demo");
	free(cause);
	free(text);

	cause = NULL;
	assert_int_equal(mp_info_parse("{\"info\":", 8, "x", &info, &cause),
	    -1);
	assert_non_null(cause);
	free(cause);

	/* No mounts, unknown keys ignored. */
	cause = NULL;
	text = xstrdup("{\"info\":{\"vm\":{\"state\":\"Starting\","
	    "\"new_key\":[1],\"mounts\":{}}}}");
	assert_int_equal(mp_info_parse(text, strlen(text), "vm", &info,
	    &cause), 0);
	assert_string_equal(info.state, "Starting");
	assert_int_equal(info.n_mounts, 0);
	assert_null(info.release);
	mp_info_free(&info);
	free(text);
}

#define CLEAR	"\033[2K\033[0A\033[0E"
#define SPIN	"\b/\b-\b\\\b|"

static void
test_strip(void **state)
{
	static const char launch[] =
	    CLEAR "Creating vm  " SPIN "\b " CLEAR
	    CLEAR "  \rRetrieving image: 5%\rRetrieving image: 100%" CLEAR
	    CLEAR "Starting vm  " SPIN "\b " CLEAR
	    "Launched: vm\n";
	struct mp_strip	 st;
	const char	*m;
	char		*s;

	(void)state;
	s = mp_strip_text(launch, sizeof launch - 1);
	assert_string_equal(s, "Launched: vm\n");
	free(s);
	s = mp_strip_text(CLEAR CLEAR, strlen(CLEAR CLEAR));
	assert_string_equal(s, "");
	free(s);
	s = mp_strip_text("hi\nthere", 8);
	assert_string_equal(s, "hi\nthere");
	free(s);

	/* Progress: each message once, as it is drawn. */
	mp_strip_init(&st);
	m = mp_strip_feed(&st, CLEAR "Starting vm  ", strlen(CLEAR) + 13);
	assert_non_null(m);
	assert_string_equal(m, "Starting vm");
	assert_null(mp_strip_feed(&st, "\b/", 2));
	assert_null(mp_strip_feed(&st, "\b-", 2));
	m = mp_strip_feed(&st, "\b " CLEAR CLEAR "Enabling support for "
	    "mounting  \b/", 2 + 2 * strlen(CLEAR) + 33);
	assert_string_equal(m, "Enabling support for mounting");
	m = mp_strip_feed(&st, "\rRetrieving image: 42%", 22);
	assert_string_equal(m, "Retrieving image: 42%");
	mp_strip_free(&st);
}

static void
expect_hint(const char *cmd, const char *again, const char *err, int status,
    int timed_out, const char *want)
{
	struct mp_result	 r;
	char			*msg;

	memset(&r, 0, sizeof r);
	buf_init(&r.out);
	buf_init(&r.err);
	buf_adds(&r.err, err);
	r.status = status;
	r.timed_out = timed_out;
	msg = mp_error(cmd, "vm", again, &r);
	if (strstr(msg, want) == NULL)
		fail_msg("for %s\n  want: %s\n  got:  %s", err, want, msg);
	assert_null(strchr(msg, '\n'));
	free(msg);
	mp_result_free(&r);
}

static void
expect_error(const char *cmd, const char *err, int status, const char *want)
{
	expect_hint(cmd, NULL, err, status, 0, want);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("list", "list failed: cannot connect to the multipass "
	    "socket\nPlease ensure multipassd is running and '/run/"
	    "multipass_socket' is accessible\n", 2,
	    "the multipass daemon is not running");
	expect_error("info", "info failed: The user is not authenticated with "
	    "the Multipass service.\n\nPlease authenticate before "
	    "proceeding\n", 2, "run 'multipass authenticate'");
	expect_error("list", "list failed: multipass socket access denied\n"
	    "Please check\n", 2, "read and write access to its socket");
	expect_error("launch", "launch failed: The following errors "
	    "occurred:\ntimed out waiting for initialization to complete\n", 2,
	    "it may still be coming up: check with 'agentrun vm status'");
	expect_error("launch", "vm: timed out waiting for response\n", 2,
	    "agentrun vm status");
	expect_error("launch", "Timed out waiting for instance launch.\n", 5,
	    "agentrun vm status");
	expect_error("mount", "mount failed: Error enabling mount support in "
	    "'vm'\n\nPlease install the 'multipass-sshfs' snap manually inside "
	    "the instance.\n", 2, "could not install sshfs in VM vm");
	expect_error("mount", "mount failed: Mounts are disabled on this "
	    "installation of Multipass.\n\nSee https://x\n", 2,
	    "local.privileged-mounts=true");
	expect_error("launch", "launch failed: Remote \"\" is unknown or "
	    "unreachable.\n", 2, "try again in a few minutes");
	expect_error("umount", "umount failed: The following errors "
	    "occurred:\npath \"/x\" is not mounted in 'vm'\n", 2,
	    "multipass umount failed: path \"/x\" is not mounted in 'vm'");
	expect_error("stop", "", 3, "multipass stop failed with status 3");
	/* A missing instance, in each of multipass's three quotings. */
	expect_error("delete", "delete failed: The following errors occurred:\n"
	    "instance \"vm\" does not exist\n", 2, "VM vm does not exist "
	    "('multipass list' shows the ones there are)");
	expect_error("start", "start failed: instance(s) missing\nInstance "
	    "'vm' does not exist.\n", 2, "VM vm does not exist (");
	expect_error("mount", "mount failed: The following errors occurred:\n"
	    "instance 'vm' does not exist\n", 2, "VM vm does not exist (");
	expect_error("stop", "stop failed: instance \"vm2\" does not exist\n",
	    2, "multipass stop failed: instance \"vm2\" does not exist");
	/* Hints run agentrun as the caller says (the VM in use). */
	expect_hint("launch", "agentrun --vm t-x", "vm: timed out waiting for "
	    "response\n", 2, 0, "check with 'agentrun --vm t-x vm status'");
	expect_hint("launch", "agentrun --vm t-x", "", -1, 1,
	    "check with 'agentrun --vm t-x vm status'");
	/* A stuck daemon: how to restart it, not "see doctor" (doctor
	 * itself said so). */
	expect_hint("start", "agentrun --vm t-x", "", -1, 1, "multipass start "
	    "did not finish in time; the daemon may be stuck: restart it with "
	    "'sudo snap restart multipass' (or 'sudo systemctl restart "
	    "multipassd')");
	/* A first line that ends a sentence: the next follows with a space. */
	expect_error("stop", "stop failed: Cannot shut down suspended instance "
	    "vm.\nUse --force to power it off.\n", 2, "multipass stop failed: "
	    "Cannot shut down suspended instance vm. Use --force to power it "
	    "off.");
}

static void
test_versions(void **state)
{
	(void)state;
	assert_true(mp_version_loops_on_4("1.16.3"));
	assert_true(mp_version_loops_on_4("1.16.3+mac"));
	assert_true(mp_version_loops_on_4("1.9.0"));
	assert_true(mp_version_loops_on_4(NULL));
	assert_true(mp_version_loops_on_4("garbage"));
	assert_false(mp_version_loops_on_4("1.17.0"));
	assert_false(mp_version_loops_on_4("1.17.0-dev.550.pr4061+g0239bc1f.mac"));
	assert_false(mp_version_loops_on_4("2.0.1"));
	assert_true(mp_path_is_snap("/snap/bin/multipass"));
	assert_false(mp_path_is_snap("/usr/local/bin/multipass"));
	assert_false(mp_path_is_snap(NULL));
}

/* A fake client in a temporary PATH. */
static char *
fake_client(const char *script)
{
	char	 dir[] = "/tmp/test-multipass.XXXXXX", *path, *cause = NULL;

	assert_non_null(mkdtemp(dir));
	path = path_join(dir, "multipass");
	assert_int_equal(write_file_atomic(path, script, strlen(script), 0755,
	    &cause), 0);
	free(path);
	setenv("PATH", dir, 1);
	return xstrdup(dir);
}

static void
remove_client(char *dir)
{
	char	*path = path_join(dir, "multipass");

	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

static void
test_run(void **state)
{
	const char		*args[] = { "a b", "--", "$(x)", NULL };
	struct mp_call		 c = { args, 5, 0, NULL, NULL, NULL };
	struct mp_result	 r;
	char			*dir, *cause = NULL, *old;

	(void)state;
	old = xstrdup(getenv("PATH"));
	dir = fake_client("#!/bin/sh\n"
	    "for a in \"$@\"; do printf '[%s]' \"$a\"; done\n"
	    "echo\n"
	    "printf '\\033[2K\\033[0A\\033[0EWorking  \\b/\\b \\033[2K\\n'\n"
	    "echo oops >&2\nexit 3\n");
	assert_int_equal(mp_run(&c, &r, &cause), 0);
	assert_int_equal(r.status, 3);
	assert_false(r.timed_out);
	assert_string_equal(r.out.data, "[a b][--][$(x)]\n\n");
	assert_string_equal(r.err.data, "oops\n");
	mp_result_free(&r);
	remove_client(dir);

	/* The wait is bounded. */
	dir = fake_client("#!/bin/sh\nexec /bin/sleep 30\n");
	c.timeout = 1;
	assert_int_equal(mp_run(&c, &r, &cause), 0);
	assert_true(r.timed_out);
	mp_result_free(&r);
	remove_client(dir);

	/* Not installed. */
	setenv("PATH", "/nonexistent", 1);
	assert_null(mp_find());
	assert_int_equal(mp_run(&c, &r, &cause), -1);
	assert_non_null(strstr(cause, "multipass is not installed: install "
	    "it with"));
	free(cause);
	mp_result_free(&r);
	setenv("PATH", old, 1);
	free(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_strip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
