// process.cpp - see process.h.
#include "process.h"

#include <atomic>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace gscc {

namespace {
// The child run() is waiting for, so that a fatal signal to gscc can stop it
// before the temporary files are removed (else it could write into the
// directory after the cleanup).
volatile sig_atomic_t g_child = 0;
}  // namespace

namespace {

std::vector<char *> to_cargv(const Argv &argv) {
  std::vector<char *> v;
  v.reserve(argv.size() + 1);
  for (const std::string &a : argv) v.push_back(const_cast<char *>(a.c_str()));
  v.push_back(nullptr);
  return v;
}

}  // namespace

Status run(const Argv &argv, const RunOptions &opts) {
  Status st;
  if (argv.empty()) {
    st.code = 127;
    return st;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  int pipefd[2] = {-1, -1};
  if (opts.capture) {
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
      std::fprintf(stderr, "gscc: pipe: %s\n", std::strerror(errno));
      posix_spawn_file_actions_destroy(&fa);
      st.code = 1;
      return st;
    }
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
  }
  if (!opts.cwd.empty())
    posix_spawn_file_actions_addchdir_np(&fa, opts.cwd.c_str());

  std::vector<char *> cargv = to_cargv(argv);
  pid_t pid;
  // Block the signals whose handler reads g_child until it is set.
  sigset_t fatal, old;
  sigemptyset(&fatal);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&fatal, sig);
  sigprocmask(SIG_BLOCK, &fatal, &old);
  posix_spawnattr_t attr;  // the child starts with gscc's usual mask
  posix_spawnattr_init(&attr);
  posix_spawnattr_setsigmask(&attr, &old);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  int err = posix_spawnp(&pid, cargv[0], &fa, &attr, cargv.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (err == 0) g_child = pid;
  sigprocmask(SIG_SETMASK, &old, nullptr);
  posix_spawn_file_actions_destroy(&fa);
  if (opts.capture) close(pipefd[1]);
  if (err != 0) {
    std::fprintf(stderr, "gscc: cannot run %s: %s\n", argv[0].c_str(),
                 std::strerror(err));
    if (opts.capture) close(pipefd[0]);
    st.code = 127;
    return st;
  }
  if (opts.capture) {
    char buf[65536];
    for (;;) {
      ssize_t n = read(pipefd[0], buf, sizeof buf);
      if (n > 0) {
        opts.capture->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        break;
      }
    }
    close(pipefd[0]);
  }
  int ws;
  while (waitpid(pid, &ws, 0) < 0) {
    if (errno != EINTR) {
      std::fprintf(stderr, "gscc: waitpid: %s\n", std::strerror(errno));
      g_child = 0;
      st.code = 1;
      return st;
    }
  }
  g_child = 0;
  if (WIFEXITED(ws)) {
    st.code = WEXITSTATUS(ws);
  } else if (WIFSIGNALED(ws)) {
    st.signal = WTERMSIG(ws);
    st.code = 128 + st.signal;
  } else {
    st.code = 1;
  }
  return st;
}

int exec(const Argv &argv) {
  std::vector<char *> cargv = to_cargv(argv);
  execvp(cargv[0], cargv.data());
  std::fprintf(stderr, "gscc: cannot run %s: %s\n", argv[0].c_str(),
               std::strerror(errno));
  return 127;
}

std::string shell_quote(const std::string &s) {
  if (s.empty()) return "''";
  bool plain = true;
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || std::strchr("@%+=:,./-_", c))) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

std::string format_shell(const Argv &argv) {
  std::string out;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i) out += ' ';
    out += shell_quote(argv[i]);
  }
  return out;
}

std::string format_hashhash(const Argv &argv) {
  std::string out;
  for (const std::string &a : argv) {
    out += " \"";
    for (char c : a) {
      if (c == '"' || c == '\\' || c == '$') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out;
}

// ---- temporary files --------------------------------------------------------
//
// The signal handler may only use async-signal-safe calls, so the paths to remove
// are kept in a list of C strings that is only ever prepended to: a node is fully
// built before it is published with one atomic store, so the handler always sees a
// consistent list. Nodes are never freed (a handful per gscc run).

namespace {

struct CleanupNode {
  char *path;
  bool is_dir;
  CleanupNode *next;
};

std::atomic<CleanupNode *> g_cleanup{nullptr};
std::atomic<bool> g_cleanup_enabled{false};

void publish(const std::string &path, bool is_dir) {
  CleanupNode *n = new CleanupNode{strdup(path.c_str()), is_dir, nullptr};
  n->next = g_cleanup.load();
  g_cleanup.store(n);
}

// Files first (the list is newest first, the directory was registered first).
void cleanup_registered() {
  if (!g_cleanup_enabled.load()) return;
  for (CleanupNode *n = g_cleanup.load(); n; n = n->next) {
    if (n->is_dir)
      rmdir(n->path);
    else
      unlink(n->path);
  }
}

void on_fatal_signal(int sig) {
  // Stop the tool we are waiting for (a terminal's ^C reaches it anyway), let
  // it finish writing, then remove what it wrote.
  pid_t child = g_child;
  if (child > 0) {
    kill(child, sig);
    int ws;
    while (waitpid(child, &ws, 0) < 0 && errno == EINTR) {
    }
  }
  cleanup_registered();
  signal(sig, SIG_DFL);
  raise(sig);
}

void install_handlers() {
  static bool done = false;
  if (done) return;
  done = true;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    struct sigaction old;
    sigaction(sig, nullptr, &old);
    if (old.sa_handler == SIG_IGN) continue;  // e.g. nohup: keep ignoring
    sigaction(sig, &sa, nullptr);
  }
}

}  // namespace

bool TempDir::create() {
  const char *env = std::getenv("TMPDIR");
  std::string base = (env && *env) ? env : "/tmp";
  std::string tmpl = base + "/gscc-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    std::fprintf(stderr, "gscc: cannot create a temporary directory in %s: %s\n",
                 base.c_str(), std::strerror(errno));
    return false;
  }
  path_ = buf.data();
  const char *k = std::getenv("GSCC_KEEP_TEMPS");
  keep_ = k && *k && std::strcmp(k, "0") != 0;
  if (keep_) {
    std::fprintf(stderr, "gscc: keeping temporary files in %s\n", path_.c_str());
  } else {
    publish(path_, true);
    install_handlers();
    g_cleanup_enabled.store(true);
  }
  return true;
}

std::string TempDir::file(const std::string &name) {
  std::string p = path_ + "/" + name;
  if (!keep_) publish(p, false);
  return p;
}

void TempDir::remove() {
  if (path_.empty() || keep_) return;
  g_cleanup_enabled.store(false);
  // Remove whatever is there, including files a tool created on its own
  // (an archiver's temporary, say), then the directory itself.
  if (DIR *d = opendir(path_.c_str())) {
    while (struct dirent *e = readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0)
        continue;
      unlink((path_ + "/" + e->d_name).c_str());
    }
    closedir(d);
  }
  rmdir(path_.c_str());
  path_.clear();
}

TempDir::~TempDir() { remove(); }

}  // namespace gscc
