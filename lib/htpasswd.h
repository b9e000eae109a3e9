/*
 * htpasswd: one line of an Apache htpasswd file, for berthctl
 * import-htpasswd.  No I/O.
 *
 * A line is "user:hash".  Blank lines and lines starting with '#' are
 * skipped, as Apache skips them; a trailing "\r" is ignored.  The user
 * is everything before the first ':' and is not checked here (the
 * importer applies names_check_user()).
 *
 * Accepted hashes, in their exact shape, are those berth verifies (see
 * password.h):
 *   - bcrypt, "$2y$", "$2b$" or "$2a$", a cost of 04..31 and 53
 *     characters of bcrypt's base64 (htpasswd -B); upgraded to yescrypt
 *     at the user's next login;
 *   - yescrypt, "$y$...", as berth itself and Debian's /etc/shadow
 *     write it (a file kept for nginx's auth_basic may hold one).
 * Every other kind htpasswd writes is refused with a message naming
 * it: apr1-MD5 (-m, htpasswd's default), SHA-1 (-s), SHA-256-crypt and
 * SHA-512-crypt (-2, -5), DES crypt (-d), plain text (-p).  They are
 * weak, or not on berth's short list of hashes that verify, and an
 * account imported with a hash that never verifies could not log in:
 * such a user is better given a password through the admin API.
 */
#ifndef BERTH_HTPASSWD_H
#define BERTH_HTPASSWD_H

#include <stddef.h>

#define HTPASSWD_LINE_MAX	1024	/* bytes, without the newline */

enum htpasswd_line {
	HTPASSWD_SKIP,		/* blank or a comment */
	HTPASSWD_OK,		/* user and hash found, the hash accepted */
	HTPASSWD_BAD,		/* refused; the message says why */
};

/* Pointers into the parsed line, which must outlive them. */
struct htpasswd_entry {
	const char	*user;
	size_t		 userlen;
	const char	*hash;
	size_t		 hashlen;
};

/*
 * Parse line (len bytes, no newline; may hold anything, NUL included).
 * On HTPASSWD_OK *e is filled; on HTPASSWD_BAD *why is a static message
 * for the operator (it never quotes the hash) and e->user is set when
 * the line got as far as a username (else NULL).
 */
enum htpasswd_line	htpasswd_parse(const char *line, size_t len,
			    struct htpasswd_entry *e, const char **why);

#endif
