/* io.h - time and descriptors: gs_sleep, the explicit descriptor calls and
 * transparent mode (layer 7, the API: docs/architecture.md; docs/netpoll.md,
 * "Transparent mode"). The public calls are in growstack.h; every one enters
 * through arch/x86_64/block_*.S (block_calls.h lists them, with the C library
 * names transparent mode defines as __gs_x.<name>), which runs its step below.
 *
 * Invariants (details in io.c):
 *  - A step never leaves a descriptor's O_NONBLOCK flag changed.
 *  - A transparent call behaves as the blocking call would (result, errno,
 *    partial transfers); it parks only on a coroutine stack, in transparent
 *    mode, on a descriptor that is not ready and that the program did not make
 *    non-blocking itself.
 */
#ifndef GS_IO_H
#define GS_IO_H

#include "block.h"

/* The steps (block.h): each reads its arguments from the block every time it runs. */
__attribute__((visibility("hidden"))) int gs_io_sleep_step(struct gs_block *b); /* gs_sleep */
__attribute__((visibility("hidden"))) int gs_io_sleep_until_step(struct gs_block *b); /* gs_sleep_until */
__attribute__((visibility("hidden"))) int gs_io_read_step(struct gs_block *b); /* gs_read */
__attribute__((visibility("hidden"))) int gs_io_write_step(struct gs_block *b); /* gs_write */
__attribute__((visibility("hidden"))) int gs_io_recv_step(struct gs_block *b); /* gs_recv */
__attribute__((visibility("hidden"))) int gs_io_send_step(struct gs_block *b); /* gs_send */
__attribute__((visibility("hidden"))) int gs_io_accept_step(struct gs_block *b); /* gs_accept */
__attribute__((visibility("hidden"))) int gs_io_connect_step(struct gs_block *b); /* gs_connect */
__attribute__((visibility("hidden"))) int gs_io_wait_fd_step(struct gs_block *b); /* gs_wait_fd */
__attribute__((visibility("hidden"))) int gs_io_x_read_step(struct gs_block *b); /* transparent read (__gs_x.read) */
__attribute__((visibility("hidden"))) int gs_io_x_read_chk_step(struct gs_block *b); /* transparent __read_chk (__gs_x.__read_chk) */
__attribute__((visibility("hidden"))) int gs_io_x_write_step(struct gs_block *b); /* transparent write (__gs_x.write) */
__attribute__((visibility("hidden"))) int gs_io_x_readv_step(struct gs_block *b); /* transparent readv (__gs_x.readv) */
__attribute__((visibility("hidden"))) int gs_io_x_writev_step(struct gs_block *b); /* transparent writev (__gs_x.writev) */
__attribute__((visibility("hidden"))) int gs_io_x_recv_step(struct gs_block *b); /* transparent recv (__gs_x.recv) */
__attribute__((visibility("hidden"))) int gs_io_x_recv_chk_step(struct gs_block *b); /* transparent __recv_chk (__gs_x.__recv_chk) */
__attribute__((visibility("hidden"))) int gs_io_x_recvfrom_step(struct gs_block *b); /* transparent recvfrom (__gs_x.recvfrom) */
__attribute__((visibility("hidden"))) int gs_io_x_recvmsg_step(struct gs_block *b); /* transparent recvmsg (__gs_x.recvmsg) */
__attribute__((visibility("hidden"))) int gs_io_x_send_step(struct gs_block *b); /* transparent send (__gs_x.send) */
__attribute__((visibility("hidden"))) int gs_io_x_sendto_step(struct gs_block *b); /* transparent sendto (__gs_x.sendto) */
__attribute__((visibility("hidden"))) int gs_io_x_sendmsg_step(struct gs_block *b); /* transparent sendmsg (__gs_x.sendmsg) */
__attribute__((visibility("hidden"))) int gs_io_x_accept_step(struct gs_block *b); /* transparent accept (__gs_x.accept) */
__attribute__((visibility("hidden"))) int gs_io_x_accept4_step(struct gs_block *b); /* transparent accept4 (__gs_x.accept4) */
__attribute__((visibility("hidden"))) int gs_io_x_connect_step(struct gs_block *b); /* transparent connect (__gs_x.connect) */
__attribute__((visibility("hidden"))) int gs_io_x_poll_step(struct gs_block *b); /* transparent poll (__gs_x.poll) */
__attribute__((visibility("hidden"))) int gs_io_x_poll_chk_step(struct gs_block *b); /* transparent __poll_chk (__gs_x.__poll_chk) */
__attribute__((visibility("hidden"))) int gs_io_x_ppoll_step(struct gs_block *b); /* transparent ppoll (__gs_x.ppoll) */
__attribute__((visibility("hidden"))) int gs_io_x_nanosleep_step(struct gs_block *b); /* transparent nanosleep (__gs_x.nanosleep) */
__attribute__((visibility("hidden"))) int gs_io_x_clock_nanosleep_step(struct gs_block *b); /* transparent clock_nanosleep (__gs_x.clock_nanosleep) */
__attribute__((visibility("hidden"))) int gs_io_x_sleep_step(struct gs_block *b); /* transparent sleep (__gs_x.sleep) */
__attribute__((visibility("hidden"))) int gs_io_x_usleep_step(struct gs_block *b); /* transparent usleep (__gs_x.usleep) */
__attribute__((visibility("hidden"))) int gs_io_x_close_step(struct gs_block *b); /* transparent close (__gs_x.close) */
__attribute__((visibility("hidden"))) int gs_io_x_dup2_step(struct gs_block *b); /* transparent dup2 (__gs_x.dup2) */
__attribute__((visibility("hidden"))) int gs_io_x_dup3_step(struct gs_block *b); /* transparent dup3 (__gs_x.dup3) */

#endif
