/* login: one set of rules for Basic credentials. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "credcache.h"
#include "log.h"
#include "login.h"
#include "password.h"

const char *
login_quote_user(const char *user)
{
	static char	 buf[4 * BASIC_USER_MAX + 1];

	return log_quote(buf, sizeof(buf), user);
}

/* Count a failed login for an existing account (every node sees it). */
static void
count_failure(struct db *db, const struct config *c, const char *user)
{
	char		 thr[24], secs[24];
	const char	*v[3] = { user, thr, secs };

	snprintf(thr, sizeof(thr), "%ld", c->lockout_threshold);
	snprintf(secs, sizeof(secs), "%ld", c->lockout_seconds);
	if (db_exec(db, STMT_LOGIN_FAILED, v, NULL, NULL, NULL) != APP_OK)
		log_warn("could not count a failed login for \"%s\"",
		    login_quote_user(user));
}

/* Store a stronger hash of a password that just verified. */
static void
upgrade_hash(struct db *db, const char *user_id, const struct basic_cred *c,
    const char *old)
{
	char		 hash[PASSWORD_HASH_MAX];
	const char	*v[3];

	if (password_hash(c->password, c->passwordlen, hash, sizeof(hash)) !=
	    APP_OK)
		return;
	v[0] = user_id;
	v[1] = hash;
	v[2] = old;
	if (db_exec(db, STMT_PASSWORD_UPGRADE, v, NULL, NULL, NULL) == APP_OK)
		log_info("password hash of user %s upgraded", user_id);
	OPENSSL_cleanse(hash, sizeof(hash));
}

static enum app_err
refuse(const struct basic_cred *cred, const char *addr, const char *why)
{
	log_info("login failed user=\"%s\" addr=%s reason=%s",
	    login_quote_user(cred->user), addr, why);
	return APP_EUNAUTH;
}

enum app_err
login_verify(struct db *db, const struct config *c,
    const struct basic_cred *cred, const struct login_row *row,
    const char *addr)
{
	bool		 upgrade = false, cached;
	enum app_err	 rc;

	if (!row->known) {
		/* As long as a known name takes, and as fruitless. */
		(void)!password_verify(cred->password, cred->passwordlen,
		    password_dummy_hash(), NULL);
		return refuse(cred, addr, "unknown");
	}
	if (row->locked)
		return refuse(cred, addr, "locked");
	cached = credcache_check(cred->user, cred->userlen, cred->password,
	    cred->passwordlen, row->hash);
	if (!cached) {
		rc = password_verify(cred->password, cred->passwordlen,
		    row->hash, &upgrade);
		if (rc == APP_EINTERNAL)
			return rc;
		if (rc != APP_OK) {
			count_failure(db, c, cred->user);
			return refuse(cred, addr, "password");
		}
	}
	if (row->disabled)
		return refuse(cred, addr, "disabled");
	if (row->failures > 0) {
		const char *u[1] = { cred->user };

		if (db_exec(db, STMT_LOGIN_RESET, u, NULL, NULL, NULL) != APP_OK)
			log_warn("could not reset failed logins");
	}
	/*
	 * Remembered from a verification, not from a hit: the entry lives
	 * cred_cache_ttl from the hash that proved the password.
	 */
	if (upgrade)
		upgrade_hash(db, row->user_id, cred, row->hash);
	else if (!cached)
		credcache_put(cred->user, cred->userlen, cred->password,
		    cred->passwordlen, row->hash);
	return APP_OK;
}
