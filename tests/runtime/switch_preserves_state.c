/* gs_ctx_switch keeps callee-saved registers, MXCSR and the x87 control word of
 * each side: set distinctive values, switch away and back, compare. */
#include <growstack.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned get_mxcsr(void) { unsigned v; __asm__ volatile("stmxcsr %0" : "=m"(v)); return v; }
static void set_mxcsr(unsigned v) { __asm__ volatile("ldmxcsr %0" : : "m"(v)); }
static unsigned short get_fcw(void) { unsigned short v; __asm__ volatile("fnstcw %0" : "=m"(v)); return v; }
static void set_fcw(unsigned short v) { __asm__ volatile("fldcw %0" : : "m"(v)); }

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

/* Run `call` with rbx, r12-r15 (and rbp) holding known values; report what they
 * hold afterwards. */
static void call_with_pattern(void (*call)(void *), void *arg, uint64_t out[6])
{
    __asm__ volatile(
        "push %%rbp\n\t"
        "push %%rbx\n\t"
        "push %%r12\n\t"
        "push %%r13\n\t"
        "push %%r14\n\t"
        "push %%r15\n\t"
        "push %%rdx\n\t"
        "sub $8, %%rsp\n\t"
        "movabs $0x1111111111111111, %%rbx\n\t"
        "movabs $0x2222222222222222, %%r12\n\t"
        "movabs $0x3333333333333333, %%r13\n\t"
        "movabs $0x4444444444444444, %%r14\n\t"
        "movabs $0x5555555555555555, %%r15\n\t"
        "movabs $0x6666666666666666, %%rbp\n\t"
        "call *%%rsi\n\t"
        "add $8, %%rsp\n\t"
        "pop %%rax\n\t"
        "mov %%rbx, 0(%%rax)\n\t"
        "mov %%r12, 8(%%rax)\n\t"
        "mov %%r13, 16(%%rax)\n\t"
        "mov %%r14, 24(%%rax)\n\t"
        "mov %%r15, 32(%%rax)\n\t"
        "mov %%rbp, 40(%%rax)\n\t"
        "pop %%r15\n\t"
        "pop %%r14\n\t"
        "pop %%r13\n\t"
        "pop %%r12\n\t"
        "pop %%rbx\n\t"
        "pop %%rbp\n\t"
        : "+S"(call), "+D"(arg)
        , "+d"(out)
        :
        : "rax", "rcx", "r8", "r9", "r10", "r11", "memory", "cc");
}

static void do_resume(void *arg) { gs_resume((gs_handle)(uintptr_t)arg); }
static void do_yield(void *arg) { (void)arg; gs_yield(); }

static void check_pattern(const uint64_t v[6], const char *who)
{
    static const uint64_t want[6] = {0x1111111111111111, 0x2222222222222222, 0x3333333333333333,
                                     0x4444444444444444, 0x5555555555555555, 0x6666666666666666};
    for (int i = 0; i < 6; i++)
        if (v[i] != want[i]) {
            fprintf(stderr, "FAIL %s: register %d is %llx, want %llx\n", who, i,
                    (unsigned long long)v[i], (unsigned long long)want[i]);
            failures++;
        }
}

static void *worker(void *arg)
{
    (void)arg;
    /* This coroutine's own FP control state: round toward zero, a masked-bit
     * change in the x87 control word. */
    set_mxcsr((get_mxcsr() & ~0x6000u) | 0x6000u);
    set_fcw((unsigned short)((get_fcw() & ~0x0c00u) | 0x0c00u));
    uint64_t regs[6];
    call_with_pattern(do_yield, NULL, regs);   /* callee-saved kept across a yield */
    check_pattern(regs, "coroutine after yield");
    CHECK((get_mxcsr() & 0x6000u) == 0x6000u);
    CHECK((get_fcw() & 0x0c00u) == 0x0c00u);
    gs_yield();
    CHECK((get_mxcsr() & 0x6000u) == 0x6000u);
    return (void *)(uintptr_t)7;
}

int main(void)
{
    unsigned mx0 = get_mxcsr();
    unsigned short fcw0 = get_fcw();
    gs_handle h = gs_spawn(worker, NULL);
    CHECK(h != 0);
    uint64_t regs[6];
    call_with_pattern(do_resume, (void *)(uintptr_t)h, regs); /* runs to the first yield */
    check_pattern(regs, "resumer after first switch");
    CHECK(get_mxcsr() == mx0);      /* the coroutine's rounding mode did not leak */
    CHECK(get_fcw() == fcw0);
    call_with_pattern(do_resume, (void *)(uintptr_t)h, regs);
    check_pattern(regs, "resumer after second switch");
    CHECK(get_mxcsr() == mx0);
    void *res = NULL;
    CHECK(gs_join(h, &res) == 0);
    CHECK(res == (void *)(uintptr_t)7);
    if (failures)
        return 1;
    printf("switch_preserves_state: ok\n");
    return 0;
}
