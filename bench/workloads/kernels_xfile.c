/* kernels_xfile.c - the callee of call_other_file, in its own file so the call
 * crosses a file boundary (in the gs_ build: bound directly through the
 * __gs_x alias, no thunk). */
#include "kernels.h"

#define KCAT2(a, b) a##b
#define KCAT(a, b) KCAT2(a, b)
#define K(name) KCAT(KPREFIX, name)

__attribute__((noinline)) long K(xfile_add)(long a, long b)
{
    return a + (b & 3);
}

__attribute__((noinline)) long K(xfile_peek)(long *x)
{
    return *x + 1;
}

/* The same body under the noescape declaration of kernels.h. */
__attribute__((noinline)) long K(xfile_peek_ne)(long *x)
{
    return *x + 1;
}
