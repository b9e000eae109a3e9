/* Unit tests for lib/config: the file, the environment, the errors. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "t.h"

static char	 dir[] = "/tmp/berth-test-config.XXXXXX";

static const char *
write_file(const char *name, const char *text)
{
	static char	 path[256];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static enum app_err
load_text(struct config *c, const char *text, char *err)
{
	return config_load(c, write_file("c.conf", text), err,
	    CONFIG_ERR_MAX);
}

int
main(void)
{
	struct config	 c;
	char		 err[CONFIG_ERR_MAX];
	int		 seen[32] = { 0 };
	FILE		*f;
	char		*buf = NULL;
	size_t		 len = 0;

	if (mkdtemp(dir) == NULL)
		return 2;
	unsetenv("BERTH_CONF");
	unsetenv("BERTH_DATABASE");
	unsetenv("BERTH_TOKEN_TTL");

	T_EQ_INT(config_defaults(&c), APP_OK, "defaults load");
	T_EQ_STR(c.service, "registry", "service defaults to registry");
	T_EQ_STR(c.issuer, "berth", "issuer defaults to berth");
	T_EQ_INT(c.token_ttl, 300, "token_ttl defaults to 300");
	T_EQ_STR(c.signing_alg, "ES256", "signing_alg defaults to ES256");
	config_free(&c);

	T_EQ_INT(load_text(&c, "# comment\n\n  database = host=/x dbname=b  \n"
	    "token_ttl=600\n\tissuer =\tme\n", err), APP_OK, "a file loads");
	T_EQ_STR(c.database, "host=/x dbname=b", "values are trimmed, "
	    "inner spaces kept");
	T_EQ_INT(c.token_ttl, 600, "no spaces around = is fine");
	T_EQ_STR(c.issuer, "me", "tabs are trimmed");
	config_free(&c);

	T_EQ_INT(load_text(&c, "databse = x\n", err), APP_EBADREQ,
	    "an unknown key is refused");
	T_OK(strstr(err, "databse") != NULL && strstr(err, ":1:") != NULL,
	    "naming the key and the line: %s", err);
	config_free(&c);

	T_EQ_INT(load_text(&c, "token_ttl = 10\n", err), APP_EBADREQ,
	    "a value out of range is refused");
	T_OK(strstr(err, "token_ttl") != NULL, "naming the key: %s", err);
	config_free(&c);
	T_EQ_INT(load_text(&c, "token_ttl = 300s\n", err), APP_EBADREQ,
	    "a number with a unit is refused");
	config_free(&c);
	T_EQ_INT(load_text(&c, "token_ttl = -300\n", err), APP_EBADREQ,
	    "a negative number is refused");
	config_free(&c);
	T_EQ_INT(load_text(&c, "token_ttl = 99999999999999999999999\n", err),
	    APP_EBADREQ, "an overflowing number is refused");
	config_free(&c);
	T_EQ_INT(load_text(&c, "signing_alg = HS256\n", err), APP_EBADREQ,
	    "an algorithm outside the list is refused");
	T_OK(strstr(err, "ES256") != NULL, "listing the choices: %s", err);
	config_free(&c);
	T_EQ_INT(load_text(&c, "service = my registry\n", err), APP_EBADREQ,
	    "a space in a token value is refused");
	config_free(&c);
	T_EQ_INT(load_text(&c, "service =\n", err), APP_EBADREQ,
	    "an empty value is refused");
	config_free(&c);
	T_EQ_INT(load_text(&c, "issuer = a\nissuer = b\n", err), APP_EBADREQ,
	    "a key set twice is refused");
	config_free(&c);
	T_EQ_INT(load_text(&c, "just words\n", err), APP_EBADREQ,
	    "a line without = is refused");
	config_free(&c);
	T_EQ_INT(load_text(&c, "database = a\x01" "b\n", err), APP_EBADREQ,
	    "a control character is refused");
	config_free(&c);

	setenv("BERTH_TOKEN_TTL", "900", 1);
	T_EQ_INT(load_text(&c, "token_ttl = 600\n", err), APP_OK,
	    "file and environment load");
	T_EQ_INT(c.token_ttl, 900, "the environment wins over the file");
	config_free(&c);
	setenv("BERTH_TOKEN_TTL", "nine", 1);
	T_EQ_INT(load_text(&c, "", err), APP_EBADREQ,
	    "a bad value in the environment is refused");
	T_OK(strstr(err, "BERTH_TOKEN_TTL") != NULL, "naming the variable: %s",
	    err);
	config_free(&c);
	unsetenv("BERTH_TOKEN_TTL");
	setenv("BERTH_HOME", "/somewhere", 1);
	T_EQ_INT(load_text(&c, "", err), APP_OK,
	    "BERTH_ variables that are not keys are not configuration");
	config_free(&c);

	setenv("BERTH_CONF", write_file("env.conf", "issuer = from-env\n"), 1);
	T_EQ_INT(config_load(&c, NULL, err, sizeof(err)), APP_OK,
	    "BERTH_CONF names the file");
	T_EQ_STR(c.issuer, "from-env", "and it is read");
	config_free(&c);
	setenv("BERTH_CONF", "/nonexistent/berth.conf", 1);
	T_EQ_INT(config_load(&c, NULL, err, sizeof(err)), APP_ENOTFOUND,
	    "a named file that is missing is an error");
	config_free(&c);
	unsetenv("BERTH_CONF");

	T_EQ_INT(config_defaults(&c), APP_OK, "defaults again");
	T_EQ_INT(config_line(&c, "x", 1, seen, err, sizeof(err)), APP_EBADREQ,
	    "config_line refuses a bare word");
	T_EQ_INT(config_line(&c, "a\0= b", 5, seen, err, sizeof(err)),
	    APP_EBADREQ, "config_line refuses a NUL");
	T_EQ_INT(config_line(&c, "   # x = y", 10, seen, err, sizeof(err)),
	    APP_OK, "an indented comment is a comment");

	/* config_write's output loads back to the same values. */
	f = open_memstream(&buf, &len);
	config_write(&c, f);
	fclose(f);
	config_free(&c);
	T_EQ_INT(load_text(&c, buf, err), APP_OK, "written config loads back");
	T_EQ_STR(c.service, "registry", "with the same values");
	config_free(&c);
	free(buf);

	/* The sample documents every key. */
	f = fopen("deploy/berth.conf.sample", "r");
	T_OK(f != NULL, "deploy/berth.conf.sample exists");
	if (f != NULL) {
		char	 line[512];
		size_t	 n = 0;
		int	 s2[32] = { 0 };
		struct config d;

		T_EQ_INT(config_defaults(&d), APP_OK, "defaults for the sample");
		while (fgets(line, sizeof(line), f) != NULL) {
			char *p = line;

			if (*p == '#' && p[1] != ' ')
				p++;	/* "#key = value": commented defaults */
			line[strcspn(line, "\n")] = '\0';
			if (strchr(p, '=') != NULL && *p != '#' &&
			    config_line(&d, p, strlen(p), s2, err,
			    sizeof(err)) == APP_OK)
				n++;
		}
		fclose(f);
		T_EQ_INT(n, config_nkeys(), "the sample names every key once");
		config_free(&d);
	}

	unlink(write_file("c.conf", ""));
	unlink(write_file("env.conf", ""));
	rmdir(dir);
	return t_done();
}
