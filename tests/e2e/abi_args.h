/* abi_args.h - calls whose arguments do not all fit in registers, for the
 * abi_args test. The same functions exist three times (abi_args_impl.h):
 *   local_*  in abi_args.c itself (instrumented, same module: direct calls)
 *   inst_*   in abi_args_inst.c  (instrumented, another file: direct via alias)
 *   plain_*  in abi_args_plain.c (compiled by plain clang-19: through the thunk
 *            and the system-stack trampoline, which copies N bytes of stack
 *            arguments, docs/protocol.md 3 and 4.2)
 * Each function folds every argument into the result with a distinct weight,
 * so a lost, swapped or truncated argument changes the result. */
#ifndef ABI_ARGS_H
#define ABI_ARGS_H

struct small { int a, b; };                 /* one INTEGER eightbyte        */
struct pair_d { double x, y; };             /* two SSE eightbytes           */
struct mixed_s { int i; double d; };        /* INTEGER + SSE                */
struct big { long v[5]; };                  /* 40 bytes: MEMORY (byval)     */
struct f3 { float a, b, c; };               /* SSE + SSE                    */
struct ld_s { long double v; int tag; };    /* MEMORY, 16-byte aligned      */

#define ABI_DECLARE(P)                                                           \
    long P##ints10(int, int, int, int, int, int, int, int, int, int);            \
    long P##longs12(long, long, long, long, long, long, long, long, long, long,  \
                    long, long);                                                 \
    double P##doubles10(double, double, double, double, double, double, double, \
                        double, double, double);                                 \
    float P##floats12(float, float, float, float, float, float, float, float,    \
                      float, float, float, float);                               \
    double P##mixed16(int, double, long, float, char, double, short, float,      \
                      long, double, int, double, long, float, double,            \
                      unsigned char);                                            \
    long P##small_ints(char, unsigned char, short, unsigned short, signed char, \
                       int, signed char, short, unsigned char, char);            \
    long double P##ld_mix(long double, int, long double, double, long double);   \
    struct big P##ret_big(struct big, struct small, long);                       \
    struct pair_d P##ret_pair(struct pair_d, double, struct mixed_s);            \
    long P##structs_many(struct small, struct big, struct pair_d,                \
                         struct mixed_s, int, int, int, int, int, int,           \
                         struct small, struct pair_d);                           \
    __int128 P##i128(__int128, long, __int128, __int128, __int128);              \
    struct f3 P##ret_f3(struct f3, float);                                       \
    struct ld_s P##ret_ld_s(struct ld_s, int, struct ld_s);

ABI_DECLARE(local_)
ABI_DECLARE(inst_)
ABI_DECLARE(plain_)

#endif
