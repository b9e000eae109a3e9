/*
 * robot: what a robot account may be granted and what its secret may
 * be, shared by the token endpoint (which grants) and the admin API
 * (which stores).  No I/O.
 *
 * A secret is never stored: the database holds SHA-256 of it (hex in,
 * bytea out), and compares with ct_equal at the token endpoint.
 */
#ifndef BERTH_ROBOT_H
#define BERTH_ROBOT_H

#include <stdbool.h>

#include "err.h"

#define ROBOT_SECRET_BYTES	32	/* 256 bits: 43 base64url characters */
#define ROBOT_SECRET_MIN	8	/* Harbor's rules for a chosen one */
#define ROBOT_SECRET_MAX	128
#define ROBOT_HASH_HEX		65	/* 64 hex digits and a NUL */

/*
 * The scope actions (SCOPE_A_*) a permission row grants: repository
 * pull, push, delete, and Harbor's artifact delete; 0 for anything
 * else, which berth neither grants nor accepts.
 */
unsigned	robot_action(const char *resource, const char *action);

/*
 * A chosen secret, by Harbor's rules: ROBOT_SECRET_MIN..MAX printable
 * ASCII characters (so that it survives a Basic header) with an upper
 * case letter, a lower case one and a digit.
 */
bool		robot_secret_ok(const char *s);

/* The hex of SHA-256(secret) into hex (ROBOT_HASH_HEX bytes). */
enum app_err	robot_secret_hash(const char *secret, char *hex) WUR;

/*
 * A new secret: ROBOT_SECRET_BYTES random bytes as base64url in
 * *secret_new (the caller wipes and frees it) and its hash in hex.
 */
enum app_err	robot_secret_new(char **secret_new, char *hex) WUR;

#endif
