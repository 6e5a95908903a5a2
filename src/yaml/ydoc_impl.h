/* SPDX-License-Identifier: Apache-2.0
 *
 * ydoc_impl.h - declarations the files of src/yaml share and nobody else
 * sees: the position map and the character-to-byte cursor (posmap.c),
 * scalar resolution (scalar.c), the string-keyed table (ktab.c), mapping
 * keys and the constant ones (keys.c), the loader state and its tree
 * builder (ytree.c), all driven by ydoc.c and used by the emitter
 * (emit.c) and yedit.c. Not a public API: other layers include ydoc.h
 * only.
 */
#ifndef RFG_YDOC_IMPL_H
#define RFG_YDOC_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <yaml.h>

#include "diag.h"
#include "ydoc.h"

#define TAG_PREFIX "tag:yaml.org,2002:"
#define TAG_PREFIX_LEN (sizeof(TAG_PREFIX) - 1)

/* 1-based position of a libyaml mark. */
static inline struct src_pos ymark_pos(yaml_mark_t m)
{
    struct src_pos p = {(unsigned)(m.line + 1), (unsigned)(m.column + 1)};

    return p;
}

/* ---- posmap.c: where nodes and characters are ---- */

/* An empty posmap; NULL when out of memory. Owned by the caller:
 * posmap_free(). The loader keeps one to fill, document after document,
 * and hands each document a compact copy (posmap_take). */
struct posmap *posmap_new(void);

/* Free a posmap; NULL is a no-op. */
void posmap_free(struct posmap *pm);

/* Record `pos` for `k` (replacing an earlier position). RFG_OK or
 * RFG_ENOMEM. */
int posmap_put(struct posmap *pm, const cJSON *k, struct src_pos pos)
    RFG_MUST_CHECK;

/* A new posmap holding exactly what `pm` holds, in one allocation;
 * `pm` is left empty, its memory kept for the next document. NULL when
 * out of memory (`pm` is then unchanged). */
struct posmap *posmap_take(struct posmap *pm);

/* Forget every position `pm` holds, keeping a small array's memory. */
void posmap_clear(struct posmap *pm);

/* libyaml's mark.index counts characters after any UTF-8 BOM; this maps
 * it to a byte offset of the input. A cursor: each call walks from the
 * previous answer, forwards or backwards, so calls in (nearly) increasing
 * order cost linear time all together. Over ASCII text it is a sum. */
struct ytext {
    const char *buf;        /* borrowed input */
    size_t len;
    size_t bom;             /* bytes of UTF-8 BOM before mark.index 0 */
    size_t ascii_end;       /* bytes [bom, ascii_end) are ASCII ... */
    bool mixed;             /* ... and the one at ascii_end is not */
    size_t cur_char;        /* cursor: a mark.index ... */
    size_t cur_byte;        /* ... and the byte offset it stands for */
};

void ytext_init(struct ytext *t, const char *buf, size_t len);

/* Byte offset of character index `idx`, at most t->len. */
size_t ytext_byte(struct ytext *t, size_t idx);

/* 1-based line:col of the byte offset `off` (libyaml reader errors carry
 * an offset, not a mark). Columns count UTF-8 characters. */
struct src_pos ytext_pos(const struct ytext *t, size_t off);

/* ---- scalar.c: scalar resolution (go-yaml v2, YAML 1.1) ---- */

/* What a scalar resolves to. */
enum sk { SK_STR, SK_NULL, SK_BOOL, SK_INT, SK_UINT, SK_FLOAT, SK_NOTJSON };

/* A resolved scalar: kind, and the value for that kind. */
struct yscalar {
    enum sk kind;
    bool b;
    int64_t i;
    uint64_t u;
    double f;               /* SK_FLOAT; for SK_NOTJSON: +inf, -inf or nan */
};
/* Resolve the plain scalar s[0..n) (NUL-terminated) like go-yaml v2. */
void yscalar_resolve_plain(const char *s, size_t n, struct yscalar *v);

