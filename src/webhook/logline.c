/* SPDX-License-Identifier: Apache-2.0
 *
 * logline.c - JSON log lines for the webhook (see logline.h). The field
 * order and spelling are an interface: operators and the integration
 * tests grep them. Clips what users control (the skip reason) and holds
 * nothing between calls.
 */
#include "logline.h"

#include <string.h>
#include <time.h>

int logline_begin(struct sbuf *b, const char *level, const char *msg)
{
    struct timespec ts;
    struct tm tm;
    char when[40];
    int rc;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    rc = sbuf_printf(b, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"msg\":",
                     when, ts.tv_nsec / 1000000L, level);
    return rc ? rc : sbuf_add_json_str(b, msg);
}

void logline_end(struct sbuf *b, FILE *f)
{
    if (!sbuf_adds(b, "}\n"))
        fwrite(b->p, 1, b->len, f ? f : stderr);
    sbuf_cleanup(b);
}

void logline_msg(const char *level, const char *msg, const char *key,
                 const char *val)
{
    struct sbuf b;
    int rc;

    sbuf_init(&b, 8192);
    rc = logline_begin(&b, level, msg);
    if (!rc && key) {
        rc = sbuf_printf(&b, ",\"%s\":", key);
        if (!rc)
            rc = sbuf_add_json_str(&b, val ? val : "");
    }
    if (!rc)
        logline_end(&b, NULL);
    else
        sbuf_cleanup(&b);
}

void logline_diags(const char *msg, const struct diag_list *dl)
{
    char buf[300];

    if (dl->len == 0) {
        logline_msg("error", msg, NULL, NULL);
        return;
    }
    diag_format(&dl->v[0], buf, sizeof(buf));
    logline_msg("error", msg, "reason", buf);
}

/* The audit of annotation skips: ,"user":..,"skipped":[ids],
 * "skipReason":.. (shortened), each only when there is one. */
static int log_skips(struct sbuf *b, const struct review_req *req,
                     const struct rules_result *res)
{
    const char *reason = NULL;
    struct sbuf r;
    size_t i;
    int rc = RFG_OK;

    if (req && req->user.name) {
        rc = sbuf_adds(b, ",\"user\":");
        if (!rc)
            rc = sbuf_add_json_str(b, req->user.name);
    }
    for (i = 0; !rc && res && i < res->nskipped; i++) {
        if (!res->skipped[i].rule) /* a namespace exemption */
            continue;
        rc = sbuf_adds(b, reason ? "," : ",\"skipped\":[");
        if (!rc)
            rc = sbuf_add_json_str(b, res->skipped[i].rule->id);
        reason = res->skipped[i].reason;
    }
    if (rc || !reason)
        return rc;
    sbuf_init(&r, 4096);
    rc = sbuf_add_clipped(&r, reason, strlen(reason), 80);
    if (!rc)
        rc = sbuf_adds(b, "],\"skipReason\":");
    if (!rc)
        rc = sbuf_add_json_str(b, sbuf_str(&r));
    sbuf_cleanup(&r);
    return rc;
}

/* ,"uid":..,"kind":..,"namespace":..,"name":..,"operation":..,"dryRun":.. */
static int log_request(struct sbuf *b, const struct review_req *req)
{
    static const char *const keys[] = {"uid", "kind", "namespace", "name",
                                       "operation"};
    const char *vals[5];
    size_t i;
    int rc = RFG_OK;

    vals[0] = req->uid;
    vals[1] = req->kind;
    vals[2] = req->ns;
    vals[3] = req->name;
    vals[4] = req->operation;
    for (i = 0; !rc && i < 5; i++) {
        rc = sbuf_printf(b, ",\"%s\":", keys[i]);
        if (!rc)
            rc = sbuf_add_json_str(b, vals[i]);
    }
    if (!rc)
        rc = sbuf_adds(b, req->dry_run ? ",\"dryRun\":true"
                                       : ",\"dryRun\":false");
    return rc;
}

void logline_admission(FILE *f, enum metrics_endpoint ep,
                       const struct review_req *req,
                       const struct rules_result *res, const char *verdict,
                       const char *reason, uint64_t us)
{
    struct sbuf b;
    size_t i;
    int rc;

    sbuf_init(&b, 64 * 1024);
    rc = logline_begin(&b, reason ? "warn" : "info", "admission");
    if (!rc)
        rc = sbuf_printf(&b, ",\"endpoint\":\"%s\"",
                         ep == METRICS_MUTATE ? "mutate" : "validate");
    if (!rc && req)
        rc = log_request(&b, req);
    if (!rc)
        rc = sbuf_printf(&b, ",\"verdict\":\"%s\",\"rules\":[", verdict);
    for (i = 0; !rc && res && i < res->len; i++) {
        if (i)
            rc = sbuf_addc(&b, ',');
        if (!rc)
            rc = sbuf_add_json_str(&b, res->v[i].rule ? res->v[i].rule->id
                                                      : "?");
    }
    if (!rc && reason) {
        rc = sbuf_adds(&b, "],\"reason\":");
        if (!rc)
            rc = sbuf_add_json_str(&b, reason);
    } else if (!rc) {
        rc = sbuf_addc(&b, ']');
    }
    if (!rc)
        rc = log_skips(&b, req, res);
    if (!rc)
        rc = sbuf_printf(&b, ",\"us\":%llu", (unsigned long long)us);
    if (!rc)
        logline_end(&b, f);
    else
        sbuf_cleanup(&b);
}
