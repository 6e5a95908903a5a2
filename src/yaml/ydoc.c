/* SPDX-License-Identifier: Apache-2.0
 *
 * ydoc.c - load YAML streams into cJSON trees with the position of every
 * node (posmap). It drives libyaml's event parser directly (not its
 * document loader), so a tree is built in one pass with no intermediate
 * node graph: this file handles the stream (documents, kept or handed
 * to a callback one at a time as each is complete, JSON values one
 * after another, the "\n" kubectl adds to a last line, the "# Source:"
 * comment helm writes, parser errors) and the budgets of struct
 * ydoc_limits, checked as the events arrive so hostile input (alias
 * bombs, deep nesting, huge scalars) is refused early; ytree.c builds
 * each document's tree, scalar.c resolves scalars like kubectl (go-yaml
 * v2, YAML 1.1), keys.c spells mapping keys, posmap.c records positions
 * and emit.c writes YAML back out. It knows YAML, not Kubernetes: it
 * never looks at kind or apiVersion.
 */
#include "ydoc_impl.h"

#include <stdlib.h>
#include <string.h>

/* Drop everything the current document holds. */
static void doc_reset(struct yloader *L)
{
    size_t i;

    cJSON_Delete(L->root);
    L->root = NULL;
    if (L->pm)
        posmap_clear(L->pm);
    cJSON_Delete(L->grave);
    L->grave = NULL;
    free(L->source);
    L->source = NULL;
    for (i = 0; i < L->depth; i++)
        free(L->st[i].anchor);
    L->depth = 0;
    L->nmerge = 0;
    L->nnodes = L->nalias = 0;
    ktab_clear(&L->keys);
    ktab_clear(&L->merged);
    ktab_clear(&L->anchors);
    L->in_doc = false;
}

/* If the raw bytes [from, to) hold a line "# Source: x", remember x (the
 * last such line wins). helm template writes it right after "---". */
static int scan_source(struct yloader *L, size_t from_idx, size_t to_idx)
{
    const char *p, *end, *nl, *v, *ve;
    static const char tag[] = "# Source: ";
    const size_t tn = sizeof(tag) - 1;

    size_t from = ytext_byte(&L->text, from_idx);
    size_t to = ytext_byte(&L->text, to_idx);

    if (from >= to)
        return RFG_OK;
    p = L->text.buf + from;
    end = L->text.buf + to;
    /* Start at a line boundary: `from` may fall mid-line. */
    if (from > L->text.bom && p[-1] != '\n') {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return RFG_OK;
        p = nl + 1;
    }
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        ve = nl ? nl : end;
        if ((size_t)(ve - p) > tn && memcmp(p, tag, tn) == 0) {
            v = p + tn;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' ||
                              ve[-1] == '\t'))
                ve--;
            if (ve > v) {
                char *s = malloc((size_t)(ve - v) + 1);

                if (!s)
                    return RFG_ENOMEM;
                memcpy(s, v, (size_t)(ve - v));
                s[ve - v] = '\0';
                free(L->source);
                L->source = s;
            }
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return RFG_OK;
}

/* Hand the finished document to L->each: its positions are the
 * loader's own, kept for the next document, so nothing is copied. */
static int doc_hand(struct yloader *L)
{
    struct ydoc d = {L->root, L->pm, L->start, L->source};
    int rc;

    L->root = NULL;
    L->source = NULL;
    /* nothing of this document outlives the call: fn may drop its
     * memory (an arena) */
    cJSON_Delete(L->grave);
    L->grave = NULL;
    rc = L->each(L->each_arg, &d);
    cJSON_Delete(d.root);
    free(d.source);
    return rc;
}

/* Move the finished document into the stream, or hand it to L->each
 * (or drop it if empty). */
