/* placeholder: crypto.c (in progress) */
#include "diag.h"
