/* jmpbuf_layout - the jmp_buf facts of arch/x86_64/gs_arch.h (protocol.md 7.3)
 * checked against the C library's own setjmp: which word holds which register,
 * which words are mangled, and that gs_arch_ptr_demangle/mangle are exactly
 * glibc's PTR_DEMANGLE/PTR_MANGLE. A move relocates jmp_bufs by these facts;
 * if a C library changed them, longjmp after a move would land on a freed
 * stack. Then a relocated buffer (rsp, rbp and the callee-saved registers
 * moved as a stack move would) must bring longjmp to the moved copy.
 *
 * capture() (assembly below) loads known values into rbx and r12-r15, sets
 * rbp to a value of its own, calls _setjmp and reports %rsp, %rbp and the
 * return address at that call. */
#define _GNU_SOURCE 1
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs_arch.h"

static int failures;
#define CHECK(c, ...)                                                                   \
    do {                                                                                \
        if (!(c)) {                                                                     \
            fprintf(stderr, "%s:%d: FAILED: %s: ", __FILE__, __LINE__, #c);             \
            fprintf(stderr, __VA_ARGS__);                                               \
            fputc('\n', stderr);                                                        \
            failures++;                                                                 \
        }                                                                               \
    } while (0)

/* struct capture_regs: in: rbx, r12..r15, rbp; out: rsp and pc at the call. */
struct capture_regs {
    uint64_t rbx, r12, r13, r14, r15, rbp; /* 0 .. 40 */
    uint64_t sp_after, pc;                 /* 48, 56 */
};

/* int capture(jmp_buf buf, struct capture_regs *r): returns _setjmp's result
 * (0 the first time). */
int capture(jmp_buf buf, struct capture_regs *r);
__asm__(".text\n"
        ".globl capture\n"
        ".type capture, @function\n"
        "capture:\n"
        "  pushq %rbp\n"
        "  pushq %rbx\n"
        "  pushq %r12\n"
        "  pushq %r13\n"
        "  pushq %r14\n"
        "  pushq %r15\n"
        "  pushq %rsi\n"              /* r: 7 pushes + return address = 16-aligned */
        "  movq 0(%rsi), %rbx\n"
        "  movq 8(%rsi), %r12\n"
        "  movq 16(%rsi), %r13\n"
        "  movq 24(%rsi), %r14\n"
        "  movq 32(%rsi), %r15\n"
        "  movq 40(%rsi), %rbp\n"
        "  movq %rsp, 48(%rsi)\n"     /* %rsp after _setjmp returns */
        "  leaq 1f(%rip), %rax\n"
        "  movq %rax, 56(%rsi)\n"
        "  call _setjmp\n"
        "1:\n"
        "  popq %rsi\n"
        "  popq %r15\n"
        "  popq %r14\n"
        "  popq %r13\n"
        "  popq %r12\n"
        "  popq %rbx\n"
        "  popq %rbp\n"
        "  ret\n"
        ".size capture, .-capture\n");

static void check_layout(void)
{
    jmp_buf buf;
    memset(buf, 0, sizeof buf);
    struct capture_regs r = {0x1111111111111111ull, 0x2222222222222222ull, 0x3333333333333333ull,
                             0x4444444444444444ull, 0x5555555555555555ull,
                             0x00007f0012345670ull, 0, 0};
    int rc = capture(buf, &r);
    CHECK(rc == 0, "_setjmp returned %d", rc);
    const uint64_t *w = (const uint64_t *)buf;
    CHECK(sizeof buf >= GS_JB_WORDS * 8, "jmp_buf is %zu bytes", sizeof buf);
    CHECK(w[GS_JB_RBX] == r.rbx, "rbx word %#llx", (unsigned long long)w[GS_JB_RBX]);
    CHECK(w[GS_JB_R12] == r.r12, "r12 word %#llx", (unsigned long long)w[GS_JB_R12]);
    CHECK(w[GS_JB_R13] == r.r13, "r13 word %#llx", (unsigned long long)w[GS_JB_R13]);
    CHECK(w[GS_JB_R14] == r.r14, "r14 word %#llx", (unsigned long long)w[GS_JB_R14]);
    CHECK(w[GS_JB_R15] == r.r15, "r15 word %#llx", (unsigned long long)w[GS_JB_R15]);
    CHECK(gs_arch_ptr_demangle(w[GS_JB_RBP]) == r.rbp, "rbp demangles to %#llx, want %#llx",
          (unsigned long long)gs_arch_ptr_demangle(w[GS_JB_RBP]), (unsigned long long)r.rbp);
    CHECK(gs_arch_ptr_demangle(w[GS_JB_RSP]) == r.sp_after, "rsp demangles to %#llx, want %#llx",
          (unsigned long long)gs_arch_ptr_demangle(w[GS_JB_RSP]),
          (unsigned long long)r.sp_after);
    CHECK(gs_arch_ptr_demangle(w[GS_JB_PC]) == r.pc, "pc demangles to %#llx, want %#llx",
          (unsigned long long)gs_arch_ptr_demangle(w[GS_JB_PC]), (unsigned long long)r.pc);
    /* The mangled words are not the plain values (the guard is not 0), and
     * mangle inverts demangle. */
    CHECK(w[GS_JB_RSP] != r.sp_after, "rsp is not mangled");
    for (unsigned i = 0; i < GS_JB_WORDS; i++)
        CHECK(gs_arch_ptr_mangle(gs_arch_ptr_demangle(w[i])) == w[i], "word %u", i);
    /* Exactly the plain and mangled data words the relocation touches. */
    unsigned plain = 0, mangled = 0;
    for (unsigned i = 0; i < GS_JB_WORDS; i++) {
        plain += GS_JB_PLAIN_DATA(i) != 0;
        mangled += GS_JB_MANGLED_DATA(i) != 0;
        CHECK(!(GS_JB_PLAIN_DATA(i) && GS_JB_MANGLED_DATA(i)), "word %u", i);
    }
    CHECK(plain == 5 && mangled == 2, "plain %u mangled %u", plain, mangled);
    CHECK(!GS_JB_PLAIN_DATA(GS_JB_PC) && !GS_JB_MANGLED_DATA(GS_JB_PC), "pc is code");
}

/* A relocated buffer: setjmp on stack A (a buffer), copy A's live part to B
 * with the relocation a move does (delta = B - A for rsp, rbp and for
 * callee-saved words that point into A), longjmp: execution must continue on
 * B. The function runs on A through a small switch so its frame really is
 * there. */
static jmp_buf moved_buf, back;
static volatile uint64_t landed_sp;
static char *stack_a, *stack_b;
#define STACK_SIZE (64 << 10)

__attribute__((noinline)) static int on_a(void)
{
    volatile uint64_t marker = 0x600d;
    if (setjmp(moved_buf)) {
        uint64_t sp;
        __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
        landed_sp = sp;
        /* Not a return: on_a's return address is the first call's. */
        longjmp(back, marker == 0x600d ? 2 : 3);
    }
    return 1;
}

/* Call fn with %rsp at top (16-aligned); returns fn's result. */
static int call_on(char *top, int (*fn)(void))
{
    int rc;
    __asm__ volatile("movq %%rsp, %%rbx\n"
                     "movq %1, %%rsp\n"
                     "call *%2\n"
                     "movq %%rbx, %%rsp\n"
                     : "=a"(rc)
                     : "r"(top), "r"(fn)
                     : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
                       "r13", "r14", "r15", "memory");
    return rc;
}

static int jump_from_b(void)
{
    longjmp(moved_buf, 1);
}

static void check_relocated_longjmp(void)
{
    stack_a = aligned_alloc(64, STACK_SIZE);
    stack_b = aligned_alloc(64, STACK_SIZE);
    char *top_a = stack_a + STACK_SIZE, *top_b = stack_b + STACK_SIZE;
    CHECK(call_on(top_a, on_a) == 1, "setjmp returned twice already");
    /* "Move" A to B: the whole stack area, as a contiguous move copies the
     * live part; then relocate the buffer as the runtime does. */
    memcpy(stack_b, stack_a, STACK_SIZE);
    intptr_t delta = top_b - top_a;
    uint64_t *w = (uint64_t *)moved_buf;
    for (unsigned i = 0; i < GS_JB_WORDS; i++) {
        if (GS_JB_PLAIN_DATA(i) && w[i] >= (uintptr_t)stack_a && w[i] < (uintptr_t)top_a)
            w[i] += (uint64_t)delta;
        if (GS_JB_MANGLED_DATA(i)) {
            uint64_t v = gs_arch_ptr_demangle(w[i]);
            if (v >= (uintptr_t)stack_a && v < (uintptr_t)top_a)
                v += (uint64_t)delta;
            w[i] = gs_arch_ptr_mangle(v);
        }
    }
    /* Poison A: a longjmp that still used it would read garbage. */
    memset(stack_a, 0xdb, STACK_SIZE);
    volatile int rc = setjmp(back);
    if (rc == 0) {
        call_on(top_b - 4096, jump_from_b);
        CHECK(0, "longjmp returned");
    }
    CHECK(rc == 2, "landed with result %d (want 2: on B with the marker intact)", rc);
    CHECK(landed_sp >= (uintptr_t)stack_b && landed_sp < (uintptr_t)top_b,
          "landed with %%rsp %#llx, not on the moved stack [%p, %p)",
          (unsigned long long)landed_sp, (void *)stack_b, (void *)top_b);
}

int main(void)
{
    check_layout();
    check_relocated_longjmp();
    if (failures)
        return 1;
    printf("jmpbuf_layout: ok\n");
    return 0;
}
