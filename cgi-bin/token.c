/*
 * berth-token: the Distribution token endpoint and the keys registries
 * trust (docs/spec/auth/token.md, oauth.md, scope.md, jwt.md).
 *
 *   GET  /service/token     ?service=&scope=...&account=&client_id=
 *                           &offline_token=true, Basic credentials or none
 *        200 {token, access_token, expires_in, issued_at[, refresh_token]}
 *   POST /service/token     application/x-www-form-urlencoded:
 *                           grant_type=password (username, password,
 *                           client_id, access_type=offline) or
 *                           grant_type=refresh_token (refresh_token,
 *                           client_id); service; scope space-separated
 *        200 {access_token, token, scope, expires_in, issued_at
 *             [, refresh_token]}
 *   GET  /service/certs.pem every certificate a registry must trust
 *   GET  /service/jwks.json the same keys as a JWK set
 *
 *   400 invalid_request / unsupported_grant_type: a malformed request,
 *       an unknown or missing service, a bad scope (CHECKLIST 6-16);
 *   400 invalid_grant: a refresh token that is unknown, expired,
 *       revoked, of another service or of a disabled user;
 *   401 + WWW-Authenticate: wrong credentials, also when scopes were
 *       asked, a locked or disabled account, any scheme but Basic;
 *   405 + Allow: another method; 413: a body over max_body;
 *   503: the database or the signing key is unavailable, never a 401.
 *
 * A scope the caller may not have is answered with empty actions, never
 * an error.  Every answer, issued or refused, is logged as one line
 * without secrets (the audit of the token endpoint).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "app.h"
#include "authz.h"
#include "basic.h"
#include "credcache.h"
#include "factcache.h"
#include "ct.h"
#include "digest.h"
#include "hex.h"
#include "json.h"
#include "jtext.h"
#include "jwt.h"
#include "log.h"
#include "login.h"
#include "robot.h"
#include "scope.h"

#define ROBOT_PREFIX		"robot$"
#define REFRESH_BYTES		32	/* 256 bits */
#define CLIENT_ID_MAX		128
#define NBF_SKEW		30	/* seconds nbf lies in the past */

/* Everything one token request learns, freed by treq_free(). */
struct treq {
	struct scope_list	 scopes;
	const char		*service;
	const char		*client_id;
	bool			 offline;
	bool			 post;
	const char		*addr;		/* REMOTE_ADDR, for the log */

	struct basic_cred	 cred;
	bool			 have_cred;
	const char		*refresh;	/* refresh_token grant */

	enum authz_kind		 kind;
	char			 sub[BASIC_USER_MAX + 1];
	char			 user_id[24];	/* for a session, or "" */
	struct authz_project	 projects[SCOPE_MAX];
	size_t			 nprojects;
	unsigned		 robot_all;
	PGresult		*facts;		/* owns projects[].name */
	json_t			*perms;
};

static void
treq_free(struct treq *t)
{
	basic_wipe(&t->cred);
	PQclear(t->facts);
	json_decref(t->perms);
}

/*
 * An error the OAuth2 way (error, error_description, RFC 6749 5.2) and
 * the Distribution way (errors[]) at once, so that every client finds
 * the field it reads.
 */
static enum app_err
token_error(struct http_req *r, int status, const char *oauth,
    const char *msg)
{
	json_t	*body;

	body = json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "error", oauth,
	    "error_description", msg, "errors", "code",
	    status == 401 ? "UNAUTHORIZED" : status == 503 ?
	    "SERVICE_UNAVAILABLE" : "BAD_REQUEST", "message", msg);
	enum app_err	 rc = APP_OK;

	if (body == NULL)
		return APP_ENOMEM;
	if (status == 401)
		rc = http_add_header(r, "WWW-Authenticate",
		    "Basic realm=\"berth\", charset=\"UTF-8\"");
	if (status == 503)
		rc = http_add_header(r, "Retry-After", "1");
	if (rc != APP_OK) {
		json_decref(body);
		return rc;
	}
	http_json(r, status, body);
	return APP_OK;
}

/* Map an internal failure to its answer; APP_OK for those answered. */
static enum app_err
fail(struct http_req *r, enum app_err rc, const char *msg)
{
	switch (rc) {
	case APP_EBADREQ:
		return token_error(r, 400, "invalid_request",
		    msg ? msg : "bad request");
	case APP_EUNAUTH:
		return token_error(r, 401, "invalid_client",
		    "authentication required");
	case APP_EUNAVAIL:
		return token_error(r, 503, "temporarily_unavailable",
		    "service unavailable");
	default:
		return rc;
	}
}

