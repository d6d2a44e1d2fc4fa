/* config.c: the user's config file into struct config. Table-driven: each
 * known key has a type and a setter; anything else is an error that names
 * the key path ("config.json: vm.memory: expected a size like \"4G\""). */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "util.h"
#include "vm.h"

#define CONFIG_MAX_SIZE	(1024 * 1024)

/* pipefail: a download that fails fails the install (the bash that the
 * script is piped into, given nothing, succeeds). Only here: a config's
 * own install command keeps the shell's usual pipelines ('yes | ...'). */
#define CLAUDE_INSTALL	\
	"set -o pipefail; curl -fsSL https://claude.ai/install.sh | bash"

/* Subcommands an agent profile may not shadow, and names kept for
 * agentrun that are no command (yet). */
static const char *const reserved_names[] = {
	"run", "shell", "ls", "show", "replay", "cat", "text",
	"export", "import", "grep", "rm", "gc", "vm", "doctor", "init",
	"completion", "version", "help", "__complete", "__index", NULL
};
static const char *const kept_names[] = {
	"list", "config", "local", "multipass", NULL
};

enum key_type {
	KEY_STRING,	/* any non-empty string */
	KEY_WORD,	/* non-empty, no white space */
	KEY_SIZE,	/* multipass size syntax */
	KEY_COUNT,	/* positive integer */
	KEY_VMNAME,
	KEY_PATH,	/* string, "~/" expanded */
};

struct key_def {
	const char	*name;
	enum key_type	 type;
	size_t		 offset;	/* into struct config */
	long		 max;		/* KEY_COUNT only */
	const char	*min;		/* KEY_SIZE only: the smallest */
};

/* The sizes' minimums are Multipass 1.16's (its daemon refuses less at
 * launch); 1.17 wants more, 512M and 1G. */
static const struct key_def vm_keys[] = {
	{ "name", KEY_VMNAME, offsetof(struct config, vm.name), 0, NULL },
	{ "cpus", KEY_COUNT, offsetof(struct config, vm.cpus), 1024, NULL },
	{ "memory", KEY_SIZE, offsetof(struct config, vm.memory), 0, "128M" },
	{ "disk", KEY_SIZE, offsetof(struct config, vm.disk), 0, "512M" },
	{ "image", KEY_WORD, offsetof(struct config, vm.image), 0, NULL },
	{ "cloud_init", KEY_PATH, offsetof(struct config, vm.cloud_init), 0,
	    NULL },
	{ "launch_timeout", KEY_COUNT,
	    offsetof(struct config, vm.launch_timeout), 86400, NULL },
};

/* For typo hints. */
static const char *const root_keys[] = { "backend", "vm", "agents", NULL };
static const char *const vm_names[] = {
	"name", "cpus", "memory", "disk", "image", "cloud_init",
	"launch_timeout", NULL
};
static const char *const agent_keys[] = {
	"command", "env", "install", "description", NULL
};

struct parse {
	const char	*name;	/* file name for messages */
	char		**cause;
};

static char **
strv_new(const char *first)
{
	char	**v;

	v = xcalloc(2, sizeof *v);
	v[0] = xstrdup(first);
	return v;
}

static void
agent_free(struct agent_profile *a)
{
	free(a->name);
	strv_free(a->command);
	free(a->install);
	strv_free(a->env);
	free(a->description);
	memset(a, 0, sizeof *a);
}

static struct agent_profile *
agent_add(struct config *cfg, const char *name)
{
	struct agent_profile	*a;

	cfg->agents = xrealloc(cfg->agents,
	    (cfg->n_agents + 1) * sizeof *cfg->agents);
	a = &cfg->agents[cfg->n_agents++];
	memset(a, 0, sizeof *a);
	a->name = xstrdup(name);
	return a;
}

void
config_defaults(struct config *cfg)
{
	struct agent_profile	*a;

	memset(cfg, 0, sizeof *cfg);
	cfg->backend = xstrdup("multipass");
	cfg->vm.name = xstrdup("agentrun");
	cfg->vm.cpus = 2;
	cfg->vm.memory = xstrdup("4G");
	cfg->vm.disk = xstrdup("20G");
	cfg->vm.image = xstrdup("24.04");
	cfg->vm.cloud_init = NULL;
	cfg->vm.launch_timeout = 900;

	a = agent_add(cfg, "claude");
	a->command = strv_new("claude");
	a->install = xstrdup(CLAUDE_INSTALL);
	a->env = strv_new("ANTHROPIC_API_KEY");
	a->description = xstrdup("Claude Code");
}

