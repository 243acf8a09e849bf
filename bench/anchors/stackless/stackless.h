/* stackless.h - hand-compiled async/await: each task is a struct whose fields are the
 * locals that live across a suspension point, plus a resume-point number, polled by a
 * scheduler through a function pointer. This is what a compiler's async lowering (Rust
 * futures, C++20 coroutines without the heap elision) produces, written out by hand.
 *
 * Invariants: a task is on at most one list (run queue or an event's waiters) at a time,
 * linked through `next`; poll returns SL_PENDING after it has put itself wherever it waits
 * (the run queue for a yield, the event for a wait), SL_READY when it has finished and
 * must not be polled again.
 */
#ifndef ANCHORS_STACKLESS_H
#define ANCHORS_STACKLESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sl_poll { SL_PENDING, SL_READY };

struct sl_task;
typedef enum sl_poll (*sl_poll_fn)(struct sl_task *, void *sched);

struct sl_task {
    struct sl_task *next; /* intrusive link: run queue or event waiters */
    sl_poll_fn poll;      /* the lowered coroutine body */
    uint32_t state;       /* resume point */
    uint32_t i;           /* locals live across a suspension */
    uint64_t acc;
    uint64_t rounds;      /* argument */
};

struct sl_queue {
    struct sl_task *head, *tail;
};

/* An event tasks can wait on (the stand-in for a channel receive that never completes). */
struct sl_event {
    struct sl_task *waiters;
};

/* `for (i = 0; i < rounds; i++) { acc += i; yield; }` - the Switch workload. */
void sl_yielder_init(struct sl_task *t, uint64_t rounds);
/* `await event;` - the IdleMemory workload. */
void sl_waiter_init(struct sl_task *t);
/* `return;` - the Spawn workload. */
void sl_trivial_init(struct sl_task *t);

void sl_push(struct sl_queue *q, struct sl_task *t);
/* Poll tasks from q until it is empty; returns the number of polls. `sched` is handed to
 * each poll (the queue itself for yielders, an sl_event for waiters). */
uint64_t sl_run(struct sl_queue *q, void *sched);
/* Poll one task once. */
enum sl_poll sl_poll_once(struct sl_task *t, void *sched);

#ifdef __cplusplus
}
#endif
#endif
