/*
 * audit: one row in audit_log for every change made through the admin
 * API: who (actor), what (action, resource_type, resource), when (the
 * database's now()), from where, under which request id.
 *
 * detail is built by the caller from validated fields only; it must
 * never hold a password, secret or token.  Call it inside the
 * transaction of the change, so that a change and its record stand or
 * fall together.
 */
#ifndef BERTH_AUDIT_H
#define BERTH_AUDIT_H

#include <jansson.h>

#include "db.h"
#include "err.h"

/* detail may be NULL ({}); it is borrowed.  addr may be NULL. */
enum app_err	audit_write(struct db *, const char *actor,
		    const char *action, const char *resource_type,
		    const char *resource, const json_t *detail,
		    const char *addr) WUR;

#endif
