/* SPDX-License-Identifier: Apache-2.0
 *
 * kubeconfig.c - struct kclient_config from a kubeconfig file (parsed
 * with ydoc; contexts, clusters, users, inline base64 data or file paths
 * relative to the kubeconfig) or from the in-cluster service account
 * (see kubeconfig.h). Exec and auth-provider plugins are refused, not
 * run.
 *
 * Secrets in memory: keys, tokens and the kubeconfig text itself are
 * wiped before they are freed. Not here: TLS, HTTP, requests (kclient.c).
 */
#include "kubeconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "base64.h"
#include "file.h"
#include "json.h"
#include "sbuf.h"
#include "wipe.h"
#include "ydoc.h"

#define MAX_TOKEN (64 * 1024)
#define MAX_KUBECONFIG (4u << 20)

/* Free `p` after overwriting its `n` bytes. */
static void wipe_free(char *p, size_t n)
{
    if (p) {
        rfg_wipe(p, n);
        free(p);
    }
}

static void wipe_free_str(char *p)
{
    if (p)
        wipe_free(p, strlen(p));
}

void kclient_config_cleanup(struct kclient_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->server);
    free(cfg->ca_file);
    free(cfg->ca_data);
    free(cfg->cert_file);
    free(cfg->key_file);
    free(cfg->cert_data);
    wipe_free(cfg->key_data, cfg->key_len);
    wipe_free_str(cfg->token);
    free(cfg->token_file);
    free(cfg->ns);
    memset(cfg, 0, sizeof(*cfg));
}

/* Read a small file into an owned, NUL-ended buffer. */
static int read_small(char **out, size_t *len, const char *path, size_t max)
{
    return rfg_read_file(out, len, path, max);
}

/* Drop trailing whitespace (token files often end in a newline). */
static void rstrip(char *s)
{
    size_t n = strlen(s);

    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
                 s[n - 1] == '\t'))
        s[--n] = '\0';
}

static char *join_path(const char *dir, const char *file)
{
    struct sbuf b;

    sbuf_init(&b, 8192);
    if (file[0] == '/' || !dir || !*dir)
        (void)sbuf_adds(&b, file);
    else
        (void)sbuf_printf(&b, "%s/%s", dir, file);
    if (b.failed) {
        sbuf_cleanup(&b);
        return NULL;
    }
    return sbuf_take(&b, NULL);
}

bool kclient_in_cluster_available(const char *sa_dir)
{
    char path[512];
    struct stat st;
    const char *host = getenv("KUBERNETES_SERVICE_HOST");

    snprintf(path, sizeof(path), "%s/token", sa_dir ? sa_dir : KCLIENT_SA_DIR);
    return host && *host && stat(path, &st) == 0;
}

int kclient_config_in_cluster(struct kclient_config *cfg, const char *sa_dir,
                              struct diag_list *dl)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST");
    const char *port = getenv("KUBERNETES_SERVICE_PORT");
    char path[512];
    struct stat st;
    struct sbuf b;
    size_t n;
    int rc;

    memset(cfg, 0, sizeof(*cfg));
    if (!sa_dir)
        sa_dir = KCLIENT_SA_DIR;
    if (!host || !*host)
        return diag_fail(dl, RFG_ENOTFOUND, NULL,
                         "not in a cluster: KUBERNETES_SERVICE_HOST is not "
                         "set");
    snprintf(path, sizeof(path), "%s/token", sa_dir);
    if (stat(path, &st) != 0)
        return diag_fail(dl, RFG_ENOTFOUND, NULL,
                         "not in a cluster: no service-account token at "
                         "%s", path);
    sbuf_init(&b, 1024);
    if (strchr(host, ':'))
        (void)sbuf_printf(&b, "https://[%s]:%s", host,
                          port && *port ? port : "443");
    else
        (void)sbuf_printf(&b, "https://%s:%s", host,
                          port && *port ? port : "443");
    cfg->server = sbuf_take(&b, NULL);
    sbuf_cleanup(&b);
    cfg->token_file = strdup(path);
    snprintf(path, sizeof(path), "%s/ca.crt", sa_dir);
    cfg->ca_file = strdup(path);
    if (!cfg->server || !cfg->token_file || !cfg->ca_file) {
        rc = diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    snprintf(path, sizeof(path), "%s/namespace", sa_dir);
    if (stat(path, &st) == 0 &&
        read_small(&cfg->ns, &n, path, 256) == RFG_OK)
        rstrip(cfg->ns);
    return RFG_OK;
fail:
    kclient_config_cleanup(cfg);
    return rc;
}

/* ---- kubeconfig ---- */

/* The `what` (e.g. "cluster") of the entry named `name` in list `key`. */
static const cJSON *named(const cJSON *root, const char *key,
                          const char *name, const char *what)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, json_get(root, key)) {
        const char *n = json_str(e, "name");

        if (n && !strcmp(n, name))
            return json_get(e, what);
    }
    return NULL;
}

/* Decode base64 `*-data` into an owned buffer. */
static int take_b64(char **out, size_t *len, const char *s, const char *what,
                    struct diag_list *dl)
{
    unsigned char *p;
    size_t n = 0;
    char *z;

    p = base64_decode(s, &n);
    if (!p)
        return diag_fail(dl, RFG_EINVAL, NULL,
                         "kubeconfig: %s is not valid base64", what);
    z = realloc(p, n + 1);
    if (!z) {
        wipe_free((char *)p, n);
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    }
    z[n] = '\0';
    *out = z;
    *len = n;
    return RFG_OK;
}

/* Duplicate a file path from the kubeconfig, relative to `dir`. */
static int take_path(char **out, const char *dir, const char *file,
                     struct diag_list *dl)
{
    *out = join_path(dir, file);
    return *out ? RFG_OK : diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
}

