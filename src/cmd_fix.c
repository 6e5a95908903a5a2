/* placeholder: cmd_fix.c (in progress) */
#include "diag.h"
