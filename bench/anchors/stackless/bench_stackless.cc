// bench_stackless.cc - baseline: stackless tasks (hand-lowered async/await, stackless.c).
//
// The point of comparison for every stackful anchor: no stack at all, a task is the struct
// of its live locals, and a "switch" is a poll returning to the scheduler loop and the next
// poll starting.
#include "anchor_util.h"
#include "stackless.h"

#include <cstdlib>
#include <new>

namespace {

using namespace anchors;

bool g_quick = false;

// Switch_Stackless: what does poll -> yield -> poll of the next task cost? Two tasks
// yielding to each other through a FIFO run queue, 1000 rounds each per iteration.
void BM_Switch_Stackless(benchmark::State &state)
{
    const uint64_t rounds = 1000;
    sl_task a, b;
    uint64_t polls = 0;
    uint64_t t0 = now_ns();
    for (auto _ : state) {
        sl_queue q{nullptr, nullptr};
        sl_yielder_init(&a, rounds);
        sl_yielder_init(&b, rounds);
        sl_push(&q, &a);
        sl_push(&q, &b);
        polls += sl_run(&q, &q);
    }
    uint64_t t1 = now_ns();
    if (a.acc != rounds * (rounds - 1) / 2 || b.acc != a.acc) {
        state.SkipWithError("wrong checksum");
        return;
    }
    state.SetItemsProcessed(int64_t(polls));
    state.counters["ns_per_switch"] = double(t1 - t0) / double(polls);
    state.counters["task_bytes"] = double(sizeof(sl_task));
}

// Spawn_Stackless: what does allocating a task, polling it to completion and freeing it
// cost (the stackless equivalent of create + run-to-end)?
void BM_Spawn_Stackless(benchmark::State &state)
{
    uint64_t t0 = now_ns();
    for (auto _ : state) {
        auto *t = static_cast<sl_task *>(malloc(sizeof(sl_task)));
        benchmark::DoNotOptimize(t);
        sl_trivial_init(t);
        sl_poll_once(t, nullptr);
        free(t);
    }
    state.counters["ns_per_spawn"] = double(now_ns() - t0) / double(state.iterations());
}

// IdleMemory_Stackless: resident bytes per task suspended on an event (each task its own
// malloc'd frame, as a boxed future is).
void BM_IdleMemory_Stackless(benchmark::State &state)
{
    const long n = long(state.range(0));
    for (auto _ : state) {
        IdleResult r = run_in_child([n](IdleResult *out) {
            sl_event ev{nullptr};
            const uint64_t rss0 = rss_bytes(), pt0 = meminfo_bytes("PageTables");
            const uint64_t t0 = now_ns();
            for (long i = 0; i < n; i++) {
                auto *t = static_cast<sl_task *>(malloc(sizeof(sl_task)));
                if (!t) {
                    snprintf(out->error, sizeof out->error, "malloc failed after %ld tasks", i);
                    return;
                }
                sl_waiter_init(t);
                sl_poll_once(t, &ev); // runs to its await and parks on ev
            }
            const uint64_t t1 = now_ns();
            out->created = double(n);
            out->create_ns = double(t1 - t0);
            out->rss_delta = double(rss_bytes() - rss0);
            out->page_tables = double(meminfo_bytes("PageTables")) - double(pt0);
        });
        report_idle(state, r, double(n));
        state.counters["task_bytes"] = double(sizeof(sl_task));
    }
}

} // namespace

int main(int argc, char **argv)
{
    g_quick = take_flag(&argc, argv, "--anchors_quick");
    add_common_context("stackless", "clang-19 -O2 (hand-lowered state machines)");
    benchmark::AddCustomContext("anchors_mode", g_quick ? "quick" : "full");
    benchmark::RegisterBenchmark("BM_Switch_Stackless", BM_Switch_Stackless);
    benchmark::RegisterBenchmark("BM_Spawn_Stackless", BM_Spawn_Stackless);
    for (int64_t n : {100000, 1000000})
        benchmark::RegisterBenchmark("BM_IdleMemory_Stackless", BM_IdleMemory_Stackless)
            ->Arg(n)
            ->Iterations(1)
            ->Repetitions(1) // bytes per context are deterministic: once is enough
            ->UseManualTime();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
