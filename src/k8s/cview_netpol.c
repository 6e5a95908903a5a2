/* SPDX-License-Identifier: Apache-2.0
 *
 * cview_netpol.c - the NetworkPolicy half of the cluster view: for each
 * policy, its pod selector and two facts about ingress to the sentinel
 * port (26379/TCP, named "sentinel" in the operator's pods): whether the
 * policy isolates the pods it selects for ingress, and whether one of its
 * rules still lets every source in. Also the label selector matching the
 * rules use to see which pods a policy selects. It does not judge a
 * failover: rule_auth.c's sentinel-no-auth does, and it does not model
 * egress, namespace selectors beyond "every namespace" or IP blocks
 * beyond "everything".
 */
#include "cview.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "rf.h"
#include "sbuf.h"

/* Whether `labels` has key `k` with a string value; *v gets the value. */
static bool label(const cJSON *labels, const char *k, const char **v)
{
    const char *s = json_str(labels, k);

    *v = s;
    return s != NULL;
}

/* Whether the string `v` is among the string items of `values`. */
static bool among(const cJSON *values, const char *v)
{
    const cJSON *x;

    cJSON_ArrayForEach(x, values)
        if (cJSON_IsString(x) && !strcmp(x->valuestring, v))
            return true;
    return false;
}

bool cview_selector_matches(const cJSON *sel, const cJSON *labels)
{
    const cJSON *ml = json_get(sel, "matchLabels");
    const cJSON *me = json_get(sel, "matchExpressions");
    const cJSON *kv, *e;

    cJSON_ArrayForEach(kv, ml) {
        const char *v;

        if (!cJSON_IsString(kv) || !label(labels, kv->string, &v) ||
            strcmp(v, kv->valuestring))
            return false;
    }
    cJSON_ArrayForEach(e, me) {
        const char *k = json_str(e, "key"), *op = json_str(e, "operator");
        const cJSON *vals = json_get(e, "values");
        const char *v;
        bool has;

        if (!k || !op)
            return false;
        has = label(labels, k, &v);
        if (!strcmp(op, "In")) {
            if (!has || !among(vals, v))
                return false;
        } else if (!strcmp(op, "NotIn")) {
            if (has && among(vals, v))
                return false;
        } else if (!strcmp(op, "Exists")) {
            if (!has)
                return false;
        } else if (!strcmp(op, "DoesNotExist")) {
            if (has)
                return false;
        } else {
            return false; /* the API server refuses other operators */
        }
    }
    return true;
}

/* A selector with no requirement (absent, or {} with empty lists). */
static bool selects_all(const cJSON *sel)
{
    return !cJSON_GetArraySize(json_get(sel, "matchLabels")) &&
           !cJSON_GetArraySize(json_get(sel, "matchExpressions"));
}

/* Whether peer `p` of a `from` list admits every pod and address: an
 * ipBlock of the whole address space, or every pod of every namespace. */
static bool peer_is_everyone(const cJSON *p)
{
    const cJSON *ip = json_get(p, "ipBlock");
    const cJSON *nsel = json_get(p, "namespaceSelector");
    const char *cidr = json_str(ip, "cidr");

    if (ip)
        return cidr && (!strcmp(cidr, "0.0.0.0/0") || !strcmp(cidr, "::/0")) &&
               !cJSON_GetArraySize(json_get(ip, "except"));
    return nsel && selects_all(nsel) &&
           selects_all(json_get(p, "podSelector"));
}

/* Whether the `ports` list of an ingress rule covers the sentinel port:
 * absent or empty means every port. */
static bool ports_cover_sentinel(const cJSON *ports)
{
    const cJSON *p;

    if (!cJSON_GetArraySize(ports))
        return true;
    cJSON_ArrayForEach(p, ports) {
        const char *proto = json_str(p, "protocol");
        const cJSON *port = json_get(p, "port");
        const cJSON *end = json_get(p, "endPort");

        if (proto && strcmp(proto, "TCP"))
            continue;
        if (!port)
            return true;
        if (cJSON_IsString(port) && !strcmp(port->valuestring, "sentinel"))
            return true;
        if (cJSON_IsNumber(port) &&
            (port->valuedouble == RF_SENTINEL_PORT ||
             (cJSON_IsNumber(end) && port->valuedouble <= RF_SENTINEL_PORT &&
              end->valuedouble >= RF_SENTINEL_PORT)))
            return true;
    }
    return false;
}

/* Whether some ingress rule lets every source reach the sentinel port. */
static bool opens_sentinel(const cJSON *ingress)
{
    const cJSON *r;

    cJSON_ArrayForEach(r, ingress) {
        const cJSON *from = json_get(r, "from");
        const cJSON *p;
        bool everyone = !cJSON_GetArraySize(from);

        cJSON_ArrayForEach(p, from)
            everyone = everyone || peer_is_everyone(p);
        if (everyone && ports_cover_sentinel(json_get(r, "ports")))
            return true;
    }
    return false;
}

/* Whether the policy isolates its pods for ingress: "Ingress" among
 * policyTypes, or no policyTypes at all (then Ingress is implied). */
static bool isolates_ingress(const cJSON *spec)
{
    const cJSON *types = json_get(spec, "policyTypes");

    return !cJSON_IsArray(types) || among(types, "Ingress");
}

void cview_netpol_cleanup(struct cview_netpol *np)
{
    if (!np)
        return;
    free(np->ns);
    free(np->name);
    free(np->origin);
    cJSON_Delete(np->selector);
    memset(np, 0, sizeof(*np));
}

int cview_add_netpol(struct cview *cv, const cJSON *obj, const char *ns,
                     const char *origin)
{
    const cJSON *spec = json_get(obj, "spec");
    const cJSON *sel = json_get(spec, "podSelector");
    const char *name = json_str(json_get(obj, "metadata"), "name");
    struct cview_netpol *np;

    if (!name)
        return RFG_OK;
    cview_index_drop(cv);
    np = rfg_grow(cv->netpols, &cv->capnetpols, cv->nnetpols, sizeof(*np),
                  8);
    if (!np)
        return RFG_ENOMEM;
    cv->netpols = np;
    np = &cv->netpols[cv->nnetpols];
    memset(np, 0, sizeof(*np));
    np->ns = strdup(ns);
    np->name = strdup(name);
    np->origin = origin ? strdup(origin) : NULL;
    /* an absent podSelector is the empty one: every pod of the namespace */
    np->selector = sel ? cJSON_Duplicate(sel, 1) : cJSON_CreateObject();
    if (!np->ns || !np->name || (origin && !np->origin) || !np->selector) {
        cview_netpol_cleanup(np);
        return RFG_ENOMEM;
    }
    np->ingress = isolates_ingress(spec);
    np->open_sentinel = np->ingress && opens_sentinel(json_get(spec,
                                                               "ingress"));
    cv->nnetpols++;
    return RFG_OK;
}
