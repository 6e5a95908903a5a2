/* placeholder: report.c (in progress) */
#include "diag.h"
