/* printf_recursion_4k - a recursion that calls printf, snprintf and fprintf
 * with many arguments (more than the registers: the rest go on the stack and
 * must be copied to the system stack by the trampoline, with %al giving the
 * number of vector registers) at every level, on a coroutine started with a
 * 4 KiB stack. printf's own frames (several KiB) never touch that stack: the
 * calls run on the system stack (docs/protocol.md 4.2).
 *
 * Every output is compared with a string built here without stdio. stdout is
 * checked by running the program as a child (/proc/self/exe, same
 * environment) and comparing everything it printed; fprintf goes to an
 * open_memstream stream and to stderr (checked the same way), snprintf and a
 * variadic function of this file (not instrumented: reached through the
 * plugin's private thunk) to buffers. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>

#define DEPTH 300

static const char *const words[4] = {"alpha", "beta", "gamma", "delta"};

/* ---- building the expected text by hand -------------------------------- */

struct sb {
    char *p;
    size_t len, cap;
};

static void sb_putc(struct sb *b, char c)
{
    if (b->len + 2 > b->cap) {
        b->cap = b->cap ? 2 * b->cap : 256;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
    while (*s)
        sb_putc(b, *s++);
}

static void sb_uint(struct sb *b, unsigned long long v, unsigned base)
{
    char tmp[32];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n)
        sb_putc(b, tmp[--n]);
}

static void sb_int(struct sb *b, long long v)
{
    if (v < 0) {
        sb_putc(b, '-');
        sb_uint(b, (unsigned long long)-v, 10);
    } else {
        sb_uint(b, (unsigned long long)v, 10);
    }
}

/* The line of level d: see FORMAT and the arguments in line_args below. */
#define FORMAT                                                                   \
    "L%d|%ld|%lld|%u|%x|%o|%s|%c|%.2f|%.1Lf|%d,%d,%d,%d,%d,%d|%.3f|%5s|%-3d|%s\n"

static void expected_line(struct sb *b, int d)
{
    sb_putc(b, 'L');
    sb_int(b, d);
    sb_putc(b, '|');
    sb_int(b, d * 1000L);
    sb_putc(b, '|');
    sb_int(b, -d * 1000000LL);
    sb_putc(b, '|');
    sb_uint(b, (unsigned)d + 7, 10);
    sb_putc(b, '|');
    sb_uint(b, (unsigned)d * 255, 16);
    sb_putc(b, '|');
    sb_uint(b, (unsigned)d, 8);
    sb_putc(b, '|');
    sb_puts(b, words[d % 4]);
    sb_putc(b, '|');
    sb_putc(b, (char)('a' + d % 26));
    sb_putc(b, '|');
    sb_int(b, d); /* d + 0.25, "%.2f" */
    sb_puts(b, ".25|");
    sb_int(b, d); /* d + 0.5L, "%.1Lf" */
    sb_puts(b, ".5|");
    for (int k = 1; k <= 6; k++) {
        sb_int(b, d + k);
        sb_putc(b, k < 6 ? ',' : '|');
    }
    sb_int(b, d / 8); /* d * 0.125, "%.3f" */
    static const char *const eighths[8] = {".000", ".125", ".250", ".375",
                                           ".500", ".625", ".750", ".875"};
    sb_puts(b, eighths[d % 8]);
    sb_putc(b, '|');
    const char *w = words[(d + 1) % 4]; /* "%5s" */
    for (size_t n = strlen(w); n < 5; n++)
        sb_putc(b, ' ');
    sb_puts(b, w);
    sb_putc(b, '|');
    size_t before = b->len; /* "%-3d" */
    sb_int(b, d % 100);
    while (b->len - before < 3)
        sb_putc(b, ' ');
    sb_putc(b, '|');
    sb_puts(b, "end\n");
}

#define LINE_ARGS(d)                                                             \
    (d), (d) * 1000L, -(d) * 1000000LL, (unsigned)(d) + 7, (unsigned)(d) * 255,  \
        (unsigned)(d), words[(d) % 4], 'a' + (d) % 26, (d) + 0.25, (d) + 0.5L,   \
        (d) + 1, (d) + 2, (d) + 3, (d) + 4, (d) + 5, (d) + 6, (d) * 0.125,       \
        words[((d) + 1) % 4], (d) % 100, "end"

