/* SPDX-License-Identifier: Apache-2.0
 *
 * test_ydoc_each.c - unit tests for ydoc_load_each, the loader that hands
 * each document over as soon as it is complete: the documents, trees,
 * positions and helm sources are those ydoc_load keeps; the ones before
 * a parse error are handed over, with the same diagnostic; a callback's
 * non-zero return stops the load; a callback may take a tree. Through
 * the public API only (ydoc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ydoc.h"

/* What the callback saw: a copy of each document's tree, its start,
 * its source, and the position of every node in pre-order. */
#define MAX_DOCS 8
#define MAX_NODES 256

struct seen_doc {
    cJSON *root;           /* owned copy (or the tree itself, taken) */
    struct src_pos start;
    char source[64];
    struct src_pos pos[MAX_NODES];
    size_t npos;
};

struct seen {
    struct seen_doc d[MAX_DOCS];
    size_t n;
    size_t stop_at;        /* return RFG_ENOMEM at this document; 0: never */
    int take;              /* take the tree instead of copying it */
};

static void positions(const struct posmap *pm, const cJSON *n,
                      struct src_pos *out, size_t *len)
{
    const cJSON *c;

    if (*len < MAX_NODES)
        out[(*len)++] = posmap_get(pm, n);
    for (c = n->child; c; c = c->next)
        positions(pm, c, out, len);
}

static int on_doc(void *arg, struct ydoc *doc)
{
    struct seen *s = arg;
    struct seen_doc *d;

    if (s->n == MAX_DOCS)
        return RFG_ELIMIT;
    if (s->stop_at && s->n + 1 == s->stop_at)
        return RFG_ENOMEM;
    d = &s->d[s->n++];
    memset(d, 0, sizeof(*d));
    positions(doc->pm, doc->root, d->pos, &d->npos);
    if (s->take) {
        d->root = doc->root;
        doc->root = NULL;
    } else {
        d->root = cJSON_Duplicate(doc->root, 1);
    }
    d->start = doc->start;
    snprintf(d->source, sizeof(d->source), "%s",
             doc->source ? doc->source : "");
    return RFG_OK;
}

static void seen_free(struct seen *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        cJSON_Delete(s->d[i].root);
    s->n = 0;
}

/* ydoc_load and ydoc_load_each agree on `yaml`: the same return, the
 * same documents and positions, the same diagnostics. */
static void agree(const char *yaml, int take, int want_rc, size_t want_docs)
{
    struct ydoc_stream ys;
    struct diag_list d1, d2;
    struct seen s;
    size_t i, k;
    int rc1, rc2;

    memset(&ys, 0, sizeof(ys));
    memset(&s, 0, sizeof(s));
    s.take = take;
    diag_list_init(&d1, "t.yaml");
    diag_list_init(&d2, "t.yaml");
    rc1 = ydoc_load(&ys, yaml, strlen(yaml), NULL, &d1);
    rc2 = ydoc_load_each(yaml, strlen(yaml), NULL, &d2, on_doc, &s);
    CHECK_INT_EQ(rc1, want_rc);
    CHECK_INT_EQ(rc2, want_rc);
    CHECK_INT_EQ(ys.len, want_docs);
    CHECK_INT_EQ(s.n, want_docs);
    CHECK_INT_EQ(d1.len, d2.len);
    for (i = 0; i < d1.len && i < d2.len; i++) {
        CHECK_STR_EQ(d1.v[i].msg, d2.v[i].msg);
        CHECK_INT_EQ(d1.v[i].pos.line, d2.v[i].pos.line);
        CHECK_INT_EQ(d1.v[i].pos.col, d2.v[i].pos.col);
    }
    for (i = 0; i < ys.len && i < s.n; i++) {
        struct src_pos p[MAX_NODES];
        size_t np = 0;

        CHECK(cJSON_Compare(ys.docs[i].root, s.d[i].root, 1));
        CHECK_INT_EQ(ys.docs[i].start.line, s.d[i].start.line);
        CHECK_INT_EQ(ys.docs[i].start.col, s.d[i].start.col);
        CHECK_STR_EQ(ys.docs[i].source ? ys.docs[i].source : "",
                     s.d[i].source);
        positions(ys.docs[i].pm, ys.docs[i].root, p, &np);
        CHECK_INT_EQ(np, s.d[i].npos);
        for (k = 0; k < np && k < s.d[i].npos; k++) {
            CHECK_INT_EQ(p[k].line, s.d[i].pos[k].line);
            CHECK_INT_EQ(p[k].col, s.d[i].pos[k].col);
        }
    }
    ydoc_stream_cleanup(&ys);
    seen_free(&s);
    diag_list_cleanup(&d1);
    diag_list_cleanup(&d2);
}

static const char *const stream =
    "# Source: chart/templates/a.yaml\n"
    "a: &x {b: 1, c: [yes, 0x1f, ~]}\n"
    "d: *x\n"
    "e:\n"
    "  <<: *x\n"
    "  b: 2\n"
    "---\n"
    "# only a comment\n"
    "---\n"
    "- one\n"
    "- {two: 2}\n"
    "---\n"
    "# Source: chart/templates/b.yaml\n"
    "kind: List\n"
    "items:\n"
    "- kind: X\n"
    "  metadata: {name: n}\n";

static void test_ydoc_each__same_documents(void)
{
    agree(stream, 0, RFG_OK, 3);
    agree(stream, 1, RFG_OK, 3);
    agree("{\"a\": 1}\n{\"b\": [2]}\n[3]\n", 0, RFG_OK, 3);
    agree("", 0, RFG_OK, 0);
}

static void test_ydoc_each__parse_error(void)
{
    /* the complete documents before the error, then its diagnostic */
    agree("a: 1\n---\nb: 2\n---\nc: [\n", 0, RFG_EPARSE, 2);
    agree("a: 1\n---\nb: {c: 1, c: 2}\n", 0, RFG_EPARSE, 1);
}

static void test_ydoc_each__stop(void)
{
    struct diag_list dl;
    struct seen s;
    int rc;

    memset(&s, 0, sizeof(s));
    s.stop_at = 2;
    diag_list_init(&dl, "t.yaml");
    rc = ydoc_load_each(stream, strlen(stream), NULL, &dl, on_doc, &s);
    CHECK_INT_EQ(rc, RFG_ENOMEM);
    CHECK_INT_EQ(s.n, 1);
    CHECK_INT_EQ(dl.len, 0);
    seen_free(&s);
    diag_list_cleanup(&dl);
}

int main(void)
{
    RUN(test_ydoc_each__same_documents);
    RUN(test_ydoc_each__parse_error);
    RUN(test_ydoc_each__stop);
    return CHECK_DONE();
}
