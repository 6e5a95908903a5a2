/* placeholder: jpatch.c (in progress) */
#include "diag.h"
