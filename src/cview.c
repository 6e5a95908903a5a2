/* placeholder: cview.c (in progress) */
#include "diag.h"
