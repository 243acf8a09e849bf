/* gs_arch.h - x86-64 SysV ELF facts shared by the runtime (C) and the .S files.
 *
 * Invariants (docs/protocol.md sections 1, 4.2, 5):
 *  - %fs:GS_TCB_GUARD is the guard the split-stack prologue compares %rsp against.
 *    It is 0 whenever the thread runs on its own (system) stack, and
 *    top->lo + GS_STACK_GUARD while a coroutine runs instrumented code.
 *  - Offsets of C structures used by assembly are defined here once and checked
 *    with _Static_assert next to the structure definitions (here for the
 *    morestack register block; runtime/thread.h, runtime/coro.h, runtime/side.h
 *    for the runtime's); assembly never spells a literal offset.
 *  - Every register name the runtime needs is here: the first context of a
 *    coroutine, the morestack register block and the registers a move
 *    relocates, the frame-pointer chain, the saved context, glibc's jmp_buf.
 *    runtime/ reads them through the gs_arch_* functions below.
 *  - The runtime's memcpy, memmove and memset are gs_arch_memcpy, _memmove and
 *    _memset (mem_*.S): libgrowstack.a refers to no function of those names,
 *    which a program may define (runtime/CMakeLists.txt renames the references;
 *    the test runtime.memfuncs_renamed).
 *
 * Porting: another architecture provides its own arch/<isa>/ with this header and
 * the same .S entry points. LLVM implements the split-stack prologue only for x86
 * (X86FrameLowering::adjustForSegmentedStacks); AArch64 and RISC-V have none.
 */
#ifndef GS_ARCH_H
#define GS_ARCH_H

/* glibc's tcbhead_t.__private_ss: the slot LLVM's and GCC's split-stack code read. */
#define GS_TCB_GUARD 0x70

/* Bytes below the guard that code may use without a check:
 *   256  what the backend assumes for frames under 256 bytes (kSplitStackAvailable)
 *   128  red zone of leaf functions (not counted in the checked frame size)
 *    16  return address and saved %rbp
 *   368  code that runs without a check of its own: allowlisted leaf routines
 *        (mem*, str*, setjmp, the runtime's on-stack entry points) and the first
 *        pushes of __morestack (24 bytes); or a variadic shell (protocol.md 2.2),
 *        its body's return address and those pushes.
 *        tests/runtime/leaf_stack_use measures each leaf against this budget; the
 *        worst on glibc 2.36 / x86-64 was siglongjmp at 280 bytes (it calls
 *        sigprocmask). tests/e2e/variadic_shell_frame measures shells: 224 bytes,
 *        288 with the 64 bytes of stack arguments a shell may pass its body.
 *        Lazy PLT binding would need ~3 KiB here: gscc links with -z now.
 * Go uses 928 bytes for the same purpose (runtime/stack.go, stackGuard). */
#define GS_STACK_GUARD 768

/* Bytes a segment needs beyond FRAME + ARGS + GS_STACK_GUARD for
 * gs_arch_msr_call: the two zero words at its top, the return address the call
 * pushes, the arguments' alignment (rounded up). */
#define GS_ARCH_CALL_BYTES (16 + 8 + 32)

/* The SysV red zone: 128 bytes below %rsp that signal delivery never touches.
 * Code that switches to the system stack also skips this much below sys_sp
 * before its first store (memcheck: GS_SWITCH_TO_SYS_STACK below). */
#define GS_RED_ZONE 128


