/* morestack_x86_64_sysv_elf_gas.S - __morestack and the on-stack runtime entry
 * points. The protocol is docs/protocol.md section 5; this file only moves
 * registers between the stack, the system stack and struct gs_morestack_regs.
 *
 * __morestack's frame, on the stack that overflowed:
 *
 *   rbp+16  F's return address (into F's caller)        <- F's stack arguments above
 *   rbp+8   return address into F's alloc block (its retq; the body is at +1)
 *   rbp+0   F's caller's %rbp
 *   rbp-8   the guard of this (old) segment
 *   rbp-16  %rax at entry (copied into struct gs_morestack_regs)
 *
 * Segmented growth (GS_GROW_CALL) calls the body on the new segment with %rbp
 * still pointing at this frame, so the body's saved %rbp links the frame-pointer
 * chain across the boundary, and the CFI below lets debuggers unwind through
 * __morestack_return into F's caller. Contiguous growth (GS_GROW_RESUME) leaves no
 * frame: it jumps to the body on the new stack.
 *
 * No system call and no libc on this path: C runs on the system stack only,
 * with the guard at 0.
 */
#include "gs_arch.h"

	.text

/* The fast split's tests and the split itself (protocol.md 5.2), on entry to
 * __morestack with its frame made and %rax = the running coroutine. The split
 * runs the body on top when %rsp (%rbp + 8) lies in top->prev and top holds
 * FRAME + ARGS + GS_STACK_GUARD + GS_ARCH_CALL_BYTES; with pinned=1 (contiguous
 * mode) also only when the pin the last walk found still holds (below). \tmp is
 * a scratch register: %rax in segmented mode, where the coroutine is not needed
 * once top is loaded; %rdx, pushed with %rsi for the pin's tests, in contiguous
 * mode. %rcx is pushed; \slow pops what was pushed and takes the C half with
 * %r10 and %r11 as they came. At the end %r11 = the body, %rsp = its stack,
 * every register but %r10 and %r11 as at entry. */
/* To \slow unless segment \seg holds FRAME (%r10) + ARGS (%r11) +
 * GS_STACK_GUARD + GS_ARCH_CALL_BYTES below its descriptor, which sits at its
 * hi. \tmp is clobbered. */
.macro ROOM_IN seg, tmp, slow
	leaq	GS_STACK_GUARD+GS_ARCH_CALL_BYTES(%r10,%r11), \tmp
	addq	GS_SEG_LO(\seg), \tmp
	cmpq	\seg, \tmp
	ja	\slow
.endm

.macro FAST_SPLIT pinned, tmp, slow
	pushq	%rcx
	.if \pinned
	pushq	%rdx
	pushq	%rsi
	.endif
	movq	GS_CORO_STACK_TOP(%rax), %rcx   /* top: the segment to run the body on */
	ROOM_IN	%rcx, \tmp, \slow
	/* %rsp at entry (%rbp + 8) must lie in top->prev, [lo, hi). Tested on
	 * %rbp: no stack word lies at hi (the descriptor does), and a missing
	 * prev (0) fails the first test before its lo is read. */
	movq	GS_SEG_PREV(%rcx), \tmp
	cmpq	\tmp, %rbp
	jae	\slow
	cmpq	GS_SEG_LO(\tmp), %rbp
	jb	\slow
	.if \pinned
	/* Contiguous mode: only above the pinned frame the last walk found, still
	 * live where it was (pin_still_holds in stack.c), and counted as its pin. */
	cmpq	GS_CORO_PIN_SEG(%rax), %rdx
	jne	\slow
	movq	GS_CORO_PIN_SLOT(%rax), %rsi
	cmpq	%rdx, %rsi                      /* below the segment's hi */
	jae	\slow
	subq	$16, %rsi
	cmpq	%rbp, %rsi                      /* at or above F's return address: %rbp + 16 */
	jb	\slow
	movq	16(%rsi), %rdx
	cmpq	GS_CORO_PIN_RET(%rax), %rdx     /* [slot] */
	jne	\slow
	movq	8(%rsi), %rdx
	cmpq	GS_CORO_PIN_BELOW(%rax), %rdx   /* [slot - 8] */
	jne	\slow
	movq	GS_CORO_PIN_SITE(%rax), %rdx
	cmpq	%fs:gs_tls@tpoff+GS_THREAD_TALLY_SITE, %rdx
	jne	\slow                           /* another site: the C half flushes the tally */
	incq	%fs:gs_tls@tpoff+GS_THREAD_TALLY_N
	incq	%fs:gs_tls@tpoff+GS_THREAD_PINS
	movl	$1, GS_CORO_USAGE_GREW(%rax)    /* the shrink policy's record (stack.h) */
	.endif
	SPLIT_ONTO_RCX pop_rdx_rsi=\pinned, tmp=\tmp
