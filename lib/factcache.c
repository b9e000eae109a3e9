/* factcache: project facts of one authorization epoch, per worker. */
#include <stdint.h>
#include <string.h>

#include "factcache.h"

struct slot {
	long long	 user_id;
	bool		 used;
	struct fact	 fact;
	char		 name[FACTCACHE_NAME_MAX + 1];
};

static struct slot	 slots[FACTCACHE_SLOTS];
static long long	 cur_epoch = FACTCACHE_NO_EPOCH;

void
factcache_clear(void)
{
	memset(slots, 0, sizeof(slots));
	cur_epoch = FACTCACHE_NO_EPOCH;
}

void
factcache_sync(long long epoch)
{
	if (epoch == cur_epoch)
		return;
	factcache_clear();
	cur_epoch = epoch;
}

/* FNV-1a over the name, then the user id mixed in. */
static struct slot *
slot_for(long long user_id, const char *name, size_t len)
{
	uint64_t	 h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 1099511628211ULL;
	}
	h ^= (uint64_t)user_id * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	return &slots[h % FACTCACHE_SLOTS];
}

bool
factcache_get(long long user_id, const char *project, struct fact *out)
{
	size_t		 len = strlen(project);
	struct slot	*s;

	if (cur_epoch == FACTCACHE_NO_EPOCH || len > FACTCACHE_NAME_MAX)
		return false;
	s = slot_for(user_id, project, len);
	if (!s->used || s->user_id != user_id ||
	    memcmp(s->name, project, len + 1) != 0)
		return false;
	*out = s->fact;
	return true;
}

void
factcache_put(long long user_id, const char *project, const struct fact *f)
{
	size_t		 len = strlen(project);
	struct slot	*s;

	if (cur_epoch == FACTCACHE_NO_EPOCH || len > FACTCACHE_NAME_MAX)
		return;
	s = slot_for(user_id, project, len);
	s->used = true;
	s->user_id = user_id;
	s->fact = *f;
	memcpy(s->name, project, len + 1);
}
