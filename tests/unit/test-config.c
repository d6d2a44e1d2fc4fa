/* test-config.c: config.c: defaults, every key, and the error texts that
 * name the key path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "util.h"

static int
load(struct config *cfg, const char *text, char **cause)
{
	*cause = NULL;
	return config_load_text(cfg, text, strlen(text), "config.json", cause);
}

/* Loading must fail with exactly this message. */
static void
expect_error(const char *text, const char *message)
{
	struct config	 cfg;
	char		*cause = NULL;

	if (load(&cfg, text, &cause) == 0)
		fail_msg("accepted: %s", text);
	assert_non_null(cause);
	if (strcmp(cause, message) != 0)
		fail_msg("for %s\n  expected: %s\n  got:      %s", text, message,
		    cause);
	/* The struct still holds the defaults. */
	assert_string_equal(cfg.vm.name, "agentrun");
	free(cause);
	config_free(&cfg);
}

static void
test_defaults(void **state)
{
	struct config			 cfg;
	const struct agent_profile	*a;
	char				*cause;

	(void)state;
	assert_int_equal(load(&cfg, "{}", &cause), 0);
	assert_string_equal(cfg.backend, "multipass");
	assert_string_equal(cfg.vm.name, "agentrun");
	assert_int_equal(cfg.vm.cpus, 2);
	assert_string_equal(cfg.vm.memory, "4G");
	assert_string_equal(cfg.vm.disk, "20G");
	assert_string_equal(cfg.vm.image, "24.04");
	assert_null(cfg.vm.cloud_init);
	assert_int_equal(cfg.vm.launch_timeout, 900);
	assert_int_equal(cfg.n_agents, 1);
	a = config_agent(&cfg, "claude");
	assert_non_null(a);
	assert_ptr_equal(a, &cfg.agents[0]);
	assert_string_equal(a->command[0], "claude");
	assert_null(a->command[1]);
	assert_string_equal(a->install,
	    "set -o pipefail; curl -fsSL https://claude.ai/install.sh | bash");
	assert_string_equal(a->env[0], "ANTHROPIC_API_KEY");
	assert_null(a->env[1]);
	assert_null(config_agent(&cfg, "aider"));
	config_free(&cfg);
}

static void
test_full(void **state)
{
	struct config			 cfg;
	const struct agent_profile	*a;
	char				*cause;
	const char			*text =
	    "{\n"
	    "  \"backend\": \"local\",\n"
	    "  \"vm\": {\"name\": \"dev-1\", \"cpus\": 4, \"memory\": \"8GiB\",\n"
	    "          \"disk\": \"1.5G\", \"image\": \"22.04\",\n"
	    "          \"cloud_init\": \"~/ci.yaml\", \"launch_timeout\": 60},\n"
	    "  \"agents\": {\n"
	    "    \"claude\": {\"install\": \"true\"},\n"
	    "    \"aider\": {\"command\": \"aider --yes\",\n"
	    "              \"install\": \"pipx install aider-chat\",\n"
	    "              \"env\": [\"OPENAI_API_KEY\", \"X_1\"],\n"
	    "              \"description\": \"Aider\"},\n"
	    "    \"codex\": {\"command\": [\"codex\", \"--a b\"]}\n"
	    "  }\n"
	    "}\n";

	(void)state;
	setenv("HOME", "/home/u", 1);
	assert_int_equal(load(&cfg, text, &cause), 0);
	assert_string_equal(cfg.backend, "local");
	assert_string_equal(cfg.vm.name, "dev-1");
	assert_int_equal(cfg.vm.cpus, 4);
	assert_string_equal(cfg.vm.memory, "8GiB");
	assert_string_equal(cfg.vm.disk, "1.5G");
	assert_string_equal(cfg.vm.image, "22.04");
	assert_string_equal(cfg.vm.cloud_init, "/home/u/ci.yaml");
	assert_int_equal(cfg.vm.launch_timeout, 60);
	assert_int_equal(cfg.n_agents, 3);

	a = config_agent(&cfg, "claude");
	assert_string_equal(a->install, "true");
	assert_string_equal(a->command[0], "claude");	/* kept */
	assert_string_equal(a->env[0], "ANTHROPIC_API_KEY");

	a = config_agent(&cfg, "aider");
	assert_non_null(a);
	assert_string_equal(a->command[0], "aider");
	assert_string_equal(a->command[1], "--yes");
	assert_null(a->command[2]);
	assert_string_equal(a->install, "pipx install aider-chat");
	assert_string_equal(a->env[0], "OPENAI_API_KEY");
	assert_string_equal(a->env[1], "X_1");
	assert_null(a->env[2]);
	assert_string_equal(a->description, "Aider");

	a = config_agent(&cfg, "codex");
	assert_string_equal(a->command[1], "--a b");
	assert_null(a->install);
	assert_non_null(a->env);
	assert_null(a->env[0]);
	config_free(&cfg);
}

