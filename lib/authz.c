/* authz: the decision table from caller, project and scope to actions. */
#include <string.h>

#include "authz.h"

/* The three actions a caller can hold; "*" is derived from them. */
#define HOLDABLE	(SCOPE_A_PULL | SCOPE_A_PUSH | SCOPE_A_DELETE)

unsigned
authz_role_actions(enum authz_role role)
{
	switch (role) {
	case ROLE_PROJECT_ADMIN:
	case ROLE_MAINTAINER:
		return SCOPE_A_PULL | SCOPE_A_PUSH | SCOPE_A_DELETE;
	case ROLE_DEVELOPER:
		return SCOPE_A_PULL | SCOPE_A_PUSH;
	case ROLE_GUEST:
	case ROLE_LIMITED_GUEST:
		return SCOPE_A_PULL;
	case ROLE_NONE:
		break;
	}
	/* Also any number the database holds that berth does not know. */
	return 0;
}

const struct authz_project *
authz_project_find(const struct authz_project *ps, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (ps[i].name != NULL && strcmp(ps[i].name, name) == 0)
			return &ps[i];
	return NULL;
}

/* What the caller holds on a repository, as HOLDABLE bits. */
static unsigned
repository_held(const struct authz_caller *c, const struct scope *s)
{
	const struct authz_project	*p;
	unsigned			 held = 0;

	/* A one-component name belongs to no project. */
	if (s->project[0] == '\0')
		return c->kind == AUTHZ_SYSADMIN ? HOLDABLE : 0;
	if ((p = authz_project_find(c->projects, c->nprojects, s->project)) == NULL || !p->exists)
		return 0;
	switch (c->kind) {
	case AUTHZ_SYSADMIN:
		held = HOLDABLE;
		break;
	case AUTHZ_USER:
		held = authz_role_actions(p->role);
		break;
	case AUTHZ_ROBOT:
		/* Exactly its permissions: no role, whatever p->role says. */
		held = (p->robot_actions | c->robot_all_projects) & HOLDABLE;
		break;
	case AUTHZ_ANONYMOUS:
		break;
	}
	if (p->public)
		held |= SCOPE_A_PULL;
	return held;
}

unsigned
authz_grant(const struct authz_caller *c, const struct scope *s)
{
	unsigned	 held, granted;

	if (!s->name_valid)
		return 0;
	switch (s->type) {
	case SCOPE_T_REPOSITORY:
		held = repository_held(c, s);
		break;
	case SCOPE_T_REGISTRY:
		/* The catalog lists every repository: system admins only. */
		return c->kind == AUTHZ_SYSADMIN ? s->actions & SCOPE_A_ALL : 0;
	case SCOPE_T_OTHER:
	default:
		return 0;
	}
	granted = s->actions & held & HOLDABLE;
	if ((s->actions & SCOPE_A_ALL) && (held & HOLDABLE) == HOLDABLE)
		granted |= SCOPE_A_ALL;
	/* SCOPE_A_OTHER is never in held, so never granted. */
	return granted;
}
