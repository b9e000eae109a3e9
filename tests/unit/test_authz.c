/*
 * Unit tests for lib/authz: the decision table, written out as data.
 * Every row says what a caller asking for each action on one kind of
 * project must be granted; nothing here recomputes the rules.
 */
#include <stdlib.h>

#include "authz.h"
#include "t.h"

#define PULL	SCOPE_A_PULL
#define PUSH	SCOPE_A_PUSH
#define DEL	SCOPE_A_DELETE
#define STAR	SCOPE_A_ALL
#define EVERY	(PULL | PUSH | DEL | STAR)

enum who {
	W_ANON,
	W_NONMEMBER,
	W_PADMIN,
	W_MAINT,
	W_DEV,
	W_GUEST,
	W_LGUEST,
	W_SYSADMIN,
	W_ROBOT_PULL,
	W_ROBOT_PUSHONLY,
	W_ROBOT_PULLPUSH,
	W_ROBOT_ALL3,
	W_SYSROBOT_PULL,
	W_SYSROBOT_ALL3,
	W__MAX
};

/* Who each caller is, and what it holds on the project "team". */
static const struct {
	const char	*name;
	enum authz_kind	 kind;
	enum authz_role	 role;
	unsigned	 robot;		/* robot_actions on "team" */
	unsigned	 robot_all;	/* robot_all_projects */
} who[W__MAX] = {
	[W_ANON] =		{ "anonymous", AUTHZ_ANONYMOUS, ROLE_NONE, 0, 0 },
	[W_NONMEMBER] =		{ "non-member", AUTHZ_USER, ROLE_NONE, 0, 0 },
	[W_PADMIN] =		{ "projectAdmin", AUTHZ_USER,
				  ROLE_PROJECT_ADMIN, 0, 0 },
	[W_MAINT] =		{ "maintainer", AUTHZ_USER, ROLE_MAINTAINER,
				  0, 0 },
	[W_DEV] =		{ "developer", AUTHZ_USER, ROLE_DEVELOPER, 0, 0 },
	[W_GUEST] =		{ "guest", AUTHZ_USER, ROLE_GUEST, 0, 0 },
	[W_LGUEST] =		{ "limitedGuest", AUTHZ_USER,
				  ROLE_LIMITED_GUEST, 0, 0 },
	[W_SYSADMIN] =		{ "sysadmin", AUTHZ_SYSADMIN, ROLE_NONE, 0, 0 },
	[W_ROBOT_PULL] =	{ "robot pull", AUTHZ_ROBOT, ROLE_NONE,
				  PULL, 0 },
	[W_ROBOT_PUSHONLY] =	{ "robot push", AUTHZ_ROBOT, ROLE_NONE,
				  PUSH, 0 },
	[W_ROBOT_PULLPUSH] =	{ "robot pull+push", AUTHZ_ROBOT, ROLE_NONE,
				  PULL | PUSH, 0 },
	[W_ROBOT_ALL3] =	{ "robot pull+push+delete", AUTHZ_ROBOT,
				  ROLE_NONE, PULL | PUSH | DEL, 0 },
	[W_SYSROBOT_PULL] =	{ "system robot pull", AUTHZ_ROBOT, ROLE_NONE,
				  0, PULL },
	[W_SYSROBOT_ALL3] =	{ "system robot pull+push+delete", AUTHZ_ROBOT,
				  ROLE_NONE, 0, PULL | PUSH | DEL },
};

/*
 * The kinds of repository asked for: team/app where "team" is public,
 * private, known not to exist (exists false, yet with the caller's role
 * and robot permissions filled in, as stale facts would be), or absent
 * from the facts altogether; and the one-component name "alpine".
 */
enum where {
	P_PUBLIC,
	P_PRIVATE,
	P_NONEXISTENT,
	P_ABSENT,
	P_ONECOMP,
	P__MAX
};

static const char *const where_name[P__MAX] = {
	[P_PUBLIC] = "public",
	[P_PRIVATE] = "private",
	[P_NONEXISTENT] = "nonexistent",
	[P_ABSENT] = "absent",
	[P_ONECOMP] = "one-component",
};

/* The columns of the table: what is asked. */
#define NASK	5
static const char *const ask[NASK] = {
	"pull", "push", "delete", "*", "pull,push",
};