static int doc_finish(struct yloader *L, struct ydoc_stream *out,
                      const yaml_event_t *ev)
{
    struct ydoc *d;
    int rc;

    L->prev_end = ev->end_mark.index;
    /* "---" with nothing after it gives an empty plain scalar: a null
     * root. kubectl skips null documents, and so do we. */
    if (L->root && !cJSON_IsNull(L->root) && L->each) {
        rc = doc_hand(L);
        doc_reset(L);
        return rc;
    }
    if (L->root && !cJSON_IsNull(L->root)) {
        struct posmap *pm;

        if (out->len == out->cap) {
            size_t ncap = out->cap ? out->cap * 2 : 4;
            struct ydoc *nv = realloc(out->docs, ncap * sizeof(*nv));

            if (!nv)
                return diag_fail(L->dl, RFG_ENOMEM, &L->start,
                                 "out of memory");
            out->docs = nv;
            out->cap = ncap;
        }
        pm = posmap_take(L->pm);
        if (!pm)
            return diag_fail(L->dl, RFG_ENOMEM, &L->start,
                             "out of memory");
        d = &out->docs[out->len++];
        d->root = L->root;
        d->pm = pm;
        d->start = L->start;
        d->source = L->source;
        L->root = NULL;
        L->source = NULL;
    }
    doc_reset(L);
    return RFG_OK;
}

/* Checks made for every event inside a document. */
static int doc_budget(struct yloader *L, const yaml_event_t *ev)
{
    if (ev->end_mark.index > L->start_index &&
        ev->end_mark.index - L->start_index > L->lim->max_doc_bytes)
        return diag_fail(L->dl, RFG_ELIMIT, &L->start,
                         "document is larger than max_doc_bytes (%zu)",
                         L->lim->max_doc_bytes);
    return RFG_OK;
}

/* A scalar event; a !!binary one is decoded first, as kubectl decodes
 * it, and the loader sees the decoded text. */
static int scalar_event(struct yloader *L, const yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    struct src_pos pos = ymark_pos(ev->start_mark);
    yaml_event_t copy;
    char *bin;
    size_t n;
    int rc;

    if (!tag || strcmp(tag, TAG_PREFIX "binary") != 0 ||
        ev->data.scalar.length > L->lim->max_scalar_bytes)
        return ytree_scalar(L, ev);
    rc = yscalar_binary((const char *)ev->data.scalar.value,
                        ev->data.scalar.length, &bin, &n);
    if (rc == RFG_EPARSE)
        return diag_fail(L->dl, rc, &pos,
                         "!!binary value contains invalid base64 data");
    if (rc)
        return diag_fail(L->dl, rc, &pos, "out of memory");
    copy = *ev;
    copy.data.scalar.value = (yaml_char_t *)bin;
    copy.data.scalar.length = n;
    rc = ytree_scalar(L, &copy);
    free(bin);
    return rc;
}

/* Dispatch one parser event. */
static int on_event(struct yloader *L, struct ydoc_stream *out,
                    const yaml_event_t *ev)
{
    struct src_pos pos = ymark_pos(ev->start_mark);
    int rc;

    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        doc_reset(L);
        L->start = pos;
        L->start_index = ev->start_mark.index;
        if (++L->ndocs > L->lim->max_docs)
            return diag_fail(L->dl, RFG_ELIMIT, &pos,
                             "more than max_docs (%zu) documents",
                             L->lim->max_docs);
        if (!L->pm && !(L->pm = posmap_new()))
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        L->in_doc = true;
        L->scanned = false;
        return RFG_OK;
    case YAML_DOCUMENT_END_EVENT:
        rc = doc_budget(L, ev);
        if (rc)
            return rc;
        return doc_finish(L, out, ev);
    case YAML_SCALAR_EVENT:
    case YAML_ALIAS_EVENT:
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (!L->in_doc)
            return RFG_OK;
        rc = doc_budget(L, ev);
        if (!rc)
            rc = ytree_count_node(L, pos);
        if (rc)
            return rc;
        if (!L->scanned) {
            L->scanned = true;
            if (scan_source(L, L->prev_end, ev->start_mark.index))
                return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        }
        if (ev->type == YAML_SCALAR_EVENT)
            return scalar_event(L, ev);
        if (ev->type == YAML_ALIAS_EVENT)
            return ytree_alias(L, ev);
        return ytree_open(L, ev, ev->type == YAML_MAPPING_START_EVENT);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (!L->in_doc)
            return RFG_OK;
        rc = doc_budget(L, ev);
        if (rc)
            return rc;
        return ytree_close(L, ev);
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_NO_EVENT:
    default:
        return RFG_OK;
    }
}

