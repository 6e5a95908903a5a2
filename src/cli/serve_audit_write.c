/* SPDX-License-Identifier: Apache-2.0
 *
 * serve_audit_write.c - the writes of the background audit (see
 * serve_audit.h): each namespace's PolicyReport applied with server-side
 * apply (field manager rfguard), rfguard's reports of namespaces without
 * failovers deleted (found by their app.kubernetes.io/managed-by label),
 * and the digest of each report last applied, so that a round started
 * by a change applies only what changed. Not here: when to audit, the
 * audit itself, the metrics (serve_audit.c).
 */
#include "serve_audit_impl.h"

#include <string.h>

#include "audit.h"
#include "crypto.h"
#include "json.h"
#include "sbuf.h"

#define CALL_DEADLINE_MS 30000u
#define POLR_PATH "/apis/wgpolicyk8s.io/v1alpha2"
#define MANAGED_SEL "app.kubernetes.io%2Fmanaged-by%3D" AUDIT_MANAGED_BY

/* Is this 404 the API server not knowing the resource (no CRD)? */
static bool resource_absent(const struct kclient_resp *r)
{
    return r->status == 404 &&
           (!r->err[0] || strstr(r->err, "could not find the requested "
                                         "resource"));
}

/* Apply one namespace's report. 1 when the resource is absent. */
static int apply_report(struct audit_writer *w, const cJSON *rep,
                        const char *ns, const char *name, char *err,
                        size_t errlen)
{
    struct kclient_resp r;
    struct sbuf path;
    char *body = cJSON_PrintUnformatted(rep);
    int rc;

    sbuf_init(&path, 4096);
    if (!body || sbuf_printf(&path, POLR_PATH "/namespaces/") ||
        kclient_query_escape(&path, ns) || sbuf_adds(&path, "/policyreports/")
        || kclient_query_escape(&path, name) ||
        sbuf_adds(&path, "?fieldManager=" AUDIT_MANAGED_BY "&force=true")) {
        snprintf(err, errlen, "out of memory");
        rc = RFG_ENOMEM;
        goto out;
    }
    rc = kclient_request(w->client, "PATCH", path.p, body, CALL_DEADLINE_MS,
                         0, KCLIENT_APPLY, &r);
    if (!rc && resource_absent(&r))
        rc = 1;
    else if (!rc && r.status != 200 && r.status != 201)
        rc = RFG_EUPSTREAM;
    if (rc)
        snprintf(err, errlen, "apply %s/%s: HTTP %ld: %s", ns, name,
                 r.status, r.err[0] ? r.err : "no message");
    kclient_resp_cleanup(&r);
out:
    cJSON_free(body);
    sbuf_cleanup(&path);
    return rc;
}

/* Is (ns, name) one of the reports just written? */
static bool written(const cJSON *reports, const char *ns, const char *name)
{
    const cJSON *rep;

    cJSON_ArrayForEach(rep, reports) {
        const cJSON *md = json_get(rep, "metadata");
        const char *rns = json_str(md, "namespace"), *rn = json_str(md, "name");

        if (rns && rn && !strcmp(rns, ns) && !strcmp(rn, name))
            return true;
    }
    return false;
}

/* Delete rfguard's reports that are not in `reports`: their namespace
 * has no failover left. 1 when the resource is absent. */
