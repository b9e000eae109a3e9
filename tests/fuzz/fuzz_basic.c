/* libFuzzer target: lib/basic, the Authorization header. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "basic.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct basic_cred	 c;

	if (basic_parse((const char *)data, size, &c) == APP_OK) {
		/* What it accepted holds up to its promises. */
		if (c.userlen == 0 || c.passwordlen == 0 ||
		    strlen(c.user) != c.userlen ||
		    strlen(c.password) != c.passwordlen ||
		    strchr(c.user, ':') != NULL)
			__builtin_trap();
	}
	basic_wipe(&c);
	return 0;
}
