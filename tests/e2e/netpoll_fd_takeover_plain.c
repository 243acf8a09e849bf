/* netpoll_fd_takeover_plain.c - descriptor calls the runtime does not see:
 * compiled by clang-19 alone, so these dup2 and close calls are the C
 * library's, not the transparent ones of instrumented code. */
#include <unistd.h>

int takeover_plain_dup2(int from, int to)
{
    return dup2(from, to);
}

int takeover_plain_close(int fd)
{
    return close(fd);
}
