/* vm.c: policy for the multipass backend: ensure the VM, reconcile mounts,
 * the mount safety rules, the per-VM lock and the live-session registry,
 * and the exec command line. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "session.h"
#include "util.h"
#include "vm.h"

int
vm_name_valid(const char *name, char **cause)
{
	size_t	i, len = strlen(name);

	if (len == 0) {
		xasprintf(cause, "a VM name cannot be empty");
		return -1;
	}
	if (len > 40) {
		xasprintf(cause, "VM name \"%s\" is longer than 40 characters",
		    name);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '-')
			break;
	}
	if (i != len || !isalpha((unsigned char)name[0]) ||
	    name[len - 1] == '-') {
		xasprintf(cause, "VM name \"%s\" is not valid: use letters, "
		    "digits and hyphens, starting with a letter and not "
		    "ending with a hyphen", name);
		return -1;
	}
	if (strcasecmp(name, "primary") == 0) {
		xasprintf(cause, "the VM name \"primary\" is refused: "
		    "Multipass mounts your home folder into it");
		return -1;
	}
	return 0;
}

struct vm_handle *
vm_prepare(const struct vm_request *req, struct session *s, char ***argv,
    char **cause)
{
	(void)req; (void)s; (void)argv;
	xasprintf(cause, "the multipass backend is not implemented yet");
	return NULL;
}

int
vm_exit_status(struct vm_handle *h, int status)
{
	(void)h;
	return status;
}

void
vm_release(struct vm_handle *h)
{
	(void)h;
}

int
vm_mount_allowed(const char *path, const char *home, int snap, char **cause)
{
	(void)path; (void)home; (void)snap;
	xasprintf(cause, "not implemented yet");
	return -1;
}
