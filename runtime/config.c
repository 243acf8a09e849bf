/* config.c - defaults, environment parsing and validation (see config.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fatal.h"

struct gs_config gs_cfg;
static int gs_cfg_installed;
static pthread_mutex_t gs_cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static int runtime_started;

#ifndef GS_DEFAULT_MODE
#define GS_DEFAULT_MODE GS_MODE_CONTIGUOUS
#endif

const char *gs_mode_name(enum gs_mode mode)
{
    switch (mode) {
    case GS_MODE_FIXED: return "fixed";
    case GS_MODE_SEGMENTED: return "segmented";
    case GS_MODE_CONTIGUOUS: return "contiguous";
    }
    return "invalid";
}

void gs_config_defaults(struct gs_config *cfg, enum gs_mode mode)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->mode = mode;
    cfg->initial = 2048;
    /* Fixed stacks are what a thread gets; growable ones may reach Go's limit. */
    cfg->max = mode == GS_MODE_FIXED ? (size_t)8 << 20 : (size_t)1 << 30;
    cfg->segment = 8192;
    cfg->stats = 0;
    cfg->shrink = 1;
    cfg->threads = 1;
    cfg->netpoll = 1;
    cfg->leakcheck = 1;
    cfg->hugepages = 1;
#ifdef GROWSTACK_STRESS
    cfg->force_move = 1;
    cfg->poison = 1;
#endif
}

/* A size with an optional k/m/g suffix (binary multiples). 0 or EINVAL/ERANGE. */
static int parse_size(const char *s, size_t *out)
{
    if (!s || !*s)
        return EINVAL;
    unsigned long long v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return EINVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (~0ULL - 9) / 10)
            return ERANGE;
        v = v * 10 + (unsigned)(*p - '0');
    }
    unsigned shift = 0;
    switch (*p) {
    case '\0': break;
    case 'k': case 'K': shift = 10; p++; break;
    case 'm': case 'M': shift = 20; p++; break;
    case 'g': case 'G': shift = 30; p++; break;
    default: return EINVAL;
    }
    if (*p)
        return EINVAL;
    if (shift && v > (~0ULL >> shift))
        return ERANGE;
    *out = (size_t)(v << shift);
    return 0;
}

static int fail(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t len, const char *fmt, ...)
{
    if (err && len) {
        va_list ap;
        va_start(ap, fmt);
        gs_vformat(err, len, fmt, ap);
        va_end(ap);
    }
    return EINVAL;
}

/* The environment's value of name, read from environ itself, not through
 * getenv(): a program may define a getenv of its own (bash does, and its
 * configure script tests one that answers "42" to every name), which a call
 * from the runtime would reach. */
