/* cmd-replay.c: stub, replaced by its owner. */
#include "cmd.h"
int cmd_replay(struct globals *g, int argc, char **argv) { (void)g; (void)argc; (void)argv; fprintf(stderr, "agentrun: not implemented yet\n"); return 1; }
int cmd_text(struct globals *g, int argc, char **argv) { (void)g; (void)argc; (void)argv; fprintf(stderr, "agentrun: not implemented yet\n"); return 1; }
int cmd_export(struct globals *g, int argc, char **argv) { (void)g; (void)argc; (void)argv; fprintf(stderr, "agentrun: not implemented yet\n"); return 1; }
int cmd_import(struct globals *g, int argc, char **argv) { (void)g; (void)argc; (void)argv; fprintf(stderr, "agentrun: not implemented yet\n"); return 1; }
int cmd_grep(struct globals *g, int argc, char **argv) { (void)g; (void)argc; (void)argv; fprintf(stderr, "agentrun: not implemented yet\n"); return 1; }
int cmd_rm(struct globals *g, int argc, char **argv) { (void)g; (void)argc; (void)argv; fprintf(stderr, "agentrun: not implemented yet\n"); return 1; }
int cmd_gc(struct globals *g, int argc, char **argv) { (void)g; (void)argc; (void)argv; fprintf(stderr, "agentrun: not implemented yet\n"); return 1; }
