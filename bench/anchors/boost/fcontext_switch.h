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

// What does one jump_fcontext cost (ping-pong between two contexts, two jumps
// per iteration)? Counter ns_per_switch, from our own clock.
inline void time_fcontext_switches(benchmark::State &state)
{
    namespace fc = boost::context::detail;
    std::unique_ptr<char[]> stack(new char[64 * 1024]);
    fc::fcontext_t peer = fc::make_fcontext(stack.get() + 64 * 1024, 64 * 1024, fcontext_pong);
    peer = fc::jump_fcontext(peer, nullptr).fctx; // enter once, outside the timing
    uint64_t t0 = now_ns();
    for (auto _ : state)
        peer = fc::jump_fcontext(peer, nullptr).fctx;
    uint64_t t1 = now_ns();
    state.SetItemsProcessed(2 * state.iterations());
    state.counters["ns_per_switch"] = double(t1 - t0) / (2.0 * double(state.iterations()));
    // The peer context is abandoned on its stack, which is freed: it is never resumed.
}

} // namespace anchors

#endif
