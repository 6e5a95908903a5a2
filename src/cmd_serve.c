/* placeholder until the serve command lands */
#include <stdio.h>

#include "cli.h"

int cmd_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rfguard serve: not built yet\n");
    return CLI_EXIT_ERROR;
}