static void
test_sizes(void **state)
{
	/* All at least 512M, the larger of the two minimums. */
	static const char *const good[] = { "4G", "4g", "512M", "1.5G",
	    "542MiB", "536870912B", "536870912", "0.5G", "524288K", "2gb",
	    "0.5gib" };
	static const char *const bad[] = { "", "G", "4X", "1CiG", "1.5",
	    "4 G", "-1G", "1..5G", "4GG", "4Gi", ".5G", "5.G" };
	/* Well-formed, but less than multipass takes: memory 128M, disk
	 * 512M. */
	static const struct {
		const char	*key, *size;
		int		 ok;
	} min[] = {
		{ "memory", "128M", 1 }, { "memory", "131072K", 1 },
		{ "memory", "0.125G", 1 }, { "memory", "134217728", 1 },
		{ "memory", "100M", 0 }, { "memory", "1M", 0 },
		{ "memory", "4", 0 }, { "memory", "134217727B", 0 },
		{ "memory", "0.12G", 0 }, { "memory", "127.9M", 0 },
		{ "disk", "512M", 1 }, { "disk", "0.5G", 1 },
		{ "disk", "511M", 0 }, { "disk", "1M", 0 }, { "disk", "4", 0 },
		{ "disk", "0.4G", 0 }, { "disk", "128M", 0 },
	};
	struct config	 cfg;
	char		 text[128], msg[256], *cause;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		snprintf(text, sizeof text, "{\"vm\":{\"memory\":\"%s\","
		    "\"disk\":\"%s\"}}", good[i], good[i]);
		if (load(&cfg, text, &cause) != 0)
			fail_msg("refused %s: %s", good[i], cause);
		assert_string_equal(cfg.vm.memory, good[i]);
		assert_string_equal(cfg.vm.disk, good[i]);
		config_free(&cfg);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "{\"vm\":{\"disk\":\"%s\"}}",
		    bad[i]);
		expect_error(text,
		    "config.json: vm.disk: expected a size like \"4G\"");
	}
	for (i = 0; i < sizeof min / sizeof min[0]; i++) {
		snprintf(text, sizeof text, "{\"vm\":{\"%s\":\"%s\"}}",
		    min[i].key, min[i].size);
		if (!min[i].ok) {
			snprintf(msg, sizeof msg, "config.json: vm.%s: \"%s\" "
			    "is too small: Multipass needs at least %s",
			    min[i].key, min[i].size, strcmp(min[i].key,
			    "memory") == 0 ? "128M" : "512M");
			expect_error(text, msg);
			continue;
		}
		if (load(&cfg, text, &cause) != 0)
			fail_msg("refused %s: %s", text, cause);
		config_free(&cfg);
	}
}

