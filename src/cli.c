/* placeholder */
#include "cli.h"
