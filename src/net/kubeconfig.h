/* SPDX-License-Identifier: Apache-2.0
 *
 * kubeconfig.h - where the Kubernetes API server is and who rfguard is to
 * it: struct kclient_config, filled from a kubeconfig file (a context, its
 * cluster and user) or from the service account of the pod it runs in.
 * Reads files and parses YAML; sends nothing (kclient.h does, taking the
 * config). Never logs a token, a key or a certificate's bytes.
 */
#ifndef RFG_KUBECONFIG_H
#define RFG_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* Default service-account paths inside a pod. */
#define KCLIENT_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/* Where the API server is and who we are. Every pointer is owned. */
struct kclient_config {
    char *server;          /* "https://host:port", no trailing '/' */
    char *ca_file;         /* PEM file, or NULL */
    char *ca_data;         /* PEM bytes, or NULL */
    size_t ca_len;
    char *cert_file, *key_file;    /* client certificate, or NULL */
    char *cert_data, *key_data;    /* PEM bytes, or NULL */
    size_t cert_len, key_len;
    char *token;           /* static bearer token, or NULL */
    char *token_file;      /* re-read when it changes (rotation) */
    char *ns;              /* namespace of the context / pod, or NULL */
    bool insecure;         /* insecure-skip-tls-verify */
    unsigned timeout_ms;   /* per attempt; 0 = 10000 */
    unsigned connect_timeout_ms;   /* 0 = 3000 */
};

void kclient_config_cleanup(struct kclient_config *cfg);

/* In-cluster: KUBERNETES_SERVICE_HOST/_PORT, `sa_dir`/token, ca.crt and
 * namespace (`sa_dir` NULL = KCLIENT_SA_DIR). RFG_ENOTFOUND when not
 * running in a pod. */
int kclient_config_in_cluster(struct kclient_config *cfg, const char *sa_dir,
                              struct diag_list *dl) RFG_MUST_CHECK;

/* A kubeconfig file: `context` or, when NULL, current-context. Relative
 * file paths are relative to the kubeconfig's directory. exec and
 * auth-provider plugins are refused with a clear message. */
int kclient_config_kubeconfig(struct kclient_config *cfg, const char *path,
                              const char *context, struct diag_list *dl)
    RFG_MUST_CHECK;

/* True if this looks like a pod: the service-account token exists and
 * KUBERNETES_SERVICE_HOST is set. */
bool kclient_in_cluster_available(const char *sa_dir);

/* Read a bearer token file (at most 64 KiB) into an owned string with
 * trailing whitespace dropped. The caller wipes it before freeing. */
int kclient_config_read_token(char **out, const char *path) RFG_MUST_CHECK;

#endif
