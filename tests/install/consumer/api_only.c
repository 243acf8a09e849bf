/* api_only.c - plain C (not instrumented) using the runtime's API: its entry
 * function runs on a fixed stack (docs/usage.md section 2). */
#include <growstack.h>
#include <stdio.h>

static void *job(void *arg)
{
    int *n = arg;
    *n += 1;
    gs_yield();
    *n += 1;
    return arg;
}

int main(void)
{
    int n = 0;
    gs_handle h = gs_spawn(job, &n);
    gs_run();
    void *res = NULL;
    int ok = h && gs_join(h, &res) == 0 && res == &n && n == 2;
    printf("api_only: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
