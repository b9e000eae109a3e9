/* credcache: verified credentials, remembered by keyed hash. */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "credcache.h"
#include "ct.h"

struct slot {
	unsigned char	 mac[32];
	unsigned char	 hash[32];	/* SHA-256 of the stored hash string */
	long long	 expires_ms;
};

static struct slot	 slots[CREDCACHE_SLOTS];
static unsigned char	 key[32];
static long		 ttl;
static bool		 ready;

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
credcache_init(long ttl_ms)
{
	credcache_clear();
	ttl = ttl_ms;
	ready = ttl_ms > 0 && RAND_bytes(key, sizeof(key)) == 1;
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
	EVP_MAC		*m = NULL;
	EVP_MAC_CTX	*ctx = NULL;
	OSSL_PARAM	 params[2];
	size_t		 n = 0;
	bool		 ok = false;

	params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((m = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(m)) == NULL ||
	    !EVP_MAC_init(ctx, key, sizeof(key), params) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)user, userlen) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)"", 1) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)pw, pwlen) ||
	    !EVP_MAC_final(ctx, mac, &n, 32) || n != 32)
		goto out;
	ok = true;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	return ok;
}

static bool
sha256(const char *s, unsigned char out[32])
{
	unsigned int	 n = 0;

	return EVP_Digest(s, strlen(s), out, &n, EVP_sha256(), NULL) == 1 &&
	    n == 32;
}

static struct slot *
slot_for(const unsigned char mac[32])
{
	unsigned	 i = (unsigned)mac[0] | (unsigned)mac[1] << 8;

	return &slots[i % CREDCACHE_SLOTS];
}

bool
credcache_check(const char *user, size_t userlen, const char *pw,
    size_t pwlen, const char *stored_hash)
{
	unsigned char	 mac[32], h[32];
	struct slot	*s;
	bool		 hit;

	if (!ready || stored_hash == NULL)
		return false;
	if (!mac_of(user, userlen, pw, pwlen, mac) || !sha256(stored_hash, h))
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

	if (!ready || stored_hash == NULL)
		return;
	if (!mac_of(user, userlen, pw, pwlen, mac) || !sha256(stored_hash, h))
		return;
	s = slot_for(mac);
	memcpy(s->mac, mac, sizeof(mac));
	memcpy(s->hash, h, sizeof(h));
	s->expires_ms = now_ms() + ttl;
	OPENSSL_cleanse(mac, sizeof(mac));
}
