/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_policy.c - libFuzzer target for the policy loader: policy_load on
 * the input, then rules_policy_check against the catalogue, and, for a
 * policy that passes, a rules plan and an evaluation (with the patch) of
 * two fixed RedisFailovers, so fuzzed parameters reach the rules that
 * read them. Not a test of the YAML loader itself (fuzz_ydoc).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "policy.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Objects the fuzzed policy is applied to: a bare failover and one with
 * most of the fields the rules read. */
static const char *const objects[] = {
    "{\"apiVersion\":\"databases.spotahome.com/v1\","
    "\"kind\":\"RedisFailover\",\"metadata\":{\"name\":\"rf1\"},"
    "\"spec\":{\"sentinel\":{\"replicas\":3},\"redis\":{\"replicas\":3}}}",
    "{\"apiVersion\":\"databases.spotahome.com/v1\","
    "\"kind\":\"RedisFailover\",\"metadata\":{\"name\":\"rf2\","
    "\"namespace\":\"prod\",\"labels\":{\"app\":\"x\"},"
    "\"annotations\":{\"rfguard.io/skip\":\"auth-required\","
    "\"rfguard.io/skip-reason\":\"test\"}},"
    "\"spec\":{\"auth\":{\"secretPath\":\"rf2-auth\"},"
    "\"sentinel\":{\"replicas\":2,\"image\":\"redis:latest\","
    "\"customConfig\":[\"down-after-milliseconds 1000\"]},"
    "\"redis\":{\"replicas\":1,\"port\":6380,\"image\":\"redis\","
    "\"customConfig\":[\"maxmemory-policy allkeys-lru\",\"save 900 1\"],"
    "\"storage\":{\"keepAfterDeletion\":false,\"persistentVolumeClaim\":"
    "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}},"
    "\"affinity\":{}}}}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct policy_set *pol = NULL;
    struct rules_plan *plan = NULL;
    struct diag_list dl;
    size_t i;
    int rc;

    diag_list_init(&dl, "<fuzz>");
    rc = policy_load(&pol, (const char *)data, size, "<fuzz>", &dl);
    if (rc != RFG_OK) {
        if (pol || (rc != RFG_ENOMEM && dl.nerr == 0))
            abort();
        goto out;
    }
    if (rules_policy_check(pol, &dl) != RFG_OK)
        goto out;
    if (rules_plan_new(&plan, pol) != RFG_OK)
        goto out;
    for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
        cJSON *obj = cJSON_Parse(objects[i]);
        struct rules_input in;
        struct rules_result res;
        int p;

        if (!obj)
            continue;
        for (p = 0; p < 2; p++) {
            memset(&in, 0, sizeof(in));
            in.obj = obj;
            in.op = RULES_CREATE;
            in.pol = pol;
            in.plan = p ? plan : NULL;
            in.default_ns = "default";
            in.want_fix = true;
            if (rules_eval(&res, &in) == RFG_OK)
                rules_result_cleanup(&res);
        }
        cJSON_Delete(obj);
    }
out:
    rules_plan_free(plan);
    policy_free(pol);
    diag_list_cleanup(&dl);
    return 0;
}