.endm

/* The split itself onto the segment in %rcx, whose top, size and base_off
 * already hold what grow_segmented would give them for a reused segment
 * (stack.h): count it, install its guard, copy the ARGS (%r11) bytes of stack
 * arguments, pop what was pushed (%rcx, and with pop_rdx_rsi=1 %rdx and %rsi
 * above it) and leave %r11 = the body, %rsp = its stack. */
.macro SPLIT_ONTO_RCX pop_rdx_rsi, tmp
	incq	%fs:gs_tls@tpoff+GS_THREAD_SPLITS
	incq	%fs:gs_tls@tpoff+GS_THREAD_SEGS_REUSED
	movq	GS_SEG_LO(%rcx), \tmp
	addq	$GS_STACK_GUARD, \tmp
	movq	\tmp, %fs:GS_TCB_GUARD
	movq	$0, -8(%rcx)                    /* the two zero words at the top */
	movq	$0, -16(%rcx)
	leaq	-16(%rcx), %r10                 /* the body's %rsp */
	testq	%r11, %r11
	jz	3f
	/* F's stack arguments, [%rbp + 24, + 24 + ARGS), to the body's %rsp,
	 * rounded down to 16 bytes below the zero words (gs_arch_msr_call). */
	leaq	15(%r11), \tmp
	andq	$-16, \tmp
	subq	\tmp, %r10
2:	movq	16(%rbp,%r11), \tmp
	movq	\tmp, -8(%r10,%r11)
	subq	$8, %r11
	jnz	2b
3:	movq	8(%rbp), %r11
	incq	%r11                            /* the body: the alloc block's retq + 1 */
	.if \pop_rdx_rsi
	popq	%rsi
	popq	%rdx
	.endif
	popq	%rcx
	movq	-16(%rbp), %rax
	movq	%r10, %rsp
.endm

	.globl	__morestack
	.type	__morestack, @function
	.p2align 4
__morestack:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	pushq	%fs:GS_TCB_GUARD
	pushq	%rax

	/* The fast split (runtime/stack.h, protocol.md 5.2): a segmented return
	 * left top one segment ahead of %rsp, and the function calls again. Only
	 * %rax, %r10 and %r11 are free here (the others hold F's arguments; a
	 * declined split leaves %r10 and %r11 as they came, for the C half).
	 * ARGS (%r11) is copied below; a leaf's request (GS_MORESTACK_LEAF, -1)
	 * and a size not in whole words go to the C half. Segmented mode needs
	 * no test of the shrink probe or a pending shrink (contiguous mode only). */
	testq	$7, %r11
	jnz	.Lslow
	cmpl	$GS_FAST_SPLIT_SEGMENTED, gs_stack_fast_split(%rip)
	jne	.Lfast_pinned
	movq	%fs:gs_tls@tpoff+GS_THREAD_CUR, %rax
	testq	%rax, %rax
	jz	.Lslow
	FAST_SPLIT pinned=0, tmp=%rax, slow=.Lfast_next
	/* falls into .Lcall */
.Lcall:
	/* This call and its return pair unless a switch or a longjmp comes
	 * between (stack.h, gs_stack_split_mark). %r10 is free here. */
	movq	%fs:gs_tls@tpoff+GS_THREAD_SWITCHES, %r10
	movq	%r10, %fs:gs_stack_split_mark@tpoff
	callq	*%r11
	.globl	__morestack_return
	.hidden	__morestack_return
