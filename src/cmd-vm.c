/* cmd-vm.c: stub, replaced by its owner. */
#include "cmd.h"
int cmd_vm(struct globals *g, int argc, char **argv) { (void)g; (void)argc; (void)argv; fprintf(stderr, "agentrun: not implemented yet\n"); return 1; }
int cmd_doctor(struct globals *g, int argc, char **argv) { (void)g; (void)argc; (void)argv; fprintf(stderr, "agentrun: not implemented yet\n"); return 1; }
