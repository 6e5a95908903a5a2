/* SPDX-License-Identifier: Apache-2.0
 *
 * re2_check.h - does a string compile as a regular expression the way
 * Go's regexp.Compile reads it (RE2 syntax with Perl's extensions)? The
 * C face of libre2, for the rules that check expressions the operator
 * compiles with Go. Syntax only: it matches nothing and keeps nothing.
 */
#ifndef RFG_RE2_CHECK_H
#define RFG_RE2_CHECK_H

#include <stddef.h>

#include "diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Check `pattern` (NUL-terminated UTF-8, borrowed). Returns RFG_OK when
 * Go would compile it; RFG_EINVAL when it would not, with the reason in
 * RE2's words ("missing ): ^app(") in `err`; RFG_ENOMEM when memory ran
 * out. `err` (caller storage, may be NULL when errlen is 0) always ends
 * in a NUL and is truncated to errlen - 1 bytes; it is "" unless
 * RFG_EINVAL. Thread-safe. */
int re2_check(const char *pattern, char *err, size_t errlen) RFG_MUST_CHECK;

#ifdef __cplusplus
}
#endif

#endif
