/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_review.c - libFuzzer target for what the webhook does with a
 * request body: review_decode, then (for a RedisFailover CREATE or
 * UPDATE) rules_eval under the built-in policy with the patch computed,
 * review_respond for /validate and /mutate, and the patch applied to a
 * copy of the object, which must succeed (the webhook's patch is one the
 * API server will apply). Two more classes of bug abort: an accepted body
 * with a NUL character in a string (cJSON cuts the string there, so the
 * rules would see less than the API server stores), checked by a JSON
 * string scan of its own; and a review that fails to evaluate or answer
 * (e.g. a long user value overflowing a message buffer: a 500, not a
 * verdict). No HTTP, threads or cluster view.
 */
#include <stdbool.h>
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

/* True when some JSON string of `d` decodes to a U+0000, as a raw 0 byte
 * or a \u0000 escape: walks the text string by string, independently of
 * review.c. Outside strings a 0 byte or a backslash is invalid JSON. */
static bool body_has_nul(const uint8_t *d, size_t n)
{
    bool in = false;
    size_t i, k;

    for (i = 0; i < n; i++) {
        if (!in) {
            in = d[i] == '"';
            continue;
        }
        if (d[i] == '"') {
            in = false;
        } else if (d[i] == 0) {
            return true;
        } else if (d[i] == '\\' && i + 1 < n) {
            i++;
            if (d[i] != 'u' || n - i <= 4)
                continue;
            for (k = 1; k <= 4 && d[i + k] == '0'; k++)
                ;
            if (k == 5)
                return true;
        }
    }
    return false;
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
        cJSON *parsed;

        /* Every decoded review gets an answer (else the webhook says
         * 500), and the answer is valid JSON. */
        if (review_respond(&body, &len, NULL, req, res, m == 1) != RFG_OK)
            abort();
        parsed = cJSON_ParseWithLength(body, len);
        if (!parsed)
            abort();
        cJSON_Delete(parsed);
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
    if (body_has_nul(data, size)) {
        fprintf(stderr, "accepted a body with a NUL character\n");
        abort();
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
    /* rules_eval fails only when out of memory, which a fuzzer's
     * inputs cannot cause: a failure is a bug (a message buffer that a
     * long value overflowed was one). */
    if (rules_eval(&res, &in) != RFG_OK)
        abort();
    respond(req, &res);
    rules_result_cleanup(&res);
out:
    review_req_free(req);
    diag_list_cleanup(&dl);
    return 0;
}
