/* The schema version the code expects is the newest migration in sql/. */
#include <dirent.h>
#include <stdlib.h>

#include "t.h"
#include "version.h"

int
main(void)
{
	DIR		*d = opendir("sql");
	struct dirent	*e;
	int		 newest = 0, files = 0;

	T_OK(d != NULL, "sql/ is readable (tests run from the checkout)");
	if (d == NULL)
		return t_done();
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (n < 9 || strcmp(e->d_name + n - 4, ".sql") != 0)
			continue;
		files++;
		if (atoi(e->d_name) > newest)
			newest = atoi(e->d_name);
	}
	closedir(d);
	T_EQ_INT(newest, files, "migrations are numbered 1..%d without gaps",
	    files);
	T_EQ_INT(BERTH_SCHEMA_VERSION, newest,
	    "BERTH_SCHEMA_VERSION is the newest migration");
	return t_done();
}
