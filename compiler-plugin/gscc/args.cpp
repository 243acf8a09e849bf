// args.cpp - see args.h.
#include "args.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace gscc {

namespace {

// Options whose value may be the next token (clang 19's Separate and
// JoinedOrSeparate options that a Linux C/C++ build can meet). When the token
// equals one of these exactly, the next token is its value, never an input.
const std::set<std::string> kTakesNext = {
    "-o", "-x", "-I", "-L", "-l", "-D", "-U", "-F", "-B", "-u", "-e", "-T",
    "-A", "-G", "-z", "-MF", "-MT", "-MQ", "-MJ",
    "-Xlinker", "-Xassembler", "-Xpreprocessor", "-Xclang", "-Xanalyzer",
    "-Xopenmp-target", "-Xcuda-ptxas", "-Xcuda-fatbinary", "-Xarch_device",
    "-Xarch_host", "-Xoffload-linker", "-Xflang", "-mllvm", "-target", "-arch",
    "-include", "-imacros", "-isystem", "-idirafter", "-iquote", "-iprefix",
    "-iwithprefix", "-iwithprefixbefore", "-isysroot", "-iframework",
    "-iframeworkwithsysroot", "-cxx-isystem", "-isystem-after", "-ivfsoverlay",
    "-iwithsysroot", "-include-pch", "-working-directory", "-dependency-file",
    "-dependency-dot", "-serialize-diagnostics", "--serialize-diagnostics",
    "-resource-dir", "-dumpdir", "-rpath", "-specs", "--specs", "--param",
    "--output", "--language", "--include-directory", "--include-directory-after",
    "--library-directory", "--define-macro", "--undefine-macro", "--for-linker",
    "--force-link", "--include", "--include-prefix", "--include-with-prefix",
    "--include-with-prefix-after", "--include-with-prefix-before", "--imacros",
    "--prefix", "--sysroot", "--assert", "--config",
};

// Flags after which clang stops before linking.
const std::set<std::string> kNoLink = {
    "-c", "--compile", "-S", "--assemble", "-E", "--preprocess", "-M", "-MM",
    "--dependencies", "--user-dependencies", "-fsyntax-only", "--precompile",
    "--analyze", "-emit-ast", "-fdriver-only",
};
// ... and of those, the ones that generate no code (the plugin never runs).
const std::set<std::string> kNoCodegen = {
    "-E", "--preprocess", "-M", "-MM", "--dependencies", "--user-dependencies",
    "-fsyntax-only", "--analyze", "-emit-ast", "-fdriver-only",
};

const std::set<std::string> kSourceExt = {
    "c", "i", "h", "cc", "cp", "cxx", "cpp", "CPP", "c++", "C", "ii", "hh",
    "hpp", "hxx", "H", "m", "mi", "mm", "M", "mii", "s", "S", "sx", "ll", "bc",
    "cu", "hip", "cl", "clcpp", "pcm", "ast",
};
const std::set<std::string> kAsmExt = {"s", "S", "sx"};

bool starts_with(const std::string &s, const char *p) { return s.rfind(p, 0) == 0; }

std::string extension(const std::string &path) {
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  return path.substr(dot + 1);
}

// GNU-style tokenizing, as gcc and clang do on Linux: whitespace separates,
// '...' is literal, "..." and bare text honour backslash escapes.
bool tokenize_gnu(const std::string &text, std::vector<std::string> &out) {
  std::string cur;
  bool in_token = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      if (in_token) out.push_back(cur);
      cur.clear();
      in_token = false;
    } else if (c == '\\' && i + 1 < text.size()) {
      cur += text[++i];
      in_token = true;
    } else if (c == '\'' || c == '"') {
      char q = c;
      in_token = true;
      for (++i; i < text.size() && text[i] != q; ++i) {
        if (q == '"' && text[i] == '\\' && i + 1 < text.size()) ++i;
        cur += text[i];
      }
    } else {
      cur += c;
      in_token = true;
    }
  }
  if (in_token) out.push_back(cur);
  return true;
}

void expand_into(const std::vector<std::string> &in, std::vector<std::string> &out,
                 int depth) {
  for (const std::string &t : in) {
    if (t.size() > 1 && t[0] == '@' && depth < 20) {
      std::ifstream f(t.substr(1), std::ios::binary);
      if (f) {
        std::stringstream ss;
        ss << f.rdbuf();
        std::vector<std::string> sub;
        tokenize_gnu(ss.str(), sub);
        expand_into(sub, out, depth + 1);
        continue;
      }
    }
    out.push_back(t);
  }
}

