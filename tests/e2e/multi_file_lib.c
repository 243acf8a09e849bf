/* multi_file_lib.c - a member of libmulti_file_lib.a in the multi_file test. */
#include <stdlib.h>

#include "multi_file.h"

static int calls;

long multi_lib_pong(int depth, long acc)
{
    calls++;
    if (depth <= 0)
        return acc;
    /* A call back into the object file, then into the object again. */
    return multi_util_ping(depth - 1, multi_util_scale(acc) - 2 * acc);
}

/* strtol is referenced by no other input: its thunk exists only if gscc found
 * this archive through -L/-l and scanned it. */
long multi_lib_parse(const char *s)
{
    calls++;
    return strtol(s, NULL, 0);
}

int multi_lib_count_calls(void) { return calls; }
