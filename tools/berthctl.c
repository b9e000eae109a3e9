/*
 * berthctl: the operator's command for what is not an HTTP request.
 *
 *   berthctl config            check the configuration, print it in effect
 *   berthctl secret            create the cluster secret file if missing
 *   berthctl init [-p FILE]    on a migrated database: create the cluster's
 *                              signing key and the admin user, each only
 *                              if missing; a generated admin password is
 *                              printed once and saved to FILE (mode 0600)
 *   berthctl hash              read a password on stdin, print its hash
 *   berthctl key list          the cluster's signing keys and their states
 *   berthctl key next          create the next key: published in certs.pem
 *                              at once, signing only once activated
 *   berthctl key activate      the next key signs from now on; the active
 *                              one is retiring (still published)
 *   berthctl key retire        stop publishing retiring keys whose tokens
 *                              have all expired (token_ttl + key_reload +
 *                              max_clock_offset + 60 s after activate)
 *   berthctl import-htpasswd [-nu] FILE
 *                              the users of an htpasswd file ("-": standard
 *                              input); bcrypt hashes kept, -u replaces the
 *                              hash of users that exist, -n a dry run
 *   berthctl import-harbor [-n] CONNINFO
 *                              users, projects, members and robots from the
 *                              Harbor 2.2+ database CONNINFO (a libpq
 *                              connection string; its password belongs in
 *                              ~/.pgpass, not on the command line)
 *
 * The admin password comes from BERTH_ADMIN_PASSWORD, else it is
 * generated; it never appears on a command line.  Exit status: 0 on
 * success, 1 on a usage or configuration error (and for an import that
 * ran but refused some entries), 2 when the database or a file cannot be
 * used (an import then wrote nothing).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "config.h"
#include "db.h"
#include "import.h"
#include "keys.h"
#include "keystore.h"
#include "log.h"
#include "password.h"

static void
usage(void)
{
	fprintf(stderr, "usage: berthctl config | secret | "
	    "init [-p password-file] | hash |\n"
	    "       key list | key next | key activate | key retire |\n"
	    "       import-htpasswd [-nu] file | import-harbor [-n] conninfo\n");
	exit(1);
}

static void
load_config(struct config *c)
{
	char		 err[CONFIG_ERR_MAX];
	enum log_level	 lvl;

	if (config_load(c, NULL, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "berthctl: configuration: %s\n", err);
		exit(1);
	}
	if (log_level_parse(c->log_level, &lvl) == APP_OK)
		log_set_level(lvl);
}

static int
cmd_config(struct config *c)
{
	config_write(c, stdout);
	return 0;
}

static int
cmd_secret(struct config *c)
{
	switch (keys_secret_create(c->secret_file)) {
	case APP_OK:
		printf("berthctl: created the cluster secret %s\n",
		    c->secret_file);
		return 0;
	case APP_ECONFLICT:
		return 0;
	default:
		fprintf(stderr, "berthctl: cannot create %s: %s\n",
		    c->secret_file, strerror(errno));
		return 2;
	}
}

/*
 * A password that meets the policy: 20 characters from 62, about 119
 * bits, drawn by rejection so that each character is uniform.
 */
static int
generate_password(char *out, size_t outsz)
{
	static const char	 set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	const char		*why;
	unsigned char		 b;
	size_t			 n;

	if (outsz < 21)
		return -1;
	do {
		n = 0;
		while (n < 20) {
			if (RAND_bytes(&b, 1) != 1)
				return -1;
			if (b < 248)		/* 248 = 4 * 62 */
				out[n++] = set[b % 62];
		}
		out[n] = '\0';
	} while (password_check_policy(out, n, &why) != APP_OK);
	return 0;
}

