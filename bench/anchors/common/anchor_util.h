// anchor_util.h - measurement helpers shared by the C++ anchor harnesses.
//
// Header-only: the libgcc anchor compiles it with g++-12, the others with clang++-19.
// Conventions every anchor follows (docs/bench/anchors.md, "Reading the JSON"):
//   - the headline figure of a benchmark is a counter named ns_per_<unit> or
//     bytes_per_<unit>, computed from our own clock, never from GB's cpu_time;
//   - peak_rss is getrusage(RUSAGE_SELF).ru_maxrss in bytes after the peak was reset with
//     /proc/self/clear_refs ("5") when the benchmark was set up, so it belongs to that
//     benchmark and not to whichever ran before it;
//   - memory per idle context is measured in a forked child (run_in_child), so memory freed
//     by earlier benchmarks and still resident cannot hide the cost.
#ifndef ANCHORS_ANCHOR_UTIL_H
#define ANCHORS_ANCHOR_UTIL_H

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

namespace anchors {

inline uint64_t now_ns()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

inline std::string read_file(const char *path)
{
    std::string s;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return s;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        s.append(buf, size_t(n));
    close(fd);
    return s;
}

inline std::string trim(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

// Resident set size now (from /proc/self/statm: resident pages).
inline uint64_t rss_bytes()
{
    std::string s = read_file("/proc/self/statm");
    unsigned long size = 0, resident = 0;
    if (sscanf(s.c_str(), "%lu %lu", &size, &resident) != 2)
        return 0;
    return uint64_t(resident) * uint64_t(sysconf(_SC_PAGESIZE));
}

// Reset the process's RSS high-water mark (Linux >= 4.0). Returns false if not permitted.
inline bool reset_peak_rss()
{
    int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = write(fd, "5", 1) == 1;
    close(fd);
    return ok;
}

inline uint64_t peak_rss_bytes()
{
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return uint64_t(ru.ru_maxrss) * 1024u;
}

inline uint64_t minor_faults()
{
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return uint64_t(ru.ru_minflt);
}

// A field of /proc/meminfo in bytes (e.g. "KernelStack", "PageTables"); 0 if absent.
inline uint64_t meminfo_bytes(const char *key)
{
    std::string s = read_file("/proc/meminfo");
    std::string k = std::string(key) + ":";
    size_t at = s.find(k);
    if (at == std::string::npos)
        return 0;
    return uint64_t(strtoull(s.c_str() + at + k.size(), nullptr, 10)) * 1024u;
}

inline long sysctl_long(const char *path)
{
    std::string s = read_file(path);
    return s.empty() ? -1 : strtol(s.c_str(), nullptr, 10);
}

// Context entries every anchor records, so that a report can say what ran where.
inline void add_common_context(const std::string &anchor, const std::string &toolchain)
{
    benchmark::AddCustomContext("anchor", anchor);
    benchmark::AddCustomContext("anchor_toolchain", toolchain);
    utsname u;
    if (uname(&u) == 0)
        benchmark::AddCustomContext("kernel", std::string(u.sysname) + " " + u.release);
    benchmark::AddCustomContext(
        "transparent_hugepage",
        trim(read_file("/sys/kernel/mm/transparent_hugepage/enabled")));
    benchmark::AddCustomContext("page_size", std::to_string(sysconf(_SC_PAGESIZE)));
}

// Median of per-iteration values: the robust companion of the mean-based headline counter
// on a shared machine, where one preempted iteration can move a mean of five.
inline double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Iteration budget of DeepRecursion: per-iteration work grows with the stack it touches
// (depth x frame bytes), so the count shrinks with it; fixed counts keep each benchmark's
// wall time bounded on a shared machine (quick: ~16 MB of stack per benchmark, full:
// ~64 MB per repetition), with at least 3 iterations.
inline int64_t iterations_for(uint64_t depth, unsigned frame, bool quick)
{
    double budget = quick ? 16e6 : 64e6;
    int64_t lo = 3, hi = quick ? 300 : 1000;
    uint64_t bytes = depth * frame;
    int64_t n = int64_t(budget / double(bytes ? bytes : 1));
    return n < lo ? lo : n > hi ? hi : n;
}

// The depth x frame grid of DeepRecursion. Quick mode keeps 1e6 for the 128-byte frame
// only; 1e6 x 1024 B (about 1 GiB of stack) is never run.
struct DepthFrame {
    uint64_t depth;
    unsigned frame;
};
inline std::vector<DepthFrame> recursion_grid(bool quick)
{
    std::vector<DepthFrame> g;
    for (unsigned f : {32u, 128u, 1024u})
        for (uint64_t d : {1000ull, 10000ull, 100000ull, 1000000ull}) {
            if (d == 1000000 && f == 1024)
                continue;
            if (quick && d == 1000000 && f != 128)
                continue;
            g.push_back({d, f});
        }
    return g;
}

// Strip our own flags (--anchors_quick) before benchmark::Initialize sees argv.
inline bool take_flag(int *argc, char **argv, const char *flag)
{
    bool found = false;
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], flag) == 0)
            found = true;
        else
            argv[out++] = argv[i];
    }
    *argc = out;
    argv[out] = nullptr;
    return found;
}

// Result of a memory-per-idle-context measurement done in a child process.
struct IdleResult {
    double created;          // contexts actually created and idle at measurement time
    double create_ns;        // wall time to create them
    double rss_delta;        // RSS after - RSS before, bytes
    double kernel_stack;     // /proc/meminfo KernelStack after - before, bytes
    double page_tables;      // /proc/meminfo PageTables after - before, bytes
    double extra;            // anchor-specific (e.g. user-space bytes the allocator reports)
    char error[256];         // non-empty: the measurement could not be done
};

// Run fn(&result) in a forked child and return what it reported. The child exits without
// tearing its contexts down (the kernel reclaims them at once).
template <class Fn>
IdleResult run_in_child(Fn fn)
{
    IdleResult r;
    memset(&r, 0, sizeof r);
    int p[2];
    if (pipe(p) != 0) {
        snprintf(r.error, sizeof r.error, "pipe: %s", strerror(errno));
        return r;
    }
    fflush(nullptr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(r.error, sizeof r.error, "fork: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return r;
    }
    if (pid == 0) {
        close(p[0]);
        IdleResult c;
        memset(&c, 0, sizeof c);
        fn(&c);
        ssize_t w = write(p[1], &c, sizeof c);
        _exit(w == ssize_t(sizeof c) ? 0 : 1);
    }
    close(p[1]);
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t n = read(p[0], reinterpret_cast<char *>(&r) + got, sizeof r - got);
        if (n <= 0)
            break;
        got += size_t(n);
    }
    close(p[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != sizeof r) {
        memset(&r, 0, sizeof r);
        snprintf(r.error, sizeof r.error, "child died (status %#x) before reporting", status);
    }
    return r;
}

// Report an IdleResult on a benchmark state: one iteration, manual time = creation time.
inline void report_idle(benchmark::State &state, const IdleResult &r, double requested)
{
    if (r.error[0]) {
        state.SkipWithError(r.error);
        return;
    }
    state.SetIterationTime(r.create_ns * 1e-9);
    state.counters["contexts"] = r.created;
    state.counters["contexts_requested"] = requested;
    state.counters["bytes_per_context"] = r.rss_delta / r.created;
    state.counters["kernel_stack_bytes_per_context"] = r.kernel_stack / r.created;
    state.counters["page_table_bytes_per_context"] = r.page_tables / r.created;
    state.counters["ns_per_spawn"] = r.create_ns / r.created;
}

} // namespace anchors

#endif
