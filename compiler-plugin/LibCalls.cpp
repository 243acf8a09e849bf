//===- LibCalls.cpp - C library calls that keep no pointer ----------------===//
//
// See LibCalls.h. One row per function: its symbol name and one letter per
// fixed parameter, optionally followed by `+x`, the letter for every
// variadic argument:
//
//   .  not a pointer, or not described (the callee may keep it)
//   n  LibArg::Flat       d  LibArg::Deep       r  LibArg::Returned
//   0-9  LibArg::IntoArg: stored (derived) into the pointee of that argument
//
// The table repeats nothing LLVM already knows on purpose only where LLVM
// is partial (it knows `stat` but not `fstatat`; `sscanf` but not the
// variadic arguments of `__isoc99_fscanf`). docs/plugin.md has the same
// list in prose; keep them together.
//
//===----------------------------------------------------------------------===//

#include "LibCalls.h"

#include "CallRedirect.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InstrTypes.h"

using namespace llvm;

namespace gs {
namespace {

struct Row {
  const char *Name;
  const char *Args;
};

// clang-format off
constexpr Row Table[] = {
    // Time (POSIX.1-2017 <time.h>, <sys/time.h>, <sys/times.h>).
    {"time", "n"},
    {"clock_gettime", ".n"},        {"clock_getres", ".n"},
    {"clock_settime", ".n"},        {"gettimeofday", "nn"},
    {"settimeofday", "nn"},         {"nanosleep", "nn"},
    {"clock_nanosleep", "..nn"},    {"timespec_get", "n."},
    {"times", "n"},
    {"localtime", "n"},             {"gmtime", "n"},
    {"ctime", "n"},                 {"asctime", "n"},
    {"localtime_r", "nr"},          {"gmtime_r", "nr"},
    {"ctime_r", "nr"},              {"asctime_r", "nr"},
    {"mktime", "n"},                {"timegm", "n"},
    {"strftime", "n.nn"},           {"strptime", "rnn"},
    {"setitimer", ".nn"},           {"getitimer", ".n"},
    // timer_create keeps sevp->sigev_value.sival_ptr: Flat lets it escape.
    {"timer_create", ".nn"},        {"timer_settime", "..nn"},
    {"timer_gettime", ".n"},
    {"timerfd_settime", "..nn"},    {"timerfd_gettime", ".n"},

    // Waiting for descriptors.
    {"poll", "n.."},                {"ppoll", "n.nn"},
    {"select", ".nnnn"},            {"pselect", ".nnnnn"},
    {"epoll_wait", ".n.."},         {"epoll_pwait", ".n..n"},
    {"epoll_pwait2", ".n.nn"},
    // The kernel copies the epoll_event, but keeps data.ptr for later
    // epoll_wait results: Flat makes a local stored there escape.
    {"epoll_ctl", "...n"},
    {"eventfd_read", ".n"},         {"signalfd", ".n."},

    // Signals. sigaction copies *act (the handler is a function);
    // sigaltstack keeps ss->ss_sp, which Flat lets escape.
    {"sigaction", ".nn"},           {"sigprocmask", ".nn"},
    {"pthread_sigmask", ".nn"},     {"sigemptyset", "n"},
    {"sigfillset", "n"},            {"sigaddset", "n."},
    {"sigdelset", "n."},            {"sigismember", "n."},
    {"sigpending", "n"},            {"sigsuspend", "n"},
    {"sigwait", "nn"},              {"sigwaitinfo", "nn"},
    {"sigtimedwait", "nnn"},        {"sigaltstack", "nn"},

    // Sockets (the kernel copies addresses and data in and out).
    {"bind", ".n."},                {"connect", ".n."},
    {"accept", ".nn"},              {"accept4", ".nn."},
    {"getsockname", ".nn"},         {"getpeername", ".nn"},
    {"setsockopt", "...n."},        {"getsockopt", "...nn"},
    {"send", ".n.."},               {"sendto", ".n..n."},
    {"recv", ".n.."},               {"recvfrom", ".n..nn"},
    {"sendmsg", ".d."},             {"recvmsg", ".d."},
    {"sendmmsg", ".d.."},           {"recvmmsg", ".d..n"},
    {"socketpair", "...n"},         {"pipe", "n"},
    {"pipe2", "n."},
    // getaddrinfo writes a heap pointer into *res; hints' pointer members
    // must be null and are not kept.
    {"getaddrinfo", "nndn"},        {"getnameinfo", "n.n.n.."},
    {"inet_pton", ".nn"},           {"inet_ntop", ".nr."},
    {"inet_aton", "nn"},            {"gethostname", "n."},

    // Files and directories.
    {"stat", "nn"},                 {"lstat", "nn"},
    {"fstat", ".n"},                {"fstatat", ".nn."},
    {"stat64", "nn"},               {"lstat64", "nn"},
    {"fstat64", ".n"},              {"fstatat64", ".nn."},
    {"statx", ".n..n"},
    {"statfs", "nn"},               {"fstatfs", ".n"},
    {"statfs64", "nn"},             {"fstatfs64", ".n"},
    {"statvfs", "nn"},              {"fstatvfs", ".n"},
    {"openat", ".n.+."},            {"openat64", ".n.+."},
    {"creat", "n."},                {"faccessat", ".n.."},
    {"unlinkat", ".n."},            {"mkdirat", ".n."},
    {"renameat", ".n.n"},           {"readlink", "nn."},
    {"readlinkat", ".nn."},         {"chdir", "n"},
    {"truncate", "n."},             {"fchmodat", ".n.."},
    {"utimensat", ".nn."},          {"futimens", ".n"},
    {"symlink", "nn"},              {"link", "nn"},
    {"mkstemp", "n"},               {"mkostemp", "n."},
    {"mkdtemp", "r"},               {"realpath", "nr"},
    {"getcwd", "r."},
    {"pread64", ".n.."},            {"pwrite64", ".n.."},
    {"readv", ".d."},               {"writev", ".d."},
    {"preadv", ".d.."},             {"pwritev", ".d.."},
    {"preadv64", ".d.."},           {"pwritev64", ".d.."},
    {"preadv2", ".d..."},           {"pwritev2", ".d..."},
    {"getrandom", "n.."},           {"getentropy", "n."},
    {"inotify_add_watch", ".n."},

    // Processes and limits.
    {"getrusage", ".n"},            {"getrlimit", ".n"},
    {"setrlimit", ".n"},            {"getrlimit64", ".n"},
    {"setrlimit64", ".n"},          {"prlimit", "..nn"},
    {"prlimit64", "..nn"},          {"uname", "n"},
    {"sysinfo", "n"},               {"wait", "n"},
    {"waitpid", ".n."},             {"wait4", ".n.n"},
    {"waitid", "..n."},
    {"execve", "ndd"},              {"execv", "nd"},
    {"execvp", "nd"},               {"execvpe", "ndd"},
    {"sched_getaffinity", "..n"},   {"sched_setaffinity", "..n"},
    {"tcgetattr", ".n"},            {"tcsetattr", "..n"},
    {"cfmakeraw", "n"},
    // Threads: pthread_create keeps its last argument (Unknown here).
    {"pthread_create", "nn.."},     {"pthread_join", ".n"},
    {"pthread_attr_init", "n"},     {"pthread_attr_destroy", "n"},
    {"pthread_attr_setstacksize", "n."},
    {"pthread_attr_getstacksize", "nn"},
    {"pthread_attr_setdetachstate", "n."},
    {"pthread_attr_getstack", "nnn"},
    {"pthread_getattr_np", ".n"},
    {"pthread_setname_np", ".n"},   {"pthread_getname_np", ".n."},

    // Numbers. strtol & co. store nptr (or a pointer into it) in *endptr.
    {"strtol", "1n."},              {"strtoul", "1n."},
    {"strtoll", "1n."},             {"strtoull", "1n."},
    {"strtoimax", "1n."},           {"strtoumax", "1n."},
    {"strtod", "1n"},               {"strtof", "1n"},
    {"strtold", "1n"},
    {"__isoc23_strtol", "1n."},     {"__isoc23_strtoul", "1n."},
    {"__isoc23_strtoll", "1n."},    {"__isoc23_strtoull", "1n."},
    {"__isoc23_strtoimax", "1n."},  {"__isoc23_strtoumax", "1n."},
    {"frexp", ".n"},                {"frexpf", ".n"},
    {"frexpl", ".n"},               {"modf", ".n"},
    {"modff", ".n"},                {"modfl", ".n"},
    {"remquo", "..n"},              {"remquof", "..n"},
    {"remquol", "..n"},             {"sincos", ".nn"},
    {"sincosf", ".nn"},             {"sincosl", ".nn"},
    {"lgamma_r", ".n"},             {"lgammaf_r", ".n"},

    // Strings: the result points into the first argument.
    {"memchr", "r.."},              {"memrchr", "r.."},
    {"rawmemchr", "r."},            {"strchr", "r."},
    {"strrchr", "r."},              {"strchrnul", "r."},
    {"index", "r."},                {"rindex", "r."},
    {"strstr", "rn"},               {"strcasestr", "rn"},
    {"strpbrk", "rn"},              {"memmem", "r.n."},
    {"stpcpy", "rn"},               {"stpncpy", "rn."},
    {"mempcpy", "rn."},             {"strerror_r", ".r."},
    {"__xpg_strerror_r", ".n."},    {"__xpg_basename", "r"},
    {"basename", "r"},              {"dirname", "r"},
    {"fgets", "r.."},               {"fgets_unlocked", "r.."},
    {"getline", "nn."},             {"getdelim", "nn.."},

    // Formatted I/O: the variadic arguments are read or written, never kept.
    {"__isoc99_scanf", "n+n"},      {"__isoc99_fscanf", "nn+n"},
    {"__isoc99_sscanf", "nn+n"},    {"__isoc23_scanf", "n+n"},
    {"__isoc23_fscanf", "nn+n"},    {"__isoc23_sscanf", "nn+n"},
    {"dprintf", ".n+n"},            {"asprintf", "nn+n"},
    {"__printf_chk", ".n+n"},       {"__fprintf_chk", "n.n+n"},
    {"__sprintf_chk", "n..n+n"},    {"__snprintf_chk", "n...n+n"},
    {"__dprintf_chk", "..n+n"},     {"__asprintf_chk", "n.n+n"},
    // The va_list forms: the va_list (a pointer to it, in IR) is deep: its
    // fields point to the variadic arguments, which are read (and written
    // through, %n and scanf) but never kept. A va_list the analysis
    // otherwise sees escape pins the frame (protocol.md 7.1); these calls,
    // the common use of one, must not.
    {"vprintf", "nd"},              {"vfprintf", "nnd"},
    {"vsprintf", "nnd"},            {"vsnprintf", "n.nd"},
    {"vdprintf", ".nd"},            {"vasprintf", "nnd"},
    {"vscanf", "nd"},               {"vfscanf", "nnd"},
    {"vsscanf", "nnd"},             {"__isoc99_vscanf", "nd"},
    {"__isoc99_vfscanf", "nnd"},    {"__isoc99_vsscanf", "nnd"},
    {"__isoc23_vscanf", "nd"},      {"__isoc23_vfscanf", "nnd"},
    {"__isoc23_vsscanf", "nnd"},    {"__vprintf_chk", ".nd"},
    {"__vfprintf_chk", "n.nd"},     {"__vsprintf_chk", "n..nd"},
    {"__vsnprintf_chk", "n...nd"},  {"__vdprintf_chk", "..nd"},
    {"__vasprintf_chk", "n.nd"},    {"vsyslog", ".nd"},
    {"vwarn", "nd"},                {"vwarnx", "nd"},
    {"verr", ".nd"},                {"verrx", ".nd"},

    // growstack's own blocking calls (runtime/block_calls.h). They may park
    // the coroutine, and its stack may move while it is parked; but the
    // runtime keeps these pointers only in the call's parking frame on that
    // stack, which a move relocates, and reads them from there after every
    // wake (docs/netpoll.md, docs/protocol.md 7.1). So a buffer passed to them
    // stays on the moving stack like one passed to read(). Not listed, so
    // escaping: gs_mutex_lock, gs_cond_wait, gs_wg_wait (their objects hold
    // the wait queues, which point into them).
    {"gs_read", ".n.."},            {"gs_write", ".n.."},
    {"gs_recv", ".n..."},           {"gs_send", ".n..."},
    {"gs_accept", ".nn.."},         {"gs_connect", ".n.."},
    {"gs_chan_send", ".n."},        {"gs_chan_recv", ".n."},
    {"gs_select", "d.."},

    // Miscellaneous.
    {"setlocale", ".n"},            {"dlopen", "n."},
    {"dlsym", ".n"},                {"setenv", "nn."},
    {"unsetenv", "n"},
};
// clang-format on

struct Entry {
  StringRef Fixed;    // one letter per fixed parameter
  char Variadic = 0;  // letter for variadic arguments, 0 if none
};

const StringMap<Entry> &table() {
  static const StringMap<Entry> Map = [] {
    StringMap<Entry> M;
    for (const Row &R : Table) {
      StringRef Spec(R.Args);
      Entry E;
      auto [Fixed, Var] = Spec.split('+');
      E.Fixed = Fixed;
      if (!Var.empty())
        E.Variadic = Var.front();
      bool Inserted = M.try_emplace(R.Name, E).second;
      (void)Inserted;
      assert(Inserted && "duplicate row in the library call table");
    }
    return M;
  }();
  return Map;
}

LibArgInfo decode(char C) {
  LibArgInfo I;
  switch (C) {
  case 'n':
    I.Kind = LibArg::Flat;
    break;
  case 'd':
    I.Kind = LibArg::Deep;
    break;
  case 'r':
    I.Kind = LibArg::Returned;
    break;
  default:
    if (C >= '0' && C <= '9') {
      I.Kind = LibArg::IntoArg;
      I.Target = unsigned(C - '0');
    }
    break;
  }
  return I;
}

} // namespace

LibArgInfo libCallArg(const CallBase &CB, unsigned ArgNo) {
  const Function *Callee = CB.getCalledFunction();
  if (!Callee || !Callee->isDeclaration() || Callee->isIntrinsic())
    return {};
  StringRef Name = symbolName(*Callee);
  auto It = table().find(Name);
  if (It == table().end())
    return {};
  const Entry &E = It->second;
  const FunctionType *FTy = Callee->getFunctionType();
  if (FTy->getNumParams() != E.Fixed.size() ||
      (E.Variadic && !FTy->isVarArg()))
    return {};
  // -fno-builtin / -ffreestanding: the name need not be the C library's.
  const Function *Caller = CB.getFunction();
  if (Caller->hasFnAttribute("no-builtins") ||
      Caller->hasFnAttribute(("no-builtin-" + Name).str()) ||
      CB.isNoBuiltin())
    return {};
  if (!CB.getArgOperand(ArgNo)->getType()->isPointerTy())
    return {};
  LibArgInfo I =
      decode(ArgNo < E.Fixed.size() ? E.Fixed[ArgNo] : E.Variadic);
  if (I.Kind == LibArg::IntoArg &&
      (I.Target >= E.Fixed.size() ||
       !FTy->getParamType(I.Target)->isPointerTy()))
    return {};
  return I;
}

} // namespace gs
