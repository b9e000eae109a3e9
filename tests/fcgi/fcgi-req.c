/*
 * fcgi-req: a small FastCGI client for the tests.  It speaks FastCGI 1.0
 * itself (no libfcgi) so that the tests can drive the built programs over
 * their socket without a web server, and can send the requests a web
 * server would never let through.
 *
 * usage: fcgi-req [options] SOCKET METHOD URI
 *
 *   SOCKET	a Unix socket path, or HOST:PORT for TCP ([::1]:PORT for
 *		IPv6); anything with a '/' in it, or no ':', is a path
 *   METHOD	REQUEST_METHOD, sent as given
 *   URI	the request target, e.g. "/health?x=1": REQUEST_URI is all
 *		of it, DOCUMENT_URI and SCRIPT_NAME the part before the first
 *		'?', QUERY_STRING the part after it (may be empty)
 *
 *   -H 'Name: value'	a request header, sent as HTTP_NAME (upper case,
 *			'-' becomes '_'); Content-Type and Content-Length
 *			become CONTENT_TYPE and CONTENT_LENGTH.  The same
 *			header twice is joined with ", " (RFC 3875 4.1.18).
 *   -p NAME=VALUE	set a raw param, replacing a default, a -H or the
 *			length from -d/-f (e.g. -p CONTENT_LENGTH=-1);
 *			-p NAME alone removes NAME
 *   -P NAME=VALUE	append a raw param even if NAME is already there
 *   -F NAME=FILE	as -p, the value read from FILE: for a value over the
 *			kernel's 128 KiB limit on one argument, or with NULs
 *   -d DATA		the request body; CONTENT_LENGTH is its length
 *			unless -H, -p or -F gave one
 *   -f FILE		the request body from FILE ('-' for stdin)
 *   -n			leave out the empty STDIN record that ends the body,
 *			then hang up without waiting for the answer (one
 *			that came whole while sending is still printed)
 *   -t SECONDS		overall timeout, connect included (default 10)
 *   -r COUNT		send the request COUNT times on one connection with
 *			FCGI_KEEP_CONN and print each response
 *
 * Params always sent, before those of -H, -p, -P and -F: REQUEST_METHOD,
 * REQUEST_URI, DOCUMENT_URI, SCRIPT_NAME, QUERY_STRING,
 * SERVER_PROTOCOL=HTTP/1.1, GATEWAY_INTERFACE=CGI/1.1,
 * REMOTE_ADDR=127.0.0.1, REMOTE_PORT=40000, SERVER_NAME=localhost,
 * SERVER_PORT=80, SERVER_SOFTWARE=fcgi-req.  CONTENT_LENGTH goes only
 * with a body, CONTENT_TYPE only when -H or -p gives it.
 *
 * Stdout reads like "curl -i": "HTTP/1.1 CODE REASON" from the CGI Status
 * header (200 when there is none), the response headers as received,
 * Status included, with CRLF line ends, an empty line, then the body as
 * received.  Where a web server would answer 502 instead (no end to the
 * header block, a malformed Status) the first line says 502 and a note
 * goes to stderr.  FCGI_STDERR goes to stderr as it arrives.
 *
 * Exit status: 0 when FCGI_END_REQUEST arrived (with -n: once the request
 * was sent), 1 on a usage error, 2 on a connection or protocol error,
 * 3 on timeout.
 *
 * The build adds -Ilib, where berth's own err.h lives, so this file stays
 * off <err.h> and prints its messages with msg().
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>

/* FastCGI 1.0: the record header and the constants used here. */
#define FCGI_VERSION_1		1
#define FCGI_HEADER_LEN		8
#define FCGI_MAX_CONTENT	65535
#define FCGI_MAX_NVLEN		0x7fffffffUL	/* 31 bits in a 4-byte length */
#define FCGI_RESPONDER		1
#define FCGI_KEEP_CONN		1

enum fcgi_type {
	FCGI_BEGIN_REQUEST = 1,
	FCGI_ABORT_REQUEST,
	FCGI_END_REQUEST,
	FCGI_PARAMS,
	FCGI_STDIN,
	FCGI_STDOUT,
	FCGI_STDERR,
};

