/* sync.h - mutex, condition variable, wait group, gs_cancel (layer 6, "sync":
 * above the scheduler layer, docs/architecture.md; docs/netpoll.md). The public
 * calls are in growstack.h; the blocking ones enter through
 * arch/x86_64/block_*.S (block_calls.h), which runs their steps below.
 *
 * Invariants (details in sync.c):
 *  - An object belongs to the thread that first used it; other threads get
 *    EXDEV. Its wait queue is in the object, which must therefore not move
 *    while in use (a local one lives on the side stack: docs/protocol.md 7.1).
 *  - A mutex is handed to its first waiter on unlock (FIFO, no barging).
 */
#ifndef GS_SYNC_H
#define GS_SYNC_H

#include "block.h"

/* The steps (block.h): each reads its arguments from the block every time it runs. */
__attribute__((visibility("hidden"))) int gs_sync_mutex_lock_step(struct gs_block *b); /* gs_mutex_lock */
__attribute__((visibility("hidden"))) int gs_sync_cond_wait_step(struct gs_block *b); /* gs_cond_wait */
__attribute__((visibility("hidden"))) int gs_sync_wg_wait_step(struct gs_block *b); /* gs_wg_wait */

#endif
