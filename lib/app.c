/* app: start-up and the accept loop shared by the programs. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "app.h"
#include "fcgiend.h"
#include "log.h"
#include "mem.h"
#include "prefork.h"
#include "version.h"

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s\n"
	    "A FastCGI responder: run it under spawn-fcgi or systemd socket\n"
	    "activation, with the listening socket on standard input.\n"
	    "Configuration: $BERTH_CONF or %s, and BERTH_<KEY> variables.\n",
	    prog, CONFIG_DEFAULT_PATH);
	exit(1);
}

static volatile sig_atomic_t	 terminating;

static void
on_term(int sig)
{
	terminating = 1;
	FCGX_ShutdownPending();
}

void
app_init(struct app *a, const char *prog, int argc, char **argv)
{
	char			 err[CONFIG_ERR_MAX];
	enum log_level		 lvl;
	struct sigaction	 sa;
	/* Before OpenSSL allocates anything, or it keeps its own malloc. */
	bool			 watched = mem_init();

	memset(a, 0, sizeof(*a));
	a->prog = prog;
	log_init(prog);
	if (!watched)
		log_warn("OpenSSL's allocations are not watched");
	if (argc > 1)
		usage(prog);
	if (config_load(&a->cfg, NULL, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "%s: configuration: %s\n", prog, err);
		exit(1);
	}
	if (log_level_parse(a->cfg.log_level, &lvl) == APP_OK)
		log_set_level(lvl);
	/*
	 * With workers set, this process supervises that many workers and
	 * only they return from here: nothing below (the database, the
	 * signal handlers, libfcgi) is ever set up in the supervisor.
	 */
	if (a->cfg.workers > 0)
		prefork_run(a->cfg.workers);
	db_init(&a->db, &a->cfg, prog);
	/* A client that goes away mid-response must not kill the worker. */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * SIGTERM (spawn-fcgi's and systemd's stop) ends the accept loop
	 * after the request in hand, so the process exits through app_free.
	 * No SA_RESTART: the blocked accept() must return.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (FCGX_Init() != 0) {
		fprintf(stderr, "%s: FCGX_Init failed\n", prog);
		exit(1);
	}
	log_info("starting, berth %s, schema %d", BERTH_VERSION,
	    BERTH_SCHEMA_VERSION);
}

/*
 * Read the cluster secret again.  APP_ENOMEM, with the secret as it
 * was, when memory ran short on the way: that says nothing of the file.
 */
static enum app_err
secret_refresh(struct app *a)
{
	unsigned char	 s[KEYS_SECRET_LEN];
	const char	*why = NULL;
	unsigned long	 failed = mem_failures();

	if (keys_secret_load(a->cfg.secret_file, s, &why) != APP_OK) {
		if (mem_failures() != failed)
			return APP_ENOMEM;
		if (a->have_secret || a->secret_problem != why)
			log_error("cluster secret: %s",
			    why ? why : "cannot be read");
		OPENSSL_cleanse(a->secret, sizeof(a->secret));
		a->have_secret = false;
		a->secret_problem = why ? why : "cannot be read";
		return APP_OK;
	}
	memcpy(a->secret, s, sizeof(s));
	OPENSSL_cleanse(s, sizeof(s));
	a->have_secret = true;
	a->secret_problem = NULL;
	return APP_OK;
}

enum app_err
app_keys_refresh(struct app *a, bool force)
{
	struct keyset	 ks;
	enum app_err	 rc;
	long long	 now = db_now_ms();

	if (!force && a->keys_loaded && now < a->keys_due_ms)
		return APP_OK;
	/* Whatever happens, do not try again on every request. */
	a->keys_due_ms = now + a->cfg.key_reload * 1000;
	if ((rc = secret_refresh(a)) != APP_OK)
		return rc;
	rc = keystore_load(&a->db, a->have_secret ? a->secret : NULL, &ks);
	if (rc != APP_OK) {
		/*
		 * Try again within a second, not a whole key_reload later:
		 * a key that stopped being active must stop signing here
		 * within key_reload (keystore_retire_age() counts on it).
		 */
		if (a->cfg.key_reload > 1)
			a->keys_due_ms = now + 1000;
		return rc;
	}
	if (ks.active == NULL && a->have_secret)
		log_warn("signing keys: %s", ks.problem);
	keyset_free(&a->keys);
	a->keys = ks;
	a->keys_loaded = true;
	return APP_OK;
}

/*
 * OpenSSL's error queue belongs to the thread, not the request: what a
 * request left there (the causes of a failure, with copies of file and
 * function names) goes when it ends, to the log first when it ended in
 * a 500 there.
 */
static void
openssl_errors(bool log)
{
	char		 buf[256];
	unsigned long	 e;

	if (log && (e = ERR_peek_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		log_warn("openssl: %s", buf);
	}
	ERR_clear_error();
}

int
app_serve(struct app *a, app_handler handle)
{
	FCGX_Request	 fr;
	struct http_req	 r;
	enum app_err	 rc;
	const char	*msg;

	if (FCGX_InitRequest(&fr, 0, 0) != 0) {
		log_error("FCGX_InitRequest failed");
		return 1;
	}
	while (!terminating && FCGX_Accept_r(&fr) >= 0) {
		msg = NULL;
		rc = http_begin(&r, &fr);
		if (rc == APP_OK)
			rc = handle(a, &r, &msg);
		http_finish(&r, rc, msg);
		log_debug("%s %s %d", r.method ? r.method : "-",
		    r.path ? r.path : "-", r.status);
		openssl_errors(r.status >= 500);
		http_end(&r);
		fcgi_finish(&fr);
	}
	FCGX_Free(&fr, 1);
	log_info("stopping");
	return 0;
}

void
app_free(struct app *a)
{
	keyset_free(&a->keys);
	db_close(&a->db);
	config_free(&a->cfg);
	OPENSSL_cleanse(a->secret, sizeof(a->secret));
}
