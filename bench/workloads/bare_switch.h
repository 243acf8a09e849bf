/* bare_switch.h - contexts on the runtime's gs_ctx_switch alone (bare_switch.c):
 * BM_Switch_Bare's two, and the cold floor's fresh stack. */
#ifndef BENCH_BARE_SWITCH_H
#define BENCH_BARE_SWITCH_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
/* Set up the second context (once, before the first round). */
void bare_switch_init(void);
/* Switch to the second context and back: two one-way switches. */
void bare_switch_round(void);
/* The cold deep-recursion floor: run fn(frame, depth) (plain C, no checks) on
 * the stack that ends at `hi` (16-byte aligned) and return its result. The
 * caller maps that stack; nothing here allocates. */
uint64_t bare_run_on_stack(char *hi, uint64_t (*fn)(unsigned, uint64_t), unsigned frame,
                           uint64_t depth);
#ifdef __cplusplus
}
#endif
#endif