/* struct gs_thread (runtime/thread.h): per-thread state in initial-exec TLS. */
#define GS_THREAD_CUR        0   /* struct gs_coro *: running coroutine or NULL  */
#define GS_THREAD_SYS_SP     8   /* char *: where system-stack work may start      */
#define GS_THREAD_EXT_TARGET 16  /* void *: external call in progress, or NULL     */
#define GS_THREAD_IN_SIGNAL  28  /* unsigned: signal handlers running              */
#define GS_THREAD_SWITCHES   48  /* uint64_t: .stats.switches (gs_resume)         */
#define GS_THREAD_SPLITS     56  /* uint64_t: .stats.splits (__morestack's fast split) */
#define GS_THREAD_SEGS_REUSED 72 /* uint64_t: .stats.segments_reused               */
#define GS_THREAD_PINS       96  /* uint64_t: .stats.pins                          */
#define GS_THREAD_RETURNS_JUMPED 224 /* uint64_t: .stats.returns_jumped (__morestack_return) */
#define GS_THREAD_TALLY_SITE 240 /* struct gs_pin_site *: .pin_tally.site         */
#define GS_THREAD_TALLY_N    248 /* uint64_t: .pin_tally.n                         */
#define GS_THREAD_SYS_LOW    256 /* char *: sys_sp as gs_resume last lowered it    */

/* struct gs_coro (runtime/coro.h): the fields gs_yield and the fast paths of
 * __gs_dyn_* and __gs_side_alloc read. */
#define GS_CORO_CTX          0
#define GS_CORO_BACK         8
#define GS_CORO_BACK_GUARD   16
#define GS_CORO_STATE        24  /* enum gs_state (4 bytes): gs_yield's fast path  */
#define GS_CORO_DYN          32  /* struct gs_dyn *: .stack.dyn (stack.h)         */
#define GS_CORO_SIDE_FIRST   40  /* struct gs_side_chunk *: .stack.side_owner.first */
#define GS_CORO_SIDE         64  /* struct gs_side: .stack.side (gs_yield)         */
#define GS_CORO_STACK_GUARD  88  /* uintptr_t: .stack.guard (gs_yield)             */
/* ... and what __morestack's fast split reads and writes (stack.h, 5.2). */
#define GS_CORO_STACK_TOP    96  /* struct gs_seg *: .stack.top                    */
#define GS_CORO_USAGE_PROBE  168 /* uintptr_t: .stack.usage.probe                  */
#define GS_CORO_USAGE_GREW   176 /* unsigned: .stack.usage.grew                    */
#define GS_CORO_USAGE_SHRUNK 180 /* unsigned: .stack.usage.shrunk                  */
#define GS_CORO_PIN_SEG      184 /* struct gs_seg *: .stack.pin.seg                */
#define GS_CORO_PIN_SLOT     192 /* uintptr_t: .stack.pin.slot                     */
#define GS_CORO_PIN_RET      200 /* uint64_t: .stack.pin.ret                       */
#define GS_CORO_PIN_BELOW    208 /* uint64_t: .stack.pin.below                     */
#define GS_CORO_PIN_SITE     216 /* struct gs_pin_site *: .stack.pin.site          */
/* ... and what gs_yield's fast path reads to give the resumer its state back. */
#define GS_CORO_RESUMER      240 /* struct gs_coro *: .resumer                     */
#define GS_CORO_SAVED_SYS_SP 256 /* char *: .saved_sys_sp, then .saved_ext, in the
                                    order of gs_thread.sys_sp and .ext_target      */
/* ... and what gs_resume's fast path reads and writes besides (gs_coro_lookup,
 * gs_stack_shrink_due and gs_coro_enter of runtime/coro.h, repeated). */
#define GS_CORO_STACK_SIZE   112 /* size_t: .stack.size (also __morestack)         */
#define GS_CORO_STACK_PEAK   120 /* size_t: .stack.peak (__morestack)              */
#define GS_CORO_USAGE_RUNS   144 /* unsigned: .stack.usage.runs                    */
#define GS_CORO_JUDGE_SIZE   224 /* size_t: .stack.judge_size                      */
#define GS_CORO_BACK_CTX     248 /* struct gs_ctx: .back_ctx                       */
#define GS_CORO_HANDLE       288 /* gs_handle: .handle                             */
/* enum gs_state (runtime/coro.h): the states the switch's fast paths store. */
#define GS_CORO_RUNNING      2
#define GS_CORO_RESUMING     3
#define GS_CORO_SUSPENDED    4

