/* basic: the Basic credentials parser. */
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "basic.h"

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict standard base64 of in (len bytes, a multiple of 4, '=' only as
 * the last one or two characters) into out; returns the decoded length
 * or -1.  out has room for len / 4 * 3 bytes.
 */
static long
b64decode(const char *in, size_t len, unsigned char *out)
{
	size_t	 o = 0;

	if (len == 0 || len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int	 v[4], pad = 0;

		for (int j = 0; j < 4; j++) {
			unsigned char c = (unsigned char)in[i + j];

			if (c == '=' && i + 4 == len && j >= 2) {
				v[j] = 0;
				pad++;
				continue;
			}
			if (pad > 0 || (v[j] = b64val(c)) < 0)
				return -1;
		}
		out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[o++] = (unsigned char)((v[1] & 0xf) << 4 | v[2] >> 2);
		if (pad < 1)
			out[o++] = (unsigned char)((v[2] & 0x3) << 6 | v[3]);
	}
	return (long)o;
}

static int
has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

enum app_err
basic_parse(const char *hdr, size_t len, struct basic_cred *c)
{
	unsigned char	 dec[BASIC_HEADER_MAX];
	const char	*p, *colon;
	long		 n;
	size_t		 ulen, plen;
	enum app_err	 rc = APP_EUNAUTH;

	memset(c, 0, sizeof(*c));
	if (len > BASIC_HEADER_MAX || len < 6 || strncasecmp(hdr, "basic ", 6))
		return APP_EUNAUTH;
	p = hdr + 6;
	while (p < hdr + len && *p == ' ')
		p++;
	if ((n = b64decode(p, (size_t)(hdr + len - p), dec)) <= 0)
		goto out;
	if ((colon = memchr(dec, ':', (size_t)n)) == NULL)
		goto out;
	ulen = (size_t)(colon - (const char *)dec);
	plen = (size_t)n - ulen - 1;
	if (ulen == 0 || plen == 0 || ulen > BASIC_USER_MAX ||
	    plen > BASIC_PASSWORD_MAX ||
	    has_control((const char *)dec, ulen) ||
	    memchr(colon + 1, '\0', plen) != NULL)
		goto out;
	memcpy(c->user, dec, ulen);
	memcpy(c->password, colon + 1, plen);
	c->userlen = ulen;
	c->passwordlen = plen;
	rc = APP_OK;
out:
	OPENSSL_cleanse(dec, sizeof(dec));
	if (rc != APP_OK)
		basic_wipe(c);
	return rc;
}

void
basic_wipe(struct basic_cred *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}
