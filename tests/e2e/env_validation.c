/* env_validation - the GROWSTACK_* variables of a gscc-built program: invalid
 * values stop the program before main with status 2 and a one-line message
 * naming the variable; valid sizes with k/m/g suffixes are accepted; fixed
 * mode does not read GROWSTACK_INITIAL and GROWSTACK_SEGMENT; GROWSTACK_STATS=1
 * prints counters on stderr at exit. The program runs itself as a child with
 * each environment (the mode under test is inherited). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

__attribute__((noinline)) static long recurse(int depth)
{
    volatile char pad[200];
    const int ix = (int)(depth & 7); /* not constant: the array stays whole */
    pad[ix] = 1;
    return depth <= 0 ? 0 : recurse(depth - 1) + pad[ix];
}

static int child(void)
{
    printf("main ran: %ld\n", recurse(2000));
    return 0;
}

/* A child that must be refused: status 2, stderr names `var`, stdout empty. */
static void expect_refused(const char *setting, const char *var)
{
    const char *args[] = {"env_validation", "child", NULL};
    const char *env[] = {setting, NULL};
    struct e2e_child c;
    e2e_run_self(args, env, NULL, &c);
    E2E_CHECK_MSG(c.status == 2 && c.out_len == 0 && strstr(c.err, var) &&
                      strncmp(c.err, "growstack: ", 11) == 0 &&
                      strchr(c.err, '\n') == c.err + c.err_len - 1,
                  "%s: status %d (want 2), stdout \"%s\", stderr \"%s\" (want one "
                  "\"growstack: \" line naming %s)",
                  setting, c.status, c.out, c.err, var);
    e2e_child_free(&c);
}

static void expect_accepted(const char *const *env, int want_stderr)
{
    const char *args[] = {"env_validation", "child", NULL};
    struct e2e_child c;
    e2e_run_self(args, env, NULL, &c);
    E2E_CHECK_MSG(c.status == 0 && strcmp(c.out, "main ran: 2000\n") == 0 &&
                      (want_stderr ? c.err_len > 0 : c.err_len == 0),
                  "%s %s: status %d, stdout \"%s\", stderr \"%s\"", env[0],
                  env[1] ? env[1] : "", c.status, c.out, c.err);
    e2e_child_free(&c);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "child") == 0)
        return child();

    expect_refused("GROWSTACK_MODE=bogus", "GROWSTACK_MODE");
    expect_refused("GROWSTACK_MODE=", "GROWSTACK_MODE");
    const char *mode = getenv("GROWSTACK_MODE");
    if (mode && strcmp(mode, "fixed") == 0) {
        /* Fixed mode has no initial size and no segments: not even read. */
        const char *junk[] = {"GROWSTACK_INITIAL=12q", "GROWSTACK_SEGMENT=-4k", NULL};
        expect_accepted(junk, 0);
    } else {
        expect_refused("GROWSTACK_INITIAL=12q", "GROWSTACK_INITIAL");
        expect_refused("GROWSTACK_INITIAL=-4k", "GROWSTACK_INITIAL");
        expect_refused("GROWSTACK_SEGMENT=8kb", "GROWSTACK_SEGMENT");
        /* A size the user set against a default limit names what was set. */
        expect_refused("GROWSTACK_INITIAL=2g", "GROWSTACK_INITIAL");
    }

    expect_refused("GROWSTACK_MAX=1k", "GROWSTACK_MAX");
    expect_refused("GROWSTACK_MAX=99999999999g", "GROWSTACK_MAX");
    expect_refused("GROWSTACK_STATS=yes", "GROWSTACK_STATS");
    expect_refused("GROWSTACK_THREADS=2", "GROWSTACK_THREADS");

    const char *sizes[] = {"GROWSTACK_INITIAL=4k", "GROWSTACK_MAX=64m", NULL};
    expect_accepted(sizes, 0);
    const char *sizes2[] = {"GROWSTACK_SEGMENT=16K", "GROWSTACK_MAX=1G", NULL};
    expect_accepted(sizes2, 0);
    const char *stats[] = {"GROWSTACK_STATS=1", NULL};
    expect_accepted(stats, 1);
    const char *nostats[] = {"GROWSTACK_STATS=0", NULL};
    expect_accepted(nostats, 0);
    return e2e_done("env_validation");
}
