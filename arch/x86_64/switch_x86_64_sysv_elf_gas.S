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
 * Policy for FP state (docs/protocol.md 6.2): MXCSR and the x87 control word
 * travel with each context once the thread has called gs_fp_private() (gscc
 * calls it before every fesetround & co.), so a coroutine that changes rounding
 * mode or exception masks keeps them and does not leak them to others, as
 * Boost.Context does. Until then the thread's contexts share one state and the
 * switch skips them: stmxcsr alone costs about 1.1 ns on top of the other work
 * (2.3 ns with the rest of the FP work, AMD EPYC), the biggest single part of a
 * switch. x87/SSE data registers are caller-saved and are not saved.
 *
 * Resume is pop + jmp rather than ret: the return-stack buffer never holds the
 * resume address of another context, so ret would mispredict on every switch
 * (measured ~9 ns vs ~3 ns one-way on this machine kind).
 */
#include "gs_arch.h"

	.text
	.globl	gs_arch_switch_text_lo
	.hidden	gs_arch_switch_text_lo
gs_arch_switch_text_lo:

/* The switch itself: save the callee-saved state on the current stack and its
 * %rsp in *\from, install \guard in the TCB slot, restore the context *\to
 * and continue at its resume address with %eax = 0. \from, \to and \guard
 * must not be %rsp, %rcx, %r8 or %r9 (the scratch registers). Expanded in gs_ctx_switch
 * and in the fast paths of gs_resume and gs_yield: each of those two copies'
 * indirect jump has one usual target (gs_yield's caller, resp. gs_resume's),
 * not the alternation one shared jump would have to predict. */
.macro GS_CTX_SWITCH from, to, guard
	movq	GS_CTX_SP(\to), %r8
	GS_CTX_SWITCH_SP \from, \guard
.endm

/* The same with the new context's saved %rsp already in %r8. Loads come
 * before stores where the order is free: a load that follows a store to
 * another address with the same low 12 bits waits for that store (4 KiB
 * aliasing), and where a coroutine's struct (malloc) and its saved registers
 * (the program's depth) lie modulo 4 KiB is nobody's choice: with the new
 * %rsp read after the old context's stores, and the guard and the old %rsp
 * stored before the new registers were read, three coroutines of thirty in
 * a test switched 0.6-1.8 ns slower than the others, the same three in every
 * run (2026-12-06; protocol.md 6.1). So the old %rsp and the guard are stored last, after the new
 * context's registers are loaded; nothing reads them in between (a signal
 * handler saves and restores the guard; a context being suspended is resumed
 * only by this thread, after the switch). gs_resume and gs_yield read the
 * coroutine's fields they need before their own stores for the same reason. */
.macro GS_CTX_SWITCH_SP from, guard
	leaq	-(GS_SAVED_PC)(%rsp), %rsp
	.cfi_adjust_cfa_offset GS_SAVED_PC
	cmpl	$0, %fs:gs_fp_tls@tpoff+GS_FP_PRIVATE
	jne	.Lfp_save\@
	movq	$GS_SAVED_FP_SHARED, GS_SAVED_MXCSR(%rsp)
.Lfp_saved\@:
	movq	%r12, GS_SAVED_R12(%rsp)
	movq	%r13, GS_SAVED_R13(%rsp)
	movq	%r14, GS_SAVED_R14(%rsp)
	movq	%r15, GS_SAVED_R15(%rsp)
	movq	%rbx, GS_SAVED_RBX(%rsp)
	movq	%rbp, GS_SAVED_RBP(%rsp)
	movq	%rsp, %r9

	movq	%r8, %rsp

	/* Its own FP control state, else the thread's shared one once contexts
	 * have their own. Restored without comparing, as Boost.Context does:
	 * comparing needs the values just stored back from memory, which stalls
	 * (measured slower). */
	cmpl	$GS_SAVED_FP_SHARED, GS_SAVED_MXCSR(%rsp)
	jne	.Lfp_own\@
	cmpl	$0, %fs:gs_fp_tls@tpoff+GS_FP_PRIVATE
	jne	.Lfp_shared\@
.Lfp_loaded\@:
	movq	GS_SAVED_R12(%rsp), %r12
	movq	GS_SAVED_R13(%rsp), %r13
	movq	GS_SAVED_R14(%rsp), %r14
	movq	GS_SAVED_R15(%rsp), %r15
	movq	GS_SAVED_RBX(%rsp), %rbx
	movq	GS_SAVED_RBP(%rsp), %rbp
	movq	GS_SAVED_PC(%rsp), %rcx
	movq	%r9, GS_CTX_SP(\from)
	movq	\guard, %fs:GS_TCB_GUARD
	leaq	GS_SAVED_SIZE(%rsp), %rsp
	xorl	%eax, %eax               /* gs_yield returns 0 when resumed */
	jmp	*%rcx

	/* Out of line; the CFI above still describes each (a saved area at %rsp). */
