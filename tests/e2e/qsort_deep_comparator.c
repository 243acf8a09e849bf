/* qsort_deep_comparator - qsort and bsearch called from a coroutine, with a
 * comparator that recurses 1,000 frames deep before it compares. qsort is not
 * instrumented, so it runs on the system stack through the trampoline, and the
 * comparator (instrumented code called back from uninstrumented code) runs
 * there too, with the guard at 0: its 1,000 frames must not land on the
 * coroutine's small stack, and no check may fire (docs/protocol.md 1, 4.2).
 * Also at many depths of the coroutine (e2e_at_depths), so that the call into
 * qsort happens right at segment boundaries and after moves.
 *
 * bsearch: glibc's <stdlib.h> defines bsearch as an inline function at -O2
 * (__USE_EXTERN_INLINES), so a plain call is compiled into this file and calls
 * the comparator directly, on the coroutine's stack. The test calls libc's
 * bsearch through a pointer (system stack, like qsort) and, separately, the
 * inlined one a few times at the coroutine's base: there the comparator's
 * recursion grows the coroutine stack (checked in the growable modes). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define COMPARATOR_DEPTH 1000

struct item {
    int key;
    int payload; /* = f(key): checks that whole elements moved */
};

static long comparisons;

/* ~48-byte frames; the volatile slot keeps it a real recursion. */
__attribute__((noinline)) static int deep_compare(const struct item *a, const struct item *b,
                                                  int depth)
{
    volatile int slot = depth;
    if (depth == 0)
        return (a->key > b->key) - (a->key < b->key);
    int r = deep_compare(a, b, depth - 1);
    return slot == depth ? r : 99; /* a corrupted frame shows up as 99 */
}

static int cmp(const void *x, const void *y)
{
    comparisons++;
    return deep_compare(x, y, COMPARATOR_DEPTH);
}

static int payload_of(int key) { return key * 31 + 7; }

/* libc's bsearch, not the inline copy from <stdlib.h>: the address of an
 * extern inline function is that of the external definition. */
static void *(*volatile libc_bsearch)(const void *, const void *, size_t, size_t,
                                      int (*)(const void *, const void *)) = bsearch;

struct job {
    int n, inline_bsearch;
    long bad;
};

static void sort_and_search(void *arg)
{
    struct job *j = arg;
    int n = j->n;
    struct item *v = malloc((size_t)n * sizeof *v);
    if (!v)
        abort();
    for (int i = 0; i < n; i++) {
        int key = (int)((i * 7919L) % n) * 2; /* even keys 0..2n-2, shuffled */
        v[i].key = key;
        v[i].payload = payload_of(key);
    }
    qsort(v, (size_t)n, sizeof *v, cmp);
    for (int i = 0; i < n; i++)
        if (v[i].key != 2 * i || v[i].payload != payload_of(2 * i))
            j->bad++;
    /* Every key is found at its place; odd keys are not found. */
    for (int k = 0; k < n; k += 1 + n / 16) {
        struct item key = {.key = 2 * k};
        struct item *hit = libc_bsearch(&key, v, (size_t)n, sizeof *v, cmp);
        if (!hit || hit - v != k)
            j->bad++;
        key.key = 2 * k + 1;
        if (libc_bsearch(&key, v, (size_t)n, sizeof *v, cmp) != NULL)
            j->bad++;
    }
    if (j->inline_bsearch) {
        /* <stdlib.h>'s inline bsearch: the comparator runs on this stack. */
        for (int k = 0; k < n; k += n / 3) {
            struct item key = {.key = 2 * k};
            struct item *hit = bsearch(&key, v, (size_t)n, sizeof *v, cmp);
            if (!hit || hit - v != k)
                j->bad++;
        }
    }
    free(v);
}

static struct gs_stats phase[3];

static void *body(void *arg)
{
    struct job *j = arg;
    struct gs_stats t0 = e2e_stats();
    sort_and_search(j); /* at the coroutine's base, with a large array */
    phase[0] = e2e_stats_since(&t0);
    t0 = e2e_stats();
    j->inline_bsearch = 1;
    sort_and_search(j);
    j->inline_bsearch = 0;
    phase[1] = e2e_stats_since(&t0);
    t0 = e2e_stats();
    j->n = 40;
    e2e_at_depths(sort_and_search, j);
    phase[2] = e2e_stats_since(&t0);
    return NULL;
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    struct job j = {.n = 500};
    gs_handle h = gs_spawn(body, &j);
    E2E_CHECK(h != 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    E2E_EQ_LONG(j.bad, 0);
    printf("qsort_deep_comparator: %ld comparisons, each %d frames deep\n", comparisons,
           COMPARATOR_DEPTH);
    E2E_CHECK(comparisons > 500 * 8);
    e2e_print_growth("qsort_deep_comparator: qsort+bsearch at the base", &phase[0]);
    e2e_print_growth("qsort_deep_comparator: + inline bsearch", &phase[1]);
    e2e_print_growth("qsort_deep_comparator: at depths", &phase[2]);
    /* The comparator's thousands of 1,000-frame recursions under qsort and
     * libc's bsearch ran on the system stack: at the base they caused no
     * growth (with forced moves: a handful, by the calls of this file's own
     * functions; the comparator alone would make millions). */
    E2E_CHECK_MSG(phase[0].moves + phase[0].splits <= (m.forced ? 20u : 0u),
                  "qsort at the base: %llu moves, %llu splits",
                  (unsigned long long)phase[0].moves, (unsigned long long)phase[0].splits);
    /* Under the inline bsearch the comparator ran on the coroutine. */
    if (!m.fixed)
        E2E_CHECK(phase[1].moves + phase[1].splits > 0);
    /* At depths: what grew is the descent of e2e_at_depths (3,000 frames of 32
     * bytes), so contiguous mode moved only a few times. */
    if (m.contiguous && !m.forced)
        E2E_CHECK_MSG(phase[2].moves + phase[2].splits < 20, "%llu moves, %llu splits",
                      (unsigned long long)phase[2].moves, (unsigned long long)phase[2].splits);
    return e2e_done("qsort_deep_comparator");
}
