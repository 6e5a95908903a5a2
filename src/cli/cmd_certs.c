/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_certs.c - `rfguard certs`: make a CA and a serving certificate for
 * the webhook Service, and print the caBundle for the webhook
 * configurations (or, with --k8s, a ready Secret manifest and the
 * caBundle patch). Argument handling and manifest text only; the
 * cryptography is in crypto.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cli.h"
#include "file.h"
#include "crypto.h"
#include "diag.h"
#include "sbuf.h"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: rfguard certs --service NAME --namespace NS --out DIR "
            "[--dev]\n\n"
            "Write an ECDSA P-256 CA (ca.crt, ca.key) and a serving "
            "certificate\n"
            "(tls.crt, tls.key) for the Service NAME in namespace NS, with "
            "the SANs\n"
            "NAME, NAME.NS, NAME.NS.svc and NAME.NS.svc.cluster.local. Keys "
            "are mode 0600.\n"
            "An existing ca.crt + ca.key in DIR is reused, so running it "
            "again renews\n"
            "the serving certificate and keeps the caBundle. The caBundle "
            "(base64 of\n"
            "ca.crt) is written to DIR/ca-bundle.b64 and printed.\n\n"
            "  --service NAME    Service name (DNS label)\n"
            "  --namespace NS    its namespace (DNS label)\n"
            "  --out DIR         output directory (created if missing)\n"
            "  --dev             also localhost, 127.0.0.1 and ::1\n"
            "  --days N          serving certificate lifetime (default "
            "365)\n"
            "  --k8s             print a kubernetes.io/tls Secret manifest "
            "(tls.crt,\n"
            "                    tls.key, ca.crt) instead of the caBundle, "
            "and write\n"
            "                    DIR/secret.yaml and DIR/cabundle-patch.yaml "
            "(JSON 6902\n"
            "                    ops setting clientConfig.caBundle, for both "
            "webhook\n"
            "                    configurations)\n"
            "  --secret-name N   the Secret's name with --k8s (default "
            "rfguard-tls)\n"
            "  --help            this text\n");
}

/* Append the base64 of file DIR/name (one line) to b. */
static int add_b64_file(struct sbuf *b, const char *dir, const char *name)
{
    char path[4096];
    char *data = NULL;
    size_t len = 0;
    int rc;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
        sizeof(path))
        return RFG_EINVAL;
    rc = rfg_read_file(&data, &len, path, (size_t)1 << 20);
    if (rc)
        return rc;
    rc = base64_encode(b, data, len);
    if (data)
        memset(data, 0, len); /* the key: do not leave it in freed memory */
    free(data);
    return rc;
}

/* Write `text` to DIR/name with `mode`, replacing it atomically. */
static int write_text(const char *dir, const char *name, const char *text,
                      unsigned mode)
{
    struct diag_list dl;
    int rc;

    diag_list_init(&dl, NULL);
    rc = crypto_write_file(dir, name, text, strlen(text), mode, &dl);
    if (rc && dl.len)
        fprintf(stderr, "rfguard certs: %s\n", dl.v[0].msg);
    diag_list_cleanup(&dl);
    return rc;
}

/* --k8s: the Secret manifest on stdout and in DIR/secret.yaml, the
 * caBundle patch in DIR/cabundle-patch.yaml. */
