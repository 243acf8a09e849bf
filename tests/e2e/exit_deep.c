/* exit_deep - exit() called deep inside recursion, on main's coroutine and on
 * another coroutine: atexit handlers run, buffered stdout is flushed, the
 * status is the one given to exit(). The program runs itself as a child
 * (/proc/self/exe) in each mode and checks what comes out. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>

static volatile int reached_depth;

static void on_exit_handler(void)
{
    printf("atexit handler: reached depth %d\n", reached_depth);
    /* still ours: stdout is flushed after the handlers */
}

__attribute__((noinline)) static long dive_and_exit(int depth, int status)
{
    volatile char pad[64];
    const int ix = (int)(depth & 7); /* not constant: the array stays whole */
    pad[ix] = 1;
    reached_depth++;
    if (depth == 0) {
        printf("exiting with %d\n", status); /* buffered: a pipe, not a tty */
        exit(status);
    }
    return dive_and_exit(depth - 1, status) + pad[ix];
}

static void *coroutine_body(void *arg)
{
    dive_and_exit((int)(long)arg, 9);
    return NULL;
}

static int child(const char *how)
{
    atexit(on_exit_handler);
    if (strcmp(how, "main") == 0) {
        dive_and_exit(5000, 7);
    } else if (strcmp(how, "coroutine") == 0) {
        gs_handle h = gs_spawn(coroutine_body, (void *)3000L);
        if (!h) {
            perror("gs_spawn");
            return 3;
        }
        gs_join(h, NULL);
    }
    fprintf(stderr, "exit_deep: child returned instead of exiting\n");
    return 4;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "child") == 0)
        return child(argv[2]);

    struct e2e_child c;
    const char *main_argv[] = {"exit_deep", "child", "main", NULL};
    e2e_run_self(main_argv, NULL, NULL, &c);
    E2E_CHILD_EXPECT(&c, 7, "exiting with 7\natexit handler: reached depth 5001\n", "");
    e2e_child_free(&c);

    const char *coro_argv[] = {"exit_deep", "child", "coroutine", NULL};
    e2e_run_self(coro_argv, NULL, NULL, &c);
    E2E_CHILD_EXPECT(&c, 9, "exiting with 9\natexit handler: reached depth 3001\n", "");
    e2e_child_free(&c);
    return e2e_done("exit_deep");
}
