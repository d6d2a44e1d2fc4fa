/* standalone.c: runs a libFuzzer target over files without libFuzzer, so
 * the corpora run as plain tests (also under ASan+UBSan) with gcc. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char **argv)
{
	FILE	*f;
	char	*data;
	long	 len;
	int	 i;

	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL ||
		    fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) != 0) {
			perror(argv[i]);
			return 1;
		}
		if ((data = malloc((size_t)len + 1)) == NULL ||
		    fread(data, 1, (size_t)len, f) != (size_t)len) {
			perror(argv[i]);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput((const uint8_t *)data, (size_t)len);
		free(data);
	}
	printf("%d inputs\n", argc - 1);
	return 0;
}