static void
test_errors(void **state)
{
	struct config	 cfg;
	char		*cause;

	(void)state;
	/* Comments: "//" may be given more than once, at the top level. */
	assert_int_equal(load(&cfg, "{\"//\":\"one\",\"//\":\"two\"}",
	    &cause), 0);
	config_free(&cfg);
	expect_error("{\"vm\":{\"memory\":4}}",
	    "config.json: vm.memory: expected a size like \"4G\"");
	expect_error("{\"vm\":{\"memory\":\"lots\"}}",
	    "config.json: vm.memory: expected a size like \"4G\"");
	expect_error("{\"vm\":{\"foo\":1}}", "config.json: vm.foo: unknown key");
	expect_error("{\"color\":true}", "config.json: color: unknown key");
	expect_error("{\"vm\":[]}", "config.json: vm: expected an object");
	expect_error("[]",
	    "config.json: expected a JSON object at the top level");
	expect_error("{\"vm\":{\"cpus\":\"2\"}}",
	    "config.json: vm.cpus: expected an integer");
	expect_error("{\"vm\":{\"cpus\":0}}",
	    "config.json: vm.cpus: expected an integer from 1 to 1024");
	expect_error("{\"vm\":{\"cpus\":1.5}}",
	    "config.json: vm.cpus: expected an integer from 1 to 1024");
	expect_error("{\"vm\":{\"image\":7}}",
	    "config.json: vm.image: expected a string");
	expect_error("{\"vm\":{\"image\":\"a b\"}}",
	    "config.json: vm.image: expected a non-empty string without "
	    "spaces, not starting with '-'");
	/* It would reach multipass launch as an option (--help: exit 0,
	 * and no VM). */
	expect_error("{\"vm\":{\"image\":\"--help\"}}",
	    "config.json: vm.image: expected a non-empty string without "
	    "spaces, not starting with '-'");
	expect_error("{\"vm\":{\"memory\":\"-4G\"}}",
	    "config.json: vm.memory: expected a size like \"4G\"");
	/* cJSON would cut the string at a NUL: "a\u0000b" would be "a". */
	expect_error("{\"vm\":{\"name\":\"a\\u0000b\"}}",
	    "config.json: \\u0000 at line 1, column 17: a string cannot "
	    "hold a NUL character");
	expect_error("{\"vm\":{\"name\":\n\"a\\\\\\u0000\"}}",
	    "config.json: \\u0000 at line 2, column 5: a string cannot "
	    "hold a NUL character");
	/* A backslash, then "u0000", is no NUL (and no VM name either). */
	expect_error("{\"vm\":{\"name\":\"a\\\\u0000\"}}",
	    "config.json: vm.name: VM name \"a\\u0000\" is not valid: use "
	    "letters, digits and hyphens, starting with a letter and not "
	    "ending with a hyphen");
	expect_error("{\"agents\":{\"a\":{\"description\":\"two\\nlines\"}}}",
	    "config.json: agents.a.description: expected one line of text, "
	    "without control characters");
	expect_error("{\"backend\":\"docker\"}",
	    "config.json: backend: expected \"multipass\" or \"local\"");
	expect_error("{\"vm\":{\"name\":\"primary\"}}",
	    "config.json: vm.name: the VM name \"primary\" is refused: "
	    "Multipass mounts your home folder into it");
	expect_error("{\"vm\":{\"name\":\"PriMary\"}}",
	    "config.json: vm.name: the VM name \"PriMary\" is refused: "
	    "Multipass mounts your home folder into it");
	expect_error("{\"vm\":{\"name\":\"1vm\"}}",
	    "config.json: vm.name: VM name \"1vm\" is not valid: use letters, "
	    "digits and hyphens, starting with a letter and not ending with "
	    "a hyphen");
	expect_error("{\"vm\":{\"name\":\"a_b\"}}",
	    "config.json: vm.name: VM name \"a_b\" is not valid: use letters, "
	    "digits and hyphens, starting with a letter and not ending with "
	    "a hyphen");
	expect_error("{\"vm\":{\"name\":"
	    "\"abcdefghijabcdefghijabcdefghijabcdefghijx\"}}",
	    "config.json: vm.name: VM name "
	    "\"abcdefghijabcdefghijabcdefghijabcdefghijx\" is longer than 40 "
	    "characters");
	expect_error("{\"agents\":{\"shell\":{}}}",
	    "config.json: agents.shell: 'shell' is an agentrun command; "
	    "choose another name");
	expect_error("{\"agents\":{\"ls\":{\"command\":\"ls\"}}}",
	    "config.json: agents.ls: 'ls' is an agentrun command; "
	    "choose another name");
	/* Kept, but no command: the message must not say it is one. */
	expect_error("{\"agents\":{\"list\":{}}}",
	    "config.json: agents.list: 'list' is a name agentrun keeps for "
	    "itself; choose another name");
	expect_error("{\"agents\":{\"Bad\":{}}}",
	    "config.json: agents.Bad: an agent name is lower-case letters, "
	    "digits, '-' and '_', starting with a letter");
	expect_error("{\"agents\":{\"x\":{\"command\":[]}}}",
	    "config.json: agents.x.command: expected a command, not an empty "
	    "one");
	expect_error("{\"agents\":{\"x\":{\"command\":[1]}}}",
	    "config.json: agents.x.command: expected a string or an array of "
	    "non-empty strings");
	expect_error("{\"agents\":{\"x\":{\"command\":\"a 'b c'\"}}}",
	    "config.json: agents.x.command: quotes are not understood here: "
	    "use an array of strings");
	expect_error("{\"agents\":{\"x\":{\"env\":\"A\"}}}",
	    "config.json: agents.x.env: expected an array of variable names");
	expect_error("{\"agents\":{\"x\":{\"env\":[\"A-B\"]}}}",
	    "config.json: agents.x.env: expected an array of variable names "
	    "like \"ANTHROPIC_API_KEY\"");
	expect_error("{\"agents\":{\"x\":{\"install\":true}}}",
	    "config.json: agents.x.install: expected a string");
	expect_error("{\"agents\":{\"x\":{\"cmd\":\"a\"}}}",
	    "config.json: agents.x.cmd: unknown key");
	expect_error("{\"vm\":{\"cpus\":1,\"cpus\":2}}",
	    "config.json: vm.cpus: duplicate key");
	expect_error("{\"vm\":{\"cloud_init\":\"\"}}",
	    "config.json: vm.cloud_init: expected a file name");
	expect_error("{\"vm\":{\"cloud_init\":\"~\"}}",
	    "config.json: vm.cloud_init: expected a file name");
	/* Only a comment may repeat, at the top level; the sort finds a
	 * repeat among many keys. */
	expect_error("{\"//\":\"a\",\"//\":\"b\",\"backend\":\"local\","
	    "\"vm\":{\"cpus\":1,\"//\":1,\"disk\":\"9G\",\"//\":2}}",
	    "config.json: vm.//: duplicate key");
	expect_error("{\"agents\":{\"a\":{},\"b\":{},\"c\":{},\"d\":{},"
	    "\"e\":{},\"b\":{}}}", "config.json: agents.b: duplicate key");
	/* A relative one would be read from the current folder. */
	expect_error("{\"vm\":{\"cloud_init\":\"ci.yaml\"}}",
	    "config.json: vm.cloud_init: \"ci.yaml\" is a relative path, "
	    "which would be read from the current folder (often the project, "
	    "which the agent can write): use an absolute path or one "
	    "starting with ~/");
	expect_error("{\"vm\":{\"cloud_init\":\"./x/ci.yaml\"}}",
	    "config.json: vm.cloud_init: \"./x/ci.yaml\" is a relative path, "
	    "which would be read from the current folder (often the project, "
	    "which the agent can write): use an absolute path or one "
	    "starting with ~/");
	expect_error("{\"vm\":{\"cloud_init\":\"~user/ci.yaml\"}}",
	    "config.json: vm.cloud_init: \"~user/ci.yaml\" is a relative "
	    "path, which would be read from the current folder (often the "
	    "project, which the agent can write): use an absolute path or one "
	    "starting with ~/");
	assert_int_equal(load(&cfg,
	    "{\"vm\":{\"cloud_init\":\"/srv/ci.yaml\"}}", &cause), 0);
	assert_string_equal(cfg.vm.cloud_init, "/srv/ci.yaml");
	config_free(&cfg);
	unsetenv("HOME");
	expect_error("{\"vm\":{\"cloud_init\":\"~/ci.yaml\"}}",
	    "config.json: vm.cloud_init: \"~/ci.yaml\" needs HOME, which is "
	    "not set: use an absolute path");
	setenv("HOME", "/home/u", 1);
}

