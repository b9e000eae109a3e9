/*
 * prefork: a small supervisor for `workers = N` (N >= 1).
 *
 * spawn-fcgi starts a program once and never again: a worker that is
 * killed stays dead.  With workers set, the process spawn-fcgi started
 * becomes a supervisor on the inherited FastCGI socket (standard input).
 * It forks N workers that run the normal accept loop, starts a new one
 * in the slot of any that exits or is killed (logging its pid and how it
 * died), passes SIGTERM and SIGINT on to the workers, waits for them and
 * exits.  It never touches the database or a request: it forks before
 * either is set up.
 *
 * Back-off: a slot is started again no sooner than its delay after its
 * last start.  The delay is PREFORK_DELAY_MIN_MS and doubles, up to
 * PREFORK_DELAY_MAX_MS, each time a worker dies within PREFORK_STABLE_MS
 * of starting; a worker that lived longer resets it.  So a worker killed
 * after serving for a while is replaced at once, and one that dies at
 * start costs one fork a second, then fewer.
 *
 * workers = 0 (the default) does none of this: the program serves in its
 * own process, as systemd's per-instance units and `spawn-fcgi -F N` run
 * it.
 */
#ifndef BERTH_PREFORK_H
#define BERTH_PREFORK_H

#define PREFORK_MAX		64	/* the most workers a supervisor keeps */
#define PREFORK_DELAY_MIN_MS	1000
#define PREFORK_DELAY_MAX_MS	30000
#define PREFORK_STABLE_MS	10000
#define PREFORK_GRACE_MS	10000	/* after SIGTERM, before SIGKILL */

/*
 * Become the supervisor of `workers` workers (1..PREFORK_MAX).  Returns
 * only in a new worker, with the signal mask and dispositions the
 * program started with; the caller goes on to set up and serve.  The
 * supervisor never returns: it exits 0 once its workers are gone after
 * SIGTERM or SIGINT, and exits 1 at start when standard input is not a
 * listening socket.
 */
void	prefork_run(long workers);

#endif