void
config_free(struct config *cfg)
{
	size_t	i;

	free(cfg->path);
	free(cfg->backend);
	free(cfg->vm.name);
	free(cfg->vm.memory);
	free(cfg->vm.disk);
	free(cfg->vm.image);
	free(cfg->vm.cloud_init);
	for (i = 0; i < cfg->n_agents; i++)
		agent_free(&cfg->agents[i]);
	free(cfg->agents);
	memset(cfg, 0, sizeof *cfg);
}

const struct agent_profile *
config_agent(const struct config *cfg, const char *name)
{
	size_t	i;

	for (i = 0; i < cfg->n_agents; i++) {
		if (strcmp(cfg->agents[i].name, name) == 0)
			return &cfg->agents[i];
	}
	return NULL;
}

char *
config_path(void)
{
	char	*dir, *path;

	if ((dir = xdg_dir("XDG_CONFIG_HOME", ".config")) == NULL)
		return NULL;
	path = path_join(dir, "config.json");
	free(dir);
	return path;
}

static int
fail(struct parse *p, const char *key, const char *fmt, ...)
    PRINTFLIKE(3, 4);

/* s with its control characters (C0, DEL, C1) written as JSON escapes:
 * a key or a value from the file ("a\u001b[2J", "a\nb") may hold any,
 * and a message is one line that does nothing to the terminal. */
static char *
escape_controls(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			*out, *o;
	unsigned int		 c;

	o = out = xmalloc(strlen(s) * 6 + 1);
	for (; *u != '\0'; u++) {
		c = *u;
		if (c == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
			c = *++u;		/* U+0080 to U+009F */
		else if (c >= 0x20 && c != 0x7f) {
			*o++ = (char)c;
			continue;
		}
		if (c == '\n')
			o += sprintf(o, "\\n");
		else if (c == '\t')
			o += sprintf(o, "\\t");
		else if (c == '\r')
			o += sprintf(o, "\\r");
		else
			o += sprintf(o, "\\u%04x", c);
	}
	*o = '\0';
	return out;
}

static int
fail(struct parse *p, const char *key, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *line;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (key != NULL)
		xasprintf(&line, "%s: %s: %s", p->name, key, msg);
	else
		xasprintf(&line, "%s: %s", p->name, msg);
	free(msg);
	*p->cause = escape_controls(line);
	free(line);
	return -1;
}

/* Multipass's size syntax: digits, or a decimal before K/M/G, with an
 * optional B or iB after the unit; a bare B suffix too. */
static int
size_valid(const char *s)
{
	const char	*p = s;
	int		 dot = 0, digits = 0;

	if (!isdigit((unsigned char)*p) || strtod(s, NULL) <= 0)
		return 0;		/* not a number, or nothing ("0G") */
	while (isdigit((unsigned char)*p) || *p == '.') {
		if (*p == '.' && dot++)
			return 0;
		if (*p != '.')
			digits++;
		p++;
	}
	if (digits == 0 || p[-1] == '.')
		return 0;
	if (*p == '\0')
		return !dot;
	switch (toupper((unsigned char)*p)) {
	case 'K': case 'M': case 'G':
		p++;
		if (strcasecmp(p, "") == 0 || strcasecmp(p, "B") == 0 ||
		    strcasecmp(p, "iB") == 0)
			return 1;
		return 0;
	case 'B':
		return !dot && p[1] == '\0';
	}
	return 0;
}

/* A valid size in bytes: the multiples are binary (1K is 1024). */
static double
size_bytes(const char *s)
{
	char	*end;
	double	 d;

	d = strtod(s, &end);
	switch (toupper((unsigned char)*end)) {
	case 'K':
		return d * 1024;
	case 'M':
		return d * 1024 * 1024;
	case 'G':
		return d * 1024 * 1024 * 1024;
	}
	return d;
}

static int
word_valid(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
			return 0;
	}
	return 1;
}

static int
env_name_valid(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	}
	return 1;
}

static int
agent_name_valid(const char *s)
{
	if (!islower((unsigned char)*s))
		return 0;
	for (; *s != '\0'; s++) {
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	}
	return 1;
}

