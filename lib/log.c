/* log: escaped, leveled lines on stderr with a request id. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "hex.h"
#include "log.h"

static const char *const level_names[LOG_LEVEL__MAX] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

static const char	*prog = "berth";
static enum log_level	 level = LOG_INFO;
static char		 reqid[LOG_REQID_LEN + 1] = "-";

void
log_init(const char *name)
{
	prog = name;
}

void
log_set_level(enum log_level l)
{
	if (l < LOG_LEVEL__MAX)
		level = l;
}

enum log_level
log_get_level(void)
{
	return level;
}

enum app_err
log_level_parse(const char *s, enum log_level *out)
{
	for (int i = 0; i < LOG_LEVEL__MAX; i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return APP_OK;
		}
	return APP_EBADREQ;
}

const char *
log_level_name(enum log_level l)
{
	return l < LOG_LEVEL__MAX ? level_names[l] : "?";
}

void
log_set_request_id(const char *id)
{
	size_t	 n;

	if (id == NULL || *id == '\0') {
		strcpy(reqid, "-");
		return;
	}
	/* Ids come from our own generator; escape anyway, they are short. */
	n = log_escape(reqid, sizeof(reqid), id, strlen(id));
	reqid[n] = '\0';
}

const char *
log_new_request_id(void)
{
	unsigned char		 b[LOG_REQID_LEN / 2];

	/* A request id need not be secret, only unique enough to grep. */
	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0, sizeof(b));
	hex_encode(b, sizeof(b), reqid);
	return reqid;
}

const char *
log_request_id(void)
{
	return reqid;
}

static size_t
escape(char *dst, size_t dstsz, const char *src, size_t srclen, int quotes)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 o = 0;

	if (dstsz == 0)
		return 0;
	for (size_t i = 0; i < srclen; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c >= 0x20 && c < 0x7f &&
		    (!quotes || (c != '\\' && c != '"'))) {
			if (o + 1 >= dstsz)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 >= dstsz)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
		}
	}
	dst[o] = '\0';
	return o;
}

size_t
log_escape(char *dst, size_t dstsz, const char *src, size_t srclen)
{
	return escape(dst, dstsz, src, srclen, 1);
}

const char *
log_quote(char *buf, size_t bufsz, const char *s)
{
	escape(buf, bufsz, s, strlen(s), 1);
	return buf;
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	char		 raw[LOG_LINE_MAX], esc[LOG_LINE_MAX], ts[32];
	char		 line[LOG_LINE_MAX + 128];
	va_list		 ap;
	int		 n;
	time_t		 now;
	struct tm	 tm;

	if (l > level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(raw))
		n = sizeof(raw) - 1;
	escape(esc, sizeof(esc), raw, (size_t)n, 0);

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* One write per line so that lines of several workers never mix. */
	n = snprintf(line, sizeof(line), "%s %s %s[%ld] req=%s %s\n", ts,
	    level_names[l], prog, (long)getpid(), reqid, esc);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
