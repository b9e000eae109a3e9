/* libFuzzer target: lib/config, lines of a configuration file. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 c;
	char		 err[CONFIG_ERR_MAX];
	int		 seen[64] = { 0 };
	size_t		 start = 0;

	if (config_nkeys() > 64 || config_defaults(&c) != APP_OK)
		return 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		if (config_line(&c, (const char *)data + start, i - start,
		    seen, err, sizeof(err)) != APP_OK)
			break;
		start = i + 1;
	}
	config_free(&c);
	return 0;
}
