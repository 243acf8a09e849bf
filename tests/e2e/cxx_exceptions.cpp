// cxx_exceptions.cpp - C++ exceptions and coroutines (docs/usage.md section 5).
//
// An exception that stays inside uninstrumented code (thrown and caught
// there, below the system-stack trampoline) works at every depth. One that
// would unwind out of an external call into a coroutine's stack is fatal with
// a message naming the callee and the coroutine (the trampoline's personality,
// runtime/coro.h gs_coro_tramp_personality), in every mode:
//   cxx_exceptions below     exits 0 ("below: 54 calls")
//   cxx_exceptions throw     instrumented code throws: fatal, inside __cxa_throw
//   cxx_exceptions library   plain_throw's exception would leave it: fatal
#include <growstack.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern "C" int plain_throw_and_catch(int n);
extern "C" int plain_throw(int n);

static long calls;

// (e2e.h is C.) A failed check: message, status 1.
#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            std::fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);   \
            std::exit(1);                                                             \
        }                                                                             \
    } while (0)

// The call at depth d (0..47, then a few deep ones, as e2e.h's e2e_at_depths):
// the stack grows, moves or chains on the way in every mode.
__attribute__((noinline)) static long descend(int d)
{
    volatile char pad[40];
    pad[d & 7] = static_cast<char>(d);
    if (d <= 0) {
        long n = calls++;
        CHECK(plain_throw_and_catch(static_cast<int>(n)) == n + 1);
        return 1;
    }
    long r = descend(d - 1);
    return r + (pad[d & 7] == static_cast<char>(d) ? 0 : 1000000);
}

static void *run(void *arg)
{
    const char *what = static_cast<const char *>(arg);
    if (std::strcmp(what, "below") == 0) {
        static const int deep[] = {64, 100, 257, 513, 1000, 3000};
        for (int d = 0; d < 48; d++)
            CHECK(descend(d) == 1);
        for (int d : deep)
            CHECK(descend(d) == 1);
        return nullptr;
    }
    try {
        if (std::strcmp(what, "throw") == 0)
            throw std::runtime_error("from a coroutine");
        plain_throw(1);
    } catch (const std::exception &e) {
        std::printf("caught %s: not reached\n", e.what());
    }
    return nullptr;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    gs_handle h = gs_spawn(run, argv[1]);
    CHECK(gs_join(h, nullptr) == 0);
    CHECK(calls == 54);
    std::printf("below: %ld calls\n", calls);
    return 0;
}
