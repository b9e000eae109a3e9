/*
 * berth-admin: the admin API under /api/v2.0, Harbor's paths, fields,
 * status codes and error shape ({"errors":[{"code","message"}]}).
 *
 * Every call needs Basic credentials of a user: none or bad ones 401
 * with WWW-Authenticate; a disabled, locked or unknown account or a
 * wrong password 401; a robot ("robot$...") 403 without its secret
 * being checked.  Unknown paths 404; a known path with another method
 * 405 + Allow.  Bodies: application/json only (415), at most max_body
 * (413), unknown fields, wrong types, bad names 400.  What the caller
 * may not see answers 404 exactly as what does not exist.
 *
 *   POST   /users                        201 + Location, 400, 403, 409
 *   GET    /users ?page&page_size&sort&q 200 + X-Total-Count, Link; 400, 403
 *   GET    /users/current                200
 *   GET    /users/search ?username&page&page_size
 *                                        200 [{user_id, username}]; 400
 *   GET    /users/{user_id}              200, 404
 *   PUT    /users/{user_id}              200, 400, 404  {email, realname, comment}
 *   DELETE /users/{user_id}              200, 403 (self), 404
 *   PUT    /users/{user_id}/password     200, 400, 403 (old password wrong), 404
 *   PUT    /users/{user_id}/sysadmin     200, 400, 403, 404  {sysadmin_flag}
 *   PUT    /users/{user_id}/disabled     200, 400, 403, 404  {disabled}
 *                                        (berth's: also revokes the
 *                                        user's refresh tokens)
 *   POST   /projects                     201 + Location, 400, 409
 *   HEAD   /projects ?project_name       200 exists, 404
 *   GET    /projects ?page&page_size&name&public&sort
 *                                        200 + X-Total-Count, Link; 400
 *   GET    /projects/{project_name_or_id}        200, 404
 *   PUT    /projects/{project_name_or_id}        200, 400, 403, 404
 *   DELETE /projects/{project_name_or_id}        200, 403, 404
 *   GET    /projects/{p}/members ?page&page_size&entityname
 *                                        200 + X-Total-Count, Link; 403, 404
 *   POST   /projects/{p}/members         201 + Location, 400, 403, 404, 409
 *   GET    /projects/{p}/members/{mid}   200, 403, 404
 *   PUT    /projects/{p}/members/{mid}   200, 400, 403, 404  {role_id}
 *   DELETE /projects/{p}/members/{mid}   200, 403, 404
 *   POST   /robots                       201 + Location {id, name, secret,
 *                                        creation_time, expires_at}; 400,
 *                                        403 (access outside the caller's
 *                                        projects, system level), 409
 *   GET    /robots ?page&page_size&q=Level=..,ProjectID=N
 *                                        200 + X-Total-Count, Link; 400,
 *                                        403 (no ProjectID, not an admin), 404
 *   GET    /robots/{robot_id}            200, 403, 404
 *   PUT    /robots/{robot_id}            200, 400, 403, 404  (a Robot)
 *   PATCH  /robots/{robot_id}            200 {secret}: generated (no body
 *                                        or no secret), "" for a chosen
 *                                        one (as Harbor); 400
 *   DELETE /robots/{robot_id}            200, 403, 404
 *   GET    /users/{user_id}/sessions     200 + X-Total-Count, Link; 404
 *   DELETE /users/{user_id}/sessions     200, 404  (revokes them all)
 *   DELETE /users/{user_id}/sessions/{sid}  200, 404 (also another user's)
 *   GET    /keys                         200 [{kid, alg, state, times}]; 403
 *   POST   /keys                         201 {kid}: the next key; 403, 409,
 *                                        503 (no cluster secret here)
 *   POST   /keys/activate                200 {kid}; 403, 404 (no next key)
 *   POST   /keys/retire                  200 {retired, kept}; 403
 *   GET    /audit-logs ?actor&action&from&to&page&page_size
 *                                        200 + X-Total-Count, Link, newest
 *                                        first; 400 (times RFC 3339), 403
 *
 * Sessions, keys and the audit log are berth's; the key routes mirror
 * berthctl key next|activate|retire as actions on the collection, since
 * a kid is not something a client should have to know to rotate.
 * {project_name_or_id} is a name when the X-Is-Resource-Name: true
 * header is sent or it is not a number, else an id (as Harbor).  Who may
 * do what is decided in lib/policy.c alone, from the objects as stored.
 * Every change is one transaction with its audit_log row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "api.h"
#include "app.h"
#include "audit.h"
#include "basic.h"
#include "credcache.h"
#include "ct.h"
#include "json.h"
#include "log.h"
#include "login.h"
#include "names.h"
#include "password.h"
#include "policy.h"
#include "robot.h"
#include "schemas.h"

#define PREFIX		"/api/v2.0"
#define ROBOT_PREFIX	"robot$"
#define PARAMS_MAX	4
#define SEGS_MAX	8

/* One request, as the handlers see it. */
struct ctx {
	struct app		*a;
	struct http_req		*r;
	struct policy_caller	 caller;
	char			 user[BASIC_USER_MAX + 1];
	const char		*addr;
	const char		*param[PARAMS_MAX];	/* {x} segments, in order */
	size_t			 nparam;
};

typedef enum app_err (*handler)(struct ctx *, const char **msg);

/* The client-safe message of the request in hand (one at a time). */
static char	 why[API_WHY_MAX];

/* --- helpers ------------------------------------------------------------ */

/* Answer with a JSON text the database built. */
static enum app_err
reply_db_json(struct ctx *c, int status, const char *text)
{
	json_t		*v;
	enum app_err	 rc;

	if ((rc = json_decode(text, strlen(text), 0, &v, NULL)) != APP_OK)
		return rc == APP_ENOMEM ? rc : APP_EINTERNAL;
	http_json(c->r, status, v);
	return APP_OK;
}

/*
 * Harbor answers changes with an empty body, which allocates nothing
 * (http.h), so this cannot fail.
 */
static void
reply_empty(struct ctx *c, int status)
{
	(void)!http_text(c->r, status, "text/plain; charset=utf-8", "");
}

static enum app_err
reply_created(struct ctx *c, const char *location)
{
	enum app_err	 rc;

	if ((rc = http_add_header(c->r, "Location", location)) != APP_OK)
		return rc;
	reply_empty(c, 201);
	return APP_OK;
}

static enum app_err
body(struct ctx *c, const struct api_schema *s, json_t **obj_new,
    const char **msg)
{
	enum app_err	 rc;

	rc = api_json_body(c->r, (size_t)c->a->cfg.max_body, s, obj_new, why,
	    sizeof(why));
	if (rc != APP_OK)
		*msg = why;
	return rc;
}

static const char *
str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Start a change: one transaction for the change and its audit row. */
static enum app_err
change_begin(struct ctx *c)
{
	return db_begin(&c->a->db);
}

/* End a change: the audit row and commit when rc is APP_OK, else undo. */
static enum app_err
change_end(struct ctx *c, enum app_err rc, const char *action,
    const char *type, const char *resource, const json_t *detail)
{
	if (rc == APP_OK)
		rc = audit_write(&c->a->db, c->user, action, type, resource,
		    detail, c->addr);
	if (rc == APP_OK)
		return db_commit(&c->a->db);
	db_rollback(&c->a->db);
	return rc;
}

/*
 * Begin a change and run s, which must touch exactly one row: none is
 * 404.  The caller ends the change with change_end() either way.
 */
static enum app_err
change_one(struct ctx *c, enum db_stmt s, const char *const *v,
    PGresult **res)
{
	enum app_err	 rc;

	if ((rc = change_begin(c)) != APP_OK)
		return rc;
	rc = db_exec(&c->a->db, s, v, NULL, NULL, res);
	if (rc == APP_OK && PQntuples(*res) != 1)
		rc = APP_ENOTFOUND;
	return rc;
}

/* A list of total rows and a JSON array, as STMT_*_LIST answer. */
static enum app_err
reply_list(struct ctx *c, PGresult *res, const struct form *q,
    const struct api_page *pg)
{
	enum app_err	 rc;

	if ((rc = api_list_headers(c->r, q, pg, strtoll(PQgetvalue(res, 0, 0),
	    NULL, 10))) != APP_OK)
		return rc;
	return reply_db_json(c, 200, PQgetvalue(res, 0, 1));
}

static enum app_err
query(struct ctx *c, const char *const *allowed, const struct form **q,
    const char **msg)
{
	enum app_err	 rc;

	if ((rc = http_query(c->r, q)) != APP_OK) {
		*msg = "malformed query string";
		return rc;
	}
	return api_query_allow(*q, allowed, msg);
}

static void
lldec(long long v, char out[24])
{
	snprintf(out, 24, "%lld", v);
}

/* --- users ---------------------------------------------------------------- */

struct user_row {
	bool		 exists;
	long long	 id;
	char		 sid[24];
	char		*json;		/* owned */
};

static enum app_err
user_load(struct ctx *c, const char *id, struct user_row *u)
{
	const char	*v[1];
	PGresult	*res = NULL;
	enum app_err	 rc;

	memset(u, 0, sizeof(*u));
	if (api_parse_id(id, &u->id) != APP_OK)
		return APP_OK;		/* no such user */
	lldec(u->id, u->sid);
	v[0] = u->sid;
	if ((rc = db_exec(&c->a->db, STMT_USER_GET, v, NULL, NULL, &res)) !=
	    APP_OK)
		return rc;
	if (PQntuples(res) == 1) {
		u->exists = true;
		if ((u->json = strdup(PQgetvalue(res, 0, 0))) == NULL)
			rc = APP_ENOMEM;
	}
	PQclear(res);
	return rc;
}

