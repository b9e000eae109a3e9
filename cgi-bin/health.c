/*
 * berth-health: the health endpoint, for load balancers and operators.
 *
 *   GET /health            200 healthy | 503 unhealthy: every component
 *   GET /api/v2.0/health   the same, as Harbor serves it
 *   GET /health/ready      200 when this node can serve tokens, else 503
 *   GET /health/live       200 while the process answers (no database)
 *   GET /api/v2.0/ping     200 "Pong" (Harbor's)
 *   HEAD on each: the same status, no body.  Other methods: 405 + Allow.
 *   Other paths: 404.
 *
 * Components: database (reachable, latency), schema (the version this
 * build expects is applied), signing_key (the cluster's active key opens
 * with this node's secret), clock (offset from the database's now()).
 * The probe is one query, reused for health_cache_ms, so a flood of
 * health checks costs the database at most one query a second per
 * process.  Bodies name no connection string, path or software version.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "log.h"
#include "version.h"

struct probe {
	long long	 at_ms;		/* when taken; 0: never */
	enum app_err	 db;		/* APP_OK: reachable */
	double		 latency_ms;
	int		 schema;	/* applied version; -1 unknown */
	bool		 clock_known;
	double		 offset_ms;	/* database minus this node */
	char		 active_kid[KEYS_KID_LEN + 1];
};

static struct probe	 probe;

static double
realtime_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/*
 * Probe the database and reload the keys when due.  APP_OK with the
 * result in probe, kept for health_cache_ms; otherwise a failure of
 * this process (out of memory), which says nothing of the database and
 * is not kept: the next request probes again.
 */
static enum app_err
probe_run(struct app *a)
{
	PGresult	*res = NULL;
	double		 t0, t1;
	enum app_err	 rc = APP_OK;

	memset(&probe, 0, sizeof(probe));
	probe.schema = -1;
	t0 = realtime_ms();
	probe.db = db_exec(&a->db, STMT_HEALTH_PROBE, NULL, NULL, NULL, &res);
	t1 = realtime_ms();
	probe.at_ms = db_now_ms();
	probe.latency_ms = t1 - t0;

	if (probe.db == APP_OK && PQntuples(res) == 1) {
		/* The database's clock, read half-way through the round trip. */
		probe.offset_ms = strtod(PQgetvalue(res, 0, 0), NULL) * 1000.0 -
		    (t0 + t1) / 2.0;
		probe.clock_known = true;
		probe.schema = atoi(PQgetvalue(res, 0, 1));
		if (!PQgetisnull(res, 0, 2))
			snprintf(probe.active_kid, sizeof(probe.active_kid),
			    "%s", PQgetvalue(res, 0, 2));
	} else if (probe.db == APP_EUNAVAIL &&
	    strcmp(a->db.sqlstate, "42P01") == 0) {
		/* The server answered: reachable, but never migrated. */
		probe.db = APP_OK;
		probe.schema = 0;
	}
	PQclear(res);
	if (probe.db == APP_EINTERNAL || probe.db == APP_ENOMEM)
		rc = probe.db;

	/*
	 * A new active key in the database: reload now, not in 30 s.  A
	 * reload that fails for the database keeps the keys there were.
	 */
	if (probe.db == APP_OK && probe.schema > 0 && (!a->keys_loaded ||
	    (a->keys.active == NULL) != (probe.active_kid[0] == '\0') ||
	    (a->keys.active != NULL &&
	    strcmp(a->keys.active->kid, probe.active_kid) != 0)))
		rc = app_keys_refresh(a, true);
	else if (probe.db == APP_OK && probe.schema > 0)
		rc = app_keys_refresh(a, false);
	if (rc == APP_EINTERNAL || rc == APP_ENOMEM) {
		probe.at_ms = 0;
		return rc;
	}
	return APP_OK;
}

/* Milliseconds to one decimal, never "-0.0". */
static json_t *
ms_new(double ms)
{
	double	 v = round(ms * 10) / 10;

	return json_real(v == 0 ? 0 : v);
}

/*
 * One component, or NULL when out of memory: a document short of a
 * component or a field would be another answer, so every step counts.
 */
