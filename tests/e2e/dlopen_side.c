/* dlopen_side - a gscc-built library with side frames and calls of the C
 * library, loaded with dlopen (not linked): it binds to the executable's side
 * stack state, slow path, trampoline and thunk resolver, and its recursion
 * with escaping locals runs on the coroutine, moving with it.
 * The library's path is the program's first argument. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <dlfcn.h>

int main(int argc, char **argv)
{
    E2E_CHECK_MSG(argc == 2, "usage: dlopen_side LIBRARY");
    void *h = dlopen(argv[1], RTLD_NOW);
    E2E_CHECK_MSG(h != NULL, "dlopen: %s", dlerror());
    long (*f)(int) = (long (*)(int))dlsym(h, "dlopen_side_escape");
    E2E_CHECK(f != NULL);
    E2E_EQ_LONG(f(2000), 2000L * 2001 / 2);
    long (*g)(int) = (long (*)(int))dlsym(h, "dlopen_side_libc");
    E2E_CHECK(g != NULL);
    for (int d = 0; d < 3000; d += 250)
        E2E_EQ_LONG(g(d), 99);
    return e2e_done("dlopen_side");
}