/* Load the user of the path and ask the policy. */
static enum app_err
user_authorize(struct ctx *c, enum policy_action act, struct user_row *u)
{
	struct policy_object	 o;
	enum app_err		 rc;

	if ((rc = user_load(c, c->param[0], u)) != APP_OK)
		return rc;
	memset(&o, 0, sizeof(o));
	o.exists = u->exists;
	o.user_id = u->id;
	return policy_check(&c->caller, act, &o);
}

/* An e-mail address: one '@' with text on both sides, nothing odd. */
static bool
email_ok(const char *s)
{
	const char	*at = strchr(s, '@');

	if (*s == '\0')
		return true;		/* none */
	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@'))
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == '<' || *s == '>' ||
		    *s == '"' || *s == '\\' || *s == ',' || *s == ';')
			return false;
	return true;
}

static enum app_err
users_create(struct ctx *c, const char **msg)
{
	json_t		*in = NULL, *detail = NULL;
	const char	*name, *pw, *v[5];
	char		 hash[PASSWORD_HASH_MAX] = "", loc[64];
	PGresult	*res = NULL;
	enum app_err	 rc;

	if ((rc = policy_check(&c->caller, POLICY_USER_CREATE, NULL)) !=
	    APP_OK)
		return rc;
	if ((rc = body(c, &schema_user_create, &in, msg)) != APP_OK)
		return rc;
	name = str(in, "username");
	pw = str(in, "password");
	rc = APP_EBADREQ;
	if (names_check_user(name, strlen(name), msg) != APP_OK)
		goto out;
	if (str(in, "email") != NULL && !email_ok(str(in, "email"))) {
		*msg = "email is not an e-mail address";
		goto out;
	}
	/* Length and policy before any hashing. */
	if (password_check_policy(pw, strlen(pw), msg) != APP_OK)
		goto out;
	if ((rc = password_hash(pw, strlen(pw), hash, sizeof(hash))) != APP_OK)
		goto out;
	v[0] = name;
	v[1] = str(in, "email") ? str(in, "email") : "";
	v[2] = str(in, "realname") ? str(in, "realname") : "";
	v[3] = str(in, "comment") ? str(in, "comment") : "";
	v[4] = hash;
	if ((rc = change_begin(c)) != APP_OK)
		goto out;
	rc = db_exec(&c->a->db, STMT_USER_INSERT, v, NULL, NULL, &res);
	if (rc == APP_ECONFLICT)
		*msg = "a user with this username or email exists";
	if (rc == APP_OK && (detail = json_pack("{s:s,s:s}", "email", v[1],
	    "realname", v[2])) == NULL)
		rc = APP_ENOMEM;
	if ((rc = change_end(c, rc, "user.create", "user", name, detail)) !=
	    APP_OK)
		goto out;
	snprintf(loc, sizeof(loc), PREFIX "/users/%s", PQgetvalue(res, 0, 0));
	rc = reply_created(c, loc);
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	PQclear(res);
	json_decref(detail);
	json_decref(in);
	return rc;
}

/* Harbor's q for users: username=<exact> or username=~<substring>. */
static enum app_err
user_filter(const char *q, char **like_new, const char **msg)
{
	static const char	 key[] = "username=";

	*like_new = NULL;
	if (q == NULL)
		return APP_OK;
	if (strncmp(q, key, sizeof(key) - 1) != 0) {
		*msg = "q supports only username=<name> or username=~<text>";
		return APP_EBADREQ;
	}
	q += sizeof(key) - 1;
	*like_new = *q == '~' ? api_like_new(q + 1, true) :
	    api_like_new(q, false);
	return *like_new != NULL ? APP_OK : APP_ENOMEM;
}

static const char *const user_sorts[] = {
	"username", "-username", "creation_time", "-creation_time", NULL,
};

static const char *
allowed_sort(const char *s, const char *const *tab, const char *def)
{
	if (s == NULL)
		return def;
	for (size_t i = 0; tab[i] != NULL; i++)
		if (strcmp(s, tab[i]) == 0)
			return tab[i];
	return NULL;
}

static enum app_err
users_list(struct ctx *c, const char **msg)
{
	static const char *const allowed[] = { "page", "page_size", "sort",
	    "q", NULL };
	const struct form	*q;
	struct api_page		 pg;
	char			*like = NULL, lim[24], off[24];
	const char		*sort, *v[4];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = policy_check(&c->caller, POLICY_USER_LIST, NULL)) != APP_OK)
		return rc;
	if ((rc = query(c, allowed, &q, msg)) != APP_OK ||
	    (rc = api_page_parse(q, &pg, msg)) != APP_OK)
		return rc;
	if ((sort = allowed_sort(form_get(q, "sort"), user_sorts, "")) ==
	    NULL) {
		*msg = "sort must be username, creation_time, or either with '-'";
		return APP_EBADREQ;
	}
	if ((rc = user_filter(form_get(q, "q"), &like, msg)) != APP_OK)
		return rc;
	lldec(pg.size, lim);
	lldec(api_page_offset(&pg), off);
	v[0] = like;
	v[1] = sort;
	v[2] = lim;
	v[3] = off;
	if ((rc = db_exec(&c->a->db, STMT_USER_LIST, v, NULL, NULL, &res)) ==
	    APP_OK)
		rc = reply_list(c, res, q, &pg);
	PQclear(res);
	free(like);
	return rc;
}

static enum app_err
users_search(struct ctx *c, const char **msg)
{
	static const char *const allowed[] = { "page", "page_size",
	    "username", NULL };
	const struct form	*q;
	struct api_page		 pg;
	const char		*name, *v[3];
	char			*like = NULL, lim[24], off[24];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = query(c, allowed, &q, msg)) != APP_OK ||
	    (rc = api_page_parse(q, &pg, msg)) != APP_OK)
		return rc;
	name = form_get(q, "username");
	if (name == NULL || *name == '\0' || strlen(name) > NAMES_USER_MAX) {
		*msg = "username is required (1 to 255 characters)";
		return APP_EBADREQ;
	}
	if ((like = api_like_new(name, true)) == NULL)
		return APP_ENOMEM;
	lldec(pg.size, lim);
	lldec(api_page_offset(&pg), off);
	v[0] = like;
	v[1] = lim;
	v[2] = off;
	if ((rc = db_exec(&c->a->db, STMT_USER_SEARCH, v, NULL, NULL,
	    &res)) == APP_OK)
		rc = reply_list(c, res, q, &pg);
	PQclear(res);
	free(like);
	return rc;
}

static enum app_err
user_current(struct ctx *c, const char **msg)
{
	struct user_row	 u;
	char		 id[24];
	enum app_err	 rc;

	lldec(c->caller.user_id, id);
	if ((rc = user_load(c, id, &u)) == APP_OK)
		rc = u.exists ? reply_db_json(c, 200, u.json) : APP_ENOTFOUND;
	free(u.json);
	return rc;
}

static enum app_err
user_get(struct ctx *c, const char **msg)
{
	struct user_row	 u;
	enum app_err	 rc;

	if ((rc = user_authorize(c, POLICY_USER_READ, &u)) == APP_OK)
		rc = reply_db_json(c, 200, u.json);
	free(u.json);
	return rc;
}

static enum app_err
user_put(struct ctx *c, const char **msg)
{
	struct user_row	 u;
	json_t		*in = NULL;
	const char	*v[4];
	PGresult	*res = NULL;
	enum app_err	 rc;

	if ((rc = user_authorize(c, POLICY_USER_UPDATE, &u)) != APP_OK)
		goto out;
	if ((rc = body(c, &schema_user_profile, &in, msg)) != APP_OK)
		goto out;
	if (str(in, "email") != NULL && !email_ok(str(in, "email"))) {
		*msg = "email is not an e-mail address";
		rc = APP_EBADREQ;
		goto out;
	}
	v[0] = u.sid;
	v[1] = str(in, "email");
	v[2] = str(in, "realname");
	v[3] = str(in, "comment");
	rc = change_one(c, STMT_USER_UPDATE, v, &res);
	if (rc == APP_ECONFLICT)
		*msg = "a user with this email exists";
	if ((rc = change_end(c, rc, "user.update", "user",
	    rc == APP_OK ? PQgetvalue(res, 0, 0) : "", in)) == APP_OK)
		reply_empty(c, 200);
out:
	PQclear(res);
	json_decref(in);
	free(u.json);
	return rc;
}

/* Run one change statement on the path's user and record it. */
static enum app_err
user_change(struct ctx *c, const struct user_row *u, enum db_stmt s,
    const char *arg, const char *action, const json_t *detail)
{
	const char	*v[2] = { u->sid, arg };
	PGresult	*res = NULL;
	enum app_err	 rc;

	rc = change_one(c, s, v, &res);
	/* A disabled account's refresh tokens end with it. */
	if (rc == APP_OK && s == STMT_USER_DISABLE && strcmp(arg, "true") == 0)
		rc = db_exec(&c->a->db, STMT_SESSIONS_REVOKE_USER, v, NULL,
		    NULL, NULL);
	rc = change_end(c, rc, action, "user",
	    rc == APP_OK ? PQgetvalue(res, 0, 0) : "", detail);
	PQclear(res);
	if (rc == APP_OK)
		reply_empty(c, 200);
	return rc;
}

