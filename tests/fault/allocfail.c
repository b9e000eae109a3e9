/*
 * allocfail.so: an LD_PRELOAD shim that fails one chosen allocation of
 * one FastCGI request, for tests/fcgi/allocfail.sh.
 *
 * The berth programs link libfcgi dynamically, so the shim wraps
 * FCGX_Accept_r and FCGX_Finish_r to see where a request begins and
 * ends.  A request that carries the FastCGI param ALLOCFAIL=N is armed:
 * its allocations are counted from the return of FCGX_Accept_r to the
 * call of FCGX_Finish_r (libfcgi's own reading of the params and its
 * cleanup are outside), and the Nth one returns NULL with errno ENOMEM
 * (N = 0: count only).  At FCGX_Finish_r one line goes to the file
 * named by $ALLOCFAIL_LOG:
 *
 *	pid=P n=N count=C failed=0|1 live=L kept=LIB+OFF,... at=LIB+OFF,...
 *
 * count is how many allocations the request made, failed whether the
 * Nth was reached, at the call stack of the failed one (innermost
 * first, as library and offset: addr2line -e LIB OFF names the line).
 * live is how many blocks the request allocated and did not free, kept
 * the callers of malloc (or calloc, ...) for the first few of them: a
 * failed request that keeps more than the normal one leaks.  With
 * ALLOCFAIL_TRACE=1 as well (slower: a backtrace for every
 * allocation), the line also says libkept=K, how many of the blocks
 * kept were allocated inside the very call from berth into libcrypto,
 * libssl, libjansson or libpq in which the allocation failed: that
 * call failed and handed berth nothing to free, so what it keeps is
 * the library's.  kept is then the call stacks of the first of the
 * other blocks, separated by ';'.  A frame in a library also names the
 * exported symbol at or before it (":ERR_add_error_vdata"), which is
 * that function unless the code there is static.
 * The same line goes to the request's FastCGI stderr stream, so the
 * client gets it with the answer.  A fatal signal appends
 * "crash pid=P n=N sig=S at=..." to the file.  Requests without the
 * param are served as usual and not recorded.
 *
 * ALLOCFAIL_WARP=S (with ALLOCFAIL) moves CLOCK_MONOTONIC forward by S
 * seconds from that request on, so that whatever a program caches for
 * a time (berth's health probe, its key set, its login cache) is due
 * again in exactly that request.
 *
 * Wrapped: malloc, calloc, realloc, reallocarray, posix_memalign,
 * aligned_alloc, memalign, valloc, pvalloc.  glibc's strdup, strndup,
 * asprintf and the like call malloc through the PLT (the documented way
 * to replace malloc), so they are counted with it.  The real ones are
 * glibc's __libc_* entry points rather than dlsym(RTLD_NEXT), which
 * itself allocates (dlerror state) and would recurse on the first call.
 * free is wrapped only to see which blocks of the request are gone.
 * realloc to size 0 is a free and is never failed; a realloc of a block
 * from before the request stays that block.
 *
 * Single-threaded programs only (berth's are): the state is plain
 * statics.
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#define FRAMES_MAX	48
/* Blocks one request may hold at once; a power of 2. */
#define TRACK_SLOTS	(1 << 16)
#define KEPT_MAX	8
#define LINE_MAX	16384

extern void	*__libc_malloc(size_t);
extern void	*__libc_calloc(size_t, size_t);
extern void	*__libc_realloc(void *, size_t);
extern void	*__libc_memalign(size_t, size_t);
extern void	*__libc_valloc(size_t);
extern void	*__libc_pvalloc(size_t);
extern void	 __libc_free(void *);

static bool	 armed;		/* inside an armed request */
static bool	 in_shim;	/* taking a backtrace: do not count */
static long	 fail_at;	/* N, 0 for none */
static long	 count;
static bool	 failed;
static void	*frames[FRAMES_MAX];
static int	 nframes;
static time_t	 warp;		/* added to CLOCK_MONOTONIC */

/*
 * The blocks the armed request allocated and has not freed: an open
 * addressing table of pointer and caller, TOMB where one was freed.
 */
#define TOMB		((void *)1)
static struct {
	void	*p;
	void	*caller;
}		 track[TRACK_SLOTS];
static long	 live;
static bool	 overflow;	/* the table filled up: live is unknown */
static bool	 tracing;	/* ALLOCFAIL_TRACE: a stack a block */
static void	*(*stacks)[FRAMES_MAX];	/* TRACK_SLOTS of them */
static int	*depths;

