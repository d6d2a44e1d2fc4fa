/* git.c: the commit a project's HEAD names, read from the files of its
 * .git without running git. A project in the VM is writable by the agent,
 * .git/config included, and git runs what that config says (an fsmonitor,
 * a clean filter, hooks): for the multipass backend agentrun never runs
 * git on this machine, it only reads HEAD, its ref and packed-refs. */
#include <stdlib.h>
#include <string.h>

#include "git.h"
#include "util.h"

#define GIT_SMALL	4096		/* HEAD, a ref, a gitdir or commondir file */
#define GIT_PACKED	(64 << 20)	/* packed-refs */

/* A small file's first line, or NULL. */
static char *
git_line(const char *dir, const char *name, size_t max)
{
	char	*path, *text, *cause = NULL;
	size_t	 len;

	path = path_join(dir, name);
	text = read_state_file(path, &len, max, &cause);
	free(path);
	free(cause);
	if (text != NULL)
		text[strcspn(text, "\r\n")] = '\0';
	return text;
}

/* A full object name: 40 (SHA-1) or 64 (SHA-256) lower-case hex digits. */
static int
git_oid_valid(const char *s, size_t n)
{
	size_t	 i;

	if (n != 40 && n != 64)
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

/* A ref name that stays inside the git directory: refs/..., no "..",
 * no empty part, only the characters branch names commonly use. */
static int
git_ref_valid(const char *r)
{
	const char	*p;

	if (strncmp(r, "refs/", 5) != 0 || strstr(r, "..") != NULL ||
	    strstr(r, "//") != NULL || r[strlen(r) - 1] == '/')
		return 0;
	for (p = r; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-+@", *p) != NULL))
			return 0;
	}
	return 1;
}

/* The directory .git names: itself, or a "gitdir: PATH" file's PATH
 * (relative to the project), as worktrees and submodules have. */
static char *
git_dir(const char *project)
{
	char	*dotgit, *line, *dir = NULL;

	dotgit = path_join(project, ".git");
	if ((line = git_line(project, ".git", GIT_SMALL)) == NULL)
		return dotgit;	/* a folder (or nothing: reads fail later) */
	if (strncmp(line, "gitdir: ", 8) == 0 && line[8] != '\0')
		dir = line[8] == '/' ? xstrdup(line + 8) :
		    path_join(project, line + 8);
	free(line);
	free(dotgit);
	return dir;
}

/* The object a ref names: its loose file, else its line in packed-refs. */
static char *
git_ref(const char *dir, const char *ref)
{
	char	*oid, *text, *path, *cause = NULL, *line, *next;
	size_t	 len, n = strlen(ref);

	if ((oid = git_line(dir, ref, GIT_SMALL)) != NULL) {
		if (git_oid_valid(oid, strlen(oid)))
			return oid;
		free(oid);
		return NULL;
	}
	path = path_join(dir, "packed-refs");
	text = read_state_file(path, &len, GIT_PACKED, &cause);
	free(path);
	free(cause);
	if (text == NULL)
		return NULL;
	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		len = strcspn(line, " ");
		if (line[len] == ' ' && git_oid_valid(line, len) &&
		    strncmp(line + len + 1, ref, n) == 0 &&
		    (line[len + 1 + n] == '\0' || line[len + 1 + n] == '\r')) {
			oid = xstrndup(line, len);
			break;
		}
	}
	free(text);
	return oid;
}

char *
git_head_read(const char *project)
{
	char	*dir, *head, *common = NULL, *line, *oid = NULL;

	if ((dir = git_dir(project)) == NULL)
		return NULL;
	if ((head = git_line(dir, "HEAD", GIT_SMALL)) == NULL)
		goto out;
	if (git_oid_valid(head, strlen(head))) {	/* detached */
		oid = head;
		head = NULL;
		goto out;
	}
	if (strncmp(head, "ref: ", 5) != 0 || !git_ref_valid(head + 5))
		goto out;
	if ((oid = git_ref(dir, head + 5)) != NULL)
		goto out;
	/* A linked worktree keeps its branches in the common directory. */
	if ((line = git_line(dir, "commondir", GIT_SMALL)) != NULL) {
		common = line[0] == '/' ? xstrdup(line) : path_join(dir, line);
		free(line);
		oid = git_ref(common, head + 5);
	}
out:
	free(common);
	free(head);
	free(dir);
	return oid;
}
