/* abi_args_inst.c - the inst_* copies: instrumented, another file. */
#define ABI_PREFIX inst_
#include "abi_args_impl.h"