static json_t *
component(const char *name, bool healthy, const char *error)
{
	json_t	*c = json_pack("{s:s,s:s}", "name", name, "status",
	    healthy ? "healthy" : "unhealthy");

	if (c != NULL && error != NULL &&
	    json_object_set_new(c, "error", json_string(error)) != 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

/* Set key of c to v (both stolen); false, c released, on failure. */
static bool
field(json_t **c, const char *key, json_t *v)
{
	if (*c != NULL && json_object_set_new(*c, key, v) == 0)
		return true;
	if (*c == NULL)
		json_decref(v);
	json_decref(*c);
	*c = NULL;
	return false;
}

/*
 * Build the health document into *doc_new; *ok tells whether every
 * component is healthy.  An error when this process failed (the probe,
 * or memory for the document).
 */
static enum app_err
health_doc(struct app *a, bool *ok, json_t **doc_new)
{
	json_t		*comps, *c;
	bool		 dbok, schemaok, keyok, clockok;
	const char	*why;
	enum app_err	 rc;

	*doc_new = NULL;
	if ((probe.at_ms == 0 ||
	    db_now_ms() - probe.at_ms >= a->cfg.health_cache_ms) &&
	    (rc = probe_run(a)) != APP_OK)
		return rc;

	if ((comps = json_array()) == NULL)
		return APP_ENOMEM;

	dbok = probe.db == APP_OK;
	c = component("database", dbok, dbok ? NULL : "database unreachable");
	if (dbok)
		field(&c, "latency_ms", ms_new(probe.latency_ms));
	if (json_array_append_new(comps, c) != 0)
		goto fail;

	schemaok = dbok && probe.schema >= BERTH_SCHEMA_VERSION;
	why = !dbok ? "unknown" : probe.schema == 0 ? "database not migrated" :
	    probe.schema < BERTH_SCHEMA_VERSION ?
	    "schema is behind this node: run deploy/migrate" : NULL;
	if (json_array_append_new(comps, component("schema", schemaok,
	    why)) != 0)
		goto fail;

	keyok = dbok && schemaok && a->keys_loaded && a->keys.active != NULL &&
	    strcmp(a->keys.active->kid, probe.active_kid) == 0;
	why = keyok ? NULL : !dbok || !schemaok ? "unknown" :
	    !a->have_secret ? "cluster secret unavailable" :
	    a->keys.problem != NULL ? a->keys.problem :
	    "signing keys not loaded";
	c = component("signing_key", keyok, why);
	if (keyok && field(&c, "kid", json_string(a->keys.active->kid)))
		field(&c, "alg", json_string(keys_alg_name(
		    a->keys.active->alg)));
	if (json_array_append_new(comps, c) != 0)
		goto fail;

	clockok = probe.clock_known &&
	    fabs(probe.offset_ms) <= (double)a->cfg.max_clock_offset * 1000.0;
	c = component("clock", clockok, !probe.clock_known ? "unknown" :
	    clockok ? NULL : "clock differs from the database's");
	if (probe.clock_known)
		field(&c, "offset_ms", ms_new(probe.offset_ms));
	if (json_array_append_new(comps, c) != 0)
		goto fail;

	*ok = dbok && schemaok && keyok && clockok;
	if ((*doc_new = json_pack("{s:s,s:o}", "status", *ok ? "healthy" :
	    "unhealthy", "components", comps)) == NULL)
		return APP_ENOMEM;
	return APP_OK;
fail:
	json_decref(comps);
	return APP_ENOMEM;
}

static enum app_err
health(struct app *a, struct http_req *r, const char **msg)
{
	json_t		*doc;
	bool		 ok = false;
	enum app_err	 rc;

	if ((rc = health_doc(a, &ok, &doc)) != APP_OK)
		return rc;
	http_json(r, ok ? 200 : 503, doc);
	return APP_OK;
}

static enum app_err
ready(struct app *a, struct http_req *r, const char **msg)
{
	json_t		*doc;
	bool		 ok = false;
	enum app_err	 rc;

	if ((rc = health_doc(a, &ok, &doc)) != APP_OK)
		return rc;
	if (json_object_set_new(doc, "status", json_string(ok ? "ready" :
	    "not ready")) != 0) {
		json_decref(doc);
		return APP_ENOMEM;
	}
	http_json(r, ok ? 200 : 503, doc);
	return APP_OK;
}

static enum app_err
live(struct app *a, struct http_req *r, const char **msg)
{
	http_json(r, 200, json_pack("{s:s}", "status", "alive"));
	return r->json != NULL ? APP_OK : APP_ENOMEM;
}

static enum app_err
ping(struct app *a, struct http_req *r, const char **msg)
{
	return http_text(r, 200, "text/plain; charset=utf-8", "Pong");
}

static const struct route {
	const char	*path;
	app_handler	 handle;
} routes[] = {
	{ "/health", health },
	{ "/health/", health },
	{ "/api/v2.0/health", health },
	{ "/health/ready", ready },
	{ "/health/live", live },
	{ "/api/v2.0/ping", ping },
};

static enum app_err
route(struct app *a, struct http_req *r, const char **msg)
{
	enum app_err	 rc;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(r->path, routes[i].path) != 0)
			continue;
		if (strcmp(r->method, "GET") != 0 && !r->head) {
			if ((rc = http_add_header(r, "Allow", "GET, HEAD")) !=
			    APP_OK)
				return rc;
			return APP_EMETHOD;
		}
		return routes[i].handle(a, r, msg);
	}
	return APP_ENOTFOUND;
}

int
main(int argc, char *argv[])
{
	struct app	 a;
	int		 rc;

	app_init(&a, "berth-health", argc, argv);
	rc = app_serve(&a, route);
	app_free(&a);
	return rc;
}
