/*
 * hex: hexadecimal digits, for percent-escapes, imported hashes and
 * digests shown in logs.
 */
#ifndef BERTH_HEX_H
#define BERTH_HEX_H

#include <stddef.h>

/* The value of one hex digit (either case), or -1. */
int	hex_digit(int c);

/* Decode exactly 2 * len digits of hex into out; -1 on a non-digit. */
int	hex_decode(const char *hex, unsigned char *out, size_t len);

/* Encode len bytes as 2 * len lower-case digits plus a NUL into out. */
void	hex_encode(const unsigned char *in, size_t len, char *out);

#endif