static const char *
remote_addr(const struct http_req *r)
{
	const char	*a = http_param(r, "REMOTE_ADDR");

	return a != NULL ? a : "-";
}

/* One parameter that may appear at most once (or repeated identically). */
static enum app_err
single(const struct form *f, const char *name, const char **out)
{
	const char	*v = NULL;

	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->pairs[i].name, name) != 0)
			continue;
		if (v != NULL && strcmp(v, f->pairs[i].value) != 0)
			return APP_EBADREQ;
		v = f->pairs[i].value;
	}
	*out = v;
	return APP_OK;
}

/* Collect every `scope` parameter, each possibly a space-separated list. */
static enum app_err
collect_scopes(struct treq *t, const struct form *f, const char **why)
{
	enum app_err	 rc;

	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->pairs[i].name, "scope") != 0)
			continue;
		if ((rc = scope_parse(&t->scopes, f->pairs[i].value,
		    f->pairs[i].valuelen, why)) != APP_OK)
			return rc;
	}
	return APP_OK;
}

/* Request parameters shared by GET and POST. */
static enum app_err
common_params(struct app *a, struct treq *t, const struct form *f,
    const char **why)
{
	const char	*off;

	if (single(f, "service", &t->service) != APP_OK) {
		*why = "service given twice";
		return APP_EBADREQ;
	}
	if (t->service == NULL || *t->service == '\0') {
		*why = "service is required";
		return APP_EBADREQ;
	}
	/* aud is only ever the configured service, never the input. */
	if (strcmp(t->service, a->cfg.service) != 0) {
		*why = "unknown service";
		return APP_EBADREQ;
	}
	if (single(f, "client_id", &t->client_id) != APP_OK ||
	    (t->client_id != NULL && strlen(t->client_id) > CLIENT_ID_MAX)) {
		*why = "bad client_id";
		return APP_EBADREQ;
	}
	if (single(f, "offline_token", &off) != APP_OK) {
		*why = "offline_token given twice";
		return APP_EBADREQ;
	}
	t->offline = off != NULL && strcmp(off, "true") == 0;
	return collect_scopes(t, f, why);
}

/* The projects the scopes name, each once, in their order; how many. */
static size_t
distinct_projects(const struct treq *t, const char *names[SCOPE_MAX])
{
	size_t	 n = 0, j;

	for (size_t i = 0; i < t->scopes.n; i++) {
		const char	*p = t->scopes.s[i].project;

		for (j = 0; j < n && strcmp(names[j], p) != 0; j++)
			;
		if (*p != '\0' && j == n)
			names[n++] = p;
	}
	return n;
}

/* Those projects as a PostgreSQL text[] literal. */
static enum app_err
project_array(const char *const *names, size_t n, char **out_new)
{
	size_t	 cap = 3, o = 0;
	char	*s;

	for (size_t i = 0; i < n; i++)
		cap += 2 * strlen(names[i]) + 3;
	if ((s = malloc(cap)) == NULL)
		return APP_ENOMEM;
	s[o++] = '{';
	for (size_t i = 0; i < n; i++) {
		const char	*p = names[i];

		if (i > 0)
			s[o++] = ',';
		s[o++] = '"';
		for (; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				s[o++] = '\\';
			s[o++] = *p;
		}
		s[o++] = '"';
	}
	s[o++] = '}';
	s[o] = '\0';
	*out_new = s;
	return APP_OK;
}

/*
 * Fill t->projects from the database's answer, which t keeps: a row per
 * project the scopes name that exists, its name, public flag and role
 * (NULL: none) in the last three columns; a row whose name is NULL (the
 * caller's row when no project matched) names none.
 */
static void
load_facts(struct treq *t, PGresult **res)
{
	int	 col = PQnfields(*res) - 3;

	t->facts = *res;
	*res = NULL;
	for (int i = 0; i < PQntuples(t->facts); i++) {
		struct authz_project	*p;

		if (PQgetisnull(t->facts, i, col))
			continue;
		if (t->nprojects == SCOPE_MAX)
			break;
		p = &t->projects[t->nprojects++];
		p->name = PQgetvalue(t->facts, i, col);
		p->exists = true;
		p->public = PQgetvalue(t->facts, i, col + 1)[0] == 't';
		p->role = PQgetisnull(t->facts, i, col + 2) ? ROLE_NONE :
		    (enum authz_role)atoi(PQgetvalue(t->facts, i, col + 2));
	}
}

