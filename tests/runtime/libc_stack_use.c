/* The thunks of the C library functions in arch/x86_64/gs_libc_leaves.h call
 * them straight on the coroutine stack when it holds BYTES above the guard
 * (docs/protocol.md 4.1a). Measure, for each of them, the deepest stack write
 * on every path the probes below can reach, its slow paths and its error
 * reports included, and fail if any exceeds its BYTES.
 *
 * Each probe runs in a child process (a fresh heap, and the error reports end
 * in abort()): it paints 256 KiB below %rsp, calls the probe, and reports the
 * deepest overwritten word, from a SIGABRT handler on an alternate stack when
 * the probe aborts. The figure includes the probe's own small frame and the
 * return address, so it is an upper bound. Exit status 77 (skipped) when the C
 * library is not the version the table was measured on: the runtime does not
 * use the figures then (gs_libc_leaves_text_lo/hi stay empty).
 *
 * The paths: a new thread's first malloc (its arena and tcache), mmap'd
 * chunks, heap growth with sbrk, consolidation of fastbins, trimming, realloc
 * in place, by copy and by mremap, calloc, memalign; the error reports: double
 * free (tcache and fastbin), a corrupted chunk, a corrupted top (its size
 * check, and sysmalloc's assertion), invalid pointers to free and realloc.
 * A probe calls several functions of the family (malloc and free, mostly):
 * its figure counts against each function it names.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gs_libc_leaves.h"
#include "painted_stack.h"

#define PAINT_BYTES 262144

char *paint_lo, *paint_hi; /* read by measure() and the SIGABRT handler */

PAINTED_STACK_MEASURE_RECORD(PAINT_BYTES, paint_lo, paint_hi);

static size_t painted_depth(void)
{
    const uint64_t *p = (const uint64_t *)paint_lo;
    while ((const char *)p < paint_hi && *p == PAINTED_STACK_WORD)
        p++;
    return (size_t)(paint_hi - (const char *)p);
}

static int report_fd = -1;

static void report(size_t bytes)
{
    char b[32];
    int n = snprintf(b, sizeof b, "%zu\n", bytes);
    if (write(report_fd, b, (size_t)n) != n)
        _exit(3);
}

static void on_abort(int sig)
{
    (void)sig;
    report(painted_depth());
    _exit(0);
}

/* Called through volatile pointers: the compiler may not pair or elide them. */
static void *volatile sink;
static void *(*volatile f_malloc)(size_t) = malloc;
static void (*volatile f_free)(void *) = free;
static void *(*volatile f_calloc)(size_t, size_t) = calloc;
static void *(*volatile f_realloc)(void *, size_t) = realloc;
static size_t (*volatile f_usable)(void *) = malloc_usable_size;
static int (*volatile f_memalign)(void **, size_t, size_t) = posix_memalign;
static void *(*volatile f_aligned)(size_t, size_t) = aligned_alloc;

static void *many[20000];

static void p_malloc_small(void *a) { (void)a; sink = f_malloc(24); }
/* A thread's first malloc creates its arena and its tcache. Measured inside
 * the thread (the probe's own figure, thread creation included, is not used). */
