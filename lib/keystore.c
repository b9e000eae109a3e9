/* keystore: loading and creating the cluster's signing keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "keystore.h"
#include "log.h"
#include "mem.h"

static const char *const state_names[KEY_STATE__MAX] = {
	[KEY_NEXT] = "next",
	[KEY_ACTIVE] = "active",
	[KEY_RETIRING] = "retiring",
};

const char *
keystore_state_name(enum key_state s)
{
	return s < KEY_STATE__MAX ? state_names[s] : "?";
}

static int
state_parse(const char *s, enum key_state *out)
{
	for (int i = 0; i < KEY_STATE__MAX; i++)
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum key_state)i;
			return 0;
		}
	return -1;
}

void
keyset_free(struct keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++) {
		free(ks->keys[i].cert_pem);
		EVP_PKEY_free(ks->keys[i].pub);
		EVP_PKEY_free(ks->keys[i].priv);
	}
	free(ks->keys);
	jwt_signer_free(&ks->signer);
	memset(ks, 0, sizeof(*ks));
}

static void
entry_free(struct keyentry *k)
{
	free(k->cert_pem);
	EVP_PKEY_free(k->pub);
	EVP_PKEY_free(k->priv);
	memset(k, 0, sizeof(*k));
}

/*
 * Fill one entry from a row: APP_OK, perhaps without its private key;
 * APP_EBADREQ for a row that does not check out (skipped); APP_ENOMEM
 * when memory ran short since failed (mem_failures()) before a verdict
 * on the row could be trusted.
 */
static enum app_err
load_row(PGresult *res, int row, const unsigned char *secret,
    unsigned long failed, struct keyentry *k)
{
	const char	*kid = PQgetvalue(res, row, 0);
	char		 certkid[KEYS_KID_LEN + 1];
	unsigned char	*blob;
	size_t		 bloblen;
	bool		 match;
	enum app_err	 rc;

	memset(k, 0, sizeof(*k));
	if (keys_alg_parse(PQgetvalue(res, row, 1), &k->alg) != APP_OK ||
	    state_parse(PQgetvalue(res, row, 2), &k->state) != 0 ||
	    strlen(kid) != KEYS_KID_LEN) {
		log_error("signing key %.64s: bad row", kid);
		return APP_EBADREQ;
	}
	memcpy(k->kid, kid, sizeof(k->kid));
	if (keys_cert_pubkey(PQgetvalue(res, row, 3), &k->pub, certkid) !=
	    APP_OK || strcmp(certkid, kid) != 0) {
		entry_free(k);
		if (mem_failures() != failed)
			return APP_ENOMEM;
		log_error("signing key %s: certificate does not match", kid);
		return APP_EBADREQ;
	}
	if ((k->cert_pem = strdup(PQgetvalue(res, row, 3))) == NULL) {
		entry_free(k);
		return APP_ENOMEM;
	}
	if (secret == NULL || k->state == KEY_RETIRING)
		return APP_OK;

	blob = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, 4),
	    &bloblen);
	if (blob == NULL) {
		/* The column is bytea from the database: only memory. */
		entry_free(k);
		return APP_ENOMEM;
	}
	rc = keys_open(secret, kid, blob, bloblen, &k->priv);
	PQfreemem(blob);
	match = rc == APP_OK && keys_match(k->priv, k->pub);
	if (mem_failures() != failed || rc == APP_ENOMEM) {
		entry_free(k);
		return APP_ENOMEM;
	}
	if (rc != APP_OK)
		log_error("signing key %s: cannot open the private key with "
		    "this node's secret", kid);
	else if (!match)
		log_error("signing key %s: private key does not match its "
		    "certificate", kid);
	if (!match) {
		EVP_PKEY_free(k->priv);
		k->priv = NULL;
	}
	return APP_OK;
}

/* Everything about signing with k that is the same for every token. */
static enum app_err
signer_init(struct jwt_signer *js, const struct keyentry *k)
{
	struct jwt_key	 key;

	key.priv = k->priv;
	key.alg = k->alg;
	key.kid = k->kid;
	key.cert_pem = k->cert_pem;
	return jwt_signer_init(js, &key);
}

