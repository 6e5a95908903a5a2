/* SPDX-License-Identifier: Apache-2.0
 *
 * test_metrics.c - the Prometheus exposition: findings by rule and
 * severity, and rules skipped by annotation (rfguard_skips_total), each
 * rendered once counted and never for an index out of range.
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

int main(void)
{
    RUN(test_metrics__skips);
    return CHECK_DONE();
}
