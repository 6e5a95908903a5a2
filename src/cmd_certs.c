/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_certs.c - `rfguard certs`: make a CA and a serving certificate for
 * the webhook Service, and print the caBundle for the webhook
 * configurations. Argument handling only; the work is in crypto.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crypto.h"
#include "diag.h"

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
            "  --help            this text\n");
}

/* Value of option argv[*i] ("--x V" or "--x=V"), or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

int cmd_certs(int argc, char **argv)
{
    struct crypto_certs_opts o;
    struct diag_list dl;
    char *bundle = NULL, buf[300];
    const char *v;
    bool reused = false;
    size_t k;
    int i, rc = CLI_EXIT_OK;

    memset(&o, 0, sizeof(o));
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return CLI_EXIT_OK;
        } else if (!strcmp(argv[i], "--dev")) {
            o.dev = true;
        } else if ((v = opt_value(argc, argv, &i, "--service"))) {
            o.service = v;
        } else if ((v = opt_value(argc, argv, &i, "--namespace"))) {
            o.ns = v;
        } else if ((v = opt_value(argc, argv, &i, "--out"))) {
            o.dir = v;
        } else if ((v = opt_value(argc, argv, &i, "--days"))) {
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
    printf("%s\n", bundle);
out:
    free(bundle);
    diag_list_cleanup(&dl);
    return rc;
}
