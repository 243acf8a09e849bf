/* fp_across_split - float, double and long double arguments and returns
 * crossing a stack growth: the callee's prologue check calls __morestack with
 * the arguments live in %xmm0-7 and on the stack (more than 8 FP arguments,
 * so the rest go to the stack, long doubles always on the stack, 16-aligned),
 * which must preserve the registers, copy the stack arguments to the new
 * segment (ARGS bytes) or move them with the stack, and on the way back
 * preserve %xmm0/%xmm1 (float, double, _Complex double returns) and %st0/%st1
 * (long double, _Complex long double returns) through __morestack_return.
 *
 * Every function but f10 has a frame over 256 bytes (the long form of the
 * check); f10 has the short form and is called from a small frame that can
 * end below the guard. Each function gets its own sweep of e2e_at_depths, so
 * the boundary falls at its call at some depths; the test counts the calls
 * that met a split or a move and requires some for every function in the
 * growable modes.
 * Inputs are small integers and halves, so every result is exact and checked
 * for equality against a value computed here by plain arithmetic. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <complex.h>
#include <growstack.h>

/* A frame over 256 bytes: the long form of the prologue check. The index must
 * not be a constant, or the compiler splits the array into one scalar. */
#define BIG_FRAME                                                                \
    volatile double big_[40];                                                    \
    big_[(unsigned)seedvar & 31] = 1.0;                                          \
    (void)big_[(unsigned)seedvar & 31]

/* 12 doubles: a..h in %xmm0-7, i..l on the stack (32 bytes). */
__attribute__((noinline)) static double d12(double a, double b, double c, double d, double e,
                                            double f, double g, double h, double i, double j,
                                            double k, double l)
{
    int seedvar = (int)a;
    BIG_FRAME;
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j +
           11 * k + 12 * l;
}

/* Called by f10 so that f10 is not a leaf: a leaf that needs no stack gets
 * no frame and no check (protocol.md 2). */
__attribute__((noinline)) static void f10_callee(void)
{
    __asm__ volatile("");
}

/* 10 floats and ints interleaved: 8 floats in xmm, 2 on the stack; 6 ints in
 * registers, 1 on the stack. Small frame: the short check. */
__attribute__((noinline)) static float f10(float a, int n1, float b, int n2, float c, int n3,
                                           float d, int n4, float e, int n5, float f, int n6,
                                           float g, int n7, float h, float i, float j)
{
    f10_callee();
    return a - b + c - d + e - f + g - h + i - j +
           (float)(n1 + 2 * n2 + 3 * n3 + 4 * n4 + 5 * n5 + 6 * n6 + 7 * n7);
}

/* Long doubles: all on the stack, 16-byte aligned, mixed with a double and a
 * float in registers and an int. */
__attribute__((noinline)) static long double ld6(long double a, double x, long double b,
                                                 float y, long double c, int n, long double d,
                                                 long double e, long double f)
{
    int seedvar = (int)x; /* not n: a constant here, the array would be split up */
    BIG_FRAME;
    return a * 2 + b * 3 + c * 5 + d * 7 + e * 11 + f * 13 + (long double)x * 17 +
           (long double)y * 19 + n;
}

/* Mixed: 9 doubles, 3 floats, 2 long doubles: 8 FP in xmm, the rest on the
 * stack; returns a _Complex double (xmm0:xmm1). */
__attribute__((noinline)) static _Complex double mixed(double a, float b, double c, float d,
                                                       long double e, double f, double g,
                                                       double h, double i, float j, double k,
                                                       long double l, double m, double o)
{
    int seedvar = (int)a;
    BIG_FRAME;
    double re = a + b + c + d + f + g + h + i + j + k + m + o;
    double im = (double)(e - l);
    return re + im * I;
}

__attribute__((noinline)) static _Complex long double cld(long double a, long double b,
                                                          double c, double d, double e,
                                                          double f, double g, double h,
                                                          double i, double j, double k)
{
    int seedvar = (int)c;
    BIG_FRAME;
    return (a + c + d + e + f) + (b + g + h + i + j + k) * I;
}

