/* boehm_gc_instrumented.c - a libgc built by gscc is refused at start-up
 * (runtime/gcroots.c; docs/usage.md, "The Boehm collector"): its collections
 * would run on coroutine stacks, and it takes a local's address in a thread's
 * first frame for the base of the thread's stack (bdwgc's own tests, the whole
 * library built by gscc, corrupted the heap). Here stand-ins compiled by gscc
 * take libgc's names; the runtime finds them through its weak references and
 * must stop before main with the message that names the case
 * (tests/e2e/CMakeLists.txt checks it in every configuration). */
#include <stdio.h>

typedef void (*push_proc)(void);
static push_proc saved;

void GC_set_push_other_roots(push_proc p);
push_proc GC_get_push_other_roots(void);
void GC_push_all_eager(void *bottom, void *top);
void *GC_call_with_alloc_lock(void *(*fn)(void *), void *arg);

void GC_set_push_other_roots(push_proc p)
{
    saved = p;
}

push_proc GC_get_push_other_roots(void)
{
    return saved;
}

void GC_push_all_eager(void *bottom, void *top)
{
    (void)bottom;
    (void)top;
}

void *GC_call_with_alloc_lock(void *(*fn)(void *), void *arg)
{
    return fn(arg);
}

int main(void)
{
    puts("main ran: the instrumented stand-ins were not refused");
    return 0;
}