.Lfp_save\@:
	stmxcsr	GS_SAVED_MXCSR(%rsp)
	fnstcw	GS_SAVED_FPUCW(%rsp)
	jmp	.Lfp_saved\@
.Lfp_own\@:
	/* A context that saved its own state, on a thread where contexts have
	 * their own (if it ever is another, its present state becomes the shared
	 * one first). */
	cmpl	$0, %fs:gs_fp_tls@tpoff+GS_FP_PRIVATE
	je	.Lfp_first\@
	ldmxcsr	GS_SAVED_MXCSR(%rsp)
	fldcw	GS_SAVED_FPUCW(%rsp)
	jmp	.Lfp_loaded\@
.Lfp_shared\@:
	ldmxcsr	%fs:gs_fp_tls@tpoff+GS_FP_MXCSR
	fldcw	%fs:gs_fp_tls@tpoff+GS_FP_FPUCW
	jmp	.Lfp_loaded\@
.Lfp_first\@:
	stmxcsr	%fs:gs_fp_tls@tpoff+GS_FP_MXCSR
	fnstcw	%fs:gs_fp_tls@tpoff+GS_FP_FPUCW
	movl	$1, %fs:gs_fp_tls@tpoff+GS_FP_PRIVATE
	ldmxcsr	GS_SAVED_MXCSR(%rsp)
	fldcw	GS_SAVED_FPUCW(%rsp)
	jmp	.Lfp_loaded\@
.endm

/* void gs_ctx_switch(struct gs_ctx *from, struct gs_ctx *to, uintptr_t guard)
 * Saves the current context into *from, installs `guard` in the TCB slot and
 * resumes *to. Returns when something switches back to *from. */
	.globl	gs_ctx_switch
	.hidden	gs_ctx_switch
	.type	gs_ctx_switch, @function
	.p2align 4
gs_ctx_switch:
	.cfi_startproc
	GS_CTX_SWITCH %rdi, %rsi, %rdx
	.cfi_endproc
	.size	gs_ctx_switch, .-gs_ctx_switch

/* int gs_ctx_resume(from, to, guard): the same routine under the name gs_resume
 * tail-calls; it "returns" 0 when the coroutine switches back. */
	.globl	gs_ctx_resume
	.hidden	gs_ctx_resume
	.type	gs_ctx_resume, @function
	.set	gs_ctx_resume, gs_ctx_switch

/* int gs_resume(gs_handle h): switch into the coroutine h until it yields.
 *
 * Fast path (docs/protocol.md 6.1): the common case of runtime/api.c's
 * gs_api_resume_slow, decided and done here without a frame: h names a
 * SUSPENDED coroutine co of this thread (gs_coro_lookup), no finished
 * coroutine waits to be reaped, the shrink policy passes co's stack over
 * (gs_stack_shrink_due), and the caller is the thread's own code (cur NULL,
 * guard 0) or a coroutine on its own stack (cur set, guard not 0). Then it
 * makes gs_coro_enter of runtime/coro.h, store for store, and switches: co
 * "returns" 0 to our caller when it switches back. Everything else (bad
 * handles, other states, reaping, a stack to judge, a callback on the system
 * stack, a thread not initialized: nslots is 0) tail-jumps to the C half
 * with h in %rdi. Uses %rax %rcx %rdx %rsi %rdi %r8-%r11 %xmm0 %xmm1. */
	.globl	gs_resume
	.type	gs_resume, @function
	.p2align 4
