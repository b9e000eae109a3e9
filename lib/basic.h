/*
 * basic: the HTTP Basic credentials of an Authorization header
 * (RFC 7617).  No I/O: unit-tested and fuzzed alone.
 *
 * The scheme is matched without regard to case ("basic", "BASIC"); one
 * or more spaces follow it; the rest must be strict base64 (padding
 * required where due, no whitespace inside).  The decoded text splits at
 * its first colon: a password may hold ':' but a user-id may not.
 * Refused with APP_EUNAUTH: another scheme (Bearer), a header over
 * BASIC_HEADER_MAX bytes, bad base64, no colon, an empty user or an
 * empty password, a NUL or control character in either, a user over
 * BASIC_USER_MAX or a password over BASIC_PASSWORD_MAX bytes.
 */
#ifndef BERTH_BASIC_H
#define BERTH_BASIC_H

#include <stddef.h>

#include "err.h"

#define BASIC_HEADER_MAX	1024
#define BASIC_USER_MAX		255
#define BASIC_PASSWORD_MAX	256

struct basic_cred {
	char	 user[BASIC_USER_MAX + 1];
	char	 password[BASIC_PASSWORD_MAX + 1];
	size_t	 userlen;
	size_t	 passwordlen;
};

/* Parse hdr (len bytes) into c.  c is wiped on failure; the caller
 * wipes it with basic_wipe() after use. */
enum app_err	basic_parse(const char *hdr, size_t len,
		    struct basic_cred *c) WUR;

void		basic_wipe(struct basic_cred *c);

#endif
