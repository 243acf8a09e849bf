/* zlib_on_coroutine - a gscc-built program using a gscc-built libz.so (built by
 * zlib's own configure, whose zlib.map exports only zlib's API, hiding the
 * __gs_x aliases). zlib calls the program's allocator (z_stream.zalloc) from
 * inside deflate and inflate: the allocator checks that it runs on the
 * coroutine's stack, not the thread's own (which is where it would run if the
 * program's calls into zlib took the system-stack trampoline). Also checks a
 * round trip of 1 MiB. Built and run by shlib_export_lists.sh. */
#define _GNU_SOURCE 1
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uintptr_t sys_lo, sys_hi;
static int allocs, on_thread_stack;

static void *my_alloc(void *opaque, unsigned items, unsigned size)
{
    (void)opaque;
    volatile char here;
    uintptr_t a = (uintptr_t)&here;
    allocs++;
    if (a >= sys_lo && a < sys_hi)
        on_thread_stack++;
    return calloc(items, size);
}

static void my_free(void *opaque, void *p)
{
    (void)opaque;
    free(p);
}

int main(void)
{
    pthread_attr_t at;
    void *lo;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &at) || pthread_attr_getstack(&at, &lo, &size))
        return 2;
    sys_lo = (uintptr_t)lo;
    sys_hi = sys_lo + size;

    size_t n = 1 << 20;
    unsigned char *in = malloc(n), *out = malloc(n), *back = malloc(n);
    for (size_t i = 0; i < n; i++)
        in[i] = (unsigned char)((i * 131) ^ (i >> 7));
    z_stream z;
    memset(&z, 0, sizeof z);
    z.zalloc = my_alloc;
    z.zfree = my_free;
    if (deflateInit(&z, 9) != Z_OK)
        return 3;
    z.next_in = in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)n;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        return 4;
    size_t clen = n - z.avail_out;
    deflateEnd(&z);
    memset(&z, 0, sizeof z);
    z.zalloc = my_alloc;
    z.zfree = my_free;
    if (inflateInit(&z) != Z_OK)
        return 5;
    z.next_in = out;
    z.avail_in = (uInt)clen;
    z.next_out = back;
    z.avail_out = (uInt)n;
    if (inflate(&z, Z_FINISH) != Z_STREAM_END || z.avail_out != 0)
        return 6;
    inflateEnd(&z);
    int same = memcmp(in, back, n) == 0;
    printf("zlib_on_coroutine: %zu -> %zu bytes, round trip %s, %d allocations from zlib, "
           "%d on the thread's own stack\n",
           n, clen, same ? "ok" : "WRONG", allocs, on_thread_stack);
    return same && allocs > 0 && on_thread_stack == 0 ? 0 : 1;
}
