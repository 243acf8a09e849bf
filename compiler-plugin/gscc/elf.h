// elf.h - the little of ELF and ar that gscc reads and writes itself.
//
// A link used to spawn llvm-nm (list the symbols of the inputs), clang -c (one
// assembler run per thunk) and llvm-ar, and every compile llvm-objcopy: about
// 0.3 s per link (docs/usage.md, "What gscc costs"). Everything here works on
// the files in place, in gscc's own process:
//
//   - read_symbols: the global symbols of x86-64 ELF relocatable objects and of
//     GNU/SysV archives of them. Anything else (LLVM bitcode from -flto, thin
//     archives, other machines) is reported as not understood, and the caller
//     asks llvm-nm instead;
//   - hide_split_stack_notes: what objcopy --remove-section did for the
//     split-stack notes, by renaming the sections in place (protocol.md 4.1);
//   - thunk_object / stand_ins_object / write_archive: the thunk archive's
//     members, as the assembler would have made them from thunks.h's source,
//     and an archive with a symbol index that ld.bfd, gold and lld accept.
#ifndef GSCC_ELF_H
#define GSCC_ELF_H

#include <cstdint>
#include <string>
#include <vector>

namespace gscc {

struct SymbolSets;  // thunks.h

// Whether [p, p + n) starts as LLVM bitcode: raw, or in the wrapper header.
bool is_bitcode(const unsigned char *p, size_t n);

// Add the global symbols of `path` (an object or an archive of objects) to
// `sets`. False, with `sets` untouched, when the file is not something this
// reader understands (see above); `why` then says what it was.
bool read_symbols(const std::string &path, SymbolSets &sets, std::string &why);

// Rename .note.GNU-split-stack and .note.GNU-no-split-stack to .note.GNU-stack
// (an empty progbits note of flags 0 means "non-executable stack", which the
// object says anyway), so gold and lld see no split-stack code. Returns
// 1 when renamed (or there was nothing to rename), 0 when the file is not an
// x86-64 ELF relocatable object (bitcode, say: nothing to do), -1 on an I/O
// error or when the object has no .note.GNU-stack name to reuse (`why` says
// which; the caller then runs objcopy).
int hide_split_stack_notes(const std::string &path, std::string &why);

struct ArchiveMember {
  std::string name;                  // at most 15 characters
  std::string data;                  // an ELF relocatable object
  std::vector<std::string> defines;  // global symbols it defines (the index)
};

// Write a GNU ar archive with a symbol index. False (errno set) on I/O errors.
bool write_archive(const std::string &path, const std::vector<ArchiveMember> &members);

struct ThunkRef;  // thunks.h

// The object of one thunk (thunks.h has the code), for an executable or a
// shared object.
ArchiveMember thunk_object(const ThunkRef &ref, bool shared, size_t index);

// The weak stand-ins for __morestack and __morestack_allocate_stack_space of a
// -shared link (thunks.h).
ArchiveMember stand_ins_object();

}  // namespace gscc

#endif