static const struct row {
	enum who	 who;
	enum where	 where;
	unsigned	 want[NASK];
} table[] = {
	/*				pull  push  delete  *     pull,push */
	{ W_ANON, P_PUBLIC,		{ PULL, 0,    0,    0,    PULL } },
	{ W_ANON, P_PRIVATE,		{ 0,    0,    0,    0,    0 } },
	{ W_ANON, P_NONEXISTENT,	{ 0,    0,    0,    0,    0 } },
	{ W_ANON, P_ABSENT,		{ 0,    0,    0,    0,    0 } },
	{ W_ANON, P_ONECOMP,		{ 0,    0,    0,    0,    0 } },

	{ W_NONMEMBER, P_PUBLIC,	{ PULL, 0,    0,    0,    PULL } },
	{ W_NONMEMBER, P_PRIVATE,	{ 0,    0,    0,    0,    0 } },
	{ W_NONMEMBER, P_NONEXISTENT,	{ 0,    0,    0,    0,    0 } },
	{ W_NONMEMBER, P_ABSENT,	{ 0,    0,    0,    0,    0 } },
	{ W_NONMEMBER, P_ONECOMP,	{ 0,    0,    0,    0,    0 } },

	{ W_PADMIN, P_PUBLIC,		{ PULL, PUSH, DEL,  STAR, PULL | PUSH } },
	{ W_PADMIN, P_PRIVATE,		{ PULL, PUSH, DEL,  STAR, PULL | PUSH } },
	{ W_PADMIN, P_NONEXISTENT,	{ 0,    0,    0,    0,    0 } },
	{ W_PADMIN, P_ABSENT,		{ 0,    0,    0,    0,    0 } },
	{ W_PADMIN, P_ONECOMP,		{ 0,    0,    0,    0,    0 } },

	{ W_MAINT, P_PUBLIC,		{ PULL, PUSH, DEL,  STAR, PULL | PUSH } },
	{ W_MAINT, P_PRIVATE,		{ PULL, PUSH, DEL,  STAR, PULL | PUSH } },
	{ W_MAINT, P_NONEXISTENT,	{ 0,    0,    0,    0,    0 } },
	{ W_MAINT, P_ABSENT,		{ 0,    0,    0,    0,    0 } },
	{ W_MAINT, P_ONECOMP,		{ 0,    0,    0,    0,    0 } },

	{ W_DEV, P_PUBLIC,		{ PULL, PUSH, 0,    0,    PULL | PUSH } },
	{ W_DEV, P_PRIVATE,		{ PULL, PUSH, 0,    0,    PULL | PUSH } },
	{ W_DEV, P_NONEXISTENT,		{ 0,    0,    0,    0,    0 } },
	{ W_DEV, P_ABSENT,		{ 0,    0,    0,    0,    0 } },
	{ W_DEV, P_ONECOMP,		{ 0,    0,    0,    0,    0 } },

	{ W_GUEST, P_PUBLIC,		{ PULL, 0,    0,    0,    PULL } },
	{ W_GUEST, P_PRIVATE,		{ PULL, 0,    0,    0,    PULL } },
	{ W_GUEST, P_NONEXISTENT,	{ 0,    0,    0,    0,    0 } },
	{ W_GUEST, P_ABSENT,		{ 0,    0,    0,    0,    0 } },
	{ W_GUEST, P_ONECOMP,		{ 0,    0,    0,    0,    0 } },

	{ W_LGUEST, P_PUBLIC,		{ PULL, 0,    0,    0,    PULL } },
	{ W_LGUEST, P_PRIVATE,		{ PULL, 0,    0,    0,    PULL } },
	{ W_LGUEST, P_NONEXISTENT,	{ 0,    0,    0,    0,    0 } },
	{ W_LGUEST, P_ABSENT,		{ 0,    0,    0,    0,    0 } },
	{ W_LGUEST, P_ONECOMP,		{ 0,    0,    0,    0,    0 } },

	{ W_SYSADMIN, P_PUBLIC,		{ PULL, PUSH, DEL,  STAR, PULL | PUSH } },
	{ W_SYSADMIN, P_PRIVATE,	{ PULL, PUSH, DEL,  STAR, PULL | PUSH } },
	{ W_SYSADMIN, P_NONEXISTENT,	{ 0,    0,    0,    0,    0 } },
	{ W_SYSADMIN, P_ABSENT,		{ 0,    0,    0,    0,    0 } },
	{ W_SYSADMIN, P_ONECOMP,	{ PULL, PUSH, DEL,  STAR, PULL | PUSH } },

	{ W_ROBOT_PULL, P_PUBLIC,	{ PULL, 0,    0,    0,    PULL } },
	{ W_ROBOT_PULL, P_PRIVATE,	{ PULL, 0,    0,    0,    PULL } },
	{ W_ROBOT_PULL, P_NONEXISTENT,	{ 0,    0,    0,    0,    0 } },
	{ W_ROBOT_PULL, P_ABSENT,	{ 0,    0,    0,    0,    0 } },
	{ W_ROBOT_PULL, P_ONECOMP,	{ 0,    0,    0,    0,    0 } },

	{ W_ROBOT_PUSHONLY, P_PUBLIC,	{ PULL, PUSH, 0,    0,    PULL | PUSH } },
	{ W_ROBOT_PUSHONLY, P_PRIVATE,	{ 0,    PUSH, 0,    0,    PUSH } },
	{ W_ROBOT_PUSHONLY, P_NONEXISTENT, { 0,  0,    0,    0,    0 } },
	{ W_ROBOT_PUSHONLY, P_ABSENT,	{ 0,    0,    0,    0,    0 } },
	{ W_ROBOT_PUSHONLY, P_ONECOMP,	{ 0,    0,    0,    0,    0 } },

	{ W_ROBOT_PULLPUSH, P_PUBLIC,	{ PULL, PUSH, 0,    0,    PULL | PUSH } },
	{ W_ROBOT_PULLPUSH, P_PRIVATE,	{ PULL, PUSH, 0,    0,    PULL | PUSH } },
	{ W_ROBOT_PULLPUSH, P_NONEXISTENT, { 0,  0,    0,    0,    0 } },
	{ W_ROBOT_PULLPUSH, P_ABSENT,	{ 0,    0,    0,    0,    0 } },
	{ W_ROBOT_PULLPUSH, P_ONECOMP,	{ 0,    0,    0,    0,    0 } },

	{ W_ROBOT_ALL3, P_PUBLIC,	{ PULL, PUSH, DEL,  STAR, PULL | PUSH } },
	{ W_ROBOT_ALL3, P_PRIVATE,	{ PULL, PUSH, DEL,  STAR, PULL | PUSH } },
	{ W_ROBOT_ALL3, P_NONEXISTENT,	{ 0,    0,    0,    0,    0 } },
	{ W_ROBOT_ALL3, P_ABSENT,	{ 0,    0,    0,    0,    0 } },
	{ W_ROBOT_ALL3, P_ONECOMP,	{ 0,    0,    0,    0,    0 } },

	{ W_SYSROBOT_PULL, P_PUBLIC,	{ PULL, 0,    0,    0,    PULL } },
	{ W_SYSROBOT_PULL, P_PRIVATE,	{ PULL, 0,    0,    0,    PULL } },
	{ W_SYSROBOT_PULL, P_NONEXISTENT, { 0,   0,    0,    0,    0 } },
	{ W_SYSROBOT_PULL, P_ABSENT,	{ 0,    0,    0,    0,    0 } },
	{ W_SYSROBOT_PULL, P_ONECOMP,	{ 0,    0,    0,    0,    0 } },

	{ W_SYSROBOT_ALL3, P_PUBLIC,	{ PULL, PUSH, DEL,  STAR, PULL | PUSH } },
	{ W_SYSROBOT_ALL3, P_PRIVATE,	{ PULL, PUSH, DEL,  STAR, PULL | PUSH } },
	{ W_SYSROBOT_ALL3, P_NONEXISTENT, { 0,   0,    0,    0,    0 } },
	{ W_SYSROBOT_ALL3, P_ABSENT,	{ 0,    0,    0,    0,    0 } },
	{ W_SYSROBOT_ALL3, P_ONECOMP,	{ 0,    0,    0,    0,    0 } },
};

