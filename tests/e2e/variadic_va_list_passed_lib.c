/* variadic_va_list_passed_lib.c - a user-defined vprintf in another object
 * (docs/protocol.md 7.1): to the callers' escape analysis a function that may
 * keep anything it is given. It reads one variadic argument per recursion
 * level, each level a VP_FRAME-byte frame deeper, so the stack grows (moves,
 * in contiguous mode) between two reads of the va_list. */
#include <stdio.h>
#include <string.h>

#include "variadic_va_list_passed.h"

struct vp_out {
    char *buf;
    size_t len, pos;
};

static void vp_put(struct vp_out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, o->pos++)
        if (o->pos + 1 < o->len)
            o->buf[o->pos] = s[i];
    if (o->len)
        o->buf[o->pos < o->len ? o->pos : o->len - 1] = 0;
}

/* The literal text up to the next conversion, then that conversion (reading
 * one argument through *app), then the rest one level deeper. */
__attribute__((noinline)) static int vp_step(struct vp_out *o, const char *f, va_list *app,
                                             int level)
{
    volatile char pad[VP_FRAME];
    pad[level % VP_FRAME] = (char)level;
    const char *pct = strchr(f, '%');
    if (!pct) {
        vp_put(o, f, strlen(f));
        return 0;
    }
    vp_put(o, f, (size_t)(pct - f));
    f = pct + 1;
    char tmp[64];
    int n;
    if (*f == 'd') {
        n = snprintf(tmp, sizeof tmp, "%d", va_arg(*app, int));
        f += 1;
    } else if (f[0] == 'l' && f[1] == 'd') {
        n = snprintf(tmp, sizeof tmp, "%ld", va_arg(*app, long));
        f += 2;
    } else if (*f == 'c') {
        tmp[0] = (char)va_arg(*app, int);
        n = 1;
        f += 1;
    } else if (*f == 's') {
        const char *s = va_arg(*app, const char *);
        vp_put(o, s, strlen(s));
        n = 0;
        f += 1;
    } else if (f[0] == '.' && f[1] >= '0' && f[1] <= '9' && f[2] == 'f') {
        n = snprintf(tmp, sizeof tmp, "%.*f", f[1] - '0', va_arg(*app, double));
        f += 3;
    } else if (*f == '%') {
        tmp[0] = '%';
        n = 1;
        f += 1;
    } else {
        return -1;
    }
    vp_put(o, tmp, (size_t)n);
    int r = vp_step(o, f, app, level + 1);
    return r < 0 ? r : r + (pad[level % VP_FRAME] == (char)level ? 0 : -1000);
}

int vp_vformat_ptr(char *buf, size_t len, const char *f, va_list *app)
{
    struct vp_out o = {buf, len, 0};
    if (len)
        buf[0] = 0;
    int r = vp_step(&o, f, app, 0);
    return r < 0 ? r : (int)o.pos;
}

/* Called through a pointer the compiler cannot see through: to vp_vformat's
 * escape analysis an unknown callee (a direct call of a function of this file
 * would be proven not to keep its argument). */
static int (*volatile vp_via)(char *, size_t, const char *, va_list *) = vp_vformat_ptr;

int vp_vformat(char *buf, size_t len, const char *f, va_list ap)
{
    /* A va_list copied in a function that is not variadic, passed on by
     * address to an unknown callee: it stays in this frame, on the moving
     * stack. (Taken for an escaping local, it went to the side stack, where
     * its pointers into the moving stack read poison after a move.) */
    va_list aq;
    va_copy(aq, ap);
    int n = vp_via(buf, len, f, &aq);
    va_end(aq);
    return n;
}