/* One request at a time, so always the same id, as nginx does. */
#define REQUEST_ID		1

#define READ_CHUNK		65536

enum fr_exit {
	FR_OK = 0,
	FR_USAGE = 1,
	FR_ERR = 2,
	FR_TIMEOUT = 3,
};

struct buf {
	unsigned char	*p;
	size_t		 len, cap;
};

/* Names and values carry a length: a value from -F may hold NULs. */
struct param {
	char		*name, *value;
	size_t		 namelen, valuelen;
};

struct params {
	struct param	*v;
	size_t		 n, cap;
};

/* A -H, -p, -P or -F, kept in order until the defaults are in place. */
struct op {
	int		 kind;
	const char	*arg;
};

struct conn {
	int		 fd;
	struct timespec	 deadline;
	double		 timeout;
	struct buf	 in;		/* read, not yet parsed */
};

struct resp {
	struct buf	 out;		/* FCGI_STDOUT */
	size_t		 unsent;	/* request bytes never written */
	int		 ended;		/* FCGI_END_REQUEST seen */
	uint32_t	 appstatus;
	int		 protostatus;
};

static const char *const protostatus_names[] = {
	"REQUEST_COMPLETE", "CANT_MPX_CONN", "OVERLOADED", "UNKNOWN_ROLE",
};

