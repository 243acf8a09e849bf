/* boehm_gc_partial.c - a libgc that lacks what the runtime needs is refused at
 * start-up (runtime/gcroots.c; docs/usage.md, "The Boehm collector"). The
 * runtime names GC_set_push_other_roots & co. weakly, which pulls no member of
 * a static libgc.a into the link: an archive whose collector was linked without
 * them would collect coroutines' locals while in use. Here only GC_init is
 * defined, as such a link would leave it; the runtime must stop before main
 * with the message that says so (tests/e2e/CMakeLists.txt checks it in every
 * configuration). */
#include <stdio.h>

void GC_init(void);
void GC_init(void)
{
}

int main(void)
{
    puts("main ran: a libgc without GC_set_push_other_roots was not refused");
    return 0;
}
