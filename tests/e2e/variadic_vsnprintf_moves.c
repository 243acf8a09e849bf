/* variadic_vsnprintf_moves - a va_list used after the stack moved under it
 * (docs/protocol.md 7.1). A variadic body's va_list holds addresses of the
 * variadic arguments: the shell's register save area and the caller's stack
 * arguments, both on the moving stack. It must stay on the moving stack (a
 * move relocates it with them) or pin the frame; on the side stack a move
 * would leave it pointing into the freed old stack. Runs with
 * GROWSTACK_POISON=1 in every configuration, so a stale va_list reads poison
 * (it crashed in contiguous mode before the fix); under contiguous-forced the
 * stack moves at every call.
 *  - fmt_after_growth: va_start, a va_copy, a recursion that grows (moves)
 *    the stack, then vsnprintf from both: the va_list stays on the moving
 *    stack (vsnprintf keeps no copy: the library table's "deep"), no pin;
 *  - fwd_after_growth: the va_list handed to a function of another object,
 *    which grows the stack again before vsnprintf reads it: passing a va_list
 *    to any function keeps it on the moving stack, no pin (the forwarding
 *    across many moves is variadic_va_list_passed's subject).
 * Eleven arguments after the format: integers and doubles beyond the
 * registers, so the va_list reads the caller's stack arguments too. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <stdarg.h>

#include "variadic_vsnprintf_moves.h"

__attribute__((noinline)) long vm_grow(long n)
{
    volatile char pad[512];
    pad[n & 511] = (char)n;
    return n ? vm_grow(n - 1) + pad[n & 511] : 0;
}

__attribute__((noinline)) int fmt_after_growth(char *buf, size_t len, char *copy, size_t clen, const char *f, ...)
{
    va_list ap, ap2;
    va_start(ap, f);
    va_copy(ap2, ap);
    vm_grow(VM_DEPTH);
    int n = vsnprintf(buf, len, f, ap);
    vsnprintf(copy, clen, f, ap2);
    va_end(ap2);
    va_end(ap);
    return n;
}

__attribute__((noinline)) int fwd_after_growth(char *buf, size_t len, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vm_grow(VM_DEPTH);
    int n = vm_vformat(buf, len, f, ap);
    va_end(ap);
    return n;
}

static const char expect[] = "1 two 3.5 4 5 6 7 8 9.25 10 -11 twelve";

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    char buf[128], copy[128], word[8] = "twelve";
    struct gs_stats before = e2e_stats();
    int n = fmt_after_growth(buf, sizeof buf, copy, sizeof copy, VM_FORMAT, 1, "two", 3.5, 4L,
                             5, 6, 7, 8, 9.25, 10L, -11, word);
    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth("variadic_vsnprintf_moves", &d);
    E2E_EQ_STR(buf, expect);
    E2E_EQ_STR(copy, expect);
    E2E_EQ_LONG(n, (long)strlen(expect));
    if (m.contiguous) {
        E2E_CHECK(d.moves > 0);
        E2E_EQ_LONG(d.pins, 0);
    }
    if (m.segmented)
        E2E_CHECK(d.splits > 0);

    memset(buf, 0, sizeof buf);
    before = e2e_stats();
    n = fwd_after_growth(buf, sizeof buf, VM_FORMAT, 1, "two", 3.5, 4L, 5, 6, 7, 8, 9.25, 10L,
                         -11, word);
    d = e2e_stats_since(&before);
    e2e_print_growth("variadic_vsnprintf_moves: forwarded", &d);
    E2E_EQ_STR(buf, expect);
    E2E_EQ_LONG(n, (long)strlen(expect));
    if (m.contiguous)
        E2E_EQ_LONG(d.pins, 0);
    return e2e_done("variadic_vsnprintf_moves");
}
