/*
 * app: what every berth program holds for its whole life, and the
 * FastCGI accept loop.
 *
 * Set up once before the loop: the configuration (a bad one exits here,
 * with a message naming the key), the log, the database handle (which
 * connects lazily and never exits), the cluster secret and the signing
 * key set.  Everything a request allocates is freed when it ends.
 */
#ifndef BERTH_APP_H
#define BERTH_APP_H

#include <stdbool.h>

#include "config.h"
#include "db.h"
#include "http.h"
#include "keys.h"
#include "keystore.h"

struct app {
	const char	*prog;
	struct config	 cfg;
	struct db	 db;
	unsigned char	 secret[KEYS_SECRET_LEN];
	bool		 have_secret;
	const char	*secret_problem;	/* static, when !have_secret */
	struct keyset	 keys;
	bool		 keys_loaded;
	long long	 keys_due_ms;		/* next periodic reload */
};

/*
 * A handler serves one request: it fills the response through http_*
 * or returns an error, with *msg (static or owned by the request) as
 * the client-safe message, NULL for the default.
 */
typedef enum app_err (*app_handler)(struct app *, struct http_req *,
    const char **msg);

/* Load the configuration and set up; exits(1) with a message on a bad
 * configuration.  Accepts -h for usage.  With `workers` set, the process
 * becomes their supervisor (lib/prefork.h) and only the workers return. */
void		app_init(struct app *, const char *prog, int argc, char **argv);

/*
 * Reload the secret and the key set when due (every key_reload
 * seconds), or now when force.  A failed reload keeps the previous set
 * and is tried again a second later.
 */
enum app_err	app_keys_refresh(struct app *, bool force);

/* Accept requests on the FastCGI socket on standard input until the
 * web server goes away.  Returns the process exit status. */
int		app_serve(struct app *, app_handler);

void		app_free(struct app *);

#endif
