/* Unit tests for lib/factcache: keys, epochs, long names, a full cache. */
#include <stdio.h>
#include <string.h>

#include "factcache.h"
#include "t.h"

static bool
get(long long uid, const char *name, struct fact *f)
{
	memset(f, 0xa5, sizeof(*f));
	return factcache_get(uid, name, f);
}

int
main(void)
{
	struct fact	 dev = { true, false, ROLE_DEVELOPER };
	struct fact	 pub = { true, true, ROLE_NONE };
	struct fact	 none = { false, false, ROLE_NONE };
	struct fact	 f;
	char		 name[128];
	int		 kept = 0, wrong = 0;

	factcache_clear();
	factcache_put(1, "team", &dev);
	T_OK(!get(1, "team", &f), "before any epoch, nothing is kept");

	factcache_sync(7);
	T_OK(!get(1, "team", &f), "an empty cache misses");
	factcache_put(1, "team", &dev);
	factcache_put(0, "pub", &pub);
	factcache_put(1, "gone", &none);
	T_OK(get(1, "team", &f) && f.exists && !f.public &&
	    f.role == ROLE_DEVELOPER, "a user's facts are kept");
	T_OK(get(0, "pub", &f) && f.exists && f.public && f.role == ROLE_NONE,
	    "anonymous facts (user 0) too");
	T_OK(get(1, "gone", &f) && !f.exists, "a project that does not exist too");
	T_OK(!get(2, "team", &f), "another user misses");
	T_OK(!get(0, "team", &f), "anonymous is not user 1");
	T_OK(!get(1, "tea", &f) && !get(1, "team2", &f) && !get(1, "Team", &f),
	    "another name misses (prefix, longer, case)");

	factcache_sync(7);
	T_OK(get(1, "team", &f), "the same epoch keeps everything");
	factcache_put(1, "team", &pub);
	T_OK(get(1, "team", &f) && f.public, "a put replaces the entry");
	factcache_sync(8);
	T_OK(!get(1, "team", &f) && !get(0, "pub", &f) && !get(1, "gone", &f),
	    "a new epoch forgets everything");
	factcache_put(1, "team", &dev);
	factcache_sync(7);
	T_OK(!get(1, "team", &f), "so does an older one (a failover to a lagging standby)");

	memset(name, 'a', FACTCACHE_NAME_MAX);
	name[FACTCACHE_NAME_MAX] = '\0';
	factcache_put(3, name, &dev);
	T_OK(get(3, name, &f), "a name of FACTCACHE_NAME_MAX bytes is kept");
	memset(name, 'b', FACTCACHE_NAME_MAX + 1);
	name[FACTCACHE_NAME_MAX + 1] = '\0';
	factcache_put(3, name, &dev);
	T_OK(!get(3, name, &f), "a longer one never is");

	for (int i = 0; i < 5 * FACTCACHE_SLOTS; i++) {
		snprintf(name, sizeof(name), "p%d", i % 1000);
		factcache_put(i / 1000 + 10, name, i % 2 ? &dev : &pub);
	}
	snprintf(name, sizeof(name), "p%d", (5 * FACTCACHE_SLOTS - 1) % 1000);
	T_OK(get((5 * FACTCACHE_SLOTS - 1) / 1000 + 10, name, &f) &&
	    f.role == ((5 * FACTCACHE_SLOTS - 1) % 2 ? ROLE_DEVELOPER :
	    ROLE_NONE), "the newest entry is kept when full");
	for (int i = 0; i < 5 * FACTCACHE_SLOTS; i++) {
		snprintf(name, sizeof(name), "p%d", i % 1000);
		if (get(i / 1000 + 10, name, &f)) {
			kept++;
			if (f.role != (i % 2 ? ROLE_DEVELOPER : ROLE_NONE))
				wrong++;
		}
	}
	T_OK(kept > FACTCACHE_SLOTS / 4 && kept <= FACTCACHE_SLOTS,
	    "a full cache keeps at most its slots (%d of %d puts)",
	    kept, 5 * FACTCACHE_SLOTS);
	T_EQ_INT(wrong, 0, "each kept entry is the one put for its key");
	factcache_clear();
	T_OK(!get(1, "team", &f), "clear forgets everything");
	return t_done();
}