// Linker flags that switch between shared and static library search.
void note_linker_flag(const std::string &f, bool &bstatic, Invocation &inv) {
  if (f == "-Bstatic" || f == "-dn" || f == "-non_shared" || f == "-static")
    bstatic = true;
  else if (f == "-Bdynamic" || f == "-dy" || f == "-call_shared")
    bstatic = false;
  else if (f == "-shared" || f == "--shared" || f == "-Bshareable")
    inv.shared = true;
  else if (f == "-r" || f == "--relocatable" || f == "-i")
    inv.relocatable = true;
}

void check_target(const std::string &triple, Invocation &inv) {
  bool x86_64 = starts_with(triple, "x86_64") || starts_with(triple, "amd64");
  bool on_linux = triple.find("linux") != std::string::npos;
  bool x32 = triple.size() >= 3 && triple.compare(triple.size() - 3, 3, "x32") == 0;
  if (!x86_64 || !on_linux || x32)
    inv.unsupported_target = "target " + triple;
}

}  // namespace

bool is_source_extension(const std::string &ext) { return kSourceExt.count(ext) != 0; }

bool Invocation::has_inputs() const {
  for (const Arg &a : args)
    if (a.kind == ArgKind::Input || a.kind == ArgKind::Library) return true;
  return false;
}

bool Invocation::has_sources() const {
  for (const Arg &a : args)
    if (a.kind == ArgKind::Input && a.source) return true;
  return false;
}

bool Invocation::has_compiled_sources() const {
  for (const Arg &a : args)
    if (a.kind == ArgKind::Input && a.source && !a.assembly) return true;
  return false;
}

std::vector<std::string> expand_response_files(const std::vector<std::string> &in) {
  std::vector<std::string> out;
  expand_into(in, out, 0);
  return out;
}

// Sanitizers whose run-time part keeps shadow state per stack address or
// replaces memcpy & co. (which instrumented code calls on the coroutine stack,
// protocol.md 4.1), or which keep a stack of their own per thread: a stack
// that moves, or a tiny stack that grows, breaks them (docs/usage.md section
// 5). The groups clang expands to these are listed too.
static const std::set<std::string> kRefusedSanitizers = {
    "address",        "pointer-compare",  "pointer-subtract", "hwaddress",
    "kernel-address", "kernel-hwaddress", "memory",           "kernel-memory",
    "thread",         "safe-stack",       "dataflow",         "memtag",
    "memtag-stack",   "memtag-heap",      "memtag-globals",   "shadow-call-stack",
    "numerical",
};

