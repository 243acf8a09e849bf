/* tramp_x86_64_sysv_elf_gas.S - run a call on the thread's system stack
 * (docs/protocol.md section 4.2), and the run-time choice of an external thunk
 * (section 4.1).
 *
 * __gs_tramp
 * In:  %r10 = target, %r11 = bytes of stack arguments (N), argument registers and
 *      %al as for the target, [%rsp] = return address, [%rsp+8, +8+N) = arguments.
 *
 * Two paths. Most calls pass no stack arguments (N = 0), and %r11 is then free:
 * the short path keeps the coroutine's %rsp there and builds this frame on the
 * system stack, below gs_thread.sys_sp - GS_RED_ZONE (16-byte aligned):
 *
 *   rsp+8   the coroutine's %rsp ([it] = return address into the caller)
 *   rsp+0   the coroutine's guard
 *
 * No %rbp frame: unwinders follow the CFI (a CFA computed from the saved %rsp).
 * gs_tls is addressed local-exec (%fs:gs_tls@tpoff): the runtime is always
 * linked into the executable (a gscc-built shared object reaches __gs_tramp of
 * the executable), and no register is spent on its offset.
 *
 * Calls with stack arguments take the general path, which copies them. Its
 * frame on the system stack (%rbp-based, so debuggers can walk it), below
 * gs_thread.sys_sp - GS_RED_ZONE:
 *
 *   rbp+24  the coroutine's %rsp after the two pushes below ([it+16] = return
 *           address into the caller, [it+8] = the caller's %rax, [it] = %rdi)
 *   rbp+16  the coroutine's guard
 *   rbp+8   the previous gs_thread.ext_target (calls nest through callbacks)
 *   rbp+0   the caller's %rbp
 *   below   the copied stack arguments, 16-byte aligned
 *
 * Out: rax, rdx, xmm0, xmm1, st0, st1 as the target left them; rcx, rsi, rdi,
 *      r8-r11 clobbered (caller-saved).
 *
 * Unwinding (docs/usage.md "Debugging"). A frame that runs its callee on another
 * stack has its CFA on the caller's stack while the callee's frames are on the
 * system stack, usually at higher addresses. gdb stops a backtrace when a frame's
 * CFA is inner to (below) the CFA of the frame it called ("previous frame inner
 * to this frame"), unless the frame is a signal trampoline or its function is
 * named __morestack. So each stack-switching FDE is marked as a signal frame
 * (.cfi_signal_frame, augmentation "S"): gdb shows it as "<signal handler
 * called>" and walks on; libgcc's unwinder (backtrace(3)) and valgrind read the
 * same CFI. A signal frame's caller is looked up at its exact PC, not at
 * PC - 1 as after a call, so GS_CFI_CALLER_PC gives the caller's PC as the
 * return address minus one: inside the call instruction, in the caller's
 * function even when the call is its last instruction (a call to abort()).
 *
 * Memcheck (valgrind). Every switch to the system stack goes through
 * GS_SWITCH_TO_SYS_STACK (gs_arch.h), and nothing is ever stored below %rsp (no
 * red-zone use here), so memcheck sees only ordinary stack writes.
 */
#include "gs_arch.h"

/* The personality of both FDEs below (runtime/coro.h gs_coro_tramp_personality):
 * an exception that would unwind out of the external call into the
 * coroutine's stack is reported, not followed. Reached through this word
 * (DW_EH_PE_indirect | pcrel | sdata4: position-independent). */
	.section .data.rel.ro,"aw",@progbits
	.p2align 3
.Ltramp_personality:
	.quad	gs_coro_tramp_personality

	.text

	.globl	__gs_tramp
	.type	__gs_tramp, @function
	.p2align 4
/* One FDE for the whole routine, marked as a signal frame (see the top of the
 * file). The common case, N = 0 on a coroutine stack, runs without a taken
 * branch. */
