/* fuzz-config.c: the config parser on any text. */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct config	 cfg;
	char		*cause = NULL;

	(void)config_load_text(&cfg, (const char *)data, n, "config.json",
	    &cause);
	config_free(&cfg);	/* the defaults are left after a failure */
	free(cause);
	return 0;
}