// Apply one -fsanitize=a,b (on) or -fno-sanitize=a,b (off) to the list.
static void note_sanitizers(const std::string &list, bool on, std::vector<std::string> &refused) {
  size_t start = 0;
  for (;;) {
    size_t comma = list.find(',', start);
    std::string name = list.substr(start, comma == std::string::npos ? comma : comma - start);
    if (on && kRefusedSanitizers.count(name) &&
        std::find(refused.begin(), refused.end(), name) == refused.end())
      refused.push_back(name);
    if (!on) {
      if (name == "all")
        refused.clear();
      else
        refused.erase(std::remove(refused.begin(), refused.end(), name), refused.end());
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

Invocation parse_command_line(const std::vector<std::string> &tok) {
  Invocation inv;
  std::string lang;       // -x in force
  bool bstatic = false;   // -Wl,-Bstatic in force
  bool dashdash = false;

  auto add_input = [&](const std::string &t) {
    Arg a;
    a.kind = ArgKind::Input;
    a.tokens = {t};
    a.value = t;
    a.lang = lang;
    std::string ext = extension(t);
    if (!lang.empty()) {
      a.source = true;
      a.assembly = lang == "assembler" || lang == "assembler-with-cpp";
    } else if (t == "-") {
      a.source = true;  // clang insists on -x or -E for stdin and says so
    } else {
      a.source = is_source_extension(ext);
      a.assembly = kAsmExt.count(ext) != 0;
    }
    inv.args.push_back(a);
  };

  for (size_t i = 0; i < tok.size(); ++i) {
    const std::string &t = tok[i];
    if (dashdash || t == "-" || t.empty() || t[0] != '-') {
      add_input(t);
      continue;
    }
    if (t == "--") {
      dashdash = true;
      Arg a;
      a.kind = ArgKind::DashDash;
      a.tokens = {t};
      inv.args.push_back(a);
      continue;
    }

    Arg a;
    a.tokens = {t};
    // The value of the option: joined, or the next token.
    std::string val;
    bool separate = kTakesNext.count(t) != 0 || starts_with(t, "-Xarch_") ||
                    starts_with(t, "-Xopenmp-target=");
    if (separate) {
      if (i + 1 < tok.size()) {
        val = tok[++i];
        a.tokens.push_back(val);
      }
    }
    auto joined = [&](const char *name) -> bool {
      // "-ofile" / "--output=file"
      if (separate) return t == name;
      size_t n = std::char_traits<char>::length(name);
      if (t.size() > n && t.compare(0, n, name) == 0) {
        val = t.substr(n);
        return true;
      }
      return false;
    };

    if ((!starts_with(t, "-obj") && joined("-o")) || joined("--output=") || (separate && t == "--output")) {
      a.kind = ArgKind::Output;
      a.value = val;
      inv.output = val;
    } else if (joined("-x") || joined("--language=") || (separate && t == "--language")) {
      a.kind = ArgKind::Lang;
      a.value = val;
      lang = (val == "none") ? "" : val;
    } else if (t == "-l" || (starts_with(t, "-l") && t.size() > 2)) {
      if (t != "-l") val = t.substr(2);
      a.kind = ArgKind::Library;
      a.value = val;
      a.static_only = bstatic;
    } else if (joined("-L") || joined("--library-directory=") ||
               (separate && t == "--library-directory")) {
      inv.lib_dirs.push_back(val);
    } else if (starts_with(t, "-Wl,")) {
      std::string rest = t.substr(4);
      size_t start = 0;
      for (;;) {
        size_t comma = rest.find(',', start);
        note_linker_flag(rest.substr(start, comma - start), bstatic, inv);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (t == "-Xlinker" || t == "--for-linker" || starts_with(t, "--for-linker=")) {
      if (starts_with(t, "--for-linker=")) val = t.substr(13);
      note_linker_flag(val, bstatic, inv);
    } else if (kNoLink.count(t)) {
      inv.no_link = true;
      if (kNoCodegen.count(t)) inv.preprocess_only = true;
      if (t == "-S" || t == "--assemble") inv.to_assembly = true;
      if (t == "-c" || t == "--compile") inv.to_object = true;
    } else if (t == "-shared" || t == "--shared") {
      inv.shared = true;
    } else if (t == "-r") {
      inv.relocatable = true;
    } else if (t == "-static" || t == "--static" || t == "-static-pie") {
      inv.static_link = true;
    } else if (t == "-nostartfiles" || t == "-nostdlib" || t == "--no-standard-libraries") {
      inv.no_startfiles = true;
    } else if (t == "-v" || t == "--verbose") {
      inv.verbose = true;
    } else if (t == "-###") {
      inv.dry_run = true;
    } else if (t == "-MD" || t == "-MMD" || t == "--write-dependencies" ||
               t == "--write-user-dependencies") {
      inv.dep_file = true;
    } else if (starts_with(t, "-MF")) {
      inv.dep_file_named = true;
    } else if (t == "-flto" || starts_with(t, "-flto=")) {
      inv.lto = t;  // the last of -flto and -fno-lto wins, as in clang
    } else if (t == "-fno-lto") {
      inv.lto.clear();
    } else if (t == "-fsplit-stack" || t == "-fno-split-stack") {
      inv.split_stack = t == "-fsplit-stack";
    } else if (starts_with(t, "-fsanitize=")) {
      note_sanitizers(t.substr(11), true, inv.refused_sanitizers);
    } else if (starts_with(t, "-fno-sanitize=")) {
      note_sanitizers(t.substr(14), false, inv.refused_sanitizers);
    } else if (t == "-m32" || t == "-mx32" || t == "-m16") {
      inv.unsupported_target = t;
    } else if (t == "-target" || starts_with(t, "--target=") || starts_with(t, "-target=")) {
      if (t != "-target") val = t.substr(t.find('=') + 1);
      check_target(val, inv);
      for (const std::string &x : a.tokens) inv.target_args.push_back(x);
    } else if (starts_with(t, "--sysroot") || starts_with(t, "-B") ||
               starts_with(t, "--gcc-toolchain=") || starts_with(t, "--gcc-install-dir=") ||
               starts_with(t, "--gcc-triple=") || t == "-m64") {
      for (const std::string &x : a.tokens) inv.target_args.push_back(x);
    }
    inv.args.push_back(a);
  }
  return inv;
}

}  // namespace gscc
