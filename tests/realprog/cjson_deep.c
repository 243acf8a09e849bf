/* cjson_deep.c - deep parse/print through cJSON, a driver for tests/realprog.
 *
 *   cjson_deep DEPTH [ROUNDS]
 *
 * Builds a document nested DEPTH levels deep, alternating arrays and objects,
 * with a few scalar siblings on every level, e.g. for DEPTH 2:
 *   [1,"s1",{"k1":true,"v":[2,"s2",{"k2":true,"v":null}]}]  (shape, not exact)
 * and ROUNDS times: parses it (recursive descent: parse_value -> parse_array ->
 * parse_value ...), prints it unformatted and formatted, duplicates the tree
 * (recursive), minifies the formatted text and parses that again. The
 * unformatted print of the tree, of its duplicate and of the reparsed tree must
 * all reproduce the input byte for byte. (Not cJSON_Compare: it compares each
 * object's members both ways, recursively, which is exponential in the depth.) Prints the sizes
 * and an FNV-1a hash of every text produced, so a run is compared with the plain
 * clang build's output; exits 1 on any mismatch. Keep DEPTH <= 20000: the plain
 * build recurses on the 8 MiB thread stack (about 125 bytes per level), and the
 * formatted text grows as DEPTH^2 / 2 tabs. Built with a raised
 * CJSON_NESTING_LIMIT (tests/realprog/build.sh). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

struct buf {
    char *p;
    size_t len, cap;
};

static void put(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            perror("realloc");
            exit(1);
        }
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

/* Iterative on purpose: the recursion under test is cJSON's, not this. */
static char *make_doc(int depth)
{
    struct buf b = {0};
    char tmp[64];
    for (int i = 0; i < depth; i++) {
        if (i % 2 == 0) {
            snprintf(tmp, sizeof tmp, "[%d,\"s%d\",%s,", i, i, (i % 3) ? "true" : "1.5");
            put(&b, tmp);
        } else {
            snprintf(tmp, sizeof tmp, "{\"k%d\":%d,\"e\":[],\"v\":", i, -i);
            put(&b, tmp);
        }
    }
    put(&b, "null");
    for (int i = depth - 1; i >= 0; i--)
        put(&b, i % 2 == 0 ? "]" : "}");
    return b.p;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: cjson_deep DEPTH [ROUNDS]\n");
        return 2;
    }
    int depth = atoi(argv[1]);
    int rounds = argc > 2 ? atoi(argv[2]) : 1;
    char *doc = make_doc(depth);
    int bad = 0;
    for (int r = 0; r < rounds; r++) {
        cJSON *tree = cJSON_Parse(doc);
        if (!tree) {
            printf("parse failed near offset %ld\n", (long)(cJSON_GetErrorPtr() - doc));
            return 1;
        }
        char *flat = cJSON_PrintUnformatted(tree);
        char *pretty = cJSON_Print(tree);
        if (!flat || !pretty) {
            /* The formatted text has DEPTH^2/2 tabs: cJSON refuses past INT_MAX. */
            printf("print failed (depth %d)\n", depth);
            return 1;
        }
        cJSON *copy = cJSON_Duplicate(tree, 1);
        char *flat_copy = copy ? cJSON_PrintUnformatted(copy) : NULL;
        int same = flat_copy && strcmp(flat_copy, doc) == 0;
        cJSON_Minify(pretty);
        cJSON *again = cJSON_Parse(pretty);
        char *flat_again = again ? cJSON_PrintUnformatted(again) : NULL;
        int same2 = flat_again && strcmp(flat_again, doc) == 0;
        if (r == 0 || r == rounds - 1)
            printf("round %d: input %zu bytes %016llx, print %zu bytes %016llx, "
                   "minified %zu bytes %016llx, duplicate %s, reparse %s\n",
                   r, strlen(doc), (unsigned long long)fnv1a(doc), strlen(flat),
                   (unsigned long long)fnv1a(flat), strlen(pretty),
                   (unsigned long long)fnv1a(pretty), same ? "equal" : "DIFFERENT",
                   same2 ? "equal" : "DIFFERENT");
        if (strcmp(flat, doc) != 0 || !same || !same2)
            bad = 1;
        cJSON_free(flat_again);
        cJSON_free(flat_copy);
        cJSON_Delete(again);
        cJSON_Delete(copy);
        cJSON_free(pretty);
        cJSON_free(flat);
        cJSON_Delete(tree);
    }
    free(doc);
    printf("%s\n", bad ? "MISMATCH" : "ok");
    return bad;
}
