/* argv_envp - main(argc, argv, envp) receives the arguments and environment
 * unchanged through __wrap_main and the coroutine entry: odd arguments (empty,
 * spaces, quotes, UTF-8, very long), envp equal to environ, getenv working.
 * The program runs itself as a child with chosen argv and environment. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#define LONG_LEN 100000

static char long_arg[LONG_LEN + 1];

static const char *const child_args[] = {
    "argv0 with spaces", "child", "", "two words", "quote\"d 'x'", "\xc3\xbc\xe2\x82\xac",
    "--flag=value", "-", NULL /* long_arg is appended */,
};
#define NCHILD_ARGS 8

static int child(int argc, char **argv, char **envp)
{
    E2E_EQ_LONG(argc, NCHILD_ARGS + 1);
    for (int i = 0; i < NCHILD_ARGS; i++)
        E2E_EQ_STR(argv[i], child_args[i]);
    E2E_EQ_LONG(strlen(argv[NCHILD_ARGS]), LONG_LEN);
    E2E_CHECK(strspn(argv[NCHILD_ARGS], "x") == LONG_LEN);
    E2E_CHECK(argv[argc] == NULL);
    E2E_CHECK(envp == environ);
    E2E_EQ_STR(getenv("E2E_VAR"), "value with = sign and spaces");
    E2E_EQ_STR(getenv("E2E_EMPTY"), "");
    E2E_CHECK(getenv("E2E_REMOVED") == NULL);
    int seen = 0;
    for (char **e = envp; *e; e++)
        seen += strcmp(*e, "E2E_VAR=value with = sign and spaces") == 0;
    E2E_EQ_LONG(seen, 1);
    printf("child saw %d arguments\n", argc);
    return 0;
}

int main(int argc, char **argv, char **envp)
{
    if (argc >= 2 && strcmp(argv[1], "child") == 0)
        return child(argc, argv, envp);

    /* This process got the same from its own start (before setenv below may
     * move environ). */
    E2E_CHECK(envp == environ);
    E2E_CHECK(argv[argc] == NULL);

    memset(long_arg, 'x', LONG_LEN);
    const char *args[NCHILD_ARGS + 2];
    for (int i = 0; i < NCHILD_ARGS; i++)
        args[i] = child_args[i];
    args[NCHILD_ARGS] = long_arg;
    args[NCHILD_ARGS + 1] = NULL;
    const char *env[] = {"E2E_VAR=value with = sign and spaces", "E2E_EMPTY=", "E2E_REMOVED",
                         NULL};
    setenv("E2E_REMOVED", "parent only", 1);
    struct e2e_child c;
    e2e_run_self(args, env, NULL, &c);
    E2E_CHILD_EXPECT(&c, 0, "child saw 9 arguments\n", "");
    e2e_child_free(&c);
    return e2e_done("argv_envp");
}
