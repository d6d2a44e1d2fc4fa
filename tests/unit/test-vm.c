/* test-vm.c: vm.c's pure parts: the mount policy (examples and a property
 * test over generated paths) and VM names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vm.h"

static void
allowed(const char *path, const char *home, int snap)
{
	char	*cause = NULL;

	if (vm_mount_allowed(path, home, snap, &cause) != 0)
		fail_msg("%s refused (home %s, snap %d): %s", path, home, snap,
		    cause);
}

static void
refused(const char *path, const char *home, int snap, const char *want)
{
	char	*cause = NULL;

	if (vm_mount_allowed(path, home, snap, &cause) == 0)
		fail_msg("%s allowed (home %s, snap %d)", path, home, snap);
	if (strcmp(cause, want) != 0)
		fail_msg("%s\n  want: %s\n  got:  %s", path, want, cause);
	free(cause);
}

static void
test_examples(void **state)
{
	const char	*home = "/home/alice";

	(void)state;
	allowed("/home/alice/src/shop", home, 0);
	allowed("/home/alice/src/shop", home, 1);
	allowed("/home/alice/a b/c'd", home, 0);
	allowed("/home/alice/caf\xc3\xa9/\xe2\x9c\x93", home, 0);	/* UTF-8 */
	allowed("/tmp/agentrun-test.x/p1", home, 0);
	allowed("/opt/proj", home, 0);
	allowed("/srv/www/site", home, 0);
	allowed("/home/bob/x", home, 0);
	allowed("/home/alice/.hidden-no/x", "/Users/alice", 0);
	allowed("/home/ubuntu/src/x", "/home/ubuntu", 0);

	refused("/", home, 0, "refusing to mount /: that would give the VM "
	    "your whole file system; run agentrun in a project folder or use "
	    "-C DIR");
	refused("/home/alice", home, 0, "refusing to mount your home folder "
	    "/home/alice: run agentrun in a project folder or use -C DIR");
	refused("/home", home, 0, "refusing to mount /home: it contains your "
	    "home folder /home/alice; run agentrun in a project folder or use "
	    "-C DIR");
	refused("/etc", home, 0, "refusing to mount /etc: /etc is a system "
	    "folder");
	refused("/usr/local/src/x", home, 0, "refusing to mount "
	    "/usr/local/src/x: /usr is a system folder");
	refused("/var/lib/x", home, 0, "refusing to mount /var/lib/x: /var is "
	    "a system folder");
	refused("/lib64", home, 0, "refusing to mount /lib64: /lib64 is a "
	    "system folder");
	refused("/proc/1", home, 0, "refusing to mount /proc/1: /proc is a "
	    "system folder");
	refused("/tmp", home, 0, "refusing to mount /tmp: it holds many "
	    "folders, not one project; run agentrun in a project folder or use "
	    "-C DIR");
	refused("/home/ubuntu", home, 0, "refusing to mount /home/ubuntu: it "
	    "holds many folders, not one project; run agentrun in a project "
	    "folder or use -C DIR");
	refused("/home/alice/.ssh", home, 0, "refusing to mount "
	    "/home/alice/.ssh: hidden folders of your home hold settings and "
	    "credentials");
	refused("/home/alice/.config/x/y", home, 0, "refusing to mount "
	    "/home/alice/.config/x/y: it is inside /home/alice/.config, where "
	    "settings and credentials live");
	refused("/home/alice/a:b", home, 0, "cannot mount /home/alice/a:b: "
	    "multipass cannot express a path with ':' in it (it reads "
	    "NAME:PATH); rename the folder or use -C with another one");
	refused("/home/alice/src/", home, 0, "refusing to mount "
	    "/home/alice/src/: not a resolved absolute path");
	refused("/home/alice/../bob", home, 0, "refusing to mount "
	    "/home/alice/../bob: not a resolved absolute path");
	refused("relative/x", home, 0, "refusing to mount relative/x: not a "
	    "resolved absolute path");
	refused("/home/alice/a\nb", home, 0, "refusing to mount a folder "
	    "whose name has a control character");
	refused("/home/alice/caf\xe9", home, 0, "cannot mount a folder whose "
	    "path is not valid UTF-8: multipass cannot express it; rename the "
	    "folder or use -C with another one");
	refused("/home/alice/\xed\xa0\x80", home, 0, "cannot mount a folder "
	    "whose path is not valid UTF-8: multipass cannot express it; "
	    "rename the folder or use -C with another one");
	refused("/tmp/x", home, 1, "cannot mount /tmp/x: multipass is "
	    "installed as a snap, which can only mount folders under /home "
	    "(and, once 'sudo snap connect multipass:removable-media' is run, "
	    "/media and /mnt) with no hidden (dot) folder in their path; move "
	    "the project there");
	refused("/home/bob/.x/y", "/home/alice", 1, "cannot mount "
	    "/home/bob/.x/y: multipass is installed as a snap, which can only "
	    "mount folders under /home (and, once 'sudo snap connect "
	    "multipass:removable-media' is run, /media and /mnt) with no "
	    "hidden (dot) folder in their path; move the project there");
	/* Removable media: the snap sees them once connected. */
	allowed("/media/alice/usb/proj", home, 1);
	allowed("/mnt/usb/proj", home, 1);
	refused("/media/alice/.x/proj", home, 1, "cannot mount "
	    "/media/alice/.x/proj: multipass is installed as a snap, which can "
	    "only mount folders under /home (and, once 'sudo snap connect "
	    "multipass:removable-media' is run, /media and /mnt) with no "
	    "hidden (dot) folder in their path; move the project there");
	/* A home outside /home: its ancestors are refused too. */
	refused("/data", "/data/users/alice", 0, "refusing to mount /data: "
	    "it contains your home folder /data/users/alice; run agentrun in "
	    "a project folder or use -C DIR");
}

