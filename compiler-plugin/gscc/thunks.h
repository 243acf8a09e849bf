// thunks.h - the link-time thunk archive of docs/protocol.md section 4.1.
//
// An instrumented call to an external function `foo` that passes N bytes of
// stack arguments is emitted as a call to `__gs_x<N>.foo` (`__gs_x.foo` when N is
// 0). If `foo` is instrumented, its own object defines that name as an alias and
// the call is direct. Otherwise one member of the thunk archive, placed after all
// user inputs, supplies it:
//
//     __gs_x<N>.foo:  movq foo@GOTPCREL(%rip), %r10   ; target
//                     movl $N, %r11d                  ; stack argument bytes
//                     jmp  __gs_tramp@PLT             ; run foo on the system stack
//
// One member per name, so the linker extracts a member only for names that
// nothing else defines. Executable: members are .hidden (the executable's
// own calls only). Shared object: members are .weak with default visibility,
// so an instrumented definition in the executable (exported by gscc) interposes.
//
// A shared object's archive has one more member: weak, default-visibility
// stand-ins for __morestack and __morestack_allocate_stack_space (bodies: ud2).
// Without them the linker would resolve the instrumented code's references to
// these from libgcc.a, whose morestack.o is gcc's own split-stack runtime: its
// constructor (__stack_split_initialize) writes the guard slot %fs:0x70 when the
// library is loaded, and its __morestack knows nothing of coroutines. With the
// stand-ins, the executable's runtime interposes at load time (the executable
// exports __morestack*), and a program that never enters a coroutine (guard 0)
// never calls them.
#ifndef GSCC_THUNKS_H
#define GSCC_THUNKS_H

#include <string>
#include <vector>

#include "process.h"

namespace gscc {

struct Tools {
  std::string clang = "clang-19";  // GSCC_CLANG
  std::string nm = "llvm-nm-19";   // GSCC_NM
  std::string ar = "llvm-ar-19";   // GSCC_AR
  std::string objcopy = "llvm-objcopy-19";  // GSCC_OBJCOPY
  bool verbose = false;            // print every command on stderr
  bool dry_run = false;            // -###: print, run nothing
};

// Run (or, with dry_run, just print) a command; print it first when verbose.
Status run_tool(const Tools &tools, const Argv &argv, const RunOptions &opts = {});

struct ThunkRef {
  std::string symbol;        // __gs_x16.foo
  std::string target;        // foo
  unsigned long n = 0;       // 16
  bool weak_target = false;  // the inputs refer to foo only weakly
};

// Split "__gs_x<N>.<name>"; false for any other symbol or a name the thunk
// could not spell in assembly.
bool parse_thunk_symbol(const std::string &sym, ThunkRef &out);

// What the linker would make of a file, judged by its first bytes.
enum class FileKind { Missing, Object, Archive, SharedObject, Other };
FileKind classify_file(const std::string &path);

// The __gs_x* names that `files` (objects and archives) reference and none of
// them defines, sorted. False (after a message) if llvm-nm fails.
bool collect_thunk_refs(const Tools &tools, const std::vector<std::string> &files,
                        std::vector<ThunkRef> &out);

// The assembly source of one member.
std::string thunk_assembly(const ThunkRef &ref, bool shared);

// Write the archive `archive` (replacing any file there): one member per ref,
// assembled in `tmp`. An empty list gives an empty, valid archive.
bool build_thunk_archive(const Tools &tools, const std::vector<ThunkRef> &refs,
                         bool shared, TempDir &tmp, const std::string &archive);

}  // namespace gscc

#endif