static enum app_err
user_delete(struct ctx *c, const char **msg)
{
	struct user_row	 u;
	enum app_err	 rc;

	if ((rc = user_authorize(c, POLICY_USER_DELETE, &u)) == APP_OK)
		rc = user_change(c, &u, STMT_USER_DELETE, NULL, "user.delete",
		    NULL);
	else if (rc == APP_EFORBIDDEN)
		*msg = "you cannot delete your own account";
	free(u.json);
	return rc;
}

/* Does pw open the account of u?  APP_EFORBIDDEN when it does not. */
static enum app_err
old_password_ok(struct ctx *c, const struct user_row *u, const char *pw)
{
	const char	*v[1] = { u->sid };
	PGresult	*res = NULL;
	enum app_err	 rc;

	if ((rc = db_exec(&c->a->db, STMT_USER_HASH, v, NULL, NULL, &res)) !=
	    APP_OK)
		return rc;
	if (PQntuples(res) != 1)
		rc = APP_ENOTFOUND;
	else {
		rc = password_verify(pw, strlen(pw), PQgetvalue(res, 0, 0),
		    NULL);
		if (rc == APP_EUNAUTH || rc == APP_EBADREQ)
			rc = APP_EFORBIDDEN;
	}
	PQclear(res);
	return rc;
}

static enum app_err
user_password(struct ctx *c, const char **msg)
{
	struct user_row	 u;
	json_t		*in = NULL;
	const char	*old, *pw;
	char		 hash[PASSWORD_HASH_MAX] = "";
	enum app_err	 rc;

	if ((rc = user_authorize(c, POLICY_USER_UPDATE, &u)) != APP_OK)
		goto out;
	if ((rc = body(c, &schema_password, &in, msg)) != APP_OK)
		goto out;
	old = str(in, "old_password");
	pw = str(in, "new_password");
	rc = APP_EBADREQ;
	/* A system admin resets another's password without the old one. */
	if (u.id == c->caller.user_id || !c->caller.sysadmin) {
		if (old == NULL || *old == '\0') {
			*msg = "old_password is required";
			goto out;
		}
		if ((rc = old_password_ok(c, &u, old)) != APP_OK) {
			if (rc == APP_EFORBIDDEN)
				*msg = "the old password is incorrect";
			goto out;
		}
		rc = APP_EBADREQ;
		if (ct_equal_n(old, strlen(old), pw, strlen(pw))) {
			*msg = "the new password must differ from the old one";
			goto out;
		}
	}
	if (password_check_policy(pw, strlen(pw), msg) != APP_OK)
		goto out;
	if ((rc = password_hash(pw, strlen(pw), hash, sizeof(hash))) != APP_OK)
		goto out;
	rc = user_change(c, &u, STMT_USER_PASSWORD, hash, "user.password",
	    NULL);
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	json_decref(in);
	free(u.json);
	return rc;
}

/* PUT /users/{id}/sysadmin and /disabled: one boolean each. */
static enum app_err
user_flag(struct ctx *c, const char **msg, const struct api_schema *s,
    const char *field, enum db_stmt st, const char *action_on,
    const char *action_off)
{
	struct user_row	 u;
	json_t		*in = NULL;
	bool		 on;
	enum app_err	 rc;

	if ((rc = user_authorize(c, POLICY_USER_ADMIN, &u)) != APP_OK) {
		if (rc == APP_EFORBIDDEN)
			*msg = u.id == c->caller.user_id ?
			    "you cannot change this on your own account" :
			    "only system admins may do this";
		goto out;
	}
	if ((rc = body(c, s, &in, msg)) != APP_OK)
		goto out;
	on = json_is_true(json_object_get(in, field));
	rc = user_change(c, &u, st, on ? "true" : "false",
	    on ? action_on : action_off, in);
out:
	json_decref(in);
	free(u.json);
	return rc;
}

static enum app_err
user_sysadmin(struct ctx *c, const char **msg)
{
	return user_flag(c, msg, &schema_sysadmin, "sysadmin_flag",
	    STMT_USER_SYSADMIN, "user.sysadmin", "user.sysadmin");
}

static enum app_err
user_disabled(struct ctx *c, const char **msg)
{
	return user_flag(c, msg, &schema_disabled, "disabled",
	    STMT_USER_DISABLE, "user.disable", "user.enable");
}

/* --- projects ------------------------------------------------------------- */

struct project_row {
	bool		 exists;
	char		 sid[24];
	char		 name[NAMES_PROJECT_MAX + 1];
	bool		 public;
	int		 role;
	char		*json;		/* owned */
};

/*
 * The project the path names ({project_name_or_id}), as Harbor reads it;
 * by name alone when byname (a robot permission's namespace).
 */
static enum app_err
project_load(struct ctx *c, const char *seg, bool byname,
    struct project_row *p)
{
	const char	*isname = http_header(c->r, "X-Is-Resource-Name");
	const char	*v[3] = { NULL, NULL, NULL };
	long long	 id;
	char		 sid[24], uid[24];
	PGresult	*res = NULL;
	enum app_err	 rc;

	memset(p, 0, sizeof(*p));
	if (!byname && (isname == NULL || strcasecmp(isname, "true") != 0) &&
	    api_parse_id(seg, &id) == APP_OK) {
		lldec(id, sid);
		v[0] = sid;
	} else if (strlen(seg) <= NAMES_PROJECT_MAX)
		v[1] = seg;
	else
		return APP_OK;		/* no such project */
	lldec(c->caller.user_id, uid);
	v[2] = uid;
	if ((rc = db_exec(&c->a->db, STMT_PROJECT_GET, v, NULL, NULL,
	    &res)) != APP_OK)
		return rc;
	if (PQntuples(res) == 1) {
		p->exists = true;
		snprintf(p->sid, sizeof(p->sid), "%s", PQgetvalue(res, 0, 0));
		p->public = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
		p->role = PQgetisnull(res, 0, 2) ? 0 :
		    atoi(PQgetvalue(res, 0, 2));
		snprintf(p->name, sizeof(p->name), "%s", PQgetvalue(res, 0, 3));
		if ((p->json = strdup(PQgetvalue(res, 0, 4))) == NULL)
			rc = APP_ENOMEM;
	}
	PQclear(res);
	return rc;
}

/* Load the project of the path and ask the policy. */
static enum app_err
project_authorize(struct ctx *c, enum policy_action act,
    struct project_row *p)
{
	struct policy_object	 o;
	enum app_err		 rc;

	if ((rc = project_load(c, c->param[0], false, p)) != APP_OK)
		return rc;
	memset(&o, 0, sizeof(o));
	o.exists = p->exists;
	o.public = p->public;
	o.role = (enum authz_role)p->role;
	return policy_check(&c->caller, act, &o);
}

/*
 * Publicity from a ProjectReq: metadata.public ("true"/"false") wins
 * over the deprecated public flag.  *given tells whether either was.
 */
static enum app_err
project_public(const json_t *in, bool *pub, bool *given, const char **msg)
{
	const char	*m = str(json_object_get(in, "metadata"), "public");
	json_t		*b = json_object_get(in, "public");

	*given = true;
	if (m != NULL) {
		if (strcmp(m, "true") != 0 && strcmp(m, "false") != 0) {
			*msg = "metadata.public must be \"true\" or \"false\"";
			return APP_EBADREQ;
		}
		*pub = strcmp(m, "true") == 0;
	} else if (b != NULL)
		*pub = json_is_true(b);
	else {
		*pub = false;
		*given = false;
	}
	return APP_OK;
}

static enum app_err
projects_create(struct ctx *c, const char **msg)
{
	json_t		*in = NULL, *detail = NULL;
	const char	*name, *v[3];
	char		 uid[24], loc[64];
	bool		 pub, given;
	PGresult	*res = NULL;
	enum app_err	 rc;

	if ((rc = policy_check(&c->caller, POLICY_PROJECT_CREATE, NULL)) !=
	    APP_OK)
		return rc;
	if ((rc = body(c, &schema_project, &in, msg)) != APP_OK)
		return rc;
	rc = APP_EBADREQ;
	if ((name = str(in, "project_name")) == NULL) {
		*msg = "project_name is required";
		goto out;
	}
	if (names_check_project(name, strlen(name), msg) != APP_OK ||
	    project_public(in, &pub, &given, msg) != APP_OK)
		goto out;
	lldec(c->caller.user_id, uid);
	v[0] = name;
	v[1] = pub ? "true" : "false";
	v[2] = uid;
	if ((rc = change_begin(c)) != APP_OK)
		goto out;
	rc = db_exec(&c->a->db, STMT_PROJECT_INSERT, v, NULL, NULL, &res);
	if (rc == APP_ECONFLICT)
		*msg = "a project with this name exists";
	if (rc == APP_OK && (detail = json_pack("{s:b}", "public", pub)) ==
	    NULL)
		rc = APP_ENOMEM;
	if ((rc = change_end(c, rc, "project.create", "project", name,
	    detail)) != APP_OK)
		goto out;
	snprintf(loc, sizeof(loc), PREFIX "/projects/%s",
	    PQgetvalue(res, 0, 0));
	rc = reply_created(c, loc);
out:
	PQclear(res);
	json_decref(detail);
	json_decref(in);
	return rc;
}

/*
 * HEAD /projects?project_name=: whether the name is taken, as Harbor
 * answers it to any user (a create would tell with 409 anyway).
 */
