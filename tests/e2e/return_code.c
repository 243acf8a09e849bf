/* return_code - the value main returns is the process' exit status (main runs
 * on a coroutine; __wrap_main hands its result back to the C library). The
 * program runs itself as a child returning several values. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "child") == 0)
        return atoi(argv[2]); /* 256 wraps to 0, as for any C program */

    static const struct { const char *arg; int status; } cases[] = {
        {"0", 0}, {"1", 1}, {"42", 42}, {"200", 200}, {"255", 255}, {"256", 0}, {"-1", 255},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct e2e_child c;
        const char *args[] = {"return_code", "child", cases[i].arg, NULL};
        e2e_run_self(args, NULL, NULL, &c);
        E2E_CHILD_EXPECT(&c, cases[i].status, "", "");
        e2e_child_free(&c);
    }
    return e2e_done("return_code");
}
