// process.h - running tools and owning gscc's temporary files.
//
// gscc never goes through a shell: every command is an argv vector handed to
// posix_spawnp, so file names with spaces, quotes or '$' reach clang unchanged.
// The quoting functions below exist only to *print* commands (-v, -###).
#ifndef GSCC_PROCESS_H
#define GSCC_PROCESS_H

#include <string>
#include <vector>

namespace gscc {

using Argv = std::vector<std::string>;

// How a child ended. `code` is what gscc should exit with: the child's exit
// status, or 128 + signal number when it was killed (as a shell would report).
struct Status {
  int code = 0;
  int signal = 0;  // non-zero when the child was killed by a signal
  bool ok() const { return code == 0 && signal == 0; }
};

struct RunOptions {
  std::string cwd;                   // run the child there ("" = gscc's cwd)
  std::string *capture = nullptr;    // collect the child's stdout here
};

// Spawn argv[0] (searched along PATH) and wait for it. A program that cannot be
// started is reported on stderr as "gscc: cannot run ..." and yields code 127,
// like a shell.
Status run(const Argv &argv, const RunOptions &opts = {});

// Replace gscc by the command (execvp). Only returns on failure, with the
// status gscc should exit with (127) after printing why.
int exec(const Argv &argv);

// `'a b'` style quoting, for commands a user may paste into a shell (-v).
std::string shell_quote(const std::string &s);
std::string format_shell(const Argv &argv);
// clang's -### style: every argument in double quotes.
std::string format_hashhash(const Argv &argv);

// A private temporary directory, removed with its files when the object is
// destroyed and also when gscc is killed by SIGINT, SIGTERM or SIGHUP.
// GSCC_KEEP_TEMPS=1 keeps it and names it on stderr (for debugging gscc).
class TempDir {
 public:
  TempDir() = default;
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  // Create the directory (under $TMPDIR or /tmp). False with a message on stderr.
  bool create();
  const std::string &path() const { return path_; }
  // The path of `name` inside the directory; registered for removal.
  std::string file(const std::string &name);
  // Remove everything now (also done by the destructor).
  void remove();

 private:
  std::string path_;
  bool keep_ = false;
};

}  // namespace gscc

#endif