enum app_err
keystore_load(struct db *db, const unsigned char *secret, struct keyset *ks)
{
	PGresult	*res;
	enum app_err	 rc;
	int		 rows;
	unsigned long	 failed = mem_failures();

	memset(ks, 0, sizeof(*ks));
	if ((rc = db_exec(db, STMT_KEYS_LOAD, NULL, NULL, NULL, &res)) !=
	    APP_OK)
		return rc;
	rows = PQntuples(res);
	if (rows > 0 && (ks->keys = calloc((size_t)rows,
	    sizeof(*ks->keys))) == NULL) {
		PQclear(res);
		return APP_ENOMEM;
	}
	for (int i = 0; i < rows; i++) {
		rc = load_row(res, i, secret, failed, &ks->keys[ks->n]);
		if (rc == APP_OK)
			ks->n++;
		else if (rc == APP_ENOMEM)
			break;
	}
	PQclear(res);
	/* A set loaded short of memory may lack a key that is fine. */
	if (rc == APP_ENOMEM || mem_failures() != failed) {
		keyset_free(ks);
		return APP_ENOMEM;
	}

	ks->problem = "no active signing key in the database";
	for (size_t i = 0; i < ks->n; i++) {
		if (ks->keys[i].state != KEY_ACTIVE)
			continue;
		if (secret == NULL)
			ks->problem = "cluster secret unavailable";
		else if (ks->keys[i].priv == NULL)
			ks->problem = "active key cannot be opened with this "
			    "node's secret";
		else if ((rc = signer_init(&ks->signer, &ks->keys[i])) !=
		    APP_OK) {
			/* Short of memory, not a bad key: keep the old set. */
			if (rc == APP_ENOMEM || mem_failures() != failed) {
				keyset_free(ks);
				return APP_ENOMEM;
			}
			ks->problem = "active key cannot sign with its "
			    "certificate";
		} else {
			ks->active = &ks->keys[i];
			ks->problem = NULL;
		}
	}
	ks->loaded_ms = db_now_ms();
	return APP_OK;
}

/* Lock the key set for this transaction: one change at a time. */
static enum app_err
lock_keys(struct db *db)
{
	char		 lockkey[24];
	const char	*v[1] = { lockkey };

	snprintf(lockkey, sizeof(lockkey), "%lld", LOCK_KEY_INIT);
	return db_exec(db, STMT_ADVISORY_XACT_LOCK, v, NULL, NULL, NULL);
}

/* Generate a key and store it in state (inside the caller's transaction). */
static enum app_err
insert_new(struct db *db, const struct config *c,
    const unsigned char secret[KEYS_SECRET_LEN], const char *state,
    char kid[KEYS_KID_LEN + 1])
{
	const char	*v[5];
	int		 len[5] = { 0, 0, 0, 0, 0 }, fmt[5] = { 0, 0, 0, 0, 1 };
	EVP_PKEY	*pkey = NULL;
	char		*cert = NULL;
	unsigned char	*blob = NULL;
	size_t		 bloblen = 0;
	enum key_alg	 alg;
	enum app_err	 rc;

	if ((rc = keys_alg_parse(c->signing_alg, &alg)) != APP_OK)
		return rc;
	if ((rc = keys_generate(alg, c->issuer, KEYSTORE_CERT_DAYS, &pkey,
	    &cert)) != APP_OK ||
	    (rc = keys_kid(pkey, kid)) != APP_OK ||
	    (rc = keys_seal(secret, kid, pkey, &blob, &bloblen)) != APP_OK)
		goto out;
	v[0] = kid;
	v[1] = keys_alg_name(alg);
	v[2] = state;
	v[3] = cert;
	v[4] = (const char *)blob;
	len[4] = (int)bloblen;
	rc = db_exec(db, STMT_KEY_INSERT, v, len, fmt, NULL);
	if (rc == APP_OK)
		log_info("created signing key %s (%s) as %s", kid,
		    keys_alg_name(alg), state);
out:
	EVP_PKEY_free(pkey);
	free(cert);
	if (blob != NULL) {
		OPENSSL_cleanse(blob, bloblen);
		free(blob);
	}
	return rc;
}

