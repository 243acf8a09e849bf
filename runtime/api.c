/* api.c - the thread life cycle and the public coroutine API (see api.h and
 * growstack.h). */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "api.h"
#include "block.h"
#include "config.h"
#include "coro.h"
#include "fatal.h"
#include "netpoll.h"
#include "overflow.h"
#include "pins.h"
#include "records.h"
#include "scheduler.h"
#include "segment.h"
#include "side.h"
#include "signals.h"
#include "stack.h"
#include "stats.h"
#include "thread.h"
#include "wait.h"

static __thread struct {
    int initialized;
    struct gs_coro *main_co;
} self;

static pthread_key_t exit_key;
static pthread_once_t process_once = PTHREAD_ONCE_INIT;

static void thread_exit(void *arg)
{
    (void)arg;
    /* A thread that ran coroutines without gs_api_run_main (started by
     * uninstrumented code) and called pthread_exit inside one of them. */
    if (gs_tls.cur || self.main_co) {
        gs_coro_abandon(self.main_co);
        self.main_co = NULL;
    }
    gs_coro_reap();
    if (gs_coro_tls.nalive)
        gs_fatal("thread %u exits with %zu coroutines alive; join or finish them first",
                 gs_tls.index, gs_coro_tls.nalive);
    gs_poll_thread_exit(&gs_tls);
    gs_wait_thread_exit(&gs_tls);
    gs_signals_thread_exit();
    gs_side_thread_exit();
    gs_records_thread_exit();
    gs_pins_flush(&gs_tls.pin_tally);
    gs_seg_thread_exit(); /* before the counters are folded: it updates mapped_bytes */
    gs_stats_thread_exit();
    gs_coro_thread_exit();
    memset(&gs_tls, 0, sizeof gs_tls);
    memset(&self, 0, sizeof self);
}

static void setup_process(void)
{
    if (pthread_key_create(&exit_key, thread_exit))
        gs_fatal("pthread_key_create failed");
    gs_coro_setup(&gs_scheduler_hooks);
}

struct gs_thread *gs_api_thread(void)
{
    struct gs_thread *t = &gs_tls;
    if (__builtin_expect(self.initialized, 1))
        return t;
    gs_config_ensure();
    pthread_once(&process_once, setup_process);
    pthread_setspecific(exit_key, t);
    gs_stats_thread_init();
    gs_coro_thread_init();
    gs_overflow_thread_init();
    gs_signals_thread_init();
    gs_stats_install();
    gs_config_start();
    gs_stack_start();
    self.initialized = 1;
    return t;
}

struct gs_coro *gs_api_main_coro(void)
{
    return self.main_co;
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
    (void)arg;
    gs_coro_abandon(self.main_co);
    self.main_co = NULL;
}

uintptr_t gs_api_run_main(void *fn, uintptr_t a0, uintptr_t a1, uintptr_t a2, const char *name)
{
    struct gs_thread *t = gs_api_thread();
    gs_assert(!t->cur && !self.main_co);
    struct gs_spawn_attr attr = {.name = name, .initial = 0};
    struct gs_coro *co = gs_coro_create(fn, a0, a1, a2, &attr);
    if (!co)
        gs_die(2, "cannot create the %s coroutine of thread %u (out of memory for a stack of "
                  "%zu bytes)",
               name, t->index, gs_cfg.mode == GS_MODE_FIXED ? gs_cfg.max : gs_cfg.initial);
    self.main_co = co;
    gs_scheduler_ready(co);
    gs_handle h = co->handle;
    void *result = NULL;
    int rc;
    pthread_cleanup_push(thread_unwound, NULL);
    rc = gs_join(h, &result);
    self.main_co = NULL; /* joined: freed */
    pthread_cleanup_pop(0);
    if (rc) {
        /* A deadlock: nothing is ready, no deadline or descriptor is pending.
         * Say who waits for what before dying. */
        char line[256];
        size_t len = gs_format(line, sizeof line - 1,
                               "growstack: every coroutine of thread %u is blocked (a deadlock): "
                               "%zu alive, %zu parked in blocking calls:",
                               t->index, gs_coro_tls.nalive, gs_wait_parked(t));
        line[len++] = '\n';
        gs_write_stderr(line, len);
        gs_wait_report(t, 20);
    }
    if (rc)
        gs_fatal("the %s coroutine of thread %u could not be joined (error %d): every "
                 "coroutine is blocked",
                 name, t->index, rc);
    return (uintptr_t)result;
}

/* ---- growstack.h ------------------------------------------------------------ */

