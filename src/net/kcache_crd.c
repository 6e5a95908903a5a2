/* SPDX-License-Identifier: Apache-2.0
 *
 * kcache_crd.c - what the cluster cache makes of the installed
 * redisfailovers CRD, which it watches like any other source (a list
 * and a watch narrowed to that one name by a fieldSelector): the
 * operator target its schema implies (kcache_target) and, when the
 * schema's digest changes, the stripped schema for the crd callback.
 * A CRD that is deleted, absent or unreadable changes nothing: the last
 * schema and target stay, and before any was read the policy's target
 * and the compiled-in schemas apply.
 *
 * Not here: listing and watching (kcache_watch.c), availability
 * (kcache.c; the CRD never makes the view unavailable), and what the
 * schema is used for (the crd callback's owner).
 */
#include "kcache_impl.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "crd.h"
#include "json.h"

/* Hand the schema of the CRD `root` to the crd callback if it changed
 * since the last one handed over. A schema that cannot be used is
 * logged once, and the last good one stays: false then. */
static bool crd_update(struct kcache *kc, const cJSON *root)
{
    struct diag_list dl;
    unsigned char d[32];
    char ver[64], hex[13], msg[300];
    cJSON *s = NULL;
    char *txt;
    size_t i;

    diag_list_init(&dl, "the installed CRD");
    if (crd_schema(&s, ver, sizeof(ver), root, NULL, &dl)) {
        if (!kc->crd_bad_logged && dl.len) {
            diag_format(&dl.v[0], msg, sizeof(msg));
            kcache_log(kc, "warn", "cluster view: the installed CRD's "
                                   "schema cannot be used; the schema in "
                                   "use stays", msg);
            kc->crd_bad_logged = true;
        }
        diag_list_cleanup(&dl);
        return false;
    }
    diag_list_cleanup(&dl);
    kc->crd_bad_logged = false;
    txt = cJSON_PrintUnformatted(s);
    if (!txt) {
        cJSON_Delete(s);
        return true;
    }
    kc->cfg.hash(txt, strlen(txt), d);
    cJSON_free(txt);
    if (kc->crd_have && !memcmp(d, kc->crd_digest, sizeof(d))) {
        cJSON_Delete(s);
        return true;
    }
    memcpy(kc->crd_digest, d, sizeof(d));
    kc->crd_have = true;
    for (i = 0; i < 6; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    kc->cfg.crd(kc->cfg.crd_arg, s, ver, hex);
    return true;
}

/* The target a CRD implies: Freshworks when some version's schema has
 * spec.sentinel.disableMyMaster. */
static enum rf_target crd_target(const cJSON *root)
{
    const cJSON *v;

    cJSON_ArrayForEach(v, json_get(json_get(root, "spec"), "versions")) {
        const cJSON *p = json_get(json_get(json_get(v, "schema"),
                                           "openAPIV3Schema"), "properties");

        p = json_get(json_get(json_get(p, "spec"), "properties"), "sentinel");
        p = json_get(json_get(p, "properties"), "disableMyMaster");
        if (json_get(p, "type"))
            return RF_TARGET_FRESHWORKS_V33;
    }
    return RF_TARGET_SPOTAHOME_V13;
}

void kcache_crd_put(struct kcache *kc, const cJSON *crd)
{
    enum rf_target t = crd_target(crd);

    kc->src[SRC_CRD].crd_seen = true;
    kc->crd_absent_logged = false;
    /* a CRD whose schema cannot be used changes nothing */
    if (kc->cfg.crd && kc->cfg.hash && !crd_update(kc, crd))
        return;
    if (atomic_load(&kc->target) != (unsigned)t) {
        atomic_store(&kc->target, (unsigned)t);
        kcache_log(kc, "info", "cluster view: operator target from the CRD",
                   rf_target_name(t));
    }
}

void kcache_crd_deleted(struct kcache *kc)
{
    kcache_log(kc, "warn", "cluster view: the redisfailovers CRD was "
                           "deleted; the last schema and operator target "
                           "stay", CRD_NAME);
}

void kcache_crd_listed(struct kcache *kc)
{
    if (kc->src[SRC_CRD].crd_seen || kc->crd_absent_logged)
        return;
    kcache_log(kc, "warn",
               kc->crd_have ? "cluster view: no redisfailovers CRD is "
                              "installed; the last schema and operator "
                              "target stay"
                            : "cluster view: no redisfailovers CRD is "
                              "installed; the policy's target and the "
                              "compiled-in schema are used", CRD_NAME);
    kc->crd_absent_logged = true;
}
