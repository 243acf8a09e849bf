/* side_stack_handmade - the side stack (docs/protocol.md 7) and setjmp buffers
 * across stack moves, with code that does by hand what the plugin emits
 * (handmade.h). Run in every mode; contiguous mode with GROWSTACK_FORCE_MOVE=1
 * moves the stack at every call.
 *
 *   side_stack_handmade loop      a side-frame function called in a loop from a
 *                                 base frame without one: one chunk, reused
 *   side_stack_handmade deep      deep recursion with escaping side locals;
 *                                 their addresses stay valid across moves
 *   side_stack_handmade setjmp    longjmp after one and many moves, jmp_buf on
 *                                 the moving stack, in a side frame reached
 *                                 through a heap object (Lua's pcall), in the
 *                                 heap; nested levels
 *   side_stack_handmade shrink    longjmp across a shrink of the stack
 *   side_stack_handmade signal    a signal handler with side locals interrupts
 *                                 a coroutine inside a side frame; nested
 *   side_stack_handmade pins      growth above a pinned frame: pins counted and
 *                                 named (GROWSTACK_STATS, GROWSTACK_TRACE); the
 *                                 stack moves again once it returned
 *   side_stack_handmade signal_overflow   a handler whose side frame does not
 *                                 fit its area: fatal, naming the handler
 *   side_stack_handmade side_overflow     recursion whose side frames pass
 *                                 GROWSTACK_MAX: fatal, naming the side stack
 *
 * Code on coroutines calls only HM_FN functions and allowlisted routines;
 * results go to globals that main checks on the system stack. */
#include "handmade.h"

#include <growstack.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

HM_MODULE()

