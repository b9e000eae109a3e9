/*
 * login: deciding whether Basic credentials open an account, for every
 * program that accepts them (the token endpoint, the admin API).
 *
 * The caller fetches the account in its own single query (alongside
 * whatever else it needs) and passes the columns here.  login_verify
 * then applies the rules once: an unknown name costs a dummy hash like a
 * known one; a locked account is refused without the hash; a password
 * verified before (credcache) against the same stored hash is not hashed
 * again; a failure is counted in the database, shared by every node,
 * and locks the account at the threshold; a success clears the count and
 * upgrades an imported hash.  Every refusal is one log line, no secret.
 */
#ifndef BERTH_LOGIN_H
#define BERTH_LOGIN_H

#include <stdbool.h>

#include "basic.h"
#include "config.h"
#include "db.h"
#include "err.h"

struct login_row {
	bool		 known;		/* the account exists */
	const char	*user_id;
	const char	*hash;		/* stored password hash */
	bool		 disabled;
	bool		 locked;	/* login_failures.locked_until > now() */
	int		 failures;
};

/*
 * APP_OK when cred opens the account of row; APP_EUNAUTH otherwise
 * (unknown, locked, wrong password, disabled: one answer for all);
 * APP_EINTERNAL when the hash could not be computed.  addr is the
 * client's address for the log.
 */
enum app_err	login_verify(struct db *, const struct config *,
		    const struct basic_cred *cred, const struct login_row *row,
		    const char *addr) WUR;

/* A user name made safe for a key="value" log field (static storage,
 * valid until the next call). */
const char	*login_quote_user(const char *user);

#endif
