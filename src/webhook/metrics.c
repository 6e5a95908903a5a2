/* SPDX-License-Identifier: Apache-2.0
 *
 * metrics.c - lock-free counters and their Prometheus rendering (see
 * metrics.h). Label sets are fixed arrays indexed by enum, so recording
 * is one or two atomic adds and never allocates. The sentinel check's
 * per-failover gauges are the exception: their label sets come and go,
 * so each check renders them to text once, swapped in under a mutex.
 */
#include "metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 15

/* Upper bounds of the latency buckets, in microseconds. */
static const uint64_t bucket_us[NBUCKETS] = {
    50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
    250000, 500000, 1000000, 2500000
};
static const char *const bucket_le[NBUCKETS] = {
    "5e-05", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005",
    "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5"
};
static const char *const ep_names[METRICS_NENDPOINTS] = {"validate",
                                                         "mutate"};
static const char *const op_names[METRICS_NOPS] = {
    "CREATE", "UPDATE", "DELETE", "CONNECT", "unknown"
};
static const char *const verdict_names[METRICS_NVERDICTS] = {
    "allowed", "denied", "patched", "skipped", "error"
};
/* Statuses the HTTP layer answers by itself. */
static const int refused_codes[] = {400, 403, 404, 405, 413, 415};
#define NREFUSED (sizeof(refused_codes) / sizeof(refused_codes[0]))

struct metrics {
    atomic_ullong requests[METRICS_NENDPOINTS][METRICS_NOPS]
                          [METRICS_NVERDICTS];
    atomic_ullong buckets[METRICS_NENDPOINTS][NBUCKETS];
    atomic_ullong count[METRICS_NENDPOINTS];
    atomic_ullong sum_us[METRICS_NENDPOINTS];
    atomic_ullong refused[NREFUSED];
    atomic_ullong reloads[2];           /* error, ok */
    atomic_llong cert_expiry;
    const char *const *rule_ids;        /* borrowed */
    size_t nrules;
    atomic_ullong *findings;            /* owned: [rule][warn, deny] */
    atomic_ullong *skips;               /* owned: [rule] */
    /* the background audit: gauges of its last run, rendered once it
     * ran; a series that was ever non-zero stays (at 0 when fixed) */
    atomic_ullong *audit;               /* owned: [rule][warn, deny] */
    atomic_bool *audit_seen;            /* owned: [rule][warn, deny] */
    atomic_ullong audit_runs[2];        /* error, ok */
    atomic_llong audit_last;            /* Unix time of the last ok run */
    /* the periodic sentinel check */
    atomic_ullong sent_runs[2];         /* error, ok */
    atomic_ullong sent_unreachable;     /* of the last ok check */
    pthread_mutex_t sent_mu;
    char *sent_series;                  /* under sent_mu; owned: the
                                           rfguard_sentinel_merged lines
                                           of the last ok check */
};

struct metrics *metrics_new(const char *const *rule_ids, size_t nrules)
{
    struct metrics *m = calloc(1, sizeof(*m));

    if (!m)
        return NULL;
    pthread_mutex_init(&m->sent_mu, NULL);
    /* calloc'd memory is a valid zero for lock-free atomics on the
     * platforms we build for (C11 7.17.2.1 leaves it implementation
     * defined; glibc/x86-64 and aarch64 are fine). */
    m->findings = calloc(nrules ? nrules * 2 : 1, sizeof(*m->findings));
    m->skips = calloc(nrules ? nrules : 1, sizeof(*m->skips));
    m->audit = calloc(nrules ? nrules * 2 : 1, sizeof(*m->audit));
    m->audit_seen = calloc(nrules ? nrules * 2 : 1, sizeof(*m->audit_seen));
    if (!m->findings || !m->skips || !m->audit || !m->audit_seen) {
        metrics_free(m);
        return NULL;
    }
    m->rule_ids = rule_ids;
    m->nrules = nrules;
    return m;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    free(m->findings);
    free(m->skips);
    free(m->audit);
    free(m->audit_seen);
    pthread_mutex_destroy(&m->sent_mu);
    free(m->sent_series);
    free(m);
}

void metrics_admission(struct metrics *m, enum metrics_endpoint ep, int op,
                       enum metrics_verdict v, uint64_t usec)
{
    size_t i;

