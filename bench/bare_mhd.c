/* SPDX-License-Identifier: Apache-2.0
 *
 * bench/bare_mhd.c - the do-nothing server of bench/serve.sh: libmicrohttpd
 * with its GnuTLS, set up as `rfguard serve` sets up its HTTPS listener
 * (poll() thread pool of one thread per online CPU, the same TLS 1.2/1.3
 * priorities, the same certificate and key files), that reads every
 * request body and answers each POST with one static AdmissionReview
 * response. What rfguard costs on top of it is rfguard's own work. Not
 * part of rfguard and not a test; bench/serve.sh builds it with cc.
 *
 * Usage: bare_mhd CERT KEY   (prints "port N" once listening on
 * 127.0.0.1, then serves until SIGTERM or SIGINT)
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

/* As in src/net/http_server.c. */
#define TLS_PRIORITIES                                                    \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:"                         \
    "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"           \
    "-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:+DHE-RSA"

/* What rfguard answers for bench/serve.sh's review. */
static const char reply[] =
    "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
    "\"response\":{\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800001\","
    "\"allowed\":true}}";

static struct MHD_Response *resp;

/* The whole file at `path` as a NUL-ended string, or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
        fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/* Read the body (dropping it), then answer. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    static int started;

    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    if (*con_cls == NULL) {
        *con_cls = &started;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    return MHD_queue_response(conn, MHD_HTTP_OK, resp);
}

int main(int argc, char **argv)
{
    struct sockaddr_in sa;
    struct MHD_OptionItem pool[2] = {{MHD_OPTION_END, 0, NULL},
                                     {MHD_OPTION_END, 0, NULL}};
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *di;
    char *cert, *key;
    sigset_t set;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = ncpu > 0 && ncpu < 256 ? (unsigned)ncpu : 1;
    int sig;

    if (argc != 3) {
        fprintf(stderr, "usage: bare_mhd CERT KEY\n");
        return 2;
    }
    cert = slurp(argv[1]);
    key = slurp(argv[2]);
    if (!cert || !key) {
        fprintf(stderr, "bare_mhd: cannot read the certificate or key\n");
        return 1;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    resp = MHD_create_response_from_buffer(sizeof(reply) - 1,
                                           (void *)(uintptr_t)reply,
                                           MHD_RESPMEM_PERSISTENT);
    if (!resp ||
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "application/json") != MHD_YES)
        return 1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = 0;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* As rfguard: no pool option for one thread (MHD warns). */
    if (threads > 1)
        pool[0] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE,
                                          (intptr_t)threads, NULL};
    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
            MHD_USE_ERROR_LOG | MHD_USE_TLS,
        0, NULL, NULL, &on_request, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
        MHD_OPTION_ARRAY, pool,
        MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
        MHD_OPTION_HTTPS_MEM_CERT, cert,
        MHD_OPTION_HTTPS_MEM_KEY, key,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bare_mhd: cannot start the daemon\n");
        return 1;
    }
    di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("port %u\n", di ? (unsigned)di->port : 0u);
    fflush(stdout);
    while (sigwait(&set, &sig) == 0 && sig != SIGTERM && sig != SIGINT)
        ;
    MHD_stop_daemon(d);
    MHD_destroy_response(resp);
    free(cert);
    free(key);
    return 0;
}
