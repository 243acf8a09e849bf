/* dlopen_side_lib - an instrumented shared library (gscc -shared) with side
 * frames, loaded with dlopen by tests/e2e/dlopen_side.c: it refers to the
 * executable's __gs_side (initial-exec TLS) and __gs_side_alloc, which the
 * executable must export (docs/protocol.md 4.1). */
int *volatile dlopen_side_sink;

__attribute__((visibility("default"))) long dlopen_side_escape(int depth)
{
    int x = depth;
    dlopen_side_sink = &x; /* escapes: a side frame */
    long r = depth == 0 ? 0 : dlopen_side_escape(depth - 1);
    return r + x; /* x kept its value while the stack moved around it */
}