    if (!m || (unsigned)ep >= METRICS_NENDPOINTS ||
        (unsigned)v >= METRICS_NVERDICTS)
        return;
    if (op < 0 || op >= METRICS_NOPS)
        op = METRICS_NOPS - 1;
    atomic_fetch_add_explicit(&m->requests[ep][op][v], 1,
                              memory_order_relaxed);
    for (i = 0; i < NBUCKETS && usec > bucket_us[i]; i++)
        ;
    if (i < NBUCKETS)   /* cumulative counts are summed when rendering */
        atomic_fetch_add_explicit(&m->buckets[ep][i], 1,
                                  memory_order_relaxed);
    atomic_fetch_add_explicit(&m->count[ep], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us[ep], usec, memory_order_relaxed);
}

void metrics_finding(struct metrics *m, size_t rule, bool deny)
{
    if (m && rule < m->nrules)
        atomic_fetch_add_explicit(&m->findings[rule * 2 + (deny ? 1 : 0)],
                                  1, memory_order_relaxed);
}

void metrics_skip(struct metrics *m, size_t rule)
{
    if (m && rule < m->nrules)
        atomic_fetch_add_explicit(&m->skips[rule], 1, memory_order_relaxed);
}

void metrics_refused(struct metrics *m, int status)
{
    size_t i;

    for (i = 0; m && i < NREFUSED; i++)
        if (refused_codes[i] == status)
            atomic_fetch_add_explicit(&m->refused[i], 1,
                                      memory_order_relaxed);
}

void metrics_policy_reload(struct metrics *m, bool ok)
{
    if (m)
        atomic_fetch_add_explicit(&m->reloads[ok ? 1 : 0], 1,
                                  memory_order_relaxed);
}

void metrics_set_cert_expiry(struct metrics *m, int64_t unix_time)
{
    if (m)
        atomic_store_explicit(&m->cert_expiry, unix_time,
                              memory_order_relaxed);
}

size_t metrics_rule_index(const struct metrics *m, const char *id)
{
    size_t i;

    for (i = 0; id && i < m->nrules; i++)
        if (!strcmp(m->rule_ids[i], id))
            return i;
    return m->nrules;
}

void metrics_audit(struct metrics *m, bool ok,
                   const unsigned long long *findings, int64_t when)
{
    size_t i;

    if (!m)
        return;
    if (ok) {
        for (i = 0; i < m->nrules * 2; i++) {
            unsigned long long n = findings ? findings[i] : 0;

            atomic_store_explicit(&m->audit[i], n, memory_order_relaxed);
            if (n)
                atomic_store_explicit(&m->audit_seen[i], true,
                                      memory_order_relaxed);
        }
        atomic_store_explicit(&m->audit_last, when, memory_order_relaxed);
    }
    atomic_fetch_add_explicit(&m->audit_runs[ok ? 1 : 0], 1,
                              memory_order_relaxed);
}

/* Append a label value, escaped as the text format wants. */
static int add_label(struct sbuf *b, const char *v)
{
    int rc = RFG_OK;

    for (; !rc && v && *v; v++)
        rc = *v == '\\' ? sbuf_adds(b, "\\\\")
           : *v == '"'  ? sbuf_adds(b, "\\\"")
           : *v == '\n' ? sbuf_adds(b, "\\n")
                        : sbuf_addc(b, *v);
    return rc;
}

int metrics_sentinels(struct metrics *m, bool ok,
                      const struct metrics_sentinel *v, size_t n,
                      unsigned long long unreachable)
{
    struct sbuf b;
    char *text, *old;
    size_t i, len;
    int rc = RFG_OK;

    if (!m)
        return RFG_OK;
    if (ok) {
        sbuf_init(&b, (size_t)1 << 26);
        for (i = 0; !rc && i < n; i++) {
            rc = sbuf_adds(&b, "rfguard_sentinel_merged{namespace=\"");
            if (!rc)
                rc = add_label(&b, v[i].ns);
            if (!rc)
                rc = sbuf_adds(&b, "\",name=\"");
            if (!rc)
                rc = add_label(&b, v[i].name);
            if (!rc)
                rc = sbuf_printf(&b, "\"} %d\n", v[i].merged ? 1 : 0);
        }
        text = rc ? NULL : sbuf_take(&b, &len);
        sbuf_cleanup(&b);
        if (!rc && !text)
            rc = RFG_ENOMEM;
        if (rc) {
            ok = false;
        } else {
            pthread_mutex_lock(&m->sent_mu);
            old = m->sent_series;
            m->sent_series = text;
            pthread_mutex_unlock(&m->sent_mu);
            free(old);
            atomic_store_explicit(&m->sent_unreachable, unreachable,
                                  memory_order_relaxed);
        }
    }
    atomic_fetch_add_explicit(&m->sent_runs[ok ? 1 : 0], 1,
                              memory_order_relaxed);
    return rc;
}

