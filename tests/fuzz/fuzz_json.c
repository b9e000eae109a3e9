/* libFuzzer target: lib/json, request bodies. */
#include <stddef.h>
#include <stdint.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t		*v = NULL;
	const char	*why;

	if (json_parse_object((const char *)data, size, JSON_DEPTH_MAX, &v,
	    &why) == APP_OK && !json_is_object(v))
		__builtin_trap();
	json_decref(v);
	return 0;
}