/* struct gs_coro_thread (runtime/coro.h): gs_coro_tls, the handle table
 * gs_resume's fast path looks a handle up in. */
#define GS_CORO_THREAD_NSLOTS  4   /* uint32_t: slots in use                       */
#define GS_CORO_THREAD_SLOTS   16  /* struct gs_slot *: the table                  */
#define GS_CORO_THREAD_ZOMBIES 24  /* struct gs_coro *: finished, not reaped       */
#define GS_SLOT_SHIFT          4   /* log2 sizeof(struct gs_slot), .co first       */
#define GS_HANDLE_SLOT_MASK    0xffffff /* a handle's low bits: its slot          */

/* gs_stack_fast_split (runtime/stack.h): which splits __morestack repeats. */
#define GS_FAST_SPLIT_SEGMENTED 1  /* segmented mode: every repeated split          */
#define GS_FAST_SPLIT_PINNED    2  /* contiguous mode: a split above a cached pin   */

/* struct gs_seg (runtime/segment.h): the descriptor sits at the segment's hi. */
#define GS_SEG_LO            0   /* char *: lowest usable byte                     */
#define GS_SEG_PREV          24  /* struct gs_seg *: the older segment             */
#define GS_SEG_NEXT          32  /* struct gs_seg *: the newer one, kept for reuse */
#define GS_SEG_BASE_OFF      40  /* size_t: stack bytes of all older segments      */

/* struct gs_ctx (below): a suspended context is just its stack pointer; the
 * switch pushes the rest. Layout of the saved area, from the saved %rsp: */
#define GS_CTX_SP            0
#define GS_SAVED_MXCSR       0   /* 4 bytes: MXCSR (control and status), or      */
#define GS_SAVED_FPUCW       4   /* 2 bytes: x87 control word   GS_SAVED_FP_SHARED */
#define GS_SAVED_R12         8
#define GS_SAVED_R13         16
#define GS_SAVED_R14         24
#define GS_SAVED_R15         32
#define GS_SAVED_RBX         40
#define GS_SAVED_RBP         48
#define GS_SAVED_PC          56  /* resume address (popped and jumped to)         */
#define GS_SAVED_SIZE        64
/* The word at GS_SAVED_MXCSR when the context saved no FP control state: it
 * runs with the thread's shared state (below). All ones: no MXCSR value has
 * its reserved high bits set, and the word is no stack address. */
#define GS_SAVED_FP_SHARED   (-1)

/* struct gs_fp_thread (runtime/thread.h): gs_fp_tls, whether this thread's
 * contexts keep FP control state of their own (docs/protocol.md 6.2). */
#define GS_FP_PRIVATE        0   /* uint32_t: 0 until gs_fp_private() on this thread */
#define GS_FP_MXCSR          4   /* uint32_t: the shared MXCSR, from that call     */
#define GS_FP_FPUCW          8   /* uint16_t: the shared x87 control word          */

/* struct gs_morestack_regs (below): what __morestack saves on the system
 * stack before calling its C half (gs_entry_morestack), which may rewrite any
 * field; __morestack restores from it and continues at `pc` with %rsp = `sp`. */
#define GS_MSR_RAX    0
#define GS_MSR_RDI    8
#define GS_MSR_RSI    16
#define GS_MSR_RDX    24
#define GS_MSR_RCX    32
#define GS_MSR_R8     40
#define GS_MSR_R9     48
#define GS_MSR_R10    56   /* in: FRAME bytes                                       */
#define GS_MSR_R11    64   /* in: ARGS bytes                                        */
#define GS_MSR_RBX    72
#define GS_MSR_RBP    80   /* the function's caller's frame pointer                 */
#define GS_MSR_R12    88
#define GS_MSR_R13    96
#define GS_MSR_R14    104
#define GS_MSR_R15    112
#define GS_MSR_SP     120  /* in: %rsp at entry ([sp] = ret into alloc block)
                              out: %rsp to resume the body with                    */
