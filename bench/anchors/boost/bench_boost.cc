// bench_boost.cc - anchor: Boost.Context (fcontext_t and fiber), Boost 1.74 from Debian.
//
// fcontext is the bare register switch every C++ coroutine library of this kind builds on
// (jump_fcontext: save callee-saved registers, swap stack pointers, jump); fiber is its
// public C++ face with a stack allocator. Boost's stacks are fixed: nothing grows.
#include "anchor_util.h"
#include "fcontext_switch.h"

#include <boost/context/detail/fcontext.hpp>
#include <boost/context/fiber.hpp>
#include <boost/context/fixedsize_stack.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <boost/version.hpp>

#include <memory>
#include <string>
#include <vector>

namespace ctx = boost::context;
namespace fc = boost::context::detail;

namespace {

using namespace anchors;

bool g_quick = false;

// The "small fixed stack" of the report: the smallest page multiple above Boost's own
// stack_traits::minimum_size() (13504 bytes on this glibc).
constexpr size_t kSmallStack = 16 * 1024;

// ---- Switch --------------------------------------------------------------------------

// Switch_BoostFcontext: what does one jump_fcontext cost (ping-pong between two contexts,
// two jumps per iteration)? The loop is fcontext_switch.h's, which gs_bench runs too.
void BM_Switch_BoostFcontext(benchmark::State &state) { time_fcontext_switches(state); }

// Switch_BoostFiber: and through the fiber API (resume() with move semantics)?
void BM_Switch_BoostFiber(benchmark::State &state)
{
    ctx::fiber peer{std::allocator_arg, ctx::fixedsize_stack(64 * 1024),
                    [](ctx::fiber &&main) {
                        for (;;)
                            main = std::move(main).resume();
                        return std::move(main);
                    }};
    peer = std::move(peer).resume();
    uint64_t t0 = now_ns();
    for (auto _ : state)
        peer = std::move(peer).resume();
    uint64_t t1 = now_ns();
    state.SetItemsProcessed(2 * state.iterations());
    state.counters["ns_per_switch"] = double(t1 - t0) / (2.0 * double(state.iterations()));
    // ~fiber unwinds the peer (forced_unwind) and frees its stack.
}

// ---- Spawn ---------------------------------------------------------------------------

void fc_trivial(fc::transfer_t t)
{
    fc::jump_fcontext(t.fctx, reinterpret_cast<void *>(1)); // "return": never resumed
}

// Spawn_BoostFcontext: what does making a context on an existing stack and running it to
// its end cost (no allocation: the floor for any stackful spawn)?
void BM_Spawn_BoostFcontext(benchmark::State &state)
{
    std::unique_ptr<char[]> stack(new char[64 * 1024]);
    uint64_t t0 = now_ns();
    for (auto _ : state) {
        fc::fcontext_t c = fc::make_fcontext(stack.get() + 64 * 1024, 64 * 1024, fc_trivial);
        benchmark::DoNotOptimize(fc::jump_fcontext(c, nullptr).data);
    }
    state.counters["ns_per_spawn"] = double(now_ns() - t0) / double(state.iterations());
}

template <class Alloc>
void spawn_fiber(benchmark::State &state, Alloc alloc)
{
    uint64_t t0 = now_ns();
    for (auto _ : state) {
        ctx::fiber f{std::allocator_arg, alloc, [](ctx::fiber &&main) { return std::move(main); }};
        f = std::move(f).resume(); // runs to its end; f is now empty, its stack freed
        benchmark::DoNotOptimize(f);
    }
    state.counters["ns_per_spawn"] = double(now_ns() - t0) / double(state.iterations());
}

// Spawn_BoostFiberDefault: create + run to end with Boost's default stack (fixedsize_stack,
// 128 KiB from malloc, which glibc serves with mmap/munmap at that size)?
void BM_Spawn_BoostFiberDefault(benchmark::State &state) { spawn_fiber(state, ctx::fixedsize_stack()); }
// Spawn_BoostFiberSmall: with a 16 KiB malloc'd stack (served from the heap)?
void BM_Spawn_BoostFiberSmall(benchmark::State &state) { spawn_fiber(state, ctx::fixedsize_stack(kSmallStack)); }
// Spawn_BoostFiberProtected: with protected_fixedsize_stack (mmap + guard page, 128 KiB)?
void BM_Spawn_BoostFiberProtected(benchmark::State &state) { spawn_fiber(state, ctx::protected_fixedsize_stack()); }
// Spawn_BoostFiberPooled: with pooled_fixedsize_stack (128 KiB stacks recycled by a pool)?
void BM_Spawn_BoostFiberPooled(benchmark::State &state)
{
    ctx::pooled_fixedsize_stack pool;
    spawn_fiber(state, pool);
}

// ---- IdleMemory ----------------------------------------------------------------------

template <class Alloc>
void idle_fibers(benchmark::State &state, Alloc alloc)
{
    const long n = long(state.range(0));
    for (auto _ : state) {
        IdleResult r = run_in_child([n, alloc](IdleResult *out) {
            // Never destroyed: the child exits with its fibers parked (no forced unwinding).
            auto &idle = *new std::vector<ctx::fiber>;
            idle.reserve(size_t(n));
            const uint64_t rss0 = rss_bytes(), pt0 = meminfo_bytes("PageTables");
            const uint64_t t0 = now_ns();
            try {
                for (long i = 0; i < n; i++) {
                    ctx::fiber f{std::allocator_arg, Alloc(alloc), [](ctx::fiber &&main) {
                                     main = std::move(main).resume(); // park: never resumed
                                     return std::move(main);
                                 }};
                    idle.push_back(std::move(f).resume());
                }
            } catch (const std::exception &e) {
                snprintf(out->error, sizeof out->error, "fiber creation failed after %zu: %s",
                         idle.size(), e.what());
                return;
            }
            const uint64_t t1 = now_ns();
            out->created = double(n);
            out->create_ns = double(t1 - t0);
            out->rss_delta = double(rss_bytes() - rss0);
            out->page_tables = double(meminfo_bytes("PageTables")) - double(pt0);
        });
        report_idle(state, r, double(n));
    }
}

// IdleMemory_BoostFiberDefault: resident bytes per parked fiber, default 128 KiB stacks?
void BM_IdleMemory_BoostFiberDefault(benchmark::State &state) { idle_fibers(state, ctx::fixedsize_stack()); }
// IdleMemory_BoostFiberSmall: and with 16 KiB stacks?
void BM_IdleMemory_BoostFiberSmall(benchmark::State &state) { idle_fibers(state, ctx::fixedsize_stack(kSmallStack)); }

} // namespace

