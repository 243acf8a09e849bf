// gs_bench.cc - growstack's own benchmarks (Google Benchmark).
//
// The mode is process-wide (GROWSTACK_MODE), so bench/run.sh runs this binary once
// per mode; every benchmark runs identical instrumented code (gscc-built kernels)
// on coroutines, and the floors run the same source built by plain clang-19 on
// ordinary thread stacks, in the same process. Ratios are taken in the report
// against the floor of the same run.
//
// Names: BM_<Subject>_<Variant>/<args>. Each states the question it answers.
#include <benchmark/benchmark.h>
#include <growstack.h>

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#if GS_BENCH_FCONTEXT
#include "anchors/boost/fcontext_switch.h"
#endif

#include "anchors/common/workloads.h"
#include "workloads/bare_switch.h"
#include "workloads/hot_clock.h"
#include "workloads/kernels.h"

extern "C" {
ANCHOR_DECLARE(gs_)
ANCHOR_DECLARE(flags_)
}

namespace {

using Clock = std::chrono::steady_clock;

gs_mode current_mode()
{
    gs_config c;
    gs_config_get(&c);
    return c.mode;
}

long rss_bytes()
{
    FILE *f = std::fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;
    if (f) {
        if (std::fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        std::fclose(f);
    }
    return rss * sysconf(_SC_PAGESIZE);
}

// A coroutine running gs_bench_worker: resume() runs one job.
struct Worker {
    gs_job job{};
    gs_handle h = 0;
    explicit Worker(size_t initial = 0)
    {
        gs_spawn_attr attr{"bench", initial};
        h = gs_spawn_with(gs_bench_worker, &job, &attr);
        if (!h) {
            std::perror("gs_spawn");
            std::abort();
        }
    }
    uint64_t run(int kind, uint64_t a = 0, uint64_t b = 0, const void *p = nullptr)
    {
        job.kind = kind;
        job.a = a;
        job.b = b;
        job.p = p;
        gs_resume(h);
        return job.result;
    }
    ~Worker()
    {
        job.stop = 1;
        gs_resume(h);
        gs_join(h, nullptr);
    }
};

void add_stats_counters(benchmark::State &state, const gs_stats &before, const gs_stats &after,
                        double per)
{
    state.counters["splits"] = double(after.splits - before.splits) / per;
    state.counters["moves"] = double(after.moves - before.moves) / per;
    state.counters["bytes_copied"] = double(after.bytes_copied - before.bytes_copied) / per;
    state.counters["pins"] = double(after.pins - before.pins) / per;
    state.counters["segments_new"] = double(after.segments_new - before.segments_new) / per;
}

constexpr size_t kFloorStack = size_t(1) << 30;

// Minor page faults of the process so far (first touches of fresh pages: the
// bulk of a cold recursion's cost here, and not noisy).
double minor_faults()
{
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_minflt);
}

// ---- deep recursion -----------------------------------------------------------

// A recursion of D frames of F bytes on a new coroutine per iteration (spawned,
// run, joined: Worker), with minor faults and growstack's counters per
// iteration. trim: give the stack caches back to the kernel before each
// iteration (untimed), so that every iteration maps fresh memory.
void deep_recursion_new_coroutine(benchmark::State &state, bool trim)
{
    const unsigned frame = unsigned(state.range(1));
    const uint64_t depth = uint64_t(state.range(0));
    double total_ns = 0;
    double faults = 0;
    gs_stats before, after;
    gs_stats_get(&before);
    for (auto _ : state) {
        if (trim) {
            state.PauseTiming();
            gs_stack_cache_trim();
            state.ResumeTiming();
        }
        double f0 = minor_faults();
        auto t0 = Clock::now();
        uint64_t r;
        {
            Worker w;
            r = w.run(GS_JOB_RECURSE, frame, depth);
        }
        auto t1 = Clock::now();
        faults += minor_faults() - f0;
        if (r != anchor_recursion_checksum(depth))
            state.SkipWithError("wrong checksum");
        total_ns += std::chrono::duration<double, std::nano>(t1 - t0).count();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    }
    gs_stats_get(&after);
    add_stats_counters(state, before, after, double(state.iterations()));
    state.counters["minflt"] = faults / double(state.iterations());
    state.SetItemsProcessed(int64_t(state.iterations() * depth));
    state.counters["ns_per_frame"] = total_ns / double(state.iterations() * depth);
    state.counters["peak_rss_kib"] = [] {
        rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return double(ru.ru_maxrss);
    }();
}

// How long does a recursion of D frames of F bytes take on a fresh coroutine
// (growth plus the kernel's first touch of new pages)? The stack caches are
// trimmed before each iteration: every block is freshly mapped.
void BM_DeepRecursion_Cold(benchmark::State &state)
{
    deep_recursion_new_coroutine(state, true);
}

// And on a new coroutine when the runtime's caches are as the previous
// coroutine left them (no trim): what a program that spawns coroutine after
// coroutine gets, and what Go's DeepRecursion_Cold measures (a new goroutine
// per iteration, its stack from a heap that keeps freed stacks resident).
// From 2 MiB on a stack grows in place and leaves one block in the cache,
// which the next coroutine takes when it outgrows 256 KiB (runtime/segment.c;
// over 64 MiB the cache keeps one such block per thread, its pages released
// lazily); minflt shows what is left of the first touches.
void BM_DeepRecursion_New(benchmark::State &state)
{
    deep_recursion_new_coroutine(state, false);
}

// The same recursion again in a coroutine whose stack has already grown.
void BM_DeepRecursion_Warm(benchmark::State &state)
{
    const unsigned frame = unsigned(state.range(1));
    const uint64_t depth = uint64_t(state.range(0));
    double total_ns = 0;
    Worker w;
    w.run(GS_JOB_RECURSE, frame, depth); // grow once
    gs_stats before, after;
    gs_stats_get(&before);
    for (auto _ : state) {
        auto t0 = Clock::now();
        uint64_t r = w.run(GS_JOB_RECURSE, frame, depth);
        auto t1 = Clock::now();
        if (r != anchor_recursion_checksum(depth))
            state.SkipWithError("wrong checksum");
        total_ns += std::chrono::duration<double, std::nano>(t1 - t0).count();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    }
    gs_stats_get(&after);
    add_stats_counters(state, before, after, double(state.iterations()));
    state.SetItemsProcessed(int64_t(state.iterations() * depth));
    state.counters["ns_per_frame"] = total_ns / double(state.iterations() * depth);
}

// Floor, cold: the plain-clang recursion once on a freshly mapped stack of the
// size it needs, entered by one bare switch (bench/workloads/bare_switch.c).
// What a cold run cannot avoid, with growstack's page policy: the first touch
// of every page it uses, in huge pages where growstack would use them (with
// GROWSTACK_HUGEPAGES on, a stack of more than 256 KiB lives in blocks of
// 2 MiB and more, 2 MiB-aligned and advised MADV_HUGEPAGE: GS_HUGE_JUMP_FROM
// in runtime/segment.h; the floor's one block is rounded up to 2 MiB and
// advised the same way). Not counted: what a plain
// program would add by not knowing the depth (a thread's default stack), or by
// running on a new thread (clone and join, some 250 us on this VM at 10 us a
// page fault): the builds compared differ in the growth machinery only.
// The size is measured once per benchmark: the pages the recursion leaves
// resident on an unadvised 1 GiB mapping (mincore), plus one page.
using RecurseFn = uint64_t (*)(unsigned, uint64_t);
size_t floor_stack_bytes(RecurseFn recurse, unsigned frame, uint64_t depth)
{
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    char *lo = static_cast<char *>(mmap(nullptr, kFloorStack, PROT_READ | PROT_WRITE,
                                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    if (lo == MAP_FAILED)
        std::abort();
    (void)madvise(lo, kFloorStack, MADV_NOHUGEPAGE);
    if (bare_run_on_stack(lo + kFloorStack, recurse, frame, depth) !=
        anchor_recursion_checksum(depth))
        std::abort();
    std::vector<unsigned char> resident(kFloorStack / page);
    if (mincore(lo, kFloorStack, resident.data()) != 0)
        std::abort();
    size_t first = 0;
    while (first < resident.size() && !(resident[first] & 1))
        first++;
    munmap(lo, kFloorStack);
    return kFloorStack - first * page + page;
}

// A floor's stack for a recursion of D frames of F bytes, with growstack's page
// policy: its size is what the recursion (of `recurse`) needs, measured
// (floor_stack_bytes); above
// 256 KiB it is rounded up to 2 MiB, 2 MiB-aligned and advised MADV_HUGEPAGE,
// as growstack's blocks are from there on (GS_HUGE_JUMP_FROM, GS_HUGE_MIN in
// runtime/segment.h) unless GROWSTACK_HUGEPAGES=0. map() maps it (cold pages).
struct PolicyStack {
    size_t size = 0, len = 0; // the stack, and the mapping that holds it
    bool huge = false;
    char *m = nullptr, *hi = nullptr;

    PolicyStack(unsigned frame, uint64_t depth, RecurseFn recurse = clang_recurse)
    {
        constexpr size_t kHugeFrom = size_t(256) << 10;
        gs_config cfg;
        gs_config_get(&cfg);
        size = floor_stack_bytes(recurse, frame, depth);
        huge = cfg.hugepages && size > kHugeFrom;
        if (huge)
            size = (size + kHuge - 1) & ~(kHuge - 1);
        len = huge ? size + kHuge : size;
    }
    void map()
    {
        m = static_cast<char *>(mmap(nullptr, len, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
        if (m == MAP_FAILED)
            std::abort();
        char *lo = m;
        if (huge) {
            lo = reinterpret_cast<char *>((uintptr_t(m) + kHuge - 1) & ~uintptr_t(kHuge - 1));
            (void)madvise(lo, size, MADV_HUGEPAGE);
        }
        hi = lo + size;
    }
    void unmap() { munmap(m, len); }

private:
    static constexpr size_t kHuge = size_t(2) << 20;
};

void BM_DeepRecursion_FloorCold(benchmark::State &state)
{
    const unsigned frame = unsigned(state.range(1));
    const uint64_t depth = uint64_t(state.range(0));
    PolicyStack stk(frame, depth);
    const size_t size = stk.size;
    double total_ns = 0, faults = 0;
    for (auto _ : state) {
        double f0 = minor_faults();
        auto t0 = Clock::now();
        stk.map();
        uint64_t r = bare_run_on_stack(stk.hi, clang_recurse, frame, depth);
        auto t1 = Clock::now();
        stk.unmap();
        faults += minor_faults() - f0;
        if (r != anchor_recursion_checksum(depth))
            state.SkipWithError("wrong checksum");
        total_ns += std::chrono::duration<double, std::nano>(t1 - t0).count();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    }
    state.counters["minflt"] = faults / double(state.iterations());
    state.counters["stack_kib"] = double(size) / 1024;
    state.SetItemsProcessed(int64_t(state.iterations() * depth));
    state.counters["ns_per_frame"] = total_ns / double(state.iterations() * depth);
}

// Floor, warm: the plain recursion repeated on one stack that it has already
// touched, mapped with growstack's page policy (PolicyStack, as the cold
// floor's: on a thread stack of small pages the deep points ran faster on a
// grown coroutine's huge pages than on their floor, 0.79x-0.87x at 10^5 and
// 10^6 frames in the report of stop 44), entered by one bare switch.
// FloorWarmFlags: the same with gscc's code generation flags and no checks
// (flags_recurse: zeroed small locals, and recursion.c's growstack variant,
// which differs in how it measures the room above the guard, not in the
// recursion): what of the warm cost is the flags, not the stack.
template <uint64_t (*Recurse)(unsigned, uint64_t)>
void deep_recursion_floor_warm(benchmark::State &state)
{
    const unsigned frame = unsigned(state.range(1));
    const uint64_t depth = uint64_t(state.range(0));
    double total_ns = 0;
    PolicyStack stk(frame, depth, Recurse);
    stk.map();
    bare_run_on_stack(stk.hi, Recurse, frame, depth);
    for (auto _ : state) {
        auto t0 = Clock::now();
        uint64_t r = bare_run_on_stack(stk.hi, Recurse, frame, depth);
        auto t1 = Clock::now();
        if (r != anchor_recursion_checksum(depth))
            state.SkipWithError("wrong checksum");
        total_ns += std::chrono::duration<double, std::nano>(t1 - t0).count();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    }
    stk.unmap();
    state.SetItemsProcessed(int64_t(state.iterations() * depth));
    state.counters["ns_per_frame"] = total_ns / double(state.iterations() * depth);
}

void BM_DeepRecursion_FloorWarm(benchmark::State &state)
{
    deep_recursion_floor_warm<clang_recurse>(state);
}
void BM_DeepRecursion_FloorWarmFlags(benchmark::State &state)
{
    deep_recursion_floor_warm<flags_recurse>(state);
}

void recursion_args(benchmark::internal::Benchmark *b)
{
    const bool quick = std::getenv("GS_BENCH_QUICK") != nullptr;
    for (int64_t d : {int64_t(1000), int64_t(10000), int64_t(100000), int64_t(1000000)})
        for (int64_t f : {int64_t(32), int64_t(128), int64_t(1024)}) {
            if (d * f > (int64_t(512) << 20))
                continue; // over half the default limit
            if (quick && d == 1000000 && f != 128)
                continue;
            b->Args({d, f});
        }
    b->UseManualTime()->Unit(benchmark::kMicrosecond);
}
BENCHMARK(BM_DeepRecursion_Cold)->Apply(recursion_args);
BENCHMARK(BM_DeepRecursion_New)->Apply(recursion_args);
BENCHMARK(BM_DeepRecursion_Warm)->Apply(recursion_args);
BENCHMARK(BM_DeepRecursion_FloorCold)->Apply(recursion_args);
BENCHMARK(BM_DeepRecursion_FloorWarm)->Apply(recursion_args);
BENCHMARK(BM_DeepRecursion_FloorWarmFlags)->Apply(recursion_args);

// ---- hot split -------------------------------------------------------------

// What does a call cost when its frame crosses a segment boundary every time
// (the hot-split problem)? A coroutine descends until `target` bytes remain above
// the guard, then calls a leaf of `frame` bytes n times; the sweep over target
// covers a whole segment and the report takes the worst position.
constexpr uint64_t kHotCalls = 100000;

void BM_HotSplitOf(benchmark::State &state, int job)
{
    const unsigned frame = unsigned(state.range(0));
    const uint64_t target = uint64_t(state.range(1));
    anchor_hot_result res{};
    anchor_hot_request rq{target, frame, kHotCalls, &res};
    gs_stats before, after;
    double total_ns = 0;
    gs_stats_get(&before);
    for (auto _ : state) {
        Worker w; // a fresh stack: the boundary is where the sweep put it
        auto t0 = Clock::now();
        w.run(job, 0, 0, &rq);
        auto t1 = Clock::now();
        if (res.checksum != anchor_hotsplit_checksum(kHotCalls))
            state.SkipWithError("wrong checksum");
        double s = std::chrono::duration<double>(t1 - t0).count();
        total_ns += s * 1e9;
        state.SetIterationTime(s);
    }
    gs_stats_get(&after);
    add_stats_counters(state, before, after, double(state.iterations()) * kHotCalls);
    state.counters["ns_per_call"] = total_ns / (double(state.iterations()) * kHotCalls);
    state.counters["avail"] = double(res.avail);
    state.counters["split"] = res.split;
}

void BM_HotSplit(benchmark::State &state) { BM_HotSplitOf(state, GS_JOB_HOT); }

// The same, with a pinned frame at the bottom of the coroutine stack, below
// the descent: contiguous mode cannot move this stack and chains a segment at
// every call. Does that cost more than segmented mode's split (issue 10's
// goal: within 1.1x)? Without a cached verdict every growth walks the frames
// from the hot loop down to the pinned one.
void BM_HotSplitPinned(benchmark::State &state) { BM_HotSplitOf(state, GS_JOB_HOT_PINNED); }

// The sweep's positions for one frame size: the window where the loop's frame
// fits above the guard but the leaf's does not is one frame wide, so step
// finely near the guard, coarsely above.
void hot_positions(benchmark::internal::Benchmark *b, int64_t frame)
{
    const bool quick = std::getenv("GS_BENCH_QUICK") != nullptr;
    for (int64_t t = 0; t < 384; t += 16)
        b->Args({frame, t});
    for (int64_t t = 384; t <= 2048; t += quick ? 256 : 64)
        b->Args({frame, t});
}

void hot_args(benchmark::internal::Benchmark *b)
{
    const bool quick = std::getenv("GS_BENCH_QUICK") != nullptr;
    for (int64_t f : {int64_t(32), int64_t(128), int64_t(1024)})
        if (!quick || f != 32)
            hot_positions(b, f);
    b->UseManualTime()->Unit(benchmark::kMicrosecond);
}

// The clock_gettime hot-split pattern (issue 10, bench/workloads/hot_clock.c):
// the hot-split loop in a caller that times itself with
// clock_gettime(CLOCK_MONOTONIC, &ts). Passing &ts to libc used to pin the
// frame, so contiguous mode chained a segment (after a frame walk) at every
// call; does it now move once and then run like fixed mode (goal: worst
// position within 1.25x of fixed)? A fresh coroutine per iteration; the time
// is the loop's own clock_gettime measurement of the thread's CPU time
// (ns_per_call; the monotonic clock's figure is ns_per_call_wall: on the
// shared 2-core machine it also counts waiting for a core). In fixed mode
// there is no boundary: the loop runs where the coroutine starts, but at as
// many "positions" as the other modes, so that the worst of as many samples
// is compared (the worst of N noisy samples grows with N).
void BM_HotSplitClock(benchmark::State &state)
{
    const bool fixed = current_mode() == GS_MODE_FIXED;
    gs_hot_clock_request rq{};
    rq.frame = unsigned(state.range(0));
    rq.target = uint64_t(state.range(1));
    rq.descend = fixed ? 0 : 1;
    rq.n = kHotCalls;
    gs_stats before, after;
    double total_ns = 0, total_wall = 0;
    gs_spawn_attr attr{"hot-clock", 0};
    gs_stats_get(&before);
    for (auto _ : state) {
        gs_handle h = gs_spawn_with(gs_hot_clock_main, &rq, &attr);
        if (!h) {
            state.SkipWithError("gs_spawn_with failed");
            break;
        }
        gs_join(h, nullptr);
        if (rq.checksum != anchor_hotsplit_checksum(kHotCalls))
            state.SkipWithError("wrong checksum");
        total_ns += double(rq.cpu_ns);
        total_wall += double(rq.ns);
        state.SetIterationTime(double(rq.cpu_ns) * 1e-9);
    }
    gs_stats_get(&after);
    add_stats_counters(state, before, after, double(state.iterations()) * kHotCalls);
    state.counters["ns_per_call"] = total_ns / (double(state.iterations()) * kHotCalls);
    state.counters["ns_per_call_wall"] = total_wall / (double(state.iterations()) * kHotCalls);
    state.counters["avail"] = double(rq.avail);
}

// Floor: the same source built by plain clang-19, on the thread stack.
void BM_HotSplitClock_Floor(benchmark::State &state)
{
    gs_hot_clock_request rq{};
    rq.frame = unsigned(state.range(0));
    rq.n = kHotCalls;
    double total_ns = 0, total_wall = 0;
    for (auto _ : state) {
        clang_hot_clock_main(&rq);
        if (rq.checksum != anchor_hotsplit_checksum(kHotCalls))
            state.SkipWithError("wrong checksum");
        total_ns += double(rq.cpu_ns);
        total_wall += double(rq.ns);
        state.SetIterationTime(double(rq.cpu_ns) * 1e-9);
    }
    state.counters["ns_per_call"] = total_ns / (double(state.iterations()) * kHotCalls);
    state.counters["ns_per_call_wall"] = total_wall / (double(state.iterations()) * kHotCalls);
}
BENCHMARK(BM_HotSplitClock_Floor)->Arg(32)->Arg(128)->Arg(1024)->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

// Floors: the same loop on an ordinary stack, built by plain clang (Floor) and
// by plain clang with gscc's code-generation flags (zeroed locals) but no
// plugin (FloorFlags).
void BM_HotSplit_FloorOf(benchmark::State &state, uint64_t (*descend)(const anchor_hot_request *))
{
    const unsigned frame = unsigned(state.range(0));
    anchor_hot_result res{};
    anchor_hot_request rq{0, frame, kHotCalls, &res};
    double total_ns = 0;
    for (auto _ : state) {
        auto t0 = Clock::now();
        descend(&rq);
        auto t1 = Clock::now();
        if (res.checksum != anchor_hotsplit_checksum(kHotCalls))
            state.SkipWithError("wrong checksum");
        double s = std::chrono::duration<double>(t1 - t0).count();
        total_ns += s * 1e9;
        state.SetIterationTime(s);
    }
    state.counters["ns_per_call"] = total_ns / (double(state.iterations()) * kHotCalls);
}
BENCHMARK_CAPTURE(BM_HotSplit_FloorOf, Floor, clang_hot_descend)
    ->Name("BM_HotSplit_Floor")->Arg(32)->Arg(128)->Arg(1024)->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_HotSplit_FloorOf, FloorFlags, flags_hot_descend)
    ->Name("BM_HotSplit_FloorFlags")->Arg(32)->Arg(128)->Arg(1024)->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

// ---- prologue check, trampolines, cross-file calls ---------------------------

gs_bench_tree *make_tree(int depth)
{
    if (depth == 0)
        return nullptr;
    auto *t = new gs_bench_tree{make_tree(depth - 1), make_tree(depth - 1), depth};
    return t;
}

// The tree the tree-walk kernels sum (2^18 nodes), built once for all of them.
const gs_bench_tree *bench_tree()
{
    static const gs_bench_tree *tree = make_tree(18);
    return tree;
}

// What does the prologue check cost on a call-heavy kernel? Instrumented fib on a
// grown coroutine stack vs the plain build on the same coroutine stack.
void BM_CheckCost(benchmark::State &state)
{
    const int kind = int(state.range(0));
    const int variant = int(state.range(1)); // 0 instrumented, 1 plain, 2 gscc flags only
    const gs_bench_tree *tree = bench_tree();
    Worker w;
    auto job = [&] {
        if (kind == 0) {
            if (variant == 1)
                return uint64_t(plain_fib(27));
            if (variant == 2)
                return uint64_t(flags_fib(27));
            return w.run(GS_JOB_FIB, 27);
        }
        if (variant == 1)
            return uint64_t(plain_tree_sum(tree));
        if (variant == 2)
            return uint64_t(flags_tree_sum(tree));
        return w.run(GS_JOB_TREE, 0, 0, tree);
    };
    job();
    for (auto _ : state)
        benchmark::DoNotOptimize(job());
    static const char *names[] = {" instrumented", " plain", " plain + gscc flags"};
    state.SetLabel(std::string(kind == 0 ? "fib(27)" : "tree(2^18)") + names[variant]);
}
BENCHMARK(BM_CheckCost)->ArgsProduct({{0, 1}, {0, 1, 2}})->Unit(benchmark::kMicrosecond);

// The same instrumented kernels called on the thread's own stack, where
// %fs:0x70 is 0 and no check ever fires (protocol.md 1) but every check runs:
// against BM_CheckCost/K/2 (gscc's flags, no plugin, same stack, same call
// path) the two differ in the checks only. BM_CheckCost/K/0 runs them on a
// coroutine stack, which adds where the stack is to the comparison.
//
// check_on_thread_stack runs fib(27) (kind 0) or the tree walk (kind 1) through
// the given kernels on the benchmark thread's stack, and fails the benchmark if
// a check fired there (it never should: %fs:0x70 is 0).
void check_on_thread_stack(benchmark::State &state, int kind, long (*fib)(int),
                           long (*tree_sum)(const gs_bench_tree *), const std::string &label)
{
    const gs_bench_tree *tree = bench_tree();
    gs_stats before, after;
    gs_stats_get(&before);
    auto job = [&] { return kind == 0 ? uint64_t(fib(27)) : uint64_t(tree_sum(tree)); };
    job();
    for (auto _ : state)
        benchmark::DoNotOptimize(job());
    gs_stats_get(&after);
    if (after.splits != before.splits || after.moves != before.moves)
        state.SkipWithError("a check fired on the thread stack");
    state.SetLabel(std::string(kind == 0 ? "fib(27)" : "tree(2^18)") + label);
}

void BM_CheckCost_ThreadStack(benchmark::State &state)
{
    check_on_thread_stack(state, int(state.range(0)), gs_fib, gs_tree_sum,
                          " instrumented, thread stack");
}
BENCHMARK(BM_CheckCost_ThreadStack)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// The same two kernels from check_placed.c, each build at four offsets from a
// 64-byte boundary (bench/workloads/check_placed.c says why): args {kernel (0 fib,
// 1 tree walk), offset, variant (0 gscc, 2 gscc's flags only)}, on the thread
// stack like BM_CheckCost_ThreadStack. The report compares the sums over the
// four offsets.
struct PlacedKernels {
    long (*fib)(int);
    long (*tree)(const gs_bench_tree *);
};
// Indexed by offset / 16: gscc's build and the flags-only build.
const PlacedKernels kPlacedGs[] = {{gs_cp0_fib, gs_cp0_tree_sum},
                                   {gs_cp16_fib, gs_cp16_tree_sum},
                                   {gs_cp32_fib, gs_cp32_tree_sum},
                                   {gs_cp48_fib, gs_cp48_tree_sum}};
const PlacedKernels kPlacedFlags[] = {{flags_cp0_fib, flags_cp0_tree_sum},
                                      {flags_cp16_fib, flags_cp16_tree_sum},
                                      {flags_cp32_fib, flags_cp32_tree_sum},
                                      {flags_cp48_fib, flags_cp48_tree_sum}};

void BM_CheckPlaced(benchmark::State &state)
{
    const int kind = int(state.range(0));
    const int pad = int(state.range(1));
    const bool gs = state.range(2) == 0;
    const PlacedKernels &k = (gs ? kPlacedGs : kPlacedFlags)[pad / 16];
    check_on_thread_stack(state, kind, k.fib, k.tree,
                          " at +" + std::to_string(pad) +
                              (gs ? " instrumented" : " gscc flags only"));
}
BENCHMARK(BM_CheckPlaced)
    ->ArgsProduct({{0, 1}, {0, 16, 32, 48}, {0, 2}})
    ->Unit(benchmark::kMicrosecond);

// ---- paired comparisons --------------------------------------------------
//
// This VM runs at two speeds that change every few seconds, in no order (the
// same fib(27) takes about 460 us in some repetitions and 650 us in others,
// on either build): comparing the fastest repetition of one benchmark with the
// fastest of another then says which one caught the fast speed, not what their
// difference costs. The goals that compare two variants in one process also
// time them in alternation: each iteration runs A, B, B, A, each on the
// thread's CPU clock (a side's time is never the other's), and the counter
// `ratio` is A's total over B's in the repetition, so whatever speed the
// machine runs at falls on both sides alike. The report takes the median of
// those ratios over the repetitions, with their range (docs/bench/method.md).

double thread_cpu_ns()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

// a() and b() each do `units` units of work; counters a_UNIT and b_UNIT are
// each side's CPU time per unit in ns; the benchmark's own time is both sides'
// (manual time).
// prep() runs before each a(), outside the timing (a fresh coroutine, say).
template <class A, class B, class P = void (*)()>
void time_paired(benchmark::State &state, A a, B b, double units, const char *unit,
                 P prep = [] {})
{
    prep(); // warm both up, untimed
    a();
    b();
    auto timed = [](auto &side) {
        double t0 = thread_cpu_ns();
        side();
        return thread_cpu_ns() - t0;
    };
    double ta = 0, tb = 0;
    for (auto _ : state) {
        prep();
        double a1 = timed(a);
        double b1 = timed(b);
        double b2 = timed(b);
        prep();
        double a2 = timed(a);
        ta += a1 + a2;
        tb += b1 + b2;
        state.SetIterationTime((a1 + b1 + b2 + a2) * 1e-9);
    }
    const double n = 2.0 * double(state.iterations()) * units;
    state.counters["ratio"] = tb > 0 ? ta / tb : 0;
    state.counters[std::string("a_") + unit] = ta / n;
    state.counters[std::string("b_") + unit] = tb / n;
}

// The prologue check's cost, paired: the gscc kernels against the flags-only
// ones (BM_CheckPlaced's builds, on the thread stack where every check runs
// and none fires), each side one call at each of the four placements, so the
// ratio is the check's at an average placement. Arg: 0 fib(27), 1 tree walk.
// Counters a_ns_per_call (gscc) and b_ns_per_call (flags only): the CPU time
// of one call of the kernel, averaged over the placements.
void BM_Paired_CheckCost(benchmark::State &state)
{
    const int kind = int(state.range(0));
    const gs_bench_tree *tree = bench_tree();
    auto call = [kind, tree](const PlacedKernels &k) { return kind == 0 ? k.fib(27) : k.tree(tree); };
    const long expect = call(kPlacedFlags[0]);
    bool wrong = false;
    auto side = [&](const PlacedKernels *build) {
        return [&, build] {
            for (int i = 0; i < 4; i++) {
                long r = call(build[i]);
                benchmark::DoNotOptimize(r);
                wrong |= r != expect;
            }
        };
    };
    gs_stats before, after;
    gs_stats_get(&before);
    time_paired(state, side(kPlacedGs), side(kPlacedFlags), 4.0, "ns_per_call");
    gs_stats_get(&after);
    if (wrong)
        state.SkipWithError("wrong result");
    else if (after.splits != before.splits || after.moves != before.moves)
        state.SkipWithError("a check fired on the thread stack");
    state.SetLabel(std::string(kind == 0 ? "fib(27)" : "tree(2^18)") +
                   ": gscc (a) vs gscc's flags only (b), four placements each");
}
BENCHMARK(BM_Paired_CheckCost)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// The contiguous hot-split goal, paired: at each position of the sweep,
// BM_HotSplit's run on a fresh coroutine (a: it descends to `target` bytes
// above the guard, then makes kHotCalls calls of a `frame`-byte leaf) against
// the same loop of the flags-only build on the thread stack (b:
// BM_HotSplit_FloorFlags). Each side's ns_per_call is its CPU time over the
// calls; the fresh coroutine is spawned, and the used one joined, outside the
// timing. Registered in contiguous mode only (main), for the 128-byte frame.
void BM_Paired_HotSplit(benchmark::State &state)
{
    const unsigned frame = unsigned(state.range(0));
    anchor_hot_result res{};
    const anchor_hot_request rq{uint64_t(state.range(1)), frame, kHotCalls, &res};
    const anchor_hot_request fq{0, frame, kHotCalls, &res};
    const uint64_t sum = anchor_hotsplit_checksum(kHotCalls);
    std::unique_ptr<Worker> w;
    bool wrong = false;
    time_paired(
        state,
        [&] {
            w->run(GS_JOB_HOT, 0, 0, &rq);
            wrong |= res.checksum != sum;
        },
        [&] {
            flags_hot_descend(&fq);
            wrong |= res.checksum != sum;
        },
        double(kHotCalls), "ns_per_call", [&] { w.reset(new Worker); });
    if (wrong)
        state.SkipWithError("wrong checksum");
}

// The clock_gettime goal, paired: at each position of the sweep,
// BM_HotSplitClock's run on a fresh coroutine of the configured initial size
// that descends to `target` bytes above its guard (a: contiguous mode moves
// the stack once, at the first crossing, or not at all where the loop fits)
// against the same loop at the same depth on a fresh coroutine whose stack
// holds it from the start (b: kHotClockHolds, the same number of descent
// frames, no growth: what fixed mode runs, with the same code), in
// alternation within every iteration (a, b, b, a). Each side's time is the
// loop's own clock_gettime of the thread's CPU time, as in BM_HotSplitClock;
// spawning and joining are outside it.
//
// Why the same depth: the loop's cost depends on where its frames lie within
// a 64-byte cache line, in plain clang's build too (2026-12-07, this VM: the
// 128-byte leaf's loop 1.22 ns/call where the loop's %rsp is 16 past a line,
// 0.98 elsewhere, on any stack; plain clang-19 0.78-0.98 over the four
// offsets). BM_HotSplitClock's fixed-mode run has no boundary and runs at the
// top of its stack, one offset; contiguous mode's sweep visits all four, so
// their worst positions differ by that offset, not by the growth. Both sides
// here run at the same offset in a cache line (checked: sp_low, a's %rsp
// modulo 4 KiB; b's differs by 2 KiB where a's first stack is the lower half
// of a page). Fixed mode also runs in a process of its own, minutes from
// contiguous mode's, on a VM whose speed changes from one such process to the
// next. Counters ratio, a_ns_per_call, b_ns_per_call as time_paired's; moves
// and splits per run of a. Registered in contiguous mode only (main).
constexpr size_t kHotClockHolds = 64 * 1024;

void BM_Paired_HotClock(benchmark::State &state)
{
    const uint64_t sum = anchor_hotsplit_checksum(kHotCalls);
    gs_hot_clock_request rq{}, fq{};
    rq.frame = fq.frame = unsigned(state.range(0));
    rq.target = uint64_t(state.range(1));
    rq.descend = 1;
    fq.descend = 2;
    rq.n = fq.n = kHotCalls;
    const gs_spawn_attr grows{"hot-clock", 0}, holds{"hot-clock-holds", kHotClockHolds};
    bool wrong = false, failed = false;
    auto run = [&](gs_hot_clock_request &q, const gs_spawn_attr &attr) {
        gs_handle h = gs_spawn_with(gs_hot_clock_main, &q, &attr);
        if (!h) {
            failed = true;
            return 0.0;
        }
        gs_join(h, nullptr);
        wrong |= q.checksum != sum;
        return double(q.cpu_ns);
    };
    for (const char *c : {"ratio", "a_ns_per_call", "b_ns_per_call", "moves", "splits", "avail",
                          "sp_low"})
        state.counters[c] = 0; // present in every run, skipped or not (the CSV reporter)
    auto same_line = [&] { return fq.sp_low % 64 == rq.sp_low % 64; };
    gs_stats before, after;
    run(rq, grows); // warm both up, untimed; b descends as deep as a did
    fq.levels = rq.levels;
    gs_stats_get(&before);
    run(fq, holds);
    gs_stats_get(&after);
    if (after.splits != before.splits || after.moves != before.moves) {
        state.SkipWithError("the floor's stack grew: kHotClockHolds too small");
        return;
    }
    if (!same_line()) {
        state.SkipWithError("the two loops run at different offsets in a cache line");
        return;
    }
    double ta = 0, tb = 0, grew_moves = 0, grew_splits = 0;
    for (auto _ : state) {
        gs_stats_get(&before);
        double a1 = run(rq, grows);
        gs_stats_get(&after);
        grew_moves += double(after.moves - before.moves);
        grew_splits += double(after.splits - before.splits);
        double b1 = run(fq, holds);
        double b2 = run(fq, holds);
        double a2 = run(rq, grows);
        ta += a1 + a2;
        tb += b1 + b2;
        state.SetIterationTime((a1 + b1 + b2 + a2) * 1e-9);
    }
    const double n = 2.0 * double(state.iterations()) * double(kHotCalls);
    state.counters["ratio"] = tb > 0 ? ta / tb : 0;
    state.counters["a_ns_per_call"] = ta / n;
    state.counters["b_ns_per_call"] = tb / n;
    state.counters["moves"] = grew_moves / double(state.iterations()); // per run of a
    state.counters["splits"] = grew_splits / double(state.iterations());
    state.counters["avail"] = double(rq.avail);
    state.counters["sp_low"] = double(rq.sp_low);
    if (!same_line()) // the last runs too
        state.SkipWithError("the two loops run at different offsets in a cache line");
    else if (failed)
        state.SkipWithError("gs_spawn_with failed");
    else if (wrong)
        state.SkipWithError("wrong checksum");
}

// The warm deep-recursion goal, paired: the recursion again on a coroutine
// whose stack has grown (a: BM_DeepRecursion_Warm) against the plain-clang
// recursion on a stack of growstack's page policy that it has already touched
// (b: what BM_DeepRecursion_FloorWarm runs; both entered by one bare switch,
// so that both sides run on this thread's CPU clock). Counters as
// BM_DeepRecursion_Warm's: moves and shrinks per run of a. Registered in
// contiguous mode only (main).
void BM_Paired_Warm(benchmark::State &state)
{
    const unsigned frame = unsigned(state.range(1));
    const uint64_t depth = uint64_t(state.range(0));
    const uint64_t sum = anchor_recursion_checksum(depth);
    PolicyStack stk(frame, depth);
    stk.map();
    Worker w;
    bool wrong = w.run(GS_JOB_RECURSE, frame, depth) != sum; // grow once, not counted
    gs_stats before, after;
    gs_stats_get(&before);
    time_paired( // its untimed warm-up run of a is counted: 2 per iteration + 1
        state, [&] { wrong |= w.run(GS_JOB_RECURSE, frame, depth) != sum; },
        [&] { wrong |= bare_run_on_stack(stk.hi, clang_recurse, frame, depth) != sum; },
        double(depth), "ns_per_frame");
    gs_stats_get(&after);
    stk.unmap();
    add_stats_counters(state, before, after, 2.0 * double(state.iterations()) + 1);
    if (wrong)
        state.SkipWithError("wrong checksum");
}

// The loop of the per-call benchmarks below: state's iterations each make n
// calls through `calls` (which returns a checksum); ns_per_call is the wall
// time of them all over the calls.
template <class Calls> void time_calls(benchmark::State &state, long n, Calls calls)
{
    auto start = Clock::now();
    for (auto _ : state) {
        uint64_t r = calls();
        benchmark::DoNotOptimize(r);
    }
    state.counters["ns_per_call"] =
        std::chrono::duration<double, std::nano>(Clock::now() - start).count() /
        double(state.iterations() * n);
}

// What does a call from instrumented code cost when it leaves for the system
// stack (uninstrumented library, libc), and when it stays (another instrumented
// file)? Each against the same loop built by plain clang. n = 1e6 calls.
void BM_CallCost(benchmark::State &state)
{
    const int kind = int(state.range(0));
    const bool plain = state.range(1) != 0;
    const long n = 1000000;
    Worker w;
    time_calls(state, n, [&]() -> uint64_t {
        switch (kind) {
        case 0: return plain ? plain_call_plain_lib(n) : w.run(GS_JOB_PLAIN_LIB, n);
        case 1: return plain ? plain_call_libc(n) : w.run(GS_JOB_LIBC, n);
        default: return plain ? plain_call_other_file(n) : w.run(GS_JOB_OTHER_FILE, n);
        }
    });
    static const char *names[] = {"uninstrumented lib", "libc", "other instrumented file"};
    state.SetLabel(std::string(names[kind]) + (plain ? " plain" : " instrumented"));
}
BENCHMARK(BM_CallCost)->ArgsProduct({{0, 1, 2}, {0, 1}})->Unit(benchmark::kMillisecond);

// The trampoline goal (issue 13: within 0.5 ns of a direct call), paired
// (time_paired): BM_CallCost/0's loops in alternation, blocks of 100,000 calls
// of a function in an object plain clang compiled, from gscc's loop on a
// coroutine (a: each call through the callee's thunk and the system-stack
// trampoline) and from plain clang's loop on the thread stack (b: a direct
// call). Counters a_ns_per_call and b_ns_per_call; the goal is their difference.
void BM_Paired_Trampoline(benchmark::State &state)
{
    constexpr long n = 100000;
    Worker w;
    const uint64_t expect = uint64_t(plain_call_plain_lib(n));
    bool wrong = false;
    time_paired(
        state, [&] { wrong |= w.run(GS_JOB_PLAIN_LIB, n) != expect; },
        [&] { wrong |= uint64_t(plain_call_plain_lib(n)) != expect; }, double(n), "ns_per_call");
    if (wrong)
        state.SkipWithError("a loop computed another sum");
    state.SetLabel("gscc loop on a coroutine, thunk + trampoline (a) vs plain loop, direct (b)");
}
BENCHMARK(BM_Paired_Trampoline)->UseManualTime()->Unit(benchmark::kMillisecond);

// What do malloc + free and pthread_mutex_lock + unlock cost from instrumented
// code, against plain clang's loop? malloc's and free's thunks call them
// straight on the coroutine stack when it holds 1536 bytes above the guard
// (protocol.md 4.1a), else through the trampoline; the mutex functions always
// take the trampoline. depth: bytes of frames above the loop (0: a fresh 2 KiB
// coroutine stack, too small; 64 KiB: the stack has grown). n = 1e6 pairs;
// ns_per_call is per pair.
void BM_LibcLeafCall(benchmark::State &state)
{
    const int kind = int(state.range(0));    // 0 malloc+free, 1 mutex lock+unlock
    const long depth = state.range(1);       // bytes of frames above the loop
    const bool plain = state.range(2) != 0;
    const long n = 1000000;
    Worker w;
    time_calls(state, n, [&]() -> uint64_t {
        if (plain)
            return uint64_t(kind == 0 ? plain_call_malloc(n) : plain_call_mutex(n));
        else
            return w.run(kind == 0 ? GS_JOB_MALLOC : GS_JOB_MUTEX, n, uint64_t(depth));
    });
    state.SetLabel(std::string(kind == 0 ? "malloc+free" : "mutex lock+unlock") +
                   (plain ? " plain" : depth ? " instrumented, 64 KiB deep" : " instrumented"));
}
BENCHMARK(BM_LibcLeafCall)
    ->Args({0, 0, 1})->Args({0, 0, 0})->Args({0, 65536, 0})
    ->Args({1, 0, 1})->Args({1, 0, 0})->Args({1, 65536, 0})
    ->Unit(benchmark::kMillisecond);

// What does a side frame add to a call (issue 10: at most 2 ns)? n calls of a
// function whose local's address goes to another file, so the local lives in
// a side frame (check, bump, restore at return), against the same function
// whose callee is declared noescape (the local stays in the frame), both
// instrumented and on a coroutine; and the plain clang build of the first.
// Variant 0 calls it from a loop without a side frame, the side stack empty
// at each call: the first call takes __gs_side_alloc, which leaves the first
// chunk current (protocol.md 7.2), and the later ones pass the inline check
// (before that rule, each took __gs_side_alloc's assembly fast path).
// Variant 3 calls it from a loop that has a side frame itself: every check
// passes inline.
void BM_SideFrameCall(benchmark::State &state)
{
    const int variant = int(state.range(0));
    const long n = 1000000;
    Worker w;
    time_calls(state, n, [&]() -> uint64_t {
        switch (variant) {
        case 0: return w.run(GS_JOB_SIDE_LOCAL, n);
        case 1: return w.run(GS_JOB_STACK_LOCAL, n);
        case 2: return plain_call_side_local(n);
        default: return w.run(GS_JOB_SIDE_LOCAL_NESTED, n);
        }
    });
    static const char *names[] = {"side frame, empty side stack (runtime fast path)",
                                  "noescape callee: no side frame",
                                  "escaping local, plain clang",
                                  "side frame, inline fast path"};
    state.SetLabel(names[variant]);
}
BENCHMARK(BM_SideFrameCall)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

// ---- overflow at the limit ---------------------------------------------------

// How long does a recursion without end take to reach GROWSTACK_MAX (1 GiB by
// default) and be reported? Issue 11: contiguous mode took 8-13 s (1 GiB
// stacks copied into 1 GiB stacks); the goal is within 2x of segmented mode.
// Each iteration forks a child that runs the recursion on a coroutine until
// the runtime aborts it; the time is fork to reaped child.
void BM_OverflowAtLimit(benchmark::State &state)
{
    for (auto _ : state) {
        auto t0 = Clock::now();
        pid_t pid = fork();
        if (pid == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, 2);
            Worker w;
            w.run(GS_JOB_ENDLESS);
            _exit(0); // not reached: the runtime aborts
        }
        int status = 0;
        waitpid(pid, &status, 0);
        auto t1 = Clock::now();
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
            state.SkipWithError("the child did not end in the overflow report");
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    }
}

// What does a call of a function with an escaping local (a side frame, docs/
// protocol.md 7) cost, against the same call with the local on the stack (plain
// clang, gscc's flags without the plugin)? kind 0: called from a frame with
// no side frame (each call takes __gs_side_alloc's assembly fast path); kind
// 1: called from a frame with one (the inline check). n = 1e6 calls.
void BM_SideLocalCall(benchmark::State &state)
{
    const int kind = int(state.range(0));
    const int variant = int(state.range(1)); // 0 instrumented, 1 plain, 2 gscc flags only
    const long n = 1000000;
    Worker w;
    time_calls(state, n, [&]() -> uint64_t {
        if (variant == 0)
            return w.run(kind == 0 ? GS_JOB_SIDE_LEAF : GS_JOB_SIDE_NESTED, n);
        else if (variant == 1)
            return uint64_t(kind == 0 ? plain_call_side_leaf(n) : plain_call_side_leaf_nested(n));
        else
            return uint64_t(kind == 0 ? flags_call_side_leaf(n) : flags_call_side_leaf_nested(n));
    });
    static const char *kinds[] = {"from a frame without a side frame", "from a frame with one"};
    static const char *variants[] = {" instrumented", " plain", " plain + gscc flags"};
    state.SetLabel(std::string(kinds[kind]) + variants[variant]);
}
BENCHMARK(BM_SideLocalCall)->ArgsProduct({{0, 1}, {0, 1, 2}})->Unit(benchmark::kMillisecond);

// ---- switch, spawn, memory -------------------------------------------------

// One-way context switch on the calling thread: resume + yield is two switches.
static void time_switches(benchmark::State &state)
{
    Worker w;
    w.run(GS_JOB_PARK);
    auto t0 = Clock::now();
    for (auto _ : state)
        gs_resume(w.h);
    auto t1 = Clock::now();
    state.counters["ns_per_switch"] =
        std::chrono::duration<double, std::nano>(t1 - t0).count() / double(state.iterations() * 2);
}

void BM_Switch(benchmark::State &state)
{
    time_switches(state);
}
BENCHMARK(BM_Switch);

// BM_Switch on a thread whose contexts keep FP control state of their own
// (gs_fp_private(): what every thread of a program that calls fesetround & co.
// pays, docs/protocol.md 6.2). A thread of its own, since the setting cannot
// be undone; timed by the wall clock of that thread's loop.
void BM_Switch_FpPrivate(benchmark::State &state)
{
    std::thread t([&state] {
        gs_fp_private();
        time_switches(state);
    });
    t.join();
}
BENCHMARK(BM_Switch_FpPrivate)->UseRealTime();

// The floor of that switch: two contexts ping-ponging with the runtime's
// gs_ctx_switch alone (bench/workloads/bare_switch.c), without the core's
// bookkeeping; BM_Switch minus this is what gs_resume and gs_yield's C half cost.
void BM_Switch_Bare(benchmark::State &state)
{
    bare_switch_init();
    auto t0 = Clock::now();
    for (auto _ : state)
        bare_switch_round();
    auto t1 = Clock::now();
    state.counters["ns_per_switch"] =
        std::chrono::duration<double, std::nano>(t1 - t0).count() / double(state.iterations() * 2);
}
BENCHMARK(BM_Switch_Bare);

#if GS_BENCH_FCONTEXT
// The switch goal's anchor, Boost.Context's fcontext (anchor_boost's loop, from
// the same header), in this process: its repetitions interleave with BM_Switch's
// in one run of one binary, so that both see the same machine. The anchor
// binary runs minutes apart, and this VM's speed changes within seconds.
void BM_Switch_Fcontext(benchmark::State &state) { anchors::time_fcontext_switches(state); }
BENCHMARK(BM_Switch_Fcontext);

// The switch goal, paired (time_paired above): blocks of 20,000 round trips of
// BM_Switch's gs_resume + gs_yield (a) and of fcontext's ping-pong (b) in
// alternation; counters a_ns and b_ns are each one-way switch's CPU time.
void BM_Paired_Switch(benchmark::State &state)
{
    constexpr long kRounds = 20000;
    Worker w;
    w.run(GS_JOB_PARK);
    anchors::FcontextPingPong pp;
    time_paired(
        state,
        [&] {
            for (long i = 0; i < kRounds; i++)
                gs_resume(w.h);
        },
        [&] { pp.rounds(kRounds); }, 2.0 * kRounds, "ns");
    state.SetLabel("growstack gs_resume + gs_yield (a) vs Boost.Context fcontext (b)");
}
BENCHMARK(BM_Paired_Switch)->UseManualTime()->Unit(benchmark::kMillisecond);
#endif

// Spawn a coroutine, run it to the end, join it.
void *trivial(void *arg) { return arg; }
void BM_SpawnFinish(benchmark::State &state)
{
    auto t0 = Clock::now();
    for (auto _ : state) {
        gs_handle h = gs_spawn(trivial, nullptr);
        void *r;
        gs_join(h, &r);
    }
    auto t1 = Clock::now();
    state.counters["ns_per_spawn"] =
        std::chrono::duration<double, std::nano>(t1 - t0).count() / double(state.iterations());
}
BENCHMARK(BM_SpawnFinish);

// Bytes of resident memory per idle coroutine (parked after one yield).
// The idle-memory measurement runs in a fresh process (this program again,
// with kIdleChildEnv set), as the Go anchor's does: in this one, the benchmarks
// that ran before (in a random order) leave chunk-carved stack blocks cached
// whose descriptor pages stay resident even after a trim, so new coroutines
// would reuse resident pages and the growth would undercount (a 100k run after
// the 1M one measured 439 bytes per coroutine instead of about 2,500).
constexpr const char *kIdleChildEnv = "GS_BENCH_IDLE_CHILD";

// In the child: n coroutines parked at a yield; prints the resident memory
// growth per coroutine on stdout.
int idle_child(const char *arg)
{
    char *end = nullptr;
    unsigned long long n = std::strtoull(arg, &end, 10);
    if (!*arg || *end || n == 0) {
        std::fprintf(stderr, "gs_bench: %s=%s is not a positive count\n", kIdleChildEnv, arg);
        return 2;
    }
    std::vector<Worker *> ws;
    ws.reserve(n);
    long before = rss_bytes();
    for (unsigned long long i = 0; i < n; i++) {
        auto *w = new Worker();
        w->run(GS_JOB_PARK);
        ws.push_back(w);
    }
    long after = rss_bytes();
    std::printf("%.3f\n", double(after - before) / double(n));
    std::fflush(stdout);
    for (auto *w : ws)
        delete w;
    return 0;
}

// In the benchmark: run the child and read its figure; negative on failure.
double run_idle_child(size_t n)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return -1;
    exe[len] = 0;
    // The child's environment, built before the fork: between fork and exec
    // the child may only make async-signal-safe calls (other threads run here).
    std::string var = std::string(kIdleChildEnv) + "=" + std::to_string(n);
    std::vector<char *> envp;
    const size_t keylen = std::strlen(kIdleChildEnv);
    for (char **e = environ; *e; e++)
        if (std::strncmp(*e, kIdleChildEnv, keylen) != 0 || (*e)[keylen] != '=')
            envp.push_back(*e);
    envp.push_back(var.data());
    envp.push_back(nullptr);
    char *argv[] = {exe, nullptr};
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execve(exe, argv, envp.data());
        _exit(127);
    }
    close(fds[1]);
    std::string out;
    char buf[256];
    for (ssize_t r; (r = read(fds[0], buf, sizeof buf)) != 0;) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        out.append(buf, size_t(r));
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    char *end = nullptr;
    double v = std::strtod(out.c_str(), &end);
    return end == out.c_str() ? -1 : v;
}

void BM_IdleMemory(benchmark::State &state)
{
    const size_t n = size_t(state.range(0));
    for (auto _ : state) {
        double b = run_idle_child(n);
        if (b < 0) {
            state.SkipWithError("the idle-memory child process failed");
            break;
        }
        state.counters["bytes_per_context"] = b;
    }
}

// Grow, return, stay idle for 6 runs, repeat: a stack needed every 7th run.
// Contiguous: the first shrink (after 4 shallow runs) is undone by the next
// deep run, which doubles the shallow runs a shrink needs (protocol.md 5.4a):
// from then on the stack keeps its size, as segmented mode keeps its segments
// (counters: shrinks and moves per cycle, near 0 after the first cycles).
void BM_GrowShrink(benchmark::State &state)
{
    Worker w;
    gs_stats before, after;
    gs_stats_get(&before);
    for (auto _ : state) {
        w.run(GS_JOB_RECURSE, 128, 20000);
        for (int i = 0; i < 6; i++)
            w.run(GS_JOB_PARK); // the stack is nearly empty at these yields
    }
    gs_stats_get(&after);
    state.counters["shrinks"] = double(after.shrinks - before.shrinks) / double(state.iterations());
    state.counters["moves"] = double(after.moves - before.moves) / double(state.iterations());
}
BENCHMARK(BM_GrowShrink)->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char **argv)
{
    if (const char *n = std::getenv(kIdleChildEnv))
        return idle_child(n);
    // Fixed mode maps GROWSTACK_MAX per coroutine and two VMAs per stack:
    // 1M idle coroutines exceed vm.max_map_count there; register what can run.
    long maps = 65530;
    if (FILE *f = std::fopen("/proc/sys/vm/max_map_count", "r")) {
        if (std::fscanf(f, "%ld", &maps) != 1)
            maps = 65530;
        std::fclose(f);
    }
    for (long n : {100000L, 1000000L}) {
        if (current_mode() == GS_MODE_FIXED && 2 * n + 1000 > maps)
            continue;
        // Once: later repetitions would reuse the memory of the first.
        benchmark::RegisterBenchmark("BM_IdleMemory", BM_IdleMemory)
            ->Arg(n)->Iterations(1)->Repetitions(1)->Unit(benchmark::kMillisecond);
    }
    // A fixed stack has no segment boundary: the hot-split sweep (which descends
    // until it is `target` bytes above the guard) only means something when the
    // stack grows.
    if (current_mode() != GS_MODE_FIXED) {
        benchmark::RegisterBenchmark("BM_HotSplit", BM_HotSplit)->Apply(hot_args);
        benchmark::RegisterBenchmark("BM_HotSplitPinned", BM_HotSplitPinned)->Apply(hot_args);
        if (current_mode() == GS_MODE_CONTIGUOUS) {
            benchmark::RegisterBenchmark("BM_Paired_HotSplit", BM_Paired_HotSplit)
                ->Apply([](benchmark::internal::Benchmark *b) { hot_positions(b, 128); })
                ->UseManualTime()->Unit(benchmark::kMicrosecond);
            benchmark::RegisterBenchmark("BM_Paired_Warm", BM_Paired_Warm)->Apply(recursion_args);
            benchmark::RegisterBenchmark("BM_Paired_HotClock", BM_Paired_HotClock)
                ->Apply([](benchmark::internal::Benchmark *b) {
                    hot_positions(b, 128);
                    hot_positions(b, 1024);
                })
                ->UseManualTime()->Unit(benchmark::kMicrosecond);
        }
        benchmark::RegisterBenchmark("BM_OverflowAtLimit", BM_OverflowAtLimit)
            ->Iterations(1)->Repetitions(3)->UseManualTime()->Unit(benchmark::kMillisecond);
    }
    // In every mode: fixed mode is the reference of this one (issue 10).
    benchmark::RegisterBenchmark("BM_HotSplitClock", BM_HotSplitClock)->Apply(hot_args);
    benchmark::AddCustomContext("growstack_mode", gs_mode_name(current_mode()));
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
