/* chan.h - channels and select (layer 6, "sync": above the scheduler layer,
 * docs/architecture.md; docs/netpoll.md, "Channels, select, sync objects").
 * The public calls are in growstack.h (gs_chan_*, gs_select); the blocking ones
 * enter through arch/x86_64/block_*.S (block_calls.h lists them), which runs
 * their steps below.
 *
 * Invariants (details in chan.c):
 *  - A channel belongs to the thread that created it; other threads get EXDEV.
 *  - Nothing here points into a coroutine stack: waiting senders' and
 *    receivers' elements live in their waits' heap buffers (wait.h), so a
 *    parked stack may move.
 */
#ifndef GS_CHAN_H
#define GS_CHAN_H

#include "block.h"

/* The steps (block.h): each reads its arguments from the block every time it runs. */
__attribute__((visibility("hidden"))) int gs_chan_send_step(struct gs_block *b); /* gs_chan_send */
__attribute__((visibility("hidden"))) int gs_chan_recv_step(struct gs_block *b); /* gs_chan_recv */
__attribute__((visibility("hidden"))) int gs_chan_select_step(struct gs_block *b); /* gs_select */

#endif