int main(int argc, char **argv)
{
    g_quick = take_flag(&argc, argv, "--anchors_quick");
    add_common_context("boost-context", "clang-19 -O2, Boost " BOOST_LIB_VERSION);
    benchmark::AddCustomContext("anchors_mode", g_quick ? "quick" : "full");
    benchmark::AddCustomContext("boost_default_stack_bytes",
                                std::to_string(ctx::stack_traits::default_size()));
    benchmark::AddCustomContext("boost_small_stack_bytes", std::to_string(kSmallStack));
    benchmark::RegisterBenchmark("BM_Switch_BoostFcontext", BM_Switch_BoostFcontext);
    benchmark::RegisterBenchmark("BM_Switch_BoostFiber", BM_Switch_BoostFiber);
    benchmark::RegisterBenchmark("BM_Spawn_BoostFcontext", BM_Spawn_BoostFcontext);
    benchmark::RegisterBenchmark("BM_Spawn_BoostFiberDefault", BM_Spawn_BoostFiberDefault);
    benchmark::RegisterBenchmark("BM_Spawn_BoostFiberSmall", BM_Spawn_BoostFiberSmall);
    benchmark::RegisterBenchmark("BM_Spawn_BoostFiberProtected", BM_Spawn_BoostFiberProtected);
    benchmark::RegisterBenchmark("BM_Spawn_BoostFiberPooled", BM_Spawn_BoostFiberPooled);
    // 1M default-stack fibers take ~30 s here (one first-touched page each): full mode only.
    for (int64_t n : {int64_t(100000), int64_t(1000000)}) {
        if (g_quick && n > 100000)
            break;
        benchmark::RegisterBenchmark("BM_IdleMemory_BoostFiberDefault", BM_IdleMemory_BoostFiberDefault)
            ->Arg(n)
            ->Iterations(1)
            ->Repetitions(1) // bytes per context are deterministic: once is enough
            ->UseManualTime();
        benchmark::RegisterBenchmark("BM_IdleMemory_BoostFiberSmall", BM_IdleMemory_BoostFiberSmall)
            ->Arg(n)
            ->Iterations(1)
            ->Repetitions(1) // bytes per context are deterministic: once is enough
            ->UseManualTime();
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