static int failures;
#define CHECK(c, ...)                                                                   \
    do {                                                                                \
        if (!(c)) {                                                                     \
            fprintf(stderr, "%s:%d: FAILED: %s: ", __FILE__, __LINE__, #c);             \
            fprintf(stderr, __VA_ARGS__);                                               \
            fputc('\n', stderr);                                                        \
            failures++;                                                                 \
        }                                                                               \
    } while (0)

static struct gs_config cfg;
static int moving(void) { return cfg.mode == GS_MODE_CONTIGUOUS; }

static void run_coroutine(void *(*fn)(void *), void *arg)
{
    struct gs_spawn_attr attr = {.name = "handmade"};
    gs_handle h = gs_spawn_with(fn, arg, &attr);
    if (!h) {
        perror("gs_spawn");
        exit(3);
    }
    while (!gs_done(h))
        gs_resume(h);
    gs_join(h, NULL);
}

/* Whether p lies on the running coroutine's moving stack: the runtime's
 * descriptor of the segment is not visible here, so compare with a frame. */
static volatile uintptr_t stack_probe;

/* ---- loop ------------------------------------------------------------------ */

static int *volatile escaped;   /* where side locals' addresses go (an escape) */
static volatile long loop_sum;

HM_FN static long with_side_local(long i)
{
    HM_SIDE_ENTER(16, 16);
    int *x = (int *)hm_base;
    *x = (int)i;
    escaped = x;
    long r = *escaped;
    HM_SIDE_EXIT();
    return r;
}
HM_RECORD(with_side_local, 32);

static volatile char *loop_side_addr;

HM_FN static void *loop_body(void *arg)
{
    long n = (long)arg, sum = 0;
    for (long i = 0; i < n; i++)
        sum += with_side_local(i);
    loop_sum = sum;
    loop_side_addr = (volatile char *)escaped;
    volatile char here = 0;
    stack_probe = (uintptr_t)&here;
    return 0;
}
HM_RECORD(loop_body, 0);

static void test_loop(void)
{
    struct gs_stats before, after;
    gs_stats_get(&before);
    run_coroutine(loop_body, (void *)100000L);
    gs_stats_get(&after);
    CHECK(loop_sum == 100000L * 99999L / 2, "sum %ld", loop_sum);
    CHECK(after.side_chunks - before.side_chunks == 1,
          "%llu chunks for 100000 calls (the first should be reused)",
          (unsigned long long)(after.side_chunks - before.side_chunks));
    CHECK(after.side_bytes == before.side_bytes, "side chunks not released with the coroutine");
    uintptr_t a = (uintptr_t)loop_side_addr;
    CHECK(a + 65536 < stack_probe || a > stack_probe + 65536,
          "side local %p next to the coroutine stack %p", (void *)a, (void *)stack_probe);
}

/* ---- deep ------------------------------------------------------------------ */

#define DEEP 3000
static long *deep_ptrs[DEEP + 1];
static int deep_depth;
static volatile long deep_bad = -1;

struct deep_side {
    long value;
    char pad[200];  /* 15 levels per KiB: several chunks */
};

HM_FN static long deep(int d)
{
    HM_SIDE_ENTER(sizeof(struct deep_side), 16);
    struct deep_side *s = (struct deep_side *)hm_base;
    volatile char stack_pad[64];
    stack_pad[0] = (char)d;
    s->value = d * 7 + 1;
    deep_ptrs[d] = &s->value;
    long r;
    if (d == 0) {
        /* Every level's side local is still where its address says. */
        for (int i = 0; i <= deep_depth; i++)
            if (*deep_ptrs[i] != i * 7 + 1 && deep_bad < 0)
                deep_bad = i;
        r = 0;
    } else {
        r = deep(d - 1) + 1;
    }
    if (s->value != d * 7 + 1 || stack_pad[0] != (char)d)
        deep_bad = d;
    HM_SIDE_EXIT();
    return r;
}
HM_RECORD(deep, 32);

static volatile long deep_result;
HM_FN static void *deep_body(void *arg)
{
    (void)arg;
    deep_result = deep(deep_depth);
    if (__gs_side.sp != NULL || __gs_side.lim != GS_SIDE_NO_LIM)
        deep_bad = -2;
    return 0;
}
HM_RECORD(deep_body, 0);

static void test_deep(void)
{
    struct gs_stats before, after;
    int depth = deep_depth = cfg.force_move ? 1000 : DEEP;
    gs_stats_get(&before);
    run_coroutine(deep_body, NULL);
    gs_stats_get(&after);
    CHECK(deep_result == depth, "result %ld", deep_result);
    CHECK(deep_bad == -1, "side local of level %ld lost (-2: state not back to initial)",
          deep_bad);
    CHECK(after.side_chunks - before.side_chunks >= 4, "only %llu side chunks",
          (unsigned long long)(after.side_chunks - before.side_chunks));
    CHECK(after.side_peak >= (size_t)depth * sizeof(struct deep_side), "side_peak %llu",
          (unsigned long long)after.side_peak);
    CHECK(after.side_bytes == before.side_bytes, "side chunks not released");
    if (moving())
        CHECK(after.moves - before.moves >= 5, "%llu moves",
              (unsigned long long)(after.moves - before.moves));
}

/* ---- setjmp ---------------------------------------------------------------- */

/* Descend d frames (moving the stack on the way in contiguous mode), some with
 * side frames, then longjmp to *jb. */
HM_FN static long dive(int d, jmp_buf *jb, int val)
{
    volatile char pad[96];
    pad[0] = (char)d;
    if (d == 0)
        longjmp(*jb, val);
    if (d % 7 == 0)
        return with_side_local(dive(d - 1, jb, val)) + pad[0];
    return dive(d - 1, jb, val) + pad[0];
}
HM_RECORD(dive, 0);

/* Recursion that just grows (and, back up, leaves a large stack). */
HM_FN static long grow(int d)
{
    volatile char pad[96];
    pad[0] = 1;
    return d == 0 ? 0 : grow(d - 1) + pad[0];
}
HM_RECORD(grow, 0);

enum where { ON_STACK, IN_SIDE_VIA_HEAP, IN_HEAP };
struct lj {                 /* Lua's struct lua_longjmp */
    jmp_buf b;
    volatile int status;
};
struct state {              /* Lua's lua_State, in the heap */
    struct lj *error_jmp;
};
static struct state *L;
static jmp_buf *heap_jb;
static volatile long sj_bad;

struct level_side {
    struct hm_jb_node node;
    struct lj lj;           /* escapes: its address goes into L */
    long mark;
};

/* One protected level: setjmp on a buffer at `where`, then descend `depth`
 * and jump back with `val`; returns what setjmp returned the second time. */
HM_FN static int level(enum where where, int depth, int val)
{
    HM_SIDE_ENTER(sizeof(struct level_side), 16);
    struct level_side *s = (struct level_side *)hm_base;
    HM_JB_ENTER(&s->node, 1);
    jmp_buf on_stack;
    volatile long stack_mark = 0x5a5a + depth;
    s->mark = 0x7777 + depth;
    jmp_buf *jb = where == ON_STACK ? &on_stack : where == IN_HEAP ? heap_jb : &s->lj.b;
    struct lj *saved = L->error_jmp;
    if (where == IN_SIDE_VIA_HEAP)
        L->error_jmp = &s->lj;
    s->node.buf[0] = *jb;
    int rc = setjmp(*jb);
    HM_AFTER_SETJMP(&s->node);
    if (rc == 0) {
        if (where == IN_SIDE_VIA_HEAP)
            dive(depth, &L->error_jmp->b, val); /* through the heap object */
        else
            dive(depth, jb, val);
        sj_bad = 1; /* dive returned */
    }
    if (stack_mark != 0x5a5a + depth || s->mark != 0x7777 + depth)
        sj_bad = 2;
    L->error_jmp = saved;
    HM_JB_EXIT(&s->node);
    HM_SIDE_EXIT();
    return rc;
}
HM_RECORD(level, 96);

/* Nested levels (pcall inside pcall): the inner one jumps to itself, then
 * from deeper still to the outer one. */
static volatile int nested_inner_rc;
HM_FN static int outer_then_inner(int depth)
{
    HM_SIDE_ENTER(sizeof(struct level_side), 16);
    struct level_side *s = (struct level_side *)hm_base;
    HM_JB_ENTER(&s->node, 1);
    s->mark = 0x4444;
    L->error_jmp = &s->lj;
    s->node.buf[0] = s->lj.b;
    int rc = setjmp(s->lj.b);
    HM_AFTER_SETJMP(&s->node);
    if (rc == 0) {
        grow(depth);                               /* moves in between */
        nested_inner_rc = level(ON_STACK, depth, 11);
        nested_inner_rc += 100 * level(IN_SIDE_VIA_HEAP, depth / 2, 12);
        L->error_jmp = &s->lj;
        dive(depth, &L->error_jmp->b, 13);         /* to this level */
        sj_bad = 3;
    }
    if (s->mark != 0x4444)
        sj_bad = 4;
    HM_JB_EXIT(&s->node);
    HM_SIDE_EXIT();
    return rc;
}
HM_RECORD(outer_then_inner, 96);

/* Each case on a fresh coroutine, so that each one's descent moves a small
 * stack several times. */
static volatile int sj_rc[8];
HM_FN static void *setjmp_body(void *arg)
{
    int c = (int)(long)arg;
    int depth = cfg.force_move ? 300 : 5000;
    switch (c) {
    case 0: sj_rc[0] = level(ON_STACK, 0, 1); break;      /* no move */
    case 1: sj_rc[1] = level(ON_STACK, 30, 2); break;     /* about one */
    case 2: sj_rc[2] = level(ON_STACK, depth, 3); break;  /* many */
    case 3: sj_rc[3] = level(IN_SIDE_VIA_HEAP, depth, 4); break;
    case 4: sj_rc[4] = level(IN_HEAP, depth, 5); break;
    case 5: sj_rc[5] = outer_then_inner(depth); break;
    }
    if (__gs_side.jb != NULL || __gs_side.sp != NULL)
        sj_bad = 5;
    return 0;
}
HM_RECORD(setjmp_body, 0);

static void test_setjmp(void)
{
    L = calloc(1, sizeof *L);
    heap_jb = malloc(sizeof *heap_jb);
    for (int c = 0; c < 6; c++) {
        struct gs_stats before, after;
        gs_stats_get(&before);
        run_coroutine(setjmp_body, (void *)(long)c);
        gs_stats_get(&after);
        if (moving() && c >= 2)
            CHECK(after.moves - before.moves >= 5, "case %d: %llu moves", c,
                  (unsigned long long)(after.moves - before.moves));
        CHECK(after.pins == before.pins, "case %d: %llu pins: setjmp frames must move", c,
              (unsigned long long)(after.pins - before.pins));
    }
    for (int i = 0; i < 5; i++)
        CHECK(sj_rc[i] == i + 1, "level %d: setjmp returned %d the second time", i, sj_rc[i]);
    CHECK(sj_rc[5] == 13, "outer level: %d", sj_rc[5]);
    CHECK(nested_inner_rc == 11 + 1200, "inner levels: %d", nested_inner_rc);
    CHECK(sj_bad == 0, "code %ld", sj_bad);
    free(heap_jb);
    free(L);
}

/* ---- shrink ---------------------------------------------------------------- */

static volatile int shrink_rc;
HM_FN static void *shrink_body(void *arg)
{
    (void)arg;
    HM_SIDE_ENTER(sizeof(struct level_side), 16);
    struct level_side *s = (struct level_side *)hm_base;
    HM_JB_ENTER(&s->node, 1);
    jmp_buf on_stack;
    volatile long mark = 0x1234;
    s->node.buf[0] = on_stack;
    int rc = setjmp(on_stack);
    HM_AFTER_SETJMP(&s->node);
    if (rc == 0) {
        grow(cfg.force_move ? 300 : 3000); /* a large stack, then a shallow one */
        for (int i = 0; i < 8; i++)
            gs_yield();                    /* the stack shrinks at one of these */
        dive(40, &on_stack, 21);
        sj_bad = 6;
    }
    shrink_rc = mark == 0x1234 ? rc : -1;
    HM_JB_EXIT(&s->node);
    HM_SIDE_EXIT();
    return 0;
}
HM_RECORD(shrink_body, 96);

static void test_shrink(void)
{
    struct gs_stats before, after;
    gs_stats_get(&before);
    run_coroutine(shrink_body, NULL);
    gs_stats_get(&after);
    CHECK(shrink_rc == 21, "landed with %d", shrink_rc);
    CHECK(sj_bad == 0, "code %ld", sj_bad);
    if (moving() && !cfg.force_move && cfg.shrink)
        CHECK(after.shrinks > before.shrinks, "the stack did not shrink");
}

/* ---- signal ---------------------------------------------------------------- */

static volatile sig_atomic_t handled;
static char *volatile handler_base, *volatile handler_lim, *volatile nested_base;
static volatile int handler_bad;

HM_FN static void nested_handler(int sig)
{
    (void)sig;
    HM_SIDE_ENTER(128, 16);
    nested_base = hm_base;
    if (__gs_side.lim != handler_lim)
        handler_bad = 1;
    HM_SIDE_EXIT();
}
HM_RECORD(nested_handler, 32);

HM_FN static void alarm_handler(int sig)
{
    (void)sig;
    if (!gs_in_coroutine() || handled)
        return;
    HM_SIDE_ENTER(256, 32);
    memset(hm_base, 0x5c, 256);
    handler_base = hm_base;
    handler_lim = __gs_side.lim;
    raise(SIGUSR1); /* on the signal stack already: no trampoline needed */
    if (nested_base >= hm_base || ((unsigned char *)hm_base)[255] != 0x5c)
        handler_bad = 2;
    HM_SIDE_EXIT();
    handled = 1;
}
HM_RECORD(alarm_handler, 32);

static volatile int sig_bad;
HM_FN static void *signal_body(void *arg)
{
    (void)arg;
    HM_SIDE_ENTER(64, 16);
    volatile long *mine = (volatile long *)hm_base;
    volatile struct gs_side *vs = &__gs_side;
    *mine = 77;
    char *my_sp = vs->sp, *my_lim = vs->lim;
    while (!handled)
        if (vs->sp != my_sp || vs->lim != my_lim)
            sig_bad = 1;
    if (*mine != 77 || vs->sp != my_sp || vs->lim != my_lim)
        sig_bad = 2;
    HM_SIDE_EXIT();
    return 0;
}
HM_RECORD(signal_body, 32);

static void test_signal(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = alarm_handler;
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = nested_handler;
    sigaction(SIGUSR1, &sa, NULL);
    struct itimerval it = {{0, 2000}, {0, 2000}};
    setitimer(ITIMER_REAL, &it, NULL);
    run_coroutine(signal_body, NULL);
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    CHECK(handled, "the handler did not run");
    CHECK(sig_bad == 0, "the coroutine's side state changed under it (%d)", sig_bad);
    CHECK(handler_bad == 0, "handler code %d", handler_bad);
    CHECK(handler_lim && GS_SIDE_CHUNK(handler_lim)->kind == GS_SIDE_SIGNAL,
          "the handler's side frame is not in the signal area");
    CHECK(nested_base && nested_base < handler_base,
          "a nested handler's side frame %p is not below the interrupted one's %p",
          (void *)nested_base, (void *)handler_base);
}

/* ---- pins ------------------------------------------------------------------ */

/* A frame whose record pins it (as the plugin records a frame whose address
 * escapes): growth above it chains segments, and each pin is counted under
 * its name. A hot loop at the boundary above it reuses the cached verdict.
 * Once it has returned, the same coroutine's stack moves again. */
static volatile long pins_sum;
HM_FN static long pinned_base(int depth)
{
    volatile char pad[32];
    pad[0] = 1;
    long s = grow(depth);
    for (int i = 0; i < 1000; i++)
        s += grow(depth / 2);
    return s + pad[0];
}
HM_RECORD(pinned_base, 3);

HM_FN static void *pins_body(void *arg)
{
    int depth = (int)(long)arg;
    pins_sum = pinned_base(depth);
    pins_sum += grow(depth * 4);
    return 0;
}
HM_RECORD(pins_body, 0);

static void test_pins(void)
{
    struct gs_stats before, mid, after;
    int depth = cfg.force_move ? 100 : 300;
    gs_stats_get(&before);
    run_coroutine(pins_body, (void *)(long)depth);
    gs_stats_get(&after);
    (void)mid;
    CHECK(pins_sum == depth + 1000L * (depth / 2) + 1 + 4L * depth, "sum %ld", pins_sum);
    if (moving()) {
        CHECK(after.pins > before.pins, "no pins under a pinned frame");
        CHECK(after.moves > before.moves, "no moves once the pinned frame returned");
    } else {
        CHECK(after.pins == before.pins, "pins outside contiguous mode");
    }
}

/* ---- fatal cases ----------------------------------------------------------- */

HM_FN static void greedy_handler(int sig)
{
    (void)sig;
    HM_SIDE_ENTER(32 << 10, 16);
    memset(hm_base, 0, 32 << 10);
    HM_SIDE_EXIT();
}
HM_RECORD(greedy_handler, 32);

static void test_signal_overflow(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = greedy_handler;
    sigaction(SIGUSR2, &sa, NULL);
    gs_stats_get(&(struct gs_stats){0}); /* the runtime is started */
    raise(SIGUSR2);
    fprintf(stderr, "side_stack_handmade: the greedy handler returned\n");
    exit(4);
}

HM_FN static long side_hog(long d)
{
    HM_SIDE_ENTER(1024, 16);
    ((volatile char *)hm_base)[0] = (char)d;
    long r = side_hog(d + 1) + ((volatile char *)hm_base)[0];
    HM_SIDE_EXIT();
    return r;
}
HM_RECORD(side_hog, 32);

HM_FN static void *side_hog_body(void *arg)
{
    (void)arg;
    side_hog(0);
    return 0;
}
HM_RECORD(side_hog_body, 0);

int main(int argc, char **argv)
{
    gs_config_get(&cfg);
    const char *what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "loop"))
        test_loop();
    else if (!strcmp(what, "deep"))
        test_deep();
    else if (!strcmp(what, "setjmp"))
        test_setjmp();
    else if (!strcmp(what, "shrink"))
        test_shrink();
    else if (!strcmp(what, "signal"))
        test_signal();
    else if (!strcmp(what, "pins"))
        test_pins();
    else if (!strcmp(what, "signal_overflow"))
        test_signal_overflow();
    else if (!strcmp(what, "side_overflow")) {
        run_coroutine(side_hog_body, NULL);
        fprintf(stderr, "side_stack_handmade: the endless recursion returned\n");
        return 4;
    } else {
        fprintf(stderr, "usage: side_stack_handmade loop|deep|setjmp|shrink|signal|"
                        "signal_overflow|side_overflow\n");
        return 2;
    }
    if (failures)
        return 1;
    printf("side_stack_handmade %s: ok (mode %s%s)\n", what, gs_mode_name(cfg.mode),
           cfg.force_move ? ", forced moves" : "");
    return 0;
}
