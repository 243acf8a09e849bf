/* gs_configure / gs_config_check from code: errors are codes, not exits. */
#include <errno.h>
#include <growstack.h>
#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static void *nothing(void *arg) { return arg; }

int main(void)
{
    struct gs_config c;
    char err[256];
    gs_config_defaults(&c, GS_MODE_FIXED);
    CHECK(gs_config_check(&c, err, sizeof err) == 0);

    c.initial = 1000;
    CHECK(gs_config_check(&c, err, sizeof err) == EINVAL && strstr(err, "initial"));
    CHECK(gs_configure(&c) == EINVAL);

    gs_config_defaults(&c, GS_MODE_FIXED);
    c.max = 4096;
    c.initial = 8192;
    CHECK(gs_configure(&c) == EINVAL);

    gs_config_defaults(&c, GS_MODE_FIXED);
    c.mode = (enum gs_mode)42;
    CHECK(gs_configure(&c) == EINVAL);

    gs_config_defaults(&c, GS_MODE_FIXED);
    c.max = 64 << 10;
    CHECK(gs_configure(&c) == 0);
    struct gs_config got;
    gs_config_get(&got);
    CHECK(got.max == 64 << 10 && got.mode == GS_MODE_FIXED);

    gs_handle h = gs_spawn(nothing, NULL);
    CHECK(h != 0);
    CHECK(gs_join(h, NULL) == 0);
    CHECK(gs_configure(&c) == EBUSY); /* too late: coroutines exist */
    if (failures)
        return 1;
    puts("config_api: ok");
    return 0;
}
