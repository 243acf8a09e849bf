/* block.h - the C half of the runtime's blocking calls (docs/netpoll.md, "The
 * parking frame"; the assembly half is arch/x86_64/block_*.S): the frame's
 * layout, shared by the steps of every layer that blocks (scheduler layer:
 * wait.c; channels and sync objects; the API's descriptor calls). The steps
 * are declared in their modules' headers (chan.h, sync.h, io.h) and listed,
 * for the assembly, in block_calls.h.
 *
 * A blocking entry point (block_calls.h) saves its argument registers in a
 * struct gs_block on the caller's stack and runs its *step* with it on the
 * system stack. The step either finishes the call (GS_BLOCK_DONE: b->ret is
 * the result, errno is set), asks to run again (GS_BLOCK_AGAIN), parks the
 * running coroutine (GS_BLOCK_PARK) after queueing a wait that someone will wake
 * (the resumed coroutine then runs the step again, which finds b->wait set), or,
 * called on the thread's own stack outside coroutines, asks for the thread to
 * wait (GS_BLOCK_THREAD: the assembly calls gs_api_block_wait, which runs the
 * thread's scheduler until b->wait is woken, then runs the step again).
 *
 * Invariants:
 *  - The block is on the caller's stack and a shrink may move it while the
 *    coroutine is parked: a step reads its arguments from the block every time
 *    it runs and keeps no pointer to the block, or to memory an argument points
 *    to, past its return. Whatever must survive a park is in the heap (the
 *    wait: wait.h) or in the block's integer words (progress, state).
 *  - A step parks only if b->guard != 0 (the call was made on a coroutine
 *    stack). With b->guard == 0 it runs on the stack of the call itself: the
 *    thread's own stack outside coroutines, or a callback or signal handler on
 *    the system stack (gs_block_where).
 *  - A step that returns GS_BLOCK_PARK has called gs_coro_park_prepare (through
 *    gs_wait_block) and stored the coroutine in b->co; nothing else runs on the
 *    thread before the switch. A step returns GS_BLOCK_THREAD only with
 *    b->guard == 0 outside coroutines, with b->wait queued and not woken.
 *  - b->wait, b->progress, b->state and b->deadline are 0 when the call starts.
 */
#ifndef GS_BLOCK_H
#define GS_BLOCK_H

#include <stdint.h>
#include "gs_arch.h"

struct gs_coro;
struct gs_wait;

struct gs_block {
    uint64_t arg[6];              /* rdi rsi rdx rcx r8 r9 at the call             */
    int (*step)(struct gs_block *);
    uint64_t guard;               /* the guard when the step runs; 0: no park      */
    uint64_t ret;                 /* the result when the step returns DONE         */
    struct gs_coro *co;           /* the coroutine to leave when it returns PARK   */
    struct gs_wait *wait;         /* the wait in progress, or NULL                 */
    uint64_t progress;            /* bytes done so far (writes, MSG_WAITALL)       */
    uint64_t state;               /* step-private flags; GS_BLK_ERRNO_SAVED below  */
    uint64_t deadline;            /* step-private: a deadline the step set at its
                                     first run (a socket's SO_RCVTIMEO: io.c)      */
};
_Static_assert(__builtin_offsetof(struct gs_block, arg) == GS_BLK_ARGS, "GS_BLK_ARGS");
_Static_assert(__builtin_offsetof(struct gs_block, step) == GS_BLK_STEP, "GS_BLK_STEP");
_Static_assert(__builtin_offsetof(struct gs_block, guard) == GS_BLK_GUARD, "GS_BLK_GUARD");
_Static_assert(__builtin_offsetof(struct gs_block, ret) == GS_BLK_RET, "GS_BLK_RET");
_Static_assert(__builtin_offsetof(struct gs_block, co) == GS_BLK_CO, "GS_BLK_CO");
_Static_assert(__builtin_offsetof(struct gs_block, wait) == GS_BLK_WAIT, "GS_BLK_WAIT");
_Static_assert(__builtin_offsetof(struct gs_block, progress) == GS_BLK_PROGRESS, "PROGRESS");
_Static_assert(__builtin_offsetof(struct gs_block, state) == GS_BLK_STATE, "GS_BLK_STATE");
_Static_assert(__builtin_offsetof(struct gs_block, deadline) == GS_BLK_DEADLINE, "GS_BLK_DEADLINE");
_Static_assert(sizeof(struct gs_block) == GS_BLK_SIZE, "GS_BLK_SIZE");
_Static_assert(GS_BLK_SIZE % 16 == 0, "the step's stack stays 16-byte aligned");

/* b->state: the low 32 bits hold the errno the call found at its start (saved
 * by gs_wait_save_errno), so a call that succeeds after a park leaves errno as
 * the blocking call would: unchanged, whatever other coroutines did to it. */
#define GS_BLK_ERRNO_SAVED (1ull << 32)

/* Where the call was made. */
enum gs_block_where {
    GS_WHERE_CORO = 1,      /* on a coroutine stack: may park                     */
    GS_WHERE_THREAD,        /* the thread's own stack, outside coroutines         */
    GS_WHERE_CALLBACK,      /* the system stack inside a coroutine's external call,
                               or a signal handler: must not park                  */
};

/* The return address of the blocking call, for messages. */
static inline const void *gs_block_caller(const struct gs_block *b)
{
    return (const void *)((const uint64_t *)(b + 1))[1];
}

#endif
