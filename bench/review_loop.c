/* SPDX-License-Identifier: Apache-2.0
 *
 * review_loop.c - an in-process driver for profiling the admission core:
 * it answers one AdmissionReview body N times through admission_handle,
 * as `rfguard serve` would on one worker thread (the cJSON arena hooks
 * installed, the built-in policy, no cluster view), with the log going to
 * /dev/null. Not a test and not a timer: run it under valgrind's
 * callgrind, counting only admission_handle, for a deterministic
 * instruction count per review:
 *
 *   valgrind --tool=callgrind --toggle-collect=admission_handle \
 *       build/bench_review_loop review.json 100 [validate|mutate]
 *
 * The body: the compact JSON of a review, as bench/serve.sh sends it, e.g.
 *   python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1])),
 *       sys.stdout, separators=(",",":"))' \
 *       tests/review/create-clean.v1.request.json >review.json
 * Not part of the CMake build; build it against a build tree's libraries:
 *   B=build; cc -O2 -g -std=c11 -D_POSIX_C_SOURCE=200809L \
 *       -Isrc/util -Isrc/yaml -Isrc/k8s -Isrc/rules -Isrc/webhook \
 *       -o $B/bench_review_loop bench/review_loop.c \
 *       $B/src/webhook/librfg_webhook.a $B/src/rules/librfg_rules.a \
 *       $B/src/k8s/librfg_k8s.a $B/src/yaml/librfg_yaml.a \
 *       $B/src/util/librfg_util.a -lcjson -lyaml -lre2 -lstdc++ -lpthread -lm
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "arena.h"
#include "file.h"
#include "policy.h"
#include "rules.h"

static char *slurp(const char *path, size_t *len)
{
    char *buf;
    size_t n;

    if (rfg_read_file(&buf, &n, path, SIZE_MAX) != 0)
        return NULL;
    if (len)
        *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    struct policy_set *pol = NULL;
    struct admission *a = NULL;
    struct diag_list dl;
    enum metrics_endpoint ep = METRICS_VALIDATE;
    FILE *log;
    char *body;
    size_t len;
    long i, n;

    if (argc < 3) {
        fprintf(stderr, "usage: %s REVIEW.json N [validate|mutate]\n",
                argv[0]);
        return 2;
    }
    n = strtol(argv[2], NULL, 10);
    if (argc > 3 && !strcmp(argv[3], "mutate"))
        ep = METRICS_MUTATE;
    body = slurp(argv[1], &len);
    log = fopen("/dev/null", "w");
    if (!body || !log) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    arena_install_cjson_hooks();
    diag_list_init(&dl, "<builtin>");
    if (policy_load_builtin(&pol, &dl) != RFG_OK ||
        rules_policy_check(pol, &dl) != RFG_OK ||
        admission_new(&a, pol, NULL, log) != RFG_OK) {
        fprintf(stderr, "cannot set up the admission core\n");
        return 1;
    }
    for (i = 0; i < n; i++) {
        struct admission_reply rep;

        admission_handle(a, ep, body, len, &rep);
        if (i == 0)
            printf("%d %.*s\n", rep.status, (int)rep.len,
                   rep.body ? rep.body : "");
        free(rep.body);
    }
    admission_free(a);
    diag_list_cleanup(&dl);
    arena_thread_release();
    fclose(log);
    free(body);
    return 0;
}