static int fill_from_kubeconfig(struct kclient_config *cfg,
                                const cJSON *root, const char *dir,
                                const char *context, const char *path,
                                struct diag_list *dl)
{
    const cJSON *ctx, *cluster, *user = NULL, *ins;
    const char *cname, *uname, *s;
    int rc = RFG_OK;

    if (!context)
        context = json_str(root, "current-context");
    if (!context || !*context)
        return diag_fail(dl, RFG_EINVAL, NULL,
                         "%s: no current-context; pass --context", path);
    ctx = named(root, "contexts", context, "context");
    if (!cJSON_IsObject(ctx))
        return diag_fail(dl, RFG_ENOTFOUND, NULL,
                         "%s: context \"%s\" not found", path, context);
    cname = json_str(ctx, "cluster");
    uname = json_str(ctx, "user");
    cluster = cname ? named(root, "clusters", cname, "cluster") : NULL;
    if (!cJSON_IsObject(cluster) || !json_str(cluster, "server"))
        return diag_fail(dl, RFG_ENOTFOUND, NULL,
                         "%s: context \"%s\": cluster \"%s\" not found or "
                         "has no server", path, context, cname ? cname : "");
    if (uname) {
        user = named(root, "users", uname, "user");
        if (!user)
            return diag_fail(dl, RFG_ENOTFOUND, NULL,
                             "%s: context \"%s\": user \"%s\" not found",
                             path, context, uname);
    }
    if (json_get(user, "exec") || json_get(user, "auth-provider"))
        return diag_fail(dl, RFG_EINVAL, NULL,
                         "%s: user \"%s\" uses an exec or auth-provider "
                         "plugin, which rfguard does not run; use a "
                         "token, a client certificate or --in-cluster",
                         path, uname);
    s = json_str(cluster, "server");
    cfg->server = strdup(s);
    if (!cfg->server)
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    while (*cfg->server && cfg->server[strlen(cfg->server) - 1] == '/')
        cfg->server[strlen(cfg->server) - 1] = '\0';
    ins = json_get(cluster, "insecure-skip-tls-verify");
    cfg->insecure = cJSON_IsTrue(ins);
    if ((s = json_str(cluster, "certificate-authority-data")))
        rc = take_b64(&cfg->ca_data, &cfg->ca_len, s,
                      "certificate-authority-data", dl);
    else if ((s = json_str(cluster, "certificate-authority")))
        rc = take_path(&cfg->ca_file, dir, s, dl);
    if (rc)
        return rc;
    if ((s = json_str(user, "client-certificate-data")))
        rc = take_b64(&cfg->cert_data, &cfg->cert_len, s,
                      "client-certificate-data", dl);
    else if ((s = json_str(user, "client-certificate")))
        rc = take_path(&cfg->cert_file, dir, s, dl);
    if (rc)
        return rc;
    if ((s = json_str(user, "client-key-data")))
        rc = take_b64(&cfg->key_data, &cfg->key_len, s, "client-key-data",
                      dl);
    else if ((s = json_str(user, "client-key")))
        rc = take_path(&cfg->key_file, dir, s, dl);
    if (rc)
        return rc;
    if ((s = json_str(user, "token"))) {
        cfg->token = strdup(s);
        if (!cfg->token)
            return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    } else if ((s = json_str(user, "tokenFile"))) {
        if ((rc = take_path(&cfg->token_file, dir, s, dl)))
            return rc;
    }
    if ((cfg->cert_data || cfg->cert_file) !=
        (cfg->key_data || cfg->key_file))
        return diag_fail(dl, RFG_EINVAL, NULL,
                         "%s: user \"%s\" has a client certificate without "
                         "a key, or a key without a certificate", path,
                         uname ? uname : "");
    if ((s = json_str(ctx, "namespace")) && *s) {
        cfg->ns = strdup(s);
        if (!cfg->ns)
            return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    }
    return RFG_OK;
}

int kclient_config_kubeconfig(struct kclient_config *cfg, const char *path,
                              const char *context, struct diag_list *dl)
{
    struct ydoc_stream ys;
    struct ydoc_limits lim;
    char *buf = NULL, *dir = NULL, *slash;
    size_t len = 0;
    int rc;

    memset(cfg, 0, sizeof(*cfg));
    memset(&ys, 0, sizeof(ys));
    rc = rfg_read_file(&buf, &len, path, MAX_KUBECONFIG);
    if (rc) {
        rc = diag_fail(dl, rc, NULL, "%s: cannot read the kubeconfig (%s)",
                       path, rfg_strerror(rc));
        goto out;
    }
    ydoc_limits_default(&lim);
    rc = ydoc_load(&ys, buf, len, &lim, dl);
    if (rc)
        goto out;
    if (ys.len < 1 || !cJSON_IsObject(ys.docs[0].root)) {
        rc = diag_fail(dl, RFG_EPARSE, NULL, "%s: not a kubeconfig", path);
        goto out;
    }
    dir = strdup(path);
    if (!dir) {
        rc = diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
        goto out;
    }
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        dir[0] = '\0';
    rc = fill_from_kubeconfig(cfg, ys.docs[0].root, dir, context, path, dl);
out:
    if (rc)
        kclient_config_cleanup(cfg);
    /* The kubeconfig may hold tokens and keys: wipe our copy. */
    if (buf)
        wipe_free(buf, len);
    ydoc_stream_cleanup(&ys);
    free(dir);
    return rc;
}

int kclient_config_read_token(char **out, const char *path)
{
    size_t n = 0;
    int rc;

    rc = read_small(out, &n, path, MAX_TOKEN);
    if (rc == RFG_OK)
        rstrip(*out);
    return rc;
}
