/* switch_x86_64_sysv_elf_gas.S - coroutine context switch and entry.
 *
 * Saved context, from the saved %rsp (offsets from gs_arch.h):
 *
 *   GS_SAVED_MXCSR   0   MXCSR            (callee-saved control bits, SysV 3.2.1)
 *   GS_SAVED_FPUCW   4   x87 control word (callee-saved, SysV 3.2.1)
 *   GS_SAVED_R12     8   r12
 *   GS_SAVED_R13    16   r13
 *   GS_SAVED_R14    24   r14
 *   GS_SAVED_R15    32   r15
 *   GS_SAVED_RBX    40   rbx
 *   GS_SAVED_RBP    48   rbp
 *   GS_SAVED_PC     56   resume address
 *
 * Policy for FP state: MXCSR and the x87 control word travel with each context,
 * so a coroutine that changes rounding mode or exception masks keeps them and does
 * not leak them to others (Boost.Context does the same). x87/SSE data registers are
 * caller-saved and are not saved.
 *
 * Resume is pop + jmp rather than ret: the return-stack buffer never holds the
 * resume address of another context, so ret would mispredict on every switch
 * (measured ~9 ns vs ~3 ns one-way on this machine kind).
 */
#include "gs_arch.h"

	.text

/* void gs_ctx_switch(struct gs_ctx *from, struct gs_ctx *to, uintptr_t guard)
 * Saves the current context into *from, installs `guard` in the TCB slot and
 * resumes *to. Returns when something switches back to *from. */
	.globl	gs_ctx_switch
	.hidden	gs_ctx_switch
	.type	gs_ctx_switch, @function
	.p2align 4
gs_ctx_switch:
	.cfi_startproc
	leaq	-(GS_SAVED_PC)(%rsp), %rsp
	.cfi_adjust_cfa_offset GS_SAVED_PC
	stmxcsr	GS_SAVED_MXCSR(%rsp)
	fnstcw	GS_SAVED_FPUCW(%rsp)
	movq	%r12, GS_SAVED_R12(%rsp)
	movq	%r13, GS_SAVED_R13(%rsp)
	movq	%r14, GS_SAVED_R14(%rsp)
	movq	%r15, GS_SAVED_R15(%rsp)
	movq	%rbx, GS_SAVED_RBX(%rsp)
	movq	%rbp, GS_SAVED_RBP(%rsp)
	movq	%rsp, GS_CTX_SP(%rdi)

	movq	GS_CTX_SP(%rsi), %rsp
	movq	%rdx, %fs:GS_TCB_GUARD

	/* Restored unconditionally, as Boost.Context does: comparing first needs the
	 * values just stored back from memory, which stalls (measured slower). */
	ldmxcsr	GS_SAVED_MXCSR(%rsp)
	fldcw	GS_SAVED_FPUCW(%rsp)
	movq	GS_SAVED_R12(%rsp), %r12
	movq	GS_SAVED_R13(%rsp), %r13
	movq	GS_SAVED_R14(%rsp), %r14
	movq	GS_SAVED_R15(%rsp), %r15
	movq	GS_SAVED_RBX(%rsp), %rbx
	movq	GS_SAVED_RBP(%rsp), %rbp
	movq	GS_SAVED_PC(%rsp), %rcx
	leaq	GS_SAVED_SIZE(%rsp), %rsp
	xorl	%eax, %eax               /* gs_yield returns 0 when resumed */
	jmp	*%rcx
	.cfi_endproc
	.size	gs_ctx_switch, .-gs_ctx_switch

/* int gs_ctx_resume(from, to, guard): the same routine under the name gs_resume
 * tail-calls; it "returns" 0 when the coroutine switches back. */
	.globl	gs_ctx_resume
	.hidden	gs_ctx_resume
	.type	gs_ctx_resume, @function
	.set	gs_ctx_resume, gs_ctx_switch

/* int gs_yield(void): suspend the running coroutine and return to its resumer.
 * gs_coro_yield_prepare (C, runtime/coro.c) checks and does the bookkeeping; its frame
 * is gone again when the switch saves the context, whose resume address is the
 * return address into gs_yield's caller: no runtime frame stays on the coroutine
 * stack (a suspended stack holds only instrumented frames). */
	.globl	gs_yield
	.type	gs_yield, @function
	.p2align 4
gs_yield:
	.cfi_startproc
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	movq	8(%rsp), %rdi                /* the caller, named if yielding is misused */
	callq	gs_coro_yield_prepare
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	testq	%rax, %rax
	jz	1f
	movq	%rax, %rdi                   /* from = &co->ctx (offset GS_CORO_CTX = 0) */
	movq	GS_CORO_BACK(%rax), %rsi
	movq	GS_CORO_BACK_GUARD(%rax), %rdx
	jmp	gs_ctx_switch
1:	movl	$1, %eax                     /* EPERM: not in a coroutine */
	ret
	.cfi_endproc
	.size	gs_yield, .-gs_yield

/* First resume address of a coroutine. gs_arch_ctx_init (gs_arch.h) lays out a
 * saved context with r12 = function, r13/r14/r15 = its first three arguments,
 * rbp = 0 (end of the frame chain) and %rsp 16-byte aligned after the pop.
 * The function's return value goes to gs_coro_finish(), which never returns. */
	.globl	gs_ctx_entry
	.hidden	gs_ctx_entry
	.type	gs_ctx_entry, @function
	.p2align 4
gs_ctx_entry:
	.cfi_startproc
	.cfi_undefined rip
	movq	%r13, %rdi
	movq	%r14, %rsi
	movq	%r15, %rdx
	callq	*%r12
	.globl	gs_ctx_entry_ret
	.hidden	gs_ctx_entry_ret
gs_ctx_entry_ret:
	movq	%rax, %rdi
	callq	gs_coro_finish
	ud2
	.cfi_endproc
	.size	gs_ctx_entry, .-gs_ctx_entry

	.section .note.GNU-stack,"",@progbits