__morestack_return:
	/* The body returned (rax, rdx, xmm0, xmm1, st0, st1 hold its results).
	 * Back to the old segment; co->top is brought up to date lazily by the next
	 * slow path (gs_stack_grow and gs_stack_resync find the segment holding %rsp). */
	.cfi_remember_state
	movq	-8(%rbp), %rcx
	movq	%rbp, %rsp
	movq	%rcx, %fs:GS_TCB_GUARD
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	movq	%fs:gs_tls@tpoff+GS_THREAD_SWITCHES, %rcx
	cmpq	%fs:gs_stack_split_mark@tpoff, %rcx
	jne	.Lreturn_landed
	ret
.Lreturn_landed:
	/* A longjmp landed or a switch came since the last split called its
	 * body (stack.h, gs_stack_split_mark): the return stack no longer pairs
	 * the returns below the landing (of the context resumed) with their
	 * calls, so each of them mispredicts. Skip F's
	 * retq (one byte at [%rsp]) and jump to F's caller, whose address the
	 * branch predictor learns like any indirect jump's: in a hot split one
	 * mispredicted return (the body's, as F's own in fixed mode) instead of
	 * three (protocol.md 5.2). The CFA rule stays %rsp + 8 across the first
	 * pop: from there on it describes F's frame, returning to F's caller. */
	incq	%fs:gs_tls@tpoff+GS_THREAD_RETURNS_JUMPED
	popq	%rcx
	popq	%rcx
	.cfi_def_cfa_offset 0
	.cfi_register 16, 2                     /* the return address: in %rcx */
	jmp	*%rcx
	.cfi_restore_state

.Lfast_pinned:
	/* Contiguous mode: a split only above the pinned frame the last walk
	 * found (below), on a stack with no shrink probe and no pending shrink. */
	cmpl	$GS_FAST_SPLIT_PINNED, gs_stack_fast_split(%rip)
	jne	.Lslow
	movq	%fs:gs_tls@tpoff+GS_THREAD_CUR, %rax
	testq	%rax, %rax
	jz	.Lslow
	cmpq	$0, GS_CORO_USAGE_PROBE(%rax)
	jne	.Lslow
	cmpl	$0, GS_CORO_USAGE_SHRUNK(%rax)
	jne	.Lslow
	FAST_SPLIT pinned=1, tmp=%rdx, slow=.Lslow_pop_pinned
	jmp	.Lcall

.Lfast_next:
	/* Segmented mode, the other state a repeated split meets: top is
	 * current (%rsp, tested on %rbp as above, lies in top itself: the C half
	 * of a split or of a resync made it so) and top->next is the segment an
	 * earlier split there left cached, with room for FRAME + ARGS. Then
	 * grow_segmented would reuse it: n->base_off from top's, top = n, size
	 * and peak up by n's usable bytes. The limit needs no test: the segments
	 * from the bottom to top are the ones they were when n was first
	 * accepted as top's next under it (a segment is only ever replaced with
	 * everything above it). A descent through several cached segments, as a
	 * deep recursion's or Lua's nested coroutines' after a longjmp, takes
	 * the C half once instead of at every boundary. Here %rcx = top (pushed),
	 * %rax free. */
	cmpq	%rcx, %rbp
	jae	.Lslow_pop_seg
	cmpq	GS_SEG_LO(%rcx), %rbp
	jb	.Lslow_pop_seg
	pushq	%rdx
	pushq	%rsi
	movq	GS_SEG_NEXT(%rcx), %rdx         /* n */
	testq	%rdx, %rdx
	jz	.Lslow_pop_next
	ROOM_IN	%rdx, %rax, .Lslow_pop_next
	movq	%rcx, %rsi
	subq	GS_SEG_LO(%rcx), %rsi
	addq	GS_SEG_BASE_OFF(%rcx), %rsi
	movq	%rsi, GS_SEG_BASE_OFF(%rdx)     /* n->base_off = top's + usable(top) */
	movq	%fs:gs_tls@tpoff+GS_THREAD_CUR, %rax
	movq	%rdx, GS_CORO_STACK_TOP(%rax)
	movq	%rdx, %rsi
	subq	GS_SEG_LO(%rdx), %rsi
	addq	GS_CORO_STACK_SIZE(%rax), %rsi  /* size += usable(n) */
	movq	%rsi, GS_CORO_STACK_SIZE(%rax)
	cmpq	GS_CORO_STACK_PEAK(%rax), %rsi
	jbe	1f
	movq	%rsi, GS_CORO_STACK_PEAK(%rax)
