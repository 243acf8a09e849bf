/* ucontext_misuse_free.c - compiled by plain clang-19 (uninstrumented, like the
 * C library it stands in front of) and linked into ucontext_misuse: the
 * program's __libc_free, which the runtime's weak reference reaches
 * (runtime/mem.c). Armed, it raises SIGUSR1 once before calling the C
 * library's: inside makecontext's table lock, when the runtime frees the side
 * stack chunk of a record it replaces. Plain code because the runtime also
 * frees in the middle of growths, on the system stack, where instrumented code
 * must not run (runtime/mem.h). */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>

volatile int ucontext_misuse_armed;

void __libc_free(void *p);
void __libc_free(void *p)
{
    static void (*libc_free)(void *);
    if (!libc_free)
        libc_free = (void (*)(void *))dlsym(RTLD_NEXT, "__libc_free");
    if (!libc_free)
        abort();
    if (ucontext_misuse_armed && p) {
        ucontext_misuse_armed = 0;
        raise(SIGUSR1);
    }
    libc_free(p);
}
