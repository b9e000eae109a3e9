/* audit: recording changes made through the admin API (see audit.h). */
#include <stdlib.h>

#include "audit.h"
#include "json.h"
#include "log.h"

enum app_err
audit_write(struct db *db, const char *actor, const char *action,
    const char *resource_type, const char *resource, const json_t *detail,
    const char *addr)
{
	const char	*v[7];
	char		*d;
	enum app_err	 rc;

	d = detail != NULL ? json_encode_new(detail,
	    JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (detail != NULL && d == NULL)
		return APP_ENOMEM;
	v[0] = actor;
	v[1] = action;
	v[2] = resource_type;
	v[3] = resource;
	v[4] = d != NULL ? d : "{}";
	v[5] = addr;
	v[6] = log_request_id();
	rc = db_exec(db, STMT_AUDIT_INSERT, v, NULL, NULL, NULL);
	free(d);
	return rc;
}
