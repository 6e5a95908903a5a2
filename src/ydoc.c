/* placeholder: ydoc.c (in progress) */
#include "diag.h"