static size_t inner_result;
static void p_thread_first(void *a)
{
    (void)a;
    sink = f_malloc(100);
    f_free(sink);
    sink = f_calloc(10, 100);
    sink = f_realloc(sink, 5000);
}
static void *thread_first(void *a)
{
    (void)a;
    inner_result = measure(p_thread_first, NULL);
    return NULL;
}
static void p_in_new_thread(void *a)
{
    (void)a;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 1 << 20);
    pthread_t t;
    pthread_create(&t, &at, thread_first, NULL);
    pthread_join(t, NULL);
}
static void p_malloc_mmap(void *a) { (void)a; sink = f_malloc(64 << 20); }
static void p_malloc_sbrk(void *a) { (void)a; for (int i = 0; i < 1000; i++) many[i] = f_malloc(100000); }
static void p_free_munmap(void *a) { (void)a; f_free(f_malloc(64 << 20)); }
static void p_consolidate(void *a)
{
    (void)a;
    for (int i = 0; i < 20000; i++)
        many[i] = f_malloc(64);
    for (int i = 0; i < 20000; i += 2)
        f_free(many[i]);
    sink = f_malloc(200000);
    for (int i = 1; i < 20000; i += 2)
        f_free(many[i]);
}
static void p_trim(void *a)
{
    (void)a;
    for (int i = 0; i < 2000; i++)
        many[i] = f_malloc(1000);
    for (int i = 1999; i >= 0; i--)
        f_free(many[i]);
}
static void p_realloc(void *a)
{
    (void)a;
    void *p = NULL;
    for (int i = 1; i < 5000; i++)
        p = f_realloc(p, (size_t)i * 1000);
    p = f_realloc(p, 10);
    f_free(p);
}
static void p_realloc_mremap(void *a)
{
    (void)a;
    void *p = f_malloc(1 << 20);
    for (size_t i = 2; i < 64; i++)
        p = f_realloc(p, i << 20);
    f_free(p);
}
static void p_calloc(void *a)
{
    (void)a;
    sink = f_calloc(10, 10);
    sink = f_calloc(1000, 1000);
    sink = f_calloc(100000, 1000);
}
static void p_usable(void *a) { (void)a; sink = (void *)f_usable(f_malloc(100)); }
static void p_memalign(void *a)
{
    (void)a;
    void *p;
    if (f_memalign(&p, 4096, 100000) == 0)
        f_free(p);
    sink = f_aligned(64, 128);
    sink = f_aligned(1 << 16, 5000000);
}
/* Error reports (they abort). */
static void p_double_free(void *a) { (void)a; void *p = f_malloc(24); f_free(p); f_free(p); }
static void p_double_free_fast(void *a)
{
    (void)a;
    void *q[10];
    for (int i = 0; i < 10; i++)
        q[i] = f_malloc(24);
    for (int i = 0; i < 10; i++)
        f_free(q[i]);
    f_free(q[9]);
}
static void p_corrupt_chunk(void *a)
{
    (void)a;
    char *p = f_malloc(100), *q = f_malloc(100);
    memset(p, 0xff, 120);
    f_free(q);
    f_free(p);
    sink = f_malloc(100);
}
static void p_corrupt_top(void *a)
{
    (void)a;
    char *p = f_malloc(100);
    memset(p, 0xff, 200);
    sink = f_malloc(1000000 - 1000);
    sink = f_malloc(100000);
}
/* A top chunk whose size field is small and has PREV_INUSE clear passes
 * _int_malloc's "corrupted top size" check and fails sysmalloc's assertion
 * (malloc's own __malloc_assert: __libc_message, not __assert_fail). */
static void p_sysmalloc_assert(void *a)
{
    (void)a;
    char *p = f_malloc(100); /* a 112-byte chunk: the top chunk's size is at p + 104 */
    *(size_t *)(p + 104) = 0x1000;
    sink = f_malloc(0x5000);
}
static void p_free_invalid(void *a) { (void)a; char *p = f_malloc(100); f_free(p + 16); }
static void p_realloc_invalid(void *a) { (void)a; char *p = f_malloc(100); sink = f_realloc(p + 16, 1000); }

struct probe {
    const char *name;
    const char *functions; /* the gs_libc_leaves.h entries it calls, space-separated */
    void (*fn)(void *);
    int aborts;
};

