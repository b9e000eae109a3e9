/*
 * mem: noticing the allocations that fail inside the libraries.
 *
 * OpenSSL and jansson report a failed allocation only most of the time.
 * OpenSSL's decoders answer NULL alike for input that does not parse
 * and for want of memory, and EVP_PKEY_eq() answers "not equal"; jansson
 * 2.14 goes on with a byte or an object key missing (json.h).  A worker
 * that took such an answer at its word would drop its signing key as
 * broken, or hand out a different document.  So both libraries allocate
 * through counting wrappers here, and a caller compares mem_failures()
 * before and after a step to know whether anything in it ran short.
 */
#ifndef BERTH_MEM_H
#define BERTH_MEM_H

#include <stdbool.h>

/*
 * Route OpenSSL's and jansson's allocations through the counting
 * wrappers.  OpenSSL takes them only before its first allocation, so
 * this comes first in a program; false when OpenSSL refused (jansson's
 * are set regardless).  Without it the count stays 0.
 */
bool		 mem_init(void);

/* How many allocations of the libraries have failed so far. */
unsigned long	 mem_failures(void);

#endif
