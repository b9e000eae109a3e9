/*
 * hashrate: how many password checks per second one core can do, the
 * physical limit of a token request whose credentials are not cached.
 *
 * usage: hashrate SECONDS PROCS: PROCS processes each verify one
 * password against berth's default hash (yescrypt at libxcrypt's
 * default cost, as password_hash makes it) for SECONDS; prints
 * "hashes/s total, per process".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "password.h"

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const char pw[] = "bench-Password-1";
	char		 hash[PASSWORD_HASH_MAX];
	double		 secs, start, total = 0;
	int		 procs, i, fds[2], status;
	long		 n;
	bool		 upgrade;

	if (argc != 3 || (secs = atof(argv[1])) <= 0 ||
	    (procs = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: hashrate SECONDS PROCS\n");
		return 1;
	}
	if (password_hash(pw, strlen(pw), hash, sizeof(hash)) != APP_OK ||
	    pipe(fds) == -1)
		return 1;
	for (i = 0; i < procs; i++) {
		if (fork() != 0)
			continue;
		n = 0;
		start = now_s();
		do {
			if (password_verify(pw, strlen(pw), hash, &upgrade) !=
			    APP_OK)
				_exit(1);
			n++;
		} while (now_s() - start < secs);
		dprintf(fds[1], "%f\n", (double)n / (now_s() - start));
		_exit(0);
	}
	close(fds[1]);
	for (i = 0; i < procs; i++) {
		if (wait(&status) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			return 1;
	}
	{
		FILE	*f = fdopen(fds[0], "r");
		double	 r;

		while (f != NULL && fscanf(f, "%lf", &r) == 1)
			total += r;
	}
	printf("%.1f %.1f\n", total, total / procs);
	return 0;
}