static char *
expand_path(const char *s)
{
	const char	*home;
	char		*out;

	if (s[0] == '~' && (s[1] == '/' || s[1] == '\0') &&
	    (home = getenv("HOME")) != NULL && *home == '/') {
		xasprintf(&out, "%s%s", home, s + 1);
		return out;
	}
	return xstrdup(s);
}

static int
set_key(struct parse *p, struct config *cfg, const struct key_def *k,
    const cJSON *item, const char *path)
{
	char	**sp = (char **)((char *)cfg + k->offset);
	int	 *ip = (int *)((char *)cfg + k->offset);
	char	 *cause = NULL;
	double	  d;
	int	  r;

	if (k->type == KEY_COUNT) {
		if (!cJSON_IsNumber(item))
			return fail(p, path, "expected an integer");
		d = item->valuedouble;
		if (!(d >= 1 && d <= (double)k->max) || d != (double)(long)d)
			return fail(p, path,
			    "expected an integer from 1 to %ld", k->max);
		*ip = (int)d;
		return 0;
	}
	if (!cJSON_IsString(item)) {
		if (k->type == KEY_SIZE)
			return fail(p, path, "expected a size like \"4G\"");
		return fail(p, path, "expected a string");
	}
	switch (k->type) {
	case KEY_SIZE:
		if (!size_valid(item->valuestring))
			return fail(p, path, "expected a size like \"4G\"");
		if (size_bytes(item->valuestring) < size_bytes(k->min))
			return fail(p, path, "\"%s\" is too small: Multipass "
			    "needs at least %s", item->valuestring, k->min);
		break;
	case KEY_WORD:
		if (!word_valid(item->valuestring) ||
		    item->valuestring[0] == '-')
			return fail(p, path, "expected a non-empty string "
			    "without spaces, not starting with '-'");
		break;
	case KEY_VMNAME:
		if (vm_name_valid(item->valuestring, &cause) != 0) {
			r = fail(p, path, "%s", cause);
			free(cause);
			return r;
		}
		break;
	case KEY_PATH:
		if (item->valuestring[0] == '\0' ||
		    strcmp(item->valuestring, "~") == 0)	/* a folder */
			return fail(p, path, "expected a file name");
		free(*sp);
		*sp = expand_path(item->valuestring);
		if (**sp == '/')
			return 0;
		/* Multipass would read it from the current folder: usually
		 * the project, which the agent can write. */
		free(*sp);
		*sp = NULL;
		if (item->valuestring[0] == '~' &&
		    (item->valuestring[1] == '/' ||
		    item->valuestring[1] == '\0'))
			return fail(p, path, "\"%s\" needs HOME, which is not "
			    "set: use an absolute path", item->valuestring);
		return fail(p, path, "\"%s\" is a relative path, which "
		    "would be read from the current folder (often the project, "
		    "which the agent can write): use an absolute path or one "
		    "starting with ~/", item->valuestring);
	default:
		if (item->valuestring[0] == '\0')
			return fail(p, path, "expected a non-empty string");
		break;
	}
	free(*sp);
	*sp = xstrdup(item->valuestring);
	return 0;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* No key twice in obj (cJSON keeps both: the last would win unseen). */
static int
check_duplicates(struct parse *p, const cJSON *obj, const char *prefix)
{
	const cJSON	*a;
	const char	**keys, *dup = NULL;
	char		 *path;
	size_t		  n = 0, i;
	int		  r;

	for (a = obj->child; a != NULL; a = a->next)
		n++;
	keys = xcalloc(n + 1, sizeof *keys);
	for (n = 0, a = obj->child; a != NULL; a = a->next)
		/* Comments at the top level may repeat. */
		if (*prefix != '\0' || strcmp(a->string, "//") != 0)
			keys[n++] = a->string;
	qsort(keys, n, sizeof *keys, cmp_key);	/* not n^2: a big file */
	for (i = 1; i < n && dup == NULL; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0)
			dup = keys[i];
	free(keys);
	if (dup == NULL)
		return 0;
	if (*prefix == '\0')
		return fail(p, dup, "duplicate key");
	xasprintf(&path, "%s.%s", prefix, dup);
	r = fail(p, path, "duplicate key");
	free(path);
	return r;
}

/* "unknown key", with the nearest of the NULL-terminated known keys if
 * one is a likely typo ("cpu", "Memory", "cloud-init"). */
static int
fail_unknown(struct parse *p, const char *path, const char *key,
    const char *const *known)
{
	const char	*best = NULL;
	char		 lower[33];
	size_t		 i, d, bestd = 3;

	for (i = 0; key[i] != '\0' && i < sizeof lower - 1; i++)
		lower[i] = key[i] == '-' ? '_' : tolower((unsigned char)key[i]);
	lower[i] = '\0';
	for (; *known != NULL; known++) {
		d = key[i] == '\0' ? edit_distance(lower, strlen(lower), *known, 2) :
		    edit_distance(key, strlen(key), *known, 2);
		if (d < bestd && d <= (strlen(*known) > 3 ? 2 : 1)) {
			bestd = d;
			best = *known;
		}
	}
	if (best == NULL)
		return fail(p, path, "unknown key");
	return fail(p, path, "unknown key (did you mean \"%s\"?)", best);
}

static int
parse_vm(struct parse *p, struct config *cfg, const cJSON *obj)
{
	const cJSON	*item;
	char		 path[256];
	size_t		 i;
	int		 found;

	if (!cJSON_IsObject(obj))
		return fail(p, "vm", "expected an object");
	if (check_duplicates(p, obj, "vm") != 0)
		return -1;
	cJSON_ArrayForEach(item, obj) {
		snprintf(path, sizeof path, "vm.%s", item->string);
		found = 0;
		for (i = 0; i < sizeof vm_keys / sizeof vm_keys[0]; i++) {
			if (strcmp(vm_keys[i].name, item->string) != 0)
				continue;
			if (set_key(p, cfg, &vm_keys[i], item, path) != 0)
				return -1;
			found = 1;
		}
		if (!found)
			return fail_unknown(p, path, item->string, vm_names);
	}
	return 0;
}

/* A string is split on white space; an array must hold non-empty
 * strings. */
static int
parse_command(struct parse *p, const char *path, const cJSON *item,
    char ***out)
{
	const cJSON	*e;
	char		**v = NULL, *copy, *tok, *save;
	size_t		  n = 0;

	if (cJSON_IsString(item)) {
		if (strpbrk(item->valuestring, "\"'\\") != NULL)
			return fail(p, path, "quotes are not understood here: "
			    "use an array of strings");
		copy = xstrdup(item->valuestring);
		for (tok = strtok_r(copy, " \t\n", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t\n", &save)) {
			v = xrealloc(v, (n + 2) * sizeof *v);
			v[n++] = xstrdup(tok);
			v[n] = NULL;
		}
		free(copy);
	} else if (cJSON_IsArray(item)) {
		cJSON_ArrayForEach(e, item) {
			if (!cJSON_IsString(e) || e->valuestring[0] == '\0') {
				strv_free(v);
				return fail(p, path, "expected a string or an "
				    "array of non-empty strings");
			}
			v = xrealloc(v, (n + 2) * sizeof *v);
			v[n++] = xstrdup(e->valuestring);
			v[n] = NULL;
		}
	} else
		return fail(p, path,
		    "expected a string or an array of strings");
	if (n == 0)
		return fail(p, path, "expected a command, not an empty one");
	strv_free(*out);
	*out = v;
	return 0;
}

static int
parse_env(struct parse *p, const char *path, const cJSON *item, char ***out)
{
	const cJSON	*e;
	char		**v;
	size_t		  n = 0;

	if (!cJSON_IsArray(item))
		return fail(p, path, "expected an array of variable names");
	v = xcalloc(1, sizeof *v);
	cJSON_ArrayForEach(e, item) {
		if (!cJSON_IsString(e) || !env_name_valid(e->valuestring)) {
			strv_free(v);
			return fail(p, path, "expected an array of variable "
			    "names like \"ANTHROPIC_API_KEY\"");
		}
		/* The guest script's own variables (vm.c). */
		if (strncmp(e->valuestring, "_agentrun_", 10) == 0) {
			strv_free(v);
			return fail(p, path, "\"%s\": names starting with "
			    "_agentrun_ are agentrun's own", e->valuestring);
		}
		v = xrealloc(v, (n + 2) * sizeof *v);
		v[n++] = xstrdup(e->valuestring);
		v[n] = NULL;
	}
	strv_free(*out);
	*out = v;
	return 0;
}

/* 1 if s holds a C0 control character or DEL. */
static int
has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	}
	return 0;
}