/* f10 has the short check (`cmp %fs:0x70, %rsp; jbe`), which fires only when
 * the caller's own frame, under 256 bytes and itself checked only at entry,
 * reached below the guard: this caller is such a frame. It also records
 * whether the check of f10 itself is about to fire (%rsp at f10's entry is 8
 * below ours), so the test knows __morestack ran with f10's arguments in
 * flight, not only its own. No address of a local reaches the asm. */
static long f10_check_fired;

__attribute__((noinline)) static float via_f10(const float *fv)
{
    volatile char pad[160];
    unsigned k = (unsigned)fv[0] & 127;
    pad[k] = 1;
    uintptr_t guard, sp;
    __asm__ volatile("movq %%fs:0x70, %0" : "=r"(guard));
    __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
    f10_check_fired += sp - 8 <= guard;
    float r = f10(fv[0], 1, fv[1], 2, fv[2], 3, fv[3], 4, fv[4], 5, fv[5], 6, fv[6], 7, fv[7],
                  fv[8], fv[9]);
    return r + (float)(pad[k] - 1);
}

/* A chain: each level calls the next with the values rearranged, FP values
 * live across the calls, so growth at any level meets them. */
__attribute__((noinline)) static double chain(int level, double a, float b, long double c,
                                              double d, double e, double f, double g,
                                              double h, double i, double j)
{
    int seedvar = level;
    BIG_FRAME;
    if (level == 0)
        return a + b + (double)c + d + e + f + g + h + i + j;
    double r = chain(level - 1, j, (float)(b + 1), c + 1, a, d, e, f, g, h, i);
    /* The arguments are intact after the call (registers were preserved). */
    return r + a - j;
}

static double vals[16];

enum { F_D12, F_F10, F_LD6, F_MIXED, F_CLD, F_CHAIN, NFUNC };
static const char *const names[NFUNC] = {"d12", "f10", "ld6", "mixed", "cld", "chain"};
static long grew_at[NFUNC]; /* calls of each that met a split or a move */

struct job {
    int which;
    long round;
};

/* Growth events so far. gs_stats_get runs on the system stack (a libc-like
 * external call): reading the counters does not itself grow this stack. */
#define GROWTHS(st) (gs_stats_get(&(st)), (st).splits + (st).moves)

