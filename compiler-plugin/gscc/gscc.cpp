// gscc - the growstack C compiler driver: clang-19 plus the growstack plugin,
// zeroed locals and, when linking, the runtime and the thunk archive.
//
//   gscc [clang arguments...]          compile and/or link like clang
//   gscc --gs-thunks -o out.a [-shared] [-static] [-L dir] [-l name] inputs...
//   gscc --gs-link [--gs-wrap-main] <driver> <link arguments...>
//   gscc --gs-print-plugin | --gs-print-runtime | --gs-print-include-dir
//   gscc --gs-help | --gs-version
//
// What gscc adds (docs/usage.md has the user's view, docs/protocol.md the why):
//
//   compiling C:   -fpass-plugin=<plugin> -ftrivial-auto-var-init=zero
//                  (-ftrivial-auto-var-init-max-size=32 when optimising),
//                  -fdebug-default-version=4, and -I<prefix>/include after
//                  the user's -I options. No frame pointers: the runtime walks
//                  frames by their call-frame information (protocol.md 5.3).
//   linking an executable:
//                  <user inputs> <thunk archive> <libgrowstack.a> -pthread
//                  -Wl,--wrap=main      the runtime's __wrap_main runs main on
//                                       a coroutine
//                  -Wl,--undefined=main pull main out of a user archive even
//                                       though only the runtime refers to it
//                  -Wl,--wrap=pthread_create,--wrap=thrd_create
//                                       thread start routines run on coroutines
//                  -Wl,--wrap=makecontext,--wrap=swapcontext,--wrap=setcontext
//                                       a makecontext stack has a side stack of
//                                       its own
//                  -Wl,--wrap=longjmp,--wrap=_longjmp,--wrap=siglongjmp,
//                  -Wl,--wrap=__longjmp_chk
//                                       a jmp_buf copied before a move is
//                                       carried over the moves
//                  -Wl,-z,now           lazy binding would run the dynamic
//                                       linker's resolver on a coroutine stack
//                  -Wl,--undefined=__gs_x.read
//                                       transparent mode's entry points (read
//                                       & co.), which gscc-built shared
//                                       libraries call
//                  -Wl,--undefined=__gs_thunk_resolve
//                                       the thunks' resolver, which a library
//                                       dlopened later may need
//                  -Wl,--export-dynamic-symbol=<glob> for __gs_x*, __morestack*,
//                                       __gs_tramp*, __gs_thunk*, __gs_side*,
//                                       gs_*: instrumented shared libraries
//                                       bind to the executable's runtime (side
//                                       stack state, slow path, trampoline and
//                                       the thunks' resolver included, also
//                                       when dlopened) and to its direct-call
//                                       aliases
//   linking with -shared:
//                  <user inputs> <thunk archive> -Wl,-z,now
//   -r (partial link): nothing; the final link supplies thunks and runtime.
//
// The thunk archive needs the symbols of every object, so when one invocation
// both compiles and links, gscc compiles each source to a temporary object
// first (as clang would internally) and then links the objects.
//
// Exit status: clang's (or the tools'); 2 for gscc's own usage errors; 1 when a
// piece of growstack is missing or a helper tool fails.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "elf.h"
#include "gscc_config.h"
#include "layout.h"
#include "process.h"
#include "thunks.h"

