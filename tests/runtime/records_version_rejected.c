/* records_version_rejected - a module descriptor of another version than the
 * runtime's (protocol.md 2.1: version 2, 16-byte records with names) is a
 * fatal error asking for a rebuild, never a misread table. The argument is
 * the version to present. */
#include <stdlib.h>

#include "records.h"

int main(int argc, char **argv)
{
    static const struct gs_record none[1];
    static const char text[16];
    struct gs_module m = {(uint32_t)(argc > 1 ? atoi(argv[1]) : 1), 0, none, none, text,
                          text + 16, {0, 0}};
    gs_records_register(&m);
    gs_records_unregister(&m);
    return 0;
}
