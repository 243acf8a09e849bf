/* tramp_x86_64_sysv_elf_gas.S - run a call on the thread's system stack
 * (docs/protocol.md section 4.2).
 *
 * In:  %r10 = target, %r11 = bytes of stack arguments (N), argument registers and
 *      %al as for the target, [%rsp] = return address, [%rsp+8, +8+N) = arguments.
 *
 * Frame on the system stack (%rbp-based, so debuggers can walk it):
 *
 *   rbp+24  the coroutine's %rsp ([it] = return address into the caller)
 *   rbp+16  the coroutine's guard
 *   rbp+8   the previous gs_thread.ext_target (calls nest through callbacks)
 *   rbp+0   the caller's %rbp
 *   below   the copied stack arguments, 16-byte aligned
 *
 * Out: rax, rdx, xmm0, xmm1, st0, st1 as the target left them; rcx, rsi, rdi,
 *      r8-r11 clobbered (caller-saved). The CFI describes the caller's frame
 *      through the saved coroutine %rsp.
 */
#include "gs_arch.h"

	.text

	.globl	__gs_tramp
	.type	__gs_tramp, @function
	.p2align 4
__gs_tramp:
	.cfi_startproc
	cmpq	$0, %fs:GS_TCB_GUARD
	je	.Ldirect
.Lswitch:
	movq	%rax, -8(%rsp)           /* red zone of the coroutine stack */
	movq	%rdi, -16(%rsp)
	movq	%rsp, %rdi
	movq	gs_tls@gottpoff(%rip), %rax
	movq	%fs:GS_THREAD_SYS_SP(%rax), %rsp
	pushq	%rdi
	pushq	%fs:GS_TCB_GUARD
	pushq	%fs:GS_THREAD_EXT_TARGET(%rax)
	pushq	%rbp
	movq	%rsp, %rbp
	/* CFA = [rbp+24] + 8; rbp saved at [rbp]. */
	.cfi_escape 0x0f, 0x05, 0x76, 0x18, 0x06, 0x23, 0x08
	.cfi_escape 0x10, 0x06, 0x02, 0x76, 0x00
	movq	%r10, %fs:GS_THREAD_EXT_TARGET(%rax)
	movq	$0, %fs:GS_TCB_GUARD
	subq	%r11, %rsp
	andq	$-16, %rsp
	testq	%r11, %r11
	jz	2f
1:	subq	$8, %r11
	movq	8(%rdi,%r11), %rax
	movq	%rax, (%rsp,%r11)
	jnz	1b
2:	movq	-8(%rdi), %rax
	movq	-16(%rdi), %rdi
	callq	*%r10
	movq	gs_tls@gottpoff(%rip), %rcx
	movq	8(%rbp), %rsi
	movq	%rsi, %fs:GS_THREAD_EXT_TARGET(%rcx)
	movq	16(%rbp), %rsi
	movq	24(%rbp), %rdi
	movq	(%rbp), %rbp
	movq	%rdi, %rsp
	.cfi_def_cfa %rsp, 8
	.cfi_same_value %rbp
	movq	%rsi, %fs:GS_TCB_GUARD
	ret
.Ldirect:
	jmp	*%r10
	.cfi_endproc
	.size	__gs_tramp, .-__gs_tramp

/* Indirect calls: the target may be instrumented in another module. Scan the
 * registered growstack_text ranges (runtime/records.h) and jump straight to an
 * instrumented target; anything else takes the system stack. */
	.globl	__gs_tramp_icall
	.type	__gs_tramp_icall, @function
	.p2align 4
__gs_tramp_icall:
	.cfi_startproc
	cmpq	$0, %fs:GS_TCB_GUARD
	je	.Ldirect
	movq	%rax, -8(%rsp)
	movq	%rdi, -16(%rsp)
	leaq	gs_text_ranges(%rip), %rax
	movq	(%rax), %rdi
	addq	$8, %rax
1:	testq	%rdi, %rdi
	jz	3f
	cmpq	(%rax), %r10
	jb	2f
	cmpq	8(%rax), %r10
	jb	4f
2:	addq	$16, %rax
	decq	%rdi
	jmp	1b
3:	movq	-8(%rsp), %rax
	movq	-16(%rsp), %rdi
	jmp	.Lswitch
4:	movq	-8(%rsp), %rax
	movq	-16(%rsp), %rdi
	jmp	*%r10
	.cfi_endproc
	.size	__gs_tramp_icall, .-__gs_tramp_icall

/* void gs_sys_call(void (*fn)(void *), void *arg): the runtime's own way to run
 * C that may need more stack than the guard slack (free, munmap, stats) when it
 * is called on a coroutine stack. Direct when already on the system stack. */
	.globl	gs_sys_call
	.hidden	gs_sys_call
	.type	gs_sys_call, @function
	.p2align 4
gs_sys_call:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	cmpq	$0, %fs:GS_TCB_GUARD
	je	1f
	movq	gs_tls@gottpoff(%rip), %rax
	movq	%fs:GS_THREAD_SYS_SP(%rax), %rsp
1:	andq	$-16, %rsp
	movq	%rdi, %rax
	movq	%rsi, %rdi
	callq	*%rax
	movq	%rbp, %rsp
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size	gs_sys_call, .-gs_sys_call

	.section .note.GNU-stack,"",@progbits
