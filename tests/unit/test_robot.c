/* test_robot: a robot's grants and secrets (lib/robot.c). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "robot.h"
#include "scope.h"
#include "t.h"

static void
test_action(void)
{
	T_EQ_INT(robot_action("repository", "pull"), SCOPE_A_PULL, "pull");
	T_EQ_INT(robot_action("repository", "push"), SCOPE_A_PUSH, "push");
	T_EQ_INT(robot_action("repository", "delete"), SCOPE_A_DELETE,
	    "delete");
	T_EQ_INT(robot_action("artifact", "delete"), SCOPE_A_DELETE,
	    "artifact delete");
	T_EQ_INT(robot_action("artifact", "pull"), 0, "artifact pull: none");
	T_EQ_INT(robot_action("repository", "*"), 0, "no wildcard");
	T_EQ_INT(robot_action("project", "create"), 0, "no system resource");
	T_EQ_INT(robot_action("Repository", "pull"), 0, "case matters");
}

static void
test_secret(void)
{
	static const char *const good[] = { "Abcdefg1", "Chosen-Secret-99",
	    "aB3~!@#$%^&*()" };
	static const char *const bad[] = { "", "Abcdef1", "abcdefg1",
	    "ABCDEFG1", "Abcdefgh", "Abc defg1", "Abcdefg1\n", "Abcdéfg1" };
	char	 big[ROBOT_SECRET_MAX + 2], hex[ROBOT_HASH_HEX], *s;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		T_EQ_INT(robot_secret_ok(good[i]), true, "secret ok: %s",
		    good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_EQ_INT(robot_secret_ok(bad[i]), false, "secret refused: %zu",
		    i);
	memset(big, 'a', sizeof(big) - 1);
	big[0] = 'A';
	big[1] = '1';
	big[ROBOT_SECRET_MAX] = '\0';
	T_EQ_INT(robot_secret_ok(big), true, "secret of the maximum length");
	big[ROBOT_SECRET_MAX] = 'a';
	big[ROBOT_SECRET_MAX + 1] = '\0';
	T_EQ_INT(robot_secret_ok(big), false, "one more: refused");

	T_EQ_INT(robot_secret_hash("abc", hex), APP_OK, "hash");
	T_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", "hash: SHA-256 test vector");
	T_EQ_INT(robot_secret_new(&s, hex), APP_OK, "new secret");
	T_EQ_INT(strlen(s), 43, "new secret: 43 characters");
	T_EQ_INT(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_"), 43, "new secret: base64url");
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

int
main(void)
{
	test_action();
	test_secret();
	return t_done();
}