/*
 * Single cases: one caller, one scope, the facts about one project
 * (none if its name is NULL), what must be granted.
 */
static const struct one {
	const char		*what;
	enum who		 who;
	const char		*scope;
	struct authz_project	 p;
	unsigned		 want;
} ones[] = {
	/* registry:catalog:* is for system admins, and only "*". */
	{ "catalog: sysadmin", W_SYSADMIN, "registry:catalog:*",
	  { NULL, false, false, ROLE_NONE, 0 }, STAR },
	{ "catalog: class dropped", W_SYSADMIN, "registry(x):catalog:*",
	  { NULL, false, false, ROLE_NONE, 0 }, STAR },
	{ "catalog: pull,* gives *", W_SYSADMIN, "registry:catalog:pull,*",
	  { NULL, false, false, ROLE_NONE, 0 }, STAR },
	{ "catalog: pull alone", W_SYSADMIN, "registry:catalog:pull",
	  { NULL, false, false, ROLE_NONE, 0 }, 0 },
	{ "catalog: projectAdmin", W_PADMIN, "registry:catalog:*",
	  { "team", true, true, ROLE_PROJECT_ADMIN, 0 }, 0 },
	{ "catalog: anonymous", W_ANON, "registry:catalog:*",
	  { NULL, false, false, ROLE_NONE, 0 }, 0 },
	{ "catalog: system robot", W_SYSROBOT_ALL3, "registry:catalog:*",
	  { NULL, false, false, ROLE_NONE, 0 }, 0 },
	{ "registry: another name", W_SYSADMIN, "registry:other:*",
	  { NULL, false, false, ROLE_NONE, 0 }, 0 },
	{ "registry: a repository name", W_SYSADMIN, "registry:team/app:*",
	  { "team", true, true, ROLE_NONE, 0 }, 0 },

	/* Unknown types get nothing, even from a system admin. */
	{ "unknown type", W_SYSADMIN, "plugin:team/app:pull",
	  { "team", true, true, ROLE_NONE, 0 }, 0 },
	{ "type case", W_SYSADMIN, "Repository:team/app:pull",
	  { "team", true, true, ROLE_NONE, 0 }, 0 },
	{ "class dropped", W_DEV, "repository(plugin):team/app:pull,push",
	  { "team", true, false, ROLE_DEVELOPER, 0 }, PULL | PUSH },

	/* Invalid names get nothing, even from a system admin. */
	{ "dot-dot name", W_SYSADMIN, "repository:team/../app:pull",
	  { "team", true, true, ROLE_NONE, 0 }, 0 },
	{ "uppercase name", W_SYSADMIN, "repository:Team/app:pull",
	  { "Team", true, true, ROLE_NONE, 0 }, 0 },
	{ "encoded name", W_SYSADMIN, "repository:team%2fapp:pull",
	  { "team", true, true, ROLE_NONE, 0 }, 0 },
	{ "trailing slash", W_PADMIN, "repository:team/app/:pull",
	  { "team", true, true, ROLE_PROJECT_ADMIN, 0 }, 0 },
	{ "one-component, invalid", W_SYSADMIN, "repository:Alpine:pull",
	  { NULL, false, false, ROLE_NONE, 0 }, 0 },

	/* Unknown actions are never granted; known ones beside them are. */
	{ "unknown action", W_PADMIN, "repository:team/app:admin",
	  { "team", true, false, ROLE_PROJECT_ADMIN, 0 }, 0 },
	{ "unknown action, sysadmin", W_SYSADMIN,
	  "repository:team/app:admin", { "team", true, false, ROLE_NONE, 0 },
	  0 },
	{ "pull beside an unknown", W_PADMIN, "repository:team/app:pull,admin",
	  { "team", true, false, ROLE_PROJECT_ADMIN, 0 }, PULL },
	{ "* beside an unknown", W_PADMIN, "repository:team/app:*,PULL",
	  { "team", true, false, ROLE_PROJECT_ADMIN, 0 }, STAR },
	{ "empty action list", W_SYSADMIN, "repository:team/app:",
	  { "team", true, false, ROLE_NONE, 0 }, 0 },
	{ "empty action list, one-component", W_SYSADMIN,
	  "repository:alpine:", { NULL, false, false, ROLE_NONE, 0 }, 0 },

	/* "*" beside the others: each answered on its own. */
	{ "pull,* developer", W_DEV, "repository:team/app:pull,*",
	  { "team", true, false, ROLE_DEVELOPER, 0 }, PULL },
	{ "pull,* projectAdmin", W_PADMIN, "repository:team/app:pull,*",
	  { "team", true, false, ROLE_PROJECT_ADMIN, 0 }, PULL | STAR },
	{ "everything asked", W_MAINT,
	  "repository:team/app:pull,push,delete,*",
	  { "team", true, false, ROLE_MAINTAINER, 0 }, EVERY },
	{ "* on public, guest", W_GUEST, "repository:team/app:*",
	  { "team", true, true, ROLE_GUEST, 0 }, 0 },
	{ "delete on public, developer", W_DEV, "repository:team/app:delete",
	  { "team", true, true, ROLE_DEVELOPER, 0 }, 0 },

	/* The project is matched exactly, by the first component. */
	{ "other project", W_PADMIN, "repository:teamx/app:pull",
	  { "team", true, true, ROLE_PROJECT_ADMIN, 0 }, 0 },
	{ "shorter project", W_PADMIN, "repository:tea/app:pull",
	  { "team", true, true, ROLE_PROJECT_ADMIN, 0 }, 0 },
	{ "project case", W_PADMIN, "repository:team/app:pull",
	  { "Team", true, true, ROLE_PROJECT_ADMIN, 0 }, 0 },
	{ "deep name", W_DEV, "repository:team/a/b/c:push",
	  { "team", true, false, ROLE_DEVELOPER, 0 }, PUSH },
	{ "second component is not the project", W_PADMIN,
	  "repository:other/team/app:push",
	  { "team", true, false, ROLE_PROJECT_ADMIN, 0 }, 0 },
	{ "dotted project", W_ANON, "repository:my.team/app:pull",
	  { "my.team", true, true, ROLE_NONE, 0 }, PULL },

	/* A host:port first component is a project no one can have. */
	{ "host:port, sysadmin", W_SYSADMIN,
	  "repository:localhost:5000/team/app:pull,push",
	  { "team", true, true, ROLE_NONE, 0 }, 0 },
	{ "host:port, projectAdmin of team", W_PADMIN,
	  "repository:localhost:5000/team/app:pull,push",
	  { "team", true, true, ROLE_PROJECT_ADMIN, 0 }, 0 },
	{ "host:port, anonymous", W_ANON,
	  "repository:localhost:5000/team/app:pull",
	  { "team", true, true, ROLE_NONE, 0 }, 0 },

	/* Robots: exactly their permissions. */
	{ "robot ignores a role", W_ROBOT_PULL, "repository:team/app:push",
	  { "team", true, false, ROLE_PROJECT_ADMIN, PULL }, 0 },
	{ "robot: project robot perms elsewhere", W_ROBOT_PULLPUSH,
	  "repository:other/app:pull",
	  { "other", true, false, ROLE_NONE, 0 }, 0 },
	{ "system robot, one-component", W_SYSROBOT_ALL3,
	  "repository:alpine:pull", { NULL, false, false, ROLE_NONE, 0 }, 0 },
	{ "system robot, another project", W_SYSROBOT_PULL,
	  "repository:other/app:pull,push",
	  { "other", true, false, ROLE_NONE, 0 }, PULL },

	/* A role number berth does not know holds nothing. */
	{ "unknown role", W_NONMEMBER, "repository:team/app:pull",
	  { "team", true, false, (enum authz_role)9, 0 }, 0 },
	{ "unknown role, public", W_NONMEMBER, "repository:team/app:pull,push",
	  { "team", true, true, (enum authz_role)9, 0 }, PULL },
};

