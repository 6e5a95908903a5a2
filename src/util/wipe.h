/* SPDX-License-Identifier: Apache-2.0
 *
 * wipe.h - clearing memory that held a secret, in a way the compiler may
 * not drop as a dead store before free().
 */
#ifndef RFG_WIPE_H
#define RFG_WIPE_H

#include <stddef.h>

/* Overwrite n bytes at p with zeros (p may be NULL when n is 0). */
void rfg_wipe(void *p, size_t n);

#endif
