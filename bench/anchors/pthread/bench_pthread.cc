// bench_pthread.cc - anchor: plain threads and glibc contexts (clang-19 -O2).
//
// What a C programmer uses today without any coroutine library: a thread with a stack big
// enough for the deepest recursion (the plain-C floor of DeepRecursion), pthread_create +
// join (spawn), an idle thread per connection (memory), a kernel context switch between two
// threads, and ucontext's swapcontext.
#include "anchor_util.h"
#include "workloads.h"

#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <gnu/libc-version.h>

#include <atomic>
#include <climits>
#include <string>

namespace {

using namespace anchors;

bool g_quick = false;

uint64_t thread_minor_faults()
{
    rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return uint64_t(ru.ru_minflt);
}

// ---- DeepRecursion on a plain thread stack ---------------------------------------------

struct RecJob {
    unsigned frame;
    uint64_t depth;
    bool warm;
    uint64_t ns = 0, sum = 0, faults = 0;
};

void *rec_thread(void *arg)
{
    auto *j = static_cast<RecJob *>(arg);
    if (j->warm)
        j->sum = clang_recurse(j->frame, j->depth);
    uint64_t f0 = thread_minor_faults(), t0 = now_ns();
    uint64_t sum = clang_recurse(j->frame, j->depth);
    uint64_t t1 = now_ns();
    j->faults = thread_minor_faults() - f0;
    j->ns = t1 - t0;
    j->sum = (j->warm && sum != j->sum) ? 0 : sum;
    return nullptr;
}

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

// DeepRecursion floor: ns per frame of the same recursion on a thread whose stack is a
// fresh mapping big enough for all of it. Cold = first run (every page first-touched),
// Warm = second run on the same thread.
void deep_recursion(benchmark::State &state, bool warm)
{
    const uint64_t depth = uint64_t(state.range(0));
    const unsigned frame = unsigned(state.range(1));
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    const size_t len = (depth * frame + (1u << 20) + page - 1) / page * page;
    reset_peak_rss();
    const uint64_t rss0 = rss_bytes();
    uint64_t total_ns = 0, faults = 0, touched = 0;
    std::vector<double> per_frame;
    for (auto _ : state) {
        void *stack = mmap(nullptr, len, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED) {
            state.SkipWithError("mmap of the thread stack failed");
            return;
        }
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstack(&attr, stack, len);
        RecJob j{frame, depth, warm};
        pthread_t t;
        int rc = pthread_create(&t, &attr, rec_thread, &j);
        pthread_attr_destroy(&attr);
        if (rc == 0)
            pthread_join(t, nullptr);
        touched = resident_bytes(stack, len);
        munmap(stack, len);
        if (rc != 0 || j.sum != anchor_recursion_checksum(depth)) {
            state.SkipWithError(rc ? "pthread_create failed" : "wrong checksum");
            return;
        }
        state.SetIterationTime(double(j.ns) * 1e-9);
        total_ns += j.ns;
        per_frame.push_back(double(j.ns) / double(depth));
        faults += j.faults;
    }
    const double iters = double(state.iterations());
    state.SetItemsProcessed(int64_t(depth) * state.iterations());
    state.counters["ns_per_frame"] = double(total_ns) / (iters * double(depth));
    state.counters["ns_per_frame_median"] = median(per_frame);
    state.counters["depth"] = double(depth);
    state.counters["frame"] = double(frame);
    state.counters["peak_rss"] = double(peak_rss_bytes());
    state.counters["peak_rss_delta"] = double(peak_rss_bytes()) - double(rss0);
    state.counters["minor_faults_per_iter"] = double(faults) / iters;
    state.counters["stack_touched_bytes"] = double(touched);
    if (depth >= 10000)
        state.counters["frame_bytes"] = double(touched) / double(depth);
}

// ---- Spawn ---------------------------------------------------------------------------

void *trivial(void *arg) { return arg; }

// Spawn: what does pthread_create + pthread_join of a trivial thread cost (default
// attributes, so glibc's stack cache is in play as in any real program)?
void BM_Spawn_Pthread(benchmark::State &state)
{
    uint64_t t0 = now_ns();
    for (auto _ : state) {
        pthread_t t;
        if (pthread_create(&t, nullptr, trivial, nullptr) != 0) {
            state.SkipWithError("pthread_create failed");
            return;
        }
        pthread_join(t, nullptr);
    }
    state.counters["ns_per_spawn"] = double(now_ns() - t0) / double(state.iterations());
}

// ---- IdleMemory ----------------------------------------------------------------------

std::atomic<long> g_parked{0};
std::atomic<int> g_release{0};

void *park(void *)
{
    g_parked.fetch_add(1);
    while (!g_release.load())
        pause(); // blocked in the kernel until the process exits
    return nullptr;
}

// How many threads may this machine hold without starving other users of pids or maps?
// Returns the binding limit and its name.
long thread_limit(std::string *why)
{
    long pid_max = sysctl_long("/proc/sys/kernel/pid_max");
    long threads_max = sysctl_long("/proc/sys/kernel/threads-max");
    long maps = sysctl_long("/proc/sys/vm/max_map_count");
    rlimit nproc;
    getrlimit(RLIMIT_NPROC, &nproc);
    long in_use = 0;
    {
        // /proc/loadavg: "... running/total lastpid": total = tasks on the system now
        std::string s = read_file("/proc/loadavg");
        size_t slash = s.find('/');
        if (slash != std::string::npos)
            in_use = strtol(s.c_str() + slash + 1, nullptr, 10);
    }
    struct L {
        long n;
        std::string what;
    } limits[] = {
        {pid_max - in_use, "kernel.pid_max=" + std::to_string(pid_max) + " with " +
                               std::to_string(in_use) + " tasks already running"},
        {threads_max - in_use, "kernel.threads-max=" + std::to_string(threads_max)},
        {maps / 2, "vm.max_map_count=" + std::to_string(maps) +
                       " (a default thread stack takes 2 maps: stack + guard page)"},
        {nproc.rlim_cur == RLIM_INFINITY ? LONG_MAX : long(nproc.rlim_cur),
         "RLIMIT_NPROC=" + std::to_string(nproc.rlim_cur)},
    };
    L best = limits[0];
    for (const L &l : limits)
        if (l.n < best.n)
            best = l;
    *why = best.what;
    return best.n;
}

// IdleMemory: resident bytes per idle thread (default 8 MiB stack reservation, counted
// only as touched pages), plus the kernel stack each thread pins outside RSS.
void BM_IdleMemory_Pthread(benchmark::State &state)
{
    const long n = long(state.range(0));
    std::string why;
    const long limit = thread_limit(&why);
    // Keep a margin so that other users of this machine can still fork.
    if (n > limit - 4096) {
        std::string msg = std::to_string(n) + " threads are not feasible here: " + why +
                          " allows about " + std::to_string(limit) +
                          " more; not attempted (it would exhaust the machine's pids)";
        state.SkipWithError(msg.c_str());
        return;
    }
    for (auto _ : state) {
        IdleResult r = run_in_child([n](IdleResult *out) {
            const uint64_t rss0 = rss_bytes(), ks0 = meminfo_bytes("KernelStack"),
                           pt0 = meminfo_bytes("PageTables");
            const uint64_t t0 = now_ns();
            long made = 0;
            for (; made < n; made++) {
                pthread_t t;
                int rc = pthread_create(&t, nullptr, park, nullptr);
                if (rc != 0) {
                    snprintf(out->error, sizeof out->error,
                             "pthread_create failed after %ld threads: %s", made, strerror(rc));
                    return;
                }
            }
            const uint64_t t1 = now_ns();
            while (g_parked.load() < made)
                usleep(1000);
            usleep(20000);
            out->created = double(made);
            out->create_ns = double(t1 - t0);
            out->rss_delta = double(rss_bytes() - rss0);
            out->kernel_stack = double(meminfo_bytes("KernelStack")) - double(ks0);
            out->page_tables = double(meminfo_bytes("PageTables")) - double(pt0);
        });
        report_idle(state, r, double(n));
    }
}

// ---- Switch --------------------------------------------------------------------------

ucontext_t g_main_uc, g_co_uc;

void uc_pong()
{
    for (;;)
        swapcontext(&g_co_uc, &g_main_uc);
}

// Switch_Ucontext: what does a one-way swapcontext cost (it saves and restores the signal
// mask: one rt_sigprocmask system call per switch)?
void BM_Switch_Ucontext(benchmark::State &state)
{
    static char stack[64 * 1024];
    getcontext(&g_co_uc);
    g_co_uc.uc_stack.ss_sp = stack;
    g_co_uc.uc_stack.ss_size = sizeof stack;
    g_co_uc.uc_link = nullptr;
    makecontext(&g_co_uc, uc_pong, 0);
    swapcontext(&g_main_uc, &g_co_uc); // first entry, outside the timing
    uint64_t t0 = now_ns();
    for (auto _ : state)
        swapcontext(&g_main_uc, &g_co_uc);
    uint64_t t1 = now_ns();
    state.SetItemsProcessed(2 * state.iterations());
    state.counters["ns_per_switch"] = double(t1 - t0) / (2.0 * double(state.iterations()));
}

struct PingPong {
    sem_t ping, pong;
    std::atomic<bool> stop{false};
    bool pinned;
};

void pin_to_cpu0()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void *thread_pong(void *arg)
{
    auto *p = static_cast<PingPong *>(arg);
    if (p->pinned)
        pin_to_cpu0();
    for (;;) {
        sem_wait(&p->ping);
        if (p->stop.load())
            return nullptr;
        sem_post(&p->pong);
    }
}

// Switch_Thread: what does handing control to another thread cost, one way (semaphore
// ping-pong; arg 1 = both threads pinned to one CPU, a true kernel context switch; arg 0 =
// unpinned, so mostly a cross-CPU wake-up)?
void BM_Switch_Thread(benchmark::State &state)
{
    PingPong p;
    p.pinned = state.range(0) != 0;
    sem_init(&p.ping, 0, 0);
    sem_init(&p.pong, 0, 0);
    cpu_set_t saved;
    pthread_getaffinity_np(pthread_self(), sizeof saved, &saved);
    if (p.pinned)
        pin_to_cpu0();
    pthread_t t;
    pthread_create(&t, nullptr, thread_pong, &p);
    sem_post(&p.ping); // warm-up round trip
    sem_wait(&p.pong);
    uint64_t t0 = now_ns();
    for (auto _ : state) {
        sem_post(&p.ping);
        sem_wait(&p.pong);
    }
    uint64_t t1 = now_ns();
    p.stop.store(true);
    sem_post(&p.ping);
    pthread_join(t, nullptr);
    pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
    sem_destroy(&p.ping);
    sem_destroy(&p.pong);
    state.SetItemsProcessed(2 * state.iterations());
    state.counters["ns_per_switch"] = double(t1 - t0) / (2.0 * double(state.iterations()));
}

// ---- What this machine charges for the two things the anchors lean on ----------------

// MachineCost_PageFault: what does the first touch of one fresh anonymous page cost here
// (mmap, write one byte per page, munmap)? Cold recursion pays this once per 4 KiB.
void BM_MachineCost_PageFault(benchmark::State &state)
{
    const size_t page = size_t(sysconf(_SC_PAGESIZE)), pages = size_t(state.range(0));
    uint64_t total = 0;
    for (auto _ : state) {
        char *p = static_cast<char *>(mmap(nullptr, pages * page, PROT_READ | PROT_WRITE,
                                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        if (p == MAP_FAILED) {
            state.SkipWithError("mmap failed");
            return;
        }
        uint64_t t0 = now_ns();
        for (size_t i = 0; i < pages; i++)
            static_cast<volatile char *>(p)[i * page] = 1;
        uint64_t t1 = now_ns();
        munmap(p, pages * page);
        state.SetIterationTime(double(t1 - t0) * 1e-9);
        total += t1 - t0;
    }
    state.counters["ns_per_page"] = double(total) / (double(state.iterations()) * double(pages));
}

// MachineCost_Syscall: what does the cheapest system call cost here (getppid)? libgcc's
// signal blocking and swapcontext pay a sigprocmask per split or switch.
void BM_MachineCost_Syscall(benchmark::State &state)
{
    uint64_t t0 = now_ns();
    for (auto _ : state)
        benchmark::DoNotOptimize(syscall(SYS_getppid));
    state.counters["ns_per_syscall"] = double(now_ns() - t0) / double(state.iterations());
}

void register_all()
{
    // DeepRecursion_Cold / _Warm: the plain-C floor (clang-19, no checks, stack preallocated).
    for (bool warm : {false, true})
        for (DepthFrame g : recursion_grid(g_quick))
            benchmark::RegisterBenchmark(warm ? "BM_DeepRecursion_Warm" : "BM_DeepRecursion_Cold",
                                         [warm](benchmark::State &s) { deep_recursion(s, warm); })
                ->Args({int64_t(g.depth), int64_t(g.frame)})
                ->Iterations(iterations_for(g.depth, g.frame, g_quick))
                ->UseManualTime();
    benchmark::RegisterBenchmark("BM_Spawn_Pthread", BM_Spawn_Pthread);
    for (int64_t n : {10000, 100000})
        benchmark::RegisterBenchmark("BM_IdleMemory_Pthread", BM_IdleMemory_Pthread)
            ->Arg(n)
            ->Iterations(1)
            ->Repetitions(1) // bytes per context are deterministic: once is enough
            ->UseManualTime();
    benchmark::RegisterBenchmark("BM_Switch_Ucontext", BM_Switch_Ucontext);
    benchmark::RegisterBenchmark("BM_Switch_Thread", BM_Switch_Thread)->Arg(0)->Arg(1);
    benchmark::RegisterBenchmark("BM_MachineCost_PageFault", BM_MachineCost_PageFault)
        ->Arg(16384)
        ->Iterations(g_quick ? 5 : 20)
        ->UseManualTime();
    benchmark::RegisterBenchmark("BM_MachineCost_Syscall", BM_MachineCost_Syscall);
}

} // namespace

int main(int argc, char **argv)
{
    g_quick = take_flag(&argc, argv, "--anchors_quick");
    add_common_context("pthread", "clang-19 -O2, glibc " + std::string(gnu_get_libc_version()));
    benchmark::AddCustomContext("anchors_mode", g_quick ? "quick" : "full");
    benchmark::AddCustomContext("default_thread_stack_bytes", [] {
        pthread_attr_t a;
        size_t sz = 0;
        pthread_attr_init(&a);
        pthread_attr_getstacksize(&a, &sz);
        pthread_attr_destroy(&a);
        return std::to_string(sz);
    }());
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
