/* preempt.h - the functions of the preempt test (preempt.c). */
#ifndef E2E_PREEMPT_H
#define E2E_PREEMPT_H

int pre_twice(int x);  /* preempt_lib_a.c: pre_vsum(2, x, x) * 1000000 +
                          pre_step(x) * 1000 + pre_local(x) */
int pre_local(int x);  /* preempt_lib_a.c, called by pre_twice in the same file */
int pre_step(int x);   /* preempt_lib_b.c, called by pre_twice from the other file */
int pre_vsum(int n, ...); /* preempt_lib_b.c, variadic, likewise */

#endif