static void
test_invalid_json(void **state)
{
	(void)state;
	expect_error("{\n  \"vm\": {\n    \"cpus\": 2,\n  }\n}\n",
	    "config.json: invalid JSON at line 3, column 14: a comma before "
	    "'}': JSON allows none after the last member");
	expect_error("{\"agents\": {\"x\": {\"env\": [\"A\",]}}}",
	    "config.json: invalid JSON at line 1, column 30: a comma before "
	    "']': JSON allows none after the last element");
	expect_error("{\n  // mine\n  \"vm\": {}\n}",
	    "config.json: invalid JSON at line 2, column 3: JSON has no "
	    "comments (a \"//\" member at the top level can hold one)");
	expect_error("{\"vm\": {} /* x */}",
	    "config.json: invalid JSON at line 1, column 11: JSON has no "
	    "comments (a \"//\" member at the top level can hold one)");
	expect_error("# x\n{}",
	    "config.json: invalid JSON at line 1, column 1: JSON has no "
	    "comments (a \"//\" member at the top level can hold one)");
	expect_error("{'vm': {}}",
	    "config.json: invalid JSON at line 1, column 2: JSON strings take "
	    "double quotes");
	/* In a string they are no error, nor a hint. */
	expect_error("{\"agents\": {\"x\": {\"install\": \"a\\\"#,}\"} x}}",
	    "config.json: invalid JSON at line 1, column 40");
	expect_error("", "config.json: the file is empty; a config is a "
	    "JSON object, {} at least");
	/* A raw NUL ended the string: the image was "a". A last one is
	 * let be. */
	{
		static const char	 bin[] = "{\"vm\":{\"image\":\"a\0b\"}}";
		struct config		 cfg;
		char			*cause = NULL;

		assert_int_equal(config_load_text(&cfg, bin, sizeof bin - 1,
		    "config.json", &cause), -1);
		assert_string_equal(cause, "config.json: a NUL byte at line 1, "
		    "column 18: a config is JSON text, not a binary file");
		free(cause);
		config_free(&cfg);
		assert_int_equal(config_load_text(&cfg, "{}", 3, "config.json",
		    &cause), 0);
		config_free(&cfg);
	}
	expect_error(" \n\t", "config.json: the file is empty; a config is a "
	    "JSON object, {} at least");
	expect_error("{} x",
	    "config.json: invalid JSON at line 1, column 4: text after the "
	    "end");
	expect_error("{}\n// end\n",
	    "config.json: invalid JSON at line 2, column 1: JSON has no "
	    "comments (a \"//\" member at the top level can hold one)");
	/* What cJSON takes but JSON does not: bytes that are not UTF-8,
	 * raw control characters in strings and between tokens. */
	expect_error("{\"vm\":{\"image\":\"\xff\"}}",
	    "config.json: a byte that is not UTF-8 at line 1, column 17");
	expect_error("{\"vm\":{\"image\":\"\xed\xa0\x80\"}}",
	    "config.json: a byte that is not UTF-8 at line 1, column 17");
	expect_error("{\"agents\":{\"x\":{\"install\":\"a\nb\"}}}",
	    "config.json: a control character in a string (JSON wants it "
	    "escaped, as \\n or \\u001b) at line 1, column 29");
	expect_error("{\x1b\"vm\":{}}",
	    "config.json: a control character at line 1, column 2");
	/* A key or value quoted in a message has its controls escaped. */
	expect_error("{\"vm\":{\"a\\u001b[2J\":1}}",
	    "config.json: vm.a\\u001b[2J: unknown key");
	expect_error("{\"a\\nb\":1,\"a\\nb\":2}",
	    "config.json: a\\nb: duplicate key");
	/* A likely typo of a known key is named. */
	expect_error("{\"vm\":{\"cpsu\":2}}",
	    "config.json: vm.cpsu: unknown key (did you mean \"cpus\"?)");
	expect_error("{\"VM\":{}}",
	    "config.json: VM: unknown key (did you mean \"vm\"?)");
}