gs_resume:
	.cfi_startproc
	movl	%edi, %eax
	andl	$GS_HANDLE_SLOT_MASK, %eax
	cmpl	%fs:gs_coro_tls@tpoff+GS_CORO_THREAD_NSLOTS, %eax
	jae	gs_api_resume_slow
	shlq	$GS_SLOT_SHIFT, %rax
	addq	%fs:gs_coro_tls@tpoff+GS_CORO_THREAD_SLOTS, %rax
	movq	(%rax), %rsi                            /* co = slots[i].co */
	testq	%rsi, %rsi
	jz	gs_api_resume_slow
	cmpq	%rdi, GS_CORO_HANDLE(%rsi)
	jne	gs_api_resume_slow
	cmpl	$GS_CORO_SUSPENDED, GS_CORO_STATE(%rsi)
	jne	gs_api_resume_slow
	cmpq	$0, %fs:gs_coro_tls@tpoff+GS_CORO_THREAD_ZOMBIES
	jne	gs_api_resume_slow
	movl	GS_CORO_USAGE_SHRUNK(%rsi), %eax        /* gs_stack_shrink_due */
	orq	GS_CORO_USAGE_PROBE(%rsi), %rax
	jnz	gs_api_resume_slow
	movq	GS_CORO_STACK_SIZE(%rsi), %rax
	cmpq	GS_CORO_JUDGE_SIZE(%rsi), %rax
	jae	gs_api_resume_slow
	movq	GS_CTX_SP(%rsi), %r8                    /* co's fields before any store */
	movq	GS_CORO_STACK_GUARD(%rsi), %r10
	movups	GS_CORO_SIDE(%rsi), %xmm1
	movq	GS_CORO_SIDE+16(%rsi), %r11
	movl	GS_CORO_USAGE_RUNS(%rsi), %r9d
	movq	%fs:gs_tls@tpoff+GS_THREAD_CUR, %rcx    /* me */
	movq	%fs:GS_TCB_GUARD, %rdx                  /* its guard */
	movups	%fs:gs_tls@tpoff+GS_THREAD_SYS_SP, %xmm0
	testq	%rcx, %rcx
	jnz	3f
	testq	%rdx, %rdx
	jnz	gs_api_resume_slow
	/* From the thread's own stack: back = &co->back_ctx, the thread's side
	 * state to gs_side_tls.saved, and everything below this frame (minus what
	 * the switch pushes) is free for trampolines and __morestack. */
	movups	%xmm0, GS_CORO_SAVED_SYS_SP(%rsi)
	leaq	GS_CORO_BACK_CTX(%rsi), %rdi
	movups	%fs:__gs_side@tpoff, %xmm0
	movq	%fs:__gs_side@tpoff+16, %rax
	movups	%xmm0, %fs:gs_side_tls@tpoff+GS_SIDE_THREAD_SAVED
	movq	%rax, %fs:gs_side_tls@tpoff+GS_SIDE_THREAD_SAVED+16
	leaq	-1024(%rsp), %rax
	andq	$-16, %rax
	movq	%rax, %fs:gs_tls@tpoff+GS_THREAD_SYS_SP
	movq	%rax, %fs:gs_tls@tpoff+GS_THREAD_SYS_LOW
2:	movq	%rcx, GS_CORO_RESUMER(%rsi)
	movq	%rdi, GS_CORO_BACK(%rsi)
	movq	%rdx, GS_CORO_BACK_GUARD(%rsi)
	movq	$0, %fs:gs_tls@tpoff+GS_THREAD_EXT_TARGET
	movups	%xmm1, %fs:__gs_side@tpoff              /* __gs_side = co->stack.side */
	movq	%r11, %fs:__gs_side@tpoff+16
	movl	$GS_CORO_RUNNING, GS_CORO_STATE(%rsi)
	incl	%r9d
	movl	%r9d, GS_CORO_USAGE_RUNS(%rsi)
	movq	%rsi, %fs:gs_tls@tpoff+GS_THREAD_CUR
	addq	$2, %fs:gs_tls@tpoff+GS_THREAD_SWITCHES  /* there and back */
	.cfi_remember_state
	GS_CTX_SWITCH_SP %rdi, %r10                  /* to co->ctx (GS_CORO_CTX = 0): %r8 */
	.cfi_restore_state
	/* From a coroutine's own stack (out of line: the thread's own code is the
	 * fall-through): back = &me->ctx, me->stack.side = __gs_side. */
3:	testq	%rdx, %rdx
	jz	gs_api_resume_slow                      /* a callback of me: C */
	movups	%xmm0, GS_CORO_SAVED_SYS_SP(%rsi)
	movl	$GS_CORO_RESUMING, GS_CORO_STATE(%rcx)
	movq	%rcx, %rdi                              /* &me->ctx (GS_CORO_CTX = 0) */
	movups	%fs:__gs_side@tpoff, %xmm0
	movq	%fs:__gs_side@tpoff+16, %rax
	movups	%xmm0, GS_CORO_SIDE(%rcx)
	movq	%rax, GS_CORO_SIDE+16(%rcx)
	jmp	2b
	.cfi_endproc
	.size	gs_resume, .-gs_resume

/* int gs_yield(void): suspend the running coroutine and return to its resumer.
 * The switch saves the context with the return address into gs_yield's caller
 * as its resume address: no runtime frame stays on the coroutine stack (a
 * suspended stack holds only instrumented frames).
 *
 * Fast path (docs/protocol.md 6.1): a coroutine runs (gs_tls.cur) and no
 * external call is in progress (gs_tls.ext_target is NULL). It makes
 * coro_leave(t, co, GS_SUSPENDED) of runtime/coro.c, store for store, and
 * switches: co->state, co->stack.guard (the guard in the slot now), the side
 * stack state (co->stack.side = __gs_side; __gs_side = the resumer's, or the
 * thread's own, gs_side_tls.saved), gs_tls.cur = co->resumer (RUNNING again),
 * gs_tls.sys_sp and .ext_target as the resumer left them. Anything else
 * (outside a coroutine, on the system stack inside a callback or a signal
 * handler) takes the C half, gs_coro_yield_prepare, which says EPERM or what
 * was misused. Uses %rax %rcx %rdx %rsi %rdi %r8-%r10 %xmm0 %xmm1. */
	.globl	gs_yield
	.type	gs_yield, @function
	.p2align 4