#define GS_MSR_ACTION 128  /* out: GS_GROW_* below                                  */
#define GS_MSR_GUARD  136  /* in: the guard in place; out: the guard to install     */
#define GS_MSR_PC     144  /* out: where to continue (the body: alloc-block ret + 1) */
#define GS_MSR_XMM    160  /* xmm0..xmm7, 16 bytes each                             */
#define GS_MSR_SIZE   288

/* struct gs_side (runtime/side.h): the TLS slot __gs_side that instrumented
 * code reads and writes inline (docs/protocol.md 7.2). */
#define GS_SIDE_SP           0
#define GS_SIDE_LIM          8
#define GS_SIDE_JB           16

/* struct gs_side_thread (runtime/side.h): gs_side_tls, the thread's own side
 * state in initial-exec TLS; __gs_side_alloc's fast path reads owner.first. */
#define GS_SIDE_THREAD_FIRST 0
#define GS_SIDE_THREAD_SAVED 24  /* struct gs_side: .saved, the thread's own state
                                    while a coroutine runs (gs_yield)              */

/* struct gs_side_chunk (runtime/side.h): the header right below a side chunk's
 * usable bytes; __gs_side_alloc's fast path reads next and hi. */
#define GS_SIDE_CHUNK_NEXT   0
#define GS_SIDE_CHUNK_HI     16
#define GS_SIDE_CHUNK_HDR    48

/* Side frames of fewer bytes than this are small (runtime/side.h, protocol.md
 * 7.2): __gs_side_alloc leaves the chunk it put one in current after the frame
 * returns, and the plugin checks one with a single compare. The plugin's copy:
 * SmallSideFrameBytes in compiler-plugin/Protocol.h. */
#define GS_SIDE_SMALL        4096

/* struct gs_block (runtime/block.h): the frame a blocking call keeps on the
 * coroutine stack while it runs its step on the system stack and while it is
 * parked (docs/netpoll.md, "The parking frame"). block_*.S builds it below the
 * caller's return address and %rbp. */
#define GS_BLK_ARGS          0   /* rdi rsi rdx rcx r8 r9 as the caller passed them */
#define GS_BLK_STEP          48  /* int (*)(struct gs_block *): the C half          */
#define GS_BLK_GUARD         56  /* the guard when the step last ran (0: entered on
                                    the system stack)                              */
#define GS_BLK_RET           64  /* the result (%rax) when the step says DONE       */
#define GS_BLK_CO            72  /* struct gs_coro *: whom to switch away from (PARK)*/
#define GS_BLK_WAIT          80  /* step-private, 0 at entry                        */
#define GS_BLK_PROGRESS      88  /* step-private, 0 at entry                        */
#define GS_BLK_STATE         96  /* step-private, 0 at entry                        */
#define GS_BLK_DEADLINE      104 /* step-private, 0 at entry                        */
#define GS_BLK_SIZE          112
/* What a step returns. */
#define GS_BLOCK_DONE        0   /* return GS_BLK_RET to the caller                 */
#define GS_BLOCK_PARK        1   /* switch away from GS_BLK_CO; on resume, step again */
#define GS_BLOCK_AGAIN       2   /* run the step again at once                      */

#define GS_BLOCK_THREAD      3   /* on the thread's own stack, outside coroutines:
                                    the thread waits (gs_api_block_wait), then the
                                    step runs again                                */

/* %r11 (ARGS) as __morestack_leaf hands a measured C library function's
 * growth request to __morestack (protocol.md 4.1a): all ones, which no
 * prologue's `movl $ARGS, %r11d` can produce (it clears the upper half). A
 * nonzero ARGS also keeps the request off __morestack's fast split. */
#define GS_MORESTACK_LEAF (-1)

/* What the C half of __morestack asks for (GS_MSR_ACTION). */
#define GS_GROW_RESUME 1   /* contiguous: jump to body (ret+1) with %rsp = sp      */
#define GS_GROW_CALL   2   /* segmented: call body (ret+1) with %rsp = sp; the
                              pushed return address is __morestack_return          */

