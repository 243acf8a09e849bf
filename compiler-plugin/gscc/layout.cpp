// layout.cpp - see layout.h.
#include "layout.h"

#include <climits>
#include <cstdio>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "gscc_config.h"

namespace gscc {

namespace {

std::string dirname_of(const std::string &p) {
  size_t slash = p.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

// Join a configured install directory (relative to the prefix, or absolute).
std::string under_prefix(const std::string &prefix, const std::string &dir) {
  if (!dir.empty() && dir[0] == '/') return dir;
  return prefix + "/" + dir;
}

std::string self_path() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  buf[n] = '\0';
  return buf;
}

// The first candidate that exists, else the first (for the error message).
std::string pick(const std::vector<std::string> &dirs, const std::string &file) {
  for (const std::string &d : dirs)
    if (file_exists(d + "/" + file)) return d + "/" + file;
  return dirs.empty() ? file : dirs.front() + "/" + file;
}

}  // namespace

bool file_exists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool Layout::plugin_exists() const { return file_exists(plugin); }
bool Layout::runtime_exists() const { return file_exists(runtime); }
bool Layout::header_exists() const { return file_exists(include_dir + "/growstack.h"); }

Layout locate_layout() {
  Layout l;
  l.self = self_path();
  std::string bindir = dirname_of(l.self);
  // <prefix>/<bindir>/gscc: strip as many components as the configured bindir
  // has ("bin" -> one); the build tree always uses "bin".
  std::string rel_bin = GSCC_INSTALL_BINDIR;
  size_t levels = 1;
  if (!rel_bin.empty() && rel_bin[0] != '/') {
    levels = 1;
    for (char c : rel_bin)
      if (c == '/') ++levels;
    if (bindir.size() < rel_bin.size() ||
        bindir.compare(bindir.size() - rel_bin.size(), rel_bin.size(), rel_bin) != 0)
      levels = 1;
  }
  l.prefix = bindir;
  for (size_t i = 0; i < levels; ++i) l.prefix = dirname_of(l.prefix);

  for (const std::string &libdir : {std::string(GSCC_INSTALL_LIBDIR), std::string("lib")}) {
    std::string d = under_prefix(l.prefix, libdir) + "/growstack";
    bool dup = false;
    for (const std::string &e : l.lib_candidates) dup = dup || e == d;
    if (!dup) l.lib_candidates.push_back(d);
  }
  l.plugin = pick(l.lib_candidates, "growstack-plugin.so");
  l.runtime = pick(l.lib_candidates, "libgrowstack.a");

  std::vector<std::string> inc = {under_prefix(l.prefix, GSCC_INSTALL_INCLUDEDIR)};
  if (inc[0] != l.prefix + "/include") inc.push_back(l.prefix + "/include");
  l.include_dir = inc[0];
  for (const std::string &d : inc)
    if (file_exists(d + "/growstack.h")) {
      l.include_dir = d;
      break;
    }
  return l;
}

void report_missing(const Layout &l, const std::string &file, const std::string &path) {
  std::fprintf(stderr, "gscc: cannot find %s at %s; is growstack built/installed?\n",
               file.c_str(), path.c_str());
  if (l.lib_candidates.size() > 1) {
    std::fprintf(stderr, "gscc: (looked in");
    for (const std::string &d : l.lib_candidates) std::fprintf(stderr, " %s", d.c_str());
    std::fprintf(stderr, ", relative to %s)\n", l.self.c_str());
  }
}

const std::vector<std::string> &LibraryResolver::default_dirs() {
  if (defaults_known_) return default_dirs_;
  defaults_known_ = true;
  // The directories recorded when gscc was built, unless something could change
  // them: another clang, or target options.
  const char *baked = GSCC_CLANG_LIBRARY_DIRS;
  if (*baked && tools_.clang == "clang-19" && target_args_.empty()) {
    std::istringstream dirs(baked);
    std::string d;
    while (std::getline(dirs, d, ':'))
      if (!d.empty()) default_dirs_.push_back(d);
    return default_dirs_;
  }
  Argv argv = {tools_.clang};
  argv.insert(argv.end(), target_args_.begin(), target_args_.end());
  argv.push_back("-print-search-dirs");
  std::string text;
  RunOptions opts;
  opts.capture = &text;
  Tools quiet = tools_;
  quiet.dry_run = false;  // a query, harmless, and needed to print the plan
  if (!run_tool(quiet, argv, opts).ok()) return default_dirs_;
  std::istringstream in(text);
  std::string line;
  const std::string key = "libraries: =";
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    std::istringstream dirs(line.substr(key.size()));
    std::string d;
    while (std::getline(dirs, d, ':'))
      if (!d.empty()) default_dirs_.push_back(d);
  }
  return default_dirs_;
}

std::string LibraryResolver::static_archive(const std::string &name, bool static_only) {
  auto search = [&](const std::vector<std::string> &dirs, std::string &found) -> bool {
    for (const std::string &d : dirs) {
      if (name.size() > 1 && name[0] == ':') {  // -l:libfoo.a names the file itself
        std::string p = d + "/" + name.substr(1);
        if (file_exists(p)) {
          found = classify_file(p) == FileKind::Archive ? p : "";
          return true;
        }
        continue;
      }
      if (!static_only && file_exists(d + "/lib" + name + ".so")) {
        found = "";  // the shared library wins in this directory
        return true;
      }
      if (file_exists(d + "/lib" + name + ".a")) {
        found = d + "/lib" + name + ".a";
        return true;
      }
    }
    return false;
  };
  std::string found;
  if (search(user_dirs_, found)) return found;
  if (search(default_dirs(), found)) return found;
  return "";
}

}  // namespace gscc
