/* symbols.h - names of code addresses, for fatal messages.
 *
 * Invariants:
 *  - gs_symbols_name never allocates and takes no lock of its own; it uses system
 *    calls and dladdr (which takes the dynamic loader's lock: a crash inside the
 *    loader itself could hang there). It is meant for paths that end in
 *    gs_fatal, including the SIGSEGV handler.
 *  - The result is always a NUL-terminated string: "function", "function+0x1c",
 *    or the address (with the object's path when only that is known).
 */
#ifndef GS_SYMBOLS_H
#define GS_SYMBOLS_H

#include <stddef.h>

/* Write a name for pc into buf; returns its length. */
__attribute__((visibility("hidden"))) size_t gs_symbols_name(const void *pc, char *buf,
                                                             size_t len);

#endif
