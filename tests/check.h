/* SPDX-License-Identifier: Apache-2.0
 *
 * check.h - the in-tree test harness: CHECK macros that record a failure
 * and go on, and RUN that calls one test and reports it. The closing line
 * is "N passed, N failed". No dependencies.
 */
#ifndef RFG_CHECK_H
#define RFG_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed_;
static int check_cur_failed_;
static int check_npass_, check_nfail_;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                      \
            check_cur_failed_ = 1;                                         \
        }                                                                  \
    } while (0)

#define CHECK_INT_EQ(a, b)                                                 \
    do {                                                                   \
        long long a_ = (long long)(a), b_ = (long long)(b);                \
        if (a_ != b_) {                                                    \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n",      \
                    __FILE__, __LINE__, #a, #b, a_, b_);                   \
            check_cur_failed_ = 1;                                         \
        }                                                                  \
    } while (0)

#define CHECK_STR_EQ(a, b)                                                 \
    do {                                                                   \
        const char *a_ = (a), *b_ = (b);                                   \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                           \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n",  \
                    __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)",        \
                    b_ ? b_ : "(null)");                                   \
            check_cur_failed_ = 1;                                         \
        }                                                                  \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                        \
    do {                                                                   \
        const char *h_ = (hay), *n_ = (needle);                            \
        if (!h_ || !strstr(h_, n_)) {                                      \
            fprintf(stderr, "%s:%d: \"%s\" not found in \"%s\"\n",         \
                    __FILE__, __LINE__, n_, h_ ? h_ : "(null)");           \
            check_cur_failed_ = 1;                                         \
        }                                                                  \
    } while (0)

#define RUN(fn)                                                            \
    do {                                                                   \
        check_cur_failed_ = 0;                                             \
        fn();                                                              \
        if (check_cur_failed_) {                                           \
            check_nfail_++;                                                \
            check_failed_ = 1;                                             \
            fprintf(stderr, "FAIL %s\n", #fn);                             \
        } else {                                                           \
            check_npass_++;                                                \
        }                                                                  \
    } while (0)

#define CHECK_DONE()                                                       \
    (printf("%d passed, %d failed\n", check_npass_, check_nfail_),         \
     check_failed_ ? 1 : 0)

#endif
