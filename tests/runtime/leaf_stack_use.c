/* The allowlisted routines (docs/protocol.md section 4: mem*, str*, setjmp and
 * longjmp, the runtime's on-stack entry points) run on the coroutine stack in the
 * guard slack. Measure the worst case of each by painting the stack below %rsp,
 * calling it, and finding the deepest overwritten word; fail if any exceeds the
 * budget GS_STACK_GUARD leaves them. The figure includes the small wrapper frame
 * that makes the call, so it is an upper bound. */
#define _GNU_SOURCE /* strchrnul, memrchr, rawmemchr */
#include <ctype.h>
#include <errno.h>
#include <growstack.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs_arch.h"
#include "painted_stack.h"
#include "side.h"

#define PAINT 16384
/* GS_STACK_GUARD minus what the backend (256), the red zone (128) and the
 * return address / saved rbp (16) take: see arch/x86_64/gs_arch.h. */
#define BUDGET (GS_STACK_GUARD - 256 - 128 - 16)

PAINTED_STACK_MEASURE(PAINT);

static char *big_a, *big_b;
#define BIG (1 << 20)
static volatile size_t sink;
static jmp_buf jb;

static void t_memcpy(void *a) { (void)a; memcpy(big_a, big_b, BIG); memcpy(big_a + 1, big_b + 3, 777); }
static void t_memmove(void *a) { (void)a; memmove(big_a + 5, big_a, BIG - 5); memmove(big_a, big_a + 9, 4000); }
static void t_memset(void *a) { (void)a; memset(big_a, 7, BIG); memset(big_a + 3, 1, 100); }
static void t_memcmp(void *a) { (void)a; sink = (size_t)memcmp(big_a, big_b, BIG); }
static void t_memchr(void *a) { (void)a; sink = (size_t)memchr(big_b, 1, BIG); }
static void t_strlen(void *a) { (void)a; sink = strlen(big_b); }
static void t_strnlen(void *a) { (void)a; sink = strnlen(big_b, BIG); }
static void t_strcmp(void *a) { (void)a; sink = (size_t)strcmp(big_b, big_a); }
static void t_strncmp(void *a) { (void)a; sink = (size_t)strncmp(big_b, big_a, BIG); }
static void t_strchr(void *a) { (void)a; sink = (size_t)strchr(big_b, 'z'); }
static void t_strrchr(void *a) { (void)a; sink = (size_t)strrchr(big_b, 'q'); }
static void t_strcpy(void *a) { (void)a; strcpy(big_a, big_b); }
static void t_strncpy(void *a) { (void)a; strncpy(big_a, big_b, BIG); }
static void t_bcmp(void *a) { (void)a; sink = (size_t)bcmp(big_a, big_b, BIG); }
/* A reject/accept set of more than 16 bytes takes glibc's generic strcspn,
 * strspn and strpbrk, which keep a 256-byte table on the stack. */
#define LONG_SET "abcdefghijklmnopqrstuvwyz0123456789" /* no x: big_b is x... */
static void t_strcspn(void *a) { (void)a; sink = strcspn(big_b, LONG_SET) + strcspn(big_b, "qz"); }
static void t_strspn(void *a) { (void)a; sink = strspn(big_b, "x" LONG_SET) + strspn(big_b, "x"); }
static void t_strpbrk(void *a) { (void)a; sink = (size_t)strpbrk(big_b, LONG_SET) + (size_t)strpbrk(big_b, "q"); }
static void t_strchrnul(void *a) { (void)a; sink = (size_t)strchrnul(big_b, 'q'); }
static void t_memrchr(void *a) { (void)a; sink = (size_t)memrchr(big_b, 'q', BIG); }
static void t_rawmemchr(void *a) { (void)a; sink = (size_t)rawmemchr(big_b, 0); }
static void t_stpcpy(void *a) { (void)a; sink = (size_t)stpcpy(big_a, big_b); }
static void t_ctype(void *a)
{
    (void)a;
    sink = (size_t)__ctype_b_loc() + (size_t)__ctype_tolower_loc() +
           (size_t)__ctype_toupper_loc() + (size_t)__errno_location();
}
static void t_setjmp(void *a) { (void)a; if (!setjmp(jb)) longjmp(jb, 1); }
static void t_sigsetjmp(void *a) { (void)a; sigjmp_buf sb; if (!sigsetjmp(sb, 1)) siglongjmp(sb, 1); }
static void t_yield(void *a) { (void)a; gs_yield(); }
static void t_self(void *a) { (void)a; sink = gs_self() + (size_t)gs_in_coroutine(); }
/* A side frame's slow path: the first call on this coroutine runs the C half
 * (on the system stack), later ones the assembly fast path. The state is put
 * back as the frame's epilogue would. */
