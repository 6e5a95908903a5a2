/* SPDX-License-Identifier: Apache-2.0
 *
 * file.h - whole-file reads with a cap, shared by lint's inputs, the
 * kubeconfig loader and `rfguard certs`.
 */
#ifndef RFG_FILE_H
#define RFG_FILE_H

#include <stddef.h>

/* Read a whole file ("-" = stdin) up to `max` bytes into *out (owned,
 * NUL-ended; *len excludes the NUL). RFG_EIO when it cannot be opened or
 * read (errno says why), RFG_ELIMIT past `max`, RFG_ENOMEM. */
int rfg_read_file(char **out, size_t *len, const char *path, size_t max);

#endif
