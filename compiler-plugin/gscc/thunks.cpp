// thunks.cpp - see thunks.h.
#include "thunks.h"

#include "elf.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

namespace gscc {

Status run_tool(const Tools &tools, const Argv &argv, const RunOptions &opts) {
  if (tools.dry_run) {
    if (!opts.cwd.empty()) std::fprintf(stderr, "# gscc: in %s:\n", opts.cwd.c_str());
    std::fprintf(stderr, "%s\n", format_hashhash(argv).c_str());
    return Status{};
  }
  if (tools.verbose) {
    if (opts.cwd.empty())
      std::fprintf(stderr, "gscc: %s\n", format_shell(argv).c_str());
    else
      std::fprintf(stderr, "gscc: (cd %s && %s)\n", shell_quote(opts.cwd).c_str(),
                   format_shell(argv).c_str());
  }
  return run(argv, opts);
}

namespace {

const char kPrefix[] = "__gs_x";

// Characters a C or C++ (mangled) symbol uses. Anything else is left alone:
// the name stays undefined and the linker reports it.
bool plain_symbol(const std::string &s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '_' || c == '.' || c == '$')) return false;
  return true;
}

}  // namespace

bool parse_thunk_symbol(const std::string &sym, ThunkRef &out) {
  const size_t plen = sizeof kPrefix - 1;
  if (sym.compare(0, plen, kPrefix) != 0) return false;
  size_t i = plen;
  unsigned long n = 0;
  while (i < sym.size() && std::isdigit(static_cast<unsigned char>(sym[i]))) {
    n = n * 10 + static_cast<unsigned long>(sym[i] - '0');
    if (n > INT_MAX) return false;  // no call passes 2 GiB of stack arguments
    ++i;
  }
  if (i >= sym.size() || sym[i] != '.') return false;
  std::string target = sym.substr(i + 1);
  if (!plain_symbol(target) || !plain_symbol(sym)) return false;
  out.symbol = sym;
  out.target = target;
  out.n = n;
  out.weak_target = false;
  return true;
}

FileKind classify_file(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return FileKind::Missing;
  unsigned char h[20] = {0};
  f.read(reinterpret_cast<char *>(h), sizeof h);
  size_t got = static_cast<size_t>(f.gcount());
  if (got >= 8 && (std::memcmp(h, "!<arch>\n", 8) == 0 || std::memcmp(h, "!<thin>\n", 8) == 0))
    return FileKind::Archive;
  if (got >= 18 && std::memcmp(h, "\x7f" "ELF", 4) == 0) {
    unsigned type = h[16] | (h[17] << 8);  // e_type, little-endian (x86-64 only)
    if (type == 1) return FileKind::Object;
    if (type == 3) return FileKind::SharedObject;
    return FileKind::Other;
  }
  // LLVM bitcode (-flto objects), raw or in the wrapper header: llvm-nm reads it.
  if (is_bitcode(h, got)) return FileKind::Object;
  return FileKind::Other;  // linker scripts, ...
}

void SymbolSets::add(const std::string &name, bool undefined, bool weak) {
  if (!undefined) {
    defined.insert(name);
    return;
  }
  (weak ? weak_ref : strong_ref).insert(name);
  if (name.compare(0, sizeof kPrefix - 1, kPrefix) == 0) thunk_refs.insert(name);
}

void SymbolSets::merge(const SymbolSets &o) {
  thunk_refs.insert(o.thunk_refs.begin(), o.thunk_refs.end());
  defined.insert(o.defined.begin(), o.defined.end());
  strong_ref.insert(o.strong_ref.begin(), o.strong_ref.end());
  weak_ref.insert(o.weak_ref.begin(), o.weak_ref.end());
}