static enum app_err
projects_head(struct ctx *c, const char **msg)
{
	static const char *const allowed[] = { "project_name", NULL };
	const struct form	*q;
	const char		*name, *v[1];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = query(c, allowed, &q, msg)) != APP_OK)
		return rc;
	if ((name = form_get(q, "project_name")) == NULL || *name == '\0') {
		*msg = "project_name is required";
		return APP_EBADREQ;
	}
	v[0] = name;
	if ((rc = db_exec(&c->a->db, STMT_PROJECT_EXISTS, v, NULL, NULL,
	    &res)) != APP_OK)
		return rc;
	rc = PQntuples(res) == 1 ? APP_OK : APP_ENOTFOUND;
	PQclear(res);
	if (rc == APP_OK)
		reply_empty(c, 200);
	return rc;
}

static const char *const project_sorts[] = {
	"name", "-name", "creation_time", "-creation_time", NULL,
};

static enum app_err
projects_list(struct ctx *c, const char **msg)
{
	static const char *const allowed[] = { "page", "page_size", "name",
	    "public", "sort", "with_detail", NULL };
	const struct form	*q;
	struct api_page		 pg;
	const char		*pub, *sort, *v[7];
	char			*like = NULL, uid[24], lim[24], off[24];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = query(c, allowed, &q, msg)) != APP_OK ||
	    (rc = api_page_parse(q, &pg, msg)) != APP_OK)
		return rc;
	if ((pub = form_get(q, "public")) != NULL &&
	    strcmp(pub, "true") != 0 && strcmp(pub, "false") != 0) {
		*msg = "public must be true or false";
		return APP_EBADREQ;
	}
	if ((sort = allowed_sort(form_get(q, "sort"), project_sorts, "")) ==
	    NULL) {
		*msg = "sort must be name, creation_time, or either with '-'";
		return APP_EBADREQ;
	}
	if (form_get(q, "name") != NULL &&
	    (like = api_like_new(form_get(q, "name"), true)) == NULL)
		return APP_ENOMEM;
	lldec(c->caller.user_id, uid);
	lldec(pg.size, lim);
	lldec(api_page_offset(&pg), off);
	v[0] = like;
	v[1] = pub;
	v[2] = uid;
	v[3] = c->caller.sysadmin ? "true" : "false";
	v[4] = sort;
	v[5] = lim;
	v[6] = off;
	if ((rc = db_exec(&c->a->db, STMT_PROJECT_LIST, v, NULL, NULL,
	    &res)) == APP_OK)
		rc = reply_list(c, res, q, &pg);
	PQclear(res);
	free(like);
	return rc;
}

static enum app_err
project_get(struct ctx *c, const char **msg)
{
	struct project_row	 p;
	enum app_err		 rc;

	if ((rc = project_authorize(c, POLICY_PROJECT_READ, &p)) == APP_OK)
		rc = reply_db_json(c, 200, p.json);
	free(p.json);
	return rc;
}

static enum app_err
project_put(struct ctx *c, const char **msg)
{
	struct project_row	 p;
	json_t			*in = NULL, *detail = NULL;
	const char		*name, *v[2];
	bool			 pub, given;
	enum app_err		 rc;

	if ((rc = project_authorize(c, POLICY_PROJECT_UPDATE, &p)) != APP_OK)
		goto out;
	if ((rc = body(c, &schema_project, &in, msg)) != APP_OK)
		goto out;
	rc = APP_EBADREQ;
	if ((name = str(in, "project_name")) != NULL &&
	    strcmp(name, p.name) != 0) {
		*msg = "a project cannot be renamed";
		goto out;
	}
	if (project_public(in, &pub, &given, msg) != APP_OK)
		goto out;
	if (!given) {
		rc = APP_OK;
		reply_empty(c, 200);
		goto out;
	}
	v[0] = p.sid;
	v[1] = pub ? "true" : "false";
	if ((rc = change_begin(c)) != APP_OK)
		goto out;
	rc = db_exec(&c->a->db, STMT_PROJECT_UPDATE, v, NULL, NULL, NULL);
	if (rc == APP_OK && (detail = json_pack("{s:b}", "public", pub)) ==
	    NULL)
		rc = APP_ENOMEM;
	if ((rc = change_end(c, rc, "project.update", "project", p.name,
	    detail)) == APP_OK)
		reply_empty(c, 200);
out:
	json_decref(detail);
	json_decref(in);
	free(p.json);
	return rc;
}

static enum app_err
project_delete(struct ctx *c, const char **msg)
{
	struct project_row	 p;
	const char		*v[1];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = project_authorize(c, POLICY_PROJECT_DELETE, &p)) != APP_OK)
		goto out;
	v[0] = p.sid;
	rc = change_one(c, STMT_PROJECT_DELETE, v, &res);
	if ((rc = change_end(c, rc, "project.delete", "project", p.name,
	    NULL)) == APP_OK)
		reply_empty(c, 200);
out:
	PQclear(res);
	free(p.json);
	return rc;
}

/* --- members -------------------------------------------------------------- */

static enum app_err
members_list(struct ctx *c, const char **msg)
{
	static const char *const allowed[] = { "page", "page_size",
	    "entityname", NULL };
	struct project_row	 p;
	const struct form	*q;
	struct api_page		 pg;
	const char		*v[4];
	char			*like = NULL, lim[24], off[24];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = project_authorize(c, POLICY_MEMBER_READ, &p)) != APP_OK)
		goto out;
	if ((rc = query(c, allowed, &q, msg)) != APP_OK ||
	    (rc = api_page_parse(q, &pg, msg)) != APP_OK)
		goto out;
	if (form_get(q, "entityname") != NULL &&
	    (like = api_like_new(form_get(q, "entityname"), true)) == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	lldec(pg.size, lim);
	lldec(api_page_offset(&pg), off);
	v[0] = p.sid;
	v[1] = like;
	v[2] = lim;
	v[3] = off;
	if ((rc = db_exec(&c->a->db, STMT_MEMBER_LIST, v, NULL, NULL,
	    &res)) == APP_OK)
		rc = reply_list(c, res, q, &pg);
out:
	PQclear(res);
	free(like);
	free(p.json);
	return rc;
}

static enum app_err
members_create(struct ctx *c, const char **msg)
{
	struct project_row	 p;
	json_t			*in = NULL, *mu, *detail = NULL;
	const char		*v[4];
	char			 uid[24], role[24], loc[HTTP_PATH_MAX + 64];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = project_authorize(c, POLICY_MEMBER_WRITE, &p)) != APP_OK)
		goto out;
	if ((rc = body(c, &schema_member, &in, msg)) != APP_OK)
		goto out;
	mu = json_object_get(in, "member_user");
	v[0] = p.sid;
	v[1] = NULL;
	v[2] = str(mu, "username");
	if (json_object_get(mu, "user_id") != NULL) {
		lldec(json_integer_value(json_object_get(mu, "user_id")), uid);
		v[1] = uid;
	} else if (v[2] == NULL) {
		*msg = "member_user needs user_id or username";
		rc = APP_EBADREQ;
		goto out;
	}
	lldec(json_integer_value(json_object_get(in, "role_id")), role);
	v[3] = role;
	if ((rc = change_begin(c)) != APP_OK)
		goto out;
	rc = db_exec(&c->a->db, STMT_MEMBER_INSERT, v, NULL, NULL, &res);
	if (rc == APP_OK && PQntuples(res) != 1) {
		*msg = "no such user";
		rc = APP_ENOTFOUND;
	}
	if (rc == APP_ECONFLICT)
		*msg = "the user is a member already";
	if (rc == APP_OK && (detail = json_pack("{s:s,s:s,s:i}", "project",
	    p.name, "user_id", PQgetvalue(res, 0, 1), "role_id",
	    atoi(role))) == NULL)
		rc = APP_ENOMEM;
	if ((rc = change_end(c, rc, "member.create", "member",
	    rc == APP_OK ? PQgetvalue(res, 0, 0) : "", detail)) != APP_OK)
		goto out;
	snprintf(loc, sizeof(loc), PREFIX "/projects/%s/members/%s",
	    c->param[0], PQgetvalue(res, 0, 0));
	rc = reply_created(c, loc);
out:
	PQclear(res);
	json_decref(detail);
	json_decref(in);
	free(p.json);
	return rc;
}

/*
 * The member of the path, authorized on the project it belongs to as
 * stored: one of another project answers 404 under this one's URL.
 */
static enum app_err
member_authorize(struct ctx *c, enum policy_action act,
    struct project_row *p, char mid[24], char **json_new)
{
	const char	*v[1];
	long long	 id;
	PGresult	*res = NULL;
	enum app_err	 rc;

	*json_new = NULL;
	if ((rc = project_authorize(c, act, p)) != APP_OK)
		return rc;
	if (api_parse_id(c->param[1], &id) != APP_OK)
		return APP_ENOTFOUND;
	lldec(id, mid);
	v[0] = mid;
	if ((rc = db_exec(&c->a->db, STMT_MEMBER_GET, v, NULL, NULL, &res)) !=
	    APP_OK)
		return rc;
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), p->sid) != 0)
		rc = APP_ENOTFOUND;
	else if ((*json_new = strdup(PQgetvalue(res, 0, 1))) == NULL)
		rc = APP_ENOMEM;
	PQclear(res);
	return rc;
}

static enum app_err
member_get(struct ctx *c, const char **msg)
{
	struct project_row	 p;
	char			 mid[24], *json = NULL;
	enum app_err		 rc;

	if ((rc = member_authorize(c, POLICY_MEMBER_READ, &p, mid, &json)) ==
	    APP_OK)
		rc = reply_db_json(c, 200, json);
	free(json);
	free(p.json);
	return rc;
}

