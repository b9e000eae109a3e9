/*
 * log: one line per event on stderr, which spawn-fcgi and systemd send to
 * the node's log.  Every line carries the program, its pid and the id of
 * the request being served:
 *
 *   2026-11-27T18:49:05Z info berth-health[1234] req=9f3c... message
 *
 * The whole message is escaped after formatting: bytes outside printable
 * ASCII become \xNN, so no text can forge a line or carry terminal
 * escapes.  Untrusted values shown as key="value" go through log_quote()
 * first, which escapes '"' and '\' as well, so that the line stays
 * parseable.  Messages are capped at LOG_LINE_MAX bytes.  Never pass a
 * secret: log a token's jti or a hash prefix instead.
 */
#ifndef BERTH_LOG_H
#define BERTH_LOG_H

#include <stddef.h>

#include "err.h"

#define LOG_LINE_MAX	2048
#define LOG_REQID_LEN	16		/* hex characters */

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG_LEVEL__MAX
};

/* Name the program for every line ("berth-health"). */
void		 log_init(const char *prog);
void		 log_set_level(enum log_level);
enum log_level	 log_get_level(void);

/* "error" ... "debug" to the level; APP_EBADREQ for anything else. */
enum app_err	 log_level_parse(const char *, enum log_level *) WUR;
const char	*log_level_name(enum log_level);

/*
 * Set the request id shown on every line; NULL shows "-".  Returns the
 * id in use (static storage, valid until the next call).  log_new_request_id
 * makes a fresh random one.
 */
void		 log_set_request_id(const char *);
const char	*log_new_request_id(void);
const char	*log_request_id(void);

void		 log_msg(enum log_level, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

/*
 * Escape src (srclen bytes) into dst: bytes outside printable ASCII, '"'
 * and '\' become \xNN.  Always NUL-terminates; returns the length
 * written.
 */
size_t		 log_escape(char *dst, size_t dstsz, const char *src,
		    size_t srclen);

/* log_escape of a NUL-terminated s into buf; returns buf. */
const char	*log_quote(char *buf, size_t bufsz, const char *s);

#endif