__gs_tramp:
	.cfi_startproc
	.cfi_signal_frame
	.cfi_personality 0x9b, .Ltramp_personality
	GS_CFI_CALLER_PC
	testq	%r11, %r11
	jnz	.Lswitch_args
	cmpq	$0, %fs:GS_TCB_GUARD
	je	.Ldirect
	movq	%rsp, %r11
	.cfi_def_cfa_register %r11
	/* GS_SWITCH_TO_SYS_STACK without a scratch register: the compare is the
	 * memory access that keeps the two writes of %rsp apart (gs_arch.h). */
	movq	%fs:gs_tls@tpoff+GS_THREAD_SYS_SP, %rsp
	cmpq	$0, %fs:gs_tls@tpoff+GS_THREAD_SYS_SP
	subq	$GS_RED_ZONE, %rsp
	pushq	%r11
	/* CFA = [rsp] + 8 (DW_CFA_def_cfa_expression: DW_OP_breg7 0, DW_OP_deref,
	 * DW_OP_plus_uconst 8), and [rsp+8] + 8 after the next push. */
	.cfi_escape 0x0f, 0x05, 0x77, 0x00, 0x06, 0x23, 0x08
	/* The guard goes through %r11 (a push with a memory operand costs 0.3 ns
	 * more per call here); %rax may hold a variadic callee's %al. */
	movq	%fs:GS_TCB_GUARD, %r11
	pushq	%r11
	.cfi_escape 0x0f, 0x05, 0x77, 0x08, 0x06, 0x23, 0x08
	movq	$0, %fs:GS_TCB_GUARD
	movq	%r10, %fs:gs_tls@tpoff+GS_THREAD_EXT_TARGET
	callq	*%r10
	/* ext_target was NULL on entry (protocol.md 4.2: no external call is in
	 * progress while a coroutine stack runs), so it is cleared, not restored. */
	movq	$0, %fs:gs_tls@tpoff+GS_THREAD_EXT_TARGET
	movq	(%rsp), %rcx
	movq	8(%rsp), %rsp
	.cfi_def_cfa %rsp, 8
	movq	%rcx, %fs:GS_TCB_GUARD
	ret
.Ldirect:
	jmp	*%r10                    /* already on the system stack */
	.cfi_endproc

/* Stack arguments: the general path. */
.Lswitch_args:
	.cfi_startproc
	.cfi_signal_frame
	.cfi_personality 0x9b, .Ltramp_personality
	GS_CFI_CALLER_PC
	cmpq	$0, %fs:GS_TCB_GUARD
	je	.Ldirect_args
	pushq	%rax
	.cfi_adjust_cfa_offset 8
	pushq	%rdi
	.cfi_adjust_cfa_offset 8
	movq	%rsp, %rdi
	.cfi_def_cfa_register %rdi
	movq	gs_tls@gottpoff(%rip), %rax
	GS_SWITCH_TO_SYS_STACK %rax
	movq	gs_tls@gottpoff(%rip), %rax
	pushq	%rdi
	pushq	%fs:GS_TCB_GUARD
	pushq	%fs:GS_THREAD_EXT_TARGET(%rax)
	pushq	%rbp
	movq	%rsp, %rbp
	/* CFA = [rbp+24] + 24 (DW_CFA_def_cfa_expression: DW_OP_breg6 24,
	 * DW_OP_deref, DW_OP_plus_uconst 24); rbp saved at [rbp]
	 * (DW_CFA_expression rbp: DW_OP_breg6 0). */
	.cfi_escape 0x0f, 0x05, 0x76, 0x18, 0x06, 0x23, 0x18
	.cfi_escape 0x10, 0x06, 0x02, 0x76, 0x00
	movq	%r10, %fs:GS_THREAD_EXT_TARGET(%rax)
	movq	$0, %fs:GS_TCB_GUARD
	subq	%r11, %rsp
	andq	$-16, %rsp
	testq	%r11, %r11
	jz	2f
1:	subq	$8, %r11
	movq	24(%rdi,%r11), %rax
	movq	%rax, (%rsp,%r11)
	jnz	1b
2:	movq	8(%rdi), %rax
	movq	(%rdi), %rdi
	callq	*%r10
	movq	gs_tls@gottpoff(%rip), %rcx
	movq	8(%rbp), %rsi
	movq	%rsi, %fs:GS_THREAD_EXT_TARGET(%rcx)
	movq	16(%rbp), %rsi
	movq	24(%rbp), %rdi
	movq	(%rbp), %rbp
	.cfi_def_cfa %rdi, 24
	.cfi_same_value %rbp
	leaq	16(%rdi), %rsp
	.cfi_def_cfa %rsp, 8
	movq	%rsi, %fs:GS_TCB_GUARD
	ret
