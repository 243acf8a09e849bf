// thunks.cpp - see thunks.h.
#include "thunks.h"

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
  if (got >= 4 && ((h[0] == 'B' && h[1] == 'C' && h[2] == 0xc0 && h[3] == 0xde) ||
                   (h[0] == 0xde && h[1] == 0xc0 && h[2] == 0x17 && h[3] == 0x0b)))
    return FileKind::Object;
  return FileKind::Other;  // linker scripts, ...
}

bool collect_thunk_refs(const Tools &tools, const std::vector<std::string> &files,
                        std::vector<ThunkRef> &out) {
  out.clear();
  if (files.empty()) return true;
  // POSIX format: "name type [value size]" per symbol; archive members and files
  // are introduced by a "file[member]:" line, which has a single field.
  Argv argv = {tools.nm, "--format=posix", "--no-sort", "--quiet"};
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

  std::map<std::string, ThunkRef> wanted;  // referenced __gs_x* names
  std::set<std::string> defined;           // every defined symbol
  std::set<std::string> strong_ref, weak_ref;  // undefined references (any name)
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string name, type;
    if (!(ls >> name >> type)) continue;
    if (type.size() != 1) continue;
    char t = type[0];
    bool undefined = (t == 'U' || t == 'w' || t == 'v');
    if (!undefined) {
      defined.insert(name);
      continue;
    }
    if (t == 'U')
      strong_ref.insert(name);
    else
      weak_ref.insert(name);
    ThunkRef ref;
    if (parse_thunk_symbol(name, ref)) wanted.emplace(name, ref);
  }
  for (auto &kv : wanted) {
    if (defined.count(kv.first)) continue;
    ThunkRef ref = kv.second;
    // `if (&foo) foo();` on a weak declaration: keep the thunk's reference weak
    // too, or the archive member would turn an optional function into a
    // required one. A plain call alone keeps the reference strong, so a missing
    // function is still a link error.
    ref.weak_target = weak_ref.count(ref.target) && !strong_ref.count(ref.target);
    out.push_back(ref);
  }
  return true;
}

std::string thunk_assembly(const ThunkRef &ref, bool shared) {
  const std::string sym = "\"" + ref.symbol + "\"";
  std::ostringstream s;
  s << "# growstack thunk, docs/protocol.md section 4.1 (generated by gscc)\n"
    << "\t.text\n";
  if (shared) {
    s << "\t.weak\t" << sym << "\n";
  } else {
    s << "\t.globl\t" << sym << "\n"
      << "\t.hidden\t" << sym << "\n";
  }
  if (ref.weak_target) s << "\t.weak\t\"" << ref.target << "\"\n";
  s << "\t.type\t" << sym << ",@function\n"
    << "\t.p2align\t4\n"
    << sym << ":\n"
    << "\tmovq\t\"" << ref.target << "\"@GOTPCREL(%rip), %r10\n"
    << "\tmovl\t$" << ref.n << ", %r11d\n"
    << "\tjmp\t__gs_tramp@PLT\n"
    << "\t.size\t" << sym << ", .-" << sym << "\n"
    // For lld and gold, which rewrite the prologue of a split-stack function
    // that calls code not marked split-stack (to always call
    // __morestack_non_split): a thunk is split-stack aware, it uses nothing of
    // the coroutine stack, so its callers must stay as compiled. The second
    // note says the thunk has no prologue of its own to rewrite for its jump
    // to __gs_tramp.
    << "\t.section\t.note.GNU-split-stack,\"\",@progbits\n"
    << "\t.section\t.note.GNU-no-split-stack,\"\",@progbits\n"
    << "\t.section\t.note.GNU-stack,\"\",@progbits\n";
  return s.str();
}

std::string shared_stubs_assembly() {
  std::ostringstream s;
  s << "# growstack: weak stand-ins for the runtime's split-stack entry points in a\n"
    << "# gscc -shared link (generated by gscc; see thunks.h)\n"
    << "\t.text\n";
  for (const char *name : {"__morestack", "__morestack_allocate_stack_space"}) {
    s << "\t.weak\t" << name << "\n"
      << "\t.type\t" << name << ",@function\n"
      << "\t.p2align\t4\n"
      << name << ":\n"
      << "\tud2\n"
      << "\t.size\t" << name << ", .-" << name << "\n";
  }
  s << "\t.section\t.note.GNU-split-stack,\"\",@progbits\n"
    << "\t.section\t.note.GNU-no-split-stack,\"\",@progbits\n"
    << "\t.section\t.note.GNU-stack,\"\",@progbits\n";
  return s.str();
}

bool build_thunk_archive(const Tools &tools, const std::vector<ThunkRef> &refs,
                         bool shared, TempDir &tmp, const std::string &archive) {
  if (!tools.dry_run) unlink(archive.c_str());  // llvm-ar would add to it
  // Member sources: one per thunk, plus the stand-ins in a shared object.
  std::vector<std::string> sources;
  for (const ThunkRef &ref : refs) sources.push_back(thunk_assembly(ref, shared));
  if (shared) sources.push_back(shared_stubs_assembly());
  if (sources.empty()) {
    if (tools.dry_run) return true;
    std::ofstream f(archive, std::ios::binary | std::ios::trunc);
    f << "!<arch>\n";
    if (!f) {
      std::fprintf(stderr, "gscc: cannot write %s: %s\n", archive.c_str(), std::strerror(errno));
      return false;
    }
    return true;
  }

  // Files are named by index: symbol names can be long and contain '$'.
  Argv as = {tools.clang, "-c"};
  Argv ar = {tools.ar, "rcsD", archive};
  for (size_t i = 0; i < sources.size(); ++i) {
    std::string base = "gs_thunk_" + std::to_string(i);
    std::string src = tmp.file(base + ".s");
    tmp.file(base + ".o");
    if (!tools.dry_run) {
      std::ofstream f(src, std::ios::binary | std::ios::trunc);
      f << sources[i];
      if (!f) {
        std::fprintf(stderr, "gscc: cannot write %s: %s\n", src.c_str(), std::strerror(errno));
        return false;
      }
    }
    as.push_back(base + ".s");
    ar.push_back(tmp.path() + "/" + base + ".o");
  }
  // One clang for all members; with several inputs and -c, clang writes each
  // object next to the current directory, hence the cwd.
  RunOptions in_tmp;
  in_tmp.cwd = tmp.path();
  if (tools.dry_run)
    std::fprintf(stderr, "# gscc: in %s, with one gs_thunk_<i>.s per __gs_x* name:\n",
                 tmp.path().c_str());
  Status st = run_tool(tools, as, in_tmp);
  if (!st.ok()) {
    std::fprintf(stderr, "gscc: assembling the thunks failed (status %d)\n", st.code);
    return false;
  }
  st = run_tool(tools, ar);
  if (!st.ok()) {
    std::fprintf(stderr, "gscc: %s failed (status %d) writing %s\n", tools.ar.c_str(), st.code,
                 archive.c_str());
    return false;
  }
  return true;
}

}  // namespace gscc
