/* bare_switch.h - BM_Switch_Bare's two contexts (bare_switch.c). */
#ifndef BENCH_BARE_SWITCH_H
#define BENCH_BARE_SWITCH_H
#ifdef __cplusplus
extern "C" {
#endif
/* Set up the second context (once, before the first round). */
void bare_switch_init(void);
/* Switch to the second context and back: two one-way switches. */
void bare_switch_round(void);
#ifdef __cplusplus
}
#endif
#endif
