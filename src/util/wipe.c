/* SPDX-License-Identifier: Apache-2.0
 *
 * wipe.c - see wipe.h. glibc's explicit_bzero is a call the optimiser
 * keeps even right before free().
 */
#define _DEFAULT_SOURCE 1       /* explicit_bzero */
#include "wipe.h"

#include <string.h>

void rfg_wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}