/*
 * The authorization epoch in column col of the first row, or
 * FACTCACHE_NO_EPOCH when there is none (its row deleted by hand).
 */
static long long
epoch_of(const PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? FACTCACHE_NO_EPOCH :
	    atoll(PQgetvalue(res, 0, col));
}

/*
 * The facts of the projects the scopes name, for a user (t->user_id) or
 * anonymous, as of epoch, the one the caller's statement just read: from
 * this worker's memory when it holds them all for that epoch, else from
 * token_facts, whose answer it then keeps (with its own epoch: the
 * facts and that epoch are of one snapshot), a project that does not
 * exist included.
 */
static enum app_err
project_facts(struct app *a, struct treq *t, long long epoch)
{
	long long	 uid = t->kind == AUTHZ_ANONYMOUS ? 0 : atoll(t->user_id);
	const char	*names[SCOPE_MAX], *v[2];
	struct fact	 f[SCOPE_MAX];
	size_t		 n = distinct_projects(t, names), i;
	char		*projects = NULL;
	PGresult	*res = NULL;
	enum app_err	 rc;

	factcache_sync(epoch);
	for (i = 0; i < n && factcache_get(uid, names[i], &f[i]); i++)
		;
	if (i == n) {
		for (i = 0; i < n; i++) {
			struct authz_project	*p;

			if (!f[i].exists)
				continue;
			p = &t->projects[t->nprojects++];
			p->name = names[i];
			p->exists = true;
			p->public = f[i].public;
			p->role = f[i].role;
		}
		return APP_OK;
	}
	if ((rc = project_array(names, n, &projects)) != APP_OK)
		return rc;
	v[0] = projects;
	v[1] = t->kind == AUTHZ_ANONYMOUS ? NULL : t->user_id;
	rc = db_exec(&a->db, STMT_TOKEN_FACTS, v, NULL, NULL, &res);
	free(projects);
	if (rc != APP_OK)
		return rc;
	factcache_sync(epoch_of(res, 0));
	load_facts(t, &res);
	for (i = 0; i < n; i++) {
		const struct authz_project	*p = authz_project_find(t->projects,
					    t->nprojects, names[i]);

		f[i].exists = p != NULL;
		f[i].public = p != NULL && p->public;
		f[i].role = p != NULL ? p->role : ROLE_NONE;
		factcache_put(uid, names[i], &f[i]);
	}
	return APP_OK;
}

/* A robot's permissions onto the projects of the request. */
static void
load_robot_perms(struct treq *t)
{
	size_t	 i;
	json_t	*row;

	json_array_foreach(t->perms, i, row) {
		const char	*kind = json_string_value(json_array_get(row, 0));
		const char	*ns = json_string_value(json_array_get(row, 1));
		const char	*pname = json_string_value(json_array_get(row, 2));
		const char	*res = json_string_value(json_array_get(row, 3));
		const char	*act = json_string_value(json_array_get(row, 4));
		unsigned	 bits;

		if (kind == NULL || ns == NULL || res == NULL || act == NULL ||
		    strcmp(kind, "project") != 0 ||
		    (bits = robot_action(res, act)) == 0)
			continue;
		if (strcmp(ns, "*") == 0) {
			t->robot_all |= bits;
			continue;
		}
		for (size_t j = 0; pname != NULL && j < t->nprojects; j++)
			if (strcmp(t->projects[j].name, pname) == 0)
				t->projects[j].robot_actions |= bits;
	}
}

/*
 * SHA-256 of in.  It can fail (OpenSSL allocates a context): a hash left
 * unset would look up, or store, a secret that is not the caller's.
 */
static enum app_err WUR
sha256(const void *in, size_t len, unsigned char out[32])
{
	return digest_sha256(in, len, out) ? APP_OK : APP_EINTERNAL;
}

