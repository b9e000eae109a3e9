/* libFuzzer target: lib/htpasswd, one line of an htpasswd file. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "htpasswd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct htpasswd_entry	 e;
	const char		*line = (const char *)data, *why = NULL;

	switch (htpasswd_parse(line, size, &e, &why)) {
	case HTPASSWD_OK:
		/* What it accepted lies in the line, as promised. */
		if (e.userlen == 0 || e.hashlen == 0 || e.user != line ||
		    memchr(e.user, ':', e.userlen) != NULL ||
		    e.hash != e.user + e.userlen + 1 ||
		    e.userlen + 1 + e.hashlen > size || e.hash[0] != '$' ||
		    memchr(e.hash, '\0', e.hashlen) != NULL)
			__builtin_trap();
		break;
	case HTPASSWD_BAD:
		if (why == NULL)
			__builtin_trap();
		break;
	case HTPASSWD_SKIP:
		break;
	}
	return 0;
}
