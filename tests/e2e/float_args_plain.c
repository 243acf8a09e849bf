/* float_args_plain.c - the plain_* copies, compiled by plain clang-19. */
#define FLOAT_PREFIX plain_
#include "float_args_impl.h"
