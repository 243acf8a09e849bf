/* kernel.h - the instrumented C of the consumer project. */
#ifndef CONSUMER_KERNEL_H
#define CONSUMER_KERNEL_H
#ifdef __cplusplus
extern "C" {
#endif
/* Recurse `depth` frames of ~200 bytes; returns depth if every frame is intact. */
long kernel_deep(long depth);
/* A coroutine entry function (instrumented, so its coroutine gets a growable
 * stack): kernel_deep(*(long *)arg), as a pointer-sized result. */
void *kernel_job(void *arg);
/* Checks that the stack grew (or, in fixed mode, that it fit) and prints one
 * line; returns 0 on success. `who` names the program. */
int kernel_check(const char *who);
#ifdef __cplusplus
}
#endif
#endif