/* Turn a libyaml parser failure into one diagnostic. */
static int parser_fail(struct yloader *L, const yaml_parser_t *p)
{
    struct src_pos pos;
    const char *problem = p->problem ? p->problem : "invalid YAML";

    if (p->error == YAML_MEMORY_ERROR)
        return diag_fail(L->dl, RFG_ENOMEM, NULL,
                         "out of memory while parsing YAML");
    if (p->error == YAML_READER_ERROR) {
        pos = ytext_pos(&L->text, p->problem_offset);
        /* libyaml gives the octet for malformed UTF-8, the code point
         * for a character YAML forbids (a surrogate, U+FFFE ...). */
        if (p->problem_value > 0xFF)
            return diag_fail(L->dl, RFG_EPARSE, &pos, "%s (U+%04X)",
                             problem, (unsigned)p->problem_value);
        if (p->problem_value >= 0)
            return diag_fail(L->dl, RFG_EPARSE, &pos, "%s (byte 0x%02x)",
                             problem, (unsigned)p->problem_value);
        return diag_fail(L->dl, RFG_EPARSE, &pos, "%s", problem);
    }
    pos = ymark_pos(p->problem_mark);
    if (p->context)
        return diag_fail(L->dl, RFG_EPARSE, &pos, "%s %s", problem,
                         p->context);
    return diag_fail(L->dl, RFG_EPARSE, &pos, "%s", problem);
}

void ydoc_limits_default(struct ydoc_limits *lim)
{
    lim->max_depth = 100;
    lim->max_alias_nodes = 10000;
    lim->max_scalar_bytes = (size_t)1 << 20;
    lim->max_doc_bytes = (size_t)8 << 20;
    lim->max_input_bytes = (size_t)64 << 20;
    lim->max_docs = 100000;
    lim->max_nodes = 1000000;
}

/* What libyaml reads: one segment of the input, and the "\n" kubectl
 * gives a last line that has none (its reader ends every line with one):
 * a block scalar ending the file keeps its line break. */
struct yinput {
    const char *p;
    size_t len, pos;
    bool nl;                /* a "\n" still to add after the segment */
};

static int read_input(void *data, unsigned char *buffer, size_t size,
                      size_t *size_read)
{
    struct yinput *in = data;
    size_t n = in->len - in->pos;

    if (n > size)
        n = size;
    memcpy(buffer, in->p + in->pos, n);
    in->pos += n;
    if (n < size && in->nl) {
        buffer[n++] = '\n';
        in->nl = false;
    }
    *size_read = n;
    return 1;
}

/* First byte at or after `i` that is not JSON whitespace. */
static size_t skip_ws(const char *buf, size_t len, size_t i)
{
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
                       buf[i] == '\r'))
        i++;
    return i;
}

/* Where the segment that starts at `i` ends. JSON text (the first
 * character is "{") may hold several values one after another, as
 * `jq -c '.items[]'` writes them: kubectl reads each, so each
 * object or array followed by another is a segment of its own. Anything
 * else runs to the end of the input, and libyaml judges it. */
static size_t segment_end(const char *buf, size_t len, size_t i, bool json)
{
    size_t depth = 0, j;
    char quote = 0;         /* inside a string: its quote character */

    if (!json || i >= len || (buf[i] != '{' && buf[i] != '['))
        return len;
    for (j = i; j < len; j++) {
        char c = buf[j];

        /* JSON has no '...' strings; a YAML flow mapping may, and a "}"
         * inside one must not end the segment. */
        if (quote) {
            if (c == '\\' && quote == '"')
                j++;
            else if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            j = skip_ws(buf, len, j + 1);
            return j < len && (buf[j] == '{' || buf[j] == '[') ? j : len;
        }
    }
    return len;
}

/* Make a mark of the segment that starts at mark `base` a mark of the
 * whole input. */
static void mark_shift(yaml_mark_t *m, const yaml_mark_t *base)
{
    if (m->line == 0)
        m->column += base->column;
    m->line += base->line;
    m->index += base->index;
}

/* The mark of byte `off` (a segment start): characters after the BOM,
 * line and column as libyaml counts them. */
