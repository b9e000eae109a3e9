/*
 * password: hashing and verifying account passwords.
 *
 * New hashes are yescrypt through libxcrypt's crypt_rn().  Verification
 * also accepts:
 *   - bcrypt ($2y$, $2b$, $2a$), as htpasswd -B writes them;
 *   - Harbor's PBKDF2 hashes, imported from a Harbor database, stored as
 *     "$harbor-pbkdf2-sha256$<salt>$<hex>" (Harbor's password_version
 *     "sha256": PBKDF2-HMAC-SHA256, 4096 iterations, 16-byte key, the
 *     salt used as given) or "$harbor-pbkdf2-sha1$<salt>$<hex>" (the
 *     older "sha1" version, same parameters with HMAC-SHA1).
 * Any hash other than the current default reports needs_upgrade, so the
 * caller can store a fresh hash after a successful login.
 *
 * Passwords are bounded before any work: PASSWORD_MAX bytes.  All
 * comparisons of derived values are constant time (ct_equal after a
 * length check); every buffer that held a password or a derived key is
 * wiped with OPENSSL_cleanse on every path.
 */
#ifndef BERTH_PASSWORD_H
#define BERTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define PASSWORD_MIN		8	/* for new passwords, see password_check_policy */
#define PASSWORD_MAX		256	/* bytes; longer is refused before hashing */
#define PASSWORD_HASH_MAX	256	/* room for any hash string plus NUL */

/*
 * Hash pw (pwlen bytes, no NUL inside) with yescrypt and a fresh salt
 * into out (PASSWORD_HASH_MAX bytes).  APP_EBADREQ if pw is empty, too
 * long or holds a NUL; APP_EINTERNAL if libxcrypt fails.
 */
enum app_err	password_hash(const char *pw, size_t pwlen, char *out,
		    size_t outsz) WUR;

/*
 * Verify pw against hash.  APP_OK when it matches, APP_EUNAUTH when it
 * does not or the hash is of an unknown or malformed kind (never a
 * crash, never a match), APP_EBADREQ when pw is empty, too long or holds
 * a NUL, APP_EINTERNAL if OpenSSL fails (not a mismatch).  On APP_OK,
 * *needs_upgrade (may be NULL) tells whether hash is not a
 * current-default yescrypt hash.
 */
enum app_err	password_verify(const char *pw, size_t pwlen, const char *hash,
		    bool *needs_upgrade) WUR;

/*
 * Policy for a new password set through the API, as Harbor has it:
 * PASSWORD_MIN..128 characters with at least one upper-case letter, one
 * lower-case letter and one digit.  APP_OK or APP_EBADREQ; *why (may be
 * NULL) gets a static message for the client.
 */
enum app_err	password_check_policy(const char *pw, size_t pwlen,
		    const char **why) WUR;

/*
 * A hash that never verifies, of the same cost as a real one, so that an
 * unknown username takes as long as a wrong password.  Static storage.
 */
const char	*password_dummy_hash(void);

#endif