/* The agent named obj->string: one of the first known ones (those the
 * defaults or an earlier file made; this object has no name twice, as
 * check_duplicates saw), else a new one. */
static int
parse_agent(struct parse *p, struct config *cfg, const cJSON *obj,
    size_t known)
{
	struct agent_profile	*a;
	const cJSON		*item;
	char			 path[512];
	size_t			 i;

	snprintf(path, sizeof path, "agents.%s", obj->string);
	if (!agent_name_valid(obj->string))
		return fail(p, path, "an agent name is lower-case letters, "
		    "digits, '-' and '_', starting with a letter");
	for (i = 0; reserved_names[i] != NULL; i++) {
		if (strcmp(reserved_names[i], obj->string) == 0)
			return fail(p, path, "'%s' is an agentrun command; "
			    "choose another name", obj->string);
	}
	for (i = 0; kept_names[i] != NULL; i++) {
		if (strcmp(kept_names[i], obj->string) == 0)
			return fail(p, path, "'%s' is a name agentrun keeps "
			    "for itself; choose another name", obj->string);
	}
	if (!cJSON_IsObject(obj))
		return fail(p, path, "expected an object");
	if (check_duplicates(p, obj, path) != 0)
		return -1;
	a = NULL;
	for (i = 0; i < known && a == NULL; i++) {
		if (strcmp(cfg->agents[i].name, obj->string) == 0)
			a = &cfg->agents[i];
	}
	if (a == NULL)
		a = agent_add(cfg, obj->string);
	cJSON_ArrayForEach(item, obj) {
		snprintf(path, sizeof path, "agents.%s.%s", obj->string,
		    item->string);
		if (strcmp(item->string, "command") == 0) {
			if (parse_command(p, path, item, &a->command) != 0)
				return -1;
		} else if (strcmp(item->string, "env") == 0) {
			if (parse_env(p, path, item, &a->env) != 0)
				return -1;
		} else if (strcmp(item->string, "install") == 0 ||
		    strcmp(item->string, "description") == 0) {
			char	**sp = item->string[0] == 'i' ?
			    &a->install : &a->description;

			if (cJSON_IsNull(item)) {
				free(*sp);
				*sp = NULL;
				continue;
			}
			if (!cJSON_IsString(item))
				return fail(p, path, "expected a string");
			/* A description is one line of 'agentrun help'. */
			if (sp == &a->description &&
			    has_control(item->valuestring))
				return fail(p, path, "expected one line of "
				    "text, without control characters");
			free(*sp);
			*sp = xstrdup(item->valuestring);
		} else
			return fail_unknown(p, path, item->string,
			    agent_keys);
	}
	if (a->command == NULL)
		a->command = strv_new(a->name);
	if (a->env == NULL)
		a->env = xcalloc(1, sizeof *a->env);
	return 0;
}