/* A robot's login: robot$<project>+<name> or robot$<name>. */
static enum app_err
auth_robot(struct app *a, struct treq *t, const char *projects)
{
	char		 project[BASIC_USER_MAX + 1] = "", name[BASIC_USER_MAX + 1];
	const char	*rest = t->cred.user + strlen(ROBOT_PREFIX), *plus;
	const char	*v[3];
	unsigned char	 want[32], *got = NULL;
	size_t		 gotlen = 0;
	PGresult	*res = NULL;
	enum app_err	 rc;

	if ((plus = strchr(rest, '+')) != NULL) {
		snprintf(project, sizeof(project), "%.*s", (int)(plus - rest),
		    rest);
		rest = plus + 1;
	}
	snprintf(name, sizeof(name), "%s", rest);
	v[0] = name;
	v[1] = project;
	v[2] = projects;
	if ((rc = db_exec(&a->db, STMT_TOKEN_ROBOT, v, NULL, NULL, &res)) !=
	    APP_OK)
		return rc;
	rc = APP_EUNAUTH;
	if (PQntuples(res) < 1)
		goto out;
	got = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 1),
	    &gotlen);
	/* Neither is the caller's fault. */
	if (got == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	if ((rc = sha256(t->cred.password, t->cred.passwordlen, want)) !=
	    APP_OK)
		goto out;
	rc = APP_EUNAUTH;
	if (!ct_equal_n(got, gotlen, want, sizeof(want))) {
		log_info("login failed user=\"%s\" kind=robot addr=%s "
		    "reason=password", login_quote_user(t->cred.user), t->addr);
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 2), "t") == 0 ||
	    strcmp(PQgetvalue(res, 0, 3), "t") == 0) {
		log_info("login failed user=\"%s\" kind=robot reason=%s",
		    login_quote_user(t->cred.user), strcmp(PQgetvalue(res, 0, 2), "t") == 0 ?
		    "disabled" : "expired");
		goto out;
	}
	if ((rc = json_decode(PQgetvalue(res, 0, 4),
	    (size_t)PQgetlength(res, 0, 4), 0, &t->perms, NULL)) != APP_OK) {
		if (rc != APP_ENOMEM)
			rc = APP_EINTERNAL;
		goto out;
	}
	load_facts(t, &res);
	load_robot_perms(t);
	t->kind = AUTHZ_ROBOT;
	snprintf(t->sub, sizeof(t->sub), "%s", t->cred.user);
	rc = APP_OK;
out:
	if (got != NULL)
		PQfreemem(got);
	PQclear(res);
	return rc;
}

/*
 * A user's login and the authorization epoch, in one round trip.  A
 * locked account answers like a wrong password, without the hash; an
 * unknown name costs a dummy hash, like a known one.
 */
static enum app_err
auth_user(struct app *a, struct treq *t, long long *epoch)
{
	const char		*v[1] = { t->cred.user };
	struct login_row	 row;
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = db_exec(&a->db, STMT_TOKEN_USER, v, NULL, NULL, &res)) !=
	    APP_OK)
		return rc;
	row.known = !PQgetisnull(res, 0, 0);
	row.user_id = PQgetvalue(res, 0, 0);
	row.hash = PQgetvalue(res, 0, 1);
	row.disabled = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	row.failures = atoi(PQgetvalue(res, 0, 4));
	row.locked = strcmp(PQgetvalue(res, 0, 5), "t") == 0;
	if ((rc = login_verify(&a->db, &a->cfg, &t->cred, &row, t->addr)) !=
	    APP_OK)
		goto out;
	snprintf(t->user_id, sizeof(t->user_id), "%s", row.user_id);
	t->kind = strcmp(PQgetvalue(res, 0, 2), "t") == 0 ? AUTHZ_SYSADMIN :
	    AUTHZ_USER;
	*epoch = epoch_of(res, 6);
	snprintf(t->sub, sizeof(t->sub), "%s", t->cred.user);
	rc = APP_OK;
out:
	PQclear(res);
	return rc;
}

static enum app_err
auth_anonymous(struct app *a, struct treq *t, long long *epoch)
{
	PGresult	*res = NULL;
	enum app_err	 rc;

	if ((rc = db_exec(&a->db, STMT_TOKEN_ANON, NULL, NULL, NULL, &res)) !=
	    APP_OK)
		return rc;
	*epoch = epoch_of(res, 0);
	PQclear(res);
	t->kind = AUTHZ_ANONYMOUS;
	t->sub[0] = '\0';
	return APP_OK;
}

/*
 * The refresh_token grant.  APP_EFORBIDDEN means invalid_grant: the
 * token is unknown, expired, revoked, of another service, or its user
 * was disabled or changed password since.
 */
