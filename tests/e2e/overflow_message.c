/* overflow_message - what an overflow report says is true (issue 11, items 7
 * and 8). The program runs itself as a child recursing without end, with
 * GROWSTACK_MAX=128k and GROWSTACK_STATS=1, in the mode of the configuration,
 * and reads the child's stderr:
 *
 *   growstack: stack overflow in coroutine N (endless), mode M: WHY; U bytes
 *     of stack in use, the next frame needs K more, limit 131072 (GROWSTACK_MAX)
 *
 *  - U never exceeds the limit (fixed mode said "stack reached 135104 bytes,
 *    limit 131072": it counted the slack of the mapping's pages), and is close
 *    to it: the stack really was full (within 16 KiB);
 *  - the statistics are printed at the abort (atexit handlers do not run),
 *    and max_stack_bytes holds the aborting coroutine's stack: it was 0. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>
#include <inttypes.h>

static volatile long stop_at = -1; /* never reached */

__attribute__((noinline)) static long endless(long depth)
{
    volatile char pad[64];
    pad[depth & 63] = (char)depth;
    if (depth == stop_at)
        return 0;
    return endless(depth + 1) + pad[depth & 63];
}

static void *body(void *arg)
{
    (void)arg;
    return (void *)endless(0);
}

static int child(void)
{
    struct gs_spawn_attr attr = {.name = "endless"};
    gs_handle h = gs_spawn_with(body, NULL, &attr);
    if (!h)
        return 3;
    gs_join(h, NULL);
    return 4;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "child") == 0)
        return child();
    struct gs_config cfg;
    gs_config_get(&cfg);
    const long limit = 128 << 10;
    const char *args[] = {"overflow_message", "child", NULL};
    const char *env[] = {"GROWSTACK_MAX=128k", "GROWSTACK_STATS=1", NULL};
    struct e2e_child c;
    e2e_run_self(args, env, NULL, &c);
    E2E_CHECK_MSG(c.status == 128 + 6, "child status %d (want SIGABRT)\n%s", c.status, c.err);

    const char *line = strstr(c.err, "growstack: stack overflow in coroutine ");
    E2E_CHECK_MSG(line != NULL, "no overflow report:\n%s", c.err);
    char mode[32] = "";
    E2E_CHECK_MSG(sscanf(line, "growstack: stack overflow in coroutine %*u (endless), mode %31[a-z]",
                         mode) == 1,
                  "report: %s", line);
    E2E_EQ_STR(mode, gs_mode_name(cfg.mode));
    const char *nums = strchr(line, ';');
    unsigned long used = 0, need = 0, lim = 0;
    E2E_CHECK_MSG(nums && sscanf(nums, "; %lu bytes of stack in use, the next frame needs %lu "
                                       "more, limit %lu (GROWSTACK_MAX)",
                                 &used, &need, &lim) == 3,
                  "report: %s", line);
    E2E_EQ_LONG(lim, limit);
    E2E_CHECK_MSG(used <= (unsigned long)limit, "in use %lu is above the limit %ld", used, limit);
    E2E_CHECK_MSG(used + 16384 >= (unsigned long)limit,
                  "in use %lu: overflow reported %ld bytes before the limit", used,
                  limit - (long)used);
    E2E_CHECK_MSG(need > 0 && need < 4096, "the next frame needs %lu", need);

    const char *stats = strstr(c.err, "max_stack_bytes=");
    E2E_CHECK_MSG(stats != NULL, "no statistics at the abort:\n%s", c.err);
    unsigned long max_stack = 0;
    E2E_CHECK(stats && sscanf(stats, "max_stack_bytes=%lu", &max_stack) == 1);
    E2E_CHECK_MSG(max_stack >= used && max_stack <= (unsigned long)limit,
                  "max_stack_bytes=%lu with %lu in use, limit %ld", max_stack, used, limit);
    e2e_child_free(&c);
    return e2e_done("overflow_message");
}
