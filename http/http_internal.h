/* SPDX-License-Identifier: MIT */
/*
 * http_internal.h - character helpers the http/ files share (not part of
 * the module's interface).
 */
#ifndef BTFGEN_HTTP_INTERNAL_H
#define BTFGEN_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* Is @c a tchar (RFC 9110 5.6.2: the bytes of a token)? */
bool http_tchar(unsigned char c);
/* Is @s[0..@n) the lower-case @lit, ignoring ASCII case? */
bool http_ieq(const char *s, size_t n, const char *lit);

#endif /* BTFGEN_HTTP_INTERNAL_H */