#ifdef __ASSEMBLER__
/* In an FDE marked .cfi_signal_frame (a frame that switches stacks, see
 * tramp_*.S): the caller's %rip is [CFA - 8] - 1, inside the call instruction.
 * DW_CFA_val_expression rip: DW_OP_const1u 8, DW_OP_minus, DW_OP_deref,
 * DW_OP_lit1, DW_OP_minus (the CFA is on the expression stack at the start). */
#define GS_CFI_CALLER_PC .cfi_escape 0x16, 0x10, 0x06, 0x08, 0x08, 0x1c, 0x06, 0x31, 0x1c

/* Switch %rsp to the thread's system stack: land on gs_thread.sys_sp, then move
 * down by GS_RED_ZONE + extra. \tls holds gs_tls's offset from %fs; it is
 * clobbered. Nothing may be stored below the landing point before this.
 * Why the red zone and the load (memcheck): memcheck does not follow a stack
 * switch (it marks no memory), and it takes the GS_RED_ZONE bytes below %rsp as
 * accessible because a small, known %rsp decrement marked them earlier; after a
 * switch nothing did. The decrement here marks the memory the first stores use.
 * Valgrind's translation merges two writes of %rsp that no memory access
 * separates (the landing would disappear into one unknown change): the load
 * between them keeps the decrement a known one. */
.macro GS_SWITCH_TO_SYS_STACK tls, extra=0
	movq	%fs:GS_THREAD_SYS_SP(\tls), %rsp
	movq	%fs:GS_THREAD_SYS_SP(\tls), \tls
	subq	$GS_RED_ZONE + \extra, %rsp
.endm
#endif

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <ucontext.h>

/* The interrupted stack pointer and program counter of a signal's ucontext
 * (runtime/overflow.c): glibc's gregs[REG_RSP] and gregs[REG_RIP], whose names
 * exist only under _GNU_SOURCE. */
#define GS_UC_GREG_RSP 15
#define GS_UC_GREG_RIP 16
#ifdef REG_RSP
_Static_assert(REG_RSP == GS_UC_GREG_RSP && REG_RIP == GS_UC_GREG_RIP, "ucontext gregs");
#endif

static inline uintptr_t gs_arch_uc_sp(const void *uc)
{
    return (uintptr_t)((const ucontext_t *)uc)->uc_mcontext.gregs[GS_UC_GREG_RSP];
}

static inline uintptr_t gs_arch_uc_pc(const void *uc)
{
    return (uintptr_t)((const ucontext_t *)uc)->uc_mcontext.gregs[GS_UC_GREG_RIP];
}


static inline uintptr_t gs_arch_get_guard(void)
{
    uintptr_t g;
    __asm__ volatile("movq %%fs:%c1, %0" : "=r"(g) : "i"(GS_TCB_GUARD));
    return g;
}

static inline void gs_arch_set_guard(uintptr_t g)
{
    __asm__ volatile("movq %0, %%fs:%c1" : : "r"(g), "i"(GS_TCB_GUARD) : "memory");
}

/* ---- glibc's jmp_buf (protocol.md 7.3) ----------------------------------------
 * __jmp_buf on x86-64 (glibc sysdeps/x86_64/jmpbuf-offsets.h), the first 8 words
 * of jmp_buf and sigjmp_buf alike:
 *   0 rbx   1 rbp*   2 r12   3 r13   4 r14   5 r15   6 rsp*   7 pc*
 * (*) mangled with the pointer guard in the TCB at %fs:0x30 (tcbhead_t.
 * pointer_guard): stored = rol(value ^ guard, 0x11). A move relocates the data
 * words (not pc) that point into the moved stack. tests/runtime/jmpbuf_layout
 * checks this against the C library's setjmp. */
