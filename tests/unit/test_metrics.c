/* SPDX-License-Identifier: Apache-2.0
 *
 * test_metrics.c - the Prometheus exposition: findings by rule and
 * severity, and rules skipped by annotation (rfguard_skips_total), each
 * rendered once counted and never for an index out of range; the
 * background audit's gauges: absent until an audit ended, replaced by
 * each audit, kept at 0 once fixed, kept as they were when an audit
 * fails; the sentinel check's per-failover gauges: absent until a check
 * ended, replaced by each check (failovers gone are dropped), label
 * values escaped, kept when a check fails.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "metrics.h"

static const char *const ids[] = {"auth-required", "storage-ephemeral"};

static void test_metrics__skips(void)
{
    struct metrics *m = metrics_new(ids, 2);
    struct sbuf b;

    CHECK(m != NULL);
    if (!m)
        return;
    sbuf_init(&b, 1 << 20);
    CHECK_INT_EQ(metrics_render(m, &b), RFG_OK);
    CHECK_CONTAINS(sbuf_str(&b), "# TYPE rfguard_skips_total counter\n");
    CHECK(!strstr(sbuf_str(&b), "rfguard_skips_total{"));
    metrics_skip(m, 0);
    metrics_skip(m, 0);
    metrics_skip(m, 1);
    metrics_skip(m, 2); /* out of range: ignored */
    metrics_skip(NULL, 0);
    metrics_finding(m, 0, true);
    sbuf_reset(&b);
    CHECK_INT_EQ(metrics_render(m, &b), RFG_OK);
    CHECK_CONTAINS(sbuf_str(&b),
                   "rfguard_skips_total{rule=\"auth-required\"} 2\n");
    CHECK_CONTAINS(sbuf_str(&b),
                   "rfguard_skips_total{rule=\"storage-ephemeral\"} 1\n");
    CHECK_CONTAINS(sbuf_str(&b), "rfguard_findings_total{rule=\"auth-"
                                 "required\",severity=\"deny\"} 1\n");
    sbuf_cleanup(&b);
    metrics_free(m);
}

static void test_metrics__audit(void)
{
    struct metrics *m = metrics_new(ids, 2);
    unsigned long long f[4] = {0, 3, 2, 0};
    struct sbuf b;

    CHECK(m != NULL);
    if (!m)
        return;
    sbuf_init(&b, 1 << 20);
    CHECK_INT_EQ(metrics_rule_index(m, "storage-ephemeral"), 1);
    CHECK_INT_EQ(metrics_rule_index(m, "no-such-rule"), 2);
    CHECK_INT_EQ(metrics_render(m, &b), RFG_OK);
    CHECK(!strstr(sbuf_str(&b), "rfguard_audit_"));
    metrics_audit(m, true, f, 1700000000);
    sbuf_reset(&b);
    CHECK_INT_EQ(metrics_render(m, &b), RFG_OK);
    CHECK_CONTAINS(sbuf_str(&b), "# TYPE rfguard_audit_findings gauge\n");
    CHECK_CONTAINS(sbuf_str(&b), "rfguard_audit_findings{rule=\"auth-"
                                 "required\",severity=\"deny\"} 3\n");
    CHECK_CONTAINS(sbuf_str(&b), "rfguard_audit_findings{rule=\"storage-"
                                 "ephemeral\",severity=\"warn\"} 2\n");
    CHECK(!strstr(sbuf_str(&b), "severity=\"warn\"} 0"));
    CHECK_CONTAINS(sbuf_str(&b),
                   "rfguard_audit_last_run_timestamp_seconds 1700000000\n");
    CHECK_CONTAINS(sbuf_str(&b), "rfguard_audit_runs_total{result=\"ok\"} "
                                 "1\n");
    /* a failed audit keeps the gauges */
    metrics_audit(m, false, NULL, 1700000100);
    sbuf_reset(&b);
    CHECK_INT_EQ(metrics_render(m, &b), RFG_OK);
    CHECK_CONTAINS(sbuf_str(&b), "rfguard_audit_runs_total{result=\"error\"}"
                                 " 1\n");
    CHECK_CONTAINS(sbuf_str(&b),
                   "rfguard_audit_last_run_timestamp_seconds 1700000000\n");
    CHECK_CONTAINS(sbuf_str(&b), "severity=\"deny\"} 3\n");
    /* fixed: the series stays, at 0 */
    f[1] = 0;
    metrics_audit(m, true, f, 1700000200);
    sbuf_reset(&b);
    CHECK_INT_EQ(metrics_render(m, &b), RFG_OK);
    CHECK_CONTAINS(sbuf_str(&b), "rfguard_audit_findings{rule=\"auth-"
                                 "required\",severity=\"deny\"} 0\n");
    sbuf_cleanup(&b);
    metrics_free(m);
}

static void test_metrics__sentinels(void)
{
    struct metrics *m = metrics_new(ids, 2);
    const struct metrics_sentinel v1[] = {{"a", "cache", true},
                                          {"b", "q\"x", false}};
    const struct metrics_sentinel v2[] = {{"b", "q\"x", false}};
    struct sbuf b;

    CHECK(m != NULL);
    if (!m)
        return;
    sbuf_init(&b, 1 << 20);
    CHECK_INT_EQ(metrics_render(m, &b), RFG_OK);
    CHECK(!strstr(sbuf_str(&b), "rfguard_sentinel"));
    CHECK_INT_EQ(metrics_sentinels(m, true, v1, 2, 3), RFG_OK);
    sbuf_reset(&b);
    CHECK_INT_EQ(metrics_render(m, &b), RFG_OK);
    CHECK_CONTAINS(sbuf_str(&b), "# TYPE rfguard_sentinel_merged gauge\n"
                   "rfguard_sentinel_merged{namespace=\"a\",name=\"cache\"}"
                   " 1\nrfguard_sentinel_merged{namespace=\"b\",name=\"q\\\"x"
                   "\"} 0\n");
    CHECK_CONTAINS(sbuf_str(&b), "rfguard_sentinel_unreachable 3\n");
    CHECK_CONTAINS(sbuf_str(&b), "rfguard_sentinel_checks_total{result="
                                 "\"ok\"} 1\n");
    /* a failed check keeps the gauges */
    CHECK_INT_EQ(metrics_sentinels(m, false, NULL, 0, 0), RFG_OK);
    sbuf_reset(&b);
    CHECK_INT_EQ(metrics_render(m, &b), RFG_OK);
    CHECK_CONTAINS(sbuf_str(&b), "rfguard_sentinel_checks_total{result="
                                 "\"error\"} 1\n");
    CHECK_CONTAINS(sbuf_str(&b), "namespace=\"a\",name=\"cache\"} 1\n");
    /* a/cache is gone: its series too */
    CHECK_INT_EQ(metrics_sentinels(m, true, v2, 1, 0), RFG_OK);
    sbuf_reset(&b);
    CHECK_INT_EQ(metrics_render(m, &b), RFG_OK);
    CHECK(!strstr(sbuf_str(&b), "namespace=\"a\""));
    CHECK_CONTAINS(sbuf_str(&b), "namespace=\"b\"");
    CHECK_CONTAINS(sbuf_str(&b), "rfguard_sentinel_unreachable 0\n");
    sbuf_cleanup(&b);
    metrics_free(m);
}

int main(void)
{
    RUN(test_metrics__skips);
    RUN(test_metrics__audit);
    RUN(test_metrics__sentinels);
    return CHECK_DONE();
}
