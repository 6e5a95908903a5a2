/* placeholder: rule_auth.c (in progress) */
#include "diag.h"
