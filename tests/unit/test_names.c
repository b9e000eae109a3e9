/* test_names: usernames and project names (lib/names.c). */
#include <string.h>

#include "names.h"
#include "t.h"

static enum app_err
user(const char *s)
{
	const char	*why;

	return names_check_user(s, strlen(s), &why);
}

static enum app_err
project(const char *s)
{
	const char	*why;

	return names_check_project(s, strlen(s), &why);
}

int
main(void)
{
	static const char *const good_users[] = {
		"a", "alice", "bob.smith", "ci_bot-2", "0day", "a..b", "x-",
	};
	static const char *const bad_users[] = {
		"", "a/b", "a:b", "a@b.org", "a*", "a b", " a", "-a", ".a",
		"Alice", "ALICE", "j\xc3\xb6rg", "robot$x", "robot$p+x", "a\tb",
		"a\"b", "a\\b", "a%b", "current", "search", "anonymous",
		"robot", "a$b", "a;DROP",
	};
	static const char *const good_projects[] = {
		"a", "library", "team-a", "team--a", "a.b", "a_b", "a__b",
		"a1.b2_c3-d4", "0",
	};
	static const char *const bad_projects[] = {
		"", "A", "Team", "-a", "a-", ".a", "a.", "_a", "a_", "a..b",
		"a___b", "a._b", "a/b", "a:b", "a@b", "a*", "a b", "a%2eb",
		"j\xc3\xb6rg", "v2", "api", "service", "health", "a$b",
	};
	char	 big[300];

	for (size_t i = 0; i < sizeof(good_users) / sizeof(good_users[0]); i++)
		T_EQ_INT(user(good_users[i]), APP_OK, "user \"%s\" accepted",
		    good_users[i]);
	for (size_t i = 0; i < sizeof(bad_users) / sizeof(bad_users[0]); i++)
		T_EQ_INT(user(bad_users[i]), APP_EBADREQ, "user \"%s\" refused",
		    bad_users[i]);
	for (size_t i = 0; i < sizeof(good_projects) /
	    sizeof(good_projects[0]); i++)
		T_EQ_INT(project(good_projects[i]), APP_OK,
		    "project \"%s\" accepted", good_projects[i]);
	for (size_t i = 0; i < sizeof(bad_projects) /
	    sizeof(bad_projects[0]); i++)
		T_EQ_INT(project(bad_projects[i]), APP_EBADREQ,
		    "project \"%s\" refused", bad_projects[i]);

	memset(big, 'a', sizeof(big));
	T_EQ_INT(names_check_user(big, 255, &(const char *){ NULL }), APP_OK,
	    "user of 255 bytes accepted");
	T_EQ_INT(names_check_user(big, 256, &(const char *){ NULL }),
	    APP_EBADREQ, "user of 256 bytes refused");
	T_EQ_INT(names_check_project(big, 255, &(const char *){ NULL }),
	    APP_OK, "project of 255 bytes accepted");
	T_EQ_INT(names_check_project(big, 256, &(const char *){ NULL }),
	    APP_EBADREQ, "project of 256 bytes refused");
	T_EQ_INT(names_check_user("a\0b", 3, &(const char *){ NULL }),
	    APP_EBADREQ, "user with a NUL refused");
	T_EQ_INT(names_check_project("a\0b", 3, &(const char *){ NULL }),
	    APP_EBADREQ, "project with a NUL refused");
	return t_done();
}
