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
#include "scheduler.h"
#include "segment.h"
#include "thread.h"

__thread struct gs_thread gs_tls __attribute__((tls_model("initial-exec")));

static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gs_thread *all_threads;
static struct gs_stats retired;       /* counters of threads that have exited */
static unsigned thread_count;
static pthread_key_t exit_key;

/* Handle tags of live threads (coro.c): allocated next-fit, so an exited thread's
 * tag is reused as late as possible. */
#define GS_NTAGS 65536
static uint64_t tags_used[GS_NTAGS / 64];
static uint32_t tag_cursor;

int gs_thread_tag_live(uint32_t tag)
{
    return tag && tag < GS_NTAGS &&
           (__atomic_load_n(&tags_used[tag / 64], __ATOMIC_RELAXED) & (1ull << (tag % 64)));
}

static uint32_t tag_alloc(void)
{
    for (uint32_t n = 0; n < GS_NTAGS; n++) {
        uint32_t tag = tag_cursor = (tag_cursor + 1) % GS_NTAGS;
        if (tag && !gs_thread_tag_live(tag)) {
            __atomic_fetch_or(&tags_used[tag / 64], 1ull << (tag % 64), __ATOMIC_RELAXED);
            return tag;
        }
    }
    gs_fatal("more than %d threads use growstack at once", GS_NTAGS - 1);
}

static void tag_free(uint32_t tag)
{
    __atomic_fetch_and(&tags_used[tag / 64], ~(1ull << (tag % 64)), __ATOMIC_RELAXED);
}
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
    /* A thread that ran coroutines without gs_thread_run_main (started by
     * uninstrumented code) and called pthread_exit inside one of them. */
    if (t->cur || t->main_co)
        gs_coro_abandon(t);
    gs_coro_reap(t);
    if (t->nalive)
        gs_fatal("thread %u exits with %zu coroutines alive; join or finish them first",
                 t->index, t->nalive);
    gs_signals_thread_exit(t);
    gs_side_thread_exit();
    gs_records_thread_exit();
    gs_pins_flush(&t->pin_tally);
    gs_seg_thread_exit(); /* before the counters are folded: it updates mapped_bytes */
    pthread_mutex_lock(&all_lock);
    for (struct gs_thread **pp = &all_threads; *pp; pp = &(*pp)->next_all) {
        if (*pp == t) {
            *pp = t->next_all;
            break;
        }
    }
    add_stats(&retired, &t->stats);
    tag_free(t->tag);
    pthread_mutex_unlock(&all_lock);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static void make_key(void)
{
    if (pthread_key_create(&exit_key, thread_exit))
        gs_fatal("pthread_key_create failed");
}

/* The thread's own stack, for the overflow report (overflow.c). For the main
 * thread glibc derives it from RLIMIT_STACK and the mappings; the kernel's guard
 * gap lies below it. */
static void read_own_stack(struct gs_thread *t)
{
    pthread_attr_t a;
    void *addr;
    size_t size;
    t->main_thread = getpid() == gettid();
    if (pthread_getattr_np(pthread_self(), &a))
        return;
    if (pthread_attr_getstack(&a, &addr, &size) == 0) {
        t->stack_lo = (uintptr_t)addr;
        t->stack_hi = (uintptr_t)addr + size;
    }
    pthread_attr_destroy(&a);
}

static const char *(*namer)(struct gs_coro *co, char *buf, size_t len);

void gs_thread_set_namer(const char *(*fn)(struct gs_coro *co, char *buf, size_t len))
{
    __atomic_store_n(&namer, fn, __ATOMIC_RELEASE);
}

const char *gs_thread_name_cur(char *buf, size_t len)
{
    const char *(*fn)(struct gs_coro *, char *, size_t) =
        __atomic_load_n(&namer, __ATOMIC_ACQUIRE);
    if (fn)
        return fn(gs_tls.cur, buf, len);
    gs_format(buf, len, gs_tls.cur ? "a coroutine" : "the thread's own stack");
    return buf;
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
    t->tag = tag_alloc();
    t->free_slot = UINT32_MAX;
    t->next_all = all_threads;
    all_threads = t;
    pthread_mutex_unlock(&all_lock);
    read_own_stack(t);
    gs_signals_thread_init(t);
    gs_stats_atexit_install();
    gs_config_start();
    t->initialized = 1;
    return t;
}

/* pthread_exit and cancellation in a coroutine (docs/usage.md, threads): glibc
 * unwinds from the system stack, through the trampoline's frame, across the
 * coroutine's frames to gs_ctx_entry, whose return address is undefined (the end
 * of the stack for the unwinder); it then longjmps to the newest cancellation
 * buffer, this one (or first to buffers the program pushed in the coroutine,
 * which lie outside the thread's stack and so are taken at once). Here, on the
 * thread's own stack, the coroutines left behind are finished; then the unwind
 * continues to glibc's own buffer in start_thread (or __libc_start_call_main). */
static void thread_unwound(void *arg)
{
    gs_coro_abandon(arg);
}

uintptr_t gs_thread_run_main(void *fn, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                             const char *name)
{
    struct gs_thread *t = gs_thread_self();
    gs_assert(!t->cur && !t->main_co);
    struct gs_spawn_attr attr = {.name = name, .initial = 0};
    struct gs_coro *co = gs_coro_create(t, fn, a0, a1, a2, 0, &attr);
    if (!co)
        gs_die(2, "cannot create the %s coroutine of thread %u (out of memory for a stack of "
                  "%zu bytes)",
               name, t->index, gs_cfg.mode == GS_MODE_FIXED ? gs_cfg.max : gs_cfg.initial);
    t->main_co = co;
    gs_scheduler_ready(co);
    gs_handle h = co->handle;
    void *result = NULL;
    int rc;
    pthread_cleanup_push(thread_unwound, t);
    rc = gs_join(h, &result);
    t->main_co = NULL; /* joined: freed */
    pthread_cleanup_pop(0);
    if (rc)
        gs_fatal("the %s coroutine of thread %u could not be joined (error %d): every "
                 "coroutine is blocked",
                 name, t->index, rc);
    return (uintptr_t)result;
}

void gs_stack_cache_trim(void)
{
    gs_thread_self();
    gs_seg_cache_trim();
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

void gs_stats_atexit_install(void)
{
    static int done;
    if (!__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL)) {
        gs_fatal_set_report_hook(stats_at_abort);
        gs_thread_set_namer(gs_coro_describe);
        if (gs_cfg.stats)
            atexit(print_at_exit);
    }
}
