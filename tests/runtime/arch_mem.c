/* arch_mem.c - the runtime's own memcpy, memmove and memset
 * (arch/x86_64/mem_*.S) against a byte-by-byte reference: every length from 0
 * to 80 at every alignment of source and destination within 16 bytes, both
 * overlapping directions and dst == src for memmove, every fill byte class
 * for memset, and the return values; bytes around the destination untouched. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void *gs_arch_memcpy(void *d, const void *s, size_t n);
void *gs_arch_memmove(void *d, const void *s, size_t n);
void *gs_arch_memset(void *d, int c, size_t n);

static unsigned char buf[256], ref[256];
static int failures;

static void fill(void)
{
    for (int i = 0; i < 256; i++)
        buf[i] = ref[i] = (unsigned char)(i * 37 + 11);
}

static void check(const char *what, size_t n, size_t a, size_t b)
{
    for (int i = 0; i < 256; i++)
        if (buf[i] != ref[i]) {
            if (failures++ < 10)
                fprintf(stderr, "arch_mem: FAILED: %s n=%zu at %zu/%zu: byte %d is %u, want %u\n",
                        what, n, a, b, i, buf[i], ref[i]);
            return;
        }
}

int main(void)
{
    for (size_t n = 0; n <= 80; n++)
        for (size_t a = 0; a < 16; a++)
            for (size_t b = 0; b < 16; b++) {
                /* memcpy: disjoint, src at 128 + b, dst at 16 + a */
                fill();
                for (size_t i = 0; i < n; i++)
                    ref[16 + a + i] = ref[128 + b + i];
                if (gs_arch_memcpy(buf + 16 + a, buf + 128 + b, n) != buf + 16 + a)
                    failures++;
                check("memcpy", n, a, b);
                /* memmove, dst above src and below it, overlapping */
                for (int dir = 0; dir < 2; dir++) {
                    size_t d = dir ? 64 + a + b : 64 + a, s = dir ? 64 + a : 64 + a + b;
                    fill();
                    unsigned char tmp[96];
                    for (size_t i = 0; i < n; i++)
                        tmp[i] = ref[s + i];
                    for (size_t i = 0; i < n; i++)
                        ref[d + i] = tmp[i];
                    if (gs_arch_memmove(buf + d, buf + s, n) != buf + d)
                        failures++;
                    check(dir ? "memmove up" : "memmove down", n, a, b);
                }
                /* memset */
                int c = (int)(b * 17 + 0x80 + n); /* high bytes and bits above 8 */
                fill();
                for (size_t i = 0; i < n; i++)
                    ref[16 + a + i] = (unsigned char)c;
                if (gs_arch_memset(buf + 16 + a, c, n) != buf + 16 + a)
                    failures++;
                check("memset", n, a, b);
            }
    if (failures) {
        fprintf(stderr, "arch_mem: %d failures\n", failures);
        return 1;
    }
    puts("arch_mem: ok");
    return 0;
}