static int
parse_agents(struct parse *p, struct config *cfg, const cJSON *obj)
{
	const cJSON	*item;
	size_t		 known = cfg->n_agents;

	if (!cJSON_IsObject(obj))
		return fail(p, "agents", "expected an object");
	if (check_duplicates(p, obj, "agents") != 0)
		return -1;
	cJSON_ArrayForEach(item, obj) {
		if (parse_agent(p, cfg, item, known) != 0)
			return -1;
	}
	return 0;
}

static int
parse_root(struct parse *p, struct config *cfg, const cJSON *root)
{
	const cJSON	*item;

	if (!cJSON_IsObject(root))
		return fail(p, NULL, "expected a JSON object at the top level");
	if (check_duplicates(p, root, "") != 0)
		return -1;
	cJSON_ArrayForEach(item, root) {
		if (strcmp(item->string, "backend") == 0) {
			if (!cJSON_IsString(item) ||
			    (strcmp(item->valuestring, "multipass") != 0 &&
			    strcmp(item->valuestring, "local") != 0))
				return fail(p, "backend",
				    "expected \"multipass\" or \"local\"");
			free(cfg->backend);
			cfg->backend = xstrdup(item->valuestring);
		} else if (strcmp(item->string, "vm") == 0) {
			if (parse_vm(p, cfg, item) != 0)
				return -1;
		} else if (strcmp(item->string, "agents") == 0) {
			if (parse_agents(p, cfg, item) != 0)
				return -1;
		} else if (strcmp(item->string, "$schema") == 0 ||
		    strcmp(item->string, "//") == 0) {
			/* Comments and editor hints are allowed. */
		} else
			return fail_unknown(p, item->string, item->string,
			    root_keys);
	}
	return 0;
}

