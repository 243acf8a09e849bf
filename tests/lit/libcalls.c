// The plugin's table of C library and POSIX functions that keep no pointer
// after they return (LibCalls.cpp, docs/plugin.md): a local passed to them
// stays on the moving stack, at -O0 (no inferred attributes) and -O2. What
// the functions store through their arguments is followed: strtol puts a
// pointer into its string in *endptr; epoll_ctl's kernel keeps the event's
// data.ptr; setvbuf keeps its buffer. With -fno-builtin the names need not
// be the C library's and the table is not used.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -fno-builtin -S -emit-llvm -o - %s | FileCheck %s --check-prefix=NOBUILTIN

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <poll.h>

char **where;
char *found;

// Flags: 0 = nothing moved, 32 = SIDE (something moved).
// CHECK-DAG: @__gs_rec.timing = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
// NOBUILTIN-DAG: @__gs_rec.timing = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.parse = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.span = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.parse_leaks = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.find_leaks = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.gather = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.watch = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.buffered = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }

// clock_gettime, nanosleep, poll, fstat: nothing moves.
long timing(int fd) {
  struct timespec ts, rem;
  struct pollfd p = {fd, POLLIN, 0};
  struct stat st;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  nanosleep(&ts, &rem);
  poll(&p, 1, 0);
  fstat(fd, &st);
  return ts.tv_nsec + rem.tv_sec + p.revents + st.st_size;
}

// strtol stores a pointer into buf in end; end stays local, so buf does not
// escape. strchr returns a pointer into buf, kept locally.
long parse(const char *s) {
  char buf[32];
  char *end;
  strncpy(buf, s, sizeof buf - 1);
  buf[31] = 0;
  long v = strtol(buf, &end, 10);
  char *comma = strchr(buf, ',');
  return v + *end + (comma ? *comma : 0);
}

// The difference of two addresses into one object does not change when the
// object moves: not an escape (other integers made from addresses are).
long span(const char *s) {
  char buf[32];
  strncpy(buf, s, sizeof buf - 1);
  buf[31] = 0;
  char *comma = strchr(buf, ',');
  return comma ? comma - buf : -1;
}

// ...but once end is published, buf escapes through it.
long parse_leaks(void) {
  char buf[8] = "12,3";
  char *end;
  long v = strtol(buf, &end, 10);
  where = &end;
  return v;
}

// ...and so does a strchr result stored to a global.
void find_leaks(void) {
  char buf[8] = "12,3";
  found = strchr(buf, ',');
}

// writev follows its iovecs but keeps nothing: neither iov nor the buffers
// move.
long gather(int fd) {
  char a[4] = "abc", b[4] = "def";
  struct iovec iov[2] = {{a, 3}, {b, 3}};
  return writev(fd, iov, 2);
}

// epoll_ctl copies the event, but the kernel hands data.ptr back later: the
// connection it points to moves, the event itself stays.
struct conn { int fd; };
int watch(int ep, int fd) {
  struct conn c = {fd};
  struct epoll_event ev;
  ev.events = EPOLLIN;
  ev.data.ptr = &c;
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}
// CHECK-LABEL: define dso_local i32 @watch(
// CHECK: %ev = alloca %struct.epoll_event
// CHECK: ret i32

// setvbuf keeps its buffer: it moves.
void buffered(FILE *f) {
  char buf[64];
  setvbuf(f, buf, _IOFBF, sizeof buf);
  fclose(f);
}
