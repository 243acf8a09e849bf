/* float_args_impl.h - bodies for float_args; include with FLOAT_PREFIX set. */
#include "float_args.h"

#define FLOAT_CAT2(a, b) a##b
#define FLOAT_CAT(a, b) FLOAT_CAT2(a, b)
#define G(name) FLOAT_CAT(FLOAT_PREFIX, name)
#define FLOAT_FN __attribute__((noinline))

FLOAT_FN float G(f_add3)(float a, float b, float c) { return a + 2 * b + 4 * c; }
FLOAT_FN double G(d_add3)(double a, double b, double c) { return a + 2 * b + 4 * c; }
FLOAT_FN long double G(ld_add3)(long double a, long double b, long double c)
{
    return a + 2 * b + 4 * c;
}

FLOAT_FN long double G(ld_poly)(long double x, long double a, long double b,
                                long double c)
{
    return (a * x + b) * x + c;
}

FLOAT_FN double G(d_many)(double a0, double a1, double a2, double a3, double a4,
                          double a5, double a6, double a7, double a8, double a9,
                          double a10, double a11)
{
    return a0 - a1 + 2 * a2 - 3 * a3 + 5 * a4 - 8 * a5 + 13 * a6 - 21 * a7 + 34 * a8 -
           55 * a9 + 89 * a10 - 144 * a11;
}

FLOAT_FN long double G(ld_many)(long double a, long double b, long double c,
                                long double d, int i, double e, float f)
{
    return a - 2 * b + 3 * c - 4 * d + 5 * i - 6 * e + 7 * f;
}

FLOAT_FN float G(f_from_ld)(long double a, float b) { return (float)(a * b); }
FLOAT_FN long double G(ld_from_f)(float a, double b) { return (long double)a / b; }

FLOAT_FN _Complex float G(cf_mul)(_Complex float a, _Complex float b) { return a * b; }
FLOAT_FN _Complex double G(cd_mul)(_Complex double a, _Complex double b) { return a * b; }
FLOAT_FN _Complex long double G(cld_mul)(_Complex long double a, _Complex long double b)
{
    return a * b;
}
