/* config.h - the process-wide configuration.
 *
 * Invariants:
 *  - The configuration is installed once, before the first coroutine exists, and
 *    never changes afterwards; gs_cfg is then read without locks.
 *  - An installed configuration has passed gs_config_check(): sizes within
 *    [GS_SIZE_MIN, GS_SIZE_MAX], initial <= max, segment <= max, and a known mode.
 */
#ifndef GS_CONFIG_H
#define GS_CONFIG_H

#include "growstack.h"

extern struct gs_config gs_cfg __attribute__((visibility("hidden")));

/* Install the environment's configuration if none is installed yet; on an invalid
 * environment print one line and exit with status 2. */
__attribute__((visibility("hidden"))) void gs_config_ensure(void);

/* Parse a size with an optional k/m/g suffix (binary multiples). 0 or EINVAL/ERANGE. */
__attribute__((visibility("hidden"))) int gs_parse_size(const char *s, size_t *out);

#endif
