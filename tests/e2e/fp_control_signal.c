/* fp_control_signal - a signal handler's fesetround does not give the thread's
 * contexts FP control state of their own: the kernel runs the handler with a
 * state of its own and restores the interrupted one, so gs_fp_private(), which
 * gscc inserts before the call, does nothing there (docs/protocol.md 6.2). The
 * thread's contexts keep sharing one state afterwards: a change a coroutine
 * makes where gscc cannot see it (a naked function, which the plugin does not
 * scan) is its resumer's too. Then gs_fp_private() outside the handler makes
 * the states private. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <fenv.h>
#include <growstack.h>
#include <signal.h>

#include "e2e_fp.h"

static volatile int handler_round;

static void handler(int sig)
{
    (void)sig;
    fesetround(FE_UPWARD);
    handler_round = fegetround();
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    E2E_EQ_LONG(sigaction(SIGUSR1, &sa, NULL), 0);
    E2E_EQ_LONG(raise(SIGUSR1), 0);
    E2E_EQ_LONG(handler_round, FE_UPWARD);        /* the handler's own state */
    E2E_EQ_LONG(fegetround(), FE_TONEAREST);      /* not ours */
    E2E_EQ_LONG(after_unseen_change(), RC_DOWN);  /* still shared */
    gs_fp_private();
    E2E_EQ_LONG(after_unseen_change(), 0);        /* now private: round to nearest */
    return e2e_done("fp_control_signal");
}