/* libfcgi's, looked up rather than linked: the shim also loads into sh. */
static int	(*real_accept)(FCGX_Request *);
static void	(*real_finish)(FCGX_Request *);
static char	*(*fcgi_getparam)(const char *, FCGX_ParamArray);
static int	(*fcgi_puts)(const char *, FCGX_Stream *);
static int	(*real_clock_gettime)(clockid_t, struct timespec *);

static size_t
slot_of(const void *p)
{
	/* Fibonacci hashing of the address without its alignment bits. */
	return (size_t)(((uint64_t)(uintptr_t)p >> 4) *
	    0x9e3779b97f4a7c15ULL >> 48) & (TRACK_SLOTS - 1);
}

/* A block of the armed request, from caller. */
static void
born(void *p, void *caller)
{
	size_t	 i = slot_of(p);

	if (!armed || in_shim || p == NULL)
		return;
	for (size_t probes = 0; probes < TRACK_SLOTS; probes++) {
		if (track[i].p == NULL || track[i].p == TOMB) {
			track[i].p = p;
			track[i].caller = caller;
			live++;
			if (tracing) {
				in_shim = true;
				depths[i] = backtrace(stacks[i], FRAMES_MAX);
				in_shim = false;
			}
			return;
		}
		i = (i + 1) & (TRACK_SLOTS - 1);
	}
	overflow = true;
}

/* p is freed: true when it was a block of the armed request. */
static bool
gone(void *p)
{
	size_t	 i = slot_of(p);

	if (!armed || p == NULL)
		return false;
	for (size_t probes = 0; probes < TRACK_SLOTS; probes++) {
		if (track[i].p == NULL)
			return false;
		if (track[i].p == p) {
			track[i].p = TOMB;
			live--;
			return true;
		}
		i = (i + 1) & (TRACK_SLOTS - 1);
	}
	return false;
}

/* Whether this allocation is the one to fail; counts it when armed. */
static __attribute__((noinline)) bool
should_fail(void)
{
	if (!armed || in_shim)
		return false;
	if (++count != fail_at)
		return false;
	failed = true;
	/* backtrace() was warmed up at load, so it does not allocate now. */
	in_shim = true;
	nframes = backtrace(frames, FRAMES_MAX);
	in_shim = false;
	errno = ENOMEM;
	return true;
}

#define CALLER	__builtin_return_address(0)

void *
malloc(size_t n)
{
	void	*p;

	if (should_fail())
		return NULL;
	p = __libc_malloc(n);
	born(p, CALLER);
	return p;
}

void *
calloc(size_t n, size_t sz)
{
	void	*p;

	if (should_fail())
		return NULL;
	p = __libc_calloc(n, sz);
	born(p, CALLER);
	return p;
}

static void *
do_realloc(void *p, size_t n, void *caller)
{
	void	*q;
	bool	 ours;

	if (p != NULL && n == 0) {
		(void)gone(p);
		return __libc_realloc(p, n);
	}
	if (should_fail())
		return NULL;
	ours = gone(p);
	if ((q = __libc_realloc(p, n)) == NULL) {
		if (ours)
			born(p, caller);
		return NULL;
	}
	if (ours || p == NULL)
		born(q, caller);
	return q;
}

void *
realloc(void *p, size_t n)
{
	return do_realloc(p, n, CALLER);
}

void *
reallocarray(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz) {
		errno = ENOMEM;
		return NULL;
	}
	return do_realloc(p, n * sz, CALLER);
}

static void *
do_memalign(size_t align, size_t n, void *caller)
{
	void	*p;

	if (should_fail())
		return NULL;
	p = __libc_memalign(align, n);
	born(p, caller);
	return p;
}

void *
memalign(size_t align, size_t n)
{
	return do_memalign(align, n, CALLER);
}

