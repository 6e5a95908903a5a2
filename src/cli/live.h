/* SPDX-License-Identifier: Apache-2.0
 *
 * live.h - what the subcommands that read a live cluster share (audit,
 * sentinels): the API client made from --kubeconfig/--context, else
 * $KUBECONFIG, ~/.kube/config or the pod's service account, and the
 * wiping of buffers and trees that held Secrets. Not here: what each
 * command lists.
 */
#ifndef RFG_LIVE_H
#define RFG_LIVE_H

#include <cjson/cJSON.h>

#include "kclient.h"

/* A client for the cluster: --kubeconfig FILE, else $KUBECONFIG (its
 * first file), ~/.kube/config, the pod's service account. On failure
 * prints why as "rfguard CMD: ..." and returns non-zero. */
int live_client(struct kclient **out, const char *cmd,
                const char *kubeconfig, const char *context);

/* Overwrite every string of a tree that held Secrets (their data, and
 * the last applied configuration that repeats it). NULL is a no-op. */
void live_wipe_json(cJSON *n);
/* Wipe a response's body, then free it. */
void live_wipe_resp(struct kclient_resp *r);

#endif