namespace gscc {
namespace {

constexpr int kUsageError = 2;
constexpr int kSetupError = 1;

// Symbols an executable exports for instrumented shared libraries
// (docs/protocol.md 4.1): the direct-call aliases and the runtime's entry points.
const char *const kExportGlobs[] = {"__gs_x*", "__morestack*", "__gs_tramp*", "__gs_thunk*",
                                     "__gs_side*", "gs_*"};

// One of the runtime's transparent-mode entries: naming it pulls the object
// that defines all of them (arch/x86_64/block_*.S).
const char kTransparentRoot[] = "__gs_x.read";

bool starts_with(const std::string &s, const char *p) { return s.rfind(p, 0) == 0; }

std::string env_or(const char *name, const char *fallback) {
  const char *v = std::getenv(name);
  return (v && *v) ? v : fallback;
}

bool env_flag(const char *name) {
  const char *v = std::getenv(name);
  return v && *v && std::strcmp(v, "0") != 0;
}

Tools tools_from_env() {
  Tools t;
  t.clang = env_or("GSCC_CLANG", "clang-19");
  t.nm = env_or("GSCC_NM", "llvm-nm-19");
  t.objcopy = env_or("GSCC_OBJCOPY", "llvm-objcopy-19");
  t.verbose = env_flag("GSCC_VERBOSE");
  return t;
}

// Finish with a child's status; a child killed by a signal kills gscc the same
// way (after the temporary files are gone), as a shell would see it.
[[noreturn]] void finish(Status st, TempDir *tmp) {
  if (tmp) tmp->remove();
  std::fflush(stdout);
  std::fflush(stderr);
  if (st.signal) {
    std::signal(st.signal, SIG_DFL);
    std::raise(st.signal);
  }
  std::exit(st.code);
}

std::string basename_of(const std::string &p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string strip_extension(const std::string &p) {
  size_t slash = p.find_last_of('/');
  size_t dot = p.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return p;
  return p.substr(0, dot);
}

// A file operand that starts with '-' (possible after "--") must not look like
// an option once gscc has rearranged the command line.
std::string as_operand(const std::string &path) {
  if (path.size() > 1 && path[0] == '-') return "./" + path;
  return path;
}

// The flags gscc adds to a compilation. `plugin` is false for runs that
// generate no code (-E, -M, -fsyntax-only), where clang never loads it.
bool user_sets_auto_var_init = false;  // set in main from the command line
bool optimizing = false;               // the last -O option is not -O0
bool user_sets_debug_version = false;  // -fdebug-default-version=N given

bool compile_additions(const Layout &l, bool plugin, bool frame, Argv &out) {
  if (plugin) {
    if (!l.plugin_exists()) {
      report_missing(l, "growstack-plugin.so", l.plugin);
      return false;
    }
    out.push_back("-fpass-plugin=" + l.plugin);
  }
  if (frame) {
    // Locals start zeroed: contiguous mode's conservative scan (protocol.md 5.3)
    // would otherwise see the upper bytes of an old stack address next to a char
    // or short the program stored in an uninitialised array, take the word for a
    // pointer and relocate it. A user's own -ftrivial-auto-var-init=... is kept
    // (and with =uninitialized the user takes that risk).
    // Up to GSCC_AUTO_INIT_MAX_SIZE bytes when optimising: the plugin zeroes
    // what the relocation needs of larger locals after the optimiser, at each
    // lifetime start (ZeroLocals.h), and nothing of those on the side stack.
    // At -O0 clang emits no lifetime markers, and a local declared in a loop
    // would be zeroed once, not at each iteration as clang does: all sizes.
    if (!user_sets_auto_var_init) {
      out.push_back("-ftrivial-auto-var-init=zero");
      if (optimizing)
        out.push_back("-ftrivial-auto-var-init-max-size=" GSCC_AUTO_INIT_MAX_SIZE);
    }
    // DWARF 4 when -g names no version: clang-19 defaults to DWARF 5, which
    // valgrind 3.19 (Debian 12) cannot read. An explicit -gdwarf-5 still wins.
    if (!user_sets_debug_version) out.push_back("-fdebug-default-version=4");
  }
  // After every user -I: the user's own growstack.h (if any) wins.
  if (l.header_exists()) out.push_back("-I" + l.include_dir);
  return true;
}

// gold and lld treat an object with .note.GNU-split-stack as split-stack code and
// rewrite the prologue of every function in it that calls a shared library (or a
// non-split object) to always call __morestack_non_split with 16 KiB more. Calls
// that leave instrumented code are already handled by the thunks (protocol.md
// section 4), so gscc's objects carry no such note: every linker leaves them as
// they are. ld.bfd ignores the notes anyway.
// gscc renames the two sections to .note.GNU-stack in place (elf.h); objcopy
// removes them when an object cannot be patched that way.
bool strip_split_stack_notes(const Tools &tools, const std::string &obj) {
  if (tools.dry_run) return true;
  std::string why;
  int r = hide_split_stack_notes(obj, why);
  if (r >= 0) return true;
  if (tools.verbose) std::fprintf(stderr, "gscc: %s: %s; using objcopy\n", obj.c_str(), why.c_str());
  Argv cmd = {tools.objcopy, "--remove-section=.note.GNU-split-stack",
              "--remove-section=.note.GNU-no-split-stack", obj};
  Status st = run_tool(tools, cmd);
  if (!st.ok()) std::fprintf(stderr, "gscc: %s failed on %s\n", tools.objcopy.c_str(), obj.c_str());
  return st.ok();
}

// -c, -S, -E...: one clang run with the additions, which then replaces gscc.
int compile_only(const Tools &tools, const Layout &l, const Invocation &inv,
                 const std::vector<std::string> &tokens) {
  bool codegen = !inv.preprocess_only && inv.has_compiled_sources();
  Argv add;
  if (!compile_additions(l, codegen, inv.has_compiled_sources(), add)) return kSetupError;
  Argv cmd = {tools.clang};
  // Everything after "--" is a file: the additions go before it.
  size_t i = 0;
  for (; i < tokens.size() && tokens[i] != "--"; ++i) cmd.push_back(tokens[i]);
  cmd.insert(cmd.end(), add.begin(), add.end());
  for (; i < tokens.size(); ++i) cmd.push_back(tokens[i]);
  if (!(codegen && inv.to_object && !inv.to_assembly)) {
    if (tools.verbose && !tools.dry_run)
      std::fprintf(stderr, "gscc: %s\n", format_shell(cmd).c_str());
    std::fflush(stderr);
    return exec(cmd);
  }
  // Objects: run clang, then strip the split-stack notes from each output.
  Status st = run_tool(tools, cmd);
  if (st.signal) finish(st, nullptr); // as the link's: gscc dies of the same signal
  if (!st.ok() || tools.dry_run) return st.code;
  std::vector<std::string> outputs;
  if (!inv.output.empty()) {
    outputs.push_back(inv.output);
  } else {
    for (const Arg &a : inv.args)
      if (a.kind == ArgKind::Input && a.source && a.value != "-")
        outputs.push_back(strip_extension(basename_of(a.value)) + ".o");
  }
  for (const std::string &o : outputs)
    if (o != "-" && !strip_split_stack_notes(tools, o)) return kSetupError;
  return 0;
}

// The link: compile sources to temporaries, scan, build thunks, link.
int compile_and_link(Tools &tools, const Layout &l, Invocation &inv, bool wrap_main = true) {
  const bool executable = !inv.shared && !inv.relocatable;
  if (executable && !l.runtime_exists()) {
    report_missing(l, "libgrowstack.a", l.runtime);
    return kSetupError;
  }

  TempDir tmp;
  if (!tools.dry_run) {
    if (!tmp.create()) return kSetupError;
  }
  const std::string tmpdir = tools.dry_run ? std::string("<tmp>") : tmp.path();
  auto temp_file = [&](const std::string &name) {
    return tools.dry_run ? tmpdir + "/" + name : tmp.file(name);
  };

  // 1. Compile each source to an object, with every option except the inputs,
  //    -o and -x (given per source). -Qunused-arguments: link options such as
  //    -l, -L, -Wl, -shared are meant for step 3 and would draw warnings here.
  Argv common;
  for (const Arg &a : inv.args) {
    // -### is gscc's to honour: the plan it prints is the commands themselves.
    if (a.kind == ArgKind::Option && a.tokens[0] != "-###")
      common.insert(common.end(), a.tokens.begin(), a.tokens.end());
  }
  std::vector<std::string> object_of(inv.args.size());
  Status compile_status;
  size_t nsrc = 0;
  for (size_t i = 0; i < inv.args.size(); ++i) {
    const Arg &a = inv.args[i];
    if (a.kind != ArgKind::Input || !a.source) continue;
    std::string stem = a.value == "-" ? std::string("stdin") : strip_extension(basename_of(a.value));
    std::string obj = temp_file(std::to_string(nsrc++) + "-" + stem + ".o");
    Argv cmd = {tools.clang};
    cmd.insert(cmd.end(), common.begin(), common.end());
    if (!compile_additions(l, !a.assembly, !a.assembly, cmd)) return kSetupError;
    // -MD without -MF: name the dependency file as clang's own link would.
    if (inv.dep_file && !inv.dep_file_named) {
      if (!inv.output.empty()) {
        cmd.insert(cmd.end(), {"-MF", strip_extension(inv.output) + ".d", "-MT", inv.output});
      } else {
        cmd.insert(cmd.end(), {"-MF", stem + ".d", "-MT", stem + ".o"});
      }
    }
    cmd.push_back("-Qunused-arguments");
    if (!a.lang.empty()) cmd.insert(cmd.end(), {"-x", a.lang});
    cmd.insert(cmd.end(), {"-c", "-o", obj, as_operand(a.value)});
    Status st = run_tool(tools, cmd);
    if (st.ok() && !a.assembly && !strip_split_stack_notes(tools, obj)) st = Status{kSetupError, 0};
    if (!st.ok() && compile_status.ok()) compile_status = st;
    if (st.signal) finish(st, &tmp);
    object_of[i] = obj;
  }
  // Like clang: report every file's errors, then stop before linking.
  if (!compile_status.ok()) finish(compile_status, &tmp);

  // 2. The thunk archive (not for -r: the final link makes it).
  std::string thunk_archive;
  // The user's libraries, to be named again after the thunk archive (step 3).
  Argv libraries_again;
  if (!inv.relocatable) {
    std::vector<std::string> scan;
    LibraryResolver libs(tools, inv.lib_dirs, inv.target_args);
    for (size_t i = 0; i < inv.args.size(); ++i) {
      const Arg &a = inv.args[i];
      if (a.kind == ArgKind::Input) {
        if (a.source) {
          scan.push_back(object_of[i]);
        } else {
          FileKind k = classify_file(a.value);
          // Missing files and linker scripts: the linker speaks for itself.
          if (k == FileKind::Object || k == FileKind::Archive) scan.push_back(a.value);
          if (k == FileKind::Archive || k == FileKind::SharedObject)
            libraries_again.push_back(as_operand(a.value));
        }
      } else if (a.kind == ArgKind::Library) {
        std::string archive = libs.static_archive(a.value, a.static_only || inv.static_link);
        if (!archive.empty()) {
          scan.push_back(archive);
          libraries_again.push_back(archive);
        } else if (!a.static_only && !inv.static_link) {
          libraries_again.insert(libraries_again.end(), a.tokens.begin(), a.tokens.end());
        }
      }
    }
    // The runtime defines the __gs_x names of transparent mode itself
    // (docs/netpoll.md): no thunk for those.
    if (executable) scan.push_back(l.runtime);
    std::vector<ThunkRef> refs;
    if (!collect_thunk_refs(tools, scan, refs)) finish(Status{kSetupError, 0}, &tmp);
    if (tools.dry_run) {
      thunk_archive = tmpdir + "/gs_thunks.a";
      build_thunk_archive(tools, refs, inv.shared, thunk_archive);
    } else if (!refs.empty() || inv.shared) {  // -shared: see shared stand-ins in thunks.h
      thunk_archive = tmp.file("gs_thunks.a");
      if (!build_thunk_archive(tools, refs, inv.shared, thunk_archive))
        finish(Status{kSetupError, 0}, &tmp);
    }
  }

  // 3. The link, with the user's arguments in their order.
  Argv cmd = {tools.clang};
  for (size_t i = 0; i < inv.args.size(); ++i) {
    const Arg &a = inv.args[i];
    switch (a.kind) {
      case ArgKind::Input:
        cmd.push_back(a.source ? object_of[i] : as_operand(a.value));
        break;
      case ArgKind::Lang:      // every input is an object now
      case ArgKind::DashDash:  // operands were made safe by as_operand
        break;
      default:
        if (a.tokens[0] != "-###") cmd.insert(cmd.end(), a.tokens.begin(), a.tokens.end());
    }
  }
  if (!thunk_archive.empty()) {
    cmd.push_back(thunk_archive);
    // A thunk calls the function it stands for, which one of the user's
    // libraries defines, and the linker has passed them all: it searches an
    // archive where the archive stands, and with --as-needed drops a shared
    // library that nothing named until then (instrumented code names the
    // thunk, __gs_x.f, not f). So they are named again after the thunks: an
    // archive by its path (what -l found in its place, -Bstatic included), a
    // shared library by its -l. A library named twice adds nothing it did not
    // need; an archive only gives the members that are still missing.
    cmd.insert(cmd.end(), libraries_again.begin(), libraries_again.end());
  }
  if (executable) {
    cmd.push_back(l.runtime);
    cmd.push_back("-pthread");
    // Transparent mode's entry points (runtime/block_calls.h) in every
    // executable, exported with the other __gs_x names: calls of read() & co.
    // in gscc-built shared libraries park too (docs/netpoll.md).
    cmd.push_back(std::string("-Wl,--undefined=") + kTransparentRoot);
    // The thunks of a library dlopened later jump to __gs_thunk_resolve(_leaf)
    // (protocol.md 4.1), which nothing in the executable may name.
    cmd.push_back("-Wl,--undefined=__gs_thunk_resolve");
    if (wrap_main && !inv.no_startfiles) {
      cmd.push_back("-Wl,--undefined=main");
      cmd.push_back("-Wl,--wrap=main");
    }
    // Thread start routines run on coroutines too (runtime/pthread.c).
    cmd.push_back("-Wl,--wrap=pthread_create");
    cmd.push_back("-Wl,--wrap=thrd_create");
    // makecontext stacks get a side stack of their own (runtime/ucx.c).
    cmd.push_back("-Wl,--wrap=makecontext");
    cmd.push_back("-Wl,--wrap=swapcontext");
    cmd.push_back("-Wl,--wrap=setcontext");
    // A longjmp through a jmp_buf copied before the stack moved is carried
    // over the moves (runtime/longjmp.c).
    cmd.push_back("-Wl,--wrap=longjmp");
    cmd.push_back("-Wl,--wrap=_longjmp");
    cmd.push_back("-Wl,--wrap=siglongjmp");
    cmd.push_back("-Wl,--wrap=__longjmp_chk");
    for (const char *glob : kExportGlobs)
      cmd.push_back(std::string("-Wl,--export-dynamic-symbol=") + glob);
  }
  if (!inv.relocatable) cmd.push_back("-Wl,-z,now");
  Status st = run_tool(tools, cmd);
  finish(st, &tmp);
}

// ---- gscc --gs-* ------------------------------------------------------------

void print_help() {
  std::printf(
      "usage: gscc [clang options] files...       compile/link like clang-19, with growstack\n"
      "       gscc --gs-thunks -o out.a [-shared] [-static] [-v] [-L dir] [-l name] files...\n"
      "                                  write the thunk archive for these objects/archives\n"
      "                                  (for links done by another driver; put out.a after\n"
      "                                  all inputs, then libgrowstack.a)\n"
      "       gscc --gs-link [--gs-wrap-main] <driver> <link arguments...>\n"
      "                                  link with another driver (clang++): thunks, runtime\n"
      "                                  and link flags added (a CMake linker launcher)\n"
      "       gscc --gs-print-plugin     path of growstack-plugin.so\n"
      "       gscc --gs-print-runtime    path of libgrowstack.a\n"
      "       gscc --gs-print-include-dir  directory of growstack.h\n"
      "       gscc --gs-version | --gs-help\n"
      "environment: GSCC_CLANG (default clang-19), GSCC_NM (llvm-nm-19, for bitcode and thin\n"
      "  archives), GSCC_OBJCOPY (llvm-objcopy-19, for objects gscc cannot patch),\n"
      "             GSCC_VERBOSE=1 (print commands), GSCC_KEEP_TEMPS=1\n"
      "refused (exit status 2): targets other than x86-64 Linux (-m32, -mx32, --target=...),\n"
      "  -flto when compiling (link-time optimisation would re-optimise instrumented code),\n"
      "  -fsplit-stack when compiling (the plugin places the checks itself),\n"
      "  and the sanitizers address, pointer-compare, pointer-subtract, hwaddress, memory,\n"
      "  thread, safe-stack, dataflow, shadow-call-stack, numerical, memtag*, kernel-*\n"
      "  (-fsanitize=undefined and leak work; the exact list: docs/usage.md section 5)\n"
      "See docs/usage.md (section 5: what is not supported).\n");
}

int usage_error(const std::string &msg) {
  std::fprintf(stderr, "gscc: %s (see gscc --gs-help)\n", msg.c_str());
  return kUsageError;
}

int print_path(const Layout &l, const std::string &what, const std::string &path, bool exists) {
  std::printf("%s\n", path.c_str());
  if (!exists) {
    report_missing(l, what, path);
    return kSetupError;
  }
  return 0;
}

int gs_thunks(Tools &tools, const std::vector<std::string> &args) {
  std::string out;
  bool shared = false, static_link = false;
  std::vector<std::string> lib_dirs, inputs;
  std::vector<std::pair<std::string, bool>> libs;  // name, static only
  bool bstatic = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    auto value = [&](const char *opt) -> std::string {
      size_t n = std::strlen(opt);
      if (a.size() > n) return a.substr(n);
      if (i + 1 >= args.size()) return std::string();
      return args[++i];
    };
    if (a == "-o" || (starts_with(a, "-o") && a.size() > 2)) {
      out = value("-o");
      if (out.empty()) return usage_error("-o needs a file name");
    } else if (a == "-shared") {
      shared = true;
    } else if (a == "-static") {
      static_link = true;
    } else if (a == "-v") {
      tools.verbose = true;
    } else if (starts_with(a, "-L")) {
      std::string d = value("-L");
      if (d.empty()) return usage_error("-L needs a directory");
      lib_dirs.push_back(d);
    } else if (starts_with(a, "-l")) {
      std::string n = value("-l");
      if (n.empty()) return usage_error("-l needs a library name");
      libs.emplace_back(n, bstatic);
    } else if (a == "-Wl,-Bstatic") {
      bstatic = true;
    } else if (a == "-Wl,-Bdynamic") {
      bstatic = false;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("--gs-thunks: unknown option " + a);
    } else {
      inputs.push_back(a);
    }
  }
  if (out.empty()) return usage_error("--gs-thunks needs -o <archive>");

  std::vector<std::string> scan;
  // An executable links libgrowstack.a after these thunks: the names it
  // defines itself (transparent mode) need none.
  if (!shared) {
    Layout l = locate_layout();
    if (l.runtime_exists()) scan.push_back(l.runtime);
  }
  for (const std::string &f : inputs) {
    switch (classify_file(f)) {
      case FileKind::Missing:
        std::fprintf(stderr, "gscc: %s: no such file\n", f.c_str());
        return kSetupError;
      case FileKind::Object:
      case FileKind::Archive:
        scan.push_back(f);
        break;
      default:  // shared objects bring their own thunks; scripts have no code
        if (tools.verbose) std::fprintf(stderr, "gscc: not scanning %s\n", f.c_str());
    }
  }
  LibraryResolver resolver(tools, lib_dirs, {});
  for (auto &lib : libs) {
    std::string archive = resolver.static_archive(lib.first, lib.second || static_link);
    if (!archive.empty()) scan.push_back(archive);
  }
  std::vector<ThunkRef> refs;
  if (!collect_thunk_refs(tools, scan, refs)) return kSetupError;
  if (!build_thunk_archive(tools, refs, shared, out)) return kSetupError;
  if (tools.verbose)
    std::fprintf(stderr, "gscc: %zu thunk(s) in %s\n", refs.size(), out.c_str());
  return 0;
}

// Why gscc refuses this invocation ("" if it does not): exit status 2.
std::string refusal(const Invocation &inv) {
  const bool compiles = !inv.preprocess_only && inv.has_compiled_sources();
  if (!inv.unsupported_target.empty())
    return inv.unsupported_target +
           ": growstack supports only x86-64 Linux (LLVM has split-stack prologues for no "
           "other target)";
  // Link-time optimisation would optimise the instrumented code again after
  // the plugin, which must run last (docs/plugin.md, "-flto"). A link of
  // objects only may name -flto: bitcode from elsewhere is uninstrumented code.
  if (!inv.lto.empty() && compiles)
    return inv.lto +
           ": link-time optimisation is not supported: the link would optimise the "
           "instrumented code again and inline across files after the plugin, undoing what it "
           "proved (pinned frames, zeroed words); build without it or add -fno-lto";
  // clang's -fsplit-stack marks every function, also those the plugin keeps
  // whole without a check (a variadic function's shell: LLVM then stops with
  // "Segmented stacks do not support vararg functions"). The plugin marks the
  // functions it checks itself.
  if (inv.split_stack && compiles)
    return "-fsplit-stack: gscc's plugin gives every function it can check its stack check "
           "itself; clang's flag would also mark the ones it must keep without one (variadic "
           "functions: LLVM stops with an internal error); drop it (or add -fno-split-stack)";
  // Sanitizers that shadow stack memory, replace memcpy & co. or keep a stack
  // of their own: refused when compiling and when linking (their run-time
  // part alone replaces the C library's leaf functions). -fsanitize=undefined
  // and its relatives are checks clang emits inline, calling a handler
  // through a thunk like any library call: they work (e2e.ubsan_reports).
  if (!inv.refused_sanitizers.empty() && !inv.preprocess_only) {
    std::string names;
    for (const std::string &n : inv.refused_sanitizers)
      names += (names.empty() ? "" : ",") + n;
    return "-fsanitize=" + names +
           ": not supported: such a sanitizer keeps shadow state for stack addresses or "
           "replaces memcpy & co., which assume stacks that neither move nor start tiny; "
           "-fsanitize=undefined works";
  }
  return "";
}

// gscc --gs-link [--gs-wrap-main] <driver> <link arguments...>: a link done by
// another driver (clang++, for a C++ program with instrumented C in it), as a
// CMake <LANG>_LINKER_LAUNCHER (growstack_instrument() in the CMake package).
// The same link step as gscc's own, with <driver> instead of clang: the thunk
// archive for the inputs, the runtime, -pthread, -z now and the exports; main is
// wrapped only with --gs-wrap-main. Objects compiled with the plugin by the
// build itself still carry the split-stack notes; they are hidden here, in
// place (idempotent), as gscc does after its own compiles.
int gs_link(Tools &tools, const std::vector<std::string> &args) {
  bool wrap_main = false;
  size_t i = 0;
  for (; i < args.size() && starts_with(args[i], "--gs-"); ++i) {
    if (args[i] == "--gs-wrap-main")
      wrap_main = true;
    else
      return usage_error("--gs-link: unknown option " + args[i]);
  }
  if (i >= args.size()) return usage_error("--gs-link needs the link command (driver and arguments)");
  tools.clang = args[i];
  std::vector<std::string> tokens =
      expand_response_files(std::vector<std::string>(args.begin() + i + 1, args.end()));
  Invocation inv = parse_command_line(tokens);
  tools.verbose = tools.verbose || inv.verbose;
  tools.dry_run = inv.dry_run;
  if (inv.no_link || inv.has_sources())
    return usage_error("--gs-link takes a link command (objects and libraries, no sources)");
  if (std::string why = refusal(inv); !why.empty()) return usage_error(why);
  for (const Arg &a : inv.args)
    if (a.kind == ArgKind::Input && classify_file(a.value) == FileKind::Object &&
        !strip_split_stack_notes(tools, a.value))
      return kSetupError;
  return compile_and_link(tools, locate_layout(), inv, wrap_main);
}

int gs_command(Tools &tools, const std::vector<std::string> &args) {
  const std::string &cmd = args[0];
  Layout l = locate_layout();
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (cmd == "--gs-thunks") return gs_thunks(tools, rest);
  if (cmd == "--gs-link") return gs_link(tools, rest);
  if (!rest.empty()) return usage_error(cmd + " takes no arguments");
  if (cmd == "--gs-help") {
    print_help();
    return 0;
  }
  if (cmd == "--gs-version") {
    std::printf("gscc (growstack) %s\nclang: %s\nprefix: %s\n", GSCC_VERSION, tools.clang.c_str(),
                l.prefix.c_str());
    return 0;
  }
  if (cmd == "--gs-print-plugin")
    return print_path(l, "growstack-plugin.so", l.plugin, l.plugin_exists());
  if (cmd == "--gs-print-runtime")
    return print_path(l, "libgrowstack.a", l.runtime, l.runtime_exists());
  if (cmd == "--gs-print-include-dir") {
    std::printf("%s\n", l.include_dir.c_str());
    if (l.header_exists()) return 0;
    report_missing(l, "growstack.h", l.include_dir + "/growstack.h");
    return kSetupError;
  }
  return usage_error("unknown option " + cmd);
}

int gscc_main(int argc, char **argv) {
  std::vector<std::string> raw(argv + 1, argv + argc);
  Tools tools = tools_from_env();
  if (!raw.empty() && starts_with(raw[0], "--gs-")) return gs_command(tools, raw);
  for (const std::string &a : raw)
    if (starts_with(a, "--gs-")) return usage_error(a + " must be the first argument");

  std::vector<std::string> tokens = expand_response_files(raw);
  Invocation inv = parse_command_line(tokens);
  for (const std::string &tok : tokens) {
    if (tok.rfind("-ftrivial-auto-var-init=", 0) == 0) user_sets_auto_var_init = true;
    if (tok.rfind("-fdebug-default-version=", 0) == 0) user_sets_debug_version = true;
    if (tok.rfind("-O", 0) == 0) optimizing = tok != "-O0";
  }
  tools.verbose = tools.verbose || inv.verbose;
  tools.dry_run = inv.dry_run;

  // --version, -print-*, --help, "no input files": clang's business alone.
  if (!inv.has_inputs()) {
    Argv cmd = {tools.clang};
    cmd.insert(cmd.end(), raw.begin(), raw.end());
    return exec(cmd);
  }
  if (std::string why = refusal(inv); !why.empty()) return usage_error(why);

  Layout l = locate_layout();
  if (inv.no_link) return compile_only(tools, l, inv, tokens);
  return compile_and_link(tools, l, inv);
}

}  // namespace
}  // namespace gscc

int main(int argc, char **argv) { return gscc::gscc_main(argc, argv); }
