/* stdio_streams - a gscc-built program's stdin, stdout and stderr are its
 * own: printf and write(1) reach stdout in order, stderr is unbuffered and
 * separate, stdin is read, and buffered output is flushed at the end of main.
 * The program runs itself as a child with pipes on all three streams. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

__attribute__((noinline)) static void deep_print(int depth)
{
    volatile char pad[32];
    const int ix = (int)(depth & 7); /* not constant: the array stays whole */
    pad[ix] = 0;
    if (depth > 0) {
        deep_print(depth - 1);
        return;
    }
    printf("from depth%s\n", pad[ix] ? "?" : "");
}

static int child(void)
{
    char line[128];
    if (!fgets(line, sizeof line, stdin))
        return 3;
    E2E_CHECK(fileno(stdin) == 0 && fileno(stdout) == 1 && fileno(stderr) == 2);
    printf("stdin said: %s", line);
    fflush(stdout);
    if (write(1, "raw write\n", 10) != 10)
        return 4;
    fprintf(stderr, "to stderr\n");
    deep_print(2000);
    if (!fgets(line, sizeof line, stdin))
        return 5;
    printf("second line: %s", line);
    E2E_CHECK(fgets(line, sizeof line, stdin) == NULL && feof(stdin));
    printf("unflushed at return"); /* no newline: flushed by exit */
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "child") == 0)
        return child();
    const char *args[] = {"stdio_streams", "child", NULL};
    struct e2e_child c;
    e2e_run_self(args, NULL, "ping\npong\n", &c);
    E2E_CHILD_EXPECT(&c, 0,
                     "stdin said: ping\nraw write\nfrom depth\nsecond line: pong\n"
                     "unflushed at return",
                     "to stderr\n");
    e2e_child_free(&c);
    return e2e_done("stdio_streams");
}
