/* Prints the configuration read from the environment. Bad values must end the
 * process with status 2 and one line naming the variable (tests/run_expect.sh).
 * With an argument, the printed line (without its newline) must equal it, or
 * the program exits with status 1. */
#include <growstack.h>
#include <stdio.h>
#include <string.h>

static void *nothing(void *arg) { return arg; }

int main(int argc, char **argv)
{
    gs_handle h = gs_spawn(nothing, NULL); /* first use reads the environment */
    gs_join(h, NULL);
    struct gs_config c;
    gs_config_get(&c);
    char line[256];
    snprintf(line, sizeof line, "mode=%s initial=%zu max=%zu segment=%zu stats=%d",
             gs_mode_name(c.mode), c.initial, c.max, c.segment, c.stats);
    puts(line);
    if (argc > 1 && strcmp(line, argv[1]) != 0) {
        printf("expected: %s\n", argv[1]);
        return 1;
    }
    return 0;
}