/* A variadic function of this file: never instrumented, it runs on the
 * system stack; it forwards to vsnprintf. */
static int my_format(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    return n;
}

/* ---- the recursion ----------------------------------------------------- */

struct ctx {
    FILE *mem;      /* fprintf target */
    int to_stdout;  /* child: printf every line, fprintf to stderr too */
    long mismatches;
};

__attribute__((noinline)) static long level(struct ctx *c, int d)
{
    char buf[256]; /* also makes this frame take the long form of the check */
    int n = snprintf(buf, sizeof buf, FORMAT, LINE_ARGS(d));
    struct sb want = {0};
    expected_line(&want, d);
    if (n != (int)want.len || strcmp(buf, want.p) != 0) {
        fprintf(stderr, "level %d: snprintf gave\n%s  want\n%s", d, buf, want.p);
        c->mismatches++;
    }
    char buf2[256];
    n = my_format(buf2, sizeof buf2, FORMAT, LINE_ARGS(d));
    if (n != (int)want.len || strcmp(buf2, want.p) != 0) {
        fprintf(stderr, "level %d: my_format gave\n%s  want\n%s", d, buf2, want.p);
        c->mismatches++;
    }
    free(want.p);
    if (fprintf(c->mem, FORMAT, LINE_ARGS(d)) != n)
        c->mismatches++;
    if (c->to_stdout) {
        printf(FORMAT, LINE_ARGS(d));
        fprintf(stderr, FORMAT, LINE_ARGS(d));
    }
    long r = d == 0 ? 0 : level(c, d - 1);
    /* the buffers of this frame survived the deeper levels */
    if (strncmp(buf, buf2, sizeof buf) != 0)
        c->mismatches++;
    return r + n;
}

static void *body(void *arg)
{
    struct ctx *c = arg;
    return (void *)level(c, DEPTH);
}

/* Run the recursion on a coroutine with a 4 KiB initial stack; returns the
 * number of bytes formatted per call chain and fills *memtext. */
static long run(int to_stdout, char **memtext, size_t *memlen, long *mismatches)
{
    struct ctx c = {.to_stdout = to_stdout};
    c.mem = open_memstream(memtext, memlen);
    if (!c.mem) {
        perror("open_memstream");
        exit(1);
    }
    struct gs_spawn_attr attr = {.name = "printf", .initial = 4096};
    gs_handle h = gs_spawn_with(body, &c, &attr);
    if (!h) {
        perror("gs_spawn_with");
        exit(1);
    }
    void *res = NULL;
    if (gs_join(h, &res) != 0)
        exit(1);
    fclose(c.mem);
    *mismatches = c.mismatches;
    return (long)res;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "child") == 0) {
        char *mem = NULL;
        size_t len = 0;
        long bad = 0;
        run(1, &mem, &len, &bad);
        free(mem);
        return bad ? 1 : 0;
    }

    struct sb all = {0};
    for (int d = DEPTH; d >= 0; d--)
        expected_line(&all, d);

    char *mem = NULL;
    size_t len = 0;
    long bad = -1;
    long total = run(0, &mem, &len, &bad);
    E2E_EQ_LONG(bad, 0);
    E2E_EQ_LONG(total, (long)all.len);
    E2E_EQ_LONG(len, all.len);
    E2E_CHECK(mem && strcmp(mem, all.p) == 0);
    free(mem);

    /* The same through printf to stdout and fprintf to stderr, in a child. */
    struct e2e_child c;
    const char *child_argv[] = {"printf_recursion_4k", "child", NULL};
    e2e_run_self(child_argv, NULL, NULL, &c);
    E2E_CHILD_EXPECT(&c, 0, all.p, all.p);
    e2e_child_free(&c);
    free(all.p);
    return e2e_done("printf_recursion_4k");
}