static void
position(const char *text, size_t len, const char *at, size_t *line,
    size_t *col)
{
	const char	*s;

	*line = 1;
	*col = 1;
	if (at == NULL || at < text || at > text + len)
		return;
	for (s = text; s < at; s++) {
		if (*s == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

/* The first \u0000 escape in the text (not \\u0000, a backslash and
 * "u0000"), or NULL. cJSON would end the C string there: "HOME\u0000X"
 * would become HOME, "echo\u0000rm" echo. */
static const char *
nul_escape(const char *text, size_t len)
{
	size_t	 i, k;

	for (i = 0; i + 6 <= len; i++) {
		if (text[i] != '\\' || memcmp(text + i + 1, "u0000", 5) != 0)
			continue;
		for (k = 0; k < i && text[i - k - 1] == '\\'; k++)
			;
		if (k % 2 == 0)
			return text + i;
	}
	return NULL;
}

/* The first raw NUL byte in the text but a last one, or NULL. cJSON
 * would end a C string there ("echo ok<NUL>; rm" would be "echo ok"),
 * and a config is text: one found says it is a binary file. */
static const char *
nul_byte(const char *text, size_t len)
{
	const char	*s;

	if (len > 0 && (s = memchr(text, '\0', len)) != NULL &&
	    s + 1 != text + len)
		return s;
	return NULL;
}

/* The first byte that JSON forbids but cJSON takes, or NULL; *why says
 * what it is. JSON text is UTF-8 (a name or a description goes on to the
 * terminal as it is), and a control character is white space (tab,
 * newline, return) between tokens or escaped in a string: cJSON keeps a
 * raw one in a string, and skips any as white space. */
static const char *
text_invalid(const char *text, size_t len, const char **why)
{
	const unsigned char	*s = (const unsigned char *)text;
	const unsigned char	*end = s + len;
	int			 n, in_string = 0;

	if (len > 0 && end[-1] == '\0')
		end--;				/* as nul_byte allows */
	while (s < end) {
		if (*s >= 0x80) {
			if ((n = utf8_check(s, (size_t)(end - s))) <= 0) {
				*why = "a byte that is not UTF-8";
				return (const char *)s;
			}
			s += n;
			continue;
		}
		if (*s < 0x20 && (in_string ||
		    (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r'))) {
			*why = in_string ? "a control character in a string "
			    "(JSON wants it escaped, as \\n or \\u001b)" :
			    "a control character";
			return (const char *)s;
		}
		if (in_string && *s == '\\' && s + 1 < end &&
		    s[1] >= 0x20 && s[1] < 0x80)
			s++;
		else if (*s == '"')
			in_string = !in_string;
		s++;
	}
	return NULL;
}

/* What JSON has not but people write, at or before where cJSON stopped:
 * a comment, a comma after the last item, a single-quoted string. The
 * first one outside a string is the error; *at points at it. */
static const char *
json_hint(const char *text, size_t len, const char *stop, const char **at)
{
	const char	*s, *t, *end = text + len;
	int		 in_string = 0;

	if (stop == NULL || stop > end)
		stop = end;
	for (s = text; s < end && s <= stop; s++) {
		if (in_string) {
			if (*s == '\\' && s + 1 < end)
				s++;
			else if (*s == '"')
				in_string = 0;
			continue;
		}
		*at = s;
		switch (*s) {
		case '"':
			in_string = 1;
			break;
		case '/':
			if (s + 1 < end && (s[1] == '/' || s[1] == '*'))
				return "JSON has no comments (a \"//\" member "
				    "at the top level can hold one)";
			break;
		case '#':
			return "JSON has no comments (a \"//\" member at the "
			    "top level can hold one)";
		case '\'':
			return "JSON strings take double quotes";
		case ',':
			for (t = s + 1; t < end &&
			    isspace((unsigned char)*t); t++)
				;
			if (t < end && *t == '}')
				return "a comma before '}': JSON allows none "
				    "after the last member";
			if (t < end && *t == ']')
				return "a comma before ']': JSON allows none "
				    "after the last element";
			break;
		}
	}
	return NULL;
}

int
config_load_text(struct config *cfg, const char *text, size_t len,
    const char *name, char **cause)
{
	struct parse	 p = { name != NULL ? name : "config.json", cause };
	cJSON		*root;
	const char	*end = NULL, *hint, *at, *why;
	size_t		 line, col, i;
	int		 r;

	config_defaults(cfg);
	if ((end = nul_byte(text, len)) != NULL) {
		position(text, len, end, &line, &col);
		xasprintf(cause, "%s: a NUL byte at line %zu, column %zu: a "
		    "config is JSON text, not a binary file", p.name, line,
		    col);
		return -1;
	}
	if ((end = nul_escape(text, len)) != NULL) {
		position(text, len, end, &line, &col);
		xasprintf(cause, "%s: \\u0000 at line %zu, column %zu: a "
		    "string cannot hold a NUL character", p.name, line, col);
		return -1;
	}
	for (i = 0; i < len && isspace((unsigned char)text[i]); i++)
		;
	if (i == len) {
		xasprintf(cause, "%s: the file is empty; a config is a JSON "
		    "object, {} at least", p.name);
		return -1;
	}
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root == NULL) {
		if ((hint = json_hint(text, len, end, &at)) != NULL)
			end = at;
		position(text, len, end, &line, &col);
		xasprintf(cause, "%s: invalid JSON at line %zu, column %zu%s%s",
		    p.name, line, col, hint != NULL ? ": " : "",
		    hint != NULL ? hint : "");
		return -1;
	}
	/* Only white space may follow the value. */
	for (; end != NULL && end < text + len; end++) {
		if (*end == '\0' && end + 1 == text + len)
			break;
		if (!isspace((unsigned char)*end)) {
			position(text, len, end, &line, &col);
			hint = json_hint(end, text + len - end, end, &at);
			xasprintf(cause, "%s: invalid JSON at line %zu, "
			    "column %zu: %s", p.name, line, col,
			    hint != NULL ? hint : "text after the end");
			cJSON_Delete(root);
			return -1;
		}
	}
	/* After the parse, which says where a quote is: the text is JSON
	 * (cJSON's) and its strings are where it found them. */
	if ((end = text_invalid(text, len, &why)) != NULL) {
		position(text, len, end, &line, &col);
		xasprintf(cause, "%s: %s at line %zu, column %zu", p.name, why,
		    line, col);
		cJSON_Delete(root);
		return -1;
	}
	r = parse_root(&p, cfg, root);
	cJSON_Delete(root);
	if (r != 0) {
		config_free(cfg);
		config_defaults(cfg);
	}
	return r;
}

int
config_load_file(struct config *cfg, const char *path, char **cause)
{
	char		*text, *why = NULL;
	size_t		 len;
	int		 r;

	/* A regular file, read without waiting: a FIFO would hang every
	 * command (completion too) until something wrote to it. */
	if ((text = read_state_file(path, &len, CONFIG_MAX_SIZE,
	    &why)) == NULL) {
		config_defaults(cfg);
		xasprintf(cause, "%s", why != NULL ? why : path);
		free(why);
		return -1;
	}
	r = config_load_text(cfg, text, len, path, cause);
	free(text);
	if (r == 0)
		cfg->path = xstrdup(path);
	return r;
}

int
config_load(struct config *cfg, char **cause)
{
	struct stat	 st;
	char		*path;
	int		 r, e;

	if ((path = config_path()) == NULL || stat(path, &st) != 0) {
		/* A link to nowhere is a mistake, not the absence of a
		 * config: the defaults would be used without a word. */
		e = errno;
		if (path != NULL && (e != ENOENT || lstat(path, &st) == 0)) {
			xasprintf(cause, "%s: %s%s", path, strerror(e),
			    e == ENOENT ? " (a symbolic link to nothing)" : "");
			free(path);
			config_defaults(cfg);
			return -1;
		}
		free(path);
		config_defaults(cfg);
		return 0;
	}
	r = config_load_file(cfg, path, cause);
	free(path);
	return r;
}

int
config_cloud_init_check(const struct config *cfg, const char **why)
{
	struct stat	 st;

	*why = NULL;
	if (cfg->vm.cloud_init == NULL)
		return 0;
	if (stat(cfg->vm.cloud_init, &st) != 0)
		*why = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		*why = strerror(EISDIR);
	else if (!S_ISREG(st.st_mode))
		*why = "not a regular file";
	else if (access(cfg->vm.cloud_init, R_OK) != 0)
		*why = strerror(errno);
	return *why != NULL ? -1 : 0;
}
