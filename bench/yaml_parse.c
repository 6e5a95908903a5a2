/* SPDX-License-Identifier: Apache-2.0
 *
 * yaml_parse.c - the baseline for bench/lint.sh: read each file named on
 * the command line and run libyaml's event parser over it, doing nothing
 * with the events. rfguard lint is measured against this.
 */
#include <stdio.h>
#include <stdlib.h>

#include <yaml.h>

int main(int argc, char **argv)
{
    unsigned long events = 0;
    int i;

    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        yaml_parser_t p;
        yaml_event_t ev;
        int done = 0;

        if (!f) {
            perror(argv[i]);
            return 2;
        }
        yaml_parser_initialize(&p);
        yaml_parser_set_input_file(&p, f);
        while (!done) {
            if (!yaml_parser_parse(&p, &ev)) {
                fprintf(stderr, "%s: parse error\n", argv[i]);
                return 2;
            }
            done = ev.type == YAML_STREAM_END_EVENT;
            events++;
            yaml_event_delete(&ev);
        }
        yaml_parser_delete(&p);
        fclose(f);
    }
    printf("%lu events\n", events);
    return 0;
}
