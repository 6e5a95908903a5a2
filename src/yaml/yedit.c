/* SPDX-License-Identifier: Apache-2.0
 *
 * yedit.c - in-place YAML rewriting for `rfguard fix --write`. The text is
 * parsed once with libyaml into a tree of spans (byte offsets, columns,
 * block or flow style). A structural diff of the old and new values then
 * becomes a list of text edits: a changed scalar is replaced where it
 * stands, a new mapping key is inserted after the mapping's last line at
 * the mapping's indentation (or before the closing brace of a flow
 * mapping), a removed key loses exactly its own lines, a new sequence item
 * is appended. Everything else is left byte for byte. Anchors, aliases
 * and merge keys in the edited node are refused: an edit there could
 * change other nodes. A file whose first line ends in CRLF gets CRLF in
 * every line it gains too. The caller re-reads the result and compares it
 * with what it expected before writing anything.
 */
#include "yedit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "jpatch.h"
#include "ydoc_impl.h"

enum ynode_kind { YN_SCALAR, YN_MAP, YN_SEQ, YN_ALIAS };

struct ynode {
    enum ynode_kind kind;
    bool flow;
    bool tricky;           /* has an anchor or tag, is an alias, or
                              (mappings) holds a merge key */
    size_t start, end;     /* byte offsets of the node's text */
    size_t close;          /* flow collections: offset of '}' or ']' */
    size_t last;           /* byte offset just past the last scalar below */
    unsigned line, col;    /* 1-based start */
    size_t key_start;      /* mapping values: offset of their key */
    unsigned key_col;
    char *key;             /* owned: key text for mapping values */
    struct ynode **kids;   /* owned */
    size_t nkids, capkids;
};

struct edit {
    size_t at, end;        /* replace [at, end) */
    char *text;            /* owned */
    size_t seq;
};

struct yedit {
    const char *buf;
    size_t len;
    struct ytext text;     /* libyaml's char index -> byte offset */
    bool crlf;             /* the first line ends in CRLF: so do new ones */
    struct ynode **roots;  /* owned */
    size_t nroots, caproots;
    struct edit *edits;
    size_t nedits, capedits;
};

static void node_free(struct ynode *n)
{
    size_t i;

    if (!n)
        return;
    for (i = 0; i < n->nkids; i++)
        node_free(n->kids[i]);
    free(n->kids);
    free(n->key);
    free(n);
}

void yedit_free(struct yedit *ye)
{
    size_t i;

    if (!ye)
        return;
    for (i = 0; i < ye->nroots; i++)
        node_free(ye->roots[i]);
    for (i = 0; i < ye->nedits; i++)
        free(ye->edits[i].text);
    free(ye->edits);
    free(ye->roots);
    free(ye);
}

static int add_kid(struct ynode *p, struct ynode *k)
{
    if (p->nkids == p->capkids) {
        size_t ncap = p->capkids ? p->capkids * 2 : 8;
        struct ynode **nv = realloc(p->kids, ncap * sizeof(*nv));

        if (!nv)
            return RFG_ENOMEM;
        p->kids = nv;
        p->capkids = ncap;
    }
    p->kids[p->nkids++] = k;
    return RFG_OK;
}

struct frame {
    struct ynode *node;
    bool want_key;         /* mappings: the next scalar is a key */
    char *pending_key;     /* owned */
    size_t pending_start;
    unsigned pending_col;
};

#define MAX_DEPTH 200

/* Attach a finished node to its parent frame (or to the roots). */
static int attach(struct yedit *ye, struct frame *st, size_t depth,
                  struct ynode *n)
{
    struct frame *f;

