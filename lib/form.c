/* form: the x-www-form-urlencoded parser. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "form.h"
#include "hex.h"

/*
 * Decode s[0..len) into out, NUL-terminate, return the decoded length or
 * -1 on a bad escape or a NUL.  out has room for len + 1 bytes.
 */
static long
decode(const char *s, size_t len, char *out)
{
	size_t	 o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			hi = hex_digit((unsigned char)s[i + 1]);
			lo = hex_digit((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+')
			c = ' ';
		if (c == '\0')
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (long)o;
}

enum app_err
form_parse(const char *s, size_t len, size_t maxparams, struct form *f)
{
	size_t	 npairs = 0, o = 0, i = 0;

	memset(f, 0, sizeof(*f));
	if (len == 0)
		return APP_OK;
	if (memchr(s, '\0', len) != NULL)
		return APP_EBADREQ;

	/* Count first so that nothing is allocated past the cap. */
	for (size_t j = 0; j <= len; ) {
		const char	*amp = memchr(s + j, '&', len - j);
		size_t		 end = amp ? (size_t)(amp - s) : len;

		if (end > j && ++npairs > maxparams)
			return APP_EBADREQ;
		j = end + 1;
	}
	if (npairs == 0)
		return APP_OK;
	/*
	 * Each pair decodes into its own two NUL-terminated strings; the
	 * decoded text is never longer than the input, and the separators
	 * ('&', '=') pay for the terminators, plus one spare per pair for a
	 * value without '='.
	 */
	if ((f->pairs = calloc(npairs, sizeof(*f->pairs))) == NULL ||
	    (f->buf = malloc(len + 2 * npairs + 1)) == NULL) {
		free(f->pairs);
		f->pairs = NULL;
		return APP_ENOMEM;
	}

	while (i < len) {
		const char	*amp = memchr(s + i, '&', len - i);
		size_t		 end = amp ? (size_t)(amp - s) : len;
		const char	*eq = memchr(s + i, '=', end - i);
		size_t		 nend = eq ? (size_t)(eq - s) : end;
		long		 nl, vl;

		if (end == i) {
			i = end + 1;
			continue;
		}
		if ((nl = decode(s + i, nend - i, f->buf + o)) < 0)
			goto bad;
		f->pairs[f->n].name = f->buf + o;
		o += (size_t)nl + 1;
		if (eq != NULL)
			vl = decode(eq + 1, end - nend - 1, f->buf + o);
		else
			vl = decode("", 0, f->buf + o);
		if (vl < 0)
			goto bad;
		f->pairs[f->n].value = f->buf + o;
		f->pairs[f->n].valuelen = (size_t)vl;
		o += (size_t)vl + 1;
		f->n++;
		i = end + 1;
	}
	f->bufsz = len + 2 * npairs + 1;
	return APP_OK;
bad:
	f->bufsz = len + 2 * npairs + 1;
	form_free(f);
	return APP_EBADREQ;
}

const char *
form_get(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->pairs[i].name, name) == 0)
			return f->pairs[i].value;
	return NULL;
}

size_t
form_count(const struct form *f, const char *name)
{
	size_t	 n = 0;

	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->pairs[i].name, name) == 0)
			n++;
	return n;
}

void
form_free(struct form *f)
{
	/* The buffer may hold a password from a token request. */
	if (f->buf != NULL) {
		OPENSSL_cleanse(f->buf, f->bufsz);
		free(f->buf);
	}
	free(f->pairs);
	memset(f, 0, sizeof(*f));
}
