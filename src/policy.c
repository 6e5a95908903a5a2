/* placeholder: policy.c (in progress) */
#include "diag.h"
