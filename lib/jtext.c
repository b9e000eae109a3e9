/* jtext: JSON text written straight into one growing buffer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "jtext.h"

#define JTEXT_FIRST	1024

void
jtext_init(struct jtext *j)
{
	memset(j, 0, sizeof(*j));
}

/* Room for n more bytes and a NUL. */
static bool
room(struct jtext *j, size_t n)
{
	size_t	 cap;
	char	*p;

	if (j->failed)
		return false;
	if (j->cap - j->len > n)
		return true;
	if (n > SIZE_MAX / 4 - j->len) {
		j->failed = true;
		return false;
	}
	cap = j->cap > 0 ? j->cap : JTEXT_FIRST;
	while (cap - j->len < n + 1)
		cap *= 2;
	/* Never realloc: the old buffer may hold a secret to wipe. */
	if ((p = malloc(cap)) == NULL) {
		j->failed = true;
		return false;
	}
	if (j->buf != NULL) {
		memcpy(p, j->buf, j->len);
		OPENSSL_cleanse(j->buf, j->len);
		free(j->buf);
	}
	j->buf = p;
	j->cap = cap;
	return true;
}

void
jtext_raw(struct jtext *j, const char *s, size_t n)
{
	if (!room(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

void
jtext_lit(struct jtext *j, const char *s)
{
	jtext_raw(j, s, strlen(s));
}

/* The length of the UTF-8 sequence at s (RFC 3629), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t	 n, i;
	unsigned c = s[0], min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		min = 0x80;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		min = 0x800;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		min = 0x10000;
		c &= 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

void
jtext_str(struct jtext *j, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*run;
	char			 esc[8];
	size_t			 n;

	jtext_raw(j, "\"", 1);
	while (*p != '\0' && !j->failed) {
		/* The longest run that needs no escape goes in one copy. */
		for (run = p; *p >= 0x20 && *p < 0x80 && *p != '"' &&
		    *p != '\\'; p++)
			;
		if (p > run)
			jtext_raw(j, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p++;
			jtext_raw(j, esc, 2);
		} else if (*p < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p++);
			jtext_raw(j, esc, 6);
		} else if ((n = utf8_len(p)) == 0)
			j->failed = true;
		else {
			jtext_raw(j, (const char *)p, n);
			p += n;
		}
	}
	jtext_raw(j, "\"", 1);
}

void
jtext_int(struct jtext *j, long long v)
{
	char	 b[24];
	int	 n;

	n = snprintf(b, sizeof(b), "%lld", v);
	jtext_raw(j, b, (size_t)n);
}

char *
jtext_take(struct jtext *j, size_t *len)
{
	char	*s;

	if (j->failed || !room(j, 0)) {
		jtext_free(j);
		return NULL;
	}
	s = j->buf;
	if (len != NULL)
		*len = j->len;
	jtext_init(j);
	return s;
}

void
jtext_free(struct jtext *j)
{
	if (j->buf != NULL) {
		OPENSSL_cleanse(j->buf, j->len);
		free(j->buf);
	}
	jtext_init(j);
}
