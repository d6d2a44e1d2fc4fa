/* cmd-init.c: stub, replaced by its owner. */
#include "cmd.h"
int cmd_init(struct globals *g, int argc, char **argv) { (void)g; (void)argc; (void)argv; fprintf(stderr, "agentrun: not implemented yet\n"); return 1; }
int cmd_completion(struct globals *g, int argc, char **argv) { (void)g; (void)argc; (void)argv; fprintf(stderr, "agentrun: not implemented yet\n"); return 1; }
int cmd_complete(struct globals *g, int argc, char **argv) { (void)g; (void)argc; (void)argv; fprintf(stderr, "agentrun: not implemented yet\n"); return 1; }
