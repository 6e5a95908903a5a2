/* SPDX-License-Identifier: Apache-2.0
 *
 * emit.c - write a cJSON tree as one block-style YAML document through
 * libyaml's emitter, quoting every string that would read back as
 * something else (scalar.c decides) and numbers so they read back as the
 * same double. It does not preserve anything of an input file: rewriting
 * YAML in place is yedit.c's job.
 */
#include "ydoc_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct emit_ctx {
    struct sbuf *out;
    int rc;                 /* first sbuf failure */
};

/* libyaml write handler: append to the sbuf. */
static int emit_write(void *data, unsigned char *buffer, size_t size)
{
    struct emit_ctx *ec = data;
    int rc = sbuf_add(ec->out, buffer, size);

    if (rc) {
        ec->rc = rc;
        return 0;
    }
    return 1;
}

/* Hand `ev` to the emitter (which always consumes it). */
static int emit_event(yaml_emitter_t *e, yaml_event_t *ev,
                      const struct emit_ctx *ec)
{
    if (yaml_emitter_emit(e, ev))
        return RFG_OK;
    if (ec->rc)
        return ec->rc;
    return e->error == YAML_MEMORY_ERROR ? RFG_ENOMEM : RFG_EINVAL;
}

/* Emit one scalar. Strings that would read back as something else are
 * double-quoted; multi-line strings prefer literal style. */
static int emit_scalar(yaml_emitter_t *e, const struct emit_ctx *ec,
                       const char *s, bool is_string)
{
    yaml_event_t ev;
    yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
    size_t n = strlen(s);
    struct yscalar v;

    if (n > INT32_MAX)
        return RFG_EINVAL;
    if (is_string) {
        yscalar_resolve_plain(s, n, &v);
        if (v.kind != SK_STR || strcmp(s, "<<") == 0)
            style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        else if (strchr(s, '\n'))
            style = YAML_LITERAL_SCALAR_STYLE;
    }
    if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
                                      (const yaml_char_t *)s, (int)n, 1, 1,
                                      style))
        return RFG_EINVAL;  /* not UTF-8, or out of memory */
    return emit_event(e, &ev, ec);
}

/* Emit a number so that it reads back as the same double. */
static int emit_number(yaml_emitter_t *e, const struct emit_ctx *ec,
                       double d)
{
    char tmp[64];

    if (!isfinite(d))
        return RFG_EINVAL;
    if (yscalar_is_int64(d)) {
        snprintf(tmp, sizeof(tmp), "%.0f", d);
    } else {
        snprintf(tmp, sizeof(tmp), "%.15g", d);
        if (strtod(tmp, NULL) != d)
            snprintf(tmp, sizeof(tmp), "%.17g", d);
    }
    return emit_scalar(e, ec, tmp, false);
}

/* Emit `node` and everything below it. */
static int emit_node(yaml_emitter_t *e, const struct emit_ctx *ec,
                     const cJSON *node)
{
    yaml_event_t ev;
    const cJSON *c;
    bool is_map = cJSON_IsObject(node);
    int rc;

    if (cJSON_IsString(node))
        return emit_scalar(e, ec, node->valuestring ? node->valuestring : "",
                           true);
    if (cJSON_IsNumber(node) && node->valuestring)
        return emit_scalar(e, ec, node->valuestring, false);  /* exact */
    if (cJSON_IsNumber(node))
        return emit_number(e, ec, node->valuedouble);
    if (cJSON_IsBool(node))
        return emit_scalar(e, ec, cJSON_IsTrue(node) ? "true" : "false",
                           false);
    if (!is_map && !cJSON_IsArray(node))
        return emit_scalar(e, ec, "null", false);
    if (is_map) {
        if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                node->child ? YAML_BLOCK_MAPPING_STYLE
                            : YAML_FLOW_MAPPING_STYLE))
            return RFG_ENOMEM;
    } else if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                   node->child ? YAML_BLOCK_SEQUENCE_STYLE
                               : YAML_FLOW_SEQUENCE_STYLE)) {
        return RFG_ENOMEM;
    }
    rc = emit_event(e, &ev, ec);
    if (rc)
        return rc;
    for (c = node->child; c; c = c->next) {
        if (is_map) {
            rc = emit_scalar(e, ec, c->string ? c->string : "", true);
            if (rc)
                return rc;
        }
        rc = emit_node(e, ec, c);
        if (rc)
            return rc;
    }
    if (is_map ? !yaml_mapping_end_event_initialize(&ev)
               : !yaml_sequence_end_event_initialize(&ev))
        return RFG_ENOMEM;
    return emit_event(e, &ev, ec);
}

int ydoc_emit(struct sbuf *out, const cJSON *root)
{
    yaml_emitter_t e;
    yaml_event_t ev;
    struct emit_ctx ec = {out, RFG_OK};
    size_t start = out->len;
    int rc;

    if (!yaml_emitter_initialize(&e))
        return RFG_ENOMEM;
    yaml_emitter_set_output(&e, emit_write, &ec);
    yaml_emitter_set_indent(&e, 2);
    yaml_emitter_set_width(&e, -1);
    yaml_emitter_set_unicode(&e, 1);
    rc = RFG_ENOMEM;
    if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING))
        goto out;
    rc = emit_event(&e, &ev, &ec);
    if (rc)
        goto out;
    rc = RFG_ENOMEM;
    if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1))
        goto out;
    rc = emit_event(&e, &ev, &ec);
    if (rc)
        goto out;
    rc = emit_node(&e, &ec, root);
    if (rc)
        goto out;
    rc = RFG_ENOMEM;
    if (!yaml_document_end_event_initialize(&ev, 1))
        goto out;
    rc = emit_event(&e, &ev, &ec);
    if (rc)
        goto out;
    rc = RFG_ENOMEM;
    if (!yaml_stream_end_event_initialize(&ev))
        goto out;
    rc = emit_event(&e, &ev, &ec);
    if (rc)
        goto out;
    if (!yaml_emitter_flush(&e)) {
        rc = ec.rc ? ec.rc : RFG_ENOMEM;
        goto out;
    }
    /* After a keep-chomped block scalar ("|+") libyaml closes the stream
     * with "...". The caller separates documents with "---", which ends
     * the scalar just as well, so drop it - only on a line of its own: a
     * plain scalar may end in "..." too ("- save 90..."). */
    if (out->len - start >= 4 &&
        memcmp(out->p + out->len - 4, "...\n", 4) == 0 &&
        (out->len - start == 4 || out->p[out->len - 5] == '\n')) {
        out->len -= 4;
        out->p[out->len] = '\0';
    }
out:
    yaml_emitter_delete(&e);
    return rc;
}