/* Resolve the scalar of event `ev` into `v`, honouring an explicit
 * !!int, !!float, !!bool or !!null tag; a value the tag cannot decode is
 * RFG_EPARSE, reported at `pos` in `dl`. */
int yscalar_resolve(struct yscalar *v, const yaml_event_t *ev,
                    struct src_pos pos, struct diag_list *dl)
    RFG_MUST_CHECK;

/* True if `d` is integral and in int64 range (no libm needed). */
bool yscalar_is_int64(double d);

/* The number a resolved int or float stands for. */
double yscalar_number(const struct yscalar *v);

/* Go's strconv.FormatFloat(f, 'g', -1, 32), as sigs.k8s.io/yaml formats
 * float map keys. */
void yscalar_format_key(char *out, size_t len, double d);

/* Decode the !!binary scalar s[0..n) as kubectl does: base64 as Go's
 * StdEncoding reads it (padded, line breaks ignored), each byte that is
 * not UTF-8 then written as U+FFFD, as Go's JSON encoder writes it.
 * *out is owned and NUL-ended (it may hold NUL bytes before *outlen).
 * RFG_OK, RFG_EPARSE (not base64) or RFG_ENOMEM. */
int yscalar_binary(const char *s, size_t n, char **out, size_t *outlen)
    RFG_MUST_CHECK;

/* True if the integer `v` is one a double cannot hold exactly (beyond
 * +-2^53); its decimal text is then in buf. */
bool yscalar_inexact(const struct yscalar *v, char *buf, size_t len);

/* Keep `text` (copied with cJSON's allocator) as the exact value of the
 * number `node`, in its valuestring. RFG_OK or RFG_ENOMEM. */
int yscalar_keep_text(cJSON *node, const char *text) RFG_MUST_CHECK;

/* ---- ktab.c: string-keyed table, for large mappings and anchors ---- */

struct kent {
    const void *obj;        /* the mapping (NULL for anchors) */
    char *key;              /* NULL = empty; owned only in the anchor table */
    cJSON *item;            /* borrowed */
    size_t h;
};

/* Open addressing over (owner, string) keys. */
struct ktab {
    struct kent *v;         /* owned */
    size_t cap, len;
    bool owns_keys;
};

/* The item stored for (obj, key), or NULL. */
cJSON *ktab_get(const struct ktab *t, const void *obj, const char *key);

/* The key the table stores for (obj, key) (it lives as long as the
 * entry), or NULL. */
const char *ktab_key(const struct ktab *t, const void *obj,
                     const char *key);

/* Insert or update (obj, key) -> item. An owning table takes `key` (it is
 * freed here if an equal key is already present); on failure the caller
 * still owns it. RFG_OK or RFG_ENOMEM. */
int ktab_put(struct ktab *t, const void *obj, char *key, cJSON *item)
    RFG_MUST_CHECK;

/* Empty the table. A small table keeps its memory for the next
 * document; a big one is released so clearing stays cheap. */
void ktab_clear(struct ktab *t);

/* Release everything the table holds. */
void ktab_free(struct ktab *t);

/* ---- keys.c: mapping keys kept as constants ---- */

/* The constant string equal to the n bytes of `s` (no NUL among them),
 * or NULL when it is not one of the keys kept as constants. */
const char *ykey_intern(const char *s, size_t n);

/* ---- the loader (ydoc.c) and its tree builder (ytree.c) ---- */

enum fkind { F_SEQ, F_MAP, F_MERGE_SEQ };

