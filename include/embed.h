/* embed.h: the files of shell/ and completions/, compiled into the binary
 * at build time (the Makefile generates embed.c) so 'init' and
 * 'completion' never drift from the installed copies. */
#ifndef AGENTRUN_EMBED_H
#define AGENTRUN_EMBED_H

/* Contents of e.g. "shell/agentrun.bash" or "completions/_agentrun",
 * or NULL. */
const char	*embed_get(const char *name);

#endif
