/* robot: a robot's grants and secrets (see robot.h). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "digest.h"
#include "hex.h"
#include "jwt.h"
#include "robot.h"
#include "scope.h"

unsigned
robot_action(const char *resource, const char *action)
{
	if (strcmp(resource, "repository") == 0) {
		if (strcmp(action, "pull") == 0)
			return SCOPE_A_PULL;
		if (strcmp(action, "push") == 0)
			return SCOPE_A_PUSH;
		if (strcmp(action, "delete") == 0)
			return SCOPE_A_DELETE;
	}
	/* Harbor grants deletion of artifacts as its own resource. */
	if (strcmp(resource, "artifact") == 0 && strcmp(action, "delete") == 0)
		return SCOPE_A_DELETE;
	return 0;
}

bool
robot_secret_ok(const char *s)
{
	bool	 up = false, low = false, dig = false;
	size_t	 n = strlen(s);

	if (n < ROBOT_SECRET_MIN || n > ROBOT_SECRET_MAX)
		return false;
	for (; *s != '\0'; s++) {
		if (*s <= ' ' || *s > '~')
			return false;
		up |= *s >= 'A' && *s <= 'Z';
		low |= *s >= 'a' && *s <= 'z';
		dig |= *s >= '0' && *s <= '9';
	}
	return up && low && dig;
}

enum app_err
robot_secret_hash(const char *secret, char *hex)
{
	unsigned char	 md[DIGEST_SHA256_LEN];

	if (!digest_sha256(secret, strlen(secret), md))
		return APP_EINTERNAL;
	hex_encode(md, sizeof(md), hex);
	return APP_OK;
}

enum app_err
robot_secret_new(char **secret_new, char *hex)
{
	unsigned char	 raw[ROBOT_SECRET_BYTES];
	enum app_err	 rc = APP_EINTERNAL;

	*secret_new = NULL;
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		goto out;
	if ((*secret_new = jwt_b64url_new(raw, sizeof(raw))) == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	rc = robot_secret_hash(*secret_new, hex);
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}
