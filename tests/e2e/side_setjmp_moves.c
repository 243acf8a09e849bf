/* side_setjmp_moves - setjmp frames move with the stack (docs/protocol.md 7.3):
 * the plugin registers each setjmp call site's buffer in a jb node; when the
 * stack moves (growth or shrink), the runtime relocates the %rsp, %rbp and
 * callee-saved registers saved in every registered buffer, and the buffer
 * pointer itself when the buffer is on the moving stack. So:
 *
 *  1. longjmp after one move and after many, the jmp_buf a local of the
 *     setjmp caller (it may stay on the moving stack) or behind a global;
 *  2. Lua's pcall: the jmp_buf in a local struct whose address is stored in a
 *     heap object (L->errorJmp), nested protected calls, errors thrown from
 *     deep below each level, some caught by the inner level, some by the
 *     outer one;
 *  3. longjmp across a shrink: the stack grew, was given back while the
 *     coroutine was suspended, then a longjmp goes to a setjmp made before;
 *  4. contiguous mode counts no pins for any of this (setjmp frames used to
 *     pin), and moves.
 * Each case runs on a fresh coroutine (2 KiB stack in the default
 * configurations), so its descent moves the stack several times. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <setjmp.h>

static int depth_many(struct e2e_cfg m) { return m.forced ? 400 : 3000; }

/* Descend d frames, then longjmp. */
__attribute__((noinline)) static long dive(int d, jmp_buf *jb, int val)
{
    volatile char pad[80];
    const int ix = (int)(d & 7); /* not constant: the array stays whole */
    pad[ix] = (char)d;
    if (d == 0)
        longjmp(*jb, val);
    return dive(d - 1, jb, val) + pad[ix];
}

static jmp_buf *volatile global_jb;

__attribute__((noinline)) static long dive_global(int d, int val)
{
    volatile char pad[80];
    const int ix = (int)(d & 7); /* not constant: the array stays whole */
    pad[ix] = (char)d;
    if (d == 0)
        longjmp(*global_jb, val);
    return dive_global(d - 1, val) + pad[ix];
}

/* Grow and come back (a large stack, used shallowly afterwards). */
__attribute__((noinline)) static long grow(int d)
{
    volatile char pad[80];
    const int ix = (int)(d & 7); /* not constant: the array stays whole */
    pad[ix] = 1;
    return d == 0 ? 0 : grow(d - 1) + pad[ix];
}

struct job {
    int which, depth, result;
    long bad;
};

/* 1. A local jmp_buf, passed down. */
__attribute__((noinline)) static int local_buf(int depth, int val)
{
    jmp_buf jb;
    volatile long mark = 1000 + depth;
    int rc = setjmp(jb);
    if (rc == 0) {
        dive(depth, &jb, val);
        return -1;
    }
    return mark == 1000 + depth ? rc : -2;
}

/* 1. A local jmp_buf reached through a global. */
__attribute__((noinline)) static int global_buf(int depth, int val)
{
    jmp_buf jb;
    volatile long mark = 2000 + depth;
    global_jb = &jb;
    int rc = setjmp(jb);
    if (rc == 0) {
        dive_global(depth, val);
        return -1;
    }
    global_jb = NULL;
    return mark == 2000 + depth ? rc : -2;
}

/* 2. Lua's protected calls (ldo.c: luaD_rawrunprotected, luaD_throw). */
struct lua_longjmp {
    struct lua_longjmp *previous;
    jmp_buf b;
    volatile int status;
};
struct lua_State {
    struct lua_longjmp *errorJmp;
    int nested;
};
static struct lua_State *L;

__attribute__((noinline)) static void luaD_throw(int errcode)
{
    L->errorJmp->status = errcode;
    longjmp(L->errorJmp->b, 1);
}

__attribute__((noinline)) static long deep_then_throw(int d, int errcode)
{
    volatile char pad[96];
    const int ix = (int)(d & 7); /* not constant: the array stays whole */
    pad[ix] = (char)d;
    if (d == 0) {
        luaD_throw(errcode);
        return 0;
    }
    return deep_then_throw(d - 1, errcode) + pad[ix];
}

