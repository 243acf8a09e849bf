// layout.h - where gscc finds the plugin, the runtime and the header, and
// where the linker would find a -l library.
//
// gscc locates everything relative to its own executable (/proc/self/exe):
//
//     <prefix>/bin/gscc
//     <prefix>/lib/growstack/growstack-plugin.so     (<prefix>/<libdir>/growstack
//     <prefix>/lib/growstack/libgrowstack.a           when installed with another
//     <prefix>/include/growstack.h                    CMAKE_INSTALL_LIBDIR)
//
// The build tree has the same shape, so a freshly built gscc works in place and
// an installed one works wherever the prefix is moved.
#ifndef GSCC_LAYOUT_H
#define GSCC_LAYOUT_H

#include <string>
#include <vector>

#include "thunks.h"

namespace gscc {

struct Layout {
  std::string self;         // this executable
  std::string prefix;       // <prefix>
  std::string plugin;       // path of growstack-plugin.so (maybe missing)
  std::string runtime;      // path of libgrowstack.a (maybe missing)
  std::string include_dir;  // directory holding growstack.h (maybe missing)
  std::vector<std::string> lib_candidates;  // <prefix>/<libdir>/growstack, ...

  bool plugin_exists() const;
  bool runtime_exists() const;
  bool header_exists() const;
};

Layout locate_layout();

// "gscc: cannot find growstack-plugin.so at <path>; is growstack built/installed?"
void report_missing(const Layout &l, const std::string &file, const std::string &path);

bool file_exists(const std::string &path);

// Resolves -l names the way the linker will, to decide which static archives
// gscc must scan for __gs_x* references. The search path is every -L directory
// (in order, wherever they appear: GNU ld applies them to all -l options) and
// then clang's own library directories (recorded when gscc was built, or asked
// once from clang -print-search-dirs when GSCC_CLANG or target options are given).
class LibraryResolver {
 public:
  LibraryResolver(const Tools &tools, std::vector<std::string> lib_dirs,
                  std::vector<std::string> target_args)
      : tools_(tools), user_dirs_(std::move(lib_dirs)), target_args_(std::move(target_args)) {}

  // The static archive the linker would use for -l<name> ("-l:file" forms
  // included), or "" when it would take a shared library or find nothing (then
  // the linker reports the library itself).
  std::string static_archive(const std::string &name, bool static_only);

 private:
  const std::vector<std::string> &default_dirs();
  const Tools &tools_;
  std::vector<std::string> user_dirs_;
  std::vector<std::string> target_args_;
  std::vector<std::string> default_dirs_;
  bool defaults_known_ = false;
};

}  // namespace gscc

#endif