.Ldirect_args:
	jmp	*%r10                    /* already on the system stack */
	.cfi_endproc
	.size	__gs_tramp, .-__gs_tramp

/* Whether %r10 lies in a registered growstack_text range (runtime/records.h):
 * ZF clear if it does. Clobbers %rax and %rdi. */
.macro GS_TEXT_LOOKUP
	leaq	gs_text_ranges(%rip), %rax
	movq	(%rax), %rdi
	addq	$8, %rax
1:	testq	%rdi, %rdi
	jz	3f                        /* ZF set: not found */
	cmpq	(%rax), %r10
	jb	2f
	cmpq	8(%rax), %r10
	jb	4f
2:	addq	$16, %rax
	decq	%rdi
	jmp	1b
4:	testq	%r10, %r10                /* ZF clear: found */
3:
.endm

/* Indirect calls: the target may be instrumented in another module. Scan the
 * registered growstack_text ranges and jump straight to an instrumented target;
 * anything else takes the system stack. */
	.globl	__gs_tramp_icall
	.type	__gs_tramp_icall, @function
	.p2align 4
__gs_tramp_icall:
	.cfi_startproc
	cmpq	$0, %fs:GS_TCB_GUARD
	je	.Lidirect
	pushq	%rax
	.cfi_adjust_cfa_offset 8
	pushq	%rdi
	.cfi_adjust_cfa_offset 8
	GS_TEXT_LOOKUP
	popq	%rdi
	.cfi_adjust_cfa_offset -8
	popq	%rax
	.cfi_adjust_cfa_offset -8
	jz	__gs_tramp
.Lidirect:
	jmp	*%r10
	.cfi_endproc
	.size	__gs_tramp_icall, .-__gs_tramp_icall

/* The first call through an external thunk of an older gscc's thunk archive
 * (kept for shared objects built by it; protocol.md 4.1 has today's). The thunk is
 *
 *   __gs_x<N>.foo:  movq foo@GOTPCREL(%rip), %r10 ; movl $N, %r11d
 *                   jmp  *slot(%rip)
 *   first:          pushq %rax ; leaq slot(%rip), %rax ; jmp __gs_tramp_resolve
 *   slot:           .quad first                        (writable data)
 *
 * so its first call arrives in __gs_tramp_resolve with [%rsp] = the caller's %rax, [%rsp+8] = the
 * return address, %rax = &slot, %r10 = foo. The choice, stored in the slot for
 * every later call: foo itself when it lies in a registered growstack_text range
 * (an instrumented function of another module whose __gs_x alias is not visible,
 * for example hidden by an export list: it runs on the coroutine stack like any
 * instrumented call), else __gs_tramp. The modules a thunk can reach are loaded
 * and registered (by their constructors) before the program can call them; two
 * threads resolving the same slot store the same value. (THUNK_RESOLVE below,
 * kind THUNK_OLD.) */

/* The first call through a thunk of gscc's thunk archive (protocol.md 4.1),
 * the layout of thunks.h:
 *
 *   __gs_x<N>.foo:  movq foo@GOTPCREL(%rip), %r10 ; movl $N, %r11d
 *                   cmpq $0, slot(%rip) ; jne 1f
 *                   jmp  *__gs_tramp@GOTPCREL(%rip)     the steady state: slot = 0
 *   1:              jmp  *slot(%rip)
 *   first:          pushq %rax ; leaq slot(%rip), %rax ; jmp __gs_thunk_resolve
 *   slot:           .quad first                         (writable data)
 *
 * A thunk of a measured C library function (gs_libc_leaves.h) has instead of
 * the direct jump to the trampoline `leaq -BYTES(%rsp), %r11; cmpq %fs:0x70,
 * %r11; jbe tramp; jmp *%r10`: it runs the function on the coroutine stack
 * when the stack holds BYTES more above the guard (protocol.md 4.1a), and
 * resolves through __gs_thunk_resolve_leaf.
 *
 * In: [%rsp] = the caller's %rax, [%rsp+8] = the return address, %rax = &slot,
 * %r10 = foo, %r11 = N (0 for the leaf form). The choice, stored in the slot:
 *   - foo, when it lies in a registered growstack_text range (instrumented code
 *     of another module whose __gs_x alias is hidden): it runs on the coroutine
 *     stack like any instrumented call, from now on through `jmp *slot`;
 *   - 0: the thunk's own path (the trampoline; for the leaf form, the checked
 *     direct call), when foo is not instrumented (and, for the leaf form, lies
 *     in the text of the C library the figures were measured on:
 *     gs_libc_leaves_text_lo/hi, runtime/libc_leaves.c);
 *   - __gs_tramp (leaf form only): any other function of that name (an
 *     interposed malloc: its stack use is unknown) always takes the trampoline.
 * This first call continues at foo (instrumented) or in the trampoline. Two
 * threads resolving one slot store the same value. */