namespace {

bool is_bitcode_file(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  unsigned char h[4] = {0};
  f.read(reinterpret_cast<char *>(h), sizeof h);
  return is_bitcode(h, static_cast<size_t>(f.gcount()));
}

// llvm-nm for the inputs gscc does not read itself. POSIX format: "name type
// [value size]" per symbol; archive members and files are introduced by a
// "file[member]:" line, which has a single field. A bitcode file that holds
// the plugin's module descriptor (gs.module) was instrumented, and the link
// would optimise it again (-flto outside gscc, e.g. CMake's
// INTERPROCEDURAL_OPTIMIZATION with growstack_instrument): its name goes to
// `instrumented_bitcode`.
bool nm_symbols(const Tools &tools, const std::vector<std::string> &files, SymbolSets &sets,
                std::vector<std::string> &instrumented_bitcode) {
  Argv argv = {tools.nm, "--format=posix", "--no-sort", "--quiet", "--extern-only"};
  argv.insert(argv.end(), files.begin(), files.end());
  if (tools.dry_run) {
    run_tool(tools, argv);
    return true;
  }
  std::string text;
  RunOptions opts;
  opts.capture = &text;
  Status st = run_tool(tools, argv, opts);
  if (!st.ok()) {
    std::fprintf(stderr, "gscc: %s failed (status %d) listing the symbols of the link inputs\n",
                 tools.nm.c_str(), st.code);
    return false;
  }
  std::istringstream in(text);
  std::string line, file = files.size() == 1 ? files[0] : std::string();
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string name, type;
    if (!(ls >> name)) continue;
    if (!(ls >> type)) {
      if (name.size() > 1 && name.back() == ':') file = name.substr(0, name.size() - 1);
      continue;
    }
    if (name == "gs.module" && type != "U" && !file.empty() && is_bitcode_file(file) &&
        std::find(instrumented_bitcode.begin(), instrumented_bitcode.end(), file) ==
            instrumented_bitcode.end())
      instrumented_bitcode.push_back(file);
    if (type.size() != 1) continue;
    char t = type[0];
    bool undefined = (t == 'U' || t == 'w' || t == 'v');
    sets.add(name, undefined, t != 'U' && undefined);
  }
  return true;
}

}  // namespace

bool collect_thunk_refs(const Tools &tools, const std::vector<std::string> &files,
                        std::vector<ThunkRef> &out) {
  out.clear();
  SymbolSets sets;
  std::vector<std::string> by_nm;
  for (const std::string &f : files) {
    std::string why;
    if (tools.dry_run || !read_symbols(f, sets, why)) {
      if (tools.verbose && !tools.dry_run)
        std::fprintf(stderr, "gscc: %s: %s; asking %s\n", f.c_str(), why.c_str(),
                     tools.nm.c_str());
      by_nm.push_back(f);
    }
  }
  if (tools.dry_run) {
    if (!files.empty())
      std::fprintf(stderr, "# gscc: reads the symbols of these inputs itself (llvm-nm only for "
                           "bitcode and thin archives):\n");
    for (const std::string &f : files) std::fprintf(stderr, "#   %s\n", f.c_str());
    return true;
  }
  std::vector<std::string> instrumented_bitcode;
  if (!by_nm.empty() && !nm_symbols(tools, by_nm, sets, instrumented_bitcode)) return false;
  for (const std::string &f : instrumented_bitcode)
    std::fprintf(stderr,
                 "gscc: %s: LLVM bitcode compiled with the growstack plugin (-flto): "
                 "link-time optimisation is not supported, the link would optimise the "
                 "instrumented code again (docs/usage.md section 5); compile it without "
                 "-flto\n",
                 f.c_str());
  if (!instrumented_bitcode.empty()) return false;
  for (const std::string &name : sets.thunk_refs) {
    if (sets.defined.count(name)) continue;
    ThunkRef ref;
    if (!parse_thunk_symbol(name, ref)) continue;
    // `if (&foo) foo();` on a weak declaration: keep the thunk's reference weak
    // too, or the archive member would turn an optional function into a
    // required one. A plain call alone keeps the reference strong, so a missing
    // function is still a link error.
    ref.weak_target = sets.weak_ref.count(ref.target) && !sets.strong_ref.count(ref.target);
    out.push_back(ref);
  }
  return true;
}

bool build_thunk_archive(const Tools &tools, const std::vector<ThunkRef> &refs, bool shared,
                         const std::string &archive) {
  if (tools.dry_run) {
    std::fprintf(stderr, "# gscc: writes %s: one thunk object per __gs_x* name%s\n",
                 archive.c_str(), shared ? ", plus the weak __morestack stand-ins" : "");
    return true;
  }
  std::vector<ArchiveMember> members;
  members.reserve(refs.size() + 1);
  for (size_t i = 0; i < refs.size(); ++i) members.push_back(thunk_object(refs[i], shared, i));
  if (shared) members.push_back(stand_ins_object());
  if (!write_archive(archive, members)) {
    std::fprintf(stderr, "gscc: cannot write %s: %s\n", archive.c_str(), std::strerror(errno));
    return false;
  }
  if (tools.verbose)
    std::fprintf(stderr, "gscc: wrote %s (%zu thunk(s)%s)\n", archive.c_str(), refs.size(),
                 shared ? " and the __morestack stand-ins" : "");
  return true;
}

}  // namespace gscc
