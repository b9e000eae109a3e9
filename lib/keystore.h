/*
 * keystore: the cluster's signing keys as stored in PostgreSQL.
 *
 * The database holds every key; a node holds only a copy it reloads.
 * A node never invents a key of its own: keystore_ensure() creates the
 * cluster's first key once, under a transaction-level advisory lock, and
 * only when no active key exists.
 */
#ifndef BERTH_KEYSTORE_H
#define BERTH_KEYSTORE_H

#include <stdbool.h>

#include <openssl/evp.h>

#include "config.h"
#include "db.h"
#include "jwt.h"
#include "keys.h"

#define KEYSTORE_CERT_DAYS	3650

enum key_state {
	KEY_NEXT,
	KEY_ACTIVE,
	KEY_RETIRING,
	KEY_STATE__MAX
};

struct keyentry {
	char		 kid[KEYS_KID_LEN + 1];
	enum key_alg	 alg;
	enum key_state	 state;
	char		*cert_pem;
	EVP_PKEY	*pub;		/* from the certificate */
	EVP_PKEY	*priv;		/* opened with the secret, or NULL */
};

struct keyset {
	struct keyentry	*keys;
	size_t		 n;
	struct keyentry	*active;	/* NULL: none, or not usable here */
	struct jwt_signer signer;	/* active's, made ready at load */
	const char	*problem;	/* static text when active is NULL */
	long long	 loaded_ms;	/* db_now_ms() of the load */
};

const char	*keystore_state_name(enum key_state);

/*
 * Load every published key (next, active, retiring).  secret may be
 * NULL when this node has none: then no private key is opened.  On
 * APP_OK ks->active is the active key only if its private key opened,
 * matches its certificate and its kid is right; otherwise ks->problem
 * says why.  Replace *ks only on success: the caller passes a fresh
 * keyset and swaps.  APP_ENOMEM when memory ran short anywhere on the
 * way (mem.h), since a key that failed to parse or open then says
 * nothing of the key.
 */
enum app_err	 keystore_load(struct db *, const unsigned char *secret,
		    struct keyset *ks) WUR;

/*
 * Make sure the cluster has an active key: when none exists, generate
 * one (c->signing_alg, CN c->issuer), seal it with secret and store it
 * as active.  *created tells whether this call made it.  Safe to run
 * from every node at once.
 */
enum app_err	 keystore_ensure(struct db *, const struct config *c,
		    const unsigned char secret[KEYS_SECRET_LEN],
		    bool *created) WUR;

/*
 * Rotation, one step each, every one safe to run from any node:
 *
 * keystore_next: create the next key (state 'next'); registries must
 * trust it (certs.pem) before it signs.  APP_ECONFLICT if one exists.
 * keystore_activate: the next key signs from now on; the active one
 * becomes 'retiring', still published until its tokens expire.
 * APP_ENOTFOUND without a next key.
 * keystore_retire: stop publishing retiring keys that stopped signing
 * more than age seconds (keystore_retire_age()) ago; *young gets how
 * many are still too young and were kept.
 * kid (KEYS_KID_LEN + 1 bytes, may be NULL) gets the key concerned.
 */
enum app_err	 keystore_next(struct db *, const struct config *c,
		    const unsigned char secret[KEYS_SECRET_LEN], char *kid) WUR;
enum app_err	 keystore_activate(struct db *, char *kid) WUR;
enum app_err	 keystore_retire(struct db *, long age, int *retired,
		    int *young) WUR;

/* Registry 2.8 accepts a token up to 60 s past its exp. */
#define KEYSTORE_REGISTRY_LEEWAY	60

/*
 * Seconds after its demotion (the database's clock) before a key may
 * be retired, so that every token it signed has expired, leeway
 * included: a node goes on signing with it until its next key reload
 * (key_reload), stamps exp with its own clock (up to max_clock_offset
 * ahead of the database's before /health says so), the token lives
 * token_ttl, and the registry allows KEYSTORE_REGISTRY_LEEWAY more.
 * Every node must share token_ttl and key_reload, or the one that runs
 * retire must hold the largest.
 */
long		 keystore_retire_age(const struct config *);

void		 keyset_free(struct keyset *);

#endif