static void check(void *arg)
{
    struct job *jb = arg;
    double s = (double)(jb->round++ % 50); /* differs from call to call */
    double v[16];
    for (int k = 0; k < 16; k++)
        v[k] = vals[k] + s;
    float fv[10];
    for (int k = 0; k < 10; k++)
        fv[k] = (float)v[k];
    long double la = v[0] + 0.25L, lb = -v[1], lc = v[2] / 4, ld = v[3], le = 0.125L, lf = v[5];
    struct gs_stats st;
    uint64_t g0 = GROWTHS(st);

    switch (jb->which) {
    case F_D12: {
        double want = 0;
        for (int k = 0; k < 12; k++)
            want += (k + 1) * v[k];
        double got = d12(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
        g0 -= GROWTHS(st);
        E2E_CHECK_MSG(got == want, "d12: %.17g != %.17g", got, want);
        break;
    }
    case F_F10: {
        float got = via_f10(fv);
        g0 -= GROWTHS(st);
        float want = fv[0] - fv[1] + fv[2] - fv[3] + fv[4] - fv[5] + fv[6] - fv[7] + fv[8] -
                     fv[9] + (float)(1 + 2 * 2 + 3 * 3 + 4 * 4 + 5 * 5 + 6 * 6 + 7 * 7);
        E2E_CHECK_MSG(got == want, "f10: %.9g != %.9g", got, want);
        break;
    }
    case F_LD6: {
        long double got = ld6(la, v[6], lb, (float)v[7], lc, 9, ld, le, lf);
        g0 -= GROWTHS(st);
        long double want = la * 2 + lb * 3 + lc * 5 + ld * 7 + le * 11 + lf * 13 +
                           (long double)v[6] * 17 + (long double)(float)v[7] * 19 + 9;
        E2E_CHECK_MSG(got == want, "ld6: %.21Lg != %.21Lg", got, want);
        break;
    }
    case F_MIXED: {
        _Complex double got = mixed(v[0], fv[1], v[2], fv[3], la, v[5], v[6], v[7], v[8], fv[9],
                                    v[10], lb, v[12], v[13]);
        g0 -= GROWTHS(st);
        double re = v[0] + fv[1] + v[2] + fv[3] + v[5] + v[6] + v[7] + v[8] + fv[9] + v[10] +
                    v[12] + v[13];
        E2E_CHECK_MSG(creal(got) == re && cimag(got) == (double)(la - lb),
                      "mixed: %.17g%+.17gi != %.17g%+.17gi", creal(got), cimag(got), re,
                      (double)(la - lb));
        break;
    }
    case F_CLD: {
        _Complex long double got =
            cld(la, lb, v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
        g0 -= GROWTHS(st);
        long double re = la + v[2] + v[3] + v[4] + v[5];
        long double im = lb + v[6] + v[7] + v[8] + v[9] + v[10];
        E2E_CHECK_MSG(creall(got) == re && cimagl(got) == im,
                      "cld: %.21Lg%+.21Lgi != %.21Lg%+.21Lgi", creall(got), cimagl(got), re, im);
        break;
    }
    case F_CHAIN: {
        double got = chain(12, v[0], fv[1], la, v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
        g0 -= GROWTHS(st);
        /* The reference: each level rotates the arguments and adds a - j. */
        double a = v[0], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7], i = v[8], j = v[9];
        float b = fv[1];
        long double c = la;
        double extra = 0;
        for (int level = 12; level > 0; level--) {
            extra += a - j;
            double na = j, nd = a, ne = d, nf = e, ng = f, nh = g, ni = h, nj = i;
            a = na, d = nd, e = ne, f = nf, g = ng, h = nh, i = ni, j = nj;
            b = (float)(b + 1);
            c = c + 1;
        }
        double want = a + b + (double)c + d + e + f + g + h + i + j + extra;
        E2E_CHECK_MSG(got == want, "chain: %.17g != %.17g", got, want);
        break;
    }
    }
    grew_at[jb->which] += g0 != 0;
}

static void *sweep(void *arg)
{
    e2e_at_depths(check, arg);
    return NULL;
}

int main(void)
{
    for (int k = 0; k < 16; k++)
        vals[k] = (k % 2 ? -1.0 : 1.0) * (k + 0.5) * (k + 1);
    struct gs_config cfg;
    gs_config_get(&cfg);
    /* One sweep of depths per function, each on a fresh coroutine: the
     * boundary passes through each call in turn (with all of them in one
     * check, the first big frame would take every split; on one stack, the
     * first sweep would leave a contiguous stack too large for the next one
     * to grow). */
    for (int w = 0; w < NFUNC; w++) {
        struct job jb = {.which = w};
        gs_handle h = gs_spawn(sweep, &jb);
        E2E_CHECK(h != 0);
        E2E_EQ_LONG(gs_join(h, NULL), 0);
        E2E_EQ_LONG(jb.round, 54);
        printf("fp_across_split: %s: %ld of 54 calls met a split or move\n", names[w],
               grew_at[w]);
        if (cfg.mode != GS_MODE_FIXED)
            E2E_CHECK_MSG(grew_at[w] > 0, "%s: no call met a growth", names[w]);
    }
    printf("fp_across_split: the short check of f10 fired %ld times\n", f10_check_fired);
    if (cfg.mode != GS_MODE_FIXED)
        E2E_CHECK(f10_check_fired > 0);
    return e2e_done("fp_across_split");
}
