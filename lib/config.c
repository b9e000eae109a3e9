/* config: the table of keys, the file parser and the environment. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "prefork.h"

enum ctype {
	C_STR,		/* any printable text */
	C_TOKEN,	/* printable ASCII without spaces */
	C_INT,		/* decimal within [min, max] */
	C_ENUM,		/* one of a NULL-terminated list */
};

struct ckey {
	const char		*name;
	enum ctype		 type;
	size_t			 off;
	const char		*def;
	long			 min, max;
	const char *const	*choices;
	const char		*doc;
};

static const char *const algs[] = { "ES256", "RS256", NULL };
static const char *const levels[] = { "error", "warn", "info", "debug", NULL };

#define OFF(f)	offsetof(struct config, f)

/*
 * Every key, its type, default and range.  README.md and
 * deploy/berth.conf.sample document the same keys; tests/unit/test_config
 * checks that the sample names each one.
 */
static const struct ckey keys[] = {
	{ "database", C_STR, OFF(database), "dbname=berth", 0, 0, NULL,
	  "libpq connection string of the cluster's PostgreSQL" },
	{ "secret_file", C_STR, OFF(secret_file), "/etc/berth/secret", 0, 0,
	  NULL, "file holding the secret every node shares (mode 0600)" },
	{ "service", C_TOKEN, OFF(service), "registry", 0, 0, NULL,
	  "service name the registry is configured with (token aud)" },
	{ "issuer", C_TOKEN, OFF(issuer), "berth", 0, 0, NULL,
	  "token issuer (the registry's auth.token.issuer)" },
	{ "token_ttl", C_INT, OFF(token_ttl), "300", 60, 3600, NULL,
	  "seconds a registry token is valid" },
	{ "signing_alg", C_ENUM, OFF(signing_alg), "ES256", 0, 0, algs,
	  "algorithm of new signing keys: ES256 or RS256" },
	{ "log_level", C_ENUM, OFF(log_level), "info", 0, 0, levels,
	  "error, warn, info or debug" },
	{ "db_connect_timeout", C_INT, OFF(db_connect_timeout), "3", 1, 60,
	  NULL, "seconds to wait for a database connection" },
	{ "db_statement_timeout", C_INT, OFF(db_statement_timeout), "5000",
	  100, 60000, NULL, "milliseconds a statement may run" },
	{ "db_lock_timeout", C_INT, OFF(db_lock_timeout), "2000", 100, 60000,
	  NULL, "milliseconds a statement may wait for a lock" },
	{ "max_body", C_INT, OFF(max_body), "65536", 1024, 1048576, NULL,
	  "largest request body accepted, in bytes" },
	{ "max_clock_offset", C_INT, OFF(max_clock_offset), "5", 1, 300, NULL,
	  "seconds this node's clock may differ from the database's" },
	{ "health_cache_ms", C_INT, OFF(health_cache_ms), "1000", 100, 60000,
	  NULL, "milliseconds a health probe result is reused" },
	{ "key_reload", C_INT, OFF(key_reload), "30", 1, 300, NULL,
	  "seconds between reloads of the signing key set" },
	{ "refresh_token_ttl", C_INT, OFF(refresh_token_ttl), "2592000", 300,
	  31536000, NULL, "seconds a refresh token (offline session) lives" },
	{ "lockout_threshold", C_INT, OFF(lockout_threshold), "10", 1, 1000,
	  NULL, "failed logins in a row that lock an account" },
	{ "lockout_seconds", C_INT, OFF(lockout_seconds), "300", 1, 86400,
	  NULL, "seconds a locked account stays locked" },
	{ "cred_cache_ttl", C_INT, OFF(cred_cache_ttl), "60", 0, 600, NULL,
	  "seconds a verified password is remembered per process (0: never)" },
	{ "workers", C_INT, OFF(workers), "0", 0, PREFORK_MAX, NULL,
	  "worker processes a supervisor keeps, restarting any that dies "
	  "(0: serve in this process)" },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

size_t
config_nkeys(void)
{
	return NKEYS;
}

static char **
strp(struct config *c, const struct ckey *k)
{
	return (char **)(void *)((char *)c + k->off);
}

static long *
longp(struct config *c, const struct ckey *k)
{
	return (long *)(void *)((char *)c + k->off);
}

static const struct ckey *
key_find(const char *name, size_t len)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == len &&
		    memcmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

static enum app_err
set_value(struct config *c, const struct ckey *k, const char *v,
    char *err, size_t errsz)
{
	size_t	 len = strlen(v);
	char	*end, *dup;
	long	 n;

	if (len > CONFIG_VALUE_MAX) {
		snprintf(err, errsz, "%s: value longer than %d bytes",
		    k->name, CONFIG_VALUE_MAX);
		return APP_EBADREQ;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch < 0x20 || ch == 0x7f ||
		    (k->type != C_STR && (ch == ' ' || ch > 0x7f))) {
			snprintf(err, errsz, "%s: invalid character in value",
			    k->name);
			return APP_EBADREQ;
		}
	}

	switch (k->type) {
	case C_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (len == 0 || *end != '\0' || errno != 0 ||
		    !isdigit((unsigned char)v[0]) || n < k->min || n > k->max) {
			snprintf(err, errsz, "%s: must be a whole number from "
			    "%ld to %ld", k->name, k->min, k->max);
			return APP_EBADREQ;
		}
		*longp(c, k) = n;
		return APP_OK;
	case C_ENUM:
		for (size_t i = 0; k->choices[i] != NULL; i++)
			if (strcmp(v, k->choices[i]) == 0)
				goto store;
		snprintf(err, errsz, "%s: must be one of", k->name);
		for (size_t i = 0; k->choices[i] != NULL; i++) {
			size_t o = strlen(err);

			snprintf(err + o, errsz - o, "%s %s", i ? "," : "",
			    k->choices[i]);
		}
		return APP_EBADREQ;
	case C_TOKEN:
	case C_STR:
		if (len == 0) {
			snprintf(err, errsz, "%s: must not be empty", k->name);
			return APP_EBADREQ;
		}
		break;
	}
store:
	if ((dup = strdup(v)) == NULL) {
		snprintf(err, errsz, "%s: out of memory", k->name);
		return APP_ENOMEM;
	}
	free(*strp(c, k));
	*strp(c, k) = dup;
	return APP_OK;
}

