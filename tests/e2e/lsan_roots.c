/* lsan_roots.c - -fsanitize=leak with coroutine stacks (docs/usage.md section
 * 5).
 *
 * LeakSanitizer looks for pointers in thread stacks, TLS and globals; a
 * coroutine's stack is none of those, so the runtime registers every stack
 * block as a root region while it is one (runtime/segment.c). Checked here:
 * a block that only suspended coroutines point to at exit is not reported,
 * also when their stacks grew (moved or chained segments) on the way, while a
 * block nothing points to still is, with its size.
 *
 * The parent runs itself as a child (LSan reports at exit, on stderr) and
 * checks the child's stderr: exactly one leak, the 77-byte one.
 */
#include "e2e.h"

#include <growstack.h>

static char *volatile dropped;

/* Deep enough to grow a 2 KiB stack several times before suspending. */
__attribute__((noinline)) static int hold_deep(int d)
{
    volatile char pad[96];
    pad[d & 7] = (char)d;
    if (d > 0)
        return hold_deep(d - 1) + pad[d & 7];
    char *volatile p = malloc(1000); /* only this frame holds it */
    memset((char *)p, 1, 1000);
    gs_yield(); /* never resumed */
    free((char *)p);
    return 0;
}

static void *holder(void *arg)
{
    return (void *)(long)hold_deep((int)(long)arg);
}

static int child(void)
{
    gs_handle h[6];
    for (int i = 0; i < 6; i++) {
        h[i] = gs_spawn(holder, (void *)(long)(i * 60)); /* 0 to 300 frames deep */
        E2E_EQ_LONG(gs_resume(h[i]), 0);
        E2E_CHECK(!gs_done(h[i]));
    }
    dropped = malloc(77);
    memset(dropped, 2, 77);
    dropped = NULL; /* a real leak */
    printf("child: 6 coroutines suspended\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();
    const char *args[] = {argv[0], "child", NULL};
    /* exitcode=0: the leak report alone is the result; GROWSTACK_LEAKCHECK=0:
     * growstack's own list of coroutines alive at exit is not this test's. */
    const char *env[] = {"LSAN_OPTIONS=exitcode=0", "GROWSTACK_LEAKCHECK=0", NULL};
    struct e2e_child c;
    e2e_run_self(args, env, NULL, &c);
    E2E_CHECK_MSG(c.status == 0, "child status %d, stderr:\n%s", c.status, c.err);
    E2E_EQ_STR(c.out, "child: 6 coroutines suspended\n");
    E2E_CHECK_MSG(strstr(c.err, "SUMMARY: LeakSanitizer: 77 byte(s) leaked in 1 allocation(s).") !=
                      NULL,
                  "not exactly the real leak reported (77 bytes; the blocks suspended "
                  "coroutines hold are 1000 each):\n%s",
                  c.err);
    E2E_CHECK_MSG(strstr(c.err, "Direct leak of 77 byte(s) in 1 object(s)") != NULL,
                  "the real leak is not reported:\n%s", c.err);
    e2e_child_free(&c);
    return e2e_done("lsan_roots");
}
