// fcontext_switch.h - the fcontext ping-pong of the switch goal, one source for
// both places that time it: anchor_boost's BM_Switch_BoostFcontext and gs_bench's
// BM_Switch_Fcontext (the same loop inside growstack's benchmark binary, its
// repetitions interleaved with BM_Switch's). Header-only; needs Boost.Context.
#ifndef ANCHORS_FCONTEXT_SWITCH_H
#define ANCHORS_FCONTEXT_SWITCH_H

#include "../common/anchor_util.h"

#include <boost/context/detail/fcontext.hpp>

#include <memory>

namespace anchors {

inline void fcontext_pong(boost::context::detail::transfer_t t)
{
    for (;;)
        t = boost::context::detail::jump_fcontext(t.fctx, nullptr);
}

// Two contexts ping-ponging by jump_fcontext: round(n) makes n round trips
// (2n jumps). The peer context is abandoned on its stack when this is
// destroyed: it is never resumed.
class FcontextPingPong {
public:
    FcontextPingPong()
        : stack_(new char[kSize]),
          peer_(boost::context::detail::make_fcontext(stack_.get() + kSize, kSize, fcontext_pong))
    {
        peer_ = boost::context::detail::jump_fcontext(peer_, nullptr).fctx; // enter once
    }
    void round() { peer_ = boost::context::detail::jump_fcontext(peer_, nullptr).fctx; }
    void rounds(long n)
    {
        for (long i = 0; i < n; i++)
            round();
    }

private:
    static constexpr size_t kSize = 64 * 1024;
    std::unique_ptr<char[]> stack_;
    boost::context::detail::fcontext_t peer_;
};

// What does one jump_fcontext cost (ping-pong between two contexts, two jumps
// per iteration)? Counter ns_per_switch, from our own clock.
inline void time_fcontext_switches(benchmark::State &state)
{
    FcontextPingPong pp;
    uint64_t t0 = now_ns();
    for (auto _ : state)
        pp.round();
    uint64_t t1 = now_ns();
    state.SetItemsProcessed(2 * state.iterations());
    state.counters["ns_per_switch"] = double(t1 - t0) / (2.0 * double(state.iterations()));
}

} // namespace anchors

#endif