static unsigned long long load(atomic_ullong *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

/* The background audit's series: only once an audit has ended (a
 * server without --audit-interval shows none of them). */
static int render_audit(struct metrics *m, struct sbuf *b)
{
    unsigned long long ok = load(&m->audit_runs[1]);
    unsigned long long err = load(&m->audit_runs[0]);
    size_t i;
    int rc;

    if (!ok && !err)
        return RFG_OK;
    rc = sbuf_printf(b, "# HELP rfguard_audit_runs_total Background audits "
                        "of the cluster's failovers by result.\n"
                        "# TYPE rfguard_audit_runs_total counter\n"
                        "rfguard_audit_runs_total{result=\"ok\"} %llu\n"
                        "rfguard_audit_runs_total{result=\"error\"} "
                        "%llu\n",
                     ok, err);
    if (!rc && ok)
        rc = sbuf_printf(b, "# HELP rfguard_audit_last_run_timestamp_seconds"
                            " When the last background audit ran.\n"
                            "# TYPE rfguard_audit_last_run_timestamp_seconds"
                            " gauge\n"
                            "rfguard_audit_last_run_timestamp_seconds %lld\n"
                            "# HELP rfguard_audit_findings Findings of the "
                            "last background audit, by rule and severity.\n"
                            "# TYPE rfguard_audit_findings gauge\n",
                         (long long)atomic_load_explicit(
                             &m->audit_last, memory_order_relaxed));
    for (i = 0; !rc && ok && i < m->nrules * 2; i++)
        if (atomic_load_explicit(&m->audit_seen[i], memory_order_relaxed))
            rc = sbuf_printf(b, "rfguard_audit_findings{rule=\"%s\","
                                "severity=\"%s\"} %llu\n",
                             m->rule_ids[i / 2], i % 2 ? "deny" : "warn",
                             load(&m->audit[i]));
    return rc;
}

/* The sentinel check's series: only once a check has ended. */
static int render_sentinels(struct metrics *m, struct sbuf *b)
{
    unsigned long long ok = load(&m->sent_runs[1]);
    unsigned long long err = load(&m->sent_runs[0]);
    int rc;

    if (!ok && !err)
        return RFG_OK;
    rc = sbuf_printf(b, "# HELP rfguard_sentinel_checks_total Periodic "
                        "checks of the failovers' sentinels by result.\n"
                        "# TYPE rfguard_sentinel_checks_total counter\n"
                        "rfguard_sentinel_checks_total{result=\"ok\"} "
                        "%llu\n"
                        "rfguard_sentinel_checks_total{result=\"error\"} "
                        "%llu\n",
                     ok, err);
    if (rc || !ok)
        return rc;
    rc = sbuf_printf(b, "# HELP rfguard_sentinel_unreachable Sentinel pods "
                        "the last check could not ask.\n"
                        "# TYPE rfguard_sentinel_unreachable gauge\n"
                        "rfguard_sentinel_unreachable %llu\n"
                        "# HELP rfguard_sentinel_merged 1 when the last "
                        "check found a failover's sentinels knowing "
                        "another failover's redis or sentinel pods.\n"
                        "# TYPE rfguard_sentinel_merged gauge\n",
                     load(&m->sent_unreachable));
    pthread_mutex_lock(&m->sent_mu);
    if (!rc && m->sent_series)
        rc = sbuf_adds(b, m->sent_series);
    pthread_mutex_unlock(&m->sent_mu);
    return rc;
}

int metrics_render(struct metrics *m, struct sbuf *b)
{
    unsigned long long cum, n;
    size_t e, o, v, i;
    int rc;

    rc = sbuf_adds(b, "# HELP rfguard_admission_requests_total Admission "
                      "reviews answered.\n"
                      "# TYPE rfguard_admission_requests_total counter\n");
    for (e = 0; !rc && e < METRICS_NENDPOINTS; e++)
        for (o = 0; !rc && o < METRICS_NOPS; o++)
            for (v = 0; !rc && v < METRICS_NVERDICTS; v++) {
                n = load(&m->requests[e][o][v]);
                if (n)
                    rc = sbuf_printf(b, "rfguard_admission_requests_total{"
                                        "endpoint=\"%s\",operation=\"%s\","
                                        "verdict=\"%s\"} %llu\n",
                                     ep_names[e], op_names[o],
                                     verdict_names[v], n);
            }
    if (!rc)
        rc = sbuf_adds(b, "# HELP rfguard_admission_duration_seconds Time "
                          "from complete body to response.\n"
                          "# TYPE rfguard_admission_duration_seconds "
                          "histogram\n");
    for (e = 0; !rc && e < METRICS_NENDPOINTS; e++) {
        cum = 0;
        for (i = 0; !rc && i < NBUCKETS; i++) {
            cum += load(&m->buckets[e][i]);
            rc = sbuf_printf(b, "rfguard_admission_duration_seconds_bucket{"
                                "endpoint=\"%s\",le=\"%s\"} %llu\n",
                             ep_names[e], bucket_le[i], cum);
        }
        n = load(&m->count[e]);
        if (!rc)
            rc = sbuf_printf(b, "rfguard_admission_duration_seconds_bucket{"
                                "endpoint=\"%s\",le=\"+Inf\"} %llu\n"
                                "rfguard_admission_duration_seconds_sum{"
                                "endpoint=\"%s\"} %llu.%06llu\n"
                                "rfguard_admission_duration_seconds_count{"
                                "endpoint=\"%s\"} %llu\n",
                             ep_names[e], n, ep_names[e],
                             load(&m->sum_us[e]) / 1000000,
                             load(&m->sum_us[e]) % 1000000, ep_names[e], n);
    }
    if (!rc)
        rc = sbuf_adds(b, "# HELP rfguard_findings_total Rule findings in "
                          "admission reviews.\n"
                          "# TYPE rfguard_findings_total counter\n");
    for (i = 0; !rc && i < m->nrules * 2; i++) {
        n = load(&m->findings[i]);
        if (n)
            rc = sbuf_printf(b, "rfguard_findings_total{rule=\"%s\","
                                "severity=\"%s\"} %llu\n",
                             m->rule_ids[i / 2], i % 2 ? "deny" : "warn",
                             n);
    }
    if (!rc)
        rc = sbuf_adds(b, "# HELP rfguard_skips_total Rules skipped by an "
                          "object's rfguard.io/skip annotation in "
                          "admission reviews.\n"
                          "# TYPE rfguard_skips_total counter\n");
    for (i = 0; !rc && i < m->nrules; i++) {
        n = load(&m->skips[i]);
        if (n)
            rc = sbuf_printf(b, "rfguard_skips_total{rule=\"%s\"} %llu\n",
                             m->rule_ids[i], n);
    }
    if (!rc)
        rc = sbuf_adds(b, "# HELP rfguard_http_refused_total Requests "
                          "refused before reaching a handler.\n"
                          "# TYPE rfguard_http_refused_total counter\n");
    for (i = 0; !rc && i < NREFUSED; i++)
        rc = sbuf_printf(b, "rfguard_http_refused_total{code=\"%d\"} %llu\n",
                         refused_codes[i], load(&m->refused[i]));
    if (!rc)
        rc = sbuf_printf(b, "# HELP rfguard_policy_reloads_total Policy "
                            "reloads (SIGHUP) by result.\n"
                            "# TYPE rfguard_policy_reloads_total counter\n"
                            "rfguard_policy_reloads_total{result=\"ok\"} "
                            "%llu\n"
                            "rfguard_policy_reloads_total{result=\"error\"} "
                            "%llu\n",
                         load(&m->reloads[1]), load(&m->reloads[0]));
    if (!rc)
        rc = sbuf_printf(b, "# HELP rfguard_tls_certificate_expiry_timestamp"
                            "_seconds notAfter of the serving certificate.\n"
                            "# TYPE rfguard_tls_certificate_expiry_timestamp"
                            "_seconds gauge\n"
                            "rfguard_tls_certificate_expiry_timestamp_seconds"
                            " %lld\n",
                         (long long)atomic_load_explicit(
                             &m->cert_expiry, memory_order_relaxed));
    if (!rc)
        rc = render_audit(m, b);
    if (!rc)
        rc = render_sentinels(m, b);
    return rc;
}