static enum app_err
member_put(struct ctx *c, const char **msg)
{
	struct project_row	 p;
	json_t			*in = NULL, *detail = NULL;
	char			 mid[24], role[24], *json = NULL;
	const char		*v[3];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = member_authorize(c, POLICY_MEMBER_WRITE, &p, mid, &json)) !=
	    APP_OK)
		goto out;
	if ((rc = body(c, &schema_member_role, &in, msg)) != APP_OK)
		goto out;
	lldec(json_integer_value(json_object_get(in, "role_id")), role);
	v[0] = mid;
	v[1] = p.sid;
	v[2] = role;
	rc = change_one(c, STMT_MEMBER_UPDATE, v, &res);
	if (rc == APP_OK && (detail = json_pack("{s:s,s:s,s:i}", "project",
	    p.name, "user_id", PQgetvalue(res, 0, 0), "role_id",
	    atoi(role))) == NULL)
		rc = APP_ENOMEM;
	if ((rc = change_end(c, rc, "member.update", "member", mid,
	    detail)) == APP_OK)
		reply_empty(c, 200);
out:
	PQclear(res);
	json_decref(detail);
	json_decref(in);
	free(json);
	free(p.json);
	return rc;
}

static enum app_err
member_delete(struct ctx *c, const char **msg)
{
	struct project_row	 p;
	json_t			*detail = NULL;
	char			 mid[24], *json = NULL;
	const char		*v[2];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = member_authorize(c, POLICY_MEMBER_WRITE, &p, mid, &json)) !=
	    APP_OK)
		goto out;
	v[0] = mid;
	v[1] = p.sid;
	rc = change_one(c, STMT_MEMBER_DELETE, v, &res);
	if (rc == APP_OK && (detail = json_pack("{s:s,s:s}", "project",
	    p.name, "user_id", PQgetvalue(res, 0, 0))) == NULL)
		rc = APP_ENOMEM;
	if ((rc = change_end(c, rc, "member.delete", "member", mid,
	    detail)) == APP_OK)
		reply_empty(c, 200);
out:
	PQclear(res);
	json_decref(detail);
	free(json);
	free(p.json);
	return rc;
}

/* --- robots ------------------------------------------------------------- */

struct robot_row {
	bool		 exists;
	bool		 system;
	char		 sid[24];
	char		 pid[24];		/* "" for a system robot */
	char		 login[2 * BASIC_USER_MAX + 16];
	char		*json;			/* owned */
};

/* The robot of the path with its project as stored, then the policy. */
static enum app_err
robot_authorize(struct ctx *c, enum policy_action act, struct robot_row *rb)
{
	struct policy_object	 o;
	const char		*v[2];
	char			 uid[24];
	long long		 id;
	PGresult		*res = NULL;
	enum app_err		 rc;

	memset(rb, 0, sizeof(*rb));
	memset(&o, 0, sizeof(o));
	if (api_parse_id(c->param[0], &id) == APP_OK) {
		lldec(id, rb->sid);
		lldec(c->caller.user_id, uid);
		v[0] = rb->sid;
		v[1] = uid;
		if ((rc = db_exec(&c->a->db, STMT_ROBOT_GET, v, NULL, NULL,
		    &res)) != APP_OK)
			return rc;
		if (PQntuples(res) == 1) {
			rb->exists = o.exists = true;
			rb->system = o.system = PQgetisnull(res, 0, 0);
			snprintf(rb->pid, sizeof(rb->pid), "%s",
			    PQgetvalue(res, 0, 0));
			o.public = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
			o.role = PQgetisnull(res, 0, 2) ? 0 :
			    (enum authz_role)atoi(PQgetvalue(res, 0, 2));
			snprintf(rb->login, sizeof(rb->login), "%s",
			    PQgetvalue(res, 0, 3));
			rb->json = strdup(PQgetvalue(res, 0, 4));
			if (rb->json == NULL) {
				PQclear(res);
				return APP_ENOMEM;
			}
		}
		PQclear(res);
	}
	return policy_check(&c->caller, act, &o);
}

/*
 * Check a Permission list and that the caller may grant each part:
 * kind "project" only; namespace "*" (every project, system robots and
 * system admins only) or an existing project's name; access as above,
 * effect "allow" or absent (berth has no deny).  A project robot has
 * exactly one, on its own project, whose id goes to pid.  The id of
 * each namespace's project ("" for "*") goes to pids[i].
 */
static enum app_err
robot_perms_check(struct ctx *c, const json_t *perms, bool system,
    char pid[24], char pids[][24], const char **msg)
{
	struct project_row	 p;
	struct policy_object	 o;
	const json_t		*perm, *acc;
	const char		*ns, *e;
	size_t			 i, j;
	enum app_err		 rc;

	if (!system && json_array_size(perms) != 1) {
		*msg = "a project robot has one permission, on its project";
		return APP_EBADREQ;
	}
	json_array_foreach(perms, i, perm) {
		if (strcmp(str(perm, "kind"), "project") != 0) {
			*msg = "permissions: kind must be \"project\"";
			return APP_EBADREQ;
		}
		if (json_array_size(json_object_get(perm, "access")) == 0) {
			*msg = "permissions: access is empty";
			return APP_EBADREQ;
		}
		json_array_foreach(json_object_get(perm, "access"), j, acc) {
			/* Only what the token endpoint grants. */
			if (robot_action(str(acc, "resource"),
			    str(acc, "action")) == 0) {
				*msg = "access: repository pull, push or "
				    "delete, or artifact delete";
				return APP_EBADREQ;
			}
			if ((e = str(acc, "effect")) != NULL &&
			    strcmp(e, "allow") != 0) {
				*msg = "access: effect must be \"allow\"";
				return APP_EBADREQ;
			}
		}
		ns = str(perm, "namespace");
		memset(&o, 0, sizeof(o));
		pids[i][0] = '\0';
		if (strcmp(ns, "*") == 0) {
			if (!system) {
				*msg = "namespace \"*\" needs level system";
				return APP_EBADREQ;
			}
			o.exists = o.system = true;
		} else {
			if (names_check_project(ns, strlen(ns), msg) != APP_OK)
				return APP_EBADREQ;
			if ((rc = project_load(c, ns, true, &p)) != APP_OK)
				return rc;
			free(p.json);
			o.exists = p.exists;
			o.public = p.public;
			o.role = (enum authz_role)p.role;
			snprintf(pids[i], 24, "%s", p.sid);
		}
		if ((rc = policy_check(&c->caller, POLICY_ROBOT_GRANT, &o)) !=
		    APP_OK) {
			*msg = rc == APP_ENOTFOUND ? "no such project" :
			    "you may not grant access to this project";
			return rc;
		}
		if (!system)
			snprintf(pid, 24, "%s", pids[i]);
	}
	return APP_OK;
}

/* Store the permissions robot_perms_check() accepted. */
static enum app_err
robot_perms_write(struct ctx *c, const char *rid, const json_t *perms,
    char pids[][24])
{
	const json_t	*perm, *acc;
	const char	*v[6];
	size_t		 i, j;
	enum app_err	 rc;

	json_array_foreach(perms, i, perm) {
		json_array_foreach(json_object_get(perm, "access"), j, acc) {
			v[0] = rid;
			v[1] = str(perm, "kind");
			v[2] = str(perm, "namespace");
			v[3] = pids[i][0] != '\0' ? pids[i] : NULL;
			v[4] = str(acc, "resource");
			v[5] = str(acc, "action");
			if ((rc = db_exec(&c->a->db, STMT_ROBOT_PERM_INSERT, v,
			    NULL, NULL, NULL)) != APP_OK)
				return rc;
		}
	}
	return APP_OK;
}