1:	movq	%rdx, %rcx
	SPLIT_ONTO_RCX pop_rdx_rsi=1, tmp=%rax
	jmp	.Lcall

.Lslow_pop_next:
	popq	%rsi
	popq	%rdx
.Lslow_pop_seg:
	popq	%rcx
	jmp	.Lslow
.Lslow_pop_pinned:
	popq	%rsi
	popq	%rdx
	popq	%rcx
.Lslow:
	/* struct gs_morestack_regs on the system stack: switch first, then store
	 * (nothing is written below %rsp). */
	movq	gs_tls@gottpoff(%rip), %rax
	GS_SWITCH_TO_SYS_STACK %rax, GS_MSR_SIZE
	movq	%rdi, GS_MSR_RDI(%rsp)
	movq	%rsi, GS_MSR_RSI(%rsp)
	movq	%rdx, GS_MSR_RDX(%rsp)
	movq	%rcx, GS_MSR_RCX(%rsp)
	movq	%r8,  GS_MSR_R8(%rsp)
	movq	%r9,  GS_MSR_R9(%rsp)
	movq	%r10, GS_MSR_R10(%rsp)
	movq	%r11, GS_MSR_R11(%rsp)
	movq	%rbx, GS_MSR_RBX(%rsp)
	movq	%r12, GS_MSR_R12(%rsp)
	movq	%r13, GS_MSR_R13(%rsp)
	movq	%r14, GS_MSR_R14(%rsp)
	movq	%r15, GS_MSR_R15(%rsp)
	movq	-16(%rbp), %rdi
	movq	%rdi, GS_MSR_RAX(%rsp)
	movq	(%rbp), %rdi
	movq	%rdi, GS_MSR_RBP(%rsp)
	leaq	8(%rbp), %rdi
	movq	%rdi, GS_MSR_SP(%rsp)
	movaps	%xmm0, GS_MSR_XMM+0x00(%rsp)
	movaps	%xmm1, GS_MSR_XMM+0x10(%rsp)
	movaps	%xmm2, GS_MSR_XMM+0x20(%rsp)
	movaps	%xmm3, GS_MSR_XMM+0x30(%rsp)
	movaps	%xmm4, GS_MSR_XMM+0x40(%rsp)
	movaps	%xmm5, GS_MSR_XMM+0x50(%rsp)
	movaps	%xmm6, GS_MSR_XMM+0x60(%rsp)
	movaps	%xmm7, GS_MSR_XMM+0x70(%rsp)
	/* The C half runs with the guard at 0, like every other piece of the
	 * runtime on the system stack (tramp_*.S, block_*.S): a function of the
	 * program that it reaches (a gscc-built mmap, write, strlen: a name of the
	 * C library the program defines) passes its check there instead of
	 * comparing the system stack with this coroutine's guard. The guard in
	 * place is handed over in regs->guard, which the C half sets to the guard
	 * to install on return. */
	movq	%fs:GS_TCB_GUARD, %rdi
	movq	%rdi, GS_MSR_GUARD(%rsp)
	movq	$0, %fs:GS_TCB_GUARD
	movq	%rsp, %rdi
	callq	gs_entry_morestack

	movq	GS_MSR_GUARD(%rsp), %rax
	movq	%rax, %fs:GS_TCB_GUARD
	movaps	GS_MSR_XMM+0x00(%rsp), %xmm0
	movaps	GS_MSR_XMM+0x10(%rsp), %xmm1
	movaps	GS_MSR_XMM+0x20(%rsp), %xmm2
	movaps	GS_MSR_XMM+0x30(%rsp), %xmm3
	movaps	GS_MSR_XMM+0x40(%rsp), %xmm4
	movaps	GS_MSR_XMM+0x50(%rsp), %xmm5
	movaps	GS_MSR_XMM+0x60(%rsp), %xmm6
	movaps	GS_MSR_XMM+0x70(%rsp), %xmm7
	movq	GS_MSR_RDI(%rsp), %rdi
	movq	GS_MSR_RSI(%rsp), %rsi
	movq	GS_MSR_RDX(%rsp), %rdx
	movq	GS_MSR_R8(%rsp), %r8
	movq	GS_MSR_R9(%rsp), %r9
	movq	GS_MSR_RBX(%rsp), %rbx
	movq	GS_MSR_R12(%rsp), %r12
	movq	GS_MSR_R13(%rsp), %r13
	movq	GS_MSR_R14(%rsp), %r14
	movq	GS_MSR_R15(%rsp), %r15
	movq	GS_MSR_PC(%rsp), %r11
	movq	GS_MSR_RCX(%rsp), %rcx
	movq	GS_MSR_RAX(%rsp), %rax
	cmpq	$GS_GROW_CALL, GS_MSR_ACTION(%rsp)
	je	.Lcall_body

	/* GS_GROW_RESUME: the stack was copied; continue F on the new stack as if it
	 * had just been called there. */
	movq	GS_MSR_RBP(%rsp), %rbp
	movq	GS_MSR_SP(%rsp), %rsp
	jmp	*%r11

