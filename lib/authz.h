/*
 * authz: who may do what to which repository.  A pure decision over
 * facts the caller fetched from the database in one round trip; no I/O,
 * so every row of the role x action x visibility table is a unit test.
 *
 * Rules (DESIGN.md, "Rules of the domain"):
 *   - a repository's project is the first component of its name; a
 *     one-component name belongs to no project: system admins only;
 *   - Harbor's roles: projectAdmin (1) and maintainer (4) pull, push,
 *     delete; developer (2) pull, push; guest (3) and limitedGuest (5)
 *     pull;
 *   - public projects: pull for everyone, anonymous included;
 *   - system admins: everything, and registry:catalog:*;
 *   - robots: exactly their permissions (plus pull of public projects);
 *   - "*" is granted only to a caller who holds pull, push and delete;
 *   - anything unknown (type, action, an invalid name) gets nothing;
 *   - a project that does not exist (exists false, or missing from
 *     caller->projects) gets nobody anything, system admins included:
 *     a push there would create a repository outside every project.
 *     Names like `localhost:5000/team/app` fall here (scope.h).
 *   - registry:catalog grants only "*", and only to system admins.
 */
#ifndef BERTH_AUTHZ_H
#define BERTH_AUTHZ_H

#include <stdbool.h>

#include "scope.h"

enum authz_role {
	ROLE_NONE = 0,
	ROLE_PROJECT_ADMIN = 1,
	ROLE_DEVELOPER = 2,
	ROLE_GUEST = 3,
	ROLE_MAINTAINER = 4,
	ROLE_LIMITED_GUEST = 5,
};

enum authz_kind {
	AUTHZ_ANONYMOUS,
	AUTHZ_USER,
	AUTHZ_SYSADMIN,
	AUTHZ_ROBOT,
};

/* What the database says about one project named in the request. */
struct authz_project {
	const char	*name;
	bool		 exists;
	bool		 public;
	enum authz_role	 role;		/* the user's role; ROLE_NONE if none */
	unsigned	 robot_actions;	/* a robot's permitted SCOPE_A_* bits:
					   pull, push, delete; any other bit
					   is ignored ("*" follows from
					   holding all three) */
};

struct authz_caller {
	enum authz_kind		 kind;
	const struct authz_project *projects;	/* those named by the scopes */
	size_t			 nprojects;
	unsigned		 robot_all_projects; /* a system robot's bits
						   for every project ("*") */
};

/* The SCOPE_A_* bits a role holds on a project (pull, push, delete). */
unsigned	authz_role_actions(enum authz_role);

/* The project of that name among n, or NULL. */
const struct authz_project *authz_project_find(const struct authz_project *,
		    size_t n, const char *name);

/*
 * The SCOPE_A_* bits granted for scope s: the intersection of what s
 * asks and what the caller holds, with "*" only for holders of all
 * three.  0 denies.
 */
unsigned	authz_grant(const struct authz_caller *, const struct scope *s);

#endif