static int
save_password(const char *path, const char *pw)
{
	int	 fd;
	size_t	 len = strlen(pw);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1 || fchmod(fd, 0600) == -1 ||
	    write(fd, pw, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		fprintf(stderr, "berthctl: cannot write %s: %s\n", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return close(fd);
}

static int
cmd_init(struct config *c, const char *pwfile)
{
	struct db	 db;
	unsigned char	 secret[KEYS_SECRET_LEN];
	char		 pw[PASSWORD_MAX + 1], hash[PASSWORD_HASH_MAX];
	const char	*why = NULL, *env, *v[2];
	bool		 created = false, generated = false;
	PGresult	*res = NULL;
	enum app_err	 rc;
	int		 status = 2;

	db_init(&db, c, "berthctl");
	if (keys_secret_load(c->secret_file, secret, &why) != APP_OK) {
		fprintf(stderr, "berthctl: cluster secret %s: %s\n",
		    c->secret_file, why);
		return 2;
	}
	if ((rc = keystore_ensure(&db, c, secret, &created)) != APP_OK) {
		fprintf(stderr, "berthctl: cannot create the signing key: %s\n",
		    err_default_message(rc));
		goto out;
	}
	if (created)
		printf("berthctl: created the cluster's signing key\n");

	if ((env = getenv("BERTH_ADMIN_PASSWORD")) != NULL && *env != '\0') {
		if (password_check_policy(env, strlen(env), &why) != APP_OK) {
			fprintf(stderr, "berthctl: BERTH_ADMIN_PASSWORD: %s\n",
			    why);
			status = 1;
			goto out;
		}
		snprintf(pw, sizeof(pw), "%s", env);
	} else {
		if (generate_password(pw, sizeof(pw)) != 0)
			goto out;
		generated = true;
	}
	if (password_hash(pw, strlen(pw), hash, sizeof(hash)) != APP_OK)
		goto out;
	v[0] = "admin";
	v[1] = hash;
	if ((rc = db_exec(&db, STMT_ADMIN_CREATE, v, NULL, NULL, &res)) !=
	    APP_OK) {
		fprintf(stderr, "berthctl: cannot create the admin user: %s\n",
		    err_default_message(rc));
		goto out;
	}
	if (PQntuples(res) == 1) {
		printf("berthctl: created the admin user \"admin\"\n");
		if (generated) {
			if (pwfile != NULL && save_password(pwfile, pw) != 0)
				goto out;
			printf("berthctl: admin password: %s\n", pw);
			if (pwfile != NULL)
				printf("berthctl: (saved in %s)\n", pwfile);
		}
	}
	status = 0;
out:
	PQclear(res);
	db_close(&db);
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(secret, sizeof(secret));
	return status;
}

static int
cmd_key(struct config *c, const char *what)
{
	struct db	 db;
	unsigned char	 secret[KEYS_SECRET_LEN];
	char		 kid[KEYS_KID_LEN + 1] = "";
	const char	*why = NULL;
	PGresult	*res = NULL;
	int		 retired, young, status = 2;
	enum app_err	 rc;

	db_init(&db, c, "berthctl");
	if (strcmp(what, "list") == 0) {
		if ((rc = db_exec(&db, STMT_KEYS_LIST, NULL, NULL, NULL,
		    &res)) != APP_OK)
			goto dberr;
		for (int i = 0; i < PQntuples(res); i++)
			printf("%s %-5s %-8s created %s%s%s\n",
			    PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			    PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
			    PQgetisnull(res, i, 4) ? "" : " since ",
			    PQgetvalue(res, i, 4));
		status = 0;
	} else if (strcmp(what, "next") == 0) {
		if (keys_secret_load(c->secret_file, secret, &why) != APP_OK) {
			fprintf(stderr, "berthctl: cluster secret %s: %s\n",
			    c->secret_file, why);
			goto out;
		}
		rc = keystore_next(&db, c, secret, kid);
		OPENSSL_cleanse(secret, sizeof(secret));
		if (rc == APP_ECONFLICT) {
			fprintf(stderr, "berthctl: a next key exists already: "
			    "%s\n", kid);
			status = 1;
			goto out;
		}
		if (rc != APP_OK)
			goto dberr;
		printf("berthctl: next key %s is published; fetch certs.pem "
		    "into every registry's rootcertbundle and restart them, "
		    "then run berthctl key activate\n", kid);
		status = 0;
	} else if (strcmp(what, "activate") == 0) {
		if ((rc = keystore_activate(&db, kid)) == APP_ENOTFOUND) {
			fprintf(stderr, "berthctl: no next key: run berthctl "
			    "key next first\n");
			status = 1;
			goto out;
		}
		if (rc != APP_OK)
			goto dberr;
		printf("berthctl: key %s signs from now on (every node within "
		    "key_reload seconds); run berthctl key retire after "
		    "%ld seconds\n", kid, keystore_retire_age(c));
		status = 0;
	} else if (strcmp(what, "retire") == 0) {
		if ((rc = keystore_retire(&db, keystore_retire_age(c),
		    &retired, &young)) != APP_OK)
			goto dberr;
		printf("berthctl: %d key(s) retired", retired);
		if (young > 0)
			printf(", %d kept: tokens they signed may still be "
			    "valid", young);
		printf("\n");
		status = young > 0 ? 1 : 0;
	} else
		usage();
	goto out;
dberr:
	fprintf(stderr, "berthctl: key %s: %s\n", what,
	    err_default_message(rc));
out:
	PQclear(res);
	db_close(&db);
	return status;
}

static int
cmd_hash(void)
{
	char	 pw[PASSWORD_MAX + 2], hash[PASSWORD_HASH_MAX];
	size_t	 n;
	int	 status = 1;

	if (fgets(pw, sizeof(pw), stdin) == NULL)
		return 1;
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	if (password_hash(pw, n, hash, sizeof(hash)) == APP_OK) {
		printf("%s\n", hash);
		status = 0;
	} else
		fprintf(stderr, "berthctl: password refused\n");
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(hash, sizeof(hash));
	return status;
}

/*
 * import-htpasswd [-nu] FILE, import-harbor [-n] CONNINFO: one
 * transaction each (lib/import.h).  0: everything is in berth; 1: the
 * import ran but refused some entries; 2: nothing was written.
 */
static int
cmd_import(struct config *c, int argc, char *argv[])
{
	struct import_opts	 o = { .out = stdout, .err = stderr };
	struct config		 hc;
	struct db		 db, hdb;
	bool			 harbor = strcmp(argv[1], "import-harbor") == 0;
	FILE			*in;
	int			 ch, refused = 0, status;
	enum app_err		 rc;

	optind = 2;
	while ((ch = getopt(argc, argv, harbor ? "n" : "nu")) != -1) {
		switch (ch) {
		case 'n':
			o.dry_run = true;
			break;
		case 'u':
			o.rehash = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	db_init(&db, c, "berthctl");
	if (harbor) {
		/* The same timeouts, another database. */
		hc = *c;
		hc.database = argv[optind];
		db_init(&hdb, &hc, "berthctl");
		rc = import_harbor(&db, &hdb, &o, &refused);
		db_close(&hdb);
	} else {
		if (strcmp(argv[optind], "-") == 0)
			in = stdin;
		else if ((in = fopen(argv[optind], "re")) == NULL) {
			fprintf(stderr, "berthctl: %s: %s\n", argv[optind],
			    strerror(errno));
			return 2;
		}
		rc = import_htpasswd(&db, in, argv[optind], &o, &refused);
		if (in != stdin)
			fclose(in);
	}
	db_close(&db);
	status = rc != APP_OK ? 2 : refused > 0 ? 1 : 0;
	fflush(stdout);
	return status;
}

int
main(int argc, char *argv[])
{
	struct config	 c;
	const char	*pwfile = NULL;
	int		 ch, status;

	log_init("berthctl");
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "key") == 0) {
		if (argc != 3)
			usage();
		load_config(&c);
		status = cmd_key(&c, argv[2]);
		config_free(&c);
		return status;
	}
	if (strcmp(argv[1], "import-htpasswd") == 0 ||
	    strcmp(argv[1], "import-harbor") == 0) {
		load_config(&c);
		status = cmd_import(&c, argc, argv);
		config_free(&c);
		return status;
	}
	optind = 2;
	while ((ch = getopt(argc, argv, "p:")) != -1) {
		switch (ch) {
		case 'p':
			pwfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (strcmp(argv[1], "hash") == 0)
		return cmd_hash();
	load_config(&c);
	if (strcmp(argv[1], "config") == 0)
		status = cmd_config(&c);
	else if (strcmp(argv[1], "secret") == 0)
		status = cmd_secret(&c);
	else if (strcmp(argv[1], "init") == 0)
		status = cmd_init(&c, pwfile);
	else
		usage();
	config_free(&c);
	return status;
}
