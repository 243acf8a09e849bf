/* variadic_deep_lib.c - the other half of variadic_deep's recursion, in its
 * own object: calls between the files cross object boundaries. */
#include "variadic_deep.h"

long lib_down(int i, ...)
{
    VD_LEVEL(i, i, vd_down);
}