static struct scope_list	 list;

static const struct scope *
scope_of(const char *text)
{
	const char	*why;

	memset(&list, 0, sizeof(list));
	if (scope_parse(&list, text, strlen(text), &why) != APP_OK ||
	    list.n != 1)
		return NULL;
	return &list.s[0];
}

static void
run_table(void)
{
	char	 text[64];

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct row	*r = &table[i];
		struct authz_project	 p;
		struct authz_caller	 c;

		p.name = "team";
		p.exists = r->where != P_NONEXISTENT;
		p.public = r->where == P_PUBLIC || r->where == P_ONECOMP;
		p.role = who[r->who].role;
		p.robot_actions = who[r->who].robot;
		c.kind = who[r->who].kind;
		c.projects = &p;
		c.nprojects = r->where == P_ABSENT ? 0 : 1;
		c.robot_all_projects = who[r->who].robot_all;
		for (size_t k = 0; k < NASK; k++) {
			const struct scope	*s;

			snprintf(text, sizeof(text), "repository:%s:%s",
			    r->where == P_ONECOMP ? "alpine" : "team/app",
			    ask[k]);
			if ((s = scope_of(text)) == NULL) {
				T_OK(0, "parse %s", text);
				continue;
			}
			T_EQ_INT(authz_grant(&c, s), r->want[k],
			    "%s, %s project, asks %s", who[r->who].name,
			    where_name[r->where], ask[k]);
		}
	}
}