enum app_err
config_set(struct config *c, const char *key, const char *value, char *err,
    size_t errsz)
{
	const struct ckey *k = key_find(key, strlen(key));

	if (k == NULL) {
		snprintf(err, errsz, "unknown key \"%.64s\"", key);
		return APP_EBADREQ;
	}
	return set_value(c, k, value, err, errsz);
}

enum app_err
config_defaults(struct config *c)
{
	char		 err[CONFIG_ERR_MAX];
	enum app_err	 rc;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NKEYS; i++)
		if ((rc = set_value(c, &keys[i], keys[i].def, err,
		    sizeof(err))) != APP_OK)
			return rc;
	return APP_OK;
}

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

enum app_err
config_line(struct config *c, const char *line, size_t len, int *seen,
    char *err, size_t errsz)
{
	const char		*eq, *kb, *ke, *vb, *ve;
	const struct ckey	*k;
	char			 val[CONFIG_VALUE_MAX + 1];
	char			 kname[65];

	if (memchr(line, '\0', len) != NULL) {
		snprintf(err, errsz, "NUL byte in line");
		return APP_EBADREQ;
	}
	kb = line;
	ke = line + len;
	while (kb < ke && is_space(*kb))
		kb++;
	if (kb == ke || *kb == '#')
		return APP_OK;

	if ((eq = memchr(kb, '=', (size_t)(ke - kb))) == NULL) {
		snprintf(err, errsz, "expected key = value");
		return APP_EBADREQ;
	}
	vb = eq + 1;
	ve = ke;
	ke = eq;
	while (ke > kb && is_space(ke[-1]))
		ke--;
	while (vb < ve && is_space(*vb))
		vb++;
	while (ve > vb && is_space(ve[-1]))
		ve--;

	if ((k = key_find(kb, (size_t)(ke - kb))) == NULL) {
		log_escape(kname, sizeof(kname), kb, (size_t)(ke - kb));
		snprintf(err, errsz, "unknown key \"%s\"", kname);
		return APP_EBADREQ;
	}
	if (seen[k - keys]) {
		snprintf(err, errsz, "%s: set twice", k->name);
		return APP_EBADREQ;
	}
	seen[k - keys] = 1;
	if ((size_t)(ve - vb) > CONFIG_VALUE_MAX) {
		snprintf(err, errsz, "%s: value longer than %d bytes",
		    k->name, CONFIG_VALUE_MAX);
		return APP_EBADREQ;
	}
	memcpy(val, vb, (size_t)(ve - vb));
	val[ve - vb] = '\0';
	return set_value(c, k, val, err, errsz);
}

