/* SPDX-License-Identifier: Apache-2.0
 *
 * template.h - tell a Helm, Go, Jinja or ERB template from a plain
 * manifest, so lint and fix can say "render it first" instead of quoting
 * the YAML parser. A lexical scan of the text only: it knows YAML's
 * comments, quoted scalars and block scalars, not Kubernetes, and it never
 * renders or parses the template.
 */
#ifndef RFG_TEMPLATE_H
#define RFG_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* The first template token ("{{", "{%" or "<%") of `buf`, or false.
 * Tokens inside comments never count. With `loose` false (the text reads
 * as YAML), tokens inside quoted scalars and block scalars do not count
 * either: such a manifest holds template text as data. With `loose` true
 * (the text does not read as YAML), they do. On a hit, *pos is the
 * token's line and column and tok[0..2] the token. */
bool tmpl_find(const char *buf, size_t len, bool loose, struct src_pos *pos,
               char tok[3]);

#endif