static enum app_err
auth_refresh(struct app *a, struct treq *t, long long *epoch)
{
	unsigned char	 h[32];
	const char	*v[1];
	int		 len[1] = { sizeof(h) }, fmt[1] = { 1 };
	PGresult	*res = NULL;
	enum app_err	 rc;

	if ((rc = sha256(t->refresh, strlen(t->refresh), h)) != APP_OK)
		return rc;
	v[0] = (const char *)h;
	if ((rc = db_exec(&a->db, STMT_TOKEN_REFRESH, v, len, fmt, &res)) !=
	    APP_OK)
		return rc;
	rc = APP_EFORBIDDEN;
	if (PQntuples(res) < 1) {
		log_info("refresh failed reason=unknown");
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 5), "t") != 0 ||
	    strcmp(PQgetvalue(res, 0, 1), t->service) != 0) {
		log_info("refresh failed session=%s reason=%s",
		    PQgetvalue(res, 0, 0),
		    strcmp(PQgetvalue(res, 0, 1), t->service) != 0 ?
		    "service" : "revoked");
		goto out;
	}
	snprintf(t->user_id, sizeof(t->user_id), "%s", PQgetvalue(res, 0, 2));
	snprintf(t->sub, sizeof(t->sub), "%s", PQgetvalue(res, 0, 3));
	t->kind = strcmp(PQgetvalue(res, 0, 4), "t") == 0 ? AUTHZ_SYSADMIN :
	    AUTHZ_USER;
	*epoch = epoch_of(res, 6);
	rc = APP_OK;
out:
	PQclear(res);
	return rc;
}