static enum app_err
load_file(struct config *c, const char *path, char *err, size_t errsz)
{
	FILE		*f;
	char		*line = NULL, msg[CONFIG_ERR_MAX];
	size_t		 cap = 0;
	ssize_t		 n;
	int		 seen[NKEYS] = { 0 };
	unsigned	 lineno = 0;
	enum app_err	 rc = APP_OK;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return APP_ENOTFOUND;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if (n > CONFIG_VALUE_MAX + 128) {
			snprintf(err, errsz, "%s:%u: line too long", path,
			    lineno);
			rc = APP_EBADREQ;
			break;
		}
		if ((rc = config_line(c, line, (size_t)n, seen, msg,
		    sizeof(msg))) != APP_OK) {
			snprintf(err, errsz, "%s:%u: %s", path, lineno, msg);
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

enum app_err
config_load(struct config *c, const char *path, char *err, size_t errsz)
{
	enum app_err	 rc;
	char		 env[96], msg[CONFIG_ERR_MAX];
	const char	*v;

	if ((rc = config_defaults(c)) != APP_OK) {
		snprintf(err, errsz, "out of memory");
		return rc;
	}
	if (path == NULL && (v = getenv("BERTH_CONF")) != NULL && *v != '\0')
		path = v;
	if (path != NULL)
		rc = load_file(c, path, err, errsz);
	else if (access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		rc = load_file(c, CONFIG_DEFAULT_PATH, err, errsz);
	if (rc != APP_OK)
		return rc;

	for (size_t i = 0; i < NKEYS; i++) {
		size_t j;

		snprintf(env, sizeof(env), "BERTH_%s", keys[i].name);
		for (j = 6; env[j] != '\0'; j++)
			env[j] = (char)toupper((unsigned char)env[j]);
		if ((v = getenv(env)) == NULL)
			continue;
		if ((rc = set_value(c, &keys[i], v, msg, sizeof(msg))) !=
		    APP_OK) {
			snprintf(err, errsz, "%s (from %s)", msg, env);
			return rc;
		}
	}
	return APP_OK;
}

void
config_write(const struct config *c, FILE *f)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const struct ckey	*k = &keys[i];
		const void		*p = (const char *)c + k->off;

		fprintf(f, "# %s\n", k->doc);
		if (k->type == C_INT)
			fprintf(f, "%s = %ld\n", k->name, *(const long *)p);
		else
			fprintf(f, "%s = %s\n", k->name,
			    *(const char *const *)p);
	}
}

void
config_free(struct config *c)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].type != C_INT) {
			free(*strp(c, &keys[i]));
			*strp(c, &keys[i]) = NULL;
		}
}
