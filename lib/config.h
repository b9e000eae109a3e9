/*
 * config: berth's configuration, one table of keys.
 *
 * A file of `key = value` lines (blank lines and lines starting with '#'
 * ignored; the value is the rest of the line, trimmed, taken literally)
 * read from $BERTH_CONF, else /etc/berth/berth.conf when it exists.
 * Every key can be overridden by the environment variable BERTH_<KEY>
 * (key upper-cased), which wins over the file.  An unknown key, a
 * repeated key or a bad value is an error naming the key: the programs
 * print it and exit at start, never later.
 */
#ifndef BERTH_CONFIG_H
#define BERTH_CONFIG_H

#include <stdio.h>

#include "err.h"

#define CONFIG_DEFAULT_PATH	"/etc/berth/berth.conf"
#define CONFIG_VALUE_MAX	1024
#define CONFIG_ERR_MAX		256

struct config {
	char	*database;		/* libpq connection string */
	char	*secret_file;		/* the secret every node shares */
	char	*service;		/* the registry's service name, token aud */
	char	*issuer;		/* token iss */
	long	 token_ttl;		/* seconds */
	char	*signing_alg;		/* ES256 or RS256 */
	char	*log_level;		/* error, warn, info, debug */
	long	 db_connect_timeout;	/* seconds */
	long	 db_statement_timeout;	/* milliseconds */
	long	 db_lock_timeout;	/* milliseconds */
	long	 max_body;		/* bytes of a request body */
	long	 max_clock_offset;	/* seconds from the database's clock */
	long	 health_cache_ms;	/* how long a health probe is reused */
	long	 key_reload;		/* seconds between key set reloads */
	long	 refresh_token_ttl;	/* seconds a refresh token lives */
	long	 lockout_threshold;	/* failed logins before a lockout */
	long	 lockout_seconds;	/* how long a lockout lasts */
	long	 cred_cache_ttl;	/* seconds a verified password is reused */
	long	 workers;		/* 0: serve; N: supervise N workers */
};

/*
 * Fill c with defaults, then the file at path (NULL: $BERTH_CONF, else
 * CONFIG_DEFAULT_PATH if it exists), then the environment.  On error
 * returns APP_EBADREQ (bad key or value) or APP_ENOTFOUND (a file named
 * explicitly is missing) with a message naming the key or file in err.
 * Free with config_free() either way.
 */
enum app_err	config_load(struct config *c, const char *path, char *err,
		    size_t errsz) WUR;

/* Defaults only. */
enum app_err	config_defaults(struct config *c) WUR;

/*
 * Apply one line of a configuration file (len bytes, no newline) to c.
 * seen tracks keys already set by the file, so a repeat is an error;
 * it must point to config_nkeys() zeroed ints.  Exposed for tests and
 * the fuzzer.
 */
enum app_err	config_line(struct config *c, const char *line, size_t len,
		    int *seen, char *err, size_t errsz) WUR;

/* Set key to value as the file or environment would. */
enum app_err	config_set(struct config *c, const char *key,
		    const char *value, char *err, size_t errsz) WUR;

size_t		config_nkeys(void);

/* Write every key with its effective value, one `key = value` a line. */
void		config_write(const struct config *c, FILE *);

void		config_free(struct config *c);

#endif