#define GS_TCB_POINTER_GUARD 0x30
#define GS_JB_WORDS          8
#define GS_JB_RBX            0
#define GS_JB_RBP            1
#define GS_JB_R12            2
#define GS_JB_R13            3
#define GS_JB_R14            4
#define GS_JB_R15            5
#define GS_JB_RSP            6
#define GS_JB_PC             7
/* Words a move may have to relocate: plain (stored as is) or mangled. */
#define GS_JB_PLAIN_DATA(i)   ((i) == GS_JB_RBX || ((i) >= GS_JB_R12 && (i) <= GS_JB_R15))
#define GS_JB_MANGLED_DATA(i) ((i) == GS_JB_RBP || (i) == GS_JB_RSP)

static inline uint64_t gs_arch_pointer_guard(void)
{
    uint64_t g;
    __asm__("movq %%fs:%c1, %0" : "=r"(g) : "i"(GS_TCB_POINTER_GUARD));
    return g;
}

static inline uint64_t gs_arch_ptr_demangle(uint64_t stored)
{
    return ((stored >> 0x11) | (stored << (64 - 0x11))) ^ gs_arch_pointer_guard();
}

static inline uint64_t gs_arch_ptr_mangle(uint64_t value)
{
    uint64_t x = value ^ gs_arch_pointer_guard();
    return (x << 0x11) | (x >> (64 - 0x11));
}

/* A suspended context: the stack pointer gs_ctx_switch saved (the saved area
 * above: GS_SAVED_*). */
struct gs_ctx {
    void *sp;
};
_Static_assert(__builtin_offsetof(struct gs_ctx, sp) == GS_CTX_SP, "GS_CTX_SP");

/* Entry points in the .S files. */
void gs_ctx_switch(struct gs_ctx *from, struct gs_ctx *to, uintptr_t guard);
int gs_ctx_resume(struct gs_ctx *from, struct gs_ctx *to, uintptr_t guard); /* alias */
int gs_yield(void);               /* in assembly: leaves no runtime frame behind */
void gs_ctx_entry(void);        /* first resume address of every coroutine     */
extern const char gs_ctx_entry_ret[];  /* return address of the user function  */
void __morestack(void);
extern const char __morestack_return[];
extern const char gs_park_ret[];  /* resume address of a parked blocking call (block_*.S) */
void __gs_tramp(void);
void __gs_tramp_icall(void);
void gs_sys_call(void (*fn)(void *), void *arg);
void gs_call_on_stack(void *sp, void (*fn)(void *), void *arg);
/* The code of switch_*.S (gs_ctx_switch, gs_resume, gs_yield, ...): a signal
 * whose pc lies here may have interrupted a switch half done. */
extern const char gs_arch_switch_text_lo[], gs_arch_switch_text_hi[];
void *__gs_side_alloc(__SIZE_TYPE__ size, __SIZE_TYPE__ align);

/* ---- __morestack's register block (docs/protocol.md 5) -------------------------
 * What __morestack saves on the system stack and hands to its C half, which
 * reads it by role through the functions below, never by register name. */
struct gs_morestack_regs {
    uint64_t rax, rdi, rsi, rdx, rcx, r8, r9, r10, r11;
    uint64_t rbx, rbp, r12, r13, r14, r15;
    uint64_t sp;
    uint64_t action, guard, pc, pad;
    uint64_t xmm[16];
};
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, rax) == GS_MSR_RAX, "RAX");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, rdi) == GS_MSR_RDI, "RDI");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, rsi) == GS_MSR_RSI, "RSI");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, rdx) == GS_MSR_RDX, "RDX");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, rcx) == GS_MSR_RCX, "RCX");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, r8) == GS_MSR_R8, "R8");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, r9) == GS_MSR_R9, "R9");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, r10) == GS_MSR_R10, "R10");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, r11) == GS_MSR_R11, "R11");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, rbx) == GS_MSR_RBX, "RBX");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, rbp) == GS_MSR_RBP, "RBP");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, r12) == GS_MSR_R12, "R12");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, r13) == GS_MSR_R13, "R13");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, r14) == GS_MSR_R14, "R14");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, r15) == GS_MSR_R15, "R15");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, sp) == GS_MSR_SP, "SP");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, action) == GS_MSR_ACTION, "ACTION");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, guard) == GS_MSR_GUARD, "GUARD");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, pc) == GS_MSR_PC, "PC");
_Static_assert(__builtin_offsetof(struct gs_morestack_regs, xmm) == GS_MSR_XMM, "XMM");
_Static_assert(sizeof(struct gs_morestack_regs) == GS_MSR_SIZE, "SIZE");