static void
run_ones(void)
{
	for (size_t i = 0; i < sizeof(ones) / sizeof(ones[0]); i++) {
		const struct one	*o = &ones[i];
		const struct scope	*s;
		struct authz_caller	 c;

		c.kind = who[o->who].kind;
		c.projects = &o->p;
		c.nprojects = o->p.name != NULL ? 1 : 0;
		c.robot_all_projects = who[o->who].robot_all;
		if ((s = scope_of(o->scope)) == NULL) {
			T_OK(0, "parse %s", o->scope);
			continue;
		}
		T_EQ_INT(authz_grant(&c, s), o->want, "%s: %s", o->what,
		    o->scope);
	}
}

int
main(void)
{
	struct authz_project	 p = { "team", true, false, ROLE_NONE, 0 };
	struct authz_caller	 c = { AUTHZ_ROBOT, &p, 1, 0 };
	const struct scope	*s;
	char			 longname[400];

	T_EQ_INT(authz_role_actions(ROLE_NONE), 0, "no role, nothing");
	T_EQ_INT(authz_role_actions(ROLE_PROJECT_ADMIN), PULL | PUSH | DEL,
	    "projectAdmin: pull, push, delete");
	T_EQ_INT(authz_role_actions(ROLE_MAINTAINER), PULL | PUSH | DEL,
	    "maintainer: pull, push, delete");
	T_EQ_INT(authz_role_actions(ROLE_DEVELOPER), PULL | PUSH,
	    "developer: pull, push");
	T_EQ_INT(authz_role_actions(ROLE_GUEST), PULL, "guest: pull");
	T_EQ_INT(authz_role_actions(ROLE_LIMITED_GUEST), PULL,
	    "limitedGuest: pull");
	T_EQ_INT(authz_role_actions((enum authz_role)6), 0,
	    "an unknown role: nothing");
	T_EQ_INT(authz_role_actions((enum authz_role)-1), 0,
	    "a negative role: nothing");

	run_table();
	run_ones();

	/* The "*" and unknown bits in a robot's permissions are ignored. */
	p.robot_actions = STAR | SCOPE_A_OTHER;
	s = scope_of("repository:team/app:*");
	T_EQ_INT(s ? authz_grant(&c, s) : 99u, 0,
	    "a robot's * bit alone grants no *");
	s = scope_of("repository:team/app:pull");
	T_EQ_INT(s ? authz_grant(&c, s) : 99u, 0, "nor pull");
	c.robot_all_projects = STAR;
	T_EQ_INT(s ? authz_grant(&c, s) : 99u, 0, "nor for a system robot");

	/* The first matching fact counts; other entries are looked past. */
	{
		struct authz_project	 ps[3] = {
			{ NULL, true, true, ROLE_NONE, 0 },
			{ "other", true, true, ROLE_PROJECT_ADMIN, 0 },
			{ "team", true, false, ROLE_DEVELOPER, 0 },
		};
		struct authz_caller	 u = { AUTHZ_USER, ps, 3, 0 };

		s = scope_of("repository:team/app:pull,push,delete");
		T_EQ_INT(s ? authz_grant(&u, s) : 99u, PULL | PUSH,
		    "the right project among three");
		s = scope_of("repository:other/app:delete");
		T_EQ_INT(s ? authz_grant(&u, s) : 99u, DEL,
		    "and the other one");
	}

	/* An over-long name, cut to fit, is never granted. */
	c.kind = AUTHZ_SYSADMIN;
	memset(longname, 0, sizeof(longname));
	memcpy(longname, "repository:team/", 16);
	memset(longname + 16, 'a', 300);
	memcpy(longname + 316, ":pull", 5);
	s = scope_of(longname);
	T_OK(s != NULL && s->name_truncated, "a 305-byte name parses, cut");
	T_EQ_INT(s ? authz_grant(&c, s) : 99u, 0, "and is granted nothing");
	return t_done();
}
