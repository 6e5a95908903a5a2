/* SPDX-License-Identifier: Apache-2.0
 *
 * serve_args.c - the options of `rfguard serve` and its --help (see
 * serve_args.h). No side effects beyond the messages it prints.
 */
#include "serve_args.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

#define DEFAULT_LISTEN SERVE_DEFAULT_LISTEN
#define DEFAULT_METRICS SERVE_DEFAULT_METRICS

/* The --help text (the cluster options follow from serve_cluster.c). */
static void usage(FILE *f)
{
    fprintf(f,
        "Usage: rfguard serve --tls-cert FILE --tls-key FILE [options]\n\n"
        "Run the HTTPS admission webhook for RedisFailover, RedisSentinel "
        "and\nRedisReplication objects:\n"
        "POST /validate and /mutate (AdmissionReview admission.k8s.io/v1 "
        "or v1beta1),\n"
        "GET /healthz and /readyz; Prometheus /metrics on the metrics "
        "listener.\n\n"
        "  --listen ADDR          HOST:PORT, :PORT or [V6]:PORT (default "
        DEFAULT_LISTEN ")\n"
        "  --tls-cert FILE        serving certificate chain (PEM); re-read "
        "when it changes\n"
        "  --tls-key FILE         its private key (PEM)\n"
        "  --client-ca FILE       require client certificates signed by "
        "this CA (PEM)\n"
        "  --policy FILE          policy YAML (default: the built-in "
        "default policy)\n"
        "  --metrics-listen ADDR  plain-HTTP /metrics, /healthz, /readyz "
        "(default " DEFAULT_METRICS "; 'off' disables)\n"
        "  --threads N            worker threads (default: CPUs)\n"
        "  --timeout SECONDS      idle/slow connection timeout (default "
        "10)\n"
        "  --max-connections N    connection cap (default 1024)\n"
        "  --max-connections-per-ip N\n"
        "                         connections one client address may hold "
        "(default 64),\n"
        "                         so one pod cannot lock the API server "
        "out\n"
        "  --shutdown-grace SEC   how long SIGTERM waits for requests in "
        "flight (default 25)\n"
        "  --help                 this text\n\n"
        "Signals: SIGHUP reloads the policy (a bad one is refused and the "
        "old one kept);\n"
        "SIGTERM/SIGINT stop accepting, finish requests in flight and exit "
        "0.\n");
}

int serve_parse_args(struct serve_opts *o, int argc, char **argv)
{
    const char *v = NULL;
    int i, at = 0;
    int rc;

    memset(o, 0, sizeof(*o));
    o->listen = DEFAULT_LISTEN;
    o->metrics_listen = DEFAULT_METRICS;
    o->grace_s = 25;
    o->max_conns_ip = 64;
    for (i = 1; i < argc; i++) {
        at = i; /* the option, for messages about its value */
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            serve_cluster_usage(stdout);
            serve_audit_usage(stdout);
            return 1;
        } else if ((v = cli_opt_value(argc, argv, &i, "--listen"))) {
            o->listen = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--tls-cert"))) {
            o->cert = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--tls-key"))) {
            o->key = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--client-ca"))) {
            o->client_ca = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--policy"))) {
            o->policy = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--metrics-listen"))) {
            o->metrics_listen = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--threads"))) {
            if (cli_parse_uint(v, 1, 256, &o->threads))
                goto bad;
        } else if ((v = cli_opt_value(argc, argv, &i, "--timeout"))) {
            if (cli_parse_uint(v, 1, 3600, &o->timeout_s))
                goto bad;
        } else if ((v = cli_opt_value(argc, argv, &i, "--max-connections"))) {
            if (cli_parse_uint(v, 1, 1000000, &o->max_conns))
                goto bad;
        } else if ((v = cli_opt_value(argc, argv, &i,
                                      "--max-connections-per-ip"))) {
            if (cli_parse_uint(v, 1, 1000000, &o->max_conns_ip))
                goto bad;
        } else if ((v = cli_opt_value(argc, argv, &i, "--shutdown-grace"))) {
            if (cli_parse_uint(v, 0, 3600, &o->grace_s))
                goto bad;
        } else if ((rc = serve_cluster_parse_opt(&o->cluster, argc, argv,
                                                 &i)) != 0) {
            if (rc < 0)
                return -1;
        } else if ((rc = serve_audit_parse_opt(&o->audit, argc, argv,
                                               &i)) != 0) {
            if (rc < 0)
                return -1;
        } else {
            fprintf(stderr, "rfguard serve: unknown or incomplete option "
                            "'%s'\n", argv[i]);
            usage(stderr);
            return -1;
        }
    }
    if (o->audit.interval_ms && o->cluster.mode == 2) {
        fprintf(stderr, "rfguard serve: --audit-interval needs the cluster "
                        "view: drop --no-cluster\n");
        return -1;
    }
    if (o->audit.sentinel_interval_ms && o->cluster.mode == 2) {
        fprintf(stderr, "rfguard serve: --sentinel-check-interval needs the "
                        "cluster view: drop --no-cluster\n");
        return -1;
    }
    if (!o->cert || !o->key) {
        fprintf(stderr, "rfguard serve: --tls-cert and --tls-key are "
                        "required (make them with 'rfguard certs')\n");
        return -1;
    }
    return 0;
bad:
    fprintf(stderr, "rfguard serve: bad value '%s' for %.*s (see --help)\n",
            v ? v : "", (int)strcspn(argv[at], "="), argv[at]);
    return -1;
}
