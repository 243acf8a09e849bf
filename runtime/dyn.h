/* dyn.h - heap blocks for VLAs and alloca that did not fit below the guard
 * (docs/protocol.md 5.5): a LIFO list per stack, keyed by frame depth.
 *
 * Invariants:
 *  - A list is newest first; a block is tagged with the depth (GS_SEG_DEPTH,
 *    segment.h) of the frame that allocated it, so blocks of deeper frames come
 *    first. Depths, unlike addresses, are ordered across segments and survive
 *    moves. The list head is read by assembly (the __gs_dyn_* fast paths test
 *    it for NULL), so an empty list is NULL and nothing else.
 *  - This file knows nothing of stacks or coroutines: stack.c computes depths
 *    and checks limits, then calls these. Everything here runs on the system
 *    stack (it calls malloc and free).
 */
#ifndef GS_DYN_H
#define GS_DYN_H

#include <stddef.h>

struct gs_dyn;

/* A block of `size` bytes (16-byte aligned) for a frame at `depth`, pushed after
 * the blocks of deeper frames (they have returned) are freed. Out of memory is
 * fatal. Counts dyn_allocs. */
__attribute__((visibility("hidden"))) void *gs_dyn_push(struct gs_dyn **list, size_t depth,
                                                       size_t size);

/* Free blocks of frames at `depth` or deeper, newest first, stopping at `mark`
 * (a former list head: the state before a VLA scope). */
__attribute__((visibility("hidden"))) void gs_dyn_pop_to(struct gs_dyn **list,
                                                        const struct gs_dyn *mark, size_t depth);

/* Free blocks of frames at `depth` or deeper (a frame's exit). */
__attribute__((visibility("hidden"))) void gs_dyn_pop_from(struct gs_dyn **list, size_t depth);

/* Free every block (the stack is released). */
__attribute__((visibility("hidden"))) void gs_dyn_free_all(struct gs_dyn **list);

#endif
