/* abi_args_plain.c - the plain_* copies, compiled by plain clang-19 (no plugin,
 * no stack checks): every call to them leaves instrumented code. */
#define ABI_PREFIX plain_
#include "abi_args_impl.h"