static int k8s_out(const struct crypto_certs_opts *o, const char *secret,
                   const char *bundle)
{
    struct sbuf m, p;
    int rc;

    sbuf_init(&m, 0);
    sbuf_init(&p, 0);
    rc = sbuf_printf(&m,
                     "# rfguard certs --k8s: the serving certificate of "
                     "Service %s/%s.\n"
                     "# Holds a private key: apply it, do not commit it.\n"
                     "apiVersion: v1\nkind: Secret\nmetadata:\n"
                     "  name: %s\n  namespace: %s\n"
                     "  labels:\n    app.kubernetes.io/name: rfguard\n"
                     "type: kubernetes.io/tls\ndata:\n  tls.crt: ",
                     o->ns, o->service, secret, o->ns);
    if (!rc)
        rc = add_b64_file(&m, o->dir, "tls.crt");
    if (!rc)
        rc = sbuf_adds(&m, "\n  tls.key: ");
    if (!rc)
        rc = add_b64_file(&m, o->dir, "tls.key");
    if (!rc)
        rc = sbuf_adds(&m, "\n  ca.crt: ");
    if (!rc)
        rc = add_b64_file(&m, o->dir, "ca.crt");
    if (!rc)
        rc = sbuf_adds(&m, "\n");
    if (!rc)
        rc = sbuf_printf(&p,
                         "# rfguard certs --k8s: JSON 6902 patch setting the "
                         "caBundle of the\n"
                         "# Validating- and MutatingWebhookConfiguration "
                         "(kustomize patchesJson6902,\n"
                         "# or kubectl patch --type json).\n"
                         "- op: add\n"
                         "  path: /webhooks/0/clientConfig/caBundle\n"
                         "  value: %s\n",
                         bundle);
    if (!rc)
        rc = write_text(o->dir, "secret.yaml", sbuf_str(&m), 0600);
    if (!rc)
        rc = write_text(o->dir, "cabundle-patch.yaml", sbuf_str(&p), 0644);
    if (!rc) {
        fputs(sbuf_str(&m), stdout);
        fprintf(stderr,
                "rfguard certs: wrote %s/secret.yaml and "
                "%s/cabundle-patch.yaml; e.g.\n"
                "  kubectl patch validatingwebhookconfiguration rfguard "
                "--type json --patch-file %s/cabundle-patch.yaml\n"
                "  kubectl patch mutatingwebhookconfiguration rfguard "
                "--type json --patch-file %s/cabundle-patch.yaml\n",
                o->dir, o->dir, o->dir, o->dir);
    } else {
        fprintf(stderr, "rfguard certs: cannot write the manifests: %s\n",
                rfg_strerror(rc));
    }
    sbuf_cleanup(&m);
    sbuf_cleanup(&p);
    return rc;
}

int cmd_certs(int argc, char **argv)
{
    struct crypto_certs_opts o;
    struct diag_list dl;
    char *bundle = NULL, buf[300];
    const char *v;
    bool reused = false, k8s = false;
    const char *secret = "rfguard-tls";
    size_t k;
    int i, rc = CLI_EXIT_OK;

    memset(&o, 0, sizeof(o));
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return CLI_EXIT_OK;
        } else if (!strcmp(argv[i], "--dev")) {
            o.dev = true;
        } else if (!strcmp(argv[i], "--k8s")) {
            k8s = true;
        } else if ((v = cli_opt_value(argc, argv, &i, "--secret-name"))) {
            secret = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--service"))) {
            o.service = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--namespace"))) {
            o.ns = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--out"))) {
            o.dir = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--days"))) {
            char *end;
            long d = strtol(v, &end, 10);

            if (*end || d < 1 || d > 3650) {
                fprintf(stderr, "rfguard certs: bad --days '%s'\n", v);
                return CLI_EXIT_ERROR;
            }
            o.cert_days = (int)d;
        } else {
            fprintf(stderr, "rfguard certs: unknown or incomplete option "
                            "'%s'\n", argv[i]);
            usage(stderr);
            return CLI_EXIT_ERROR;
        }
    }
    if (!o.service || !o.ns || !o.dir) {
        fprintf(stderr, "rfguard certs: --service, --namespace and --out "
                        "are required\n");
        usage(stderr);
        return CLI_EXIT_ERROR;
    }
    diag_list_init(&dl, NULL);
    if (crypto_certs_write(&o, &bundle, &reused, &dl) != RFG_OK) {
        for (k = 0; k < dl.len; k++) {
            diag_format(&dl.v[k], buf, sizeof(buf));
            fprintf(stderr, "rfguard certs: %s\n", buf);
        }
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    fprintf(stderr, "rfguard certs: %s CA, wrote tls.crt and tls.key for "
                    "%s.%s.svc%s in %s\n",
            reused ? "reused the" : "made a new", o.service, o.ns,
            o.dev ? " (+localhost)" : "", o.dir);
    if (k8s)
        rc = k8s_out(&o, secret, bundle) ? CLI_EXIT_ERROR : CLI_EXIT_OK;
    else
        printf("%s\n", bundle);
out:
    free(bundle);
    diag_list_cleanup(&dl);
    return rc;
}