/* One open collection (or "<<" sequence) on the loader's stack. */
struct yframe {
    cJSON *node;            /* borrowed (owned by its parent, the root or
                               the graveyard); NULL for F_MERGE_SEQ */
    char *anchor;           /* owned; registered when the node closes */
    size_t nkeys;           /* F_MAP: keys so far, merged ones included */
    size_t merge_base;      /* L->nmerge when the frame opened */
    size_t target;          /* merge sources: index of the receiving map */
    cJSON *replace;         /* F_MAP: the merged item the pending key
                               overrides, or NULL */
    struct src_pos key_pos; /* F_MAP: position of the pending key */
    enum fkind kind;
    bool have_key;          /* F_MAP: a key waits for its value */
    bool key_is_merge;      /* F_MAP: the pending key is "<<" */
    bool merge_src;         /* an inline mapping given to "<<" */
};

/* A merge source of a "<<" sequence, waiting for the sequence to end. */
struct ymerge {
    size_t target;          /* frame index of the receiving mapping */
    const cJSON *src;       /* borrowed: tree or graveyard */
    struct src_pos pos;     /* the alias or mapping that supplied it */
    const char *name;       /* borrowed anchor name, or NULL */
};

/* The state of one ydoc_load() call: the stream, then the document
 * being built. */
struct yloader {
    const struct ydoc_limits *lim;
    struct diag_list *dl;
    ydoc_each_fn each;      /* ydoc_load_each: gets every document */
    void *each_arg;
    struct ytext text;      /* the input, and mark.index -> byte */
    size_t ndocs;
    size_t prev_end;        /* mark.index where the previous doc ended */

    /* per document */
    bool in_doc;
    bool scanned;           /* "# Source:" looked for */
    cJSON *root;            /* owned */
    struct posmap *pm;      /* owned; filled for each document in turn */
    cJSON *grave;           /* owned: anchored keys, inline merge maps */
    char *source;           /* owned */
    struct src_pos start;
    size_t start_index;
    size_t nnodes, nalias;
    struct yframe *st;      /* owned stack */
    size_t depth, st_cap;
    struct ymerge *merges;  /* owned */
    size_t nmerge, merge_cap;
    struct ktab keys;       /* (mapping, key) -> item, large mappings */
    struct ktab merged;     /* (mapping, key) -> item a merge put there
                               and no explicit key has overridden */
    struct ktab anchors;    /* name -> node */
    const char *key;        /* the pending mapping key: kbuf, or a
                               constant of keys.c */
    size_t klen;            /* strlen(key) */
    bool key_const;         /* key is a constant of keys.c */
    char *kbuf;             /* owned: a pending key that is no constant */
    size_t kcap;
};
/* Set the pending key of the loader from the resolved scalar `v` of the
 * n bytes `s` (sigs.k8s.io/yaml turns non-string keys into strings), or
 * from an anchored scalar node; a constant of keys.c when there is one.
 * RFG_OK or RFG_ENOMEM (keys.c). */
int ykey_set(struct yloader *L, const struct yscalar *v, const char *s,
             size_t n) RFG_MUST_CHECK;
int ykey_set_node(struct yloader *L, const cJSON *node) RFG_MUST_CHECK;

/* Set the pending key to the constant of keys.c that the plain, untagged
 * scalar s[0..n) is, if there is one (a plain scalar that would read as
 * no string is none). False, and nothing set, when there is none. */
bool ykey_set_const(struct yloader *L, const char *s, size_t n);

/* Count one more node against max_nodes. */
int ytree_count_node(struct yloader *L, struct src_pos pos) RFG_MUST_CHECK;

/* The node events of a document, each checked against the limits and
 * added to L->root (or the graveyard, for merge sources and anchored
 * keys). Each returns RFG_OK or the code of the diagnostic it appended. */
int ytree_scalar(struct yloader *L, const yaml_event_t *ev) RFG_MUST_CHECK;
int ytree_alias(struct yloader *L, const yaml_event_t *ev) RFG_MUST_CHECK;
int ytree_open(struct yloader *L, const yaml_event_t *ev, bool is_map)
    RFG_MUST_CHECK;
int ytree_close(struct yloader *L, const yaml_event_t *ev) RFG_MUST_CHECK;

#endif
