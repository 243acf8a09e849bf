// bench_libgcc.cc - anchor: gcc-12 -fsplit-stack with libgcc's __morestack.
//
// The workloads live in common/recursion.c, compiled twice: split_* with -fsplit-stack and
// plain_* without (same compiler, same flags otherwise). This harness is compiled with
// g++-12 *without* -fsplit-stack and linked with -fsplit-stack, which makes gcc pass
// --wrap=pthread_create: every thread then starts with its guard (%fs:0x70) about 16000
// bytes below its first frame, and __morestack takes over below that.
//
// Every run of a workload happens on a thread of its own, created for that iteration and
// timed from inside (manual time), so thread creation and teardown are not in the figures;
// they are measured on their own by the pthread anchor (BM_Spawn_Pthread).
#include "anchor_util.h"
#include "workloads.h"

#include <pthread.h>
#include <sys/mman.h>

#include <cinttypes>
#include <string>

extern "C" {
// libgcc/generic-morestack.c: "If NEW is not NULL, then if *NEW is non-zero signals will
// be blocked while splitting the stack, otherwise they will not." Per thread (the flag is
// in the thread-local __morestack_initial_sp).
void __splitstack_block_signals(int *new_state, int *old_state);

// libgcc's per-thread list of stack segments (generic-morestack.c, struct stack_segment).
// Segments are kept after the recursion returns (reused by the next split), and freed by
// the pthread-key destructor when the thread exits.
struct morestack_segment {
    morestack_segment *prev;
    morestack_segment *next;
    size_t size; // usable bytes after this header
    void *old_stack;
    void *dynamic_allocation;
    void *free_dynamic_allocation;
    void *extra;
};
extern __thread morestack_segment *__morestack_segments;
}

namespace {

using namespace anchors;

bool g_quick = false;
double g_tsc_per_ns = 0;

enum class Kind {
    Split,          // -fsplit-stack, libgcc defaults (signals blocked around each split)
    SplitNoSigmask, // -fsplit-stack, __splitstack_block_signals(&off, NULL) on the thread
    NoSplit,        // the same source without -fsplit-stack, on a fresh mmap'd stack
};

bool is_split(Kind k) { return k != Kind::NoSplit; }

void turn_off_signal_blocking()
{
    int off = 0;
    __splitstack_block_signals(&off, nullptr);
}

// ---- DeepRecursion --------------------------------------------------------------------

struct RecJob {
    Kind kind;
    unsigned frame;
    uint64_t depth;
    bool warm;
    uint64_t ns = 0;
    uint64_t sum = 0;
    uint64_t segments = 0;
    uint64_t segment_bytes = 0;
    uint64_t faults = 0; // minor page faults of this thread during the timed run
};

uint64_t thread_minor_faults()
{
    rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return uint64_t(ru.ru_minflt);
}

void *rec_thread(void *arg)
{
    auto *j = static_cast<RecJob *>(arg);
    if (j->kind == Kind::SplitNoSigmask)
        turn_off_signal_blocking();
    auto rec = is_split(j->kind) ? split_recurse : plain_recurse;
    if (j->warm)
        j->sum = rec(j->frame, j->depth); // grow the stack; the timed run reuses it
    uint64_t f0 = thread_minor_faults();
    uint64_t t0 = now_ns();
    uint64_t sum = rec(j->frame, j->depth);
    uint64_t t1 = now_ns();
    j->faults = thread_minor_faults() - f0;
    j->ns = t1 - t0;
    if (j->warm && sum != j->sum)
        sum = 0;
    j->sum = sum;
    if (is_split(j->kind))
        for (morestack_segment *s = __morestack_segments; s; s = s->next) {
            j->segments++;
            j->segment_bytes += s->size + sizeof *s;
        }
    return nullptr;
}

// Bytes of a mapping that are resident (touched): mincore over the range.
uint64_t resident_bytes(void *base, size_t len)
{
    size_t page = size_t(sysconf(_SC_PAGESIZE)), pages = len / page;
    std::vector<unsigned char> vec(pages);
    if (mincore(base, len, vec.data()) != 0)
        return 0;
    uint64_t n = 0;
    for (unsigned char v : vec)
        n += v & 1;
    return n * page;
}

// Run one job on a fresh thread. NoSplit gets a freshly mapped stack large enough for the
// whole recursion (glibc's cached default stacks would be warm and too small); the split
// kinds get glibc's default thread, as a split-stack program would.
bool run_rec_job(RecJob *j, uint64_t *touched)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    void *stack = nullptr;
    size_t len = 0;
    if (j->kind == Kind::NoSplit) {
        size_t page = size_t(sysconf(_SC_PAGESIZE));
        len = (j->depth * j->frame + (1u << 20) + page - 1) / page * page;
        stack = mmap(nullptr, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED)
            return false;
        pthread_attr_setstack(&attr, stack, len);
    }
    pthread_t t;
    int rc = pthread_create(&t, &attr, rec_thread, j);
    pthread_attr_destroy(&attr);
    if (rc == 0)
        pthread_join(t, nullptr);
    if (stack) {
        if (touched)
            *touched = resident_bytes(stack, len);
        munmap(stack, len);
    }
    return rc == 0;
}

