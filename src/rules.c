/* placeholder: rules.c (in progress) */
#include "diag.h"
