/* fuzz-multipass.c: parsing multipass's info JSON on any text. */
#include <stdint.h>
#include <stdlib.h>

#include "multipass.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mp_info	 info;
	char		*cause = NULL;

	if (mp_info_parse((const char *)data, n, "agentrun", &info,
	    &cause) == 0)
		mp_info_free(&info);
	free(cause);
	return 0;
}
