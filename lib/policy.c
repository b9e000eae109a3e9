/* policy: the admin API's authorization table (see policy.h). */
#include <stddef.h>

#include "policy.h"

static enum app_err
user_rule(const struct policy_caller *c, enum policy_action a,
    const struct policy_object *o)
{
	bool	 self;

	if (o == NULL || !o->exists)
		return APP_ENOTFOUND;
	self = o->user_id == c->user_id;
	/* Another account is invisible to a non-admin. */
	if (!self && !c->sysadmin)
		return APP_ENOTFOUND;
	switch (a) {
	case POLICY_USER_READ:
	case POLICY_USER_UPDATE:
	case POLICY_SESSION:
		return APP_OK;
	case POLICY_USER_DELETE:
	case POLICY_USER_ADMIN:
		return c->sysadmin && !self ? APP_OK : APP_EFORBIDDEN;
	default:
		return APP_EFORBIDDEN;
	}
}

static enum app_err
project_rule(const struct policy_caller *c, enum policy_action a,
    const struct policy_object *o)
{
	bool	 member, visible;

	if (o == NULL || !o->exists)
		return APP_ENOTFOUND;
	member = o->role >= ROLE_PROJECT_ADMIN &&
	    o->role <= ROLE_LIMITED_GUEST;
	visible = c->sysadmin || member || o->public;
	if (!visible)
		return APP_ENOTFOUND;
	if (c->sysadmin)
		return APP_OK;
	switch (a) {
	case POLICY_PROJECT_READ:
		return APP_OK;
	case POLICY_MEMBER_READ:
		return member ? APP_OK : APP_EFORBIDDEN;
	case POLICY_PROJECT_UPDATE:
	case POLICY_PROJECT_DELETE:
	case POLICY_MEMBER_WRITE:
	case POLICY_ROBOT_READ:
	case POLICY_ROBOT_WRITE:
		return o->role == ROLE_PROJECT_ADMIN ? APP_OK : APP_EFORBIDDEN;
	default:
		return APP_EFORBIDDEN;
	}
}

static enum app_err
robot_rule(const struct policy_caller *c, enum policy_action a,
    const struct policy_object *o)
{
	if (o == NULL || !o->exists)
		return APP_ENOTFOUND;
	/* A system robot is no business of anyone but system admins. */
	if (o->system)
		return c->sysadmin ? APP_OK : APP_ENOTFOUND;
	return project_rule(c, a, o);
}

/*
 * A non-admin asking to grant access to a project it cannot see, or
 * one that does not exist, hears 403 like one it sees without the role.
 */
static enum app_err
grant_rule(const struct policy_caller *c, const struct policy_object *o)
{
	enum app_err	 rc;

	if (o == NULL || !o->exists)
		return c->sysadmin ? APP_ENOTFOUND : APP_EFORBIDDEN;
	if (o->system)
		return c->sysadmin ? APP_OK : APP_EFORBIDDEN;
	rc = project_rule(c, POLICY_ROBOT_WRITE, o);
	return rc == APP_ENOTFOUND ? APP_EFORBIDDEN : rc;
}

enum app_err
policy_check(const struct policy_caller *c, enum policy_action a,
    const struct policy_object *o)
{
	switch (a) {
	case POLICY_USER_LIST:
	case POLICY_USER_CREATE:
		return c->sysadmin ? APP_OK : APP_EFORBIDDEN;
	case POLICY_PROJECT_CREATE:
		return APP_OK;
	case POLICY_ROBOT_SYSTEM:
	case POLICY_KEY:
	case POLICY_AUDIT_READ:
		return c->sysadmin ? APP_OK : APP_EFORBIDDEN;
	case POLICY_USER_READ:
	case POLICY_USER_UPDATE:
	case POLICY_USER_DELETE:
	case POLICY_USER_ADMIN:
	case POLICY_SESSION:
		return user_rule(c, a, o);
	case POLICY_ROBOT_READ:
	case POLICY_ROBOT_WRITE:
		return robot_rule(c, a, o);
	case POLICY_ROBOT_GRANT:
		return grant_rule(c, o);
	case POLICY_PROJECT_READ:
	case POLICY_PROJECT_UPDATE:
	case POLICY_PROJECT_DELETE:
	case POLICY_MEMBER_READ:
	case POLICY_MEMBER_WRITE:
		return project_rule(c, a, o);
	default:
		return APP_EFORBIDDEN;
	}
}

const char *
policy_role_name(int role)
{
	static const char *const names[] = {
		[ROLE_PROJECT_ADMIN] = "projectAdmin",
		[ROLE_DEVELOPER] = "developer",
		[ROLE_GUEST] = "guest",
		[ROLE_MAINTAINER] = "maintainer",
		[ROLE_LIMITED_GUEST] = "limitedGuest",
	};

	return role >= ROLE_PROJECT_ADMIN && role <= ROLE_LIMITED_GUEST ?
	    names[role] : NULL;
}
