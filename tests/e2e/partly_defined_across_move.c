/* partly_defined_across_move - words that are partly uninitialised (a struct's
 * padding read together with its members) stay exactly as defined as they were
 * when the stack moves under them, so that memcheck reports nothing (docs/usage.md,
 * "valgrind"; runtime/segment.h, gs_seg_valgrind_vbits_save).
 *
 * A move relocates every word of the live stack, the saved registers and the
 * setjmp buffers: it reads the word and writes back word + (in range ? delta : 0).
 * To memcheck a word with one undefined byte makes that sum wholly undefined, so
 * after the move the program's own use of the word's defined bytes was reported
 * ("Conditional jump or move depends on uninitialised value(s)"). GNU sed's test
 * suite under valgrind showed it in contiguous mode with a move forced at every
 * check (its DFA keeps such words in callee-saved registers, 2026-12-06); the
 * reduction is words[] and reg below. Here such words live across growths and
 * forced moves: in a callee-saved register, in a local array on the moving
 * stack, and in a setjmp buffer's saved registers.
 *
 * Natively the checks are of the values only; the test that matters is this
 * program under memcheck (valgrind.partly_defined_across_move.contiguous-forced,
 * label valgrind), which fails with the relocation of the runtime before.
 */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <setjmp.h>

struct pos {
    long idx;
    unsigned c; /* then 4 bytes of padding, never written */
};

static struct pos *volatile heap_pos;
static volatile long sink;

/* The word holding c and the padding: low half defined, high half not. */
__attribute__((noinline)) static uint64_t half_defined(void)
{
    uint64_t w;
    memcpy(&w, (const char *)heap_pos + 8, 8);
    return w;
}

/* Deep enough to grow (and, forced, move) the stack many times. */
__attribute__((noinline)) static long deep(long n)
{
    volatile char pad[96];
    pad[n % 96] = (char)n;
    return n ? deep(n - 1) * 3 + n + pad[n % 96] : 0;
}

static jmp_buf env;

__attribute__((noinline)) static void jump_back(long n)
{
    sink = deep(n);
    longjmp(env, 1);
}

static void check_words(void *arg)
{
    (void)arg;
    uint64_t reg = half_defined(); /* kept in a callee-saved register */
    volatile uint64_t words[8];    /* on the moving stack */
    for (int i = 0; i < 8; i++)
        words[i] = half_defined() + (uint64_t)i;
    __asm__("" : "+r"(reg));
    long r = deep(300);
    __asm__("" : "+r"(reg));
    E2E_CHECK(r != 0);
    /* Only the defined halves are looked at. */
    E2E_EQ_LONG((unsigned)reg, 7);
    for (int i = 0; i < 8; i++)
        E2E_EQ_LONG((unsigned)words[i], 7 + i);

    /* A setjmp buffer with the half-defined word in a saved register. */
    uint64_t saved = half_defined();
    __asm__("" : "+r"(saved));
    if (setjmp(env) == 0)
        jump_back(200);
    __asm__("" : "+r"(saved));
    E2E_EQ_LONG((unsigned)saved, 7);
}

int main(void)
{
    heap_pos = malloc(sizeof *heap_pos); /* the padding is never written */
    E2E_CHECK(heap_pos != NULL);
    heap_pos->idx = 5;
    heap_pos->c = 7;
    e2e_at_depths(check_words, NULL);
    free(heap_pos);
    return e2e_done("partly_defined_across_move");
}