.Lcall_body:
	/* GS_GROW_CALL: run the body on the new segment; %rbp stays this frame. */
	movq	GS_MSR_SP(%rsp), %rsp
	jmp	.Lcall
	.cfi_endproc
	.size	__morestack, .-__morestack

/* __morestack_leaf: the slow path of a measured C library function's thunk
 * (docs/protocol.md 4.1a; gscc writes the thunk: compiler-plugin/gscc/elf.cpp),
 * taken when the stack has less than the function's BYTES above the guard.
 * In: %r11d = BYTES, [%rsp] = the return address into the
 * thunk's alloc block (a nop, not a retq: a leaf's growth never chains a
 * segment, so nothing returns through it; the retry of the room test is the
 * next byte),
 * [%rsp + 8] = the thunk's return address, into the instrumented code that
 * called it; the argument registers and %rax as for the function.
 * %r10 is free (the retry loads the function again). Either a return at once,
 * through the nop to the retry (segmented mode: a segment chained for the call
 * would be unlinked when it returns, a split per call; or the guard in place
 * is the one the runtime last declined to grow from on this thread,
 * gs_leaf_declined): it finds the room still missing and takes the
 * trampoline, and the call and its ret stay paired for the return stack
 * buffer; or __morestack as for a function of BYTES
 * with no stack arguments, marked as a leaf's request (%r11 =
 * GS_MORESTACK_LEAF, which also keeps it off the fast split): the C half
 * (gs_stack_grow_leaf) moves the stack or lowers the watermark, or declines,
 * and resumes the thunk at the retry either way. The thunk has no frame: F's
 * caller is the instrumented code, whose frame the walk of a move starts from,
 * and the retry reloads the function into %r10. */
	.globl	__morestack_leaf
	.type	__morestack_leaf, @function
	.p2align 4
__morestack_leaf:
	.cfi_startproc
	cmpl	$0, gs_stack_leaf_grow(%rip)
	je	1f
	movq	%fs:gs_leaf_declined@tpoff, %r10
	cmpq	%fs:GS_TCB_GUARD, %r10
	je	1f
	movl	%r11d, %r10d                    /* FRAME: BYTES */
	movq	$GS_MORESTACK_LEAF, %r11
	jmp	__morestack
1:	ret                                     /* declined: the retry finds the room */
	.cfi_endproc                            /* missing and takes the trampoline */
	.size	__morestack_leaf, .-__morestack_leaf

/* gold and lld make split-stack callers of objects without split-stack notes call
 * this with 16 KiB added to the frame size. gscc strips the notes from its objects
 * so that never happens to them; for objects built otherwise (clang -fsplit-stack
 * plus the plugin, by hand) growing is always correct. */
	.globl	__morestack_non_split
	.type	__morestack_non_split, @function
	.p2align 4
__morestack_non_split:
	/* A stub, not an alias at the same address: gdb unwinds across stack
	 * segments only through a function it knows by the name __morestack. */
	jmp	__morestack
	.size	__morestack_non_split, .-__morestack_non_split