/* F is the function whose prologue check failed. At entry, sp holds:
 * [sp] = the return address into F's alloc block (its retq; F's body is the
 * next byte), [sp + 8] = F's return address, [sp + 16, + 16 + ARGS) = F's stack
 * arguments. */
static inline size_t gs_arch_msr_frame(const struct gs_morestack_regs *r) { return r->r10; }
static inline size_t gs_arch_msr_args(const struct gs_morestack_regs *r) { return r->r11; }
/* A measured C library function's thunk asked (through __morestack_leaf,
 * protocol.md 4.1a): F is the thunk, FRAME its BYTES, no stack arguments.
 * Returns 1 and makes ARGS 0 then. */
static inline int gs_arch_msr_take_leaf(struct gs_morestack_regs *r)
{
    if (r->r11 != (uint64_t)GS_MORESTACK_LEAF)
        return 0;
    r->r11 = 0;
    return 1;
}
/* %rbp in F's caller (F has not run its prologue): where the frame walk's
 * tracking of %rbp starts (runtime/unwind.h). */
static inline uintptr_t gs_arch_msr_fp(const struct gs_morestack_regs *r) { return r->rbp; }
/* The slot holding F's return address: %rsp at F's entry, as after the call. */
static inline uintptr_t gs_arch_msr_ret_slot(const struct gs_morestack_regs *r)
{
    return r->sp + 8;
}
/* Where F's body starts. */
static inline uintptr_t gs_arch_msr_body(const struct gs_morestack_regs *r)
{
    return *(const uint64_t *)r->sp + 1;
}
/* The address F's prologue compared against the guard: %rsp at F's entry,
 * minus the frame when it is 256 bytes or more (protocol.md 1). */
static inline uintptr_t gs_arch_msr_probe(const struct gs_morestack_regs *r)
{
    size_t frame = gs_arch_msr_frame(r);
    uintptr_t sp = gs_arch_msr_ret_slot(r);
    return frame >= 256 ? sp - frame : sp;
}

/* GS_GROW_RESUME: continue F at `body` with %rsp = ret_slot (F's return address,
 * as after a call: on a moved stack, or in place) and this guard. */
static inline void gs_arch_msr_resume(struct gs_morestack_regs *r, uintptr_t body,
                                      uintptr_t ret_slot, uintptr_t guard)
{
    r->sp = ret_slot;
    r->pc = body;
    r->guard = guard;
    r->action = GS_GROW_RESUME;
}

/* GS_GROW_CALL: run F's body on a new segment whose usable bytes end at hi
 * (16-byte aligned), with this guard: two zero words at the top, F's stack
 * arguments copied below them; __morestack calls the body there with
 * __morestack_return as its return address. */
static inline void gs_arch_msr_call(struct gs_morestack_regs *r, char *hi, uintptr_t guard)
{
    size_t args = gs_arch_msr_args(r);
    char *top = hi - 16;
    __builtin_memset(top, 0, 16);
    char *sp = top - ((args + 15) & ~(size_t)15);
    __builtin_memcpy(sp, (const char *)r->sp + 16, args);
    r->pc = gs_arch_msr_body(r);
    r->sp = (uintptr_t)sp;
    r->guard = guard;
    r->action = GS_GROW_CALL;
}

/* A move by delta of the stack range [lo, hi): every saved register that points
 * into it (the callee-saved registers, the argument registers and %rax, %rbp)
 * moves with it; xmm registers hold no pointers the C ABI lets escape. */
