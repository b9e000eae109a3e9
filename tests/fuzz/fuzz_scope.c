/* libFuzzer target: lib/scope, one or more scope parameters. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "authz.h"
#include "scope.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scope_list	 l;
	static const struct authz_project proj[] = {
		{ "team", true, false, ROLE_DEVELOPER, 0 },
		{ "pub", true, true, ROLE_NONE, 0 },
	};
	struct authz_caller		 c = { AUTHZ_USER, proj, 2, 0 };
	const char			*why, *acts[4];
	size_t				 start = 0;

	memset(&l, 0, sizeof(l));
	/* A NUL byte separates parameters, as repeated scope= would. */
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\0')
			continue;
		if (scope_parse(&l, (const char *)data + start, i - start,
		    &why) != APP_OK)
			break;
		start = i + 1;
	}
	for (size_t i = 0; i < l.n; i++) {
		unsigned bits = authz_grant(&c, &l.s[i]);

		/* Never more than asked, never an unknown action. */
		if ((bits & ~l.s[i].actions) != 0 || (bits & SCOPE_A_OTHER))
			__builtin_trap();
		(void)scope_actions_str(bits, acts);
	}
	return 0;
}