/* The entries a gscc-built shared object's stand-ins for __morestack and
 * __morestack_allocate_stack_space jump to through the GOT (thunks.h in gscc):
 * when the library's export list makes its stand-ins local, its calls bind to
 * them and must still reach this runtime. Stubs, not aliases: gdb knows a
 * __morestack frame only by that name. */
	.globl	__morestack_shlib
	.type	__morestack_shlib, @function
	.p2align 4
__morestack_shlib:
	.cfi_startproc
	jmp	__morestack
	.cfi_endproc
	.size	__morestack_shlib, .-__morestack_shlib

	.globl	__morestack_allocate_stack_space_shlib
	.type	__morestack_allocate_stack_space_shlib, @function
	.p2align 4
__morestack_allocate_stack_space_shlib:
	.cfi_startproc
	jmp	__morestack_allocate_stack_space
	.cfi_endproc
	.size	__morestack_allocate_stack_space_shlib, .-__morestack_allocate_stack_space_shlib

/* Run a C function on the system stack (or on the current stack when the thread
 * already runs there: guard 0), with %rdi unchanged and %rsi = the caller's %rbp
 * (or, with args=2, %rdi and %rsi unchanged and %rdx = the caller's %rbp).
 * For on-stack entry points called with the C calling convention. */
.macro ON_SYSTEM_STACK name, cfunc, vis=globl, args=1
	.\vis	\name
	.type	\name, @function
	.p2align 4
\name:
	.cfi_startproc
	.cfi_signal_frame                /* a stack switch: tramp_*.S explains */
	GS_CFI_CALLER_PC
	.if \args == 1
	movq	%rbp, %rsi
	.endif
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
	.if \args == 1
	movq	%rbp, %rdx
	.else
	movq	(%rbp), %rdx
	.endif
	callq	\cfunc
	movq	%rbp, %rsp
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size	\name, .-\name
.endm

/* void *__morestack_allocate_stack_space(size_t size): VLA/alloca slow path. */
ON_SYSTEM_STACK __morestack_allocate_stack_space, gs_entry_dyn_alloc
/* void gs_stack_resync(void): after setjmp returned, maybe through longjmp.
 * Fast path (protocol.md 5.6, runtime/stack.h): a coroutine runs, no external
 * call is in progress, a guard is in place and the caller's %rsp lies in the
 * current top segment, so top and the guard already are what the C half would
 * make them: return. Everything else (another segment, the system stack,
 * GROWSTACK_TRACE) goes to the C half on the system stack. Uses %rax, %r11. */
	.globl	gs_stack_resync
	.type	gs_stack_resync, @function
	.p2align 4
gs_stack_resync:
	.cfi_startproc
	cmpl	$0, gs_stack_fast_resync(%rip)
	je	gs_stack_resync_slow
	cmpq	$0, %fs:GS_TCB_GUARD
	je	gs_stack_resync_slow
	movq	%fs:gs_tls@tpoff+GS_THREAD_CUR, %rax
	testq	%rax, %rax
	jz	gs_stack_resync_slow
	cmpq	$0, %fs:gs_tls@tpoff+GS_THREAD_EXT_TARGET
	jne	gs_stack_resync_slow
	cmpq	$0, GS_CORO_DYN(%rax)           /* heap VLAs of skipped frames to free */
	jne	gs_stack_resync_slow
	movq	GS_CORO_STACK_TOP(%rax), %rax   /* the descriptor sits at the segment's hi */
	leaq	8(%rsp), %r11                   /* the caller's %rsp */
	cmpq	GS_SEG_LO(%rax), %r11
	jb	gs_stack_resync_slow
	cmpq	%rax, %r11
	jae	gs_stack_resync_slow
	ret
	.cfi_endproc
	.size	gs_stack_resync, .-gs_stack_resync
ON_SYSTEM_STACK gs_stack_resync_slow, gs_entry_resync, local
/* void *__gs_dyn_mark(void) / void __gs_dyn_release(void *) / __gs_dyn_frame_exit:
 * called around every VLA scope and before every return of a function with
 * dynamic allocas. Fast path: the running coroutine has no dynamic blocks (the
 * common case: VLAs fit on the stack), so there is nothing to mark or free. */
