/* frames_larger_than_segment - functions whose frames (local arrays, every
 * page touched) are 20 KiB, 100 KiB and 1 MiB, much larger than a segment
 * (8 KiB by default, 2 KiB in segmented-tiny): segmented growth must allocate a
 * segment as large as the frame, contiguous growth a stack large enough at
 * once. Called at many depths (e2e_at_depths), alone and nested (1 MiB ->
 * 100 KiB -> 20 KiB), one of them with stack arguments (copied to the new
 * segment with the frame). Results are checked; in segmented mode the calls
 * must have split, and every mode must have reached a stack of over 1 MiB. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define PAGE 4096

/* Fill one byte per 512 of the array with a value from (seed, index), read
 * them back and sum them. volatile: the array is really there and touched. */
#define TOUCH(buf, size, seed, sum)                                              \
    do {                                                                         \
        for (size_t i_ = 0; i_ < (size); i_ += 512)                              \
            (buf)[i_] = (unsigned char)((seed) + i_ / 512);                      \
        (buf)[(size) - 1] = (unsigned char)(seed);                               \
        for (size_t i_ = 0; i_ < (size); i_ += 512)                              \
            (sum) += (buf)[i_];                                                  \
        (sum) += (buf)[(size) - 1];                                              \
    } while (0)

static long expect_touch(size_t size, long seed)
{
    long sum = 0;
    for (size_t i = 0; i < size; i += 512)
        sum += (unsigned char)(seed + i / 512);
    return sum + (unsigned char)seed;
}

/* Not constants: the compiler must really pass them (on the stack, for the
 * last two of frame_100k's). */
static volatile long k1 = 1, k2 = 2, k3 = 3, k4 = 4, k5 = 5, k6 = 6, k7 = 7;

#define K20 (20 * 1024)
#define K100 (100 * 1024)
#define M1 (1024 * 1024)

__attribute__((noinline)) static long frame_20k(long seed)
{
    volatile unsigned char buf[K20];
    long sum = 0;
    TOUCH(buf, (size_t)K20, seed, sum);
    return sum;
}

/* Eight integer arguments: two of them on the stack (16 bytes of ARGS). */
__attribute__((noinline)) static long frame_100k(long seed, long a, long b, long c, long d,
                                                 long e, long f, long g, int nest)
{
    volatile unsigned char buf[K100];
    long sum = 0;
    TOUCH(buf, (size_t)K100, seed, sum);
    sum += a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g;
    if (nest)
        sum += frame_20k(seed + 1);
    /* The array is still intact after the call. */
    if (buf[0] != (unsigned char)seed || buf[K100 - 1] != (unsigned char)seed)
        sum = -1;
    return sum;
}

__attribute__((noinline)) static long frame_1m(long seed, int nest)
{
    volatile unsigned char buf[M1];
    long sum = 0;
    TOUCH(buf, (size_t)M1, seed, sum);
    if (nest)
        sum += frame_100k(seed + 2, k1, k2, k3, k4, k5, k6, k7, 1);
    if (buf[512] != (unsigned char)(seed + 1) || buf[M1 - 1] != (unsigned char)seed)
        sum = -1;
    return sum;
}

static long seed_counter;

static void check(void *arg)
{
    (void)arg;
    long s = ++seed_counter;
    long args = 1 * 1 + 2 * 2 + 3 * 3 + 4 * 4 + 5 * 5 + 6 * 6 + 7 * 7;
    E2E_EQ_LONG(frame_20k(s), expect_touch(K20, s));
    E2E_EQ_LONG(frame_100k(s, k1, k2, k3, k4, k5, k6, k7, 0), expect_touch(K100, s) + args);
    E2E_EQ_LONG(frame_1m(s, 0), expect_touch(M1, s));
    E2E_EQ_LONG(frame_1m(s, 1), expect_touch(M1, s) + expect_touch(K100, s + 2) + args +
                                    expect_touch(K20, s + 3));
}

static void *body(void *arg)
{
    e2e_at_depths(check, arg);
    return NULL;
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    struct gs_stats before = e2e_stats();
    gs_handle h = gs_spawn(body, NULL);
    E2E_CHECK(h != 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth("frames_larger_than_segment", &d);
    E2E_EQ_LONG(seed_counter, 54);
    struct gs_stats now = e2e_stats();
    E2E_CHECK_MSG(now.max_stack_bytes > (uint64_t)M1 + K100 + K20,
                  "max_stack_bytes %llu", (unsigned long long)now.max_stack_bytes);
    if (m.segmented) {
        /* The first calls split into new segments of the frame's size (later
         * ones reuse the cached 2 MiB one, or run in it when the descent
         * itself went there). */
        E2E_CHECK(d.splits >= 54);
        E2E_CHECK(d.segments_new >= 3);
    }
    if (m.contiguous)
        E2E_CHECK(d.moves > 0);
    return e2e_done("frames_larger_than_segment");
}
