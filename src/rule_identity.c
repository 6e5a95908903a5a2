/* placeholder: rule_identity.c (in progress) */
#include "diag.h"
