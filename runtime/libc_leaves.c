/* libc_leaves.c - see libc_leaves.h. */
#include "libc_leaves.h"

#include <gnu/libc-version.h>
#include <link.h>
#include <string.h>

#include "gs_libc_leaves.h"

/* Hidden: read by the assembly of the same executable only. */
__attribute__((visibility("hidden"))) uintptr_t gs_libc_leaves_text_lo, gs_libc_leaves_text_hi;

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

/* A Valgrind tool that replaces malloc & co. (memcheck, helgrind, drd,
 * massif, dhat) does so by redirecting libc's own addresses to the functions
 * of its vgpreload_<tool>.so: the GOT still holds an address in libc's text,
 * and the replacement's stack use is not ours to measure. The same tools
 * track the state of memory (memcheck: which stack bytes are defined).
 * vgpreload_core.so, loaded for every tool, replaces none of them: under
 * callgrind, cachegrind or none libc's own functions run, as in a run without
 * Valgrind (and their instruction counts are a real run's). */
static int vg_tool_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const char *vg = info->dlpi_name ? strstr(info->dlpi_name, "/vgpreload_") : NULL;
    if (vg && strncmp(vg, "/vgpreload_core-", 16) != 0)
        *(int *)data = 1;
    return 0;
}

int gs_libc_leaves_valgrind_tool(void)
{
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        v = 0;
        dl_iterate_phdr(vg_tool_object, &v);
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}

struct scan {
    uintptr_t lo, hi; /* libc.so.6's executable text */
};

static int scan_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct scan *sc = data;
    if (!info->dlpi_name || !ends_with(info->dlpi_name, "/libc.so.6"))
        return 0;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        uintptr_t a = info->dlpi_addr + ph->p_vaddr;
        if (a < lo)
            lo = a;
        if (a + ph->p_memsz > hi)
            hi = a + ph->p_memsz;
    }
    if (lo < hi) {
        sc->lo = lo;
        sc->hi = hi;
    }
    return 1;
}

void gs_libc_leaves_init(void)
{
    static int done;
    if (__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL))
        return;
    if (strcmp(gnu_get_libc_version(), GS_LIBC_LEAVES_VERSION) != 0)
        return;
    if (gs_libc_leaves_valgrind_tool())
        return;
    struct scan sc = {0, 0};
    dl_iterate_phdr(scan_object, &sc);
    if (sc.lo >= sc.hi)
        return;
    gs_libc_leaves_text_lo = sc.lo;
    gs_libc_leaves_text_hi = sc.hi;
}
