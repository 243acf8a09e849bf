/* e2e_side.h - the running owner's side-stack state, as the side-stack tests
 * read it: the thread-local __gs_side, whose layout protocol.md 7.2 fixes
 * (sp, lim, jb). */
#ifndef E2E_SIDE_H
#define E2E_SIDE_H

struct side_state {
    char *sp;
    char *lim;
    void *jb;
};
extern __thread struct side_state __gs_side __attribute__((tls_model("initial-exec")));

#endif
