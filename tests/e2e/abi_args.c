/* abi_args - struct-by-value and more-than-six-argument calls (ints, doubles,
 * floats, mixed, small integer types, long double, __int128, structs in
 * registers and in memory, struct returns) to the same functions defined in
 * this file, in another instrumented file and in an uninstrumented object;
 * directly and through function pointers; at many call depths. */
#include "e2e.h"

#define ABI_PREFIX local_
#include "abi_args_impl.h"

/* The results every copy must give, computed once by the local copies. */
static struct {
    long ints10, longs12, small_ints, structs_many;
    double doubles10, mixed16;
    float floats12;
    long double ld_mix;
    struct big ret_big;
    struct pair_d ret_pair;
    __int128 i128;
    struct f3 ret_f3;
    struct ld_s ret_ld_s;
} want;

static const struct big BIG = {{1000001, -2000002, 3000003, -4000004, 5000005}};
static const struct small SM = {-7, 9};
static const struct small SM2 = {123, -456};
static const struct pair_d PD = {1.25, -2.5};
static const struct pair_d PD2 = {0.125, 64.0};
static const struct mixed_s MX = {-42, 6.75};
static const struct f3 F3 = {1.5f, -2.25f, 3.0f};
static const struct ld_s LDA = {1.0L / 3, 5};
static const struct ld_s LDB = {-2.0L / 7, 11};
static const __int128 I128_A = ((__int128)0x123456789abcdefLL << 64) | 0xfedcba987654321ULL;

/* The calls; P(name) names the callee: local_name, inst_name, plain_name
 * (direct calls) or p->name (indirect). */
#define CALLS(P, R)                                                              \
    do {                                                                         \
        R.ints10 = P(ints10)(1, -2, 3, -4, 5, -6, 7, -8, 9, -10);                \
        R.longs12 = P(longs12)(1L << 40, -3, 5, -7, 11, -13, 17, -19, 23, -29,   \
                               31, -(1L << 33));                                 \
        R.doubles10 = P(doubles10)(0.5, -1.5, 2.25, -3.125, 4.0625, -5.5, 6.75,  \
                                   -7.875, 8.5, -9.25);                          \
        R.floats12 = P(floats12)(1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12);   \
        R.mixed16 = P(mixed16)(1, 2.5, -3, 4.5f, 'e', -6.25, -7, 8.75f, 9, 10.5, \
                               -11, 12.125, 13, -14.5f, 15.75, 200);             \
        R.small_ints = P(small_ints)(-1, 255, -32768, 65535, -128, -100000, 127,  \
                                     32767, 1, 'z');                             \
        R.ld_mix = P(ld_mix)(1.0L / 3, -4, 2.0L / 3, 0.1, -1e100L);              \
        R.ret_big = P(ret_big)(BIG, SM, -3);                                     \
        R.ret_pair = P(ret_pair)(PD, 3.0, MX);                                   \
        R.structs_many = P(structs_many)(SM, BIG, PD, MX, 1, -2, 3, -4, 5, -6,   \
                                         SM2, PD2);                              \
        R.i128 = P(i128)(I128_A, -5, -I128_A / 3, (__int128)1 << 100, -17);      \
        R.ret_f3 = P(ret_f3)(F3, 0.5f);                                          \
        R.ret_ld_s = P(ret_ld_s)(LDA, -9, LDB);                                  \
    } while (0)

/* The same calls through function pointers the compiler cannot see through
 * (indirect calls: the plugin's run-time range test, docs/protocol.md 4). */
struct abi_ptrs {
    long (*ints10)(int, int, int, int, int, int, int, int, int, int);
    long (*longs12)(long, long, long, long, long, long, long, long, long, long, long,
                    long);
    double (*doubles10)(double, double, double, double, double, double, double,
                        double, double, double);
    float (*floats12)(float, float, float, float, float, float, float, float, float,
                      float, float, float);
    double (*mixed16)(int, double, long, float, char, double, short, float, long,
                      double, int, double, long, float, double, unsigned char);
    long (*small_ints)(char, unsigned char, short, unsigned short, signed char, int,
                       signed char, short, unsigned char, char);
    long double (*ld_mix)(long double, int, long double, double, long double);
    struct big (*ret_big)(struct big, struct small, long);
    struct pair_d (*ret_pair)(struct pair_d, double, struct mixed_s);
    long (*structs_many)(struct small, struct big, struct pair_d, struct mixed_s, int,
                         int, int, int, int, int, struct small, struct pair_d);
    __int128 (*i128)(__int128, long, __int128, __int128, __int128);
    struct f3 (*ret_f3)(struct f3, float);
    struct ld_s (*ret_ld_s)(struct ld_s, int, struct ld_s);
};