static const struct {
	int		 code;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 409, "Conflict" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

static void	msg(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

static void
msg(const char *fmt, ...)
{
	va_list	 ap;

	fputs("fcgi-req: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
usage(const char *why)
{
	if (why != NULL)
		msg("%s", why);
	fputs("usage: fcgi-req [-n] [-d data | -f file] [-F name=file] "
	    "[-H 'Name: value']\n"
	    "                [-P name=value] [-p name[=value]] [-r count] "
	    "[-t seconds]\n"
	    "                socket method uri\n"
	    "  socket  Unix socket path, or host:port for TCP\n"
	    "  -H      header, sent as HTTP_NAME (Content-Type and "
	    "Content-Length as CONTENT_*)\n"
	    "  -p      set a raw param, overriding the defaults; "
	    "'-p NAME' removes it\n"
	    "  -P      append a raw param, duplicates allowed\n"
	    "  -F      set a raw param to the contents of a file\n"
	    "  -d, -f  request body (-f - reads stdin); sets CONTENT_LENGTH\n"
	    "  -n      no empty STDIN record after the body; hang up at once\n"
	    "  -t      overall timeout in seconds (default 10); exit 3 on "
	    "timeout\n"
	    "  -r      repeat the request on one FCGI_KEEP_CONN connection\n"
	    "exit: 0 response complete, 1 usage, 2 connection or protocol "
	    "error, 3 timeout\n", stderr);
}

/* A test tool: running out of memory is not worth a code path. */
static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL) {
		msg("out of memory");
		exit(FR_ERR);
	}
	return p;
}

/* A NUL-terminated copy of p[0..len), which may itself hold NULs. */
static char *
xmemdup(const void *p, size_t len)
{
	char	*s;

	if (len == SIZE_MAX) {
		msg("out of memory");
		exit(FR_ERR);
	}
	s = xrealloc(NULL, len + 1);
	if (len > 0)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

static void
buf_reserve(struct buf *b, size_t more)
{
	size_t	 cap;

	if (more > SIZE_MAX / 2 - b->len) {
		msg("out of memory");
		exit(FR_ERR);
	}
	if (b->len + more <= b->cap)
		return;
	for (cap = b->cap ? b->cap : 256; cap < b->len + more; cap *= 2)
		;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

static void
buf_add(struct buf *b, const void *p, size_t len)
{
	buf_reserve(b, len);
	if (len > 0)
		memcpy(b->p + b->len, p, len);
	b->len += len;
}

static void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Write all of p[0..len) to a blocking or non-blocking fd. */
static int
write_all(int fd, const void *p, size_t len)
{
	const unsigned char	*s = p;
	struct pollfd		 pfd;
	ssize_t			 n;

	while (len > 0) {
		if ((n = write(fd, s, len)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
				return -1;
			continue;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Append all of fd to b; '-' is stdin. */
static int
file_read(const char *path, struct buf *b)
{
	ssize_t	 n;
	int	 fd = STDIN_FILENO, rc = -1;

	if (strcmp(path, "-") != 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		msg("%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		buf_reserve(b, READ_CHUNK);
		n = read(fd, b->p + b->len, b->cap - b->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			msg("%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
	rc = 0;
 out:
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

static struct param *
params_find(struct params *ps, const char *name, size_t namelen)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].namelen == namelen &&
		    memcmp(ps->v[i].name, name, namelen) == 0)
			return &ps->v[i];
	return NULL;
}

/* Append name=value, whether or not name is there already. */
static void
params_add(struct params *ps, const char *name, size_t namelen,
    const char *value, size_t valuelen)
{
	struct param	*p;

	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 32;
		ps->v = xrealloc(ps->v, ps->cap * sizeof(*ps->v));
	}
	p = &ps->v[ps->n++];
	p->name = xmemdup(name, namelen);
	p->namelen = namelen;
	p->value = xmemdup(value, valuelen);
	p->valuelen = valuelen;
}

/* Remove every name from ps->v[i] on. */
static void
params_del_from(struct params *ps, size_t i, const char *name, size_t namelen)
{
	while (i < ps->n) {
		if (ps->v[i].namelen == namelen &&
		    memcmp(ps->v[i].name, name, namelen) == 0) {
			free(ps->v[i].name);
			free(ps->v[i].value);
			memmove(&ps->v[i], &ps->v[i + 1],
			    (ps->n - i - 1) * sizeof(*ps->v));
			ps->n--;
		} else
			i++;
	}
}

/* Replace the first name in place, drop any others, or append. */
static void
params_set(struct params *ps, const char *name, size_t namelen,
    const char *value, size_t valuelen)
{
	struct param	*p;
	char		*v;

	if ((p = params_find(ps, name, namelen)) == NULL) {
		params_add(ps, name, namelen, value, valuelen);
		return;
	}
	v = xmemdup(value, valuelen);
	free(p->value);
	p->value = v;
	p->valuelen = valuelen;
	params_del_from(ps, (size_t)(p - ps->v) + 1, name, namelen);
}

static void
params_free(struct params *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->v[i].name);
		free(ps->v[i].value);
	}
	free(ps->v);
	ps->v = NULL;
	ps->n = ps->cap = 0;
}

static void
params_sets(struct params *ps, const char *name, const char *value)
{
	params_set(ps, name, strlen(name), value, strlen(value));
}

/*
 * -H 'Name: value' as a web server would pass it: optional whitespace
 * around the value goes, a repeated header is joined with ", ".
 */
static int
params_header(struct params *ps, const char *arg)
{
	const char	*colon, *v, *e;
	struct buf	 name = { 0 }, joined = { 0 };
	struct param	*p;
	size_t		 nlen;

	if ((colon = strchr(arg, ':')) == NULL || colon == arg) {
		msg("-H %s: want 'Name: value'", arg);
		return -1;
	}
	nlen = (size_t)(colon - arg);
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	if (nlen == 12 && strncasecmp(arg, "Content-Type", 12) == 0)
		buf_adds(&name, "CONTENT_TYPE");
	else if (nlen == 14 && strncasecmp(arg, "Content-Length", 14) == 0)
		buf_adds(&name, "CONTENT_LENGTH");
	else {
		buf_adds(&name, "HTTP_");
		for (size_t i = 0; i < nlen; i++) {
			unsigned char c = (unsigned char)arg[i];

			if (c == '-')
				c = '_';
			else if (c >= 'a' && c <= 'z')
				c = (unsigned char)(c - 'a' + 'A');
			buf_add(&name, &c, 1);
		}
	}
	if ((p = params_find(ps, (char *)name.p, name.len)) != NULL) {
		buf_add(&joined, p->value, p->valuelen);
		buf_adds(&joined, ", ");
		buf_add(&joined, v, (size_t)(e - v));
		params_set(ps, (char *)name.p, name.len, (char *)joined.p,
		    joined.len);
	} else
		params_add(ps, (char *)name.p, name.len, v, (size_t)(e - v));
	buf_free(&name);
	buf_free(&joined);
	return 0;
}

/* -p, -P and -F, in the order given. */
static int
params_raw(struct params *ps, const struct op *op)
{
	const char	*eq;
	struct buf	 file = { 0 };
	size_t		 nlen;
	int		 rc = -1;

	if ((eq = strchr(op->arg, '=')) == NULL) {
		if (op->kind != 'p') {
			msg("-%c %s: want NAME=%s", op->kind, op->arg,
			    op->kind == 'F' ? "FILE" : "VALUE");
			goto out;
		}
		params_del_from(ps, 0, op->arg, strlen(op->arg));
		rc = 0;
		goto out;
	}
	nlen = (size_t)(eq - op->arg);
	switch (op->kind) {
	case 'p':
		params_set(ps, op->arg, nlen, eq + 1, strlen(eq + 1));
		break;
	case 'P':
		params_add(ps, op->arg, nlen, eq + 1, strlen(eq + 1));
		break;
	case 'F':
		if (file_read(eq + 1, &file) == -1)
			goto out;
		params_set(ps, op->arg, nlen, (char *)file.p, file.len);
		break;
	}
	rc = 0;
 out:
	buf_free(&file);
	return rc;
}

/*
 * Append one record; content is padded to a multiple of 8 bytes as the
 * spec recommends (and nginx does), so the server's padding path runs.
 */
static void
rec_add(struct buf *b, int type, const void *p, size_t len)
{
	static const unsigned char	 zero[8];
	unsigned char			 h[FCGI_HEADER_LEN];
	size_t				 pad = (8 - len % 8) % 8;

	h[0] = FCGI_VERSION_1;
	h[1] = (unsigned char)type;
	h[2] = REQUEST_ID >> 8;
	h[3] = REQUEST_ID & 0xff;
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)(len & 0xff);
	h[6] = (unsigned char)pad;
	h[7] = 0;
	buf_add(b, h, sizeof(h));
	buf_add(b, p, len);
	buf_add(b, zero, pad);
}

/*
 * A stream (PARAMS, STDIN) as records of at most 65535 bytes; a
 * name-value pair may span records, the receiver reads a byte stream.
 * The empty record that ends the stream is the caller's.
 */
static void
stream_add(struct buf *b, int type, const unsigned char *p, size_t len)
{
	size_t	 n;

	while (len > 0) {
		n = len < FCGI_MAX_CONTENT ? len : FCGI_MAX_CONTENT;
		rec_add(b, type, p, n);
		p += n;
		len -= n;
	}
}

/* A name or value length: one byte below 128, else four, high bit set. */
static void
nvlen_add(struct buf *b, size_t len)
{
	unsigned char	 l[4];

	if (len < 128) {
		l[0] = (unsigned char)len;
		buf_add(b, l, 1);
		return;
	}
	l[0] = (unsigned char)(0x80 | (len >> 24));
	l[1] = (unsigned char)(len >> 16);
	l[2] = (unsigned char)(len >> 8);
	l[3] = (unsigned char)len;
	buf_add(b, l, 4);
}

/* The whole request, BEGIN_REQUEST to the empty STDIN, as bytes. */
static int
request_build(struct buf *req, const struct params *ps,
    const struct buf *body, int keepconn, int hangup)
{
	unsigned char	 begin[8] = { 0 };
	struct buf	 nv = { 0 };
	int		 rc = -1;

	begin[1] = FCGI_RESPONDER;
	begin[2] = keepconn ? FCGI_KEEP_CONN : 0;
	rec_add(req, FCGI_BEGIN_REQUEST, begin, sizeof(begin));

	for (size_t i = 0; i < ps->n; i++) {
		const struct param *p = &ps->v[i];

		if (p->namelen > FCGI_MAX_NVLEN ||
		    p->valuelen > FCGI_MAX_NVLEN) {
			msg("param %s: longer than FastCGI allows", p->name);
			goto out;
		}
		nvlen_add(&nv, p->namelen);
		nvlen_add(&nv, p->valuelen);
		buf_add(&nv, p->name, p->namelen);
		buf_add(&nv, p->value, p->valuelen);
	}
	stream_add(req, FCGI_PARAMS, nv.p, nv.len);
	rec_add(req, FCGI_PARAMS, NULL, 0);

	stream_add(req, FCGI_STDIN, body->p, body->len);
	if (!hangup)
		rec_add(req, FCGI_STDIN, NULL, 0);
	rc = 0;
 out:
	buf_free(&nv);
	return rc;
}

static void
deadline_set(struct conn *c)
{
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += (time_t)c->timeout;
	c->deadline.tv_nsec += (long)((c->timeout - (double)(time_t)c->timeout) *
	    1e9);
	if (c->deadline.tv_nsec >= 1000000000L) {
		c->deadline.tv_sec++;
		c->deadline.tv_nsec -= 1000000000L;
	}
}

/* Milliseconds to the deadline, rounded up; 0 once it has passed. */
static int
ms_left(const struct conn *c)
{
	struct timespec	 now;
	long long	 ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(c->deadline.tv_sec - now.tv_sec) * 1000000000LL +
	    (c->deadline.tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return 0;
	if (ns / 1000000 >= INT_MAX)
		return INT_MAX;
	return (int)((ns + 999999) / 1000000);
}

static int
timed_out(const struct conn *c)
{
	msg("timed out after %g s", c->timeout);
	return FR_TIMEOUT;
}

/*
 * Connect a non-blocking socket to sa by the deadline.  On error errno
 * says why.  A Unix socket whose backlog is full fails with EAGAIN rather
 * than blocking, so that is retried until the deadline.
 */
static int
sock_connect(struct conn *c, int family, const struct sockaddr *sa,
    socklen_t salen)
{
	struct pollfd	 pfd;
	socklen_t	 len;
	int		 fd, n, soerr, rc = FR_ERR;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return FR_ERR;
	for (;;) {
		if (connect(fd, sa, salen) == 0)
			break;
		if (errno == EAGAIN) {
			if ((n = ms_left(c)) == 0) {
				rc = FR_TIMEOUT;
				goto out;
			}
			poll(NULL, 0, n < 10 ? n : 10);
			continue;
		}
		/* After EINTR the connection goes on in the background. */
		if (errno != EINPROGRESS && errno != EINTR)
			goto out;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		for (;;) {
			if ((n = ms_left(c)) == 0) {
				rc = FR_TIMEOUT;
				goto out;
			}
			if ((n = poll(&pfd, 1, n)) == 1)
				break;
			if (n == -1 && errno != EINTR)
				goto out;
		}
		len = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
			goto out;
		if (soerr != 0) {
			errno = soerr;
			goto out;
		}
		break;
	}
	c->fd = fd;
	fd = -1;
	rc = FR_OK;
 out:
	if (fd != -1) {
		n = errno;
		close(fd);
		errno = n;
	}
	return rc;
}

static int
conn_open(struct conn *c, const char *spec)
{
	struct sockaddr_un	 sau;
	struct addrinfo		 hints, *res = NULL, *ai;
	const char		*colon;
	char			*host = NULL;
	size_t			 hlen;
	int			 rc = FR_ERR, gai;

	colon = strrchr(spec, ':');
	if (strchr(spec, '/') != NULL || colon == NULL) {
		memset(&sau, 0, sizeof(sau));
		sau.sun_family = AF_UNIX;
		if (strlen(spec) >= sizeof(sau.sun_path)) {
			msg("%s: socket path too long", spec);
			goto out;
		}
		memcpy(sau.sun_path, spec, strlen(spec));
		rc = sock_connect(c, AF_UNIX, (struct sockaddr *)&sau,
		    sizeof(sau));
		if (rc == FR_ERR)
			msg("connect %s: %s", spec, strerror(errno));
		goto out;
	}

	hlen = (size_t)(colon - spec);
	if (hlen >= 2 && spec[0] == '[' && spec[hlen - 1] == ']')
		host = xmemdup(spec + 1, hlen - 2);
	else
		host = xmemdup(spec, hlen);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	/* getaddrinfo() does not time out; the tests use addresses. */
	if ((gai = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
		msg("%s: %s", spec, gai_strerror(gai));
		goto out;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		rc = sock_connect(c, ai->ai_family, ai->ai_addr,
		    ai->ai_addrlen);
		if (rc != FR_ERR)
			break;
		msg("connect %s: %s", spec, strerror(errno));
	}
 out:
	if (rc == FR_TIMEOUT)
		timed_out(c);
	if (res != NULL)
		freeaddrinfo(res);
	free(host);
	return rc;
}

/* Take every whole record out of c->in, up to FCGI_END_REQUEST. */
static int
resp_parse(struct conn *c, struct resp *r)
{
	const unsigned char	*h, *body;
	size_t			 off = 0, clen, plen;
	unsigned int		 id;
	int			 rc = FR_ERR;

	while (!r->ended && c->in.len - off >= FCGI_HEADER_LEN) {
		h = c->in.p + off;
		clen = (size_t)h[4] << 8 | h[5];
		plen = h[6];
		if (c->in.len - off < FCGI_HEADER_LEN + clen + plen)
			break;
		body = h + FCGI_HEADER_LEN;
		id = (unsigned int)h[2] << 8 | h[3];
		if (h[0] != FCGI_VERSION_1) {
			msg("protocol error: record version %u", h[0]);
			goto out;
		}
		/* We sent no management record, so expect none back. */
		if (id != REQUEST_ID) {
			msg("protocol error: record type %u for request id %u",
			    h[1], id);
			goto out;
		}
		switch (h[1]) {
		case FCGI_STDOUT:
			buf_add(&r->out, body, clen);
			break;
		case FCGI_STDERR:
			(void)write_all(STDERR_FILENO, body, clen);
			break;
		case FCGI_END_REQUEST:
			if (clen < 8) {
				msg("protocol error: END_REQUEST of %zu bytes",
				    clen);
				goto out;
			}
			r->appstatus = (uint32_t)body[0] << 24 |
			    (uint32_t)body[1] << 16 | (uint32_t)body[2] << 8 |
			    body[3];
			r->protostatus = body[4];
			r->ended = 1;
			break;
		default:
			msg("protocol error: unexpected record type %u", h[1]);
			goto out;
		}
		off += FCGI_HEADER_LEN + clen + plen;
	}
	rc = FR_OK;
 out:
	/* What is left is less than one record: cheap to move. */
	memmove(c->in.p, c->in.p + off, c->in.len - off);
	c->in.len -= off;
	return rc;
}

/*
 * Send req and read the answer until FCGI_END_REQUEST, both at once: an
 * application may answer before it has read all the request, and if its
 * answer filled the socket while we only wrote, both would wait for ever.
 * With hangup, return as soon as req is written.
 */
static int
exchange(struct conn *c, const struct buf *req, int hangup, struct resp *r)
{
	struct pollfd	 pfd;
	size_t		 off = 0;
	ssize_t		 n;
	int		 ms, wclosed = 0, rc = FR_ERR;

	for (;;) {
		if (r->ended || (hangup && off == req->len))
			break;
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if (off < req->len && !wclosed)
			pfd.events |= POLLOUT;
		if ((ms = ms_left(c)) == 0) {
			rc = timed_out(c);
			goto out;
		}
		if ((n = poll(&pfd, 1, ms)) == -1) {
			if (errno == EINTR)
				continue;
			msg("poll: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			continue;	/* ms_left() says timeout next time */

		if (pfd.revents & POLLOUT) {
			n = send(c->fd, req->p + off, req->len - off,
			    MSG_NOSIGNAL);
			if (n >= 0)
				off += (size_t)n;
			else if (errno == EPIPE || errno == ECONNRESET) {
				/* It hung up; what it said may be unread. */
				wclosed = 1;
			} else if (errno != EINTR && errno != EAGAIN &&
			    errno != EWOULDBLOCK) {
				msg("send: %s", strerror(errno));
				goto out;
			}
		}
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;

		buf_reserve(&c->in, READ_CHUNK);
		n = recv(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len, 0);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			if (errno != ECONNRESET) {
				msg("recv: %s", strerror(errno));
				goto out;
			}
			n = 0;
		}
		if (n == 0) {
			if (hangup)
				break;
			msg("connection closed before FCGI_END_REQUEST "
			    "(%zu bytes of FCGI_STDOUT came)", r->out.len);
			goto out;
		}
		c->in.len += (size_t)n;
		if (resp_parse(c, r) != FR_OK)
			goto out;
	}
	rc = FR_OK;
 out:
	r->unsent = req->len - off;
	return rc;
}

static const char *
reason_find(int code)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			return reasons[i].reason;
	return "";
}

/*
 * The status line from the value of Status (NULL when there was none):
 * three digits, then a space and a reason or nothing.  Returns -1 when it
 * is malformed, which a web server would answer with 502.
 */
static int
status_line(struct buf *o, const char *v, size_t vlen)
{
	int	 code;

	buf_adds(o, "HTTP/1.1 ");
	if (v == NULL) {
		buf_adds(o, "200 OK\r\n");
		return 0;
	}
	if (vlen < 3 || v[0] < '1' || v[0] > '5' ||
	    v[1] < '0' || v[1] > '9' || v[2] < '0' || v[2] > '9' ||
	    (vlen > 3 && v[3] != ' ')) {
		buf_adds(o, "502 Bad Gateway\r\n");
		return -1;
	}
	code = (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
	buf_add(o, v, 3);
	buf_adds(o, " ");
	for (v += 3, vlen -= 3; vlen > 0 && *v == ' '; v++, vlen--)
		;
	if (vlen > 0)
		buf_add(o, v, vlen);
	else
		buf_adds(o, reason_find(code));
	buf_adds(o, "\r\n");
	return 0;
}

/* Print one response as "curl -i" would. */
static int
resp_print(const struct buf *out)
{
	const char	*p = out->len > 0 ? (const char *)out->p : "";
	const char	*end = p + out->len;
	const char	*line, *nl, *body = NULL, *status = NULL;
	struct buf	 o = { 0 };
	size_t		 l, statuslen = 0;
	int		 rc = FR_ERR;

	/* First pass: the end of the header block and the Status. */
	for (line = p; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			break;
		l = (size_t)(nl - line);
		if (l > 0 && line[l - 1] == '\r')
			l--;
		if (l == 0) {
			body = nl + 1;
			break;
		}
		if (status == NULL && l >= 7 &&
		    strncasecmp(line, "Status:", 7) == 0) {
			status = line + 7;
			statuslen = l - 7;
			while (statuslen > 0 && (*status == ' ' ||
			    *status == '\t')) {
				status++;
				statuslen--;
			}
			while (statuslen > 0 && (status[statuslen - 1] == ' ' ||
			    status[statuslen - 1] == '\t'))
				statuslen--;
		}
	}

	if (body == NULL) {
		buf_adds(&o, "HTTP/1.1 502 Bad Gateway\r\n");
		msg("response has no end of headers (%zu bytes)", out->len);
	} else if (status_line(&o, status, statuslen) == -1)
		msg("malformed Status: %.*s", (int)statuslen, status);

	/* Second pass: the header lines with CRLF, without their end. */
	for (line = p; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		l = (size_t)((nl != NULL ? nl : end) - line);
		if (l > 0 && line[l - 1] == '\r')
			l--;
		if (l == 0 && nl != NULL)
			break;
		buf_add(&o, line, l);
		buf_adds(&o, "\r\n");
		if (nl == NULL)
			break;
	}
	buf_adds(&o, "\r\n");
	if (body != NULL)
		buf_add(&o, body, (size_t)(end - body));

	if (write_all(STDOUT_FILENO, o.p, o.len) == -1) {
		msg("stdout: %s", strerror(errno));
		goto out;
	}
	rc = FR_OK;
 out:
	buf_free(&o);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct params	 ps = { 0 };
	struct buf	 body = { 0 }, req = { 0 };
	struct conn	 c = { .fd = -1, .timeout = 10 };
	struct resp	 r = { 0 };
	struct op	*ops;
	const char	*uri, *q;
	char		*end, *path = NULL, clen[32];
	size_t		 nops = 0;
	long		 count = 1;
	int		 ch, hangup = 0, havebody = 0, rc = FR_USAGE;

	ops = xrealloc(NULL, (size_t)argc * sizeof(*ops));
	while ((ch = getopt(argc, argv, "d:F:f:H:nP:p:r:t:")) != -1) {
		switch (ch) {
		case 'd':
		case 'f':
			if (havebody) {
				usage("one of -d or -f, once");
				goto out;
			}
			havebody = 1;
			if (ch == 'd')
				buf_adds(&body, optarg);
			else if (file_read(optarg, &body) == -1)
				goto out;
			break;
		case 'F':
		case 'H':
		case 'P':
		case 'p':
			ops[nops].kind = ch;
			ops[nops++].arg = optarg;
			break;
		case 'n':
			hangup = 1;
			break;
		case 'r':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    count < 1 || count > 1000000) {
				usage("-r: a count from 1 to 1000000");
				goto out;
			}
			break;
		case 't':
			errno = 0;
			c.timeout = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !(c.timeout > 0 && c.timeout <= 86400)) {
				usage("-t: seconds, more than 0 and at "
				    "most 86400");
				goto out;
			}
			break;
		default:
			usage(NULL);
			goto out;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3) {
		usage(NULL);
		goto out;
	}
	if (hangup && count > 1) {
		usage("-n hangs up: it cannot go with -r");
		goto out;
	}

	/* The defaults, then -H, then the body's length, then -p/-P/-F. */
	uri = argv[2];
	q = strchr(uri, '?');
	path = q != NULL ? xmemdup(uri, (size_t)(q - uri)) : xmemdup(uri,
	    strlen(uri));
	params_sets(&ps, "REQUEST_METHOD", argv[1]);
	params_sets(&ps, "REQUEST_URI", uri);
	params_sets(&ps, "DOCUMENT_URI", path);
	params_sets(&ps, "SCRIPT_NAME", path);
	params_sets(&ps, "QUERY_STRING", q != NULL ? q + 1 : "");
	params_sets(&ps, "SERVER_PROTOCOL", "HTTP/1.1");
	params_sets(&ps, "GATEWAY_INTERFACE", "CGI/1.1");
	params_sets(&ps, "REMOTE_ADDR", "127.0.0.1");
	params_sets(&ps, "REMOTE_PORT", "40000");
	params_sets(&ps, "SERVER_NAME", "localhost");
	params_sets(&ps, "SERVER_PORT", "80");
	params_sets(&ps, "SERVER_SOFTWARE", "fcgi-req");
	for (size_t i = 0; i < nops; i++)
		if (ops[i].kind == 'H' && params_header(&ps, ops[i].arg) == -1)
			goto out;
	if (havebody && params_find(&ps, "CONTENT_LENGTH", 14) == NULL) {
		snprintf(clen, sizeof(clen), "%zu", body.len);
		params_sets(&ps, "CONTENT_LENGTH", clen);
	}
	for (size_t i = 0; i < nops; i++)
		if (ops[i].kind != 'H' && params_raw(&ps, &ops[i]) == -1)
			goto out;
	if (request_build(&req, &ps, &body, count > 1, hangup) == -1)
		goto out;

	deadline_set(&c);
	if ((rc = conn_open(&c, argv[0])) != FR_OK)
		goto out;
	for (long i = 0; i < count; i++) {
		buf_free(&r.out);
		r.ended = 0;
		if ((rc = exchange(&c, &req, hangup, &r)) != FR_OK)
			goto out;
		if (!r.ended)
			break;		/* -n: sent, and no answer yet */
		if (r.protostatus != 0)
			msg("FCGI_END_REQUEST protocolStatus %d (%s)",
			    r.protostatus, r.protostatus < 4 ?
			    protostatus_names[r.protostatus] : "unknown");
		if (r.appstatus != 0)
			msg("FCGI_END_REQUEST appStatus %u",
			    (unsigned int)r.appstatus);
		if ((rc = resp_print(&r.out)) != FR_OK)
			goto out;
		/* The rest of the request would be read as the next one. */
		if (r.unsent > 0 && i + 1 < count) {
			msg("request %ld answered before %zu bytes of it were "
			    "sent: the connection cannot be reused", i + 1,
			    r.unsent);
			rc = FR_ERR;
			goto out;
		}
	}
	rc = FR_OK;
 out:
	if (c.fd != -1)
		close(c.fd);
	buf_free(&c.in);
	buf_free(&r.out);
	buf_free(&req);
	buf_free(&body);
	params_free(&ps);
	free(path);
	free(ops);
	return rc;
}
