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

/* int gs_yield(void): suspend the running coroutine and return to its resumer.
 * A tail call into gs_ctx_switch: the saved context's resume address is the
 * return address into gs_yield's caller, so no runtime frame stays on the
 * coroutine stack (a suspended stack holds only instrumented frames). */
	.globl	gs_yield
	.type	gs_yield, @function
	.p2align 4
gs_yield:
	.cfi_startproc
	movq	gs_tls@gottpoff(%rip), %rax
	movq	%fs:GS_THREAD_CUR(%rax), %rdi
	testq	%rdi, %rdi
	jz	.Lyield_outside
	cmpq	$0, %fs:GS_THREAD_EXT_TARGET(%rax)
	jne	.Lyield_forbidden
	movl	$GS_STATE_SUSPENDED, GS_CORO_STATE(%rdi)
	movq	%fs:GS_TCB_GUARD, %rcx
	movq	%rcx, GS_CORO_GUARD(%rdi)
	movq	GS_CORO_BACK(%rdi), %rsi
	movq	GS_CORO_BACK_GUARD(%rdi), %rdx
	jmp	gs_ctx_switch
.Lyield_outside:
	movl	$1, %eax                 /* EPERM */
	ret
.Lyield_forbidden:
	callq	gs_yield_forbidden
	ud2
	.cfi_endproc
	.size	gs_yield, .-gs_yield

/* First resume address of a coroutine. The creator (runtime/coro.c) lays out a
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
