/* printargs.c: prints each argument as <arg> on its own line, byte for
 * byte, for the tests that check arguments reach a command unchanged. */
#include <stdio.h>

int
main(int argc, char **argv)
{
	int	 i;

	for (i = 1; i < argc; i++)
		printf("<%s>\n", argv[i]);
	return 0;
}
