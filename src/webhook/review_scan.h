/* SPDX-License-Identifier: Apache-2.0
 *
 * review_scan.h - internal to the webhook: one strict pass over the bytes
 * of an AdmissionReview body that checks UTF-8, NUL characters and array
 * sizes and builds the cJSON tree, so that review_decode.c needs neither
 * walks of its own nor cJSON's parser for the bodies the API server
 * sends, and leaves out of the tree the members no rule and no response
 * reads:
 * metadata.managedFields of request.object and request.oldObject, and
 * request.resource, subResource, requestKind, requestResource,
 * requestSubResource and options. Not an API:
 * nothing outside src/webhook includes it.
 */
#ifndef RFG_REVIEW_SCAN_H
#define RFG_REVIEW_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* What the pass found (valid once review_prescan returned true). */
struct review_scan {
    const unsigned char *s;
    size_t n, i;
    unsigned depth;
    size_t nul;                 /* first \u0000 escape, or n */
    size_t nleft;               /* members left out */
    char dp;                    /* the locale's decimal point, once read */
};

/* Offset of the first byte of `s` (n bytes) that is not well-formed
 * UTF-8 (RFC 3629: no overlong forms, surrogates or code points past
 * U+10FFFF), or n if all of it is. JSON must be UTF-8 (RFC 8259), and
 * what the webhook echoes (uid, names) must stay valid in its answer. */
size_t review_utf8_bad_at(const unsigned char *s, size_t n);

/* One strict pass over the body: true when it is one JSON value (RFC
 * 8259, at most 128 levels deep, numbers of at most 40 characters, no
 * \u escape of a UTF-16 surrogate) in well-formed UTF-8 with no array
 * over REVIEW_MAX_ITEMS items. cJSON parses every such body, to the tree
 * the pass builds in *tree (when `tree` is not NULL; owned by the
 * caller, cJSON_Delete) but for the members left out. sc->nul is then
 * where the first \u0000 escape is (the body's length if none). False,
 * with nothing built, for any other body, or when out of memory. */
bool review_prescan(struct review_scan *sc, const char *body, size_t len,
                    cJSON **tree);

#endif