#define PTRS(P)                                                                  \
    {P##ints10, P##longs12, P##doubles10, P##floats12, P##mixed16,               \
     P##small_ints, P##ld_mix, P##ret_big, P##ret_pair, P##structs_many,         \
     P##i128, P##ret_f3, P##ret_ld_s}

static struct abi_ptrs ptr_sets[3] = {PTRS(local_), PTRS(inst_), PTRS(plain_)};
static const char *const set_names[3] = {"local", "inst", "plain"};

static void compare(const char *who, const __typeof__(want) *got)
{
    E2E_CHECK_MSG(got->ints10 == want.ints10, "%s ints10 %ld != %ld", who, got->ints10,
                  want.ints10);
    E2E_CHECK_MSG(got->longs12 == want.longs12, "%s longs12 %ld != %ld", who,
                  got->longs12, want.longs12);
    E2E_CHECK_MSG(got->doubles10 == want.doubles10, "%s doubles10 %g != %g", who,
                  got->doubles10, want.doubles10);
    E2E_CHECK_MSG(got->floats12 == want.floats12, "%s floats12 %g != %g", who,
                  (double)got->floats12, (double)want.floats12);
    E2E_CHECK_MSG(got->mixed16 == want.mixed16, "%s mixed16 %g != %g", who,
                  got->mixed16, want.mixed16);
    E2E_CHECK_MSG(got->small_ints == want.small_ints, "%s small_ints %ld != %ld", who,
                  got->small_ints, want.small_ints);
    E2E_CHECK_MSG(got->ld_mix == want.ld_mix, "%s ld_mix %Lg != %Lg", who, got->ld_mix,
                  want.ld_mix);
    E2E_CHECK_MSG(memcmp(&got->ret_big, &want.ret_big, sizeof want.ret_big) == 0,
                  "%s ret_big", who);
    E2E_CHECK_MSG(got->ret_pair.x == want.ret_pair.x && got->ret_pair.y == want.ret_pair.y,
                  "%s ret_pair (%g, %g)", who, got->ret_pair.x, got->ret_pair.y);
    E2E_CHECK_MSG(got->structs_many == want.structs_many, "%s structs_many %ld != %ld",
                  who, got->structs_many, want.structs_many);
    E2E_CHECK_MSG(got->i128 == want.i128, "%s i128", who);
    E2E_CHECK_MSG(got->ret_f3.a == want.ret_f3.a && got->ret_f3.b == want.ret_f3.b &&
                      got->ret_f3.c == want.ret_f3.c,
                  "%s ret_f3", who);
    E2E_CHECK_MSG(got->ret_ld_s.v == want.ret_ld_s.v &&
                      got->ret_ld_s.tag == want.ret_ld_s.tag,
                  "%s ret_ld_s (%Lg, %d)", who, got->ret_ld_s.v, got->ret_ld_s.tag);
}

#define VIA_LOCAL(name) local_##name
#define VIA_INST(name) inst_##name
#define VIA_PLAIN(name) plain_##name
#define VIA_PTR(name) p->name

static void check_direct(void *arg)
{
    (void)arg;
    __typeof__(want) got;
    memset(&got, 0, sizeof got);
    CALLS(VIA_LOCAL, got);
    compare("direct local", &got);
    memset(&got, 0, sizeof got);
    CALLS(VIA_INST, got);
    compare("direct inst", &got);
    memset(&got, 0, sizeof got);
    CALLS(VIA_PLAIN, got);
    compare("direct plain", &got);
}

static void check_indirect(void *arg)
{
    (void)arg;
    char who[32];
    for (int s = 0; s < 3; s++) {
        /* volatile: the pointer is not known at compile time */
        struct abi_ptrs *volatile vp = &ptr_sets[s];
        struct abi_ptrs *p = vp;
        __typeof__(want) got;
        memset(&got, 0, sizeof got);
        CALLS(VIA_PTR, got);
        snprintf(who, sizeof who, "indirect %s", set_names[s]);
        compare(who, &got);
    }
}

int main(void)
{
    CALLS(VIA_LOCAL, want);
    /* The reference itself, against arithmetic done here. */
    E2E_EQ_LONG(want.ints10, 1 - 4 + 9 - 20 + 35 - 66 + 91 - 136 + 171 - 230);
    E2E_EQ_LONG(want.small_ints, -1 + 3 * 255 + 5 * -32768 + 7 * 65535 + 11 * -128 +
                                     13 * -100000 + 17 * 127 + 19 * 32767 + 23 + 29 * 'z');
    E2E_CHECK(want.doubles10 == 0.5 - 3 + 9 - 25 + 65 - 176 + 432 - 1008 + 2176 - 4736);
    E2E_CHECK(want.ret_big.v[4] == 5000005L * -3 + -7 - 9 * 4);
    E2E_CHECK(want.ret_ld_s.tag == 500 + 11 - 9);

    e2e_at_depths(check_direct, NULL);
    e2e_at_depths(check_indirect, NULL);
    return e2e_done("abi_args");
}
