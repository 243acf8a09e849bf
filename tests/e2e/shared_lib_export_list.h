/* shared_lib_export_list.h - the interface of the libraries of the
 * shared_lib_export_list test (shared_lib_export_list_so.c), built by gscc once
 * with a version script and once with -fvisibility=hidden: either way the
 * library's __gs_x aliases are not exported. */
#ifndef SHARED_LIB_EXPORT_LIST_H
#define SHARED_LIB_EXPORT_LIST_H

#include <stdint.h>

#ifdef EXPORT_BY_VISIBILITY
#define XL_API __attribute__((visibility("default")))
#else
#define XL_API
#endif

/* Recurse `depth` frames (alternating between the two exported functions, so
 * calls between exported functions of the library are exercised too) and
 * return the address of a local of the deepest frame. */
XL_API uintptr_t xl_descend(long depth);
XL_API uintptr_t xl_step(long depth);

#endif