static enum app_err
robots_create(struct ctx *c, const char **msg)
{
	json_t		*in = NULL, *out = NULL, *detail = NULL;
	const json_t	*perms;
	const char	*name, *level, *v[7];
	char		 pid[24] = "";
	char		 pids[SCHEMA_ROBOT_PERMS_MAX][24];
	char		 hexhash[ROBOT_HASH_HEX] = "", dur[24], loc[64];
	char		 login[2 * BASIC_USER_MAX + 16];
	char		*secret = NULL;
	bool		 system;
	PGresult	*res = NULL;
	enum app_err	 rc;

	if ((rc = body(c, &schema_robot_create, &in, msg)) != APP_OK)
		goto out;
	name = str(in, "name");
	level = str(in, "level");
	perms = json_object_get(in, "permissions");
	rc = APP_EBADREQ;
	if (strcmp(level, "project") != 0 && strcmp(level, "system") != 0) {
		*msg = "level must be \"project\" or \"system\"";
		goto out;
	}
	system = strcmp(level, "system") == 0;
	/* A robot's name is a username's, so '+' and '$' cannot mislead. */
	if (names_check_user(name, strlen(name), msg) != APP_OK)
		goto out;
	if (json_object_get(in, "duration") != NULL &&
	    json_integer_value(json_object_get(in, "duration")) == 0) {
		*msg = "duration is -1 (never expires) or a number of days";
		goto out;
	}
	if (system && (rc = policy_check(&c->caller, POLICY_ROBOT_SYSTEM,
	    NULL)) != APP_OK) {
		*msg = "only system admins create system robots";
		goto out;
	}
	if ((rc = robot_perms_check(c, perms, system, pid, pids, msg)) !=
	    APP_OK)
		goto out;
	if (str(in, "secret") != NULL) {
		if (!robot_secret_ok(str(in, "secret"))) {
			*msg = "secret: 8 to 128 characters with upper and "
			    "lower case letters and a digit";
			rc = APP_EBADREQ;
			goto out;
		}
		if ((secret = strdup(str(in, "secret"))) == NULL) {
			rc = APP_ENOMEM;
			goto out;
		}
		rc = robot_secret_hash(secret, hexhash);
	} else
		rc = robot_secret_new(&secret, hexhash);
	if (rc != APP_OK)
		goto out;
	lldec(json_object_get(in, "duration") != NULL ?
	    json_integer_value(json_object_get(in, "duration")) : -1, dur);
	v[0] = name;
	v[1] = system ? NULL : pid;
	v[2] = str(in, "description") ? str(in, "description") : "";
	v[3] = hexhash;
	v[4] = json_is_true(json_object_get(in, "disable")) ? "true" : "false";
	v[5] = dur;
	v[6] = c->user;
	if ((rc = change_begin(c)) != APP_OK)
		goto out;
	rc = db_exec(&c->a->db, STMT_ROBOT_INSERT, v, NULL, NULL, &res);
	if (rc == APP_ECONFLICT)
		*msg = "a robot with this name exists";
	if (rc == APP_OK)
		rc = robot_perms_write(c, PQgetvalue(res, 0, 0), perms, pids);
	/* A project robot's one namespace is its project's name. */
	if (!system)
		snprintf(login, sizeof(login), ROBOT_PREFIX "%s+%s",
		    str(json_array_get(perms, 0), "namespace"), name);
	else
		snprintf(login, sizeof(login), ROBOT_PREFIX "%s", name);
	/* The audit row: what was granted, never the secret. */
	if (rc == APP_OK && (detail = json_pack("{s:s,s:s,s:s,s:O,s:O}",
	    "id", PQgetvalue(res, 0, 0), "level", level, "duration", dur,
	    "disable",
	    json_object_get(in, "disable") ? json_object_get(in, "disable") :
	    json_false(), "permissions", perms)) == NULL)
		rc = APP_ENOMEM;
	if ((rc = change_end(c, rc, "robot.create", "robot", login,
	    detail)) != APP_OK)
		goto out;
	/* Harbor's RobotCreated: the only time the secret is shown. */
	if ((out = json_pack("{s:I,s:s,s:s,s:s,s:I}", "id",
	    (json_int_t)strtoll(PQgetvalue(res, 0, 0), NULL, 10), "name",
	    login, "secret", secret, "creation_time", PQgetvalue(res, 0, 1),
	    "expires_at", (json_int_t)strtoll(PQgetvalue(res, 0, 2), NULL,
	    10))) == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	snprintf(loc, sizeof(loc), PREFIX "/robots/%s", PQgetvalue(res, 0, 0));
	if ((rc = http_add_header(c->r, "Location", loc)) != APP_OK) {
		json_decref(out);
		goto out;
	}
	http_json(c->r, 201, out);
out:
	if (secret != NULL) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
	OPENSSL_cleanse(hexhash, sizeof(hexhash));
	PQclear(res);
	json_decref(detail);
	json_decref(in);
	return rc;
}

/*
 * Harbor's q for robots: comma-separated Level=project|system and
 * ProjectID=<id>; nothing else.
 */
static enum app_err
robot_filter(const char *q, const char **level, char pid[24],
    const char **msg)
{
	char		 buf[128], *tok, *last;
	long long	 id;

	*level = NULL;
	pid[0] = '\0';
	if (q == NULL)
		return APP_OK;
	*msg = "q supports Level=project|system and ProjectID=<id>";
	if (strlen(q) >= sizeof(buf))
		return APP_EBADREQ;
	snprintf(buf, sizeof(buf), "%s", q);
	for (tok = strtok_r(buf, ",", &last); tok != NULL;
	    tok = strtok_r(NULL, ",", &last)) {
		if (strcmp(tok, "Level=project") == 0)
			*level = "project";
		else if (strcmp(tok, "Level=system") == 0)
			*level = "system";
		else if (strncmp(tok, "ProjectID=", 10) == 0 &&
		    api_parse_id(tok + 10, &id) == APP_OK)
			lldec(id, pid);
		else
			return APP_EBADREQ;
	}
	return APP_OK;
}

static enum app_err
robots_list(struct ctx *c, const char **msg)
{
	static const char *const allowed[] = { "page", "page_size", "q",
	    "sort", NULL };
	const struct form	*q;
	struct api_page		 pg;
	struct project_row	 p;
	struct policy_object	 o;
	const char		*level, *sort, *v[4];
	char			 pid[24], lim[24], off[24];
	PGresult		*res = NULL;
	enum app_err		 rc;

	memset(&p, 0, sizeof(p));
	if ((rc = query(c, allowed, &q, msg)) != APP_OK ||
	    (rc = api_page_parse(q, &pg, msg)) != APP_OK)
		goto out;
	/* Harbor's default order only: newest last, by id. */
	if ((sort = form_get(q, "sort")) != NULL && strcmp(sort, "id") != 0) {
		*msg = "sort must be id";
		rc = APP_EBADREQ;
		goto out;
	}
	if ((rc = robot_filter(form_get(q, "q"), &level, pid, msg)) != APP_OK)
		goto out;
	/* A project's robots for its admins; all of them for system admins. */
	if (pid[0] != '\0') {
		if ((rc = project_load(c, pid, false, &p)) != APP_OK)
			goto out;
		memset(&o, 0, sizeof(o));
		o.exists = p.exists;
		o.public = p.public;
		o.role = (enum authz_role)p.role;
		rc = policy_check(&c->caller, POLICY_ROBOT_READ, &o);
	} else
		rc = policy_check(&c->caller, POLICY_ROBOT_SYSTEM, NULL);
	if (rc != APP_OK)
		goto out;
	lldec(pg.size, lim);
	lldec(api_page_offset(&pg), off);
	v[0] = level;
	v[1] = pid[0] != '\0' ? pid : NULL;
	v[2] = lim;
	v[3] = off;
	if ((rc = db_exec(&c->a->db, STMT_ROBOT_LIST, v, NULL, NULL, &res)) ==
	    APP_OK)
		rc = reply_list(c, res, q, &pg);
out:
	PQclear(res);
	free(p.json);
	return rc;
}

static enum app_err
robot_get(struct ctx *c, const char **msg)
{
	struct robot_row	 rb;
	enum app_err		 rc;

	if ((rc = robot_authorize(c, POLICY_ROBOT_READ, &rb)) == APP_OK)
		rc = reply_db_json(c, 200, rb.json);
	free(rb.json);
	return rc;
}

static enum app_err
robot_put(struct ctx *c, const char **msg)
{
	struct robot_row	 rb;
	json_t			*in = NULL, *j;
	const json_t		*perms;
	const char		*v[4], *s;
	char			 pid[24] = "";
	char			 pids[SCHEMA_ROBOT_PERMS_MAX][24];
	char			 dur[24];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = robot_authorize(c, POLICY_ROBOT_WRITE, &rb)) != APP_OK)
		goto out;
	if ((rc = body(c, &schema_robot_update, &in, msg)) != APP_OK)
		goto out;
	rc = APP_EBADREQ;
	if ((j = json_object_get(in, "id")) != NULL &&
	    json_integer_value(j) != strtoll(rb.sid, NULL, 10)) {
		*msg = "id is not this robot's";
		goto out;
	}
	if ((s = str(in, "name")) != NULL && strcmp(s, rb.login) != 0) {
		*msg = "a robot cannot be renamed";
		goto out;
	}
	if ((s = str(in, "level")) != NULL &&
	    strcmp(s, rb.system ? "system" : "project") != 0) {
		*msg = "a robot's level cannot change";
		goto out;
	}
	if ((j = json_object_get(in, "duration")) != NULL &&
	    json_integer_value(j) == 0) {
		*msg = "duration is -1 (never expires) or a number of days";
		goto out;
	}
	if ((perms = json_object_get(in, "permissions")) != NULL) {
		if ((rc = robot_perms_check(c, perms, rb.system, pid, pids,
		    msg)) != APP_OK)
			goto out;
		rc = APP_EBADREQ;
		if (!rb.system && strcmp(pid, rb.pid) != 0) {
			*msg = "a project robot's permission is on its project";
			goto out;
		}
	}
	v[0] = rb.sid;
	v[1] = str(in, "description");
	v[2] = (j = json_object_get(in, "disable")) == NULL ? NULL :
	    json_is_true(j) ? "true" : "false";
	v[3] = NULL;
	if ((j = json_object_get(in, "duration")) != NULL) {
		lldec(json_integer_value(j), dur);
		v[3] = dur;
	}
	rc = change_one(c, STMT_ROBOT_UPDATE, v, &res);
	if (rc == APP_OK && perms != NULL && (rc = db_exec(&c->a->db,
	    STMT_ROBOT_PERMS_CLEAR, v, NULL, NULL, NULL)) == APP_OK)
		rc = robot_perms_write(c, rb.sid, perms, pids);
	/* The body holds no secret (the schema has none). */
	if ((rc = change_end(c, rc, "robot.update", "robot", rb.login, in)) ==
	    APP_OK)
		reply_empty(c, 200);
out:
	PQclear(res);
	json_decref(in);
	free(rb.json);
	return rc;
}

