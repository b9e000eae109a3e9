/* credcache: verified credentials, remembered by keyed hash. */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "credcache.h"
#include "ct.h"
#include "digest.h"

struct slot {
	unsigned char	 mac[32];
	unsigned char	 hash[32];	/* SHA-256 of the stored hash string */
	long long	 expires_ms;
};

static struct slot	 slots[CREDCACHE_SLOTS];
static EVP_MAC_CTX	*keyed;		/* HMAC-SHA256 under a random key */
static long		 ttl;
static bool		 ready;

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The HMAC is set up with its key once: every lookup starts from a copy
 * of that context, which costs no algorithm fetch and no key schedule.
 */
void
credcache_init(long ttl_ms)
{
	unsigned char	 key[32];
	EVP_MAC		*m = NULL;
	OSSL_PARAM	 params[2];

	credcache_clear();
	EVP_MAC_CTX_free(keyed);
	keyed = NULL;
	ttl = ttl_ms;
	ready = false;
	if (ttl_ms <= 0 || RAND_bytes(key, sizeof(key)) != 1)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((m = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (keyed = EVP_MAC_CTX_new(m)) == NULL ||
	    !EVP_MAC_init(keyed, key, sizeof(key), params)) {
		EVP_MAC_CTX_free(keyed);
		keyed = NULL;
		goto out;
	}
	ready = true;
out:
	EVP_MAC_free(m);
	OPENSSL_cleanse(key, sizeof(key));
}

void
credcache_clear(void)
{
	OPENSSL_cleanse(slots, sizeof(slots));
}

static bool
mac_of(const char *user, size_t userlen, const char *pw, size_t pwlen,
    unsigned char mac[32])
{
	EVP_MAC_CTX	*ctx = NULL;
	size_t		 n = 0;
	bool		 ok = false;

	if ((ctx = EVP_MAC_CTX_dup(keyed)) == NULL ||
	    !EVP_MAC_update(ctx, (const unsigned char *)user, userlen) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)"", 1) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)pw, pwlen) ||
	    !EVP_MAC_final(ctx, mac, &n, 32) || n != 32)
		goto out;
	ok = true;
out:
	EVP_MAC_CTX_free(ctx);
	return ok;
}

static struct slot *
slot_for(const unsigned char mac[32])
{
	unsigned	 i = (unsigned)mac[0] | (unsigned)mac[1] << 8;

	return &slots[i % CREDCACHE_SLOTS];
}

/*
 * What a slot holds for these credentials and this stored hash: the
 * credentials' keyed MAC and the hash string's SHA-256.  False when the
 * cache is off or a digest failed.
 */
static bool
entry_of(const char *user, size_t userlen, const char *pw, size_t pwlen,
    const char *stored_hash, unsigned char mac[32], unsigned char h[32])
{
	return ready && stored_hash != NULL &&
	    mac_of(user, userlen, pw, pwlen, mac) &&
	    digest_sha256(stored_hash, strlen(stored_hash), h);
}

bool
credcache_check(const char *user, size_t userlen, const char *pw,
    size_t pwlen, const char *stored_hash)
{
	unsigned char	 mac[32], h[32];
	struct slot	*s;
	bool		 hit;

	if (!entry_of(user, userlen, pw, pwlen, stored_hash, mac, h))
		return false;
	s = slot_for(mac);
	hit = s->expires_ms > now_ms() &&
	    ct_equal(s->mac, mac, sizeof(mac)) &&
	    ct_equal(s->hash, h, sizeof(h));
	OPENSSL_cleanse(mac, sizeof(mac));
	return hit;
}

void
credcache_put(const char *user, size_t userlen, const char *pw,
    size_t pwlen, const char *stored_hash)
{
	unsigned char	 mac[32], h[32];
	struct slot	*s;

	if (!entry_of(user, userlen, pw, pwlen, stored_hash, mac, h))
		return;
	s = slot_for(mac);
	memcpy(s->mac, mac, sizeof(mac));
	memcpy(s->hash, h, sizeof(h));
	s->expires_ms = now_ms() + ttl;
	OPENSSL_cleanse(mac, sizeof(mac));
}
