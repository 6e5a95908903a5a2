/* SPDX-License-Identifier: Apache-2.0
 *
 * cview_ot.c - OpsTree RedisSentinels and RedisReplications in the
 * cluster view: an entry like a failover's, with the master name its
 * sentinels monitor and what the OpsTree rules compare (cview_ot). Also
 * the entry slot RedisFailovers and OpsTree objects share
 * (cview_new_entry).
 */
#include "cview.h"

#include <stdlib.h>
#include <string.h>

#include "cview_impl.h"
#include "json.h"
#include "ot.h"
#include "rf.h"
#include "sbuf.h"

struct cview_failover *cview_new_entry(struct cview *cv, const char *ns,
                                       const char *name, const char *origin,
                                       const char *secret)
{
    struct cview_failover *f;

    cview_index_drop(cv);
    f = rfg_grow(cv->rfs, &cv->caprfs, cv->nrfs, sizeof(*f), 16);
    if (!f)
        return NULL;
    cv->rfs = f;
    f = &cv->rfs[cv->nrfs];
    memset(f, 0, sizeof(*f));
    {
        char **const dst[] = {&f->ns, &f->name, &f->origin, &f->secret};
        const char *const src[] = {ns, name, origin, secret};

        if (!cview_str_block(dst, src, 4))
            return NULL;
    }
    return f;
}

/* The OpsTree part of entry `f` from `o`: one allocation, the struct
 * then its strings. */
static struct cview_ot *ot_block(const struct ot_fields *o)
{
    const char *const src[] = {o->master, o->secret_key, o->repl,
                               o->repl_secret, o->repl_key};
    size_t i, len = sizeof(struct cview_ot);
    struct cview_ot *ot;
    char *p;

    for (i = 0; i < 5; i++)
        len += src[i] ? strlen(src[i]) + 1 : 0;
    ot = malloc(len);
    if (!ot)
        return NULL;
    memset(ot, 0, sizeof(*ot));
    {
        char **const d[] = {&ot->master, &ot->secret_key, &ot->repl,
                            &ot->repl_secret, &ot->repl_key};

        p = (char *)(ot + 1);
        for (i = 0; i < 5; i++) {
            size_t l;

            if (!src[i])
                continue;
            l = strlen(src[i]) + 1;
            memcpy(p, src[i], l);
            *d[i] = p;
            p += l;
        }
    }
    ot->host_port = o->host_port;
    return ot;
}

/* An OpsTree RedisSentinel or RedisReplication: an entry like a
 * failover's, with its own master name and the OpsTree part. */
int cview_add_ot(struct cview *cv, const cJSON *obj, const char *ns,
                  const char *origin)
{
    struct cview_failover *f;
    struct ot_fields o;
    const char *name = rf_name(obj);

    if (!name)
        return RFG_OK;
    ot_fields_init(&o, obj);
    f = cview_new_entry(cv, ns, name, origin, o.secret);
    if (!f)
        return RFG_ENOMEM;
    f->ot = ot_block(&o);
    f->port = o.port;
    f->kind = (unsigned char)o.kind;
    if (!f->ot ||
        cview_map_add(cv, &cv->rf_name, cview_key_str2(f->name, NULL))) {
        cview_free_failover(f);
        return RFG_ENOMEM;
    }
    cv->nrfs++;
    return RFG_OK;
}
