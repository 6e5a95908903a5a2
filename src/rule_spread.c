/* placeholder: rule_spread.c (in progress) */
#include "diag.h"
