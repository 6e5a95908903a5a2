/* SPDX-License-Identifier: Apache-2.0
 *
 * cview_class.c - the classes of the cluster view's index (cview.h):
 * which entries each holds and under which key. The sentinel identity
 * classes hold the entries of every kind under the master name their
 * sentinels monitor, so a RedisFailover and an OpsTree RedisReplication
 * on mymaster, 6379 and no password fall in one group.
 */
#include "cview_class.h"

#include "rf.h"

void kb_put(struct kbuf *b, const void *p, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2;
        char *np = malloc(cap);

        if (!np) {
            b->oom = true;
            return;
        }
        memcpy(np, b->p, b->len);
        kb_free(b);
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void kb_str(struct kbuf *b, const char *s)
{
    kb_put(b, s ? s : "", strlen(s ? s : "") + 1);
}

/* The password class of key `key` (NULL: "password") of Secret `secret`
 * (NULL: no auth) of namespace `ns`: its fingerprint when the key is
 * "password" and the Secret is in the view with one, else its name and
 * key. Two entries with auth can share a password exactly when their
 * classes are equal. */
static void kb_pwclass(struct kbuf *b, const struct cview *cv,
                       const char *ns, const char *secret, const char *key)
{
    const struct cview_secret *s;

    if (!secret) {
        kb_put(b, "-", 1);
        return;
    }
    if (key && strcmp(key, "password")) {
        kb_put(b, "K", 1);
        kb_str(b, ns);
        kb_str(b, secret);
        kb_str(b, key);
        return;
    }
    s = cview_find_secret(cv, ns, secret);
    if (s && s->has_hash) {
        kb_put(b, "H", 1);
        kb_put(b, s->pw_hash, 32);
        return;
    }
    kb_put(b, "S", 1);
    kb_str(b, ns);
    kb_str(b, secret);
}

void cview_make_key(struct kbuf *b, const struct cview *cv,
                    enum cview_class c, const struct cview_key *k)
{
    unsigned char tag = (unsigned char)c;

    kb_put(b, &tag, 1);
    switch (c) {
    case CVIEW_C_SELF:
    case CVIEW_C_LINTED:
        tag = (unsigned char)k->kind;
        kb_put(b, &tag, 1);
        kb_str(b, k->ns);
        kb_str(b, k->name);
        break;
    case CVIEW_C_SECRET_USERS:
    case CVIEW_C_SECRET_LINTED:
        kb_str(b, k->ns);
        kb_str(b, k->name);
        break;
    case CVIEW_C_PORT:
    case CVIEW_C_PORT_HOSTNET:
    case CVIEW_C_HOSTPORT:
        kb_put(b, &k->port, sizeof(k->port));
        break;
    case CVIEW_C_SPORT:
    case CVIEW_C_SPORT_DM:
        kb_put(b, &k->port, sizeof(k->port));
        kb_str(b, k->master);
        break;
    case CVIEW_C_SID:
    case CVIEW_C_SID_DM:
        kb_put(b, &k->port, sizeof(k->port));
        kb_str(b, k->master);
        kb_pwclass(b, cv, k->ns, k->secret, k->secret_key);
        break;
    case CVIEW_C_DM_NAME:
        kb_str(b, k->name);
        break;
    case CVIEW_C_OT_MASTER:
        kb_str(b, k->master);
        break;
    case CVIEW_C_PW_USERS:
        kb_put(b, k->hash, 32);
        break;
    case CVIEW_C_PW_USERS_NS:
        kb_put(b, k->hash, 32);
        kb_str(b, k->ns);
        break;
    case CVIEW_C_SECRET_NS:
    case CVIEW_C_NETPOL_NS:
        kb_str(b, k->ns);
        break;
    case CVIEW_C_HOSTNET:
    case CVIEW_NCLASS:
        break;
    }
}

bool cview_mm_always(const struct cview_failover *f)
{
    return !f->disable_mymaster || !strcmp(f->name, RF_DEFAULT_MASTER_NAME);
}

/* Whether entry `f` belongs to class `c`, and its key there. */
static bool rf_member(const struct cview *cv, const struct cview_failover *f,
                      enum cview_class c, struct cview_key *k)
{
    const struct cview_secret *s;
    bool rf = f->kind == RF_KIND_FAILOVER;

    memset(k, 0, sizeof(*k));
    k->port = f->port;
    k->kind = f->kind;
    k->ns = f->ns;
    k->name = f->name;
    k->secret = f->secret;
    k->secret_key = f->ot ? f->ot->secret_key : NULL;
    k->master = f->ot ? f->ot->master : RF_DEFAULT_MASTER_NAME;
    switch (c) {
    case CVIEW_C_SELF:
        return true;
    case CVIEW_C_PORT:
        return rf;
    case CVIEW_C_SPORT:
    case CVIEW_C_SID:
        return f->port > 0;
    case CVIEW_C_SPORT_DM:
    case CVIEW_C_SID_DM:
        if (!cview_mm_always(f))
            k->master = f->name;
        return f->port > 0;
    case CVIEW_C_LINTED:
        return !f->state_only;
    case CVIEW_C_PORT_HOSTNET:
    case CVIEW_C_HOSTNET:
        return rf && f->host_network;
    case CVIEW_C_HOSTPORT:
        if (f->ot)
            k->port = f->ot->host_port;
        return f->ot ? f->ot->host_port > 0 : f->host_network;
    case CVIEW_C_DM_NAME:
        return rf && f->disable_mymaster;
    case CVIEW_C_OT_MASTER:
        return f->kind == RF_KIND_SENTINEL;
    case CVIEW_C_SECRET_USERS:
        k->name = f->secret;
        return f->secret && !f->bootstrap;
    case CVIEW_C_PW_USERS:
    case CVIEW_C_PW_USERS_NS:
        if (!f->secret || f->bootstrap ||
            (k->secret_key && strcmp(k->secret_key, "password")))
            return false;
        s = cview_find_secret(cv, f->ns, f->secret);
        if (!s || !s->has_hash)
            return false;
        k->hash = s->pw_hash;
        return true;
    case CVIEW_C_SECRET_LINTED:
    case CVIEW_C_SECRET_NS:
    case CVIEW_C_NETPOL_NS:
    case CVIEW_NCLASS:
        break;
    }
    return false;
}

bool cview_of_failovers(size_t c)
{
    return c != CVIEW_C_SECRET_LINTED && c != CVIEW_C_SECRET_NS &&
           c != CVIEW_C_NETPOL_NS;
}

size_t cview_domain_len(const struct cview *cv, size_t c)
{
    if (c == CVIEW_C_SECRET_LINTED || c == CVIEW_C_SECRET_NS)
        return cv->nsecrets;
    if (c == CVIEW_C_NETPOL_NS)
        return cv->nnetpols;
    return cv->nrfs;
}

bool cview_member(const struct cview *cv, enum cview_class c, size_t i,
                  struct cview_key *k)
{
    if (cview_of_failovers(c))
        return rf_member(cv, &cv->rfs[i], c, k);
    memset(k, 0, sizeof(*k));
    if (c == CVIEW_C_NETPOL_NS) {
        k->ns = cv->netpols[i].ns;
        k->name = cv->netpols[i].name;
        return true;
    }
    k->ns = cv->secrets[i].ns;
    k->name = cv->secrets[i].name;
    return c != CVIEW_C_SECRET_LINTED || !cv->secrets[i].state_only;
}
