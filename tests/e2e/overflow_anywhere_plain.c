/* overflow_anywhere_plain.c - uninstrumented code for overflow_anywhere (compiled
 * by plain clang: calls into it run on the thread's own stack). */
long plain_recurse(long depth)
{
    volatile char pad[256];
    pad[depth & 255] = (char)depth;
    return plain_recurse(depth + 1) + pad[depth & 255];
}
