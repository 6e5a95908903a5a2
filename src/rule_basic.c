/* placeholder: rule_basic.c (in progress) */
#include "diag.h"