void *
aligned_alloc(size_t align, size_t n)
{
	return do_memalign(align, n, CALLER);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void	*p;

	if (align % sizeof(void *) != 0 || (align & (align - 1)) != 0)
		return EINVAL;
	if ((p = do_memalign(align, n, CALLER)) == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void *
valloc(size_t n)
{
	void	*p;

	if (should_fail())
		return NULL;
	p = __libc_valloc(n);
	born(p, CALLER);
	return p;
}

void *
pvalloc(size_t n)
{
	void	*p;

	if (should_fail())
		return NULL;
	p = __libc_pvalloc(n);
	born(p, CALLER);
	return p;
}

void
free(void *p)
{
	(void)gone(p);
	__libc_free(p);
}

/* --- the record ----------------------------------------------------------- */

static int
log_fd(void)
{
	static int	 fd = -1;
	const char	*path;

	if (fd == -1 && (path = getenv("ALLOCFAIL_LOG")) != NULL)
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0644);
	return fd;
}

/*
 * "/path/lib+0xoff" of each frame outside the shim: no symbol lookup,
 * so no allocation.  The offsets are of return addresses less one, so
 * that addr2line names the line of the call.
 */
static size_t
put_frames(char *buf, size_t sz, void *const *f, int n)
{
	Dl_info		 self;
	size_t		 o = 0;
	bool		 first = true;

	if (dladdr((void *)put_frames, &self) == 0)
		self.dli_fbase = NULL;
	for (int i = 0; i < n && o < sz; i++) {
		Dl_info		 di = { 0 };
		const char	*lib = "?";
		uintptr_t	 off = (uintptr_t)f[i];
		int		 w;

		if (dladdr(f[i], &di) != 0 && di.dli_fname != NULL) {
			if (di.dli_fbase == self.dli_fbase)
				continue;
			lib = di.dli_fname;
			off -= (uintptr_t)di.dli_fbase;
		}
		w = snprintf(buf + o, sz - o, "%s%s+0x%lx%s%s",
		    first ? "" : ",", lib, (unsigned long)(off - 1),
		    di.dli_sname != NULL ? ":" : "",
		    di.dli_sname != NULL ? di.dli_sname : "");
		if (w < 0)
			break;
		o += (size_t)w;
		first = false;
	}
	return o < sz ? o : sz - 1;
}

/*
 * The last call from berth into one of the libraries below on a stack,
 * innermost first: the library's frame and berth's.  False when there
 * is none (berth's own allocation, or only libc's).
 */
static bool
api_call(void *const *f, int n, void **lib, void **caller)
{
	Dl_info	 self;
	bool	 inlib = false;

	if (dladdr((void *)api_call, &self) == 0)
		self.dli_fbase = NULL;
	for (int i = 0; i < n; i++) {
		Dl_info		 di;
		const char	*name;

		if (dladdr(f[i], &di) == 0 || (name = di.dli_fname) == NULL) {
			inlib = false;
			continue;
		}
		if (di.dli_fbase == self.dli_fbase)
			continue;
		if (strstr(name, "/berth-") != NULL) {
			if (inlib) {
				*caller = f[i];
				return true;
			}
		} else if (strstr(name, "/libcrypto.so") != NULL ||
		    strstr(name, "/libssl.so") != NULL ||
		    strstr(name, "/libjansson.so") != NULL ||
		    strstr(name, "/libpq.so") != NULL) {
			inlib = true;
			*lib = f[i];
		} else
			inlib = false;
	}
	return false;
}

static void
record(FCGX_Request *req)
{
	static char	 line[LINE_MAX];
	void		*kept[KEPT_MAX], *flib = NULL, *fcall = NULL;
	size_t		 slots[KEPT_MAX], o;
	int		 fd = log_fd(), n, nkept = 0;
	long		 libkept = 0;
	bool		 fapi;

	fapi = tracing && failed && api_call(frames, nframes, &flib, &fcall);
	for (size_t i = 0; i < TRACK_SLOTS; i++) {
		void	*klib = NULL, *kcall = NULL;

		if (track[i].p == NULL || track[i].p == TOMB)
			continue;
		if (fapi && api_call(stacks[i], depths[i], &klib, &kcall) &&
		    klib == flib && kcall == fcall) {
			libkept++;
			continue;
		}
		if (nkept < KEPT_MAX) {
			slots[nkept] = i;
			kept[nkept++] = track[i].caller;
		}
	}
	n = snprintf(line, sizeof(line), "pid=%ld n=%ld count=%ld failed=%d "
	    "live=%ld libkept=%ld kept=", (long)getpid(), fail_at, count,
	    failed ? 1 : 0, overflow ? -1 : live, libkept);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	o = (size_t)n;
	if (tracing) {
		for (int i = 0; i < nkept && o < sizeof(line) - 2; i++) {
			if (i > 0)
				line[o++] = ';';
			o += put_frames(line + o, sizeof(line) - o - 1,
			    stacks[slots[i]], depths[slots[i]]);
		}
	} else {
		/* Callers as frames: addr2line wants an address in the call. */
		for (int i = 0; i < nkept; i++)
			kept[i] = (char *)kept[i] + 1;
		o += put_frames(line + o, sizeof(line) - o - 1, kept, nkept);
	}
	n = snprintf(line + o, sizeof(line) - o, " at=");
	if (n < 0 || (size_t)n >= sizeof(line) - o)
		return;
	o += (size_t)n;
	if (failed)
		o += put_frames(line + o, sizeof(line) - o - 1, frames,
		    nframes);
	line[o++] = '\n';
	if (fd != -1)
		(void)!write(fd, line, o);
	line[o] = '\0';
	if (fcgi_puts != NULL)
		fcgi_puts(line, req->err);
}

static void
on_crash(int sig)
{
	char	 line[4096];
	void	*f[FRAMES_MAX];
	int	 fd = log_fd(), n, nf;
	size_t	 o;

	armed = false;
	if (fd != -1) {
		nf = backtrace(f, FRAMES_MAX);
		n = snprintf(line, sizeof(line), "crash pid=%ld n=%ld sig=%d "
		    "at=", (long)getpid(), fail_at, sig);
		if (n > 0 && (size_t)n < sizeof(line)) {
			o = (size_t)n + put_frames(line + n,
			    sizeof(line) - (size_t)n - 1, f, nf);
			line[o++] = '\n';
			(void)!write(fd, line, o);
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* --- the request boundaries ---------------------------------------------- */

int
FCGX_Accept_r(FCGX_Request *req)
{
	const char	*v;
	char		*end;
	int		 rc;

	armed = false;
	if (real_accept == NULL || fcgi_getparam == NULL)
		return -1;
	if ((rc = real_accept(req)) < 0)
		return rc;
	if ((v = fcgi_getparam("ALLOCFAIL", req->envp)) == NULL)
		return rc;
	fail_at = strtol(v, &end, 10);
	if (*end != '\0' || fail_at < 0)
		fail_at = 0;
	if ((v = fcgi_getparam("ALLOCFAIL_WARP", req->envp)) != NULL)
		warp += (time_t)strtol(v, NULL, 10);
	tracing = fcgi_getparam("ALLOCFAIL_TRACE", req->envp) != NULL;
	if (tracing && stacks == NULL &&
	    ((stacks = __libc_calloc(TRACK_SLOTS, sizeof(*stacks))) == NULL ||
	    (depths = __libc_calloc(TRACK_SLOTS, sizeof(*depths))) == NULL))
		tracing = false;
	count = 0;
	failed = false;
	nframes = 0;
	memset(track, 0, sizeof(track));
	live = 0;
	overflow = false;
	armed = true;
	return rc;
}

void
FCGX_Finish_r(FCGX_Request *req)
{
	if (armed) {
		armed = false;
		record(req);
	}
	if (real_finish != NULL)
		real_finish(req);
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int	 rc;

	if (real_clock_gettime == NULL) {
		errno = ENOSYS;
		return -1;
	}
	rc = real_clock_gettime(id, ts);
	if (rc == 0 && (id == CLOCK_MONOTONIC || id == CLOCK_MONOTONIC_RAW ||
	    id == CLOCK_MONOTONIC_COARSE || id == CLOCK_BOOTTIME))
		ts->tv_sec += warp;
	return rc;
}

__attribute__((constructor))
static void
init(void)
{
	void	*f[2];

	/* dlsym and the first backtrace() allocate: do them now. */
	real_accept = (int (*)(FCGX_Request *))dlsym(RTLD_NEXT,
	    "FCGX_Accept_r");
	real_finish = (void (*)(FCGX_Request *))dlsym(RTLD_NEXT,
	    "FCGX_Finish_r");
	fcgi_getparam = (char *(*)(const char *, FCGX_ParamArray))dlsym(
	    RTLD_DEFAULT, "FCGX_GetParam");
	fcgi_puts = (int (*)(const char *, FCGX_Stream *))dlsym(RTLD_DEFAULT,
	    "FCGX_PutS");
	real_clock_gettime = (int (*)(clockid_t, struct timespec *))dlsym(
	    RTLD_NEXT, "clock_gettime");
	(void)backtrace(f, 2);
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGABRT, on_crash);
	signal(SIGFPE, on_crash);
	signal(SIGILL, on_crash);
}
