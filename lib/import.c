/* import: htpasswd files and Harbor databases into berth (see import.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "audit.h"
#include "harbor.h"
#include "htpasswd.h"
#include "import.h"
#include "log.h"
#include "names.h"
#include "password.h"
#include "robot.h"

#define ACTOR		"berthctl"
#define QUOTE_MAX	(4 * NAMES_USER_MAX + 16)	/* every byte as \xNN */
#define DAY		86400LL
#define ROBOT_DAYS_CAP	365000LL	/* a thousand years: as good as never */

/*
 * The password_hash of an imported account that has no password berth
 * can verify (a Harbor user of LDAP or OIDC): not of any kind lib/password
 * accepts, so it never matches.  Such an account is imported disabled;
 * a system admin gives it a password and enables it.
 */
#define NO_PASSWORD	"!imported-without-password"

/* Where a robot's new secret waits until the commit. */
struct secret {
	char	*login;
	char	*secret;
};

/* One run of an import. */
struct run {
	struct db			*db;
	const struct import_opts	*o;
	const char			*what;		/* "import-harbor" ... */
	const char			*action;	/* of the audit row */
	int				 refused;
	int				 changed;
	json_t				*detail;	/* for the audit row */
};

static void
say(FILE *f, const struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(FILE *f, const struct run *r, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(f, "berthctl: %s: ", r->what);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

#define done(r, ...)	say((r)->o->out, (r), __VA_ARGS__)
#define note(r, ...)	say((r)->o->err, (r), __VA_ARGS__)
#define refuse(r, ...)	do { (r)->refused++; note((r), __VA_ARGS__); } while (0)

/* A name from a file or another database, safe for a terminal. */
static const char *
q(char buf[QUOTE_MAX], const char *s)
{
	return log_quote(buf, QUOTE_MAX, s != NULL ? s : "");
}

static void
lldec(long long v, char out[24])
{
	snprintf(out, 24, "%lld", v);
}

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/*
 * A text field of o, or "" when missing or over max characters (as
 * berth's CHECKs count them: UTF-8 continuation bytes do not count).
 * Harbor's columns are no wider than berth's; this only keeps an odd
 * row from failing the whole import.
 */
static const char *
jtext(const json_t *o, const char *key, size_t max)
{
	const char	*s = jstr(o, key), *p;
	size_t		 n = 0;

	if (s == NULL)
		return "";
	for (p = s; *p != '\0'; p++)
		if ((*p & 0xc0) != 0x80 && ++n > max)
			return "";
	return s;
}

static long long
jint(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* Append a name to detail[key] (an array, made on first use). */
static enum app_err
record(struct run *r, const char *key, const char *name)
{
	json_t	*a = json_object_get(r->detail, key);

	if (a == NULL) {
		if ((a = json_array()) == NULL ||
		    json_object_set_new(r->detail, key, a) == -1)
			return APP_ENOMEM;
	}
	if (json_array_append_new(a, json_string(name)) == -1)
		return APP_ENOMEM;
	r->changed++;
	return APP_OK;
}

/*
 * Close the transaction: nothing changed, roll back quietly; else write
 * the audit row and commit, or roll back for a dry run.
 */
static enum app_err
finish(struct run *r, const char *resource)
{
	enum app_err	 rc;

	if (r->changed == 0) {
		db_rollback(r->db);
		done(r, "nothing to change");
		return APP_OK;
	}
	if (json_object_set_new(r->detail, "refused",
	    json_integer(r->refused)) == -1) {
		db_rollback(r->db);
		return APP_ENOMEM;
	}
	if ((rc = audit_write(r->db, ACTOR, r->action, "import", resource,
	    r->detail, NULL)) != APP_OK) {
		db_rollback(r->db);
		return rc;
	}
	if (r->o->dry_run) {
		db_rollback(r->db);
		done(r, "dry run: nothing was written");
		return APP_OK;
	}
	return db_commit(r->db);
}

static void
dberr(struct run *r, enum app_err rc)
{
	note(r, "database: %s; nothing was imported", err_default_message(rc));
}

/* --- htpasswd ------------------------------------------------------------ */

struct ht_entry {
	size_t	 line;
	char	*user;
	char	*hash;
};

struct ht_file {
	struct ht_entry	*e;
	size_t		 n, cap;
};

static void
ht_free(struct ht_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->e[i].user);
		OPENSSL_cleanse(f->e[i].hash, strlen(f->e[i].hash));
		free(f->e[i].hash);
	}
	free(f->e);
	memset(f, 0, sizeof(*f));
}

/*
 * Read and check every line; keep the good ones.  A username seen
 * before is refused on its later lines (Apache uses the first).
 */
static enum app_err
ht_read(struct run *r, FILE *in, const char *name, struct ht_file *f)
{
	struct htpasswd_entry	 e;
	json_t			*seen;
	char			*line = NULL, qb[QUOTE_MAX];
	char			 user[NAMES_USER_MAX + 1];
	const char		*why;
	size_t			 cap = 0, lineno = 0;
	ssize_t			 len;
	enum app_err		 rc = APP_ENOMEM;

	if ((seen = json_object()) == NULL)
		return APP_ENOMEM;
	while ((len = getline(&line, &cap, in)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		switch (htpasswd_parse(line, (size_t)len, &e, &why)) {
		case HTPASSWD_SKIP:
			continue;
		case HTPASSWD_BAD:
			if (e.user != NULL && e.userlen <= NAMES_USER_MAX) {
				memcpy(user, e.user, e.userlen);
				user[e.userlen] = '\0';
				refuse(r, "%s:%zu: user \"%s\": refused: %s",
				    name, lineno, q(qb, user), why);
			} else
				refuse(r, "%s:%zu: refused: %s", name, lineno,
				    why);
			continue;
		case HTPASSWD_OK:
			break;
		}
		if (names_check_user(e.user, e.userlen, &why) != APP_OK) {
			if (e.userlen <= NAMES_USER_MAX) {
				memcpy(user, e.user, e.userlen);
				user[e.userlen] = '\0';
			} else
				snprintf(user, sizeof(user), "(%zu bytes)",
				    e.userlen);
			refuse(r, "%s:%zu: user \"%s\": refused: %s", name,
			    lineno, q(qb, user), why);
			continue;
		}
		memcpy(user, e.user, e.userlen);
		user[e.userlen] = '\0';
		if (json_object_get(seen, user) != NULL) {
			refuse(r, "%s:%zu: user \"%s\": refused: already on "
			    "line %lld, which counts", name, lineno, user,
			    (long long)json_integer_value(json_object_get(seen,
			    user)));
			continue;
		}
		if (json_object_set_new(seen, user,
		    json_integer((json_int_t)lineno)) == -1)
			goto out;
		if (f->n == f->cap) {
			size_t		 ncap = f->cap ? 2 * f->cap : 64;
			struct ht_entry	*ne = reallocarray(f->e, ncap,
			    sizeof(*ne));

			if (ne == NULL)
				goto out;
			f->e = ne;
			f->cap = ncap;
		}
		f->e[f->n].line = lineno;
		f->e[f->n].user = strdup(user);
		f->e[f->n].hash = strndup(e.hash, e.hashlen);
		if (f->e[f->n].user == NULL || f->e[f->n].hash == NULL) {
			free(f->e[f->n].user);
			free(f->e[f->n].hash);
			goto out;
		}
		f->n++;
	}
	if (ferror(in)) {
		note(r, "%s: read error after line %zu", name, lineno);
		rc = APP_EBADREQ;
		goto out;
	}
	rc = APP_OK;
out:
	if (line != NULL) {
		OPENSSL_cleanse(line, cap);
		free(line);
	}
	json_decref(seen);
	return rc;
}

enum app_err
import_htpasswd(struct db *db, FILE *in, const char *name,
    const struct import_opts *o, int *refused)
{
	struct run	 r = { .db = db, .o = o, .what = "import-htpasswd",
			    .action = "import.htpasswd" };
	struct ht_file	 f = { NULL, 0, 0 };
	const char	*v[8];
	char		 qname[QUOTE_MAX];
	PGresult	*res = NULL;
	int		 created = 0, updated = 0, kept = 0;
	enum app_err	 rc;

	*refused = 0;
	/* The path as recorded: escaped, so that it is valid UTF-8. */
	q(qname, name);
	if ((r.detail = json_pack("{s:s}", "file", qname)) == NULL)
		return APP_ENOMEM;
	if ((rc = ht_read(&r, in, name, &f)) != APP_OK) {
		if (rc == APP_ENOMEM)
			note(&r, "out of memory; nothing was imported");
		goto out;
	}
	if ((rc = db_begin(db)) != APP_OK) {
		dberr(&r, rc);
		goto out;
	}
	for (size_t i = 0; i < f.n; i++) {
		v[0] = f.e[i].user;
		v[1] = "";
		v[2] = "";
		v[3] = "imported from htpasswd";
		v[4] = f.e[i].hash;
		v[5] = "false";
		v[6] = "false";
		v[7] = NULL;
		if ((rc = db_exec(db, STMT_IMPORT_USER, v, NULL, NULL,
		    &res)) != APP_OK)
			goto fail;
		if (PQntuples(res) == 1) {
			if ((rc = record(&r, "created", f.e[i].user)) != APP_OK)
				goto fail;
			done(&r, "%s:%zu: user \"%s\": created", name,
			    f.e[i].line, f.e[i].user);
			created++;
		} else if (o->rehash) {
			PQclear(res);
			v[1] = f.e[i].hash;
			if ((rc = db_exec(db, STMT_IMPORT_USER_REHASH, v, NULL,
			    NULL, &res)) != APP_OK)
				goto fail;
			if (PQntuples(res) == 1) {
				if ((rc = record(&r, "updated",
				    f.e[i].user)) != APP_OK)
					goto fail;
				done(&r, "%s:%zu: user \"%s\": exists; password "
				    "hash replaced", name, f.e[i].line,
				    f.e[i].user);
				updated++;
			} else {
				done(&r, "%s:%zu: user \"%s\": exists with this "
				    "hash already", name, f.e[i].line,
				    f.e[i].user);
				kept++;
			}
		} else {
			done(&r, "%s:%zu: user \"%s\": exists; kept as it is "
			    "(-u replaces its hash)", name, f.e[i].line,
			    f.e[i].user);
			kept++;
		}
		PQclear(res);
		res = NULL;
	}
	if ((rc = finish(&r, qname)) != APP_OK)
		goto fail;
	done(&r, "%s: %d user(s) created, %d updated, %d kept, %d line(s) "
	    "refused%s", name, created, updated, kept, r.refused,
	    o->dry_run ? " (dry run)" : "");
	*refused = r.refused;
	goto out;
fail:
	db_rollback(db);
	dberr(&r, rc);
out:
	PQclear(res);
	ht_free(&f);
	json_decref(r.detail);
	return rc;
}

/* --- Harbor -------------------------------------------------------------- */

/* What the run learns about Harbor's rows, by Harbor's id (as text). */
struct harbor_run {
	struct run	 r;
	json_t		*users;		/* id -> {id: berth's id, name} */
	json_t		*projects;	/* id -> name, every live project */
	json_t		*created;	/* id -> berth's id, projects made now */
	struct secret	*sec;
	size_t		 nsec;
	int		 n_users[4], n_projects[4], n_members[4], n_robots[4];
};

enum { MADE, KEPT, SKIPPED, LEFT };	/* counters' columns */

static enum app_err
harbor_load(struct harbor_run *h, struct db *harbor, json_t **doc)
{
	json_error_t	 je;
	PGresult	*res = NULL;
	enum app_err	 rc;

	*doc = NULL;
	rc = db_exec(harbor, STMT_HARBOR_DUMP, NULL, NULL, NULL, &res);
	if (rc != APP_OK) {
		/* 42P01, 42703: a table or column of Harbor 2.2 missing. */
		if (strcmp(harbor->sqlstate, "42P01") == 0 ||
		    strcmp(harbor->sqlstate, "42703") == 0) {
			note(&h->r, "the database is not a Harbor 2.2 or later "
			    "database (SQLSTATE %s); nothing was imported",
			    harbor->sqlstate);
			rc = APP_EBADREQ;
		} else
			note(&h->r, "cannot read the Harbor database (%s); "
			    "nothing was imported", err_default_message(rc));
		return rc;
	}
	if (PQntuples(res) != 1 ||
	    (*doc = json_loads(PQgetvalue(res, 0, 0), 0, &je)) == NULL ||
	    !json_is_array(json_object_get(*doc, "users")) ||
	    !json_is_array(json_object_get(*doc, "projects")) ||
	    !json_is_array(json_object_get(*doc, "robots"))) {
		note(&h->r, "cannot read the Harbor database's answer; "
		    "nothing was imported");
		json_decref(*doc);
		*doc = NULL;
		rc = APP_EINTERNAL;
	}
	PQclear(res);
	return rc;
}

/* Harbor's id of a row as the key of the run's maps. */
static const char *
hid(const json_t *o, const char *key, char buf[24])
{
	lldec(jint(o, key), buf);
	return buf;
}

static enum app_err
harbor_user(struct harbor_run *h, const json_t *u)
{
	struct run	*r = &h->r;
	char		 hash[PASSWORD_HASH_MAX], id[24], created[24];
	char		 qb[QUOTE_MAX];
	const char	*name = jstr(u, "username"), *why, *why_pw = NULL;
	const char	*v[8];
	bool		 disabled = false, sysadmin;
	PGresult	*res = NULL;
	json_t		*map;
	enum app_err	 rc;

	if (json_is_true(json_object_get(u, "deleted"))) {
		h->n_users[SKIPPED]++;
		return APP_OK;
	}
	/* Harbor's own: the anonymous user (deleted anyway). */
	if (name != NULL && strcmp(name, "anonymous") == 0) {
		h->n_users[SKIPPED]++;
		return APP_OK;
	}
	if (name == NULL ||
	    names_check_user(name, strlen(name), &why) != APP_OK) {
		refuse(r, "user \"%s\": refused: %s", q(qb, name),
		    name == NULL ? "no name" : why);
		return APP_OK;
	}
	sysadmin = json_is_true(json_object_get(u, "sysadmin"));
	if (harbor_password_hash(jstr(u, "password_version"),
	    jstr(u, "salt"), jstr(u, "password"), hash, sizeof(hash),
	    &why_pw) != APP_OK) {
		snprintf(hash, sizeof(hash), "%s", NO_PASSWORD);
		disabled = true;
	}
	v[0] = name;
	v[1] = jtext(u, "email", 255);
	v[2] = jtext(u, "realname", 255);
	v[3] = jtext(u, "comment", 1024);
	v[4] = hash;
	v[5] = sysadmin ? "true" : "false";
	v[6] = disabled ? "true" : "false";
	v[7] = json_is_integer(json_object_get(u, "created")) ?
	    hid(u, "created", created) : NULL;
	rc = db_exec(r->db, STMT_IMPORT_USER, v, NULL, NULL, &res);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1) {
		if ((rc = record(r, "users", name)) != APP_OK)
			goto out;
		h->n_users[MADE]++;
		done(r, "user \"%s\": created%s%s%s%s", name,
		    sysadmin ? " (system admin)" : "",
		    disabled ? "; disabled: " : "", disabled ? why_pw : "",
		    strcmp(PQgetvalue(res, 0, 1), "t") == 0 ?
		    "; e-mail left out: another account has it" : "");
	} else {
		PQclear(res);
		if ((rc = db_exec(r->db, STMT_IMPORT_USER_ID, v, NULL, NULL,
		    &res)) != APP_OK)
			return rc;
		if (PQntuples(res) != 1) {
			rc = APP_EINTERNAL;
			goto out;
		}
		h->n_users[KEPT]++;
		if (strcmp(name, "admin") == 0)
			done(r, "user \"admin\": berth's own admin is kept; "
			    "Harbor's is not imported (its memberships go to "
			    "berth's admin)");
		else
			done(r, "user \"%s\": exists in berth: kept as it is "
			    "(its Harbor memberships go to it)", name);
	}
	if ((map = json_pack("{s:s,s:s}", "id", PQgetvalue(res, 0, 0),
	    "name", name)) == NULL ||
	    json_object_set_new(h->users, hid(u, "id", id), map) == -1) {
		rc = APP_ENOMEM;
		goto out;
	}
	rc = APP_OK;
out:
	PQclear(res);
	return rc;
}

static enum app_err
harbor_member(struct harbor_run *h, const char *project, const char *pid,
    const json_t *m)
{
	struct run	*r = &h->r;
	const json_t	*user;
	const char	*v[3], *type = jstr(m, "entity_type");
	char		 id[24], role[8], qb[QUOTE_MAX];
	PGresult	*res = NULL;
	enum app_err	 rc;
	int		 roleid;

	if (type == NULL || strcmp(type, "u") != 0) {
		/* 'g': a group of LDAP or OIDC, which berth does not have. */
		h->n_members[LEFT]++;
		return APP_OK;
	}
	if ((user = json_object_get(h->users, hid(m, "entity_id", id))) ==
	    NULL) {
		h->n_members[SKIPPED]++;
		note(r, "project \"%s\": member with Harbor user id %s left "
		    "out: that user was not imported", project, id);
		return APP_OK;
	}
	if ((roleid = harbor_role(jstr(m, "role"))) == 0) {
		refuse(r, "project \"%s\": member \"%s\": refused: unknown "
		    "role \"%s\"", project, jstr(user, "name"),
		    q(qb, jstr(m, "role")));
		return APP_OK;
	}
	snprintf(role, sizeof(role), "%d", roleid);
	v[0] = pid;
	v[1] = jstr(user, "id");
	v[2] = role;
	if ((rc = db_exec(r->db, STMT_IMPORT_MEMBER, v, NULL, NULL, &res)) !=
	    APP_OK)
		return rc;
	if (PQntuples(res) == 1) {
		h->n_members[MADE]++;
		r->changed++;
		done(r, "project \"%s\": member \"%s\" added as %s", project,
		    jstr(user, "name"), jstr(m, "role"));
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err
harbor_project(struct harbor_run *h, const json_t *p)
{
	struct run	*r = &h->r;
	const json_t	*owner, *m;
	const char	*name = jstr(p, "name"), *why, *v[4];
	char		 id[24], oid[24], created[24], pid[24], qb[QUOTE_MAX];
	bool		 pub;
	size_t		 i;
	PGresult	*res = NULL;
	enum app_err	 rc;

	if (json_is_true(json_object_get(p, "deleted"))) {
		h->n_projects[SKIPPED]++;
		return APP_OK;
	}
	hid(p, "id", id);
	if (name == NULL ||
	    names_check_project(name, strlen(name), &why) != APP_OK) {
		refuse(r, "project \"%s\": refused: %s", q(qb, name),
		    name == NULL ? "no name" : why);
		return APP_OK;
	}
	if (json_object_set_new(h->projects, id, json_string(name)) == -1)
		return APP_ENOMEM;
	pub = json_is_true(json_object_get(p, "public"));
	owner = json_object_get(h->users, hid(p, "owner_id", oid));
	v[0] = name;
	v[1] = pub ? "true" : "false";
	v[2] = owner != NULL ? jstr(owner, "id") : NULL;
	v[3] = json_is_integer(json_object_get(p, "created")) ?
	    hid(p, "created", created) : NULL;
	if ((rc = db_exec(r->db, STMT_IMPORT_PROJECT, v, NULL, NULL, &res)) !=
	    APP_OK)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		h->n_projects[KEPT]++;
		note(r, "project \"%s\": exists in berth: kept as it is; its "
		    "Harbor members and robots are left out", name);
		return APP_OK;
	}
	snprintf(pid, sizeof(pid), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (json_object_set_new(h->created, id, json_string(pid)) == -1 ||
	    (rc = record(r, "projects", name)) != APP_OK)
		return APP_ENOMEM;
	h->n_projects[MADE]++;
	done(r, "project \"%s\": created (%s)", name,
	    pub ? "public" : "private");
	json_array_foreach(json_object_get(p, "members"), i, m)
		if ((rc = harbor_member(h, name, pid, m)) != APP_OK)
			return rc;
	return APP_OK;
}

/* One permission berth can hold: a namespace and its project's id. */
struct grant {
	const char	*namespace;
	const char	*pid;		/* NULL: every project */
	const char	*resource;
	const char	*action;
};

/*
 * The permissions of robot rb that berth can hold, into g (room for
 * every one of them); *left counts those left out (another project's,
 * /system, an action berth does not grant).  APP_EBADREQ when a rule
 * denies: berth has no deny, and dropping it would widen access.
 */
static enum app_err
robot_grants(struct harbor_run *h, const json_t *rb, long long own,
    struct grant *g, size_t *ng, int *left)
{
	const json_t	*perm;
	const char	*effect, *res, *act;
	char		 key[24];
	long long	 pid;
	size_t		 i;

	*ng = 0;
	*left = 0;
	json_array_foreach(json_object_get(rb, "permissions"), i, perm) {
		effect = jstr(perm, "effect");
		if (effect != NULL && *effect != '\0' &&
		    strcmp(effect, "allow") != 0)
			return APP_EBADREQ;
		res = jstr(perm, "resource");
		act = jstr(perm, "action");
		if (res == NULL || act == NULL || robot_action(res, act) == 0) {
			(*left)++;
			continue;
		}
		switch (harbor_scope_parse(jstr(perm, "scope"), &pid)) {
		case HARBOR_SCOPE_PROJECT:
			/* A project robot holds its own project only. */
			lldec(pid, key);
			if ((own != 0 && pid != own) ||
			    json_object_get(h->created, key) == NULL) {
				(*left)++;
				continue;
			}
			g[*ng].namespace = json_string_value(
			    json_object_get(h->projects, key));
			g[*ng].pid = json_string_value(
			    json_object_get(h->created, key));
			break;
		case HARBOR_SCOPE_ALL:
			if (own != 0) {
				(*left)++;
				continue;
			}
			g[*ng].namespace = "*";
			g[*ng].pid = NULL;
			break;
		default:
			(*left)++;
			continue;
		}
		g[*ng].resource = res;
		g[*ng].action = act;
		(*ng)++;
	}
	return APP_OK;
}

/*
 * A robot's duration in days (-1: never expires): Harbor's when it has
 * one, else counted from its creation to its expiry (Unix seconds, -1
 * never), as berth counts it.
 */
static long long
robot_days(const json_t *rb, long long expiresat)
{
	const json_t	*dur = json_object_get(rb, "duration");
	long long	 d;

	if (json_is_integer(dur) && (json_integer_value(dur) == -1 ||
	    json_integer_value(dur) > 0))
		d = json_integer_value(dur);
	else if (expiresat <= 0)
		return -1;
	else
		d = (expiresat - jint(rb, "created") + DAY - 1) / DAY;
	if (d == -1)
		return -1;
	if (d < 1)
		d = 1;
	return d > ROBOT_DAYS_CAP ? ROBOT_DAYS_CAP : d;
}

/* Keep a new secret until the commit; takes *secret over. */
static enum app_err
secret_keep(struct harbor_run *h, const char *login, char **secret)
{
	struct secret	*ns;

	if ((ns = reallocarray(h->sec, h->nsec + 1, sizeof(*ns))) == NULL)
		return APP_ENOMEM;
	h->sec = ns;
	if ((h->sec[h->nsec].login = strdup(login)) == NULL)
		return APP_ENOMEM;
	h->sec[h->nsec].secret = *secret;
	h->nsec++;
	*secret = NULL;
	return APP_OK;
}

static enum app_err
harbor_robot(struct harbor_run *h, const json_t *rb)
{
	struct run	*r = &h->r;
	struct grant	*g = NULL;
	const char	*stored = jstr(rb, "name"), *project = NULL, *name;
	const char	*pid = NULL, *why, *v[8];
	char		 key[24], days[24], exp[24], created[24], rid[24];
	char		 hexhash[ROBOT_HASH_HEX] = "", login[2 * QUOTE_MAX];
	char		 qb[QUOTE_MAX];
	char		*secret = NULL;
	long long	 own = jint(rb, "project_id"), expiresat;
	size_t		 ng, i;
	int		 left;
	PGresult	*res = NULL;
	enum app_err	 rc = APP_OK;

	/* Harbor's own robots (its scanners') are not shown to anyone. */
	if (!json_is_true(json_object_get(rb, "visible"))) {
		h->n_robots[SKIPPED]++;
		return APP_OK;
	}
	if (own != 0) {
		lldec(own, key);
		project = json_string_value(json_object_get(h->projects, key));
		pid = json_string_value(json_object_get(h->created, key));
		if (project == NULL || pid == NULL) {
			/* Deleted, refused or kept: said with the project. */
			h->n_robots[LEFT]++;
			return APP_OK;
		}
	}
	snprintf(login, sizeof(login), "robot$%s", q(qb, stored));
	if (!json_is_true(json_object_get(rb, "has_secret"))) {
		/* Harbor stored these with their prefix. */
		snprintf(login, sizeof(login), "%s", q(qb, stored));
		refuse(r, "robot \"%s\": refused: made before Harbor 2.2 (no "
		    "secret, no permissions to carry over); make it again "
		    "through the admin API", login);
		return APP_OK;
	}
	if (harbor_robot_name(stored, project, &name) != APP_OK) {
		refuse(r, "robot \"%s\": refused: its name does not start with "
		    "its project's", login);
		return APP_OK;
	}
	if (names_check_user(name, strlen(name), &why) != APP_OK) {
		refuse(r, "robot \"%s\": refused: %s", login, why);
		return APP_OK;
	}
	if ((g = calloc(json_array_size(json_object_get(rb, "permissions")) +
	    1, sizeof(*g))) == NULL)
		return APP_ENOMEM;
	if (robot_grants(h, rb, own, g, &ng, &left) != APP_OK) {
		refuse(r, "robot \"%s\": refused: it has a deny rule, which "
		    "berth cannot express", login);
		goto out;
	}
	expiresat = jint(rb, "expiresat");
	lldec(robot_days(rb, expiresat), days);
	lldec(expiresat, exp);
	if ((rc = robot_secret_new(&secret, hexhash)) != APP_OK)
		goto out;
	v[0] = name;
	v[1] = pid;
	v[2] = jtext(rb, "description", 1024);
	v[3] = hexhash;
	v[4] = json_is_true(json_object_get(rb, "disabled")) ? "true" : "false";
	v[5] = days;
	v[6] = expiresat > 0 ? exp : NULL;
	v[7] = json_is_integer(json_object_get(rb, "created")) ?
	    hid(rb, "created", created) : NULL;
	if ((rc = db_exec(r->db, STMT_IMPORT_ROBOT, v, NULL, NULL, &res)) !=
	    APP_OK)
		goto out;
	if (PQntuples(res) == 0) {
		h->n_robots[KEPT]++;
		done(r, "robot \"%s\": exists in berth: kept as it is", login);
		goto out;
	}
	snprintf(rid, sizeof(rid), "%s", PQgetvalue(res, 0, 0));
	for (i = 0; i < ng; i++) {
		v[0] = rid;
		v[1] = "project";
		v[2] = g[i].namespace;
		v[3] = g[i].pid;
		v[4] = g[i].resource;
		v[5] = g[i].action;
		if ((rc = db_exec(r->db, STMT_ROBOT_PERM_INSERT, v, NULL, NULL,
		    NULL)) != APP_OK)
			goto out;
	}
	if ((rc = record(r, "robots", login)) != APP_OK)
		goto out;
	h->n_robots[MADE]++;
	done(r, "robot \"%s\": created%s with %zu permission(s)", login,
	    json_is_true(json_object_get(rb, "disabled")) ? " disabled" : "",
	    ng);
	if (left > 0)
		note(r, "robot \"%s\": %d permission(s) left out: another "
		    "project's, the system's, or an action berth does not "
		    "grant", login, left);
	if (ng == 0)
		note(r, "robot \"%s\": has no permission berth grants; give it "
		    "some through the admin API", login);
	/* The secret is shown after the commit, or never. */
	rc = secret_keep(h, login, &secret);
out:
	if (secret != NULL) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
	OPENSSL_cleanse(hexhash, sizeof(hexhash));
	PQclear(res);
	free(g);
	return rc;
}

static void
secrets_free(struct harbor_run *h)
{
	for (size_t i = 0; i < h->nsec; i++) {
		free(h->sec[i].login);
		OPENSSL_cleanse(h->sec[i].secret, strlen(h->sec[i].secret));
		free(h->sec[i].secret);
	}
	free(h->sec);
	h->sec = NULL;
	h->nsec = 0;
}

enum app_err
import_harbor(struct db *db, struct db *harbor, const struct import_opts *o,
    int *refused)
{
	struct harbor_run	 h;
	json_t			*doc = NULL, *x;
	size_t			 i;
	enum app_err		 rc;

	*refused = 0;
	memset(&h, 0, sizeof(h));
	h.r.db = db;
	h.r.o = o;
	h.r.what = "import-harbor";
	h.r.action = "import.harbor";
	h.r.detail = json_object();
	h.users = json_object();
	h.projects = json_object();
	h.created = json_object();
	if (h.r.detail == NULL || h.users == NULL || h.projects == NULL ||
	    h.created == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	/* Read Harbor first: berth's transaction stays short. */
	if ((rc = harbor_load(&h, harbor, &doc)) != APP_OK)
		goto out;
	db_close(harbor);
	if ((rc = db_begin(db)) != APP_OK) {
		dberr(&h.r, rc);
		goto out;
	}
	json_array_foreach(json_object_get(doc, "users"), i, x)
		if ((rc = harbor_user(&h, x)) != APP_OK)
			goto fail;
	json_array_foreach(json_object_get(doc, "projects"), i, x)
		if ((rc = harbor_project(&h, x)) != APP_OK)
			goto fail;
	json_array_foreach(json_object_get(doc, "robots"), i, x)
		if ((rc = harbor_robot(&h, x)) != APP_OK)
			goto fail;
	if (json_object_set_new(h.r.detail, "members",
	    json_integer(h.n_members[MADE])) == -1) {
		rc = APP_ENOMEM;
		goto fail;
	}
	if ((rc = finish(&h.r, "harbor")) != APP_OK)
		goto fail;
	done(&h.r, "users: %d created, %d kept, %d deleted or Harbor's own "
	    "left out", h.n_users[MADE], h.n_users[KEPT], h.n_users[SKIPPED]);
	done(&h.r, "projects: %d created, %d kept, %d deleted left out",
	    h.n_projects[MADE], h.n_projects[KEPT], h.n_projects[SKIPPED]);
	done(&h.r, "members: %d added, %d of users not imported and %d of "
	    "groups left out", h.n_members[MADE], h.n_members[SKIPPED],
	    h.n_members[LEFT]);
	done(&h.r, "robots: %d created, %d kept, %d of projects not imported "
	    "and %d of Harbor's own left out", h.n_robots[MADE],
	    h.n_robots[KEPT], h.n_robots[LEFT], h.n_robots[SKIPPED]);
	done(&h.r, "%d refused%s", h.r.refused,
	    o->dry_run ? " (dry run)" : "");
	/* Committed: now, and only now, the robots' secrets. */
	if (!o->dry_run)
		for (i = 0; i < h.nsec; i++)
			done(&h.r, "robot \"%s\": secret %s (shown this once; "
			    "PATCH /api/v2.0/robots/{id} makes a new one)",
			    h.sec[i].login, h.sec[i].secret);
	*refused = h.r.refused;
	goto out;
fail:
	db_rollback(db);
	dberr(&h.r, rc);
out:
	secrets_free(&h);
	json_decref(doc);
	json_decref(h.users);
	json_decref(h.projects);
	json_decref(h.created);
	json_decref(h.r.detail);
	return rc;
}
