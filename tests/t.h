/*
 * t.h: the smallest test harness that will do.  Each check prints
 * "ok - what" or "not ok - what (file:line)"; tests/run counts the lines
 * of every test program and prints the final "N passed, N failed".
 * t_done() is the exit status: 0 only if nothing failed.
 */
#ifndef BERTH_T_H
#define BERTH_T_H

#include <stdio.h>
#include <string.h>

static int t_failed_;

#define T_OK(cond, ...) do {						\
	int t_c_ = (cond) ? 1 : 0;					\
	printf("%s - ", t_c_ ? "ok" : "not ok");			\
	printf(__VA_ARGS__);						\
	if (!t_c_) {							\
		printf(" (%s:%d: %s)", __FILE__, __LINE__, #cond);	\
		t_failed_++;						\
	}								\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

#define T_EQ_INT(a, b, ...) do {					\
	long long t_a_ = (long long)(a), t_b_ = (long long)(b);		\
	T_OK(t_a_ == t_b_, __VA_ARGS__);				\
	if (t_a_ != t_b_)						\
		printf("#   got %lld, want %lld\n", t_a_, t_b_);	\
} while (0)

#define T_EQ_STR(a, b, ...) do {					\
	const char *t_a_ = (a), *t_b_ = (b);				\
	int t_e_ = t_a_ != NULL && t_b_ != NULL &&			\
	    strcmp(t_a_, t_b_) == 0;					\
	T_OK(t_e_, __VA_ARGS__);					\
	if (!t_e_)							\
		printf("#   got \"%s\", want \"%s\"\n",			\
		    t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");	\
} while (0)

static inline int
t_done(void)
{
	return t_failed_ ? 1 : 0;
}

#endif