static void
test_files(void **state)
{
	struct config	 cfg;
	char		 dir[] = "/tmp/test-config.XXXXXX", *path, *cause = NULL;
	char		*want;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);

	/* No file: the defaults, no path. */
	assert_int_equal(config_load(&cfg, &cause), 0);
	assert_null(cfg.path);
	assert_int_equal(cfg.vm.cpus, 2);
	config_free(&cfg);

	path = config_path();
	xasprintf(&want, "%s/agentrun/config.json", dir);
	assert_string_equal(path, want);
	assert_int_equal(mkdir_p(dir, 0700), 0);
	free(want);
	xasprintf(&want, "%s/agentrun", dir);
	assert_int_equal(mkdir_p(want, 0700), 0);
	assert_int_equal(write_file_atomic(path, "{\"vm\":{\"cpus\":3}}", 17,
	    0600, &cause), 0);
	assert_int_equal(config_load(&cfg, &cause), 0);
	assert_int_equal(cfg.vm.cpus, 3);
	assert_string_equal(cfg.path, path);
	config_free(&cfg);

	/* Errors name the file. */
	assert_int_equal(write_file_atomic(path, "{\"vm\":{\"x\":3}}", 14,
	    0600, &cause), 0);
	assert_int_equal(config_load(&cfg, &cause), -1);
	free(want);
	xasprintf(&want, "%s: vm.x: unknown key", path);
	assert_string_equal(cause, want);
	free(cause);
	config_free(&cfg);

	/* A symbolic link to nothing is an error, not "no config". */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("missing.json", path), 0);
	cause = NULL;
	assert_int_equal(config_load(&cfg, &cause), -1);
	free(want);
	xasprintf(&want, "%s: No such file or directory (a symbolic link to "
	    "nothing)", path);
	assert_string_equal(cause, want);
	free(cause);
	config_free(&cfg);

	assert_int_equal(unlink(path), 0);
	free(want);
	xasprintf(&want, "%s/agentrun", dir);
	assert_int_equal(rmdir(want), 0);
	assert_int_equal(rmdir(dir), 0);
	free(want);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_invalid_json),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