// DeepRecursion: ns per frame of a D-deep recursion of F-byte frames. Cold = first run on
// a new thread (growth + first touch); Warm = a second run on the same thread.
void deep_recursion(benchmark::State &state, Kind kind, bool warm)
{
    const uint64_t depth = uint64_t(state.range(0));
    const unsigned frame = unsigned(state.range(1));
    const uint64_t want = anchor_recursion_checksum(depth);
    reset_peak_rss();
    const uint64_t rss0 = rss_bytes();
    uint64_t total_ns = 0, faults = 0, segments = 0, segment_bytes = 0, touched = 0;
    std::vector<double> per_frame;
    for (auto _ : state) {
        RecJob j{kind, frame, depth, warm};
        if (!run_rec_job(&j, kind == Kind::NoSplit ? &touched : nullptr)) {
            state.SkipWithError("could not create the thread (or map its stack)");
            return;
        }
        if (j.sum != want) {
            state.SkipWithError("wrong checksum: the recursion did not run as written");
            return;
        }
        state.SetIterationTime(double(j.ns) * 1e-9);
        total_ns += j.ns;
        per_frame.push_back(double(j.ns) / double(depth));
        faults += j.faults;
        segments = j.segments;
        segment_bytes = j.segment_bytes;
    }
    const double iters = double(state.iterations());
    state.SetItemsProcessed(int64_t(depth) * state.iterations());
    state.counters["ns_per_frame"] = double(total_ns) / (iters * double(depth));
    state.counters["ns_per_frame_median"] = median(per_frame);
    state.counters["depth"] = double(depth);
    state.counters["frame"] = double(frame);
    state.counters["peak_rss"] = double(peak_rss_bytes());
    state.counters["peak_rss_delta"] = double(peak_rss_bytes()) - double(rss0);
    state.counters["minor_faults_per_iter"] = double(faults) / iters; // timed run only
    if (is_split(kind)) {
        state.counters["segments"] = double(segments);
        state.counters["segment_bytes"] = double(segment_bytes);
    } else {
        // Stack pages the run touched, and from them the real frame size (page-granular:
        // exact to a few percent from depth 1e4 on).
        state.counters["stack_touched_bytes"] = double(touched);
        if (depth >= 10000)
            state.counters["frame_bytes"] = double(touched) / double(depth);
    }
}

// ---- HotSplit -------------------------------------------------------------------------

struct HotJob {
    Kind kind;
    anchor_hot_request rq;
    anchor_hot_result res;
};

void *hot_thread(void *arg)
{
    auto *j = static_cast<HotJob *>(arg);
    if (j->kind == Kind::SplitNoSigmask)
        turn_off_signal_blocking();
    // Split once and come back before measuring: libgcc sets a new thread's guard 16000
    // bytes below its first frame, but after the first split returns it puts it back
    // 0xe00 bytes (__morestack's BACKOFF) higher, and stays there. Positions are
    // measured against that steady-state guard.
    if (is_split(j->kind) && split_recurse(ANCHOR_FRAME_MEDIUM, 200) !=
                                 anchor_recursion_checksum(200))
        return nullptr;
    if (is_split(j->kind))
        split_hot_descend(&j->rq);
    else
        plain_hot_descend(&j->rq);
    return nullptr;
}

bool run_hot_job(Kind kind, unsigned frame, uint64_t target, uint64_t n, anchor_hot_result *out)
{
    HotJob j{kind, {target, frame, n, nullptr}, {}};
    j.rq.out = &j.res;
    pthread_t t;
    if (pthread_create(&t, nullptr, hot_thread, &j) != 0)
        return false;
    pthread_join(t, nullptr);
    *out = j.res;
    return true;
}

double ticks_to_ns(uint64_t ticks) { return double(ticks) / g_tsc_per_ns; }