static inline void gs_arch_msr_relocate(struct gs_morestack_regs *r, uintptr_t lo,
                                        uintptr_t hi, intptr_t delta)
{
    uint64_t *regs[] = {&r->rax, &r->rdi, &r->rsi, &r->rdx, &r->rcx, &r->r8, &r->r9,
                        &r->rbx, &r->rbp, &r->r12, &r->r13, &r->r14, &r->r15};
    for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++)
        if (*regs[i] >= lo && *regs[i] < hi)
            *regs[i] += (uint64_t)delta;
}

/* ---- frames ----------------------------------------------------------------------
 * Instrumented code has no frame pointers: a walk steps from a frame to its
 * caller's by the call-frame information (runtime/unwind.h), whose DWARF
 * register numbers these are. A return address lies at the caller's canonical
 * frame address (CFA, its %rsp before the call) - 8: a frame suspended at the
 * return address in slot has %rsp = slot + 8. */
#define GS_ARCH_DWARF_FP 6   /* %rbp */
#define GS_ARCH_DWARF_SP 7   /* %rsp */
#define GS_ARCH_DWARF_RA 16  /* the return address column */
static inline uintptr_t gs_arch_frame_sp(uintptr_t slot) { return slot + 8; }
static inline uintptr_t gs_arch_frame_ret_slot(uintptr_t cfa) { return cfa - 8; }
/* The parking frame (block_*.S) keeps a frame pointer: suspended at
 * gs_park_ret with %rbp = fp, its CFA is fp + 16 and [fp] holds its caller's %rbp. */
static inline uintptr_t gs_arch_park_cfa(uintptr_t fp) { return fp + 16; }
static inline uintptr_t gs_arch_park_caller_fp(uintptr_t fp) { return *(const uint64_t *)fp; }

/* A context saved by gs_ctx_switch at sp: the slot of its resume address (the
 * return address into the frame that switched) and its %rbp. */
static inline uintptr_t gs_arch_ctx_pc_slot(uintptr_t sp) { return sp + GS_SAVED_PC; }
static inline uintptr_t gs_arch_ctx_fp(uintptr_t sp)
{
    return *(const uint64_t *)(sp + GS_SAVED_RBP);
}

/* An on-stack entry point's C half (ON_SYSTEM_STACK, morestack_*.S) receives its
 * frame's %rbp: the caller's %rsp once the entry point has returned is above it. */
static inline uintptr_t gs_arch_entry_caller_sp(uintptr_t frame) { return frame + 16; }

/* ---- a new context (switch_*.S, docs/protocol.md 6) ---------------------------- */

/* Lay out the first context of a coroutine whose stack ends at `hi` (16-byte
 * aligned) and return its saved stack pointer: the first switch to it pops
 * r12 = fn, r13/r14/r15 = its three arguments, rbx = rbp = 0 (the end of the
 * frame chain), no FP control state of its own (GS_SAVED_FP_SHARED: it starts
 * with the thread's, as a new thread starts with its creator's), and resumes
 * at gs_ctx_entry with %rsp 16-byte aligned. Above it, two zero words: a NULL
 * return address and %rbp for debuggers that walk past gs_ctx_entry. */
static inline void *gs_arch_ctx_init(char *hi, void *fn, uintptr_t a0, uintptr_t a1,
                                     uintptr_t a2)
{
    char *top = hi - 16;
    __builtin_memset(top, 0, 16);
    char *sp = top - GS_SAVED_SIZE;
    const uint64_t regs[][2] = {
        {GS_SAVED_MXCSR, (uint64_t)(int64_t)GS_SAVED_FP_SHARED},
        {GS_SAVED_R12, (uint64_t)(uintptr_t)fn}, {GS_SAVED_R13, a0}, {GS_SAVED_R14, a1},
        {GS_SAVED_R15, a2}, {GS_SAVED_RBX, 0}, {GS_SAVED_RBP, 0},
        {GS_SAVED_PC, (uint64_t)(uintptr_t)gs_ctx_entry},
    };
    for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++)
        __builtin_memcpy(sp + regs[i][0], &regs[i][1], 8);
    return sp;
}
#endif

#endif /* GS_ARCH_H */