static const struct probe probes[] = {
    {"malloc (tcache)", "malloc", p_malloc_small, 0},
    {"malloc (a new thread's arena)", "malloc free calloc realloc", p_in_new_thread, 0},
    {"malloc (mmap)", "malloc", p_malloc_mmap, 0},
    {"malloc (sbrk)", "malloc", p_malloc_sbrk, 0},
    {"malloc/free (consolidate)", "malloc free", p_consolidate, 0},
    {"free (munmap)", "malloc free", p_free_munmap, 0},
    {"free (trim)", "malloc free", p_trim, 0},
    {"realloc", "realloc free", p_realloc, 0},
    {"realloc (mremap)", "malloc realloc free", p_realloc_mremap, 0},
    {"calloc", "calloc", p_calloc, 0},
    {"malloc_usable_size", "malloc malloc_usable_size", p_usable, 0},
    {"posix_memalign/aligned_alloc", "posix_memalign aligned_alloc free", p_memalign, 0},
    {"free: double free (tcache)", "malloc free", p_double_free, 1},
    {"free: double free (fastbin)", "malloc free", p_double_free_fast, 1},
    {"free: corrupted chunk", "malloc free", p_corrupt_chunk, 1},
    {"malloc: corrupted top", "malloc", p_corrupt_top, 1},
    {"free: invalid pointer", "malloc free", p_free_invalid, 1},
    {"realloc: invalid pointer", "malloc realloc", p_realloc_invalid, 1},
    {"malloc: sysmalloc assertion", "malloc", p_sysmalloc_assert, 1},
};

static size_t run_in_child(const struct probe *p)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(2);
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        report_fd = fds[1];
        static char altstack[65536];
        stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
        sigaltstack(&ss, NULL);
        struct sigaction sa = {.sa_handler = on_abort, .sa_flags = SA_ONSTACK};
        sigaction(SIGABRT, &sa, NULL);
        if (p->aborts) { /* the C library's report goes to stderr: keep the log readable */
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, 2);
        }
        size_t used = measure(p->fn, NULL);
        report(inner_result ? inner_result : used);
        _exit(0);
    }
    close(fds[1]);
    char b[32] = {0};
    ssize_t n = read(fds[0], b, sizeof b - 1);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (n <= 0) {
        printf("%-32s did not report (status 0x%x)\n", p->name, status);
        exit(1);
    }
    return strtoul(b, NULL, 10);
}

struct leaf {
    const char *name;
    size_t bytes, worst;
};
#define LEAF(name, bytes) {#name, bytes, 0},
static struct leaf leaves[] = {GS_LIBC_LEAVES(LEAF)};
#define NLEAVES (sizeof leaves / sizeof leaves[0])

int main(void)
{
    if (strcmp(gnu_get_libc_version(), GS_LIBC_LEAVES_VERSION) != 0) {
        printf("glibc %s: the table was measured on %s, the runtime does not use it here\n",
               gnu_get_libc_version(), GS_LIBC_LEAVES_VERSION);
        return 77;
    }
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        size_t worst = 0;
        for (int rep = 0; rep < 2; rep++) {
            size_t used = run_in_child(&probes[i]);
            if (used > worst)
                worst = used;
        }
        printf("%-32s %-36s %6zu bytes\n", probes[i].name, probes[i].functions, worst);
        char names[128];
        snprintf(names, sizeof names, "%s", probes[i].functions);
        for (char *save, *f = strtok_r(names, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
            int found = 0;
            for (size_t k = 0; k < NLEAVES; k++)
                if (strcmp(leaves[k].name, f) == 0) {
                    found = 1;
                    if (worst > leaves[k].worst)
                        leaves[k].worst = worst;
                }
            if (!found) {
                printf("probe %s names %s, which is not in gs_libc_leaves.h\n", probes[i].name, f);
                return 1;
            }
        }
    }
    int failures = 0;
    printf("\n%-22s %8s %8s\n", "function", "worst", "BYTES");
    for (size_t k = 0; k < NLEAVES; k++) {
        int over = leaves[k].worst > leaves[k].bytes;
        int unmeasured = leaves[k].worst == 0;
        printf("%-22s %8zu %8zu %s\n", leaves[k].name, leaves[k].worst, leaves[k].bytes,
               over ? "OVER BYTES" : unmeasured ? "NOT MEASURED" : "");
        failures += over || unmeasured;
    }
    return failures ? 1 : 0;
}
