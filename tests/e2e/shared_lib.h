/* shared_lib.h - the interface between the shared_lib test's executable
 * (shared_lib.c) and its library libe2e_shared.so (shared_lib_so.c), both
 * built with gscc. */
#ifndef SHARED_LIB_H
#define SHARED_LIB_H

#include <stddef.h>

struct shlib_big {
    long v[4]; /* 32 bytes: passed in memory, on the stack */
};

/* In the library. */
long shlib_pingpong(int depth, long acc);            /* <-> exe_pong          */
long shlib_sum_callback(int n, long (*cb)(int));     /* cb(1) + ... + cb(n)   */
int shlib_format(char *buf, size_t len, int v);      /* snprintf in the .so   */
int shlib_exe_binding_is_direct(void);               /* see shared_lib_so.c   */
long shlib_many_args(int a, int b, int c, int d, int e, int f, int g, double h,
                     long i, struct shlib_big big);

/* In the executable, called by the library by name. */
long exe_pong(int depth, long acc);
long exe_square(int x);

#endif