gs_handle gs_spawn_with(void *(*fn)(void *), void *arg, const struct gs_spawn_attr *attr)
{
    if (!fn) {
        errno = EINVAL;
        return 0;
    }
    gs_api_thread();
    gs_coro_reap();
    struct gs_coro *co = gs_coro_create((void *)fn, (uintptr_t)arg, 0, 0, attr);
    if (!co)
        return 0;
    gs_scheduler_ready(co);
    return co->handle;
}

gs_handle gs_spawn(void *(*fn)(void *), void *arg)
{
    return gs_spawn_with(fn, arg, NULL);
}

/* gs_resume, gs_join, gs_self and gs_in_coroutine are on-stack entry points
 * (docs/protocol.md 4): they run on the coroutine stack in the guard slack
 * (tests/runtime/leaf_stack_use measures them). */

/* gs_resume's C half: every case but the common one, which its assembly
 * (arch/x86_64/switch_*.S, docs/protocol.md 6.1) decides and switches itself,
 * tail-jumping here otherwise with the same stack: not initialized yet, a bad
 * handle, a coroutine not SUSPENDED, finished coroutines to reap, a suspended
 * stack the shrink policy may judge, a resume from a callback on the system
 * stack. */
int gs_api_resume_slow(gs_handle h)
{
    if (__builtin_expect(!self.initialized, 0))
        gs_api_thread();
    struct gs_coro *co = gs_coro_lookup(h);
    if (!co)
        return gs_coro_lookup_error(h);
    switch (co->state) {
    case GS_READY:
    case GS_SUSPENDED:
        break;
    case GS_DONE:
        return EINVAL;
    default:
        return EBUSY;
    }
    if (gs_coro_tls.zombies != NULL)
        gs_coro_reap();
    if (co->state == GS_SUSPENDED) /* a no-op on stacks that never shrink (judge_size) */
        gs_stack_maybe_shrink(&co->stack, &co->ctx.sp);
    /* A tail call: when co yields, the switch returns 0 to our caller. */
    return gs_coro_switch_in(co, (uintptr_t)__builtin_frame_address(0));
}

int gs_join(gs_handle h, void **result)
{
    struct gs_thread *t = gs_api_thread();
    struct gs_coro *co = gs_coro_lookup(h);
    if (!co)
        return gs_coro_lookup_error(h);
    if (co == t->cur)
        return EDEADLK;
    if (co->joiner)
        return EINVAL;
    if (co->state != GS_DONE) {
        if (t->cur) {
            if (t->ext_target)
                gs_coro_misuse("gs_join", "block", __builtin_return_address(0));
            gs_coro_wait(co);
        } else {
            while (co->state != GS_DONE) {
                if (!gs_scheduler_step())
                    return EDEADLK; /* nothing can run: the target waits forever */
            }
        }
    }
    if (result)
        *result = co->result;
    gs_coro_destroy(co);
    return 0;
}

int gs_detach(gs_handle h)
{
    gs_api_thread();
    struct gs_coro *co = gs_coro_lookup(h);
    if (!co)
        return gs_coro_lookup_error(h);
    if (co->joiner)
        return EINVAL;
    if (co->state == GS_DONE) {
        gs_coro_destroy(co);
        return 0;
    }
    gs_coro_detach(co);
    return 0;
}

gs_handle gs_self(void)
{
    struct gs_coro *co = gs_tls.cur;
    return co ? co->handle : 0;
}

int gs_in_coroutine(void)
{
    return gs_tls.cur != NULL;
}

int gs_done(gs_handle h)
{
    gs_api_thread();
    struct gs_coro *co = gs_coro_lookup(h);
    if (!co) {
        errno = gs_coro_lookup_error(h);
        return -1;
    }
    return co->state == GS_DONE;
}

size_t gs_run(void)
{
    struct gs_thread *t = gs_api_thread();
    if (t->cur)
        gs_fatal("gs_run called inside a coroutine; the scheduler runs on the thread's own stack");
    while (gs_scheduler_step())
        ;
    gs_coro_reap();
    return gs_coro_tls.nalive;
}

/* A blocking call made on the thread's own stack, outside coroutines, waits
 * (GS_BLOCK_THREAD, block.h): the thread runs its coroutines, deadlines and
 * poller until one of them wakes the call's wait; if nothing can ever wake it,
 * the wait ends with EDEADLK. The assembly then runs the step again, which
 * reads the outcome. */
void gs_api_block_wait(struct gs_block *b)
{
    struct gs_wait *w = b->wait;
    gs_api_thread();
    gs_assert(w && !gs_tls.cur);
    while (!w->woken) {
        if (!gs_scheduler_step())
            gs_wait_wake(&gs_tls, w, EDEADLK, -1);
    }
}

void gs_stack_cache_trim(void)
{
    gs_api_thread();
    gs_seg_cache_trim();
}
