/* placeholder: model.c (in progress) */
#include "diag.h"
