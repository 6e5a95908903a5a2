/* SPDX-License-Identifier: Apache-2.0
 *
 * serve_args.h - the command line of `rfguard serve`: its options, their
 * defaults and --help. Parses only: cmd_serve.c acts on the result, and
 * the cluster options are serve_cluster.c's.
 */
#ifndef RFG_SERVE_ARGS_H
#define RFG_SERVE_ARGS_H

#include "serve_audit.h"
#include "serve_cluster.h"

#define SERVE_DEFAULT_LISTEN ":8443"
#define SERVE_DEFAULT_METRICS ":9090"

struct serve_opts {
    const char *listen, *metrics_listen;     /* borrowed from argv */
    const char *cert, *key, *client_ca, *policy;
    unsigned threads, timeout_s, max_conns, max_conns_ip, grace_s;
    struct serve_cluster_opts cluster;
    struct serve_audit_opts audit;
};

/* Fill `o` from argv (argv[0] is "serve"). Returns 0 to run, 1 after
 * printing --help to stdout, -1 after a message on stderr. */
int serve_parse_args(struct serve_opts *o, int argc, char **argv);

#endif