// HotSplit: ns per call of an F-byte function called n times in a loop whose frame sits
// `target` bytes above the split-stack guard (avail reports where it really sat).
void hot_split(benchmark::State &state, Kind kind, uint64_t n)
{
    const unsigned frame = unsigned(state.range(0));
    const uint64_t target = uint64_t(state.range(1)); // ignored by Kind::NoSplit
    double total_ns = 0;
    std::vector<double> per_call;
    anchor_hot_result r{};
    for (auto _ : state) {
        if (!run_hot_job(kind, frame, target, n, &r)) {
            state.SkipWithError("pthread_create failed");
            return;
        }
        if (r.checksum != anchor_hotsplit_checksum(n)) {
            state.SkipWithError("wrong checksum: the hot loop did not run as written");
            return;
        }
        double ns = ticks_to_ns(r.ticks);
        state.SetIterationTime(ns * 1e-9);
        total_ns += ns;
        per_call.push_back(ns / double(n));
    }
    state.SetItemsProcessed(int64_t(n) * state.iterations());
    state.counters["ns_per_call"] = total_ns / (double(state.iterations()) * double(n));
    state.counters["ns_per_call_median"] = median(per_call);
    state.counters["frame"] = double(frame);
    state.counters["avail"] = double(r.avail);
    state.counters["split"] = double(r.split);
    state.counters["calls_per_iter"] = double(n);
}

// The room above the (steady-state) guard where a new thread's hot loop starts: the top of
// the region the sweep covers. Measured, not assumed.
uint64_t region_top()
{
    anchor_hot_result r{};
    if (!run_hot_job(Kind::Split, ANCHOR_FRAME_SMALL, uint64_t(1) << 40, 1, &r) || r.avail < 0)
        return 0;
    return uint64_t(r.avail) / 64 * 64;
}

// Where is the hot-split boundary for an F-byte callee? Run the loop (2000 calls) at every
// 64-byte position of a new thread's first segment, its initial stack region, and ask the
// probe call at each whether it ran on another segment. Every splitting position costs the
// same in steady state (each call goes through __morestack), so the position reported as
// the worst is the boundary itself - the highest position that still splits, one step
// below the first that does not - rather than whichever position timing noise made
// slowest; the slowest is printed alongside as a cross-check.
struct Boundary {
    uint64_t target = 0;      // the boundary: highest target whose call splits
    int64_t avail = -1;       // where the loop really sat there
    double ns = 0;            // ns/call there in the scan
    uint64_t slowest_target = 0;
    double slowest_ns = 0;
    int splitting_positions = 0;
};

Boundary find_boundary(unsigned frame, uint64_t top)
{
    Boundary b;
    bool found = false;
    for (uint64_t target = 0; target <= top; target += 64) {
        anchor_hot_result r{};
        if (!run_hot_job(Kind::Split, frame, target, 2000, &r))
            break;
        double ns = ticks_to_ns(r.ticks) / 2000.0;
        if (r.split) {
            b.splitting_positions++;
            b.target = target;
            b.avail = r.avail;
            b.ns = ns;
            found = true;
        }
        if (ns > b.slowest_ns) {
            b.slowest_ns = ns;
            b.slowest_target = target;
        }
    }
    if (!found)
        fprintf(stderr, "libgcc anchor: no position split a %u-byte call: boundary not found\n",
                frame);
    else
        fprintf(stderr,
                "libgcc anchor: HotSplit boundary for a %u-byte callee at target %" PRIu64
                " (loop frame %" PRId64 " B above the guard, %.1f ns/call); %d of %" PRIu64
                " positions split; slowest at target %" PRIu64 " (%.1f ns/call)\n",
                frame, b.target, b.avail, b.ns, b.splitting_positions, top / 64 + 1,
                b.slowest_target, b.slowest_ns);
    return b;
}

double calibrate_tsc()
{
    uint32_t lo, hi;
    auto rdtsc = [&] {
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        return (uint64_t(hi) << 32) | lo;
    };
    uint64_t n0 = now_ns(), t0 = rdtsc();
    while (now_ns() - n0 < 50000000)
        ;
    uint64_t n1 = now_ns(), t1 = rdtsc();
    return double(t1 - t0) / double(n1 - n0);
}

