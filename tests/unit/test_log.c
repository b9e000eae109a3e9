/* Unit tests for lib/log: escaping, levels, request ids. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "t.h"

static char *
capture(void (*fn)(void))
{
	static char	 buf[8192];
	int		 p[2], saved;
	ssize_t		 n;

	if (pipe(p) == -1)
		return NULL;
	saved = dup(STDERR_FILENO);
	dup2(p[1], STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void
hostile(void)
{
	log_info("user %s failed", "bob\nFAKE LINE \x1b[31m\"q\"\\");
}

static void
debug_line(void)
{
	log_debug("hidden at info");
}

static void
long_line(void)
{
	char	*s = malloc(10000);

	memset(s, 'a', 9999);
	s[9999] = '\0';
	log_error("%s", s);
	free(s);
}

int
main(void)
{
	char		 out[64], *line;
	enum log_level	 l;
	const char	*id;

	T_EQ_INT(log_escape(out, sizeof(out), "plain text", 10), 10,
	    "plain text is kept");
	T_EQ_STR(out, "plain text", "as it was");
	log_escape(out, sizeof(out), "a\nb\r\x01\x7f\xff\\\"", 9);
	T_EQ_STR(out, "a\\x0ab\\x0d\\x01\\x7f\\xff\\x5c\\x22",
	    "control, non-ASCII, backslash and quote are escaped");
	T_OK(log_escape(out, 8, "abcdefghijkl", 12) == 7 && out[7] == '\0',
	    "escaping stops at the buffer and terminates");
	T_OK(log_escape(out, 6, "\n\n\n", 3) == 4,
	    "an escape is never cut in half");

	log_init("test_log");
	log_set_level(LOG_INFO);
	log_set_request_id("abc123");
	line = capture(hostile);
	T_OK(strstr(line, "req=abc123 ") != NULL, "the request id is on the line");
	T_OK(strstr(line, " info test_log[") != NULL, "level and program too");
	T_OK(strchr(line, '\n') == line + strlen(line) - 1,
	    "a hostile newline does not start a new line");
	T_OK(strchr(line, '\x1b') == NULL, "no terminal escape gets through");
	T_OK(strstr(line, "bob\\x0aFAKE LINE \\x1b[31m\"q\"\\") != NULL,
	    "control bytes are shown escaped, quotes as they are: %s", line);
	T_EQ_STR(log_quote(out, sizeof(out), "a \"b\" \\c\n"),
	    "a \\x22b\\x22 \\x5cc\\x0a", "log_quote escapes quotes too");
	T_EQ_STR(capture(debug_line), "", "debug is hidden at level info");
	log_set_level(LOG_DEBUG);
	T_OK(strstr(capture(debug_line), "hidden at info") != NULL,
	    "and shown at level debug");
	line = capture(long_line);
	T_OK(strlen(line) < LOG_LINE_MAX + 128 && line[strlen(line) - 1] == '\n',
	    "a long message is cut, still one line");

	T_EQ_INT(log_level_parse("warn", &l), APP_OK, "warn parses");
	T_EQ_INT(l, LOG_WARN, "to LOG_WARN");
	T_EQ_INT(log_level_parse("verbose", &l), APP_EBADREQ,
	    "an unknown level is refused");

	id = log_new_request_id();
	T_EQ_INT(strlen(id), LOG_REQID_LEN, "a new request id has %d hex digits",
	    LOG_REQID_LEN);
	T_OK(strspn(id, "0123456789abcdef") == LOG_REQID_LEN, "all hex");
	log_set_request_id(NULL);
	T_EQ_STR(log_request_id(), "-", "no request shows -");
	return t_done();
}