/* The three resolvers differ only in what a function that is not instrumented
 * gets in its slot: kind 0 (the older thunks) __gs_tramp; kind 1 0; kind 2 (the
 * leaf form) 0 inside the measured C library, else __gs_tramp. */
.set	THUNK_OLD, 0
.set	THUNK_SLOT_TEST, 1
.set	THUNK_LEAF, 2
.macro THUNK_RESOLVE name, kind
	.globl	\name
	.type	\name, @function
	.p2align 4
\name:
	.cfi_startproc
	.cfi_adjust_cfa_offset 8          /* the thunk pushed %rax */
	pushq	%rdi
	.cfi_adjust_cfa_offset 8
	pushq	%rcx
	.cfi_adjust_cfa_offset 8
	movq	%rax, %rcx
	GS_TEXT_LOOKUP
	jnz	3f                        /* instrumented: slot = foo, go there */
	leaq	__gs_tramp(%rip), %rax    /* this call: the trampoline */
	.if \kind == THUNK_LEAF
	cmpq	gs_libc_leaves_text_lo(%rip), %r10
	jb	1f
	cmpq	gs_libc_leaves_text_hi(%rip), %r10
	jb	2f
	.endif
	.if \kind != THUNK_SLOT_TEST
1:	movq	%rax, (%rcx)              /* always the trampoline */
	jmp	4f
	.endif
	.if \kind != THUNK_OLD
2:	movq	$0, (%rcx)
	jmp	4f
	.endif
3:	movq	%r10, (%rcx)
	movq	%r10, %rax
4:	movq	16(%rsp), %rcx            /* the caller's %rax ... */
	movq	%rax, 16(%rsp)            /* ... gives its place to the choice */
	movq	%rcx, %rax
	popq	%rcx
	.cfi_adjust_cfa_offset -8
	popq	%rdi
	.cfi_adjust_cfa_offset -8
	ret                               /* to the choice; [%rsp] = return address */
	.cfi_endproc
	.size	\name, .-\name
.endm
THUNK_RESOLVE __gs_tramp_resolve, THUNK_OLD
THUNK_RESOLVE __gs_thunk_resolve, THUNK_SLOT_TEST
THUNK_RESOLVE __gs_thunk_resolve_leaf, THUNK_LEAF

/* void gs_sys_call(void (*fn)(void *), void *arg): the runtime's own way to run
 * C that may need more stack than the guard slack (free, munmap, stats) when it
 * is called on a coroutine stack. Direct when already on the system stack. A
 * signal frame for unwinders, like __gs_tramp (see the top of the file). */
	.globl	gs_sys_call
	.hidden	gs_sys_call
	.type	gs_sys_call, @function
	.p2align 4
gs_sys_call:
	.cfi_startproc
	.cfi_signal_frame
	GS_CFI_CALLER_PC
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	cmpq	$0, %fs:GS_TCB_GUARD
	je	1f
	movq	gs_tls@gottpoff(%rip), %rax
	GS_SWITCH_TO_SYS_STACK %rax
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

/* void gs_call_on_stack(void *sp, void (*fn)(void *), void *arg): fn(arg) with
 * %rsp at sp (16-byte aligned, on a stack with room for fn), then back. For the
 * signal dispatcher, which runs the collector's suspend handler on the
 * thread's own stack (runtime/signals.c). The frame pointer names the old
 * stack for unwinders. */
	.globl	gs_call_on_stack
	.hidden	gs_call_on_stack
	.type	gs_call_on_stack, @function
	.p2align 4
gs_call_on_stack:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	movq	%rdi, %rsp
	andq	$-16, %rsp
	movq	%rsi, %rax
	movq	%rdx, %rdi
	callq	*%rax
	movq	%rbp, %rsp
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size	gs_call_on_stack, .-gs_call_on_stack

	.section .note.GNU-stack,"",@progbits
