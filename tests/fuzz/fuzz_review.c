/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_review.c - libFuzzer target for what the webhook does with a
 * request body: review_decode, then (for a RedisFailover CREATE or
 * UPDATE) rules_eval under the built-in policy with the patch computed,
 * review_respond for /validate and /mutate, and the patch applied to a
 * copy of the object, which must succeed (the webhook's patch is one the
 * API server will apply). No HTTP, threads or cluster view.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jpatch.h"
#include "policy.h"
#include "review.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The built-in policy, loaded and checked once. */
static const struct policy_set *builtin(void)
{
    static struct policy_set *pol;
    struct diag_list dl;

    if (pol)
        return pol;
    diag_list_init(&dl, "<builtin>");
    if (policy_load_builtin(&pol, &dl) || rules_policy_check(pol, &dl))
        abort();
    diag_list_cleanup(&dl);
    return pol;
}

/* Build both responses, then apply the patch to a copy of the object. */
static void respond(const struct review_req *req,
                    const struct rules_result *res)
{
    struct diag_list dl;
    char *body = NULL;
    size_t len = 0;
    cJSON *work;
    int m;

    for (m = 0; m < 2; m++) {
        if (review_respond(&body, &len, NULL, req, res, m == 1) == RFG_OK) {
            cJSON *parsed = cJSON_ParseWithLength(body, len);

            if (!parsed)    /* the response must be valid JSON */
                abort();
            cJSON_Delete(parsed);
        }
        free(body);
        body = NULL;
    }
    if (!res || !res->patch || !req->object)
        return;
    work = cJSON_Duplicate(req->object, 1);
    if (!work)
        return;
    diag_list_init(&dl, "<patch>");
    if (jpatch_apply(&work, res->patch, &dl) == RFG_EINVAL) {
        char *p = cJSON_PrintUnformatted(res->patch);

        fprintf(stderr, "own patch does not apply: %s\n%s\n",
                dl.len ? dl.v[0].msg : "", p ? p : "");
        abort();
    }
    diag_list_cleanup(&dl);
    cJSON_Delete(work);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct policy_set *pol = builtin();
    struct review_req *req = NULL;
    struct rules_result res;
    struct rules_input in;
    struct diag_list dl;

    if (size > REVIEW_MAX_BODY)
        return 0;
    diag_list_init(&dl, NULL);
    if (review_decode(&req, (const char *)data, size, &dl) != RFG_OK) {
        if (dl.nerr == 0)
            abort();
        goto out;
    }
    if (!review_wants_eval(req)) {
        respond(req, NULL);
        goto out;
    }
    memset(&in, 0, sizeof(in));
    in.obj = req->object;
    in.old = req->op == RULES_UPDATE ? req->old_object : NULL;
    in.op = req->op;
    in.pol = pol;
    in.default_ns = req->ns;
    in.want_fix = true;
    if (rules_eval(&res, &in) == RFG_OK) {
        respond(req, &res);
        rules_result_cleanup(&res);
    }
out:
    review_req_free(req);
    diag_list_cleanup(&dl);
    return 0;
}
