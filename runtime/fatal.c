/* fatal.c - the fatal path and a small, stack-frugal formatter (see fatal.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fatal.h"
#include "gs_arch.h"

struct out {
    char *buf;
    size_t len, pos;
};

static void put(struct out *o, char c)
{
    if (o->pos + 1 < o->len)
        o->buf[o->pos] = c;
    o->pos++;
}

static void put_str(struct out *o, const char *s)
{
    if (!s)
        s = "(null)";
    while (*s)
        put(o, *s++);
}

static void put_uint(struct out *o, unsigned long long v, unsigned base)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n)
        put(o, tmp[--n]);
}

static void put_int(struct out *o, long long v)
{
    if (v < 0) {
        put(o, '-');
        put_uint(o, 0ULL - (unsigned long long)v, 10);
    } else {
        put_uint(o, (unsigned long long)v, 10);
    }
}

size_t gs_vformat(char *buf, size_t len, const char *fmt, va_list ap)
{
    struct out o = {buf, len, 0};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        int lcount = 0, z = 0;
        while (*p == 'l') {
            lcount++;
            p++;
        }
        if (*p == 'z') {
            z = 1;
            p++;
        }
        switch (*p) {
        case 's': put_str(&o, va_arg(ap, const char *)); break;
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case 'd':
            if (lcount || z)
                put_int(&o, va_arg(ap, long long));
            else
                put_int(&o, va_arg(ap, int));
            break;
        case 'u':
        case 'x':
            if (lcount || z)
                put_uint(&o, va_arg(ap, unsigned long long), *p == 'x' ? 16 : 10);
            else
                put_uint(&o, va_arg(ap, unsigned), *p == 'x' ? 16 : 10);
            break;
        case 'p':
            put_str(&o, "0x");
            put_uint(&o, (uintptr_t)va_arg(ap, void *), 16);
            break;
        case '%': put(&o, '%'); break;
        case '\0': p--; break;
        default: put(&o, '%'); put(&o, *p); break;
        }
    }
    if (len)
        buf[o.pos < len ? o.pos : len - 1] = '\0';
    return o.pos < len ? o.pos : (len ? len - 1 : 0);
}

size_t gs_format(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = gs_vformat(buf, len, fmt, ap);
    va_end(ap);
    return n;
}

void gs_write_stderr(const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(2, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void emit(const char *fmt, va_list ap)
{
    char line[512];
    memcpy(line, "growstack: ", 11);
    size_t n = 11 + gs_vformat(line + 11, sizeof line - 12, fmt, ap);
    line[n++] = '\n';
    gs_write_stderr(line, n);
}

void gs_fatal(const char *fmt, ...)
{
    /* Whatever runs after this point (abort's signal, a debugger) must not take
     * the split-stack path again. */
    gs_arch_set_guard(0);
    va_list ap;
    va_start(ap, fmt);
    emit(fmt, ap);
    va_end(ap);
    abort();
}

static void (*report_hook)(void);

void gs_fatal_set_report_hook(void (*hook)(void))
{
    __atomic_store_n(&report_hook, hook, __ATOMIC_RELEASE);
}

void gs_fatal_report(const char *fmt, ...)
{
    gs_arch_set_guard(0);
    va_list ap;
    va_start(ap, fmt);
    emit(fmt, ap);
    va_end(ap);
    void (*hook)(void) = __atomic_load_n(&report_hook, __ATOMIC_ACQUIRE);
    if (hook)
        hook();
    abort();
}

void gs_die(int status, const char *fmt, ...)
{
    gs_arch_set_guard(0);
    va_list ap;
    va_start(ap, fmt);
    emit(fmt, ap);
    va_end(ap);
    exit(status);
}