.macro DYN_FAST_PATH name, slow
	.globl	\name
	.type	\name, @function
	.p2align 4
\name:
	.cfi_startproc
	movq	gs_tls@gottpoff(%rip), %rax
	movq	%fs:GS_THREAD_CUR(%rax), %rax
	testq	%rax, %rax
	jz	1f
	movq	GS_CORO_DYN(%rax), %rax
	testq	%rax, %rax
	jnz	\slow
1:	xorl	%eax, %eax
	ret
	.cfi_endproc
	.size	\name, .-\name
.endm
DYN_FAST_PATH __gs_dyn_mark, gs_dyn_mark_slow
DYN_FAST_PATH __gs_dyn_release, gs_dyn_release_slow
DYN_FAST_PATH __gs_dyn_frame_exit, gs_dyn_exit_slow
ON_SYSTEM_STACK gs_dyn_mark_slow, gs_entry_dyn_mark, hidden
ON_SYSTEM_STACK gs_dyn_release_slow, gs_entry_dyn_release, hidden
ON_SYSTEM_STACK gs_dyn_exit_slow, gs_entry_dyn_frame_exit, hidden

/* {void *base, char *restore_sp} __gs_side_alloc(size_t size, size_t align):
 * a side frame that does not fit the current side chunk (docs/protocol.md 7.2,
 * runtime/side.h). Puts the frame at the top of the successor of the current
 * chunk (the owner's first chunk when none is current, lim == UINTPTR_MAX),
 * returns its base in %rax and sets __gs_side.sp and .lim; returns in %rdx
 * the sp the frame restores at its exits: for a small frame (size <
 * GS_SIDE_SMALL) the hi of the chunk it went to, which then stays current
 * after the frame returns; for a large one the caller's old sp.
 * Fast path, no C: that chunk is cached and holds the frame. Otherwise the C
 * half runs on the system stack. */
	.globl	__gs_side_alloc
	.type	__gs_side_alloc, @function
	.p2align 4
__gs_side_alloc:
	.cfi_startproc
	movq	__gs_side@gottpoff(%rip), %r8
	movq	%fs:GS_SIDE_LIM(%r8), %rax
	movq	%fs:GS_SIDE_SP(%r8), %r9        /* restore_sp of a large frame: the old sp */
	cmpq	$-1, %rax
	je	1f
	movq	GS_SIDE_CHUNK_NEXT-GS_SIDE_CHUNK_HDR(%rax), %rdx
	jmp	3f
1:	movq	gs_tls@gottpoff(%rip), %rcx
	movq	%fs:GS_THREAD_CUR(%rcx), %rdx
	testq	%rdx, %rdx
	jz	2f
	movq	GS_CORO_SIDE_FIRST(%rdx), %rdx
	jmp	3f
2:	movq	gs_side_tls@gottpoff(%rip), %rcx
	movq	%fs:GS_SIDE_THREAD_FIRST(%rcx), %rdx
3:	testq	%rdx, %rdx
	jz	gs_side_alloc_slow_entry        /* no cached successor */
	movq	GS_SIDE_CHUNK_HI(%rdx), %rax
	cmpq	$GS_SIDE_SMALL, %rdi
	cmovbq	%rax, %r9                       /* a small frame: the chunk's hi */
	subq	%rdi, %rax                      /* hi - size */
	jb	gs_side_alloc_slow_entry
	movq	%rsi, %rcx
	negq	%rcx
	andq	%rcx, %rax                      /* & -align */
	leaq	GS_SIDE_CHUNK_HDR(%rdx), %rcx   /* the chunk's lo: the new lim */
	cmpq	%rcx, %rax
	jb	gs_side_alloc_slow_entry        /* too small: the C half replaces it */
	movq	%rax, %fs:GS_SIDE_SP(%r8)
	movq	%rcx, %fs:GS_SIDE_LIM(%r8)
	movq	%r9, %rdx
	ret
	.cfi_endproc
	.size	__gs_side_alloc, .-__gs_side_alloc
ON_SYSTEM_STACK gs_side_alloc_slow_entry, gs_entry_side_alloc, hidden, 2

	.section .note.GNU-stack,"",@progbits
