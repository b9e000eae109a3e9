/*
 * credcache: a per-process memory of passwords already verified, so that
 * a client repeating its Basic credentials on every request does not pay
 * for yescrypt each time.
 *
 * An entry is keyed by HMAC-SHA256(per-process random key, user NUL
 * password): neither the password nor an offline-guessable hash of it is
 * kept.  It remembers SHA-256 of the stored password hash it was checked
 * against, so the caller, which reads the user's current row on every
 * request anyway, gets a hit only while that hash is unchanged: a new
 * password takes effect at once.  Whether the user is disabled is the
 * caller's check, from the same row.  Bounded (CREDCACHE_SLOTS,
 * direct-mapped) and short-lived (the ttl given to credcache_init).
 */
#ifndef BERTH_CREDCACHE_H
#define BERTH_CREDCACHE_H

#include <stdbool.h>
#include <stddef.h>

#define CREDCACHE_SLOTS	512

/* ttl_ms 0 disables the cache.  Draws the per-process key. */
void	credcache_init(long ttl_ms);

/* True when (user, password) was verified against stored_hash less than
 * ttl ago. */
bool	credcache_check(const char *user, size_t userlen, const char *pw,
	    size_t pwlen, const char *stored_hash);

/* Remember that (user, password) verified against stored_hash. */
void	credcache_put(const char *user, size_t userlen, const char *pw,
	    size_t pwlen, const char *stored_hash);

/* Forget everything (tests). */
void	credcache_clear(void);

#endif