void register_recursion()
{
    struct Variant {
        const char *name;
        Kind kind;
        bool warm;
    };
    // Cold: what does a first D-deep recursion cost per frame on libgcc split stacks?
    // Warm: and a second one, on segments libgcc kept from the first?
    // ...NoSigmask: how much of that is the two sigprocmask calls per split?
    // ...NoSplit: and what does the same gcc code cost with no split-stack checks at all?
    const Variant variants[] = {
        {"BM_DeepRecursion_Cold", Kind::Split, false},
        {"BM_DeepRecursion_Warm", Kind::Split, true},
        {"BM_DeepRecursion_ColdNoSigmask", Kind::SplitNoSigmask, false},
        {"BM_DeepRecursion_WarmNoSigmask", Kind::SplitNoSigmask, true},
        {"BM_DeepRecursion_ColdNoSplit", Kind::NoSplit, false},
        {"BM_DeepRecursion_WarmNoSplit", Kind::NoSplit, true},
    };
    for (const Variant &v : variants)
        for (DepthFrame g : recursion_grid(g_quick))
            benchmark::RegisterBenchmark(v.name,
                                         [v](benchmark::State &s) {
                                             deep_recursion(s, v.kind, v.warm);
                                         })
                ->Args({int64_t(g.depth), int64_t(g.frame)})
                ->Iterations(iterations_for(g.depth, g.frame, g_quick))
                ->UseManualTime();
}

void register_hotsplit()
{
    const uint64_t n_sweep = 20000, n_head = g_quick ? 100000 : 200000;
    const uint64_t top = region_top();
    fprintf(stderr, "libgcc anchor: a new thread's loop starts %" PRIu64
                    " bytes above the steady-state guard\n", top);
    benchmark::AddCustomContext("hotsplit_region_bytes", std::to_string(top));
    for (unsigned f : {32u, 128u, 1024u}) {
        Boundary b = find_boundary(f, top);
        // Worst: what does a call cost when it crosses a segment boundary every time?
        benchmark::RegisterBenchmark("BM_HotSplit_Worst",
                                     [=](benchmark::State &s) { hot_split(s, Kind::Split, n_head); })
            ->Args({f, int64_t(b.target)})
            ->Iterations(g_quick ? 3 : 5)
            ->UseManualTime();
        // WorstNoSigmask: and with libgcc's signal blocking turned off?
        benchmark::RegisterBenchmark("BM_HotSplit_WorstNoSigmask",
                                     [=](benchmark::State &s) {
                                         hot_split(s, Kind::SplitNoSigmask, n_head);
                                     })
            ->Args({f, int64_t(b.target)})
            ->Iterations(g_quick ? 3 : 5)
            ->UseManualTime();
        // Floor: the same loop, split-stack build, 8 KiB above the guard (no boundary)?
        benchmark::RegisterBenchmark("BM_HotSplit_Floor",
                                     [=](benchmark::State &s) { hot_split(s, Kind::Split, n_head); })
            ->Args({f, 8192})
            ->Iterations(g_quick ? 3 : 5)
            ->UseManualTime();
        // NoSplit: the same loop compiled without -fsplit-stack (no prologue check)?
        benchmark::RegisterBenchmark("BM_HotSplit_NoSplit",
                                     [=](benchmark::State &s) { hot_split(s, Kind::NoSplit, n_head); })
            ->Args({f, 0})
            ->Iterations(g_quick ? 3 : 5)
            ->UseManualTime();
    }
    // Sweep: ns per call at each 64-byte position of a whole segment (quick: the first
    // 2 KiB above the guard, where every boundary lies). Repeated once only.
    // SweepNoSigmask: the same without libgcc's signal blocking (the report plots both).
    for (unsigned f : {32u, 128u, 1024u}) {
        for (uint64_t target = 0; target <= (g_quick ? 2048 : top); target += 64) {
            benchmark::RegisterBenchmark("BM_HotSplit_Sweep",
                                         [=](benchmark::State &s) {
                                             hot_split(s, Kind::Split, n_sweep);
                                         })
                ->Args({f, int64_t(target)})
                ->Iterations(2)
                ->Repetitions(1)
                ->UseManualTime();
            benchmark::RegisterBenchmark("BM_HotSplit_SweepNoSigmask",
                                         [=](benchmark::State &s) {
                                             hot_split(s, Kind::SplitNoSigmask, n_sweep);
                                         })
                ->Args({f, int64_t(target)})
                ->Iterations(2)
                ->Repetitions(1)
                ->UseManualTime();
        }
    }
}

} // namespace

int main(int argc, char **argv)
{
    g_quick = take_flag(&argc, argv, "--anchors_quick");
    bool no_hot = take_flag(&argc, argv, "--anchors_no_hotsplit");
    g_tsc_per_ns = calibrate_tsc();
    add_common_context("libgcc-split-stack", "gcc-12 -O2 -fsplit-stack (" __VERSION__ ")");
    benchmark::AddCustomContext("anchors_mode", g_quick ? "quick" : "full");
    benchmark::AddCustomContext("tsc_ghz", std::to_string(g_tsc_per_ns));
    register_recursion();
    if (!no_hot)
        register_hotsplit();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
