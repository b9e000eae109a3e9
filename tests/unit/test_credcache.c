/* Unit tests for lib/credcache: hits, misses, a changed hash, expiry. */
#include <unistd.h>

#include "credcache.h"
#include "t.h"

#define C(u, p, h)	credcache_check(u, strlen(u), p, strlen(p), h)
#define P(u, p, h)	credcache_put(u, strlen(u), p, strlen(p), h)

int
main(void)
{
	char	 user[32];

	credcache_init(0);
	P("alice", "pw", "$y$hash1");
	T_OK(!C("alice", "pw", "$y$hash1"), "a ttl of 0 disables the cache");

	credcache_init(300);
	T_OK(!C("alice", "pw", "$y$hash1"), "an empty cache misses");
	P("alice", "pw", "$y$hash1");
	T_OK(C("alice", "pw", "$y$hash1"), "a remembered password hits");
	T_OK(!C("alice", "pW", "$y$hash1"), "another password misses");
	T_OK(!C("alice", "pw\n", "$y$hash1"), "a longer password misses");
	T_OK(!C("alicE", "pw", "$y$hash1"), "another user misses");
	T_OK(!C("alic", "epw", "$y$hash1"),
	    "the user/password boundary counts (alic + epw)");
	T_OK(!C("alice", "pw", "$y$hash2"),
	    "a changed stored hash (new password) misses");
	T_OK(!C("alice", "pw", NULL), "no stored hash misses");

	usleep(400 * 1000);
	T_OK(!C("alice", "pw", "$y$hash1"), "an entry expires after its ttl");

	credcache_init(60000);
	for (int i = 0; i < 5000; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		P(user, "pw", "$y$h");
	}
	T_OK(C("user4999", "pw", "$y$h"), "the newest entry is kept when full");
	credcache_clear();
	T_OK(!C("user4999", "pw", "$y$h"), "credcache_clear forgets");
	credcache_init(60000);
	P("bob", "pw", "$y$h");
	credcache_init(60000);
	T_OK(!C("bob", "pw", "$y$h"), "a new process key forgets everything");
	return t_done();
}
