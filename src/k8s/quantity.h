/* SPDX-License-Identifier: Apache-2.0
 *
 * quantity.h - Kubernetes resource quantities.
 */
#ifndef RFG_QUANTITY_H
#define RFG_QUANTITY_H

/* Parse `s` as a resource quantity ("1Gi", "500m", "1e3", "+2k") into a
 * number of units (bytes, cores) in *out; `out` may be NULL to check the
 * syntax only. Returns 0, or -1 when the API server would refuse `s`. */
int quantity_parse(const char *s, double *out);

#endif