enum app_err
keystore_ensure(struct db *db, const struct config *c,
    const unsigned char secret[KEYS_SECRET_LEN], bool *created)
{
	char		 kid[KEYS_KID_LEN + 1];
	PGresult	*res = NULL;
	enum app_err	 rc;

	*created = false;
	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	if ((rc = lock_keys(db)) != APP_OK ||
	    (rc = db_exec(db, STMT_KEY_ACTIVE_EXISTS, NULL, NULL, NULL,
	    &res)) != APP_OK)
		goto out;
	if (PQntuples(res) == 0 &&
	    (rc = insert_new(db, c, secret, "active", kid)) != APP_OK)
		goto out;
	if ((rc = db_commit(db)) == APP_OK)
		*created = PQntuples(res) == 0;
out:
	if (rc != APP_OK)
		db_rollback(db);
	PQclear(res);
	return rc;
}

enum app_err
keystore_next(struct db *db, const struct config *c,
    const unsigned char secret[KEYS_SECRET_LEN], char *kid)
{
	char		 k[KEYS_KID_LEN + 1];
	PGresult	*res = NULL;
	enum app_err	 rc;

	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	if ((rc = lock_keys(db)) != APP_OK ||
	    (rc = db_exec(db, STMT_KEY_NEXT_EXISTS, NULL, NULL, NULL,
	    &res)) != APP_OK)
		goto out;
	if (PQntuples(res) > 0) {
		snprintf(k, sizeof(k), "%s", PQgetvalue(res, 0, 0));
		rc = APP_ECONFLICT;
		goto out;
	}
	if ((rc = insert_new(db, c, secret, "next", k)) != APP_OK)
		goto out;
	rc = db_commit(db);
out:
	if (rc != APP_OK)
		db_rollback(db);
	if (kid != NULL && (rc == APP_OK || rc == APP_ECONFLICT))
		memcpy(kid, k, sizeof(k));
	PQclear(res);
	return rc;
}

enum app_err
keystore_activate(struct db *db, char *kid)
{
	PGresult	*res = NULL;
	enum app_err	 rc;

	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	/* Demote first: at most one active key, at every moment. */
	if ((rc = lock_keys(db)) != APP_OK ||
	    (rc = db_exec(db, STMT_KEY_NEXT_EXISTS, NULL, NULL, NULL,
	    &res)) != APP_OK)
		goto out;
	if (PQntuples(res) == 0) {
		rc = APP_ENOTFOUND;
		goto out;
	}
	PQclear(res);
	res = NULL;
	if ((rc = db_exec(db, STMT_KEY_DEMOTE_ACTIVE, NULL, NULL, NULL,
	    NULL)) != APP_OK ||
	    (rc = db_exec(db, STMT_KEY_PROMOTE_NEXT, NULL, NULL, NULL,
	    &res)) != APP_OK)
		goto out;
	if (kid != NULL && PQntuples(res) == 1)
		snprintf(kid, KEYS_KID_LEN + 1, "%s", PQgetvalue(res, 0, 0));
	if ((rc = db_commit(db)) == APP_OK && PQntuples(res) == 1)
		log_info("signing key %s is now active", PQgetvalue(res, 0, 0));
out:
	if (rc != APP_OK)
		db_rollback(db);
	PQclear(res);
	return rc;
}

long
keystore_retire_age(const struct config *c)
{
	return c->token_ttl + c->key_reload + c->max_clock_offset +
	    KEYSTORE_REGISTRY_LEEWAY;
}

enum app_err
keystore_retire(struct db *db, long age, int *retired, int *young)
{
	char		 secs[24];
	const char	*v[1] = { secs };
	PGresult	*res = NULL;
	enum app_err	 rc;

	*retired = *young = 0;
	snprintf(secs, sizeof(secs), "%ld", age);
	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	if ((rc = lock_keys(db)) != APP_OK ||
	    (rc = db_exec(db, STMT_KEY_RETIRE, v, NULL, NULL, &res)) != APP_OK)
		goto out;
	*retired = PQntuples(res);
	for (int i = 0; i < *retired; i++)
		log_info("signing key %s retired", PQgetvalue(res, i, 0));
	PQclear(res);
	res = NULL;
	if ((rc = db_exec(db, STMT_KEY_RETIRING_YOUNG, v, NULL, NULL,
	    &res)) != APP_OK)
		goto out;
	*young = PQntuples(res);
	rc = db_commit(db);
out:
	if (rc != APP_OK)
		db_rollback(db);
	PQclear(res);
	return rc;
}
