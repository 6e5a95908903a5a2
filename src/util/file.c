/* SPDX-License-Identifier: Apache-2.0
 *
 * file.c - read a whole file, or stdin, into memory with a size cap.
 * Nothing here knows what the bytes are: YAML, JSON, PEM or kubeconfig
 * callers parse them; fix --write's safe replacement lives in cmd_fix.c.
 */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

int rfg_read_file(char **out, size_t *len, const char *path, size_t max)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    int rc = RFG_OK;

    *out = NULL;
    *len = 0;
    if (!f)
        return RFG_EIO;
    for (;;) {
        if (cap - n < 65536) {
            char *nb;

            if (cap > max) {
                rc = RFG_ELIMIT;
                break;
            }
            cap = cap ? cap * 2 : 65536 * 2;
            nb = realloc(buf, cap + 1);
            if (!nb) {
                rc = RFG_ENOMEM;
                break;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > max) {
            rc = RFG_ELIMIT;
            break;
        }
        if (got == 0) {
            if (ferror(f))
                rc = RFG_EIO;
            break;
        }
    }
    if (f != stdin) {
        int saved = errno;

        fclose(f);
        errno = saved;
    }
    if (rc) {
        free(buf);
        return rc;
    }
    if (!buf && !(buf = malloc(1)))
        return RFG_ENOMEM;
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return RFG_OK;
}