gs_yield:
	.cfi_startproc
	movq	%fs:gs_tls@tpoff+GS_THREAD_CUR, %rdi    /* co */
	testq	%rdi, %rdi
	jz	gs_yield_slow
	cmpq	$0, %fs:gs_tls@tpoff+GS_THREAD_EXT_TARGET
	jne	gs_yield_slow
	movq	GS_CORO_RESUMER(%rdi), %rdx             /* r */
	movq	GS_CORO_BACK(%rdi), %rsi                /* co's fields before any store */
	movq	GS_CORO_BACK_GUARD(%rdi), %r10
	movups	GS_CORO_SAVED_SYS_SP(%rdi), %xmm1       /* sys_sp and ext_target */
	movq	GS_CTX_SP(%rsi), %r8                    /* the resumer's saved %rsp */
	movl	$GS_CORO_SUSPENDED, GS_CORO_STATE(%rdi)
	movq	%fs:GS_TCB_GUARD, %rax
	movq	%rax, GS_CORO_STACK_GUARD(%rdi)
	movups	%fs:__gs_side@tpoff, %xmm0              /* co->stack.side = __gs_side */
	movq	%fs:__gs_side@tpoff+16, %rax
	movups	%xmm0, GS_CORO_SIDE(%rdi)
	movq	%rax, GS_CORO_SIDE+16(%rdi)
	testq	%rdx, %rdx
	jnz	3f
	movups	%fs:gs_side_tls@tpoff+GS_SIDE_THREAD_SAVED, %xmm0   /* __gs_side = the thread's */
	movq	%fs:gs_side_tls@tpoff+GS_SIDE_THREAD_SAVED+16, %rax
2:	movups	%xmm0, %fs:__gs_side@tpoff
	movq	%rax, %fs:__gs_side@tpoff+16
	movq	%rdx, %fs:gs_tls@tpoff+GS_THREAD_CUR
	movups	%xmm1, %fs:gs_tls@tpoff+GS_THREAD_SYS_SP
	.cfi_remember_state
	GS_CTX_SWITCH_SP %rdi, %r10                  /* from = &co->ctx (GS_CORO_CTX = 0) */
	.cfi_restore_state
	/* To a coroutine (out of line: the thread's own code is the fall-through). */
3:	movl	$GS_CORO_RUNNING, GS_CORO_STATE(%rdx)
	movups	GS_CORO_SIDE(%rdx), %xmm0               /* __gs_side = r->stack.side */
	movq	GS_CORO_SIDE+16(%rdx), %rax
	jmp	2b
	.cfi_endproc
	.size	gs_yield, .-gs_yield

/* gs_yield's every other case: its C half (runtime/coro.c) checks and does the
 * same bookkeeping, or returns NULL outside coroutines; its frame is gone again
 * when the switch saves the context. */
	.type	gs_yield_slow, @function
	.p2align 4
gs_yield_slow:
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
	.size	gs_yield_slow, .-gs_yield_slow

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

/* void gs_fp_private(void) (growstack.h; docs/protocol.md 6.2): from now on
 * every context of this thread keeps its own MXCSR and x87 control word across
 * switches. The state now is the one every context of the thread has had so
 * far, so it becomes the shared state of the contexts that saved none. In a
 * signal handler it does nothing: the kernel gives a handler an FP state of its
 * own and puts the interrupted one back when it returns, so what the handler
 * changes reaches no context, and the state there is not the thread's. An
 * on-stack entry point (allowlisted): no stack beyond its return address. */
	.globl	gs_fp_private
	.type	gs_fp_private, @function
	.p2align 4
gs_fp_private:
	.cfi_startproc
	cmpl	$0, %fs:gs_fp_tls@tpoff+GS_FP_PRIVATE
	jne	1f
	cmpl	$0, %fs:gs_tls@tpoff+GS_THREAD_IN_SIGNAL
	jne	1f
	stmxcsr	%fs:gs_fp_tls@tpoff+GS_FP_MXCSR
	fnstcw	%fs:gs_fp_tls@tpoff+GS_FP_FPUCW
	movl	$1, %fs:gs_fp_tls@tpoff+GS_FP_PRIVATE
1:	ret
	.cfi_endproc
	.size	gs_fp_private, .-gs_fp_private

	.globl	gs_arch_switch_text_hi
	.hidden	gs_arch_switch_text_hi
gs_arch_switch_text_hi:

	.section .note.GNU-stack,"",@progbits