static yaml_mark_t mark_at(const struct ytext *t, size_t off)
{
    yaml_mark_t m = {0, 0, 0};
    size_t i;

    for (i = t->bom; i < off; i++) {
        unsigned char c = (unsigned char)t->buf[i];

        if ((c & 0xC0) == 0x80)
            continue;       /* a UTF-8 continuation byte */
        m.index++;
        m.column++;
        if (c == '\n') {
            m.line++;
            m.column = 0;
        }
    }
    return m;
}

static int load(struct ydoc_stream *out, const char *buf, size_t len,
                const struct ydoc_limits *lim, struct diag_list *dl,
                ydoc_each_fn each, void *each_arg)
{
    struct ydoc_limits deflim;
    struct yloader L;
    struct yinput in;
    yaml_parser_t parser;
    yaml_event_t ev;
    yaml_mark_t base;
    bool have_ev = false, have_parser = false, done = false, json;
    size_t seg = 0, seg_end;
    int rc;

    if (!lim) {
        ydoc_limits_default(&deflim);
        lim = &deflim;
    }
    if (len > lim->max_input_bytes)
        return diag_fail(dl, RFG_ELIMIT, NULL,
                         "input of %zu bytes exceeds max_input_bytes (%zu)",
                         len, lim->max_input_bytes);
    if (!buf)
        buf = "";
    memset(&L, 0, sizeof(L));
    L.lim = lim;
    L.dl = dl;
    L.each = each;
    L.each_arg = each_arg;
    ytext_init(&L.text, buf, len);
    L.anchors.owns_keys = true;
    L.merged.owns_keys = true;
    seg = skip_ws(buf, len, L.text.bom);
    json = seg < len && buf[seg] == '{';
    seg = json ? seg : 0;
    base = mark_at(&L.text, seg);
    for (;;) {
        seg_end = segment_end(buf, len, seg, json);
        if (!yaml_parser_initialize(&parser)) {
            rc = diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
            goto out;
        }
        have_parser = true;
        in.p = buf + seg;
        in.len = seg_end - seg;
        in.pos = 0;
        in.nl = seg_end == len && len > 0 && buf[len - 1] != '\n';
        yaml_parser_set_input(&parser, read_input, &in);
        done = false;
        while (!done) {
            if (!yaml_parser_parse(&parser, &ev)) {
                mark_shift(&parser.problem_mark, &base);
                parser.problem_offset += seg;
                rc = parser_fail(&L, &parser);
                goto out;
            }
            have_ev = true;
            if (seg) {      /* the first segment's marks are the input's */
                mark_shift(&ev.start_mark, &base);
                mark_shift(&ev.end_mark, &base);
            }
            done = ev.type == YAML_STREAM_END_EVENT;
            rc = on_event(&L, out, &ev);
            yaml_event_delete(&ev);
            have_ev = false;
            if (rc)
                goto out;
        }
        yaml_parser_delete(&parser);
        have_parser = false;
        if (seg_end >= len)
            break;
        seg = seg_end;
        base = mark_at(&L.text, seg);
    }
    rc = RFG_OK;
out:
    if (have_ev)
        yaml_event_delete(&ev);
    doc_reset(&L);
    posmap_free(L.pm);
    free(L.st);
    free(L.merges);
    free(L.kbuf);
    ktab_free(&L.keys);
    ktab_free(&L.merged);
    ktab_free(&L.anchors);
    if (have_parser)
        yaml_parser_delete(&parser);
    return rc;
}

int ydoc_load(struct ydoc_stream *out, const char *buf, size_t len,
              const struct ydoc_limits *lim, struct diag_list *dl)
{
    return load(out, buf, len, lim, dl, NULL, NULL);
}

int ydoc_load_each(const char *buf, size_t len,
                   const struct ydoc_limits *lim, struct diag_list *dl,
                   ydoc_each_fn fn, void *arg)
{
    return load(NULL, buf, len, lim, dl, fn, arg);
}

void ydoc_stream_cleanup(struct ydoc_stream *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->len; i++) {
        cJSON_Delete(s->docs[i].root);
        posmap_free(s->docs[i].pm);
        free(s->docs[i].source);
    }
    free(s->docs);
    s->docs = NULL;
    s->len = s->cap = 0;
}
