/* block_x86_64_sysv_elf_gas.S - blocking calls that park the coroutine on its own
 * stack (docs/netpoll.md, "The parking frame"; docs/protocol.md 8).
 *
 * Every blocking entry point of the runtime (runtime/block_calls.h: gs_sleep,
 * gs_chan_recv, gs_read, ..., and the transparent __gs_x.read, __gs_x.write, ...)
 * is a two-instruction stub that loads its C half (the *step*) into %r11 and
 * jumps to gs_block_enter. gs_block_enter runs on the caller's stack and keeps
 * the call's state in a struct gs_block there (runtime/block.h):
 *
 *   rbp+8    return address into the caller
 *   rbp+0    the caller's %rbp
 *   rbp-112  struct gs_block   (GS_BLK_*: the six argument registers, the step,
 *   ...                         the guard, the result, the coroutine to leave,
 *   rsp                         three words the step owns)
 *
 * It runs the step on the thread's system stack (the guard at 0, like
 * __gs_tramp), with the block as argument, and acts on what the step returns:
 *
 *   GS_BLOCK_DONE   return GS_BLK_RET to the caller (the step has set errno);
 *   GS_BLOCK_AGAIN  run the step again;
 *   GS_BLOCK_PARK   the step parked the coroutine (core: gs_coro_park_prepare);
 *                   switch away from it with gs_ctx_switch. Its saved context
 *                   then lies right below the block, resume address gs_park_ret,
 *                   saved %rbp this frame's. When a waker makes it ready and the
 *                   scheduler resumes it, execution continues at gs_park_ret,
 *                   which runs the step again.
 *   GS_BLOCK_THREAD (only on the thread's own stack, outside coroutines) the
 *                   thread waits: gs_api_block_wait(block) runs its scheduler
 *                   until the call's wait is woken; then run the step again.
 *                   The layers that block never call the scheduler: the API,
 *                   which runs the thread, does.
 *
 * Why the frame is on the coroutine stack and nothing else is: a parked
 * coroutine's stack holds only instrumented frames and this one, whose layout
 * the frame walk knows (gs_park_ret is its resume address), so a shrink may move
 * it (runtime/stack.c). The move relocates the block's words like any word of the live
 * stack: an argument that points into the stack (read()'s buffer, a local the
 * plugin kept on the moving stack) is relocated with it, and the step reads its
 * arguments from the block each time it runs. The runtime keeps no pointer into
 * the stack anywhere else (waits, channel elements and timers are on the heap).
 * The guard is re-read before every switch to the system stack and restored
 * after it (a move while parked changes it; the resume installs the new one).
 *
 * If the guard is 0 when a step is due (the call was made on the system stack:
 * outside coroutines, in a callback, in a signal handler), the step runs right
 * here and must not park (it sees GS_BLK_GUARD == 0).
 *
 * Stack use on the coroutine stack: 16 + GS_BLK_SIZE bytes, plus the 64 bytes of
 * a saved context when parked (192 bytes): inside the guard slack, checked
 * below when this file is assembled.
 *
 * Unwinding: the FDE is marked as a signal frame with the caller's PC described
 * as the return address minus one, like every frame that switches stacks
 * (tramp_*.S explains why); the CFA is %rbp + 16 throughout, also while the step
 * runs on the system stack.
 */
#include "gs_arch.h"

/* The frame fits in what GS_STACK_GUARD leaves to code without a check of its
 * own (gs_arch.h: 368 bytes after the backend's 256, the red zone and the
 * return address with %rbp): the return address, %rbp, the block, and a saved
 * context with its return address when parked. */
#if 8 + 8 + GS_BLK_SIZE + 8 + (GS_SAVED_SIZE - 8) > GS_STACK_GUARD - 256 - 128 - 16
#error "the parking frame does not fit in the guard slack"
#endif

	.text

	.globl	gs_block_enter
	.hidden	gs_block_enter
	.type	gs_block_enter, @function
	.p2align 4
