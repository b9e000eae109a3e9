/* Unit tests for lib/ct: the constant-time comparison of secrets. */
#include <string.h>

#include "ct.h"
#include "t.h"

int
main(void)
{
	unsigned char	 a[32], b[32];

	memset(a, 0x5a, sizeof(a));
	memcpy(b, a, sizeof(b));
	T_OK(ct_equal(a, b, sizeof(a)), "equal buffers are equal");
	T_OK(ct_equal(a, b, 0), "empty buffers are equal");
	b[31] ^= 1;
	T_OK(!ct_equal(a, b, sizeof(a)), "the last byte differs");
	b[31] ^= 1;
	b[0] ^= 0x80;
	T_OK(!ct_equal(a, b, sizeof(a)), "the first byte differs");
	T_OK(ct_equal(a, b + 1, 0) && ct_equal_n("", 0, "", 0),
	    "nothing equals nothing");
	T_OK(ct_equal_n("s3cret", 6, "s3cret", 6), "equal strings");
	T_OK(!ct_equal_n("s3cret", 6, "s3cret!", 7), "a longer string differs");
	T_OK(!ct_equal_n("s3cret", 6, "s3cre", 5), "a prefix differs");
	T_OK(!ct_equal_n("s3cret", 6, "S3cret", 6), "case matters");
	return t_done();
}