static int
is_under(const char *path, const char *top)
{
	size_t	n = strlen(top);

	return strncmp(path, top, n) == 0 && (path[n] == '\0' ||
	    path[n] == '/');
}

/* Whatever the generated path, an allowed one is never /, $HOME or above
 * it, a system folder, something Multipass cannot express, or (snap)
 * outside non-hidden /home. */
static void
test_property(void **state)
{
	static const char *const parts[] = { "home", "alice", "bob", "ubuntu",
	    ".ssh", ".config", "src", "proj", "etc", "usr", "tmp", "var",
	    "lib", "opt", "Users", "..", ".", "", "a:b", "x y", "dev", "snap",
	    "root", "private" };
	static const char *const homes[] = { "/home/alice", "/Users/alice",
	    "/root", "/tmp/t/home", "/home/ubuntu" };
	static const char *const system[] = { "/bin", "/boot", "/dev", "/etc",
	    "/lib", "/lib64", "/proc", "/run", "/sbin", "/snap", "/sys", "/usr",
	    "/var" };
	char		 path[512], *cause;
	const char	*home;
	size_t		 i, k, depth, npass = 0;
	int		 snap;

	(void)state;
	srand(42);
	for (i = 0; i < 200000; i++) {
		depth = (size_t)rand() % 6;
		path[0] = '\0';
		for (k = 0; k < depth; k++) {
			strcat(path, "/");
			strcat(path, parts[(size_t)rand() %
			    (sizeof parts / sizeof parts[0])]);
		}
		if (path[0] == '\0')
			strcpy(path, "/");
		home = homes[(size_t)rand() % (sizeof homes / sizeof homes[0])];
		snap = rand() % 4 == 0;
		cause = NULL;
		if (vm_mount_allowed(path, home, snap, &cause) != 0) {
			assert_non_null(cause);
			assert_null(strchr(cause, '\n'));
			free(cause);
			continue;
		}
		npass++;
		assert_string_not_equal(path, "/");
		assert_string_not_equal(path, home);
		if (is_under(home, path))
			fail_msg("%s is an ancestor of %s", path, home);
		assert_null(strchr(path, ':'));
		assert_null(strstr(path, "//"));
		assert_null(strstr(path, "/./"));
		assert_null(strstr(path, "/../"));
		for (k = 0; k < sizeof system / sizeof system[0]; k++) {
			if (is_under(path, system[k]))
				fail_msg("%s is in %s", path, system[k]);
		}
		if (is_under(path, home) && path[strlen(home) + 1] == '.')
			fail_msg("%s is in a hidden folder of %s", path, home);
		if (snap && (!is_under(path, "/home") ||
		    strstr(path, "/.") != NULL))
			fail_msg("snap: %s", path);
	}
	/* The generator does reach allowed paths. */
	assert_true(npass > 1000);
}

static void
test_names(void **state)
{
	static const char *const good[] = { "agentrun", "a", "dev-1",
	    "A1", "abcdefghijabcdefghijabcdefghijabcdefghij" };
	static const char *const bad[] = { "", "1vm", "-a", "a-", "a_b",
	    "a.b", "a b", "a:b", "primary", "Primary", "ä",
	    "abcdefghijabcdefghijabcdefghijabcdefghijk" };
	char	*cause;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		cause = NULL;
		if (vm_name_valid(good[i], &cause) != 0)
			fail_msg("%s: %s", good[i], cause);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if (vm_name_valid(bad[i], &cause) == 0)
			fail_msg("%s accepted", bad[i]);
		free(cause);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_property),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