static const char *env(const char *name)
{
    size_t n = strlen(name);
    for (char **e = environ; e && *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

#define SIZE_FORMS "a number of bytes with an optional k, m or g suffix, e.g. 4k, 1m"

static int env_size(const char *name, size_t *out, char *err, size_t len)
{
    const char *v = env(name);
    if (!v)
        return 0;
    int rc = parse_size(v, out);
    if (rc == ERANGE)
        return fail(err, len, "%s='%s' is too large; use %s, at most 1024g", name, v,
                    SIZE_FORMS);
    if (rc)
        return fail(err, len, "%s='%s' is not a size; use %s", name, v, SIZE_FORMS);
    return 0;
}

static int env_bool(const char *name, int *out, char *err, size_t len)
{
    const char *v = env(name);
    if (!v)
        return 0;
    if (!strcmp(v, "0") || !strcmp(v, "1")) {
        *out = v[0] == '1';
        return 0;
    }
    return fail(err, len, "%s='%s' is not valid; use 0 or 1", name, v);
}

/* The size fields, with the names errors use: the environment's variable, or
 * the field's description for gs_configure(). */
static const struct size_field {
    const char *var, *what;
    size_t off;
} size_fields[] = {
    {"GROWSTACK_INITIAL", "initial size", offsetof(struct gs_config, initial)},
    {"GROWSTACK_MAX", "maximum size", offsetof(struct gs_config, max)},
    {"GROWSTACK_SEGMENT", "segment size", offsetof(struct gs_config, segment)},
};

static size_t field(const struct gs_config *cfg, const struct size_field *f)
{
    return *(const size_t *)((const char *)cfg + f->off);
}

/* Which GROWSTACK_* size variables the environment set (from_env only). */
enum { SET_INITIAL = 1, SET_MAX = 2, SET_SEGMENT = 4 };

/* A size the environment set that exceeds the limit: name what the user set. */
static int env_above_limit(const struct gs_config *cfg, unsigned set, unsigned which,
                           const char *var, size_t v, char *err, size_t len)
{
    if ((set & SET_MAX) && which == SET_INITIAL)
        return fail(err, len, "GROWSTACK_MAX (%zu) is below GROWSTACK_INITIAL (%zu); the limit "
                              "must be at least the initial size",
                    cfg->max, v);
    if (set & SET_MAX)
        return fail(err, len, "GROWSTACK_SEGMENT (%zu) is above GROWSTACK_MAX (%zu); a segment "
                              "must fit in the limit",
                    v, cfg->max);
    return fail(err, len, "%s (%zu) is above the limit of mode %s, %zu by default; set "
                          "GROWSTACK_MAX too",
                var, v, gs_mode_name(cfg->mode), cfg->max);
}

/* Ranges and the relations between the sizes. from_env: the sizes came from the
 * environment (`set` says which variables were given; the others hold defaults,
 * already adapted to the limit), and messages name the variables. */
static int check_sizes(const struct gs_config *cfg, int from_env, unsigned set, char *err,
                       size_t len)
{
    for (size_t i = 0; i < sizeof size_fields / sizeof size_fields[0]; i++) {
        const struct size_field *f = &size_fields[i];
        size_t v = field(cfg, f);
        if (v >= GS_SIZE_MIN && v <= GS_SIZE_MAX)
            continue;
        if (from_env)
            return fail(err, len, "%s=%zu is out of range; use a size from 2k to 1024g", f->var,
                        v);
        return fail(err, len, "%s %zu is out of range (2k to 1024g)", f->what, v);
    }
    if (cfg->initial > cfg->max)
        return from_env ? env_above_limit(cfg, set, SET_INITIAL, "GROWSTACK_INITIAL",
                                          cfg->initial, err, len)
                        : fail(err, len, "maximum size %zu is below the initial size %zu",
                               cfg->max, cfg->initial);
    if (cfg->segment > cfg->max)
        return from_env ? env_above_limit(cfg, set, SET_SEGMENT, "GROWSTACK_SEGMENT",
                                          cfg->segment, err, len)
                        : fail(err, len, "segment size %zu is above the maximum size %zu",
                               cfg->segment, cfg->max);
    return 0;
}

int gs_config_from_env(struct gs_config *cfg, char *err, size_t len)
{
    enum gs_mode mode = GS_DEFAULT_MODE;
    const char *m = env("GROWSTACK_MODE");
    if (m) {
        if (!strcmp(m, "fixed"))
            mode = GS_MODE_FIXED;
        else if (!strcmp(m, "segmented"))
            mode = GS_MODE_SEGMENTED;
        else if (!strcmp(m, "contiguous"))
            mode = GS_MODE_CONTIGUOUS;
        else
            return fail(err, len,
                        "GROWSTACK_MODE='%s' is not a mode; use segmented, contiguous or fixed",
                        m);
    }
    gs_config_defaults(cfg, mode);
    /* Fixed mode has neither an initial size nor segments: GROWSTACK_INITIAL and
     * GROWSTACK_SEGMENT are not read there (docs/usage.md: ignored). */
    int growable = mode != GS_MODE_FIXED;
    unsigned set = (growable && env("GROWSTACK_INITIAL") ? SET_INITIAL : 0) |
                   (env("GROWSTACK_MAX") ? SET_MAX : 0) |
                   (growable && env("GROWSTACK_SEGMENT") ? SET_SEGMENT : 0);
    int rc;
    if ((growable && (rc = env_size("GROWSTACK_INITIAL", &cfg->initial, err, len))) ||
        (rc = env_size("GROWSTACK_MAX", &cfg->max, err, len)) ||
        (growable && (rc = env_size("GROWSTACK_SEGMENT", &cfg->segment, err, len))) ||
        (rc = env_bool("GROWSTACK_STATS", &cfg->stats, err, len)) ||
        (rc = env_bool("GROWSTACK_SHRINK", &cfg->shrink, err, len)) ||
        (rc = env_bool("GROWSTACK_FORCE_MOVE", &cfg->force_move, err, len)) ||
        (rc = env_bool("GROWSTACK_POISON", &cfg->poison, err, len)) ||
        (rc = env_bool("GROWSTACK_TRACE", &cfg->trace, err, len)) ||
        (rc = env_bool("GROWSTACK_THREADS", &cfg->threads, err, len)) ||
        (rc = env_bool("GROWSTACK_NETPOLL", &cfg->netpoll, err, len)) ||
        (rc = env_bool("GROWSTACK_LEAKCHECK", &cfg->leakcheck, err, len)) ||
        (rc = env_bool("GROWSTACK_HUGEPAGES", &cfg->hugepages, err, len)))
        return rc;
    /* Defaults the user did not override follow a smaller limit (GROWSTACK_MAX=4k
     * alone means 4 KiB segments, not an error about the 8 KiB default). A limit
     * below GS_SIZE_MIN is reported by check_sizes. */
    if (cfg->max >= GS_SIZE_MIN) {
        if (!(set & SET_INITIAL) && cfg->initial > cfg->max)
            cfg->initial = cfg->max;
        if (!(set & SET_SEGMENT) && cfg->segment > cfg->max)
            cfg->segment = cfg->max;
    }
    /* The mode was parsed above; only the sizes can be wrong now. */
    return check_sizes(cfg, 1, set, err, len);
}

int gs_config_check(const struct gs_config *cfg, char *err, size_t len)
{
    if (cfg->mode != GS_MODE_FIXED && cfg->mode != GS_MODE_SEGMENTED &&
        cfg->mode != GS_MODE_CONTIGUOUS)
        return fail(err, len, "mode %d is not a mode; use segmented, contiguous or fixed",
                    (int)cfg->mode);
    return check_sizes(cfg, 0, 0, err, len);
}

static void install(const struct gs_config *cfg)
{
    gs_cfg = *cfg;
    if (gs_cfg.mode == GS_MODE_FIXED) {
        long page = sysconf(_SC_PAGESIZE);
        gs_cfg.max = (gs_cfg.max + (size_t)page - 1) & ~((size_t)page - 1);
    }
    __atomic_store_n(&gs_cfg_installed, 1, __ATOMIC_RELEASE);
}

int gs_configure(const struct gs_config *cfg)
{
    char err[256];
    if (gs_config_check(cfg, err, sizeof err))
        return EINVAL;
    pthread_mutex_lock(&gs_cfg_lock);
    if (__atomic_load_n(&runtime_started, __ATOMIC_ACQUIRE)) {
        pthread_mutex_unlock(&gs_cfg_lock);
        return EBUSY;
    }
    install(cfg);
    pthread_mutex_unlock(&gs_cfg_lock);
    return 0;
}

int gs_config_pending(struct gs_config *cfg, char *err, size_t len)
{
    pthread_mutex_lock(&gs_cfg_lock);
    int rc = 0;
    if (gs_cfg_installed)
        *cfg = gs_cfg;
    else
        rc = gs_config_from_env(cfg, err, len);
    pthread_mutex_unlock(&gs_cfg_lock);
    return rc;
}

void gs_config_start(void)
{
    __atomic_store_n(&runtime_started, 1, __ATOMIC_RELEASE);
}

void gs_config_ensure(void)
{
    if (__atomic_load_n(&gs_cfg_installed, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&gs_cfg_lock);
    if (!gs_cfg_installed) {
        struct gs_config cfg;
        char err[256];
        if (gs_config_from_env(&cfg, err, sizeof err))
            gs_die(2, "%s", err);
        install(&cfg);
    }
    pthread_mutex_unlock(&gs_cfg_lock);
}

void gs_config_get(struct gs_config *cfg)
{
    gs_config_ensure();
    *cfg = gs_cfg;
}
