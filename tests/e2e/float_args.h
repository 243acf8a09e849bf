/* float_args.h - floating-point arguments and returns for the float_args
 * test: float, double, long double (x87, passed in memory, returned in st0),
 * and _Complex values (returned in xmm0:xmm1 or st0:st1). The functions exist
 * twice (float_args_impl.h): local_* in float_args.c (instrumented) and
 * plain_* in float_args_plain.c (plain clang-19, reached through the
 * system-stack trampoline, which must leave rax rdx xmm0 xmm1 st0 st1 as the
 * callee set them, docs/protocol.md 4.2). */
#ifndef FLOAT_ARGS_H
#define FLOAT_ARGS_H

#define FLOAT_DECLARE(P)                                                          \
    float P##f_add3(float, float, float);                                         \
    double P##d_add3(double, double, double);                                     \
    long double P##ld_add3(long double, long double, long double);                \
    long double P##ld_poly(long double, long double, long double, long double);   \
    double P##d_many(double, double, double, double, double, double, double,     \
                     double, double, double, double, double);                     \
    long double P##ld_many(long double, long double, long double, long double,    \
                           int, double, float);                                   \
    float P##f_from_ld(long double, float);                                       \
    long double P##ld_from_f(float, double);                                      \
    _Complex float P##cf_mul(_Complex float, _Complex float);                     \
    _Complex double P##cd_mul(_Complex double, _Complex double);                  \
    _Complex long double P##cld_mul(_Complex long double, _Complex long double);

FLOAT_DECLARE(local_)
FLOAT_DECLARE(plain_)

#endif
