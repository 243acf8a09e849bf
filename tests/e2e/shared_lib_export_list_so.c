/* shared_lib_export_list_so.c - the library of the shared_lib_export_list test
 * (see shared_lib_export_list.c). Built twice: with the version script
 * shared_lib_export_list.map (exports xl_* only) and with -fvisibility=hidden
 * plus XL_API on the exported functions. */
#include "shared_lib_export_list.h"

/* Not exported at all: an ordinary internal call. */
__attribute__((noinline)) static uintptr_t xl_leaf(volatile char *pad)
{
    return (uintptr_t)pad;
}

__attribute__((noinline)) uintptr_t xl_descend(long depth)
{
    volatile char pad[96];
    pad[depth % 96] = (char)depth;
    uintptr_t r = depth == 0 ? xl_leaf(pad) : xl_step(depth - 1);
    return pad[depth % 96] == (char)depth ? r : 0; /* 0: a corrupted frame */
}

__attribute__((noinline)) uintptr_t xl_step(long depth)
{
    volatile char pad[64];
    pad[depth % 64] = (char)depth;
    uintptr_t r = depth == 0 ? xl_leaf(pad) : xl_descend(depth - 1);
    return pad[depth % 64] == (char)depth ? r : 0;
}
