/* SPDX-License-Identifier: MIT */
#ifndef FSRACE_UTF8_H
#define FSRACE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the valid UTF-8 sequence at P (2-4), of at most AVAIL bytes,
 * or 0 if it is not one: no overlong forms, no surrogates, nothing above
 * U+10FFFF (RFC 3629). A NUL ends a sequence early.
 */
static inline int utf8_len_within(const unsigned char *p, size_t avail)
{
	int n;
	uint32_t cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (avail < (size_t)n)
		return 0;
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * The same at P, which is NUL-terminated or has 4 readable bytes. The
 * trace writer writes such sequences as they are and escapes any other
 * byte; the reader needs the same test to read them back.
 */
static inline int utf8_len(const unsigned char *p)
{
	return utf8_len_within(p, 4);
}

#endif
