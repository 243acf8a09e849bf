/* dlopen_side - a gscc-built library with side frames, loaded with dlopen (not
 * linked): it binds to the executable's side stack state and slow path, and
 * its recursion with escaping locals runs on the coroutine, moving with it.
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
    return e2e_done("dlopen_side");
}