    if (depth == 0) {
        if (ye->nroots == ye->caproots) {
            size_t ncap = ye->caproots ? ye->caproots * 2 : 8;
            struct ynode **nv = realloc(ye->roots, ncap * sizeof(*nv));

            if (!nv)
                return RFG_ENOMEM;
            ye->roots = nv;
            ye->caproots = ncap;
        }
        ye->roots[ye->nroots++] = n;
        return RFG_OK;
    }
    f = &st[depth - 1];
    if (f->node->kind == YN_MAP) {
        n->key = f->pending_key;
        n->key_start = f->pending_start;
        n->key_col = f->pending_col;
        f->pending_key = NULL;
        f->want_key = true;
        if (n->key && !strcmp(n->key, "<<"))
            f->node->tricky = true;
    }
    if (n->last > f->node->last)
        f->node->last = n->last;
    return add_kid(f->node, n);
}

static struct ynode *new_node(struct yedit *ye, enum ynode_kind k,
                              const yaml_event_t *ev)
{
    struct ynode *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->kind = k;
    n->start = ytext_byte(&ye->text, ev->start_mark.index);
    n->end = ytext_byte(&ye->text, ev->end_mark.index);
    n->line = (unsigned)ev->start_mark.line + 1;
    n->col = (unsigned)ev->start_mark.column + 1;
    return n;
}

int yedit_new(struct yedit **out, const char *buf, size_t len,
              struct diag_list *dl)
{
    struct yedit *ye = calloc(1, sizeof(*ye));
    yaml_parser_t parser;
    yaml_event_t ev;
    struct frame st[MAX_DEPTH];
    size_t depth = 0, i;
    int rc = RFG_OK;
    bool done = false;

