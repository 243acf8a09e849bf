// args.h - reading a clang command line the way clang reads it, far enough for
// gscc to know what the invocation does.
//
// gscc forwards every argument unchanged; it only has to find out
//   - which tokens are input files (and whether each is compiled or linked),
//   - whether the invocation links, and into what (executable, -shared, -r),
//   - the -o output, the -l libraries and -L directories, and a few flags.
// To tell inputs from option values it needs the options that take their value
// as the *next* token ("-o out", "-I dir", "-Xlinker x"); the table is in
// args.cpp. Joined forms ("-Idir", "-Wl,a,b") never consume a token.
#ifndef GSCC_ARGS_H
#define GSCC_ARGS_H

#include <string>
#include <vector>

namespace gscc {

enum class ArgKind {
  Option,   // anything else; tokens forwarded verbatim
  Input,    // a file (or "-" for stdin)
  Library,  // -lfoo, -l foo, -l:libfoo.a
  Output,   // -o file
  Lang,     // -x lang
  DashDash, // "--": every later token is an input
};

struct Arg {
  ArgKind kind = ArgKind::Option;
  std::vector<std::string> tokens;  // as written (one or two tokens)
  std::string value;                // Input: path; Library: name; Output: file; Lang: language
  // Input only:
  std::string lang;                 // the -x language in force ("" = by extension)
  bool source = false;              // compiled by clang (not handed to the linker)
  bool assembly = false;            // an assembler source (no plugin, no frame flags)
  // Library only: the linker would only accept a static archive here
  // (-static, or -Wl,-Bstatic in force at this position).
  bool static_only = false;
};

struct Invocation {
  std::vector<Arg> args;

  bool no_link = false;       // -c -S -E -M -MM -fsyntax-only --precompile ...
  bool preprocess_only = false; // -E -M -MM -fsyntax-only: no code generated
  bool to_assembly = false;     // -S: no object (and no notes to strip)
  bool to_object = false;       // -c
  bool shared = false;        // -shared
  bool relocatable = false;   // -r: a partial link, thunks come at the final link
  bool static_link = false;   // -static / -static-pie
  bool no_startfiles = false; // -nostartfiles / -nostdlib: no crt1, no main to wrap
  bool verbose = false;       // -v
  bool dry_run = false;       // -###
  bool dep_file = false;      // -MD / -MMD
  bool dep_file_named = false;// -MF given
  std::string output;         // -o value, "" if none
  std::vector<std::string> lib_dirs;     // -L, in order
  std::vector<std::string> target_args;  // --sysroot, -B, --target ...: for -print-search-dirs
  std::string unsupported_target;        // non-empty: why gscc refuses (-m32, --target=...)
  std::string lto;                       // the -flto[=...] in force ("" if none, or -fno-lto after it)
  bool split_stack = false;              // -fsplit-stack in force (the last of it and -fno-split-stack)
  // Sanitizers growstack cannot run with, as the command line leaves them
  // (-fsanitize= adds, -fno-sanitize= removes; in their order), in the order
  // first named: address, memory, thread... (args.cpp kRefusedSanitizers).
  std::vector<std::string> refused_sanitizers;

  bool has_inputs() const;
  bool has_sources() const;
  bool has_compiled_sources() const;  // sources that are not assembly
};

// Expand @response-files (GNU quoting, recursively) the way clang does; an
// unreadable @file stays as it is (clang then reports it as a missing input).
std::vector<std::string> expand_response_files(const std::vector<std::string> &in);

Invocation parse_command_line(const std::vector<std::string> &tokens);

// Whether a file extension (without the dot) names something clang compiles.
bool is_source_extension(const std::string &ext);

}  // namespace gscc

#endif
