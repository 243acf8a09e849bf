/* vla_padding_across_move - the bytes between a VLA's end and the next 16-byte
 * boundary must not make the word holding the VLA's last bytes look like a
 * pointer into the stack (docs/protocol.md 5.3, plugin.md "dynamic allocas").
 *
 * The padding is not part of the array, so clang's -ftrivial-auto-var-init=zero
 * leaves it alone; it keeps what the stack held before. Here that is planted on
 * purpose: plant() fills its frame with addresses of the stack around it, and
 * returns; vla_then_move() then puts a VLA of 16k + 2 bytes in the same memory
 * (its last two bytes share a word with six stale bytes: the upper bytes of a
 * stack address), fills it and calls a recursion deep enough to make contiguous
 * mode move the stack. The conservative scan relocates every word of the live
 * stack whose value points into it; without the plugin zeroing the padding, the
 * straddling word is one of them and the VLA's last two bytes change.
 *
 * Checked in every configuration; the move happens in the contiguous ones
 * (first the stack grows to 64 KiB and stays there, then one more growth moves
 * it while the VLA is live). Found by running alloca_vla under valgrind, whose
 * memory layout made the straddling word point into the stack. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#define PLANT_WORDS 512

static volatile long sink;

/* Leaves addresses of its own frame in the memory below its caller's frame.
 * The frame address intrinsic pins this frame, which does not matter: it is
 * gone before anything moves. */
__attribute__((noinline)) static void plant(void)
{
    volatile uintptr_t words[PLANT_WORDS];
    uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
    for (int i = 0; i < PLANT_WORDS; i++)
        words[i] = fp - 8 * (uintptr_t)i;
    sink = (long)words[PLANT_WORDS - 1];
}

__attribute__((noinline)) static long grow(long depth)
{
    volatile char pad[200];
    pad[depth % 200] = (char)depth;
    return depth ? grow(depth - 1) + (pad[depth % 200] != (char)depth) : 0;
}

/* Out of line, so the compiler cannot keep a[]'s bytes in registers across
 * the recursion: the checks read memory. */
__attribute__((noinline)) static void fill(unsigned char *a, long n)
{
    for (long i = 0; i < n - 2; i++)
        a[i] = (unsigned char)(i * 5 + 3);
    a[n - 2] = 0x00;
    a[n - 1] = 0xff;
}

__attribute__((noinline)) static long verify(const unsigned char *a, long n)
{
    long bad = (a[n - 2] != 0x00) + (a[n - 1] != 0xff);
    for (long i = 0; i < n - 2; i++)
        bad += a[i] != (unsigned char)(i * 5 + 3);
    return bad;
}

/* n = 16k + 2: the last two bytes are 0x00, 0xff, so the straddling word is an
 * old stack address with its low 16 bits replaced by 0xff00, which lies inside
 * a 64 KiB stack block near its top: in the live part. */
__attribute__((noinline)) static long vla_then_move(long n, long depth)
{
    unsigned char a[n];
    fill(a, n);
    long bad = grow(depth);
    return bad + verify(a, n);
}

int main(void)
{
    /* A 64 KiB stack first (about 230 frames of ~240 bytes). */
    E2E_EQ_LONG(grow(230), 0);
    /* Then deeper each time: past the current size, so the stack moves with a[]
     * live (64 KiB to 128 KiB first: the case the 0xff00 above aims at). */
    for (long k = 0; k < 5; k++) {
        plant();
        E2E_EQ_LONG(vla_then_move(16 * k + 2, 300L << k), 0);
    }
    return e2e_done("vla_padding_across_move");
}
