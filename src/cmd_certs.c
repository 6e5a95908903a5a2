/* placeholder until the certs command lands */
#include <stdio.h>

#include "cli.h"

int cmd_certs(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rfguard certs: not built yet\n");
    return CLI_EXIT_ERROR;
}
