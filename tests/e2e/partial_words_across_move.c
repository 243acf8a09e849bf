/* partial_words_across_move.c - bytes the program writes into a large local
 * keep their values across stack moves (protocol.md 5.3 item 3,
 * compiler-plugin/ZeroLocals.h).
 *
 * gscc has clang zero locals of up to 32 bytes; larger ones are zeroed by the
 * plugin, and only in the words the program writes in part. Here each round
 * first leaves values that look like addresses of the live stack where the
 * victim's array will be (dirty), then the victim writes single bytes into its
 * array: at constant offsets, at a bounded index, and into the last, short word
 * of an array whose size is not a multiple of 8. Each byte is byte 1 of an
 * address in the live part of the stack. If the plugin left such a word
 * unzeroed, its other seven bytes would be dirty's, the whole word would be an
 * address of the live stack, and a move would add its distance to it, changing
 * the program's byte. Checked at many depths (e2e_at_depths), in every mode;
 * contiguous-forced moves at every check. It fails when the plugin's zeroing
 * is left out (checked by building it so).
 */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define BIG 203 /* not a multiple of 8: its last word is short */

static inline uintptr_t rsp(void)
{
    uintptr_t sp;
    __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
    return sp;
}

/* Fill about as much stack as victim's frame takes with addresses a little
 * above it (in the live part of the stack while victim runs). */
__attribute__((noinline)) static long dirty(long k)
{
    volatile uintptr_t w[48];
    const uintptr_t sp = rsp();
    for (int i = 0; i < 48; i++)
        w[i] = sp + 256 + 8 * (uintptr_t)i;
    return (long)(w[k & 47] & 1);
}

/* Grows the stack by about n * 128 bytes (moves it in contiguous mode). */
__attribute__((noinline)) static long grow(int n)
{
    volatile char pad[112];
    const int ix = n & 7; /* not constant: the array stays whole */
    pad[ix] = (char)n;
    return n <= 0 ? 0 : grow(n - 1) + (pad[ix] != (char)n);
}

__attribute__((noinline)) static long victim(long k)
{
    volatile unsigned char big[BIG];
    /* Byte 1 of an address of the live stack: with dirty's bytes around it
     * the word would be one. */
    const unsigned char tag = (unsigned char)((rsp() + 512) >> 8);
    const unsigned j = (unsigned)k & 15;
    big[1] = tag;             /* constant offsets: words 0 and 3 in part */
    big[25] = tag;
    big[8 * j + 41] = tag;    /* a bounded index: words 5..20 */
    big[BIG - 2] = tag;       /* the short last word (bytes 200..202) */
    long bad = grow(40 + (int)j);
    bad += big[1] != tag;
    bad += big[25] != tag;
    bad += big[8 * j + 41] != tag;
    bad += big[BIG - 2] != tag;
    return bad;
}

/* The same with the array kept alive by an empty asm barrier
 * (benchmark::DoNotOptimize's): gscc leaves it in the frame and zeroes the
 * same words as above (compiler-plugin/FrameAnalysis.h, isEmptyAsmBarrier). */
__attribute__((noinline)) static long victim_barrier(long k)
{
    volatile unsigned char big[BIG];
    __asm__ volatile("" : : "r"(big) : "memory");
    const unsigned char tag = (unsigned char)((rsp() + 512) >> 8);
    const unsigned j = (unsigned)k & 15;
    big[1] = tag;
    big[25] = tag;
    big[8 * j + 41] = tag;
    big[BIG - 2] = tag;
    long bad = grow(40 + (int)j);
    __asm__ volatile("" : : "r"(big) : "memory");
    bad += big[1] != tag;
    bad += big[25] != tag;
    bad += big[8 * j + 41] != tag;
    bad += big[BIG - 2] != tag;
    return bad;
}

static long rounds;

static void round_at_depth(void *arg)
{
    (void)arg;
    long k = rounds++;
    dirty(k);
    long bad = victim(k);
    E2E_CHECK_MSG(bad == 0, "round %ld: %ld of victim's bytes changed", k, bad);
    dirty(k);
    bad = victim_barrier(k);
    E2E_CHECK_MSG(bad == 0, "round %ld: %ld of victim_barrier's bytes changed", k, bad);
}

int main(void) /* main runs on a coroutine (gscc wraps it) */
{
    struct e2e_cfg m = e2e_cfg();
    struct gs_stats before = e2e_stats();
    e2e_at_depths(round_at_depth, NULL);
    struct gs_stats g = e2e_stats_since(&before);
    e2e_print_growth("partial_words_across_move", &g);
    E2E_CHECK(rounds > 40);
    if (m.contiguous)
        E2E_CHECK_MSG(g.moves > 0, "no move happened (%llu)", (unsigned long long)g.moves);
    return e2e_done("partial_words_across_move");
}
