/*
 * policy: who may do what through the admin API, decided in this one
 * place.  Pure: handlers load the object first (its owning project and
 * the caller's role there, as stored in the database, never taken from
 * the URL) and ask here; every row of the table is a unit test.
 *
 * The answer is one of
 *   APP_OK          allowed;
 *   APP_ENOTFOUND   the caller may not see the object, or it does not
 *                   exist: both look the same (CHECKLIST 30);
 *   APP_EFORBIDDEN  the caller sees the object but may not do this.
 *
 * Rules (Harbor's, narrowed where noted):
 *   - system admins do everything, except to their own account: no
 *     deleting, demoting or disabling oneself (so the last admin cannot
 *     lock everyone out by accident);
 *   - users: everyone reads and edits their own profile and password;
 *     other accounts are invisible to non-admins; listing and creating
 *     accounts, the sysadmin flag and disabling are for admins;
 *   - projects: any user may create one (becoming its projectAdmin);
 *     a project is visible to admins, its members, and everyone when
 *     public; projectAdmins change and delete it;
 *   - members: any member reads them; projectAdmins change them;
 *   - robots: a project robot belongs to its project: its projectAdmins
 *     read and manage it (other members 403, outsiders 404); a system
 *     robot (obj->system) is for system admins only, invisible to the
 *     rest.  Granting a robot access to a project (ROBOT_GRANT) needs
 *     projectAdmin there; a project the caller may not see answers 403
 *     like one it sees without the role, so that the refusal says
 *     nothing about which projects exist (CHECKLIST 27, 30);
 *   - sessions: a user's own, and system admins';
 *   - signing keys and the audit log: system admins only.
 */
#ifndef BERTH_POLICY_H
#define BERTH_POLICY_H

#include <stdbool.h>

#include "authz.h"
#include "err.h"

enum policy_action {
	POLICY_USER_LIST,
	POLICY_USER_CREATE,
	POLICY_USER_READ,
	POLICY_USER_UPDATE,		/* profile and password */
	POLICY_USER_DELETE,
	POLICY_USER_ADMIN,		/* sysadmin flag, disabling */
	POLICY_PROJECT_CREATE,
	POLICY_PROJECT_READ,
	POLICY_PROJECT_UPDATE,
	POLICY_PROJECT_DELETE,
	POLICY_MEMBER_READ,
	POLICY_MEMBER_WRITE,
	POLICY_ROBOT_READ,
	POLICY_ROBOT_WRITE,
	POLICY_ROBOT_GRANT,		/* give a robot access to obj */
	POLICY_ROBOT_SYSTEM,		/* create or list system robots */
	POLICY_SESSION,			/* list and revoke a user's sessions */
	POLICY_KEY,			/* signing keys: list and rotate */
	POLICY_AUDIT_READ,
	POLICY__MAX
};

struct policy_caller {
	long long	 user_id;
	bool		 sysadmin;
};

/* The object as the database has it. */
struct policy_object {
	bool		 exists;
	long long	 user_id;	/* user actions: the account acted on */
	bool		 public;	/* project and member actions */
	enum authz_role	 role;		/* the caller's role in the project */
	bool		 system;	/* robots: a system robot, no project */
};

/* Collection actions (list, create) ignore obj; it may be NULL. */
enum app_err	policy_check(const struct policy_caller *, enum policy_action,
		    const struct policy_object *obj) WUR;

/* Harbor's role name for a role id ("projectAdmin"), or NULL. */
const char	*policy_role_name(int role);

#endif