/*
 * PATCH: Harbor's secret refresh, answered as RobotSec.  No body, or no
 * "secret": a new random one, shown this once; a chosen one must meet
 * the rules and answers {"secret":""}.  The old one stops working at
 * once.
 */
static enum app_err
robot_patch(struct ctx *c, const char **msg)
{
	struct robot_row	 rb;
	json_t			*in = NULL, *out;
	const char		*cl, *given = NULL, *v[2];
	char			*secret = NULL, hexhash[ROBOT_HASH_HEX] = "";
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = robot_authorize(c, POLICY_ROBOT_WRITE, &rb)) != APP_OK)
		goto out;
	cl = http_param(c->r, "CONTENT_LENGTH");
	if (cl != NULL && *cl != '\0' && strcmp(cl, "0") != 0) {
		if ((rc = body(c, &schema_robot_sec, &in, msg)) != APP_OK)
			goto out;
		given = str(in, "secret");
	}
	if (given != NULL) {
		if (!robot_secret_ok(given)) {
			*msg = "secret: 8 to 128 characters with upper and "
			    "lower case letters and a digit";
			rc = APP_EBADREQ;
			goto out;
		}
		rc = robot_secret_hash(given, hexhash);
	} else
		rc = robot_secret_new(&secret, hexhash);
	if (rc != APP_OK)
		goto out;
	v[0] = rb.sid;
	v[1] = hexhash;
	rc = change_one(c, STMT_ROBOT_SECRET, v, &res);
	if ((rc = change_end(c, rc, "robot.refresh", "robot", rb.login,
	    NULL)) != APP_OK)
		goto out;
	/* As Harbor: a chosen secret is answered as "", never echoed. */
	if ((out = json_pack("{s:s}", "secret", secret != NULL ? secret :
	    "")) != NULL)
		http_json(c->r, 200, out);
	else
		rc = APP_ENOMEM;
out:
	if (secret != NULL) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
	if (in != NULL && given != NULL)
		OPENSSL_cleanse((char *)given, strlen(given));
	OPENSSL_cleanse(hexhash, sizeof(hexhash));
	PQclear(res);
	json_decref(in);
	free(rb.json);
	return rc;
}

/* Its permissions go with it (ON DELETE CASCADE); tokens end at once. */
static enum app_err
robot_delete(struct ctx *c, const char **msg)
{
	struct robot_row	 rb;
	const char		*v[1];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = robot_authorize(c, POLICY_ROBOT_WRITE, &rb)) != APP_OK)
		goto out;
	v[0] = rb.sid;
	rc = change_one(c, STMT_ROBOT_DELETE, v, &res);
	if ((rc = change_end(c, rc, "robot.delete", "robot", rb.login,
	    NULL)) == APP_OK)
		reply_empty(c, 200);
out:
	PQclear(res);
	free(rb.json);
	return rc;
}

/* --- sessions (berth's) ------------------------------------------------- */

static enum app_err
sessions_list(struct ctx *c, const char **msg)
{
	static const char *const allowed[] = { "page", "page_size", NULL };
	struct user_row		 u;
	const struct form	*q;
	struct api_page		 pg;
	const char		*v[3];
	char			 lim[24], off[24];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = user_authorize(c, POLICY_SESSION, &u)) != APP_OK)
		goto out;
	if ((rc = query(c, allowed, &q, msg)) != APP_OK ||
	    (rc = api_page_parse(q, &pg, msg)) != APP_OK)
		goto out;
	lldec(pg.size, lim);
	lldec(api_page_offset(&pg), off);
	v[0] = u.sid;
	v[1] = lim;
	v[2] = off;
	if ((rc = db_exec(&c->a->db, STMT_SESSION_LIST, v, NULL, NULL,
	    &res)) == APP_OK)
		rc = reply_list(c, res, q, &pg);
out:
	PQclear(res);
	free(u.json);
	return rc;
}

/* One session, only under the URL of the user it belongs to. */
static enum app_err
session_revoke(struct ctx *c, const char **msg)
{
	struct user_row	 u;
	json_t		*detail = NULL;
	const char	*v[2];
	char		 sid[24];
	long long	 id;
	PGresult	*res = NULL;
	enum app_err	 rc;

	if ((rc = user_authorize(c, POLICY_SESSION, &u)) != APP_OK)
		goto out;
	if (api_parse_id(c->param[1], &id) != APP_OK) {
		rc = APP_ENOTFOUND;
		goto out;
	}
	lldec(id, sid);
	v[0] = sid;
	v[1] = u.sid;
	rc = change_one(c, STMT_SESSION_REVOKE, v, &res);
	if (rc == APP_OK && (detail = json_pack("{s:s}", "user_id", u.sid)) ==
	    NULL)
		rc = APP_ENOMEM;
	if ((rc = change_end(c, rc, "session.revoke", "session", sid,
	    detail)) == APP_OK)
		reply_empty(c, 200);
out:
	PQclear(res);
	json_decref(detail);
	free(u.json);
	return rc;
}

static enum app_err
sessions_revoke(struct ctx *c, const char **msg)
{
	struct user_row	 u;
	const char	*v[1];
	enum app_err	 rc;

	if ((rc = user_authorize(c, POLICY_SESSION, &u)) != APP_OK)
		goto out;
	v[0] = u.sid;
	if ((rc = change_begin(c)) != APP_OK)
		goto out;
	rc = db_exec(&c->a->db, STMT_SESSIONS_REVOKE_USER, v, NULL, NULL,
	    NULL);
	if ((rc = change_end(c, rc, "session.revoke_all", "user", u.sid,
	    NULL)) == APP_OK)
		reply_empty(c, 200);
out:
	free(u.json);
	return rc;
}

/* --- signing keys (berth's) --------------------------------------------- */

/*
 * The rotation steps run their own transactions (lib/keystore.c, under
 * the keys' lock), so the audit row follows the step rather than
 * sharing its transaction: a step is never undone for want of a row.
 */
static enum app_err
key_audit(struct ctx *c, const char *action, const char *kid,
    const json_t *detail)
{
	return audit_write(&c->a->db, c->user, action, "key", kid, detail,
	    c->addr);
}

