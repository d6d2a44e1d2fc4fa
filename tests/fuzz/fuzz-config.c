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

	if (config_load_text(&cfg, (const char *)data, n, "config.json",
	    &cause) == 0)
		config_free(&cfg);
	free(cause);
	return 0;
}