static int delete_stale(struct audit_writer *w, const cJSON *reports,
                        unsigned *deleted, char *err, size_t errlen)
{
    struct kclient_resp r;
    struct sbuf path;
    cJSON *root = NULL;
    const cJSON *it;
    int rc;

    *deleted = 0;
    sbuf_init(&path, 4096);
    rc = kclient_request(w->client, "GET", POLR_PATH "/policyreports"
                         "?labelSelector=" MANAGED_SEL, NULL,
                         CALL_DEADLINE_MS, 0, 0, &r);
    if (!rc && resource_absent(&r)) {
        rc = 1;
        goto out;
    }
    if (rc || r.status != 200 ||
        !(root = cJSON_ParseWithLength(r.body, r.len))) {
        snprintf(err, errlen, "list policyreports: HTTP %ld: %s", r.status,
                 r.err[0] ? r.err : "malformed answer");
        rc = RFG_EUPSTREAM;
        goto out;
    }
    cJSON_ArrayForEach(it, json_get(root, "items")) {
        const cJSON *md = json_get(it, "metadata");
        const char *ns = json_str(md, "namespace");
        const char *name = json_str(md, "name");
        struct kclient_resp d;

        if (!ns || !name || written(reports, ns, name))
            continue;
        sbuf_reset(&path);
        if (sbuf_printf(&path, POLR_PATH "/namespaces/") ||
            kclient_query_escape(&path, ns) ||
            sbuf_adds(&path, "/policyreports/") ||
            kclient_query_escape(&path, name)) {
            rc = RFG_ENOMEM;
            break;
        }
        if (kclient_request(w->client, "DELETE", path.p, NULL,
                            CALL_DEADLINE_MS, 0, 0, &d) == RFG_OK &&
            (d.status == 200 || d.status == 202 || d.status == 404)) {
            if (d.status != 404)
                (*deleted)++;
            cJSON_DeleteItemFromObjectCaseSensitive(w->applied, ns);
        } else {
            snprintf(err, errlen, "delete %s/%s: HTTP %ld: %s", ns, name,
                     d.status, d.err[0] ? d.err : "no answer");
            rc = RFG_EUPSTREAM;
        }
        kclient_resp_cleanup(&d);
    }
out:
    cJSON_Delete(root);
    kclient_resp_cleanup(&r);
    sbuf_cleanup(&path);
    return rc;
}

/* The digest (hex SHA-256) of a report's content without its results'
 * timestamps, into hex[65]: equal digests, equal reports. */
static int report_digest(const cJSON *rep, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    cJSON *copy = cJSON_Duplicate(rep, 1), *res;
    unsigned char sum[32];
    char *s;
    size_t i;

    if (!copy)
        return RFG_ENOMEM;
    cJSON_ArrayForEach(res, json_get_mut(copy, "results"))
        cJSON_DeleteItemFromObjectCaseSensitive(res, "timestamp");
    s = cJSON_PrintUnformatted(copy);
    cJSON_Delete(copy);
    if (!s)
        return RFG_ENOMEM;
    rfg_sha256(s, strlen(s), sum);
    cJSON_free(s);
    for (i = 0; i < 32; i++) {
        hex[i * 2] = digits[sum[i] >> 4];
        hex[i * 2 + 1] = digits[sum[i] & 15];
    }
    hex[64] = '\0';
    return RFG_OK;
}

/* Remember that `ns`'s report with digest `hex` is applied. */
static void remember(struct audit_writer *w, const char *ns, const char *hex)
{
    if (!w->applied && !(w->applied = cJSON_CreateObject()))
        return;
    cJSON_DeleteItemFromObjectCaseSensitive(w->applied, ns);
    cJSON_AddStringToObject(w->applied, ns, hex);  /* NULL: applied again */
}

/* Write the reports and remove the stale ones; `all`: also those that
 * did not change since they were applied. 1: no resource. */
int audit_writer_write(struct audit_writer *w, const cJSON *reports,
                       bool all, unsigned *applied, unsigned *deleted,
                       char *err, size_t errlen)
{
    const cJSON *rep;
    char hex[65];
    int rc = RFG_OK, r;

    *applied = *deleted = 0;
    cJSON_ArrayForEach(rep, reports) {
        const cJSON *md = json_get(rep, "metadata");
        const char *ns = json_str(md, "namespace");
        const char *name = json_str(md, "name");
        const char *was;

        if (!ns || !name)
            continue;
        if (report_digest(rep, hex)) {
            hex[0] = '\0';   /* unknown: applied, not remembered */
        } else if (!all) {
            was = json_str(w->applied, ns);
            if (was && !strcmp(was, hex))
                continue;   /* unchanged */
        }
        r = apply_report(w, rep, ns, name, err, errlen);
        if (r == 1)
            return 1;
        if (r == RFG_OK) {
            (*applied)++;
            if (hex[0])
                remember(w, ns, hex);
        } else {
            cJSON_DeleteItemFromObjectCaseSensitive(w->applied, ns);
            rc = r;     /* go on with the other namespaces */
        }
    }
    if (rc)
        return rc;
    return delete_stale(w, reports, deleted, err, errlen);
}

void audit_writer_forget(struct audit_writer *w)
{
    cJSON_Delete(w->applied);
    w->applied = NULL;
}
