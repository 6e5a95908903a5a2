/* SPDX-License-Identifier: Apache-2.0
 *
 * review_scan.h - internal to the webhook: one strict pass over the bytes
 * of an AdmissionReview body, so that review_decode.c can check UTF-8,
 * NUL characters and array sizes without a walk of its own, and leave
 * out of what cJSON parses the members no rule and no response reads:
 * metadata.managedFields of request.object and request.oldObject, and
 * request.resource, subResource, requestKind, requestResource,
 * requestSubResource and options. Not an API:
 * nothing outside src/webhook includes it.
 */
#ifndef RFG_REVIEW_SCAN_H
#define RFG_REVIEW_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Members left out at most; with more (duplicate keys) the body is
 * decoded the plain way. */
#define REVIEW_SCAN_MAX_CUTS 16

/* What the pass found (valid once review_prescan returned true). */
struct review_scan {
    const unsigned char *s;
    size_t n, i;
    unsigned depth;
    size_t nul;                 /* first \u0000 escape, or n */
    size_t cut[REVIEW_SCAN_MAX_CUTS][2];   /* [from, to) to leave out */
    size_t ncut;
};

/* Offset of the first byte of `s` (n bytes) that is not well-formed
 * UTF-8 (RFC 3629: no overlong forms, surrogates or code points past
 * U+10FFFF), or n if all of it is. JSON must be UTF-8 (RFC 8259), and
 * what the webhook echoes (uid, names) must stay valid in its answer. */
size_t review_utf8_bad_at(const unsigned char *s, size_t n);

/* One strict pass over the body: true when it is one JSON value (RFC
 * 8259, within the limits above) in well-formed UTF-8 with no array over
 * REVIEW_MAX_ITEMS items, so cJSON parses it, the body and what is left
 * of it once the cuts are made, to the same tree but for the cuts.
 * sc->nul is then where nul_at() would point. */
bool review_prescan(struct review_scan *sc, const char *body, size_t len);

#endif
