/* gs_ctx_switch keeps callee-saved registers of each side; MXCSR and the x87
 * control word are the thread's shared state until gs_fp_private() and each
 * context's own from then on (docs/protocol.md 6.2): set distinctive values,
 * switch away and back, compare. Built by plain clang, so the plugin inserts no
 * gs_fp_private() call here: the test calls it where it means to. */
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

/* Before gs_fp_private(): the coroutine starts with the thread's state (DAZ,
 * set by main before the spawn), and what it changes is the thread's. */
static void *sharer(void *arg)
{
    (void)arg;
    CHECK((get_mxcsr() & 0x0040u) == 0x0040u);          /* DAZ, inherited */
    set_mxcsr((get_mxcsr() & ~0x6000u) | 0x2000u);      /* round down */
    gs_yield();
    CHECK((get_mxcsr() & 0x6000u) == 0x2000u);
    return NULL;
}

/* Suspended before gs_fp_private() ran: it saved no state of its own, so after
 * it ran it resumes with the state the thread had then, whatever its resumer
 * runs with. */
static void *early(void *arg)
{
    (void)arg;
    unsigned mx = get_mxcsr();
    gs_yield();
    CHECK(get_mxcsr() == mx);
    set_mxcsr((get_mxcsr() & ~0x6000u) | 0x4000u);      /* round up, its own */
    gs_yield();
    CHECK((get_mxcsr() & 0x6000u) == 0x4000u);
    return NULL;
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

static void shared_state(void)
{
    unsigned mx0 = get_mxcsr();
    set_mxcsr(mx0 | 0x0040u);                           /* DAZ for the spawn */
    gs_handle h = gs_spawn(sharer, NULL);
    CHECK(h != 0);
    CHECK(gs_resume(h) == 0);
    CHECK((get_mxcsr() & 0x6000u) == 0x2000u);          /* shared: its change is ours */
    CHECK(gs_resume(h) == 0);
    CHECK(gs_join(h, NULL) == 0);
    set_mxcsr(mx0);
}

int main(void)
{
    shared_state();
    gs_handle e = gs_spawn(early, NULL);
    CHECK(e != 0);
    CHECK(gs_resume(e) == 0);                           /* suspends with no state saved */

    gs_fp_private();
    gs_fp_private();                                    /* idempotent */
    unsigned mx0 = get_mxcsr();
    unsigned short fcw0 = get_fcw();
    set_mxcsr((mx0 & ~0x6000u) | 0x6000u);              /* ours now: toward zero */
    CHECK(gs_resume(e) == 0);                           /* e checks it got mx0, rounds up */
    CHECK((get_mxcsr() & 0x6000u) == 0x6000u);          /* and ours came back */
    set_mxcsr(mx0);
    CHECK(gs_resume(e) == 0);                           /* e checks round-up, finishes */
    CHECK(get_mxcsr() == mx0);
    CHECK(gs_join(e, NULL) == 0);

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