typedef void (*Pfunc)(void *ud);

__attribute__((noinline)) static int rawrunprotected(Pfunc f, void *ud)
{
    struct lua_longjmp lj;
    lj.status = 0;
    lj.previous = L->errorJmp;
    L->errorJmp = &lj;
    if (setjmp(lj.b) == 0)
        f(ud);
    L->errorJmp = lj.previous;
    return lj.status;
}

struct pcall_plan {
    int depth, inner_status, inner_again, outer_after;
};

static void inner_body(void *ud)
{
    const struct pcall_plan *p = ud;
    deep_then_throw(p->depth, 7); /* caught by the inner level */
}

static void outer_body(void *ud)
{
    struct pcall_plan *p = ud;
    grow(p->depth);
    p->inner_status = rawrunprotected(inner_body, p);
    /* A second inner level, thrown from deeper still. */
    struct pcall_plan q = *p;
    q.depth = p->depth * 2;
    p->inner_again = rawrunprotected(inner_body, &q);
    L->nested++;
    deep_then_throw(p->depth, 9); /* caught by the outer level */
    p->outer_after = 1;           /* not reached */
}

/* 3. longjmp across a shrink. */
__attribute__((noinline)) static int across_shrink(int depth)
{
    jmp_buf jb;
    volatile long mark = 3000;
    int rc = setjmp(jb);
    if (rc == 0) {
        grow(depth);
        for (int i = 0; i < 8; i++)
            gs_yield(); /* the stack shrinks at one of these (contiguous) */
        dive(30, &jb, 31);
        return -1;
    }
    return mark == 3000 ? rc : -2;
}

static void *body(void *arg)
{
    struct job *j = arg;
    switch (j->which) {
    case 0: j->result = local_buf(0, 1); break;
    case 1: j->result = local_buf(25, 2); break;       /* about one move */
    case 2: j->result = local_buf(j->depth, 3); break; /* many */
    case 3: j->result = global_buf(j->depth, 4); break;
    case 4: {
        struct pcall_plan p = {.depth = j->depth / 3};
        int outer = rawrunprotected(outer_body, &p);
        j->result = outer == 9 && p.inner_status == 7 && p.inner_again == 7 &&
                            !p.outer_after && L->errorJmp == NULL && L->nested == 1
                        ? 5
                        : -(outer * 100 + p.inner_status * 10 + p.inner_again);
        break;
    }
    case 5: j->result = across_shrink(j->depth); break;
    }
    return NULL;
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    L = calloc(1, sizeof *L);
    static const int want[] = {1, 2, 3, 4, 5, 31};
    static const char *const names[] = {"no move",         "about one move", "many moves",
                                        "buffer behind a global", "Lua pcall, nested",
                                        "across a shrink"};
    for (int c = 0; c < 6; c++) {
        struct job j = {.which = c, .depth = depth_many(m)};
        struct gs_stats t0 = e2e_stats();
        gs_handle h = gs_spawn(body, &j);
        E2E_CHECK(h != 0);
        if (c == 5) {
            while (!gs_done(h))
                gs_resume(h);
        }
        E2E_EQ_LONG(gs_join(h, NULL), 0);
        struct gs_stats d = e2e_stats_since(&t0);
        printf("side_setjmp_moves: %s: ", names[c]);
        e2e_print_growth("", &d);
        E2E_CHECK_MSG(j.result == want[c], "%s: result %d, want %d", names[c], j.result,
                      want[c]);
        if (m.contiguous) {
            if (c >= 2)
                E2E_CHECK_MSG(d.moves >= 3, "%s: %llu moves", names[c],
                              (unsigned long long)d.moves);
            if (!m.forced)
                E2E_CHECK_MSG(d.pins == 0, "%s: %llu pins (setjmp frames move)", names[c],
                              (unsigned long long)d.pins);
            if (c == 5 && !m.forced)
                E2E_CHECK_MSG(d.shrinks > 0, "%s: the stack did not shrink", names[c]);
        }
    }
    free(L);
    return e2e_done("side_setjmp_moves");
}
