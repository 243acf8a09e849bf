/* float_args - float, double and long double arguments and returns (and
 * _Complex returns in xmm0:xmm1 and st0:st1) between instrumented code and
 * plain code, plus libm and printf/strtold on long doubles, at many depths. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <complex.h>
#include <math.h>

#define FLOAT_PREFIX local_
#include "float_args_impl.h"

static void check_pair(void *arg)
{
    (void)arg;
    /* Exact: both copies do the same operations in the same precision. */
    E2E_CHECK(plain_f_add3(0.5f, -1.25f, 3.0f) == local_f_add3(0.5f, -1.25f, 3.0f));
    E2E_CHECK(plain_f_add3(0.5f, -1.25f, 3.0f) == 10.0f);
    E2E_CHECK(plain_d_add3(0.1, 0.2, 0.3) == local_d_add3(0.1, 0.2, 0.3));
    E2E_NEAR(plain_d_add3(0.1, 0.2, 0.3), 1.7L, 1e-15L);
    E2E_CHECK(plain_ld_add3(1.0L / 3, 1.0L / 7, 1.0L / 11) ==
              local_ld_add3(1.0L / 3, 1.0L / 7, 1.0L / 11));
    E2E_NEAR(plain_ld_add3(1.0L / 3, 1.0L / 7, 1.0L / 11), 1.0L / 3 + 2.0L / 7 + 4.0L / 11,
             1e-18L);
    E2E_CHECK(plain_ld_poly(1.5L, 2, -3, 0.25L) == local_ld_poly(1.5L, 2, -3, 0.25L));
    E2E_CHECK(plain_ld_poly(1.5L, 2, -3, 0.25L) == 0.25L);
    E2E_CHECK(plain_d_many(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) ==
              local_d_many(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
    E2E_CHECK(local_d_many(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) ==
              1 - 2 + 6 - 12 + 25 - 48 + 91 - 168 + 306 - 550 + 979 - 1728);
    E2E_CHECK(plain_ld_many(1e-3L, 1e300L, -1e-300L, 4, -5, 0.5, 0.25f) ==
              local_ld_many(1e-3L, 1e300L, -1e-300L, 4, -5, 0.5, 0.25f));
    E2E_CHECK(plain_f_from_ld(1e10L, 1e-10f) == local_f_from_ld(1e10L, 1e-10f));
    E2E_CHECK(plain_ld_from_f(1.0f, 3.0) == local_ld_from_f(1.0f, 3.0));

    _Complex float cf = plain_cf_mul(1.0f + 2.0f * I, 3.0f - 1.0f * I);
    E2E_CHECK(crealf(cf) == 5.0f && cimagf(cf) == 5.0f);
    _Complex double cd = plain_cd_mul(0.5 + 1.5 * I, -2.0 + 4.0 * I);
    E2E_CHECK(creal(cd) == -7.0 && cimag(cd) == -1.0);
    _Complex long double cl = plain_cld_mul(1.0L / 3 + 2.0L * I, 3.0L - 0.5L * I);
    _Complex long double cl2 = local_cld_mul(1.0L / 3 + 2.0L * I, 3.0L - 0.5L * I);
    E2E_CHECK(creall(cl) == creall(cl2) && cimagl(cl) == cimagl(cl2));
    E2E_NEAR(creall(cl), 2.0L, 1e-18L);
    E2E_NEAR(cimagl(cl), 6.0L - 1.0L / 6, 1e-18L);

    /* Through function pointers: the indirect-call path. */
    long double (*volatile vpoly)(long double, long double, long double, long double) =
        plain_ld_poly;
    E2E_CHECK(vpoly(2, 1, 1, 1) == 7);
    _Complex long double (*volatile vcld)(_Complex long double, _Complex long double) =
        plain_cld_mul;
    E2E_CHECK(vcld(2.0L * I, 2.0L * I) == -4.0L);
    double (*volatile vmany)(double, double, double, double, double, double, double,
                             double, double, double, double, double) = local_d_many;
    E2E_CHECK(vmany(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1) == -144);
}

static void check_libm(void *arg)
{
    (void)arg;
    E2E_NEAR(sin(M_PI / 6), 0.5L, 1e-15L);
    E2E_NEAR(pow(2.0, 0.5), 1.4142135623730950488L, 1e-15L);
    E2E_NEAR(sqrtl(2.0L), 1.41421356237309504880168872L, 1e-18L);
    E2E_CHECK(fmal(2.0L, 3.0L, 0.5L) == 6.5L);
    E2E_CHECK(ldexpl(0.75L, 70) == 0.75L * 1180591620717411303424.0L);
    int e = 0;
    double m = frexp(48.0, &e); /* writes through a pointer to a local */
    E2E_CHECK(m == 0.75 && e == 6);
    long double ip = 0;
    long double fp = modfl(-3.625L, &ip);
    E2E_CHECK(ip == -3.0L && fp == -0.625L);
    E2E_CHECK(strtold("1.0000000000000000001", NULL) > 1.0L);
    E2E_CHECK(strtod("0x1.8p1", NULL) == 3.0);
    char buf[96];
    snprintf(buf, sizeof buf, "%.3f|%.20Lf|%g|%.1e", 2.0f / 3, 1.0L / 3, -0.0, 12345.678);
    E2E_EQ_STR(buf, "0.667|0.33333333333333333334|-0|1.2e+04");
}

int main(void)
{
    e2e_at_depths(check_pair, NULL);
    e2e_at_depths(check_libm, NULL);
    return e2e_done("float_args");
}
