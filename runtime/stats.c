/* stats.c - summing and printing the statistics (see stats.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "coro.h"
#include "fatal.h"
#include "pins.h"
#include "stats.h"
#include "thread.h"

/* The registered threads, through a node in each one's TLS. */
struct registered {
    struct registered *next;
    struct gs_thread *t;          /* that thread's gs_tls */
};

static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static struct registered *all_threads;
static struct gs_stats retired;       /* counters of threads that have exited */
static unsigned thread_count;
static __thread struct registered self;

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
    to->leaf_grows += from->leaf_grows;
    to->leaf_declines += from->leaf_declines;
    to->splits_slow += from->splits_slow;
    to->jmpbufs_carried += from->jmpbufs_carried;
    to->returns_jumped += from->returns_jumped;
    to->grown_in_place += from->grown_in_place;
}

void gs_stats_thread_init(void)
{
    pthread_mutex_lock(&all_lock);
    gs_tls.index = thread_count++;
    self.t = &gs_tls;
    self.next = all_threads;
    all_threads = &self;
    pthread_mutex_unlock(&all_lock);
}

void gs_stats_thread_exit(void)
{
    pthread_mutex_lock(&all_lock);
    for (struct registered **pp = &all_threads; *pp; pp = &(*pp)->next) {
        if (*pp == &self) {
            *pp = self.next;
            break;
        }
    }
    add_stats(&retired, &gs_tls.stats);
    pthread_mutex_unlock(&all_lock);
    memset(&self, 0, sizeof self);
}

void gs_stats_get(struct gs_stats *st)
{
    memset(st, 0, sizeof *st);
    pthread_mutex_lock(&all_lock);
    add_stats(st, &retired);
    for (struct registered *r = all_threads; r; r = r->next)
        add_stats(st, &r->t->stats);
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
            "growstack:   growth splits=%llu splits_slow=%llu segments_new=%llu segments_reused=%llu "
            "moves=%llu grown_in_place=%llu bytes_copied=%llu pins=%llu shrinks=%llu dyn_allocs=%llu "
            "leaf_grows=%llu leaf_declines=%llu jmpbufs_carried=%llu returns_jumped=%llu\n"
            "growstack:   memory stack_bytes=%llu stack_bytes_peak=%llu mapped_bytes=%llu "
            "max_stack_bytes=%llu\n"
            "growstack:   side side_bytes=%llu side_peak=%llu side_chunks=%llu\n",
            gs_mode_name(gs_cfg.mode), gs_cfg.initial, gs_cfg.max, gs_cfg.segment,
            (unsigned long long)s.spawned, (unsigned long long)s.finished,
            (unsigned long long)s.switches, (unsigned long long)s.unchecked_spawns,
            (unsigned long long)s.unknown_frames,
            (unsigned long long)s.splits, (unsigned long long)s.splits_slow,
            (unsigned long long)s.segments_new,
            (unsigned long long)s.segments_reused, (unsigned long long)s.moves,
            (unsigned long long)s.grown_in_place,
            (unsigned long long)s.bytes_copied, (unsigned long long)s.pins,
            (unsigned long long)s.shrinks, (unsigned long long)s.dyn_allocs,
            (unsigned long long)s.leaf_grows, (unsigned long long)s.leaf_declines,
            (unsigned long long)s.jmpbufs_carried, (unsigned long long)s.returns_jumped,
            (unsigned long long)s.stack_bytes, (unsigned long long)s.stack_bytes_peak,
            (unsigned long long)s.mapped_bytes, (unsigned long long)s.max_stack_bytes,
            (unsigned long long)s.side_bytes, (unsigned long long)s.side_peak,
            (unsigned long long)s.side_chunks);
    /* The pin tallies of live threads (the first 64), read like their other
     * counters. */
    struct gs_pin_tally live[64];
    size_t nlive = 0;
    pthread_mutex_lock(&all_lock);
    for (struct registered *r = all_threads; r && nlive < 64; r = r->next)
        live[nlive++] = r->t->pin_tally;
    pthread_mutex_unlock(&all_lock);
    gs_pins_print(out, live, nlive);
}

/* The report hook of fatal.h: an overflow report ends the process with abort(),
 * so atexit handlers do not run; print the statistics here, with the aborting
 * coroutine's stack in max_stack_bytes (it is counted there only when it is
 * released otherwise). */
static void stats_at_abort(void)
{
    struct gs_coro *co = gs_tls.cur;
    if (co && co->stack.peak > gs_tls.stats.max_stack_bytes)
        gs_tls.stats.max_stack_bytes = co->stack.peak;
    if (gs_cfg.stats)
        gs_stats_print(stderr);
}

static void print_at_exit(void)
{
    gs_stats_print(stderr);
}

void gs_stats_install(void)
{
    static int done;
    if (!__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL)) {
        gs_fatal_set_report_hook(stats_at_abort);
        if (gs_cfg.stats)
            atexit(print_at_exit);
    }
}
