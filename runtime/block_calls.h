/* block_calls.h - the runtime's blocking entry points, one line each: the one
 * list that arch/x86_64/block_*.S (the entry stubs) and runtime/block.h (the
 * steps' declarations) both read. No include guard: it is included once per
 * use with its own definitions of the two macros.
 *
 *   GS_BLOCKING(name, step)     the public function `name` (growstack.h): an
 *                               on-stack entry point, on the plugin's allowlist
 *                               (compiler-plugin/Protocol.h, docs/protocol.md 4;
 *                               tests/runtime/blocking_allowlisted checks both
 *                               lists agree);
 *   GS_TRANSPARENT(name, step)  the C library function `name` in transparent
 *                               mode: defines __gs_x.<name> (docs/netpoll.md).
 *
 * A step is `int step(struct gs_block *)` (block.h). */

/* Time (io.c). */
GS_BLOCKING(gs_sleep, gs_io_sleep_step)
GS_BLOCKING(gs_sleep_until, gs_io_sleep_until_step)
/* Channels and select (chan.c). */
GS_BLOCKING(gs_chan_send, gs_chan_send_step)
GS_BLOCKING(gs_chan_recv, gs_chan_recv_step)
GS_BLOCKING(gs_select, gs_chan_select_step)
/* Mutex, condition variable, wait group (sync.c). */
GS_BLOCKING(gs_mutex_lock, gs_sync_mutex_lock_step)
GS_BLOCKING(gs_cond_wait, gs_sync_cond_wait_step)
GS_BLOCKING(gs_wg_wait, gs_sync_wg_wait_step)
/* Descriptors, explicit calls (io.c). */
GS_BLOCKING(gs_read, gs_io_read_step)
GS_BLOCKING(gs_write, gs_io_write_step)
GS_BLOCKING(gs_recv, gs_io_recv_step)
GS_BLOCKING(gs_send, gs_io_send_step)
GS_BLOCKING(gs_accept, gs_io_accept_step)
GS_BLOCKING(gs_connect, gs_io_connect_step)
GS_BLOCKING(gs_wait_fd, gs_io_wait_fd_step)
/* Transparent mode (io.c). */
GS_TRANSPARENT(read, gs_io_x_read_step)
GS_TRANSPARENT(__read_chk, gs_io_x_read_chk_step)
GS_TRANSPARENT(write, gs_io_x_write_step)
GS_TRANSPARENT(readv, gs_io_x_readv_step)
GS_TRANSPARENT(writev, gs_io_x_writev_step)
GS_TRANSPARENT(recv, gs_io_x_recv_step)
GS_TRANSPARENT(__recv_chk, gs_io_x_recv_chk_step)
GS_TRANSPARENT(recvfrom, gs_io_x_recvfrom_step)
GS_TRANSPARENT(recvmsg, gs_io_x_recvmsg_step)
GS_TRANSPARENT(send, gs_io_x_send_step)
GS_TRANSPARENT(sendto, gs_io_x_sendto_step)
GS_TRANSPARENT(sendmsg, gs_io_x_sendmsg_step)
GS_TRANSPARENT(accept, gs_io_x_accept_step)
GS_TRANSPARENT(accept4, gs_io_x_accept4_step)
GS_TRANSPARENT(connect, gs_io_x_connect_step)
GS_TRANSPARENT(poll, gs_io_x_poll_step)
GS_TRANSPARENT(__poll_chk, gs_io_x_poll_chk_step)
GS_TRANSPARENT(ppoll, gs_io_x_ppoll_step)
GS_TRANSPARENT(nanosleep, gs_io_x_nanosleep_step)
GS_TRANSPARENT(clock_nanosleep, gs_io_x_clock_nanosleep_step)
GS_TRANSPARENT(sleep, gs_io_x_sleep_step)
GS_TRANSPARENT(usleep, gs_io_x_usleep_step)
GS_TRANSPARENT(close, gs_io_x_close_step)
GS_TRANSPARENT(dup2, gs_io_x_dup2_step)
GS_TRANSPARENT(dup3, gs_io_x_dup3_step)