/* A new offline session: the token goes to the client, its hash here. */
static enum app_err
new_session(struct app *a, struct treq *t, char out[64])
{
	unsigned char	 raw[REFRESH_BYTES], h[32];
	char		*tok, ttl[24];
	const char	*v[5];
	int		 len[5] = { sizeof(h), 0, 0, 0, 0 };
	int		 fmt[5] = { 1, 0, 0, 0, 0 };
	enum app_err	 rc;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return APP_EINTERNAL;
	if ((tok = jwt_b64url_new(raw, sizeof(raw))) == NULL) {
		OPENSSL_cleanse(raw, sizeof(raw));
		return APP_ENOMEM;
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	if ((rc = sha256(tok, strlen(tok), h)) != APP_OK) {
		OPENSSL_cleanse(tok, strlen(tok));
		free(tok);
		return rc;
	}
	snprintf(ttl, sizeof(ttl), "%ld", a->cfg.refresh_token_ttl);
	v[0] = (const char *)h;
	v[1] = t->user_id;
	v[2] = t->service;
	v[3] = t->client_id != NULL ? t->client_id : "";
	v[4] = ttl;
	rc = db_exec(&a->db, STMT_SESSION_INSERT, v, len, fmt, NULL);
	if (rc == APP_OK)
		snprintf(out, 64, "%s", tok);
	OPENSSL_cleanse(tok, strlen(tok));
	free(tok);
	return rc;
}

/* "type:name:actions" of a scope with the given action bits. */
static void
scope_text(const struct scope *s, unsigned bits, char *buf, size_t sz)
{
	const char	*acts[4];
	size_t		 n = scope_actions_str(bits, acts), o;

	o = (size_t)snprintf(buf, sz, "%s:%s:", s->typestr, s->name);
	for (size_t i = 0; i < n && o < sz; i++)
		o += (size_t)snprintf(buf + o, sz - o, "%s%s", i ? "," : "",
		    acts[i]);
}

static void
iso8601(time_t t, char out[32])
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Grant, sign and answer.  The claims and the answer are written as JSON
 * text directly (lib/jtext): on this path a jansson tree built only to
 * be serialized cost more than the signature.
 */
static enum app_err
issue(struct app *a, struct http_req *r, struct treq *t)
{
	struct authz_caller	 caller;
	struct jtext		 j;
	unsigned char		 jtib[16];
	char			 jti[33], issued[32], refresh[64] = "";
	char			 asked[1024] = "", granted[1024] = "";
	char			*claims = NULL, *token = NULL;
	char			 one[SCOPE_NAME_MAX + 64];
	char			 qasked[1024], qgranted[1024], qclient[4 * CLIENT_ID_MAX + 1];
	size_t			 clen;
	time_t			 now = time(NULL);
	enum app_err		 rc = APP_EINTERNAL;

	caller.kind = t->kind;
	caller.projects = t->projects;
	caller.nprojects = t->nprojects;
	caller.robot_all_projects = t->robot_all;

	if (RAND_bytes(jtib, sizeof(jtib)) != 1)
		return APP_EINTERNAL;
	hex_encode(jtib, sizeof(jtib), jti);

	/* The claims in jwt.md's order, access last. */
	jtext_init(&j);
	jtext_lit(&j, "{\"iss\":");
	jtext_str(&j, a->cfg.issuer);
	jtext_lit(&j, ",\"sub\":");
	jtext_str(&j, t->sub);
	jtext_lit(&j, ",\"aud\":");
	jtext_str(&j, a->cfg.service);
	jtext_lit(&j, ",\"exp\":");
	jtext_int(&j, (long long)now + a->cfg.token_ttl);
	jtext_lit(&j, ",\"nbf\":");
	jtext_int(&j, (long long)now - NBF_SKEW);
	jtext_lit(&j, ",\"iat\":");
	jtext_int(&j, (long long)now);
	jtext_lit(&j, ",\"jti\":\"");
	jtext_lit(&j, jti);
	jtext_lit(&j, "\",\"access\":[");
	for (size_t i = 0; i < t->scopes.n; i++) {
		const struct scope	*s = &t->scopes.s[i];
		unsigned		 bits = authz_grant(&caller, s);
		const char		*acts[4];
		size_t			 n = scope_actions_str(bits, acts);

		jtext_lit(&j, i > 0 ? ",{\"type\":" : "{\"type\":");
		jtext_str(&j, s->typestr);
		jtext_lit(&j, ",\"name\":");
		jtext_str(&j, s->name);
		jtext_lit(&j, ",\"actions\":[");
		for (size_t k = 0; k < n; k++) {
			if (k > 0)
				jtext_lit(&j, ",");
			jtext_str(&j, acts[k]);
		}
		jtext_lit(&j, "]}");
		scope_text(s, s->actions, one, sizeof(one));
		snprintf(asked + strlen(asked), sizeof(asked) - strlen(asked),
		    "%s%s", i ? " " : "", one);
		if (n > 0) {
			scope_text(s, bits, one, sizeof(one));
			snprintf(granted + strlen(granted), sizeof(granted) -
			    strlen(granted), "%s%s", granted[0] ? " " : "", one);
		}
	}
	jtext_lit(&j, "]}");
	if ((claims = jtext_take(&j, &clen)) == NULL)
		goto out;
	if ((rc = jwt_signer_sign_text(&a->keys.signer, claims, clen,
	    &token)) != APP_OK)
		goto out;

	if (t->offline && t->user_id[0] != '\0' && t->refresh == NULL &&
	    (rc = new_session(a, t, refresh)) != APP_OK)
		goto out;

	iso8601(now, issued);
	jtext_lit(&j, "{\"token\":\"");
	jtext_lit(&j, token);
	jtext_lit(&j, "\",\"access_token\":\"");
	jtext_lit(&j, token);
	jtext_lit(&j, "\",\"expires_in\":");
	jtext_int(&j, a->cfg.token_ttl);
	jtext_lit(&j, ",\"issued_at\":\"");
	jtext_lit(&j, issued);
	jtext_lit(&j, "\"");
	if (t->post) {
		jtext_lit(&j, ",\"scope\":");
		jtext_str(&j, granted);
	}
	if (refresh[0] != '\0') {
		jtext_lit(&j, ",\"refresh_token\":");
		jtext_str(&j, refresh);
	}
	jtext_lit(&j, "}");
	if ((rc = http_json_text(r, 200, jtext_take(&j, NULL))) != APP_OK)
		goto out;
	log_info("token issued sub=\"%s\" kind=%s service=%s client_id=\"%s\" "
	    "addr=%s asked=\"%s\" granted=\"%s\" jti=%s%s",
	    login_quote_user(t->sub), t->kind == AUTHZ_ANONYMOUS ? "anonymous" :
	    t->kind == AUTHZ_ROBOT ? "robot" : t->kind == AUTHZ_SYSADMIN ?
	    "admin" : "user", t->service,
	    log_quote(qclient, sizeof(qclient), t->client_id ? t->client_id : ""),
	    remote_addr(r), log_quote(qasked, sizeof(qasked), asked),
	    log_quote(qgranted, sizeof(qgranted), granted),
	    jti, refresh[0] ? " offline=true" : "");
	rc = APP_OK;
out:
	OPENSSL_cleanse(refresh, sizeof(refresh));
	jtext_free(&j);
	free(claims);
	free(token);
	return rc;
}

/* Authenticate (or not) and issue: the path both methods share. */
static enum app_err
serve(struct app *a, struct http_req *r, struct treq *t)
{
	const char	*names[SCOPE_MAX];
	char		*projects = NULL;
	long long	 epoch = FACTCACHE_NO_EPOCH;
	enum app_err	 rc;

	(void)app_keys_refresh(a, false);
	if (a->keys.active == NULL)
		return token_error(r, 503, "temporarily_unavailable",
		    "signing key unavailable");
	if (t->refresh != NULL)
		rc = auth_refresh(a, t, &epoch);
	else if (!t->have_cred)
		rc = auth_anonymous(a, t, &epoch);
	else if (strncmp(t->cred.user, ROBOT_PREFIX,
	    strlen(ROBOT_PREFIX)) == 0) {
		/* A robot's facts come with its permissions, every time. */
		if ((rc = project_array(names, distinct_projects(t, names),
		    &projects)) != APP_OK)
			return rc;
		rc = auth_robot(a, t, projects);
		free(projects);
	} else
		rc = auth_user(a, t, &epoch);
	if (rc == APP_OK && t->kind != AUTHZ_ROBOT)
		rc = project_facts(a, t, epoch);

	if (rc == APP_EFORBIDDEN)
		return token_error(r, 400, "invalid_grant",
		    "refresh token is invalid or expired");
	if (rc == APP_EUNAUTH) {
		log_info("token refused addr=%s reason=credentials",
		    remote_addr(r));
		return token_error(r, 401, "invalid_grant",
		    "invalid username or password");
	}
	if (rc != APP_OK)
		return fail(r, rc, NULL);
	/* Issuing may write (an offline session): its failures too are
	 * answered in the token endpoint's shape. */
	if ((rc = issue(a, r, t)) != APP_OK)
		return fail(r, rc, NULL);
	return APP_OK;
}

static enum app_err
token_get(struct app *a, struct http_req *r)
{
	struct treq	 t;
	const struct form *q;
	const char	*why = NULL, *auth;
	enum app_err	 rc;

	memset(&t, 0, sizeof(t));
	t.addr = remote_addr(r);
	if ((rc = http_query(r, &q)) != APP_OK) {
		rc = fail(r, rc, "malformed query string");
		goto out;
	}
	if ((rc = common_params(a, &t, q, &why)) != APP_OK) {
		rc = fail(r, rc, why);
		goto out;
	}
	/* Only a request with no credentials at all is anonymous. */
	if ((auth = http_header(r, "Authorization")) != NULL) {
		if (basic_parse(auth, strlen(auth), &t.cred) != APP_OK) {
			log_info("token refused addr=%s reason=authorization "
			    "header", remote_addr(r));
			rc = token_error(r, 401, "invalid_client",
			    "Basic credentials required");
			goto out;
		}
		t.have_cred = true;
	}
	rc = serve(a, r, &t);
out:
	treq_free(&t);
	return rc;
}

static bool
form_content_type(const char *ct)
{
	static const char	 want[] = "application/x-www-form-urlencoded";
	size_t			 n = sizeof(want) - 1;

	return ct != NULL && strncasecmp(ct, want, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static enum app_err
token_post(struct app *a, struct http_req *r)
{
	struct treq	 t;
	struct form	 f;
	const char	*body, *grant, *why = NULL, *user, *pw, *access;
	size_t		 len;
	enum app_err	 rc;

	memset(&t, 0, sizeof(t));
	memset(&f, 0, sizeof(f));
	t.post = true;
	t.addr = remote_addr(r);
	if (!form_content_type(http_header(r, "Content-Type"))) {
		rc = fail(r, APP_EBADREQ, "body must be "
		    "application/x-www-form-urlencoded");
		goto out;
	}
	if ((rc = http_body(r, (size_t)a->cfg.max_body, &body, &len)) !=
	    APP_OK) {
		rc = rc == APP_ETOOLARGE ? rc : fail(r, rc, "bad body");
		goto out;
	}
	if ((rc = form_parse(body, len, 64, &f)) != APP_OK) {
		rc = fail(r, rc, "malformed form body");
		goto out;
	}
	if (form_count(&f, "grant_type") != 1) {
		rc = fail(r, APP_EBADREQ, "exactly one grant_type is required");
		goto out;
	}
	grant = form_get(&f, "grant_type");
	if ((rc = common_params(a, &t, &f, &why)) != APP_OK) {
		rc = fail(r, rc, why);
		goto out;
	}
	if (t.client_id == NULL || *t.client_id == '\0') {
		rc = fail(r, APP_EBADREQ, "client_id is required");
		goto out;
	}
	if (strcmp(grant, "password") == 0) {
		if (single(&f, "username", &user) != APP_OK ||
		    single(&f, "password", &pw) != APP_OK ||
		    single(&f, "access_type", &access) != APP_OK ||
		    user == NULL || pw == NULL) {
			rc = fail(r, APP_EBADREQ,
			    "username and password are required");
			goto out;
		}
		if (*user == '\0' || *pw == '\0' ||
		    strlen(user) > BASIC_USER_MAX ||
		    strlen(pw) > BASIC_PASSWORD_MAX) {
			rc = token_error(r, 401, "invalid_grant",
			    "invalid username or password");
			goto out;
		}
		t.cred.userlen = strlen(user);
		t.cred.passwordlen = strlen(pw);
		memcpy(t.cred.user, user, t.cred.userlen + 1);
		memcpy(t.cred.password, pw, t.cred.passwordlen + 1);
		t.have_cred = true;
		t.offline = access != NULL && strcmp(access, "offline") == 0;
	} else if (strcmp(grant, "refresh_token") == 0) {
		if (single(&f, "refresh_token", &t.refresh) != APP_OK ||
		    t.refresh == NULL || *t.refresh == '\0' ||
		    strlen(t.refresh) > 256) {
			rc = fail(r, APP_EBADREQ, "refresh_token is required");
			goto out;
		}
	} else {
		rc = token_error(r, 400, "unsupported_grant_type",
		    "grant_type must be password or refresh_token");
		goto out;
	}
	rc = serve(a, r, &t);
out:
	treq_free(&t);
	form_free(&f);
	return rc;
}

static enum app_err
certs_pem(struct app *a, struct http_req *r)
{
	size_t		 len = 1, o = 0;
	char		*pem;
	enum app_err	 rc;

	if (app_keys_refresh(a, false) != APP_OK && !a->keys_loaded)
		return APP_EUNAVAIL;
	if (a->keys.n == 0)
		return APP_EUNAVAIL;
	for (size_t i = 0; i < a->keys.n; i++)
		len += strlen(a->keys.keys[i].cert_pem) + 1;
	if ((pem = malloc(len)) == NULL)
		return APP_ENOMEM;
	for (size_t i = 0; i < a->keys.n; i++) {
		size_t n = strlen(a->keys.keys[i].cert_pem);

		memcpy(pem + o, a->keys.keys[i].cert_pem, n);
		o += n;
		if (n > 0 && pem[o - 1] != '\n')
			pem[o++] = '\n';
	}
	pem[o] = '\0';
	rc = http_text(r, 200, "application/x-pem-file", pem);
	free(pem);
	return rc;
}

static enum app_err
jwks_json(struct app *a, struct http_req *r)
{
	json_t	*keys, *doc;

	if (app_keys_refresh(a, false) != APP_OK && !a->keys_loaded)
		return APP_EUNAVAIL;
	if (a->keys.n == 0)
		return APP_EUNAVAIL;
	if ((keys = json_array()) == NULL)
		return APP_ENOMEM;
	for (size_t i = 0; i < a->keys.n; i++)
		if (json_array_append_new(keys, jwt_jwk_new(a->keys.keys[i].pub,
		    a->keys.keys[i].alg, a->keys.keys[i].kid)) != 0) {
			json_decref(keys);
			return APP_ENOMEM;
		}
	if ((doc = json_pack("{s:o}", "keys", keys)) == NULL)
		return APP_ENOMEM;
	http_json(r, 200, doc);
	return APP_OK;
}

static enum app_err
route(struct app *a, struct http_req *r, const char **msg)
{
	bool		 get = strcmp(r->method, "GET") == 0;
	enum app_err	 rc;

	if (strcmp(r->path, "/service/token") == 0) {
		if (get)
			return token_get(a, r);
		if (strcmp(r->method, "POST") == 0)
			return token_post(a, r);
		if ((rc = http_add_header(r, "Allow", "GET, POST")) != APP_OK)
			return rc;
		return APP_EMETHOD;
	}
	if (strcmp(r->path, "/service/certs.pem") == 0 ||
	    strcmp(r->path, "/service/jwks.json") == 0) {
		if (!get && !r->head) {
			if ((rc = http_add_header(r, "Allow", "GET, HEAD")) !=
			    APP_OK)
				return rc;
			return APP_EMETHOD;
		}
		return r->path[9] == 'c' ? certs_pem(a, r) : jwks_json(a, r);
	}
	return APP_ENOTFOUND;
}

int
main(int argc, char *argv[])
{
	struct app	 a;
	int		 rc;

	app_init(&a, "berth-token", argc, argv);
	credcache_init(a.cfg.cred_cache_ttl * 1000);
	rc = app_serve(&a, route);
	app_free(&a);
	return rc;
}
