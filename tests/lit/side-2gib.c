// A side frame whose SIZE + ALIGN reaches 2 GiB is a compile error
// (protocol.md 7.2), like a 2 GiB frame: here an escaping byval argument of
// 2 GiB - 16 bytes, copied to the side stack (the function's own frame is
// empty, so the frame check does not fire). Just under the limit compiles.
// RUN: not %clang -O0 -c -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=ERR
// RUN: not %clang -O2 -c -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=ERR
// RUN: %clang -O2 -DUNDER -S -emit-llvm -o - %s | FileCheck %s --check-prefix=UNDER

void keep(void *);

#ifndef UNDER
struct huge { char b[(1UL << 31) - 16]; };
// ERR: side-2gib.c:[[@LINE+2]]:6: error: growstack: side frame of 2147483632 bytes (alignment 16) in 'big' is 2 GiB or more; side-stack chunks cannot hold it (use the heap for such objects)
// ERR: 1 error generated.
void big(struct huge h) { keep(&h); }
#else
struct huge { char b[(1UL << 31) - 32]; };
// UNDER: call { ptr, ptr } @__gs_side_alloc(i64 2147483616, i64 16)
void big(struct huge h) { keep(&h); }
#endif
