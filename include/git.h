/* git.h: a project's git HEAD, read from its files without running git. */
#ifndef AGENTRUN_GIT_H
#define AGENTRUN_GIT_H

/* The full object name HEAD points at (a branch's tip, or a detached
 * HEAD), or NULL: not a repository, no commit yet, or files that do not
 * read as git's. Follows a .git file (gitdir:), loose refs, packed-refs and
 * a linked worktree's common directory. Runs nothing. */
char	*git_head_read(const char *project);

#endif
