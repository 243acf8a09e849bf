// thunks.h - the link-time thunk archive of docs/protocol.md section 4.1.
//
// An instrumented call to an external function `foo` that passes N bytes of
// stack arguments is emitted as a call to `__gs_x<N>.foo` (`__gs_x.foo` when N is
// 0). If `foo` is instrumented and its alias is visible, the alias binds the call
// directly. Otherwise one member of the thunk archive, placed after all user
// inputs, supplies it:
//
//     __gs_x<N>.foo:  movq foo@GOTPCREL(%rip), %r10   ; target
//                     movl $N, %r11d                  ; stack argument bytes
//                     jmp  *slot(%rip)                ; the choice made at the first call
//     first:          pushq %rax
//                     leaq slot(%rip), %rax
//                     jmp  __gs_tramp_resolve         ; choose, store, go
//     slot:           .quad first                     ; (.data)
//
// The first call goes to the runtime's __gs_tramp_resolve
// (arch/x86_64/tramp_*.S), which stores in the slot either foo itself, when foo
// lies in a registered growstack_text range (instrumented code of another module
// whose __gs_x aliases are hidden, by an export list for example), or __gs_tramp,
// which runs foo on the system stack. Every later call is one indirect jump to
// that choice.
//
// A function of arch/x86_64/gs_libc_leaves.h (malloc, free, ...) gets the
// member of protocol.md 4.1a instead (elf.cpp, kLeafThunkCode): it calls the
// function directly when the stack has its BYTES above the guard, and
// otherwise asks __morestack_leaf to grow the stack before it tests again.
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
//
// gscc reads the symbols of the inputs and writes the archive itself (elf.h);
// it runs llvm-nm only for inputs it does not read (LLVM bitcode, thin archives).
#ifndef GSCC_THUNKS_H
#define GSCC_THUNKS_H

#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "process.h"

namespace gscc {

struct Tools {
  std::string clang = "clang-19";  // GSCC_CLANG
  std::string nm = "llvm-nm-19";   // GSCC_NM: inputs gscc does not read itself
  std::string objcopy = "llvm-objcopy-19";  // GSCC_OBJCOPY: objects gscc cannot patch
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

// The global symbols of the link inputs, as far as the thunks care.
struct SymbolSets {
  std::set<std::string> thunk_refs;              // undefined __gs_x* names
  std::unordered_set<std::string> defined;       // every defined global symbol
  std::unordered_set<std::string> strong_ref, weak_ref;  // undefined references
  void add(const std::string &name, bool undefined, bool weak);
  void merge(const SymbolSets &other);
};

// What the linker would make of a file, judged by its first bytes.
enum class FileKind { Missing, Object, Archive, SharedObject, Other };
FileKind classify_file(const std::string &path);

// The __gs_x* names that `files` (objects and archives) reference and none of
// them defines, sorted. False (after a message) if llvm-nm, needed for a file
// gscc does not read itself, fails, or if a file is LLVM bitcode the plugin
// instrumented (link-time optimisation would optimise it again).
bool collect_thunk_refs(const Tools &tools, const std::vector<std::string> &files,
                        std::vector<ThunkRef> &out);

// Write the archive `archive` (replacing any file there): one member per ref,
// plus the stand-ins for a shared object. An empty list gives an empty, valid
// archive. False after a message on an I/O error.
bool build_thunk_archive(const Tools &tools, const std::vector<ThunkRef> &refs,
                         bool shared, const std::string &archive);

}  // namespace gscc

#endif
