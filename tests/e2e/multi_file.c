/* multi_file - a program of three files calling each other: this one (compiled
 * in the link step), an object (multi_file_util.c) and a static archive
 * (multi_file_lib.c via -l). The CTest e2e.multi_file.direct_call checks with
 * llvm-nm that calls to the instrumented callees in other files bound to their
 * definitions (no thunk) while libc's strtol went through one. */
#include "e2e.h"
#include "multi_file.h"

static int counter; /* multi_file_util.c has a static of the same name */

static void check_calls(void *arg)
{
    (void)arg;
    counter++;
    E2E_EQ_LONG(multi_util_sum(100), 5050);
    E2E_EQ_LONG(multi_util_fnptr(10), 55);
    /* ping: +2 per util level; pong: acc -> 3*acc+1 - 2*acc = acc+1 */
    E2E_EQ_LONG(multi_util_ping(200, 0), 100 * 2 + 100 * 1);
    E2E_EQ_LONG(multi_lib_parse("0x7fff"), 0x7fff);
    E2E_EQ_LONG(multi_lib_parse("-123"), -123);
}

int main(void)
{
    e2e_at_depths(check_calls, NULL);
    E2E_CHECK(counter == 54);
    E2E_CHECK(multi_lib_count_calls() > 0);
    /* Deep mutual recursion across the three files. */
    E2E_EQ_LONG(multi_util_ping(20000, 0), 10000 * 2 + 10000 * 1);
    E2E_EQ_LONG(multi_util_sum(20000), 20000L * 20001 / 2);
    return e2e_done("multi_file");
}