gs_block_enter:
	.cfi_startproc
	.cfi_signal_frame
	GS_CFI_CALLER_PC
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	subq	$GS_BLK_SIZE, %rsp
	movq	%rdi, GS_BLK_ARGS+0(%rsp)
	movq	%rsi, GS_BLK_ARGS+8(%rsp)
	movq	%rdx, GS_BLK_ARGS+16(%rsp)
	movq	%rcx, GS_BLK_ARGS+24(%rsp)
	movq	%r8, GS_BLK_ARGS+32(%rsp)
	movq	%r9, GS_BLK_ARGS+40(%rsp)
	movq	%r11, GS_BLK_STEP(%rsp)
	xorl	%eax, %eax
	movq	%rax, GS_BLK_RET(%rsp)
	movq	%rax, GS_BLK_CO(%rsp)
	movq	%rax, GS_BLK_WAIT(%rsp)
	movq	%rax, GS_BLK_PROGRESS(%rsp)
	movq	%rax, GS_BLK_STATE(%rsp)
	movq	%rax, GS_BLK_DEADLINE(%rsp)
.Lstep:
	movq	%fs:GS_TCB_GUARD, %rax
	movq	%rax, GS_BLK_GUARD(%rsp)
	movq	%rsp, %rdi
	testq	%rax, %rax
	jz	.Lhere
	/* On a coroutine stack: run the step on the system stack. */
	movq	gs_tls@gottpoff(%rip), %rax
	GS_SWITCH_TO_SYS_STACK %rax, 8
	pushq	%rdi                      /* the block; %rsp is 16-byte aligned again */
	movq	$0, %fs:GS_TCB_GUARD
	callq	*GS_BLK_STEP(%rdi)
	movq	(%rsp), %rsp              /* back on the coroutine stack, at the block */
	movq	GS_BLK_GUARD(%rsp), %rcx
	movq	%rcx, %fs:GS_TCB_GUARD
	jmp	.Ldecide
.Lhere:
	callq	*GS_BLK_STEP(%rdi)
.Ldecide:
	cmpl	$GS_BLOCK_PARK, %eax
	je	.Lpark
	cmpl	$GS_BLOCK_AGAIN, %eax
	je	.Lstep
	cmpl	$GS_BLOCK_THREAD, %eax
	je	.Lthread
	movq	GS_BLK_RET(%rsp), %rax
	.cfi_remember_state
	movq	%rbp, %rsp
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	.cfi_same_value %rbp
	ret
	.cfi_restore_state
.Lthread:
	/* On the thread's own stack (guard 0): %rsp is the block, 16-byte aligned. */
	movq	%rsp, %rdi
	callq	gs_api_block_wait
	jmp	.Lstep
.Lpark:
	/* gs_ctx_switch(&co->ctx, co->back, co->back_guard): the step did the
	 * bookkeeping of leaving (gs_coro_park_prepare). GS_CORO_CTX is 0. */
	movq	GS_BLK_CO(%rsp), %rdi
	movq	GS_CORO_BACK(%rdi), %rsi
	movq	GS_CORO_BACK_GUARD(%rdi), %rdx
	callq	gs_ctx_switch
	.globl	gs_park_ret
	.hidden	gs_park_ret
gs_park_ret:
	jmp	.Lstep
	.cfi_endproc
	.size	gs_block_enter, .-gs_block_enter

/* The entry points: `sym` loads its step and joins gs_block_enter. */
.macro GS_BLOCK_ENTRY sym, step
	.globl	\sym
	.type	\sym, @function
	.p2align 4
\sym:
	.cfi_startproc
	leaq	\step(%rip), %r11
	jmp	gs_block_enter
	.cfi_endproc
	.size	\sym, .-\sym
.endm

/* Transparent mode (docs/netpoll.md): the runtime defines the name a redirected
 * call of the C library function `name` binds to (protocol.md 4: __gs_x.<name>,
 * N = 0), so gscc writes no thunk for it (it sees the definition in
 * libgrowstack.a). Weak: an instrumented definition of `name` in the program
 * (its strong entry alias, protocol.md 2) replaces the C library's function,
 * and this entry with it. */
.macro GS_X_ENTRY name, step
	.weak	"__gs_x.\name"
	.type	"__gs_x.\name", @function
	.p2align 4
"__gs_x.\name":
	.cfi_startproc
	leaq	\step(%rip), %r11
	jmp	gs_block_enter
	.cfi_endproc
	.size	"__gs_x.\name", .-"__gs_x.\name"
.endm

#define GS_BLOCKING(name, step) GS_BLOCK_ENTRY name, step
#define GS_TRANSPARENT(name, step) GS_X_ENTRY name, step
#include "block_calls.h"

	.section .note.GNU-stack,"",@progbits
