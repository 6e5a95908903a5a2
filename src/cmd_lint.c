/* placeholder: cmd_lint.c (in progress) */
#include "diag.h"
