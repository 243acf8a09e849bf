/* painted_stack.h - how much stack a call uses, found by painting the stack
 * below it (runtime tests: leaf_stack_use, libc_stack_use).
 *
 * PAINTED_STACK_MEASURE(bytes); at file scope defines, in assembly (no
 * compiler frame of its own to miscount),
 *     size_t measure(void (*fn)(void *), void *arg);
 * which fills `bytes` of stack below its saved registers with
 * PAINTED_STACK_WORD, calls fn(arg) and returns how many bytes below its saved
 * registers no longer hold it: the deepest word that fn, or anything it
 * called, wrote, fn's return address included (an upper bound). `bytes` is a
 * number, a multiple of 8; the stack must have room for it.
 *
 * PAINTED_STACK_MEASURE_RECORD(bytes, lo, hi) also stores the painted range,
 * [lo, hi), in the globals `char *lo, *hi` before the call: for code that
 * reads the paint itself when fn does not return (a SIGABRT handler).
 */
#ifndef PAINTED_STACK_H
#define PAINTED_STACK_H

#include <stddef.h>

#define PAINTED_STACK_WORD 0xa5a5a5a5a5a5a5a5

size_t measure(void (*fn)(void *), void *arg);

#define PAINTED_STACK_MEASURE(bytes) PAINTED_STACK_ASM_(bytes, "")
#define PAINTED_STACK_MEASURE_RECORD(bytes, lo, hi)                                            \
    PAINTED_STACK_ASM_(bytes, "  movq %rdi, " #lo "(%rip)\n"                                   \
                              "  movq %rsp, " #hi "(%rip)\n")

#define PAINTED_STACK_STR_(x) #x
#define PAINTED_STACK_STR(x) PAINTED_STACK_STR_(x)
/* %rbx and %r12 (callee-saved) keep fn and arg; record runs with %rdi the
 * bottom of the paint and %rsp its top. */
#define PAINTED_STACK_ASM_(bytes, record)                                                      \
    __asm__(".text\n"                                                                          \
            ".globl measure\n"                                                                 \
            "measure:\n"                                                                       \
            "  pushq %rbp\n"                                                                   \
            "  movq %rsp, %rbp\n"                                                              \
            "  pushq %rbx\n"                                                                   \
            "  pushq %r12\n"                                                                   \
            "  movq %rdi, %rbx\n"                                                              \
            "  movq %rsi, %r12\n"                                                              \
            "  leaq -" PAINTED_STACK_STR(bytes) "(%rsp), %rdi\n"                               \
            record                                                                             \
            "  movq $(" PAINTED_STACK_STR(bytes) " / 8), %rcx\n"                               \
            "  movabsq $" PAINTED_STACK_STR(PAINTED_STACK_WORD) ", %rax\n"                     \
            "  cld\n"                                                                          \
            "  rep stosq\n"                                                                    \
            "  movq %r12, %rdi\n"                                                              \
            "  callq *%rbx\n"                                                                  \
            "  leaq -" PAINTED_STACK_STR(bytes) "(%rsp), %rdi\n"                               \
            "  movabsq $" PAINTED_STACK_STR(PAINTED_STACK_WORD) ", %rax\n"                     \
            "1: cmpq %rax, (%rdi)\n"                                                           \
            "  jne 2f\n"                                                                       \
            "  addq $8, %rdi\n"                                                                \
            "  cmpq %rsp, %rdi\n"                                                              \
            "  jb 1b\n"                                                                        \
            "2: movq %rsp, %rax\n"                                                             \
            "  subq %rdi, %rax\n"                                                              \
            "  popq %r12\n"                                                                    \
            "  popq %rbx\n"                                                                    \
            "  popq %rbp\n"                                                                    \
            "  ret\n")

#endif
