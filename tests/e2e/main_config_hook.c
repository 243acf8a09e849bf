/* main_config_hook - configuring a gscc-built program from code. main already
 * runs on a coroutine, so gs_configure there returns EBUSY (as documented); the
 * program's gs_main_config hook runs once before main's coroutine exists, gets
 * the configuration of the environment and installs what it leaves in *cfg.
 * Children check that the environment reaches the hook (which here lets a
 * GROWSTACK_MAX win) and that an invalid result stops the program with status 2
 * and a line naming the hook. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define HOOK_MAX ((size_t)3 << 20)

static int hook_calls, hook_in_coroutine = -1;
static struct gs_config hook_saw;

void gs_main_config(struct gs_config *cfg)
{
    hook_calls++;
    hook_in_coroutine = gs_in_coroutine();
    hook_saw = *cfg;
    if (getenv("E2E_HOOK_INVALID")) {
        cfg->max = 1000;
        return;
    }
    if (!getenv("GROWSTACK_MAX"))
        cfg->max = HOOK_MAX;
    cfg->segment = 4096;
}

static void print_max(void)
{
    struct gs_config c;
    gs_config_get(&c);
    printf("max=%zu\n", c.max);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "print-max") == 0) {
        print_max();
        return 0;
    }
    E2E_EQ_LONG(hook_calls, 1);
    E2E_EQ_LONG(hook_in_coroutine, 0);
    E2E_CHECK(gs_in_coroutine());

    /* The hook saw the environment's mode; what it set is in force. */
    struct e2e_cfg m = e2e_cfg();
    E2E_EQ_LONG(hook_saw.mode, m.c.mode);
    E2E_EQ_LONG(m.c.max, HOOK_MAX);
    E2E_EQ_LONG(m.c.segment, 4096);

    /* Too late from main: documented EBUSY, nothing changes. */
    struct gs_config c = m.c;
    c.max = HOOK_MAX * 2;
    E2E_EQ_LONG(gs_configure(&c), EBUSY);
    E2E_EQ_LONG(e2e_cfg().c.max, HOOK_MAX);

    const char *args[] = {"main_config_hook", "print-max", NULL};
    struct e2e_child ch;
    const char *env_max[] = {"GROWSTACK_MAX=5m", NULL};
    e2e_run_self(args, env_max, NULL, &ch);
    E2E_CHILD_EXPECT(&ch, 0, "max=5242880\n", "");
    e2e_child_free(&ch);

    const char *env_bad[] = {"E2E_HOOK_INVALID=1", NULL};
    e2e_run_self(args, env_bad, NULL, &ch);
    E2E_CHILD_EXPECT(&ch, 2, "",
                     "growstack: gs_main_config: maximum size 1000 is out of range (2k to "
                     "1024g)\n");
    e2e_child_free(&ch);
    return e2e_done("main_config_hook");
}
