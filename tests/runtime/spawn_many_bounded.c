/* 100,000 coroutines are spawned, run and finished; stack memory is reused, so
 * the resident set stays bounded by one wave's worth. Each wave keeps 10,000
 * coroutines alive at once (each yields twice), well under vm.max_map_count for
 * fixed stacks with guard pages. */
#include <growstack.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOTAL 100000
#define WAVE 10000

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            v = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static long counter;

static void *body(void *arg)
{
    volatile char buf[512];
    memset((char *)buf, (int)(uintptr_t)arg, sizeof buf);
    gs_yield();
    counter += buf[100] == (char)(uintptr_t)arg;
    gs_yield();
    return NULL;
}

int main(void)
{
    long after_first = 0;
    for (int w = 0; w < TOTAL / WAVE; w++) {
        for (int i = 0; i < WAVE; i++) {
            gs_handle h = gs_spawn(body, (void *)(uintptr_t)(i & 0x7f));
            if (!h) {
                perror("gs_spawn");
                return 1;
            }
            if (gs_detach(h)) {
                fprintf(stderr, "FAIL: detach\n");
                return 1;
            }
        }
        size_t alive = gs_run();
        if (alive) {
            fprintf(stderr, "FAIL: %zu coroutines still alive\n", alive);
            return 1;
        }
        if (w == 0)
            after_first = rss_kib();
    }
    long end = rss_kib();
    struct gs_stats st;
    gs_stats_get(&st);
    printf("spawned=%llu finished=%llu counter=%ld rss_after_first_wave=%ldKiB rss_end=%ldKiB\n",
           (unsigned long long)st.spawned, (unsigned long long)st.finished, counter, after_first, end);
    if (st.spawned != TOTAL || st.finished != TOTAL || counter != TOTAL) {
        fprintf(stderr, "FAIL: counts\n");
        return 1;
    }
    if (st.stack_bytes != 0) {
        fprintf(stderr, "FAIL: %llu stack bytes still owned\n", (unsigned long long)st.stack_bytes);
        return 1;
    }
    /* Waves 2..10 reuse wave 1's memory: allow 25% slack for malloc and caches. */
    if (end > after_first + after_first / 4) {
        fprintf(stderr, "FAIL: RSS grew from %ld to %ld KiB\n", after_first, end);
        return 1;
    }
    return 0;
}
