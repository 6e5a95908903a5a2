/* SPDX-License-Identifier: Apache-2.0
 *
 * live.c - the API client and Secret wiping the live-cluster subcommands
 * share (live.h). Moved out of cmd_audit.c unchanged but for the command
 * name in messages. Not here: what is listed.
 */
#define _POSIX_C_SOURCE 200809L

#include "live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kubeconfig.h"
#include "wipe.h"

/* Overwrite every string of a tree that held Secrets (their data, and
 * the last applied configuration that repeats it). */
void live_wipe_json(cJSON *n)
{
    cJSON *c;

    if (cJSON_IsString(n) && n->valuestring)
        rfg_wipe(n->valuestring, strlen(n->valuestring));
    for (c = n ? n->child : NULL; c; c = c->next)
        live_wipe_json(c);
}

void live_wipe_resp(struct kclient_resp *r)
{
    if (r->body)
        rfg_wipe(r->body, r->len);
    kclient_resp_cleanup(r);
}

/* Where the cluster is: --kubeconfig, $KUBECONFIG (its first file),
 * ~/.kube/config, the pod's service account. Prints why not and returns
 * non-zero. */
int live_client(struct kclient **out, const char *cmd,
                const char *kubeconfig, const char *context)
{
    struct kclient_config cfg;
    struct diag_list dl;
    char home_cfg[4096], env_cfg[4096];
    const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");
    struct stat st;
    int rc;
    size_t i;

    memset(&cfg, 0, sizeof(cfg));
    diag_list_init(&dl, NULL);
    if (!kubeconfig && env && *env) {
        snprintf(env_cfg, sizeof(env_cfg), "%s", env);
        env_cfg[strcspn(env_cfg, ":")] = '\0';
        kubeconfig = env_cfg;
    }
    if (!kubeconfig && home && *home) {
        snprintf(home_cfg, sizeof(home_cfg), "%s/.kube/config", home);
        if (!stat(home_cfg, &st))
            kubeconfig = home_cfg;
    }
    if (!kubeconfig && context) {
        fprintf(stderr, "rfguard %s: --context needs a kubeconfig "
                        "(--kubeconfig FILE or KUBECONFIG)\n", cmd);
        return RFG_EINVAL;
    }
    if (!kubeconfig && !kclient_in_cluster_available(NULL)) {
        fprintf(stderr, "rfguard %s: no cluster to read: give "
                        "--kubeconfig FILE (or set KUBECONFIG), or -f FILE "
                        "for a dump\n", cmd);
        return RFG_ENOTFOUND;
    }
    rc = kclient_global_init();
    if (!rc && kubeconfig)
        rc = kclient_config_kubeconfig(&cfg, kubeconfig, context, &dl);
    else if (!rc)
        rc = kclient_config_in_cluster(&cfg, NULL, &dl);
    if (!rc)
        rc = kclient_new(out, &cfg, &dl);
    kclient_config_cleanup(&cfg);
    for (i = 0; i < dl.len; i++) {
        char line[400];

        diag_format(&dl.v[i], line, sizeof(line));
        fprintf(stderr, "rfguard %s: %s\n", cmd, line);
    }
    if (rc && !dl.len)
        fprintf(stderr, "rfguard %s: cannot reach the cluster: %s\n", cmd,
                rfg_strerror(rc));
    diag_list_cleanup(&dl);
    return rc;
}
