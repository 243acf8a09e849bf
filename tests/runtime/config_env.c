/* Prints the configuration read from the environment. Bad values must end the
 * process with status 2 and one line naming the variable (tests/run_expect.sh). */
#include <growstack.h>
#include <stdio.h>

static void *nothing(void *arg) { return arg; }

int main(void)
{
    gs_handle h = gs_spawn(nothing, NULL); /* first use reads the environment */
    gs_join(h, NULL);
    struct gs_config c;
    gs_config_get(&c);
    printf("mode=%s initial=%zu max=%zu segment=%zu stats=%d\n", gs_mode_name(c.mode), c.initial,
           c.max, c.segment, c.stats);
    return 0;
}
