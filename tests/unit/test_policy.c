/* test_policy: the admin API's authorization table (lib/policy.c). */
#include <stdbool.h>

#include "policy.h"
#include "t.h"

#define OK	APP_OK
#define NF	APP_ENOTFOUND
#define FB	APP_EFORBIDDEN

/* Callers: 1 is a system admin, 2 a user. */
static const struct policy_caller admin = { 1, true };
static const struct policy_caller user = { 2, false };

static void
users(void)
{
	struct policy_object	 self = { true, 2, false, 0, false };
	struct policy_object	 other = { true, 3, false, 0, false };
	struct policy_object	 admself = { true, 1, false, 0, false };
	struct policy_object	 missing = { false, 4, false, 0, false };
	static const enum policy_action acts[] = { POLICY_USER_READ,
	    POLICY_USER_UPDATE, POLICY_USER_DELETE, POLICY_USER_ADMIN };
	/* want[action][self, other, missing] for the user, then the admin. */
	static const enum app_err uwant[4][3] = {
		{ OK, NF, NF }, { OK, NF, NF }, { FB, NF, NF }, { FB, NF, NF },
	};
	static const enum app_err awant[4][3] = {
		{ OK, OK, NF }, { OK, OK, NF }, { FB, OK, NF }, { FB, OK, NF },
	};

	for (size_t i = 0; i < 4; i++) {
		T_EQ_INT(policy_check(&user, acts[i], &self), uwant[i][0],
		    "user, action %d, own account", acts[i]);
		T_EQ_INT(policy_check(&user, acts[i], &other), uwant[i][1],
		    "user, action %d, another account", acts[i]);
		T_EQ_INT(policy_check(&user, acts[i], &missing), uwant[i][2],
		    "user, action %d, no account", acts[i]);
		T_EQ_INT(policy_check(&admin, acts[i], &admself), awant[i][0],
		    "admin, action %d, own account", acts[i]);
		T_EQ_INT(policy_check(&admin, acts[i], &other), awant[i][1],
		    "admin, action %d, another account", acts[i]);
		T_EQ_INT(policy_check(&admin, acts[i], &missing), awant[i][2],
		    "admin, action %d, no account", acts[i]);
	}
	T_EQ_INT(policy_check(&user, POLICY_USER_LIST, NULL), FB,
	    "user may not list users");
	T_EQ_INT(policy_check(&user, POLICY_USER_CREATE, NULL), FB,
	    "user may not create users");
	T_EQ_INT(policy_check(&admin, POLICY_USER_LIST, NULL), OK,
	    "admin lists users");
	T_EQ_INT(policy_check(&admin, POLICY_USER_CREATE, NULL), OK,
	    "admin creates users");
}

/* Robots, sessions, keys and the audit log. */
static void
robots(void)
{
	struct policy_object	 sys = { true, 0, false, 0, true };
	struct policy_object	 none = { false, 0, false, 0, false };
	struct policy_object	 priv = { true, 0, false, 0, false };
	struct policy_object	 pub = { true, 0, true, 0, false };
	struct policy_object	 padm = { true, 0, false, ROLE_PROJECT_ADMIN,
	    false };
	struct policy_object	 pdev = { true, 0, false, ROLE_DEVELOPER,
	    false };
	struct policy_object	 self = { true, 2, false, 0, false };
	struct policy_object	 other = { true, 3, false, 0, false };

	T_EQ_INT(policy_check(&user, POLICY_ROBOT_READ, &sys), NF,
	    "a system robot is invisible to a user");
	T_EQ_INT(policy_check(&admin, POLICY_ROBOT_WRITE, &sys), OK,
	    "admin manages system robots");
	T_EQ_INT(policy_check(&user, POLICY_ROBOT_WRITE, &padm), OK,
	    "projectAdmin manages the project's robots");
	T_EQ_INT(policy_check(&user, POLICY_ROBOT_READ, &pdev), FB,
	    "a developer may not read robots");
	T_EQ_INT(policy_check(&user, POLICY_ROBOT_READ, &priv), NF,
	    "an outsider does not see a private project's robot");
	T_EQ_INT(policy_check(&user, POLICY_ROBOT_GRANT, &priv), FB,
	    "granting on an invisible project: 403");
	T_EQ_INT(policy_check(&user, POLICY_ROBOT_GRANT, &none), FB,
	    "granting on a missing project: 403 as well");
	T_EQ_INT(policy_check(&user, POLICY_ROBOT_GRANT, &pub), FB,
	    "granting on a public project of others: 403");
	T_EQ_INT(policy_check(&user, POLICY_ROBOT_GRANT, &padm), OK,
	    "granting on one's own project");
	T_EQ_INT(policy_check(&user, POLICY_ROBOT_GRANT, &sys), FB,
	    "a user may not grant every project");
	T_EQ_INT(policy_check(&admin, POLICY_ROBOT_GRANT, &none), NF,
	    "admin, missing project: 404");
	T_EQ_INT(policy_check(&user, POLICY_ROBOT_SYSTEM, NULL), FB,
	    "a user may not create system robots");
	T_EQ_INT(policy_check(&user, POLICY_SESSION, &self), OK,
	    "own sessions");
	T_EQ_INT(policy_check(&user, POLICY_SESSION, &other), NF,
	    "another's sessions are invisible");
	T_EQ_INT(policy_check(&admin, POLICY_SESSION, &other), OK,
	    "admin, another's sessions");
	T_EQ_INT(policy_check(&user, POLICY_KEY, NULL), FB, "keys: admins");
	T_EQ_INT(policy_check(&admin, POLICY_KEY, NULL), OK, "keys, admin");
	T_EQ_INT(policy_check(&user, POLICY_AUDIT_READ, NULL), FB,
	    "audit: admins");
}

