/* abi_args_impl.h - the bodies of the abi_args functions; include with
 * ABI_PREFIX defined (local_, inst_ or plain_). See abi_args.h. */
#include "abi_args.h"

#define ABI_CAT2(a, b) a##b
#define ABI_CAT(a, b) ABI_CAT2(a, b)
#define F(name) ABI_CAT(ABI_PREFIX, name)
#define ABI_FN __attribute__((noinline))

ABI_FN long F(ints10)(int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7,
                      int a8, int a9)
{
    return a0 + 2L * a1 + 3L * a2 + 5L * a3 + 7L * a4 + 11L * a5 + 13L * a6 +
           17L * a7 + 19L * a8 + 23L * a9;
}

ABI_FN long F(longs12)(long a0, long a1, long a2, long a3, long a4, long a5, long a6,
                       long a7, long a8, long a9, long a10, long a11)
{
    return a0 - a1 + 3 * a2 - 5 * a3 + 7 * a4 - 11 * a5 + 13 * a6 - 17 * a7 +
           19 * a8 - 23 * a9 + 29 * a10 - 31 * a11;
}

ABI_FN double F(doubles10)(double a0, double a1, double a2, double a3, double a4,
                           double a5, double a6, double a7, double a8, double a9)
{
    return a0 + 2 * a1 + 4 * a2 + 8 * a3 + 16 * a4 + 32 * a5 + 64 * a6 + 128 * a7 +
           256 * a8 + 512 * a9;
}

ABI_FN float F(floats12)(float a0, float a1, float a2, float a3, float a4, float a5,
                         float a6, float a7, float a8, float a9, float a10, float a11)
{
    return a0 + 2 * a1 + 4 * a2 + 8 * a3 + 16 * a4 + 32 * a5 + 64 * a6 + 128 * a7 +
           256 * a8 + 512 * a9 + 1024 * a10 + 2048 * a11;
}

ABI_FN double F(mixed16)(int a, double b, long c, float d, char e, double f, short g,
                         float h, long i, double j, int k, double l, long m, float n,
                         double o, unsigned char p)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i +
           10 * j + 11 * k + 12 * l + 13 * m + 14 * n + 15 * o + 16 * p;
}

ABI_FN long F(small_ints)(char a, unsigned char b, short c, unsigned short d,
                          signed char e, int f, signed char g, short h, unsigned char i,
                          char j)
{
    return a + 3L * b + 5L * c + 7L * d + 11L * e + 13L * f + 17L * g + 19L * h +
           23L * i + 29L * j;
}

ABI_FN long double F(ld_mix)(long double a, int b, long double c, double d,
                             long double e)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e;
}

ABI_FN struct big F(ret_big)(struct big b, struct small s, long n)
{
    struct big r;
    for (int i = 0; i < 5; i++)
        r.v[i] = b.v[i] * n + s.a - (long)s.b * i;
    return r;
}

ABI_FN struct pair_d F(ret_pair)(struct pair_d p, double k, struct mixed_s m)
{
    struct pair_d r = {p.x * k + m.d, p.y - m.i};
    return r;
}

ABI_FN long F(structs_many)(struct small a, struct big b, struct pair_d c,
                            struct mixed_s d, int i1, int i2, int i3, int i4, int i5,
                            int i6, struct small e, struct pair_d f)
{
    long s = a.a + 2L * a.b;
    for (int i = 0; i < 5; i++)
        s += (3L + i) * b.v[i];
    s += (long)(c.x * 8) + (long)(c.y * 9) + 10L * d.i + (long)(d.d * 11);
    s += 12L * i1 + 13L * i2 + 14L * i3 + 15L * i4 + 16L * i5 + 17L * i6;
    s += 18L * e.a + 19L * e.b + (long)(f.x * 20) + (long)(f.y * 21);
    return s;
}

ABI_FN __int128 F(i128)(__int128 a, long b, __int128 c, __int128 d, __int128 e)
{
    return a + 3 * (__int128)b + 5 * c + 7 * d + 11 * e;
}

ABI_FN struct f3 F(ret_f3)(struct f3 x, float k)
{
    struct f3 r = {x.a * k, x.b + k, x.c - k};
    return r;
}

ABI_FN struct ld_s F(ret_ld_s)(struct ld_s a, int k, struct ld_s b)
{
    struct ld_s r = {a.v * k + b.v, a.tag * 100 + b.tag + k};
    return r;
}
