/* timer_heap - the deadline heap (runtime/timer.c) against a reference: random
 * inserts, removals of arbitrary timers and runs of the due ones; every run
 * fires exactly the timers due, earliest first, and removed timers never fire. */
#include <stdio.h>
#include <stdlib.h>

#include "timer.h"

#define N 5000

static struct gs_timer tm[N];
static int armed[N], fired[N];
static int64_t last_fired;
static int failures;

static void fire(struct gs_timer *t)
{
    int i = (int)(t - tm);
    if (!armed[i] || t->when < last_fired) {
        fprintf(stderr, "timer %d fired wrongly (armed %d, when %lld, last %lld)\n", i,
                armed[i], (long long)t->when, (long long)last_fired);
        failures++;
    }
    last_fired = t->when;
    armed[i] = 0;
    fired[i]++;
}

int main(void)
{
    struct gs_timer_heap h = {0};
    srand(12345);
    for (int i = 0; i < N; i++)
        tm[i] = (struct gs_timer){.idx = GS_TIMER_IDLE, .fire = fire};
    int64_t now = 0;
    for (int round = 0; round < 200000; round++) {
        int i = rand() % N, op = rand() % 10;
        if (op < 5 && !armed[i]) {
            tm[i].when = now + rand() % 1000;
            if (gs_timer_add(&h, &tm[i]))
                return 2;
            armed[i] = 1;
        } else if (op < 8 && armed[i]) {
            gs_timer_del(&h, &tm[i]);
            armed[i] = 0;
            if (tm[i].idx != GS_TIMER_IDLE)
                failures++;
        } else if (op == 9) {
            now += rand() % 50;
            last_fired = INT64_MIN;
            gs_timer_run(&h, now);
            for (int k = 0; k < N; k++)
                if (armed[k] && tm[k].when <= now) {
                    fprintf(stderr, "timer %d due at %lld not fired at %lld\n", k,
                            (long long)tm[k].when, (long long)now);
                    failures++;
                }
            int64_t next = INT64_MAX;
            for (int k = 0; k < N; k++)
                if (armed[k] && tm[k].when < next)
                    next = tm[k].when;
            if (gs_timer_next(&h) != next) {
                fprintf(stderr, "next %lld, want %lld\n", (long long)gs_timer_next(&h),
                        (long long)next);
                failures++;
            }
        }
        if (failures)
            return 1;
    }
    size_t n = 0;
    for (int k = 0; k < N; k++)
        n += armed[k];
    if (n != h.n)
        return 1;
    gs_timer_heap_free(&h);
    printf("timer_heap: ok\n");
    return 0;
}
