/* prefork: the supervisor of `workers = N`; see prefork.h. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "log.h"
#include "prefork.h"

struct slot {
	pid_t		 pid;		/* 0: no worker running */
	long long	 started_ms;	/* its last start */
	long long	 due_ms;	/* with no worker: start no sooner */
	long long	 delay_ms;	/* least time between two starts */
};

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Plan the next start of a slot whose worker just ended (or never ran). */
static void
schedule(struct slot *s, long long now)
{
	bool	 quick = now - s->started_ms < PREFORK_STABLE_MS;

	if (!quick)
		s->delay_ms = PREFORK_DELAY_MIN_MS;
	s->due_ms = s->started_ms + s->delay_ms;
	if (s->due_ms < now)
		s->due_ms = now;
	if (quick) {
		s->delay_ms *= 2;
		if (s->delay_ms > PREFORK_DELAY_MAX_MS)
			s->delay_ms = PREFORK_DELAY_MAX_MS;
	}
}

/* Fork a worker into s.  Returns true in the new worker. */
static bool
start(struct slot *s, pid_t self, const sigset_t *mask)
{
	pid_t	 pid;

	s->started_ms = now_ms();
	if ((pid = fork()) == -1) {
		log_error("cannot start a worker: %s", strerror(errno));
		schedule(s, s->started_ms);
		return false;
	}
	if (pid == 0) {
		/* A worker ends with its supervisor, even one killed hard. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() != self)
			_exit(1);
		sigprocmask(SIG_SETMASK, mask, NULL);
		return true;
	}
	s->pid = pid;
	log_info("worker %ld started", (long)pid);
	return false;
}

static const char *
how_it_ended(int status, char *buf, size_t sz)
{
	if (WIFSIGNALED(status))
		snprintf(buf, sz, "was killed by signal %d (%s)%s",
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(buf, sz, "exited with status %d", WEXITSTATUS(status));
	return buf;
}

void
prefork_run(long workers)
{
	struct slot	 slots[PREFORK_MAX];
	sigset_t	 set, mask;
	struct timespec	 ts;
	pid_t		 self = getpid(), pid;
	int		 listening = 0, status, sig;
	socklen_t	 len = sizeof(listening);
	long long	 now, wake, grace_at = 0;
	bool		 stopping = false, killed = false;
	long		 n, running;
	char		 how[96];

	/* Forking workers that could only fail would be a crash loop. */
	if (getsockopt(STDIN_FILENO, SOL_SOCKET, SO_ACCEPTCONN, &listening,
	    &len) == -1 || !listening) {
		log_error("workers = %ld needs the listening FastCGI socket on "
		    "standard input (spawn-fcgi -F 1)", workers);
		exit(1);
	}
	n = workers < 1 ? 1 : workers > PREFORK_MAX ? PREFORK_MAX : workers;
	memset(slots, 0, sizeof(slots));
	for (long i = 0; i < n; i++)
		slots[i].delay_ms = PREFORK_DELAY_MIN_MS;

	/*
	 * The supervisor has no signal handlers: it takes SIGCHLD, SIGTERM
	 * and SIGINT with sigtimedwait(), so that nothing can arrive
	 * between looking at its children and going to sleep.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, &mask);
	log_info("supervising %ld workers", n);

	for (;;) {
		now = now_ms();
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (long i = 0; i < n; i++) {
				struct slot *s = &slots[i];

				if (s->pid != pid)
					continue;
				s->pid = 0;
				if (stopping)
					break;
				schedule(s, now);
				log_warn("worker %ld %s after %lld ms; starting "
				    "another in %lld ms", (long)pid,
				    how_it_ended(status, how, sizeof(how)),
				    now - s->started_ms, s->due_ms - now);
				break;
			}
		}

		running = 0;
		for (long i = 0; i < n; i++)
			if (slots[i].pid != 0)
				running++;
		if (stopping && running == 0) {
			log_info("stopped");
			exit(0);
		}
		if (stopping && !killed && now >= grace_at) {
			log_warn("%ld workers still running after %d ms: "
			    "killing them", running, PREFORK_GRACE_MS);
			for (long i = 0; i < n; i++)
				if (slots[i].pid != 0)
					kill(slots[i].pid, SIGKILL);
			killed = true;
		}

		/* Start what is due; sleep until the next one, at most 1 s. */
		wake = now + 1000;
		for (long i = 0; i < n && !stopping; i++) {
			struct slot *s = &slots[i];

			if (s->pid == 0 && s->due_ms <= now &&
			    start(s, self, &mask))
				return;
			if (s->pid == 0 && s->due_ms < wake)
				wake = s->due_ms;
		}
		if (stopping && !killed && grace_at < wake)
			wake = grace_at;
		wake -= now_ms();
		if (wake < 0)
			wake = 0;
		ts.tv_sec = wake / 1000;
		ts.tv_nsec = (wake % 1000) * 1000000;
		sig = sigtimedwait(&set, NULL, &ts);
		if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
			stopping = true;
			grace_at = now_ms() + PREFORK_GRACE_MS;
			log_info("%s: stopping %ld workers", strsignal(sig),
			    running);
			for (long i = 0; i < n; i++)
				if (slots[i].pid != 0)
					kill(slots[i].pid, sig);
		}
	}
}
