/* libFuzzer target: lib/form, query strings and form bodies. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form	 f;

	if (form_parse((const char *)data, size, 64, &f) == APP_OK) {
		if (f.n > 64)
			__builtin_trap();
		for (size_t i = 0; i < f.n; i++)
			if (strlen(f.pairs[i].value) != f.pairs[i].valuelen)
				__builtin_trap();
		(void)form_get(&f, "scope");
		(void)form_count(&f, "scope");
	}
	form_free(&f);
	return 0;
}
