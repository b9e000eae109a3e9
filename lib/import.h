/*
 * import: moving accounts in from an htpasswd file or a Harbor 2.2+
 * database, for berthctl import-htpasswd and import-harbor.
 *
 * Each import is one transaction on berth's database: what it adds and
 * its one audit_log row commit together, or nothing is written.  It
 * adds what is missing and leaves what exists as it is (the exception:
 * import-htpasswd with rehash replaces the hash of existing users whose
 * hash differs), so a second run changes nothing and writes no audit
 * row.  Names are checked by berth's rules (lib/names); what breaks
 * them is refused and reported, never renamed.
 *
 * Reports go to out (what was done) and err (what was refused or left
 * out), one line each, names escaped.  No password hash is ever shown.
 * The only secrets shown are the new secrets of imported robots, on
 * out, once, after the commit: Harbor keeps a robot's secret only as a
 * hash berth's robots table cannot hold, so each imported robot gets a
 * fresh one (see README.md, "Moving in").
 */
#ifndef BERTH_IMPORT_H
#define BERTH_IMPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "db.h"
#include "err.h"

struct import_opts {
	bool	 dry_run;	/* do everything, then roll back */
	bool	 rehash;	/* htpasswd: replace differing hashes */
	FILE	*out;
	FILE	*err;
};

/*
 * Import the htpasswd file open as in; name is how it is reported and
 * recorded (its path).  Accepted hashes: see htpasswd.h.  A line that
 * is malformed, has a refused hash or an invalid or repeated username
 * is reported with its line number and skipped.  The whole file is read
 * and checked before the transaction begins.
 *
 * APP_OK when the import ran (committed; rolled back for a dry run),
 * *refused the number of lines refused.  Otherwise nothing was written
 * and err says why: APP_EUNAVAIL (database), APP_EBADREQ (the file
 * cannot be read), APP_ENOMEM, APP_EINTERNAL.
 */
enum app_err	import_htpasswd(struct db *, FILE *in, const char *name,
		    const struct import_opts *, int *refused) WUR;

/*
 * Import users, projects (with their public flag and members) and
 * robots (with their permissions) from the Harbor database harbor
 * into berth.  Harbor is only read, with one SELECT (one snapshot).
 * Deleted rows and Harbor's own accounts (anonymous, invisible robots)
 * are left out; a Harbor user whose name exists in berth (berth's
 * admin, say) is kept as berth has it; a project that exists in berth
 * is kept as it is, its Harbor members and robots left out.  Members
 * and robots are imported only with a project this run creates.
 *
 * Returns as import_htpasswd; *refused counts the users, projects,
 * members and robots refused.  APP_EBADREQ: harbor does not look like a
 * Harbor 2.2+ database.
 */
enum app_err	import_harbor(struct db *berth, struct db *harbor,
		    const struct import_opts *, int *refused) WUR;

#endif