static void
projects(void)
{
	static const enum policy_action acts[] = { POLICY_PROJECT_READ,
	    POLICY_PROJECT_UPDATE, POLICY_PROJECT_DELETE, POLICY_MEMBER_READ,
	    POLICY_MEMBER_WRITE };
	/*
	 * Rows: roles 0 (none) .. 5, on a private then a public project;
	 * columns: the actions above.
	 */
	static const enum app_err priv[6][5] = {
		{ NF, NF, NF, NF, NF },		/* non-member */
		{ OK, OK, OK, OK, OK },		/* projectAdmin */
		{ OK, FB, FB, OK, FB },		/* developer */
		{ OK, FB, FB, OK, FB },		/* guest */
		{ OK, FB, FB, OK, FB },		/* maintainer */
		{ OK, FB, FB, OK, FB },		/* limitedGuest */
	};
	static const enum app_err pub_none[5] = { OK, FB, FB, FB, FB };

	for (int role = 0; role <= 5; role++)
		for (size_t a = 0; a < 5; a++) {
			struct policy_object o = { true, 0, false,
			    (enum authz_role)role, false };

			T_EQ_INT(policy_check(&user, acts[a], &o),
			    priv[role][a], "private project, role %d, "
			    "action %d", role, acts[a]);
			o.public = true;
			T_EQ_INT(policy_check(&user, acts[a], &o), role == 0 ?
			    pub_none[a] : priv[role][a], "public project, "
			    "role %d, action %d", role, acts[a]);
		}
	for (size_t a = 0; a < 5; a++) {
		struct policy_object	 o = { true, 0, false, 0, false };
		struct policy_object	 gone = { false, 0, true, 1, false };

		T_EQ_INT(policy_check(&admin, acts[a], &o), OK,
		    "admin, private project, action %d", acts[a]);
		T_EQ_INT(policy_check(&admin, acts[a], &gone), NF,
		    "admin, no project, action %d", acts[a]);
		T_EQ_INT(policy_check(&user, acts[a], &gone), NF,
		    "user, no project, action %d", acts[a]);
	}
	{
		struct policy_object	 o = { true, 0, false, 9, false };

		T_EQ_INT(policy_check(&user, POLICY_PROJECT_READ, &o), NF,
		    "an unknown role is no membership");
	}
	T_EQ_INT(policy_check(&user, POLICY_PROJECT_CREATE, NULL), OK,
	    "any user creates projects");
	T_EQ_INT(policy_check(&user, POLICY__MAX, NULL), FB,
	    "an unknown action is denied");
}

int
main(void)
{
	users();
	projects();
	robots();
	T_EQ_STR(policy_role_name(1), "projectAdmin", "role name 1");
	T_EQ_STR(policy_role_name(5), "limitedGuest", "role name 5");
	T_OK(policy_role_name(0) == NULL && policy_role_name(6) == NULL,
	    "no role names outside 1..5");
	return t_done();
}