static void t_side(void *a)
{
    (void)a;
    struct gs_side saved = __gs_side;
    sink = (size_t)__gs_side_alloc(200, 64);
    __gs_side = saved;
}
static void t_resync(void *a) { (void)a; extern void gs_stack_resync(void); gs_stack_resync(); }
static void t_dyn(void *a)
{
    (void)a;
    extern void *__gs_dyn_mark(void);
    extern void __gs_dyn_release(void *);
    extern void __gs_dyn_frame_exit(void);
    __gs_dyn_release(__gs_dyn_mark());
    __gs_dyn_frame_exit();
}
static void *child(void *a) { for (int i = 0; i < 3; i++) gs_yield(); return a; }
static gs_handle kid;
static void t_resume(void *a) { (void)a; gs_resume(kid); }
static void t_join(void *a) { (void)a; gs_join(kid, NULL); }

struct probe { const char *name; void (*fn)(void *); };
static const struct probe probes[] = {
    {"memcpy", t_memcpy}, {"memmove", t_memmove}, {"memset", t_memset}, {"memcmp", t_memcmp},
    {"memchr", t_memchr}, {"strlen", t_strlen}, {"strnlen", t_strnlen}, {"strcmp", t_strcmp},
    {"strncmp", t_strncmp}, {"strchr", t_strchr}, {"strrchr", t_strrchr}, {"strcpy", t_strcpy},
    {"strncpy", t_strncpy}, {"bcmp", t_bcmp}, {"strcspn", t_strcspn}, {"strspn", t_strspn},
    {"strpbrk", t_strpbrk}, {"strchrnul", t_strchrnul}, {"memrchr", t_memrchr},
    {"rawmemchr", t_rawmemchr}, {"stpcpy", t_stpcpy}, {"__ctype_*_loc, __errno_location", t_ctype},
    {"setjmp+longjmp", t_setjmp}, {"sigsetjmp+siglongjmp", t_sigsetjmp},
    {"gs_yield", t_yield}, {"gs_self", t_self}, {"gs_stack_resync", t_resync},
    {"__gs_dyn_*", t_dyn}, {"__gs_side_alloc", t_side}, {"gs_resume", t_resume}, {"gs_join (blocking)", t_join},
};

static int failures;

static void *run_probes(void *arg)
{
    (void)arg;
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        if (probes[i].fn == t_resume || probes[i].fn == t_join)
            kid = gs_spawn(child, NULL);
        size_t worst = 0;
        for (int rep = 0; rep < 3; rep++) {
            size_t used = measure(probes[i].fn, NULL);
            if (used > worst)
                worst = used;
        }
        printf("%-22s %5zu bytes %s\n", probes[i].name, worst, worst > BUDGET ? "OVER BUDGET" : "");
        if (worst > BUDGET)
            failures++;
        if (probes[i].fn == t_resume)
            gs_join(kid, NULL);
    }
    return NULL;
}

int main(void)
{
    big_a = malloc(BIG + 64);
    big_b = malloc(BIG + 64);
    memset(big_b, 'x', BIG);
    big_b[BIG - 1] = 0;
    memset(big_a, 'x', BIG);
    big_a[BIG - 2] = 'y';
    big_a[BIG - 1] = 0;
    printf("budget (GS_STACK_GUARD %d - 400): %d bytes\n", GS_STACK_GUARD, BUDGET);
    /* On a coroutine (fixed stack, room to paint), as instrumented code would. */
    gs_handle h = gs_spawn(run_probes, NULL);
    gs_join(h, NULL);
    return failures ? 1 : 0;
}