static enum app_err
keys_list(struct ctx *c, const char **msg)
{
	PGresult	*res = NULL;
	enum app_err	 rc;

	if ((rc = policy_check(&c->caller, POLICY_KEY, NULL)) != APP_OK)
		return rc;
	if ((rc = db_exec(&c->a->db, STMT_KEYS_ADMIN_LIST, NULL, NULL, NULL,
	    &res)) == APP_OK)
		rc = reply_db_json(c, 200, PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

static enum app_err
keys_create(struct ctx *c, const char **msg)
{
	char		 kid[KEYS_KID_LEN + 1] = "";
	json_t		*out;
	enum app_err	 rc;

	if ((rc = policy_check(&c->caller, POLICY_KEY, NULL)) != APP_OK)
		return rc;
	/*
	 * The private key is sealed with the cluster secret, read now
	 * (with the key set) since this program needs it for nothing else.
	 */
	if ((rc = app_keys_refresh(c->a, true)) != APP_OK)
		return rc;
	if (!c->a->have_secret) {
		*msg = "this node has no cluster secret";
		return APP_EUNAVAIL;
	}
	rc = keystore_next(&c->a->db, &c->a->cfg, c->a->secret, kid);
	if (rc == APP_ECONFLICT)
		*msg = "a next key exists already: activate it first";
	if (rc != APP_OK)
		return rc;
	if ((rc = key_audit(c, "key.create", kid, NULL)) != APP_OK)
		return rc;
	if ((out = json_pack("{s:s,s:s}", "kid", kid, "state", "next")) ==
	    NULL)
		return APP_ENOMEM;
	if ((rc = http_add_header(c->r, "Location", PREFIX "/keys")) !=
	    APP_OK) {
		json_decref(out);
		return rc;
	}
	http_json(c->r, 201, out);
	return APP_OK;
}

static enum app_err
keys_activate(struct ctx *c, const char **msg)
{
	char		 kid[KEYS_KID_LEN + 1] = "";
	json_t		*out;
	enum app_err	 rc;

	if ((rc = policy_check(&c->caller, POLICY_KEY, NULL)) != APP_OK)
		return rc;
	rc = keystore_activate(&c->a->db, kid);
	if (rc == APP_ENOTFOUND)
		*msg = "there is no next key to activate";
	if (rc != APP_OK)
		return rc;
	if ((rc = key_audit(c, "key.activate", kid, NULL)) != APP_OK)
		return rc;
	if ((out = json_pack("{s:s,s:s}", "kid", kid, "state", "active")) ==
	    NULL)
		return APP_ENOMEM;
	http_json(c->r, 200, out);
	return APP_OK;
}

static enum app_err
keys_retire(struct ctx *c, const char **msg)
{
	json_t		*out;
	int		 retired = 0, young = 0;
	enum app_err	 rc;

	if ((rc = policy_check(&c->caller, POLICY_KEY, NULL)) != APP_OK)
		return rc;
	if ((rc = keystore_retire(&c->a->db,
	    keystore_retire_age(&c->a->cfg), &retired, &young)) != APP_OK)
		return rc;
	if ((out = json_pack("{s:i,s:i}", "retired", retired, "kept",
	    young)) == NULL)
		return APP_ENOMEM;
	if ((rc = key_audit(c, "key.retire", "", out)) != APP_OK) {
		json_decref(out);
		return rc;
	}
	http_json(c->r, 200, out);
	return APP_OK;
}

/* --- the audit log (berth's) -------------------------------------------- */

static enum app_err
audit_list(struct ctx *c, const char **msg)
{
	static const char *const allowed[] = { "actor", "action", "from",
	    "to", "page", "page_size", NULL };
	static const char *const times[] = { "from", "to" };
	const struct form	*q;
	struct api_page		 pg;
	const char		*v[6];
	char			 lim[24], off[24];
	PGresult		*res = NULL;
	enum app_err		 rc;

	if ((rc = policy_check(&c->caller, POLICY_AUDIT_READ, NULL)) !=
	    APP_OK)
		return rc;
	if ((rc = query(c, allowed, &q, msg)) != APP_OK ||
	    (rc = api_page_parse(q, &pg, msg)) != APP_OK)
		return rc;
	v[0] = form_get(q, "actor");
	v[1] = form_get(q, "action");
	if ((v[0] != NULL && strlen(v[0]) > 2 * NAMES_USER_MAX) ||
	    (v[1] != NULL && strlen(v[1]) > 64)) {
		*msg = "actor or action is too long";
		return APP_EBADREQ;
	}
	for (size_t i = 0; i < 2; i++) {
		v[2 + i] = form_get(q, times[i]);
		if (v[2 + i] != NULL && !api_time_ok(v[2 + i])) {
			*msg = "from and to are RFC 3339 times "
			    "(2006-01-02T15:04:05Z)";
			return APP_EBADREQ;
		}
	}
	lldec(pg.size, lim);
	lldec(api_page_offset(&pg), off);
	v[4] = lim;
	v[5] = off;
	if ((rc = db_exec(&c->a->db, STMT_AUDIT_LIST, v, NULL, NULL, &res)) ==
	    APP_OK)
		rc = reply_list(c, res, q, &pg);
	PQclear(res);
	return rc;
}

/* --- routing and authentication ------------------------------------------ */

static const struct route {
	const char	*method;
	const char	*pattern;	/* under PREFIX; {x} is one segment */
	handler		 handle;
} routes[] = {
	/* Literal paths before the {param} ones they would also match. */
	{ "GET",	"/users/current",		user_current },
	{ "GET",	"/users/search",		users_search },
	{ "POST",	"/users",			users_create },
	{ "GET",	"/users",			users_list },
	{ "GET",	"/users/{id}",			user_get },
	{ "PUT",	"/users/{id}",			user_put },
	{ "DELETE",	"/users/{id}",			user_delete },
	{ "PUT",	"/users/{id}/password",		user_password },
	{ "PUT",	"/users/{id}/sysadmin",		user_sysadmin },
	{ "PUT",	"/users/{id}/disabled",		user_disabled },
	{ "GET",	"/users/{id}/sessions",		sessions_list },
	{ "DELETE",	"/users/{id}/sessions",		sessions_revoke },
	{ "DELETE",	"/users/{id}/sessions/{sid}",	session_revoke },
	{ "POST",	"/projects",			projects_create },
	{ "HEAD",	"/projects",			projects_head },
	{ "GET",	"/projects",			projects_list },
	{ "GET",	"/projects/{p}",		project_get },
	{ "PUT",	"/projects/{p}",		project_put },
	{ "DELETE",	"/projects/{p}",		project_delete },
	{ "GET",	"/projects/{p}/members",	members_list },
	{ "POST",	"/projects/{p}/members",	members_create },
	{ "GET",	"/projects/{p}/members/{mid}",	member_get },
	{ "PUT",	"/projects/{p}/members/{mid}",	member_put },
	{ "DELETE",	"/projects/{p}/members/{mid}",	member_delete },
	{ "POST",	"/robots",			robots_create },
	{ "GET",	"/robots",			robots_list },
	{ "GET",	"/robots/{id}",			robot_get },
	{ "PUT",	"/robots/{id}",			robot_put },
	{ "PATCH",	"/robots/{id}",			robot_patch },
	{ "DELETE",	"/robots/{id}",			robot_delete },
	{ "POST",	"/keys/activate",		keys_activate },
	{ "POST",	"/keys/retire",			keys_retire },
	{ "GET",	"/keys",			keys_list },
	{ "POST",	"/keys",			keys_create },
	{ "GET",	"/audit-logs",			audit_list },
};
#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

/*
 * Does path match pattern?  Each {x} takes one non-empty segment, copied
 * into buf (NUL-terminated) and pointed to from param[].
 */
static bool
match(const char *pat, const char *path, char *buf, size_t bufsz,
    const char **param, size_t *nparam)
{
	size_t	 o = 0, n;

	*nparam = 0;
	while (*pat != '\0') {
		if (*pat == '{') {
			if ((pat = strchr(pat, '}')) == NULL)
				return false;
			pat++;
			n = strcspn(path, "/");
			if (n == 0 || *nparam == PARAMS_MAX || o + n + 1 > bufsz)
				return false;
			memcpy(buf + o, path, n);
			buf[o + n] = '\0';
			param[(*nparam)++] = buf + o;
			o += n + 1;
			path += n;
			continue;
		}
		if (*pat++ != *path++)
			return false;
	}
	return *path == '\0';
}

static const char *
remote_addr(const struct http_req *r)
{
	const char	*a = http_param(r, "REMOTE_ADDR");

	return a != NULL ? a : "-";
}

static enum app_err
unauthorized(struct ctx *c)
{
	enum app_err	 rc;

	if ((rc = http_add_header(c->r, "WWW-Authenticate",
	    "Basic realm=\"berth\", charset=\"UTF-8\"")) != APP_OK)
		return rc;
	return APP_EUNAUTH;
}

/*
 * Who is calling: a user with valid Basic credentials, by the same rules
 * as the token endpoint (login_verify: lockout, cache, disabled).
 */
static enum app_err
authenticate(struct ctx *c, const char **msg)
{
	struct basic_cred	 cred;
	struct login_row	 row;
	const char		*auth, *v[1];
	PGresult		*res = NULL;
	enum app_err		 rc;

	memset(&cred, 0, sizeof(cred));
	if ((auth = http_header(c->r, "Authorization")) == NULL ||
	    basic_parse(auth, strlen(auth), &cred) != APP_OK)
		return unauthorized(c);
	/* Robots never use this API; their secret is not even looked at. */
	if (strncmp(cred.user, ROBOT_PREFIX, strlen(ROBOT_PREFIX)) == 0) {
		basic_wipe(&cred);
		*msg = "robot accounts may not use the admin API";
		return APP_EFORBIDDEN;
	}
	v[0] = cred.user;
	if ((rc = db_exec(&c->a->db, STMT_ADMIN_CALLER, v, NULL, NULL,
	    &res)) != APP_OK)
		goto out;
	row.known = !PQgetisnull(res, 0, 0);
	row.user_id = PQgetvalue(res, 0, 0);
	row.hash = PQgetvalue(res, 0, 1);
	row.disabled = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	row.failures = atoi(PQgetvalue(res, 0, 4));
	row.locked = strcmp(PQgetvalue(res, 0, 5), "t") == 0;
	if ((rc = login_verify(&c->a->db, &c->a->cfg, &cred, &row, c->addr)) !=
	    APP_OK) {
		if (rc == APP_EUNAUTH)
			rc = unauthorized(c);
		goto out;
	}
	c->caller.user_id = strtoll(row.user_id, NULL, 10);
	c->caller.sysadmin = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	snprintf(c->user, sizeof(c->user), "%s", cred.user);
	rc = APP_OK;
out:
	PQclear(res);
	basic_wipe(&cred);
	return rc;
}

static enum app_err
route(struct app *a, struct http_req *r, const char **msg)
{
	char			 buf[HTTP_PATH_MAX + 1], allow[64] = "";
	const char		*path;
	const struct route	*hit = NULL, *first = NULL;
	struct ctx		 c;
	size_t			 np;
	enum app_err		 rc;

	why[0] = '\0';
	if (strncmp(r->path, PREFIX "/", sizeof(PREFIX)) != 0)
		return APP_ENOTFOUND;
	path = r->path + sizeof(PREFIX) - 1;
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.r = r;
	c.addr = remote_addr(r);

	/*
	 * The first pattern the path matches decides the resource; among
	 * the routes of that same pattern, the method picks the handler.
	 */
	for (size_t i = 0; i < NROUTES; i++) {
		if (first != NULL && strcmp(routes[i].pattern,
		    first->pattern) != 0)
			continue;
		if (first == NULL && !match(routes[i].pattern, path, buf,
		    sizeof(buf), c.param, &np))
			continue;
		if (first == NULL) {
			first = &routes[i];
			c.nparam = np;
		}
		snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow),
		    "%s%s", allow[0] ? ", " : "", routes[i].method);
		if (strcmp(routes[i].method, r->method) == 0)
			hit = &routes[i];
	}
	if (first == NULL)
		return APP_ENOTFOUND;
	if (hit == NULL) {
		if ((rc = http_add_header(r, "Allow", allow)) != APP_OK)
			return rc;
		return APP_EMETHOD;
	}
	if ((rc = authenticate(&c, msg)) != APP_OK)
		return rc;
	rc = hit->handle(&c, msg);
	/* A transaction left open by a failure path is closed here. */
	db_rollback(&a->db);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct app	 a;
	int		 rc;

	app_init(&a, "berth-admin", argc, argv);
	credcache_init(a.cfg.cred_cache_ttl * 1000);
	rc = app_serve(&a, route);
	app_free(&a);
	return rc;
}
