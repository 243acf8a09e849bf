/* config.h - the process-wide configuration.
 *
 * Invariants:
 *  - The configuration is installed before the runtime starts (gs_config_start:
 *    the first thread state exists, which precedes the first coroutine) and never
 *    changes afterwards; gs_cfg is then read without locks. Until then it may be
 *    installed again (gs_configure from a constructor, then gs_main_config).
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

/* The runtime starts (the first thread state exists): from now on the installed
 * configuration is final and gs_configure returns EBUSY. */
__attribute__((visibility("hidden"))) void gs_config_start(void);

/* The configuration the runtime would start with: the installed one (gs_configure
 * from a constructor), else the environment's. 0, or EINVAL with a message. */
__attribute__((visibility("hidden"))) int gs_config_pending(struct gs_config *cfg, char *err,
                                                            size_t len);

#endif