    *out = NULL;
    if (!ye)
        return RFG_ENOMEM;
    ye->buf = buf;
    ye->len = len;
    {
        const char *nl = memchr(buf, '\n', len);

        ye->crlf = nl && nl > buf && nl[-1] == '\r';
    }
    ytext_init(&ye->text, buf, len);
    memset(st, 0, sizeof(st));
    if (!yaml_parser_initialize(&parser)) {
        yedit_free(ye);
        return RFG_ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    while (!done && !rc) {
        struct ynode *n = NULL;

        if (!yaml_parser_parse(&parser, &ev)) {
            struct src_pos p = {(unsigned)parser.problem_mark.line + 1,
                                (unsigned)parser.problem_mark.column + 1};

            rc = diag_fail(dl, RFG_EPARSE, &p, "%s",
                           parser.problem ? parser.problem : "parse error");
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_SCALAR_EVENT:
            if (depth && st[depth - 1].node->kind == YN_MAP &&
                st[depth - 1].want_key) {
                struct frame *f = &st[depth - 1];

                f->pending_key = strndup((const char *)ev.data.scalar.value,
                                         ev.data.scalar.length);
                if (!f->pending_key) {
                    rc = RFG_ENOMEM;
                    break;
                }
                f->pending_start = ytext_byte(&ye->text, ev.start_mark.index);
                f->pending_col = (unsigned)ev.start_mark.column + 1;
                f->want_key = false;
                if (ev.data.scalar.anchor || ev.data.scalar.tag)
                    f->node->tricky = true;
                break;
            }
            n = new_node(ye, YN_SCALAR, &ev);
            if (!n) {
                rc = RFG_ENOMEM;
                break;
            }
            n->last = n->end;
            n->tricky = ev.data.scalar.anchor || (ev.data.scalar.tag &&
                                                  !ev.data.scalar
                                                       .plain_implicit &&
                                                  !ev.data.scalar
                                                       .quoted_implicit);
            rc = attach(ye, st, depth, n);
            if (rc)
                node_free(n);
            break;
        case YAML_ALIAS_EVENT:
            n = new_node(ye, YN_ALIAS, &ev);
            if (!n) {
                rc = RFG_ENOMEM;
                break;
            }
            n->tricky = true;
            n->last = n->end;
            if (depth && st[depth - 1].node->kind == YN_MAP &&
                st[depth - 1].want_key) {
                node_free(n); /* an alias as key: mark and move on */
                st[depth - 1].node->tricky = true;
                st[depth - 1].pending_key = strdup("*");
                st[depth - 1].want_key = false;
                break;
            }
            rc = attach(ye, st, depth, n);
            if (rc)
                node_free(n);
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (depth >= MAX_DEPTH) {
                struct src_pos p = {(unsigned)ev.start_mark.line + 1,
                                    (unsigned)ev.start_mark.column + 1};

                rc = diag_fail(dl, RFG_ELIMIT, &p, "nesting deeper than %d",
                               MAX_DEPTH);
                break;
            }
            n = new_node(ye, ev.type == YAML_MAPPING_START_EVENT ? YN_MAP
                                                                 : YN_SEQ,
                         &ev);
            if (!n) {
                rc = RFG_ENOMEM;
                break;
            }
            if (ev.type == YAML_MAPPING_START_EVENT) {
                n->flow = ev.data.mapping_start.style ==
                          YAML_FLOW_MAPPING_STYLE;
                n->tricky = ev.data.mapping_start.anchor != NULL;
            } else {
                n->flow = ev.data.sequence_start.style ==
                          YAML_FLOW_SEQUENCE_STYLE;
                n->tricky = ev.data.sequence_start.anchor != NULL;
            }
            st[depth].node = n;
            st[depth].want_key = true;
            st[depth].pending_key = NULL;
            depth++;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            if (!depth)
                break;
            depth--;
            n = st[depth].node;
            free(st[depth].pending_key);
            st[depth].pending_key = NULL;
            n->close = ytext_byte(&ye->text, ev.start_mark.index);
            n->end = ytext_byte(&ye->text, ev.end_mark.index);
            rc = attach(ye, st, depth, n);
            if (rc)
                node_free(n);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    for (i = 0; i < depth; i++) {
        free(st[i].pending_key);
        node_free(st[i].node);
    }
    yaml_parser_delete(&parser);
    if (rc) {
        yedit_free(ye);
        return rc;
    }
    *out = ye;
    return RFG_OK;
}

static struct ynode *find_at(struct ynode *n, struct src_pos pos)
{
    size_t i;

    if (n->line == pos.line && n->col == pos.col)
        return n;
    for (i = 0; i < n->nkids; i++) {
        struct ynode *k = n->kids[i];
        struct ynode *f;

        if (k->kind != YN_SCALAR && k->line <= pos.line) {
            f = find_at(k, pos);
            if (f)
                return f;
        } else if (k->line == pos.line && k->col == pos.col) {
            return k;
        }
    }
    return NULL;
}

static int push_edit(struct yedit *ye, size_t at, size_t end, char *text)
{
    if (!text)
        return RFG_ENOMEM;
    if (ye->nedits == ye->capedits) {
        size_t ncap = ye->capedits ? ye->capedits * 2 : 16;
        struct edit *nv = realloc(ye->edits, ncap * sizeof(*nv));

        if (!nv) {
            free(text);
            return RFG_ENOMEM;
        }
        ye->edits = nv;
        ye->capedits = ncap;
    }
    ye->edits[ye->nedits].at = at;
    ye->edits[ye->nedits].end = end;
    ye->edits[ye->nedits].text = text;
    ye->edits[ye->nedits].seq = ye->nedits;
    ye->nedits++;
    return RFG_OK;
}

/* Offset just past the end of the line holding byte `off`. */
static size_t line_end(const struct yedit *ye, size_t off)
{
    while (off < ye->len && ye->buf[off] != '\n')
        off++;
    return off < ye->len ? off + 1 : off;
}

static size_t line_start(const struct yedit *ye, size_t off)
{
    while (off > 0 && ye->buf[off - 1] != '\n')
        off--;
    return off;
}

/* Emit `v` as block YAML with every line indented by `indent` spaces. */
static char *block_text(const cJSON *v, unsigned indent, bool need_nl)
{
    struct sbuf y, out;
    const char *p;

    sbuf_init(&y, 0);
    sbuf_init(&out, 0);
    if (ydoc_emit(&y, v)) {
        sbuf_cleanup(&y);
        return NULL;
    }
    if (need_nl)
        (void)sbuf_addc(&out, '\n');
    for (p = sbuf_str(&y); *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        unsigned i;

        for (i = 0; i < indent; i++)
            (void)sbuf_addc(&out, ' ');
        (void)sbuf_add(&out, p, n);
        p += n;
    }
    sbuf_cleanup(&y);
    if (out.failed) {
        sbuf_cleanup(&out);
        return NULL;
    }
    return sbuf_take(&out, NULL);
}

/* A scalar as it reads inline: YAML text without the trailing newline. */
static char *inline_scalar(const cJSON *v)
{
    struct sbuf y;
    char *s;
    size_t n;

    sbuf_init(&y, 0);
    if (ydoc_emit(&y, v)) {
        sbuf_cleanup(&y);
        return NULL;
    }
    s = sbuf_take(&y, &n);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    return s;
}

/* `v` as YAML flow text: JSON with a space after every ':' and ',', so
 * that it reads the same in a flow collection. */
static void flow_text(struct sbuf *b, const cJSON *v)
{
    const cJSON *c;
    char *s;

    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        bool obj = cJSON_IsObject(v), first = true;

        (void)sbuf_addc(b, obj ? '{' : '[');
        cJSON_ArrayForEach(c, v) {
            if (!first)
                (void)sbuf_adds(b, ", ");
            first = false;
            if (obj) {
                (void)sbuf_add_json_str(b, c->string);
                (void)sbuf_adds(b, ": ");
            }
            flow_text(b, c);
        }
        (void)sbuf_addc(b, obj ? '}' : ']');
        return;
    }
    if (cJSON_IsString(v)) {
        (void)sbuf_add_json_str(b, v->valuestring);
        return;
    }
    s = cJSON_PrintUnformatted(v);
    if (s) {
        (void)sbuf_adds(b, s);
        cJSON_free(s);
    } else {
        b->failed = RFG_ENOMEM;
    }
}

static int refuse(struct diag_list *dl, const struct ynode *n,
                  const char *why)
{
    struct src_pos p = {n->line, n->col};

    return diag_fail(dl, RFG_EINVAL, &p, "cannot rewrite in place: %s", why);
}

static int diff(struct yedit *ye, struct ynode *y, const cJSON *o,
                const cJSON *p, struct diag_list *dl);

/* New keys of a mapping: after its last line, at its indentation. */
static int insert_keys(struct yedit *ye, struct ynode *y, const cJSON *o,
                       const cJSON *p, struct diag_list *dl)
{
    const cJSON *kv;
    cJSON *add = cJSON_CreateObject();
    int rc = RFG_OK;
    bool need_nl;
    size_t at;

    if (!add)
        return RFG_ENOMEM;
    cJSON_ArrayForEach(kv, p) {
        if (!cJSON_GetObjectItemCaseSensitive(o, kv->string)) {
            cJSON *c = cJSON_Duplicate(kv, 1);

            if (!c || !cJSON_AddItemToObject(add, kv->string, c)) {
                cJSON_Delete(c);
                cJSON_Delete(add);
                return RFG_ENOMEM;
            }
        }
    }
    if (!cJSON_GetArraySize(add)) {
        cJSON_Delete(add);
        return RFG_OK;
    }
    if (y->flow) {
        struct sbuf t;
        bool first = !y->nkids;

        /* members go before the closing brace */
        sbuf_init(&t, 0);
        cJSON_ArrayForEach(kv, add) {
            (void)sbuf_adds(&t, first ? "" : ", ");
            first = false;
            (void)sbuf_add_json_str(&t, kv->string);
            (void)sbuf_adds(&t, ": ");
            flow_text(&t, kv);
        }
        cJSON_Delete(add);
        if (t.failed) {
            sbuf_cleanup(&t);
            return RFG_ENOMEM;
        }
        return push_edit(ye, y->close, y->close, sbuf_take(&t, NULL));
    }
    if (!y->nkids) {
        cJSON_Delete(add);
        return refuse(dl, y, "an empty block mapping");
    }
    at = line_end(ye, y->last ? y->last - 1 : y->end);
    need_nl = at == ye->len && ye->len && ye->buf[ye->len - 1] != '\n';
    rc = push_edit(ye, at, at, block_text(add, y->kids[0]->key_col - 1,
                                          need_nl));
    cJSON_Delete(add);
    return rc;
}

/* Is the text from the start of `from`'s line up to `from` blank? */
static bool starts_line(const struct yedit *ye, size_t from)
{
    size_t s = line_start(ye, from);

    for (; s < from; s++)
        if (ye->buf[s] != ' ' && ye->buf[s] != '\t' && ye->buf[s] != '-')
            return false;
    return true;
}

/* Remove the lines from the one holding `from` to the end of `k`.
 * `item` says a whole sequence item goes, "- " and all; otherwise a "-"
 * before `from` means the first key of an item, which cannot go alone. */
static int remove_lines(struct yedit *ye, struct ynode *k, size_t from,
                        bool item, struct diag_list *dl)
{
    size_t s = line_start(ye, from), e, i;

    if (!starts_line(ye, from))
        return refuse(dl, k, "the entry shares its line with others");
    for (i = s; !item && i < from; i++)
        if (ye->buf[i] == '-')
            return refuse(dl, k, "the first key of a sequence item");
    if (k->last > from && k->last > 0)
        e = line_end(ye, k->last - 1);
    else
        e = line_end(ye, from);
    if (k->last > k->end && k->kind != YN_SCALAR)
        e = line_end(ye, k->last - 1);
    return push_edit(ye, s, e, strdup(""));
}

static int diff_map(struct yedit *ye, struct ynode *y, const cJSON *o,
                    const cJSON *p, struct diag_list *dl)
{
    size_t i;
    int rc;

    for (i = 0; i < y->nkids; i++) {
        struct ynode *k = y->kids[i];
        const cJSON *ov, *pv;

        if (!k->key)
            return refuse(dl, y, "a key that is not a plain string");
        ov = cJSON_GetObjectItemCaseSensitive(o, k->key);
        pv = cJSON_GetObjectItemCaseSensitive(p, k->key);
        if (!ov)
            return refuse(dl, k, "a key that reads differently");
        if (!pv) {
            if (y->flow)
                return refuse(dl, k, "a key removed from a flow mapping");
            rc = remove_lines(ye, k, k->key_start, false, dl);
        } else {
            rc = diff(ye, k, ov, pv, dl);
        }
        if (rc)
            return rc;
    }
    return insert_keys(ye, y, o, p, dl);
}

static int diff_seq(struct yedit *ye, struct ynode *y, const cJSON *o,
                    const cJSON *p, struct diag_list *dl)
{
    int no = cJSON_GetArraySize(o), np = cJSON_GetArraySize(p);
    int i, j, rc;

    if ((size_t)no != y->nkids)
        return refuse(dl, y, "a sequence that reads differently");
    if (np >= no) {
        for (i = 0; i < no; i++)
            if ((rc = diff(ye, y->kids[i], cJSON_GetArrayItem(o, i),
                           cJSON_GetArrayItem(p, i), dl)))
                return rc;
        for (; i < np; i++) {
            const cJSON *v = cJSON_GetArrayItem(p, i);
            cJSON *one = cJSON_CreateArray();
            cJSON *c = cJSON_Duplicate(v, 1);
            size_t at;

            if (!one || !c || !cJSON_AddItemToArray(one, c)) {
                cJSON_Delete(c);
                cJSON_Delete(one);
                return RFG_ENOMEM;
            }
            if (y->flow) {
                struct sbuf t;

                sbuf_init(&t, 0);
                (void)sbuf_adds(&t, y->nkids || i > no ? ", " : "");
                flow_text(&t, c);
                cJSON_Delete(one);
                if (t.failed) {
                    sbuf_cleanup(&t);
                    return RFG_ENOMEM;
                }
                rc = push_edit(ye, y->close, y->close, sbuf_take(&t, NULL));
            } else if (!y->nkids) {
                cJSON_Delete(one);
                return refuse(dl, y, "an empty block sequence");
            } else {
                at = line_end(ye, y->last ? y->last - 1 : y->end);
                rc = push_edit(ye, at, at,
                               block_text(one, y->col - 1,
                                          at == ye->len &&
                                              ye->buf[ye->len - 1] != '\n'));
                cJSON_Delete(one);
            }
            if (rc)
                return rc;
        }
        return RFG_OK;
    }
    /* items removed: match the rest in order */
    for (i = 0, j = 0; i < no; i++) {
        if (j < np && json_equal(cJSON_GetArrayItem(o, i),
                                 cJSON_GetArrayItem(p, j))) {
            j++;
            continue;
        }
        if (y->flow)
            return refuse(dl, y->kids[i], "an item removed from a flow "
                                          "sequence");
        if ((rc = remove_lines(ye, y->kids[i], y->kids[i]->start, true, dl)))
            return rc;
    }
    if (j != np)
        return refuse(dl, y, "items that changed and moved at once");
    return RFG_OK;
}

static int diff(struct yedit *ye, struct ynode *y, const cJSON *o,
                const cJSON *p, struct diag_list *dl)
{
    if (json_equal(o, p))
        return RFG_OK;
    if (y->tricky)
        return refuse(dl, y, "anchors, aliases, tags or merge keys");
    if (y->kind == YN_MAP && cJSON_IsObject(o) && cJSON_IsObject(p))
        return diff_map(ye, y, o, p, dl);
    if (y->kind == YN_SEQ && cJSON_IsArray(o) && cJSON_IsArray(p))
        return diff_seq(ye, y, o, p, dl);
    if (y->kind == YN_SCALAR && !cJSON_IsObject(p) && !cJSON_IsArray(p)) {
        /* An empty scalar at the end of the text starts at ye->len. */
        if (y->start < ye->len &&
            (ye->buf[y->start] == '|' || ye->buf[y->start] == '>'))
            return refuse(dl, y, "a block scalar");
        return push_edit(ye, y->start, y->end, inline_scalar(p));
    }
    return refuse(dl, y, "a value whose type changes");
}

int yedit_diff(struct yedit *ye, struct src_pos pos, const cJSON *before,
               const cJSON *after, struct diag_list *dl)
{
    struct ynode *n = NULL;
    size_t i;

    for (i = 0; i < ye->nroots && !n; i++)
        n = find_at(ye->roots[i], pos);
    if (!n)
        return diag_fail(dl, RFG_ENOTFOUND, &pos,
                         "cannot find the document to rewrite");
    return diff(ye, n, before, after, dl);
}

static int cmp_edit(const void *pa, const void *pb)
{
    const struct edit *a = pa, *b = pb;

    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

/* Append an edit's text, with CRLF line ends in a CRLF file. */
static void add_text(const struct yedit *ye, struct sbuf *out, const char *t)
{
    const char *nl;

    while (ye->crlf && (nl = strchr(t, '\n')) != NULL) {
        (void)sbuf_add(out, t, (size_t)(nl - t));
        (void)sbuf_add(out, "\r\n", 2);
        t = nl + 1;
    }
    (void)sbuf_adds(out, t);
}

int yedit_render(struct yedit *ye, struct sbuf *out)
{
    size_t pos = 0, i;

    if (ye->nedits > 1) /* edits is NULL when there are none */
        qsort(ye->edits, ye->nedits, sizeof(*ye->edits), cmp_edit);
    for (i = 0; i < ye->nedits; i++) {
        const struct edit *e = &ye->edits[i];

        if (e->at < pos)
            return RFG_EINVAL; /* overlapping edits */
        (void)sbuf_add(out, ye->buf + pos, e->at - pos);
        add_text(ye, out, e->text);
        pos = e->end;
    }
    (void)sbuf_add(out, ye->buf + pos, ye->len - pos);
    return out->failed ? out->failed : RFG_OK;
}
