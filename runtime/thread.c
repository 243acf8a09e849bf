/* thread.c - per-thread state, its initialization and teardown, and statistics
 * (see thread.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "coro.h"
#include "fatal.h"
#include "pins.h"
#include "records.h"
#include "stack.h"
#include "thread.h"

__thread struct gs_thread gs_tls __attribute__((tls_model("initial-exec")));

int gs_runtime_started __attribute__((visibility("hidden")));

static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gs_thread *all_threads;
static struct gs_stats retired;       /* counters of threads that have exited */
static unsigned thread_count;
static pthread_key_t exit_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

__attribute__((visibility("hidden"))) void gs_signals_thread_init(struct gs_thread *t);
__attribute__((visibility("hidden"))) void gs_signals_thread_exit(struct gs_thread *t);
__attribute__((visibility("hidden"))) void gs_stats_atexit_install(void);

static void add_stats(struct gs_stats *to, const struct gs_stats *from)
{
    to->spawned += from->spawned;
    to->finished += from->finished;
    to->switches += from->switches;
    to->splits += from->splits;
    to->segments_new += from->segments_new;
    to->segments_reused += from->segments_reused;
    to->moves += from->moves;
    to->bytes_copied += from->bytes_copied;
    to->pins += from->pins;
    to->shrinks += from->shrinks;
    to->dyn_allocs += from->dyn_allocs;
    to->unchecked_spawns += from->unchecked_spawns;
    to->unknown_frames += from->unknown_frames;
    to->stack_bytes += from->stack_bytes;
    to->stack_bytes_peak += from->stack_bytes_peak;
    to->mapped_bytes += from->mapped_bytes;
    if (from->max_stack_bytes > to->max_stack_bytes)
        to->max_stack_bytes = from->max_stack_bytes;
    to->side_bytes += from->side_bytes;
    if (from->side_peak > to->side_peak)
        to->side_peak = from->side_peak;
    to->side_chunks += from->side_chunks;
}

static void thread_exit(void *arg)
{
    struct gs_thread *t = arg;
    gs_coro_reap(t);
    if (t->nalive)
        gs_fatal("thread %u exits with %zu coroutines alive; join or finish them first",
                 t->index, t->nalive);
    gs_signals_thread_exit(t);
    gs_side_thread_exit(t);
    gs_records_thread_exit(t);
    gs_pins_flush(&t->pin_tally);
    gs_seg_cache_trim(t); /* before the counters are folded: it updates mapped_bytes */
    pthread_mutex_lock(&all_lock);
    for (struct gs_thread **pp = &all_threads; *pp; pp = &(*pp)->next_all) {
        if (*pp == t) {
            *pp = t->next_all;
            break;
        }
    }
    add_stats(&retired, &t->stats);
    pthread_mutex_unlock(&all_lock);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static void make_key(void)
{
    if (pthread_key_create(&exit_key, thread_exit))
        gs_fatal("pthread_key_create failed");
}

struct gs_thread *gs_thread_self(void)
{
    struct gs_thread *t = &gs_tls;
    if (__builtin_expect(t->initialized, 1))
        return t;
    gs_config_ensure();
    pthread_once(&key_once, make_key);
    pthread_setspecific(exit_key, t);
    pthread_mutex_lock(&all_lock);
    t->index = thread_count++;
    t->free_slot = UINT32_MAX;
    t->next_all = all_threads;
    all_threads = t;
    pthread_mutex_unlock(&all_lock);
    gs_signals_thread_init(t);
    gs_stats_atexit_install();
    __atomic_store_n(&gs_runtime_started, 1, __ATOMIC_RELEASE);
    t->initialized = 1;
    return t;
}

void gs_stats_note_stack(struct gs_thread *t, long delta)
{
    t->stats.stack_bytes += (uint64_t)delta;
    if (t->stats.stack_bytes > t->stats.stack_bytes_peak)
        t->stats.stack_bytes_peak = t->stats.stack_bytes;
}

void gs_stats_get(struct gs_stats *st)
{
    memset(st, 0, sizeof *st);
    pthread_mutex_lock(&all_lock);
    add_stats(st, &retired);
    for (struct gs_thread *t = all_threads; t; t = t->next_all)
        add_stats(st, &t->stats);
    pthread_mutex_unlock(&all_lock);
}

void gs_stats_print(FILE *out)
{
    struct gs_stats s;
    gs_stats_get(&s);
    fprintf(out,
            "growstack: stats mode=%s initial=%zu max=%zu segment=%zu\n"
            "growstack:   coroutines spawned=%llu finished=%llu switches=%llu "
            "unchecked_spawns=%llu unknown_frames=%llu\n"
            "growstack:   growth splits=%llu segments_new=%llu segments_reused=%llu "
            "moves=%llu bytes_copied=%llu pins=%llu shrinks=%llu dyn_allocs=%llu\n"
            "growstack:   memory stack_bytes=%llu stack_bytes_peak=%llu mapped_bytes=%llu "
            "max_stack_bytes=%llu\n"
            "growstack:   side side_bytes=%llu side_peak=%llu side_chunks=%llu\n",
            gs_mode_name(gs_cfg.mode), gs_cfg.initial, gs_cfg.max, gs_cfg.segment,
            (unsigned long long)s.spawned, (unsigned long long)s.finished,
            (unsigned long long)s.switches, (unsigned long long)s.unchecked_spawns,
            (unsigned long long)s.unknown_frames,
            (unsigned long long)s.splits, (unsigned long long)s.segments_new,
            (unsigned long long)s.segments_reused, (unsigned long long)s.moves,
            (unsigned long long)s.bytes_copied, (unsigned long long)s.pins,
            (unsigned long long)s.shrinks, (unsigned long long)s.dyn_allocs,
            (unsigned long long)s.stack_bytes, (unsigned long long)s.stack_bytes_peak,
            (unsigned long long)s.mapped_bytes, (unsigned long long)s.max_stack_bytes,
            (unsigned long long)s.side_bytes, (unsigned long long)s.side_peak,
            (unsigned long long)s.side_chunks);
    /* The pin tallies of live threads (the first 64), read like their other
     * counters. */
    struct gs_pin_tally live[64];
    size_t nlive = 0;
    pthread_mutex_lock(&all_lock);
    for (struct gs_thread *t = all_threads; t && nlive < 64; t = t->next_all)
        live[nlive++] = t->pin_tally;
    pthread_mutex_unlock(&all_lock);
    gs_pins_print(out, live, nlive);
}

void gs_stats_at_abort(void)
{
    if (gs_cfg.stats)
        gs_stats_print(stderr);
}

static void print_at_exit(void)
{
    gs_stats_print(stderr);
}

void gs_stats_atexit_install(void)
{
    static int done;
    if (gs_cfg.stats && !__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL))
        atexit(print_at_exit);
}
