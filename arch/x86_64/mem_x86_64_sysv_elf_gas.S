/* mem_x86_64_sysv_elf_gas.S - the runtime's memcpy, memmove and memset.
 *
 * The build renames every reference the runtime's objects make to memcpy,
 * memmove and memset (the calls it writes and those the compiler emits for
 * struct copies and zeroing) to these (runtime/CMakeLists.txt, llvm-objcopy
 * --redefine-sym on libgrowstack.a). A program may define those names itself,
 * in code gscc compiles; a move copies the stack with memcpy on the system
 * stack in the middle of a growth, where instrumented code must not run
 * (docs/protocol.md 5.3), and the runtime's own memory functions cannot be the
 * program's. `rep movsq`/`rep stosq` for the whole words, `rep movsb`/`rep
 * stosb` for the rest (the copies that matter, a move's, are kilobytes to
 * megabytes of whole words; Valgrind runs a string instruction one element at
 * a time, so words rather than bytes).
 */
#include "gs_arch.h"

	.text

/* void *gs_arch_memcpy(void *dst %rdi, const void *src %rsi, size_t n %rdx) */
	.globl	gs_arch_memcpy
	.hidden	gs_arch_memcpy
	.type	gs_arch_memcpy, @function
	.p2align 4
gs_arch_memcpy:
	.cfi_startproc
	movq	%rdi, %rax
	movq	%rdx, %rcx
	shrq	$3, %rcx
	rep movsq
	movq	%rdx, %rcx
	andq	$7, %rcx
	rep movsb
	ret
	.cfi_endproc
	.size	gs_arch_memcpy, .-gs_arch_memcpy

/* void *gs_arch_memmove(void *dst %rdi, const void *src %rsi, size_t n %rdx):
 * forward unless dst lies inside (src, src + n), then backward. */
	.globl	gs_arch_memmove
	.hidden	gs_arch_memmove
	.type	gs_arch_memmove, @function
	.p2align 4
gs_arch_memmove:
	.cfi_startproc
	movq	%rdi, %r8
	subq	%rsi, %r8               /* dst - src, unsigned */
	cmpq	%rdx, %r8
	jae	gs_arch_memcpy          /* dst not inside (src, src + n): forward */
	movq	%rdi, %rax
	testq	%r8, %r8
	jz	1f                      /* dst == src */
	movq	%rdx, %rcx
	leaq	-1(%rdi,%rdx), %rdi
	leaq	-1(%rsi,%rdx), %rsi
	std
	rep movsb
	cld
1:	ret
	.cfi_endproc
	.size	gs_arch_memmove, .-gs_arch_memmove

/* void *gs_arch_memset(void *dst %rdi, int c %esi, size_t n %rdx) */
	.globl	gs_arch_memset
	.hidden	gs_arch_memset
	.type	gs_arch_memset, @function
	.p2align 4
gs_arch_memset:
	.cfi_startproc
	movq	%rdi, %r8
	movzbl	%sil, %eax
	movabsq	$0x0101010101010101, %rcx
	imulq	%rcx, %rax              /* the byte in every byte of %rax */
	movq	%rdx, %rcx
	shrq	$3, %rcx
	rep stosq
	movq	%rdx, %rcx
	andq	$7, %rcx
	rep stosb
	movq	%r8, %rax
	ret
	.cfi_endproc
	.size	gs_arch_memset, .-gs_arch_memset

	.section .note.GNU-stack,"",@progbits
