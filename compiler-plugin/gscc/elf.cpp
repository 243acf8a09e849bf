// elf.cpp - see elf.h.
#include "elf.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "thunks.h"

#include "gs_arch.h"          // GS_TCB_GUARD
#include "gs_libc_leaves.h"  // GS_LIBC_LEAVES

namespace gscc {

namespace {

// ---- reading ---------------------------------------------------------------

// A read-only mapping of a whole file.
class Mapped {
 public:
  explicit Mapped(const std::string &path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      size_ = static_cast<size_t>(st.st_size);
      if (size_ == 0) {
        ok_ = true;
      } else {
        void *p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
          data_ = static_cast<const unsigned char *>(p);
          ok_ = true;
        }
      }
    }
    close(fd);
  }
  ~Mapped() {
    if (data_) munmap(const_cast<unsigned char *>(data_), size_);
  }
  Mapped(const Mapped &) = delete;
  Mapped &operator=(const Mapped &) = delete;
  bool ok() const { return ok_; }
  const unsigned char *data() const { return data_; }
  size_t size() const { return size_; }

 private:
  const unsigned char *data_ = nullptr;
  size_t size_ = 0;
  bool ok_ = false;
};

bool is_elf(const unsigned char *p, size_t n) {
  return n >= sizeof(Elf64_Ehdr) && std::memcmp(p, ELFMAG, SELFMAG) == 0;
}

// An x86-64 little-endian ELF64 relocatable object whose header and section
// table lie inside the buffer; null otherwise.
const Elf64_Ehdr *rel_header(const unsigned char *p, size_t n) {
  if (!is_elf(p, n)) return nullptr;
  const Elf64_Ehdr *eh = reinterpret_cast<const Elf64_Ehdr *>(p);
  if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
      eh->e_type != ET_REL || eh->e_machine != EM_X86_64 ||
      eh->e_shentsize != sizeof(Elf64_Shdr))
    return nullptr;
  if (eh->e_shoff == 0 || eh->e_shoff > n) return nullptr;
  return eh;
}

// Section headers of a checked object: count, or 0 if they do not fit.
size_t section_count(const unsigned char *p, size_t n, const Elf64_Ehdr *eh) {
  const Elf64_Shdr *sh = reinterpret_cast<const Elf64_Shdr *>(p + eh->e_shoff);
  if (n - eh->e_shoff < sizeof(Elf64_Shdr)) return 0;
  size_t count = eh->e_shnum ? eh->e_shnum : sh[0].sh_size;  // SHN_UNDEF holds large counts
  if (count > (n - eh->e_shoff) / sizeof(Elf64_Shdr)) return 0;
  return count;
}

bool in_bounds(size_t off, size_t len, size_t n) { return off <= n && len <= n - off; }

// The global symbols of one object. False if it is malformed.
bool object_symbols(const unsigned char *p, size_t n, SymbolSets &out) {
  const Elf64_Ehdr *eh = rel_header(p, n);
  if (!eh) return false;
  size_t count = section_count(p, n, eh);
  if (!count) return false;
  const Elf64_Shdr *sh = reinterpret_cast<const Elf64_Shdr *>(p + eh->e_shoff);
  for (size_t i = 0; i < count; ++i) {
    if (sh[i].sh_type != SHT_SYMTAB) continue;
    if (sh[i].sh_entsize != sizeof(Elf64_Sym) || sh[i].sh_link >= count) return false;
    const Elf64_Shdr &str = sh[sh[i].sh_link];
    if (!in_bounds(sh[i].sh_offset, sh[i].sh_size, n) || !in_bounds(str.sh_offset, str.sh_size, n))
      return false;
    const Elf64_Sym *sym = reinterpret_cast<const Elf64_Sym *>(p + sh[i].sh_offset);
    const char *strtab = reinterpret_cast<const char *>(p + str.sh_offset);
    size_t nsym = sh[i].sh_size / sizeof(Elf64_Sym);
    // Locals first; sh_info is the index of the first global.
    for (size_t k = sh[i].sh_info; k < nsym; ++k) {
      unsigned bind = ELF64_ST_BIND(sym[k].st_info);
      if (bind == STB_LOCAL) continue;
      if (sym[k].st_name >= str.sh_size) return false;
      const char *name = strtab + sym[k].st_name;
      size_t len = strnlen(name, str.sh_size - sym[k].st_name);
      if (len == str.sh_size - sym[k].st_name) return false;  // unterminated
      out.add(std::string(name, len), sym[k].st_shndx == SHN_UNDEF, bind == STB_WEAK);
    }
  }
  return true;
}

// One ar member header field, as a number.
bool ar_number(const unsigned char *f, size_t len, size_t &out) {
  out = 0;
  size_t i = 0;
  while (i < len && f[i] == ' ') ++i;
  if (i == len) return false;
  for (; i < len && f[i] != ' '; ++i) {
    if (f[i] < '0' || f[i] > '9') return false;
    out = out * 10 + (f[i] - '0');
  }
  return true;
}

enum class Read { Ok, NotUnderstood, Malformed };

Read archive_symbols(const unsigned char *p, size_t n, SymbolSets &out, std::string &why) {
  size_t off = 8;
  while (off < n) {
    if (off + 60 > n || p[off + 58] != '`' || p[off + 59] != '\n') {
      why = "a malformed archive member header";
      return Read::Malformed;
    }
    const unsigned char *h = p + off;
    size_t size;
    if (!ar_number(h + 48, 10, size) || !in_bounds(off + 60, size, n)) {
      why = "a malformed archive member size";
      return Read::Malformed;
    }
    const unsigned char *data = h + 60;
    bool special = h[0] == '/' && (h[1] == ' ' || h[1] == '/' ||  // "/", "//"
                                   std::memcmp(h, "/SYM64/", 7) == 0);
    // BSD-style "#1/len" names put the name before the data.
    size_t skip = 0;
    if (std::memcmp(h, "#1/", 3) == 0) {
      if (!ar_number(h + 3, 13, skip) || skip > size) {
        why = "a malformed archive member name";
        return Read::Malformed;
      }
    }
    if (!special) {
      const unsigned char *m = data + skip;
      size_t mn = size - skip;
      if (is_bitcode(m, mn)) {
        why = "LLVM bitcode";
        return Read::NotUnderstood;
      }
      if (is_elf(m, mn)) {
        if (!rel_header(m, mn)) {
          why = "an ELF member that is not an x86-64 relocatable object";
          return Read::NotUnderstood;
        }
        if (!object_symbols(m, mn, out)) {
          why = "a malformed ELF member";
          return Read::Malformed;
        }
      }
      // Anything else (a text file, say) is not code; the linkers skip it too.
    }
    off += 60 + size + (size & 1);
  }
  return Read::Ok;
}

// ---- writing ---------------------------------------------------------------

struct Section {
  std::string name;
  uint32_t type = SHT_PROGBITS;
  uint64_t flags = 0;
  uint64_t align = 1;
  std::string data;
  uint32_t link = 0, info = 0;
  uint64_t entsize = 0;
};

struct Symbol {
  std::string name;  // "" for section symbols
  unsigned char info = 0;
  unsigned char other = STV_DEFAULT;
  uint16_t shndx = SHN_UNDEF;
  uint64_t value = 0, size = 0;
};

struct Reloc {
  uint64_t offset;
  uint32_t sym;
  uint32_t type;
  int64_t addend;
};

template <typename T>
void append(std::string &s, const T &v) {
  s.append(reinterpret_cast<const char *>(&v), sizeof v);
}

void pad_to(std::string &s, size_t align) {
  while (s.size() % align) s.push_back('\0');
}

// Lay out an ELF64 relocatable object. `secs` are the content sections (index
// i + 1); `syms` are all symbols after the null one, locals first (nlocal of
// them); `relocs[i]` are the relocations of content section i. The
// relocation sections, .symtab, .strtab and .shstrtab are added here.
std::string build_object(std::vector<Section> secs, const std::vector<Symbol> &syms,
                         size_t nlocal, const std::vector<std::vector<Reloc>> &relocs) {
  const uint32_t ncontent = static_cast<uint32_t>(secs.size());
  const uint32_t symtab_index = ncontent + 1 + [&] {
    uint32_t k = 0;
    for (const auto &r : relocs) k += !r.empty();
    return k;
  }();
  for (uint32_t i = 0; i < relocs.size(); ++i) {
    if (relocs[i].empty()) continue;
    Section rs;
    rs.name = ".rela" + secs[i].name;
    rs.type = SHT_RELA;
    rs.flags = SHF_INFO_LINK;
    rs.align = 8;
    rs.entsize = sizeof(Elf64_Rela);
    rs.link = symtab_index;
    rs.info = i + 1;
    for (const Reloc &r : relocs[i]) {
      Elf64_Rela e;
      e.r_offset = r.offset;
      e.r_info = ELF64_R_INFO(r.sym, r.type);
      e.r_addend = r.addend;
      append(rs.data, e);
    }
    secs.push_back(rs);
  }
  Section symtab, strtab, shstrtab;
  symtab.name = ".symtab";
  symtab.type = SHT_SYMTAB;
  symtab.align = 8;
  symtab.entsize = sizeof(Elf64_Sym);
  symtab.link = symtab_index + 1;
  symtab.info = static_cast<uint32_t>(nlocal + 1);
  strtab.name = ".strtab";
  strtab.type = SHT_STRTAB;
  strtab.data.push_back('\0');
  append(symtab.data, Elf64_Sym{});
  for (const Symbol &s : syms) {
    Elf64_Sym e{};
    if (!s.name.empty()) {
      e.st_name = static_cast<uint32_t>(strtab.data.size());
      strtab.data += s.name;
      strtab.data.push_back('\0');
    }
    e.st_info = s.info;
    e.st_other = s.other;
    e.st_shndx = s.shndx;
    e.st_value = s.value;
    e.st_size = s.size;
    append(symtab.data, e);
  }
  secs.push_back(symtab);
  secs.push_back(strtab);
  shstrtab.name = ".shstrtab";
  shstrtab.type = SHT_STRTAB;
  secs.push_back(shstrtab);
  std::string &names = secs.back().data;
  names.push_back('\0');
  std::vector<uint32_t> name_off;
  for (const Section &s : secs) {
    name_off.push_back(static_cast<uint32_t>(names.size()));
    names += s.name;
    names.push_back('\0');
  }

  std::string out(sizeof(Elf64_Ehdr), '\0');
  std::vector<uint64_t> offsets;
  for (const Section &s : secs) {
    pad_to(out, s.align);
    offsets.push_back(out.size());
    out += s.data;
  }
  pad_to(out, 8);
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
  eh.e_type = ET_REL;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_shoff = out.size();
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = static_cast<uint16_t>(secs.size() + 1);
  eh.e_shstrndx = static_cast<uint16_t>(secs.size());
  std::memcpy(&out[0], &eh, sizeof eh);
  append(out, Elf64_Shdr{});
  for (size_t i = 0; i < secs.size(); ++i) {
    Elf64_Shdr h{};
    h.sh_name = name_off[i];
    h.sh_type = secs[i].type;
    h.sh_flags = secs[i].flags;
    h.sh_offset = offsets[i];
    h.sh_size = secs[i].data.size();
    h.sh_link = secs[i].link;
    h.sh_info = secs[i].info;
    h.sh_addralign = secs[i].align;
    h.sh_entsize = secs[i].entsize;
    append(out, h);
  }
  return out;
}

Section note(const char *name) {
  Section s;
  s.name = name;
  return s;
}

// The thunks' code (thunks.h); the offsets are those of the relocations below.
// An ordinary thunk:
constexpr unsigned char kThunkCode[48] = {
    0x4c, 0x8b, 0x15, 0, 0, 0, 0,        //  0: movq foo@GOTPCREL(%rip), %r10
    0x41, 0xbb, 0, 0, 0, 0,              //  7: movl $N, %r11d
    0x48, 0x83, 0x3d, 0, 0, 0, 0, 0x00,  // 13: cmpq $0, slot(%rip)
    0x75, 0x06,                          // 21: jne 29
    0xff, 0x25, 0, 0, 0, 0,              // 23: jmp *__gs_tramp@GOTPCREL(%rip)
    0xff, 0x25, 0, 0, 0, 0,              // 29: jmp *slot(%rip)
    0x50,                                // 35: first: pushq %rax
    0x48, 0x8d, 0x05, 0, 0, 0, 0,        // 36: leaq slot(%rip), %rax
    0xe9, 0, 0, 0, 0,                    // 43: jmp __gs_thunk_resolve
};
constexpr uint64_t kThunkFirst = 35;
// A thunk of a measured C library function (gs_libc_leaves.h, thunks.h):
// the function runs directly when BYTES lie above the guard; otherwise
// __morestack_leaf grows the stack (a fixed stack's watermark, a contiguous
// move) and resumes at the retry (its call's return address + 1), or declines
// and returns (to the nop before the retry) and the retry finds the room still
// missing: the trampoline. The byte at the return address is a nop, not an
// alloc block's retq: a leaf's growth is never a segmented call (GS_GROW_CALL),
// and a decline's plain `ret` keeps the return stack buffer balanced.
constexpr unsigned char kLeafThunkCode[112] = {
    0x4c, 0x8b, 0x15, 0, 0, 0, 0,                    //   0: movq foo@GOTPCREL(%rip), %r10
    0x48, 0x83, 0x3d, 0, 0, 0, 0, 0x00,              //   7: cmpq $0, slot(%rip)
    0x75, 0x16,                                      //  15: jne 39
    0x4c, 0x8d, 0x9c, 0x24, 0, 0, 0, 0,              //  17: leaq -BYTES(%rsp), %r11
    0x64, 0x4c, 0x3b, 0x1c, 0x25, 0x70, 0, 0, 0,     //  25: cmpq %fs:0x70, %r11
    0x76, 0x19,                                      //  34: jbe 61
    0x41, 0xff, 0xe2,                                //  36: jmp *%r10
    0x45, 0x31, 0xdb,                                //  39: xorl %r11d, %r11d
    0xff, 0x25, 0, 0, 0, 0,                          //  42: jmp *slot(%rip)
    0x50,                                            //  48: first: pushq %rax
    0x48, 0x8d, 0x05, 0, 0, 0, 0,                    //  49: leaq slot(%rip), %rax
    0xe9, 0, 0, 0, 0,                                //  56: jmp __gs_thunk_resolve_leaf
    0x41, 0xbb, 0, 0, 0, 0,                          //  61: movl $BYTES, %r11d
    0xff, 0x15, 0, 0, 0, 0,                          //  67: call *__morestack_leaf@GOTPCREL(%rip)
    0x90,                                            //  73: nop (a decline returns here)
    0x4c, 0x8b, 0x15, 0, 0, 0, 0,                    //  74: movq foo@GOTPCREL(%rip), %r10
    0x4c, 0x8d, 0x9c, 0x24, 0, 0, 0, 0,              //  81: leaq -BYTES(%rsp), %r11
    0x64, 0x4c, 0x3b, 0x1c, 0x25, 0x70, 0, 0, 0,     //  89: cmpq %fs:0x70, %r11
    0x76, 0x03,                                      //  98: jbe 103
    0x41, 0xff, 0xe2,                                // 100: jmp *%r10
    0x45, 0x31, 0xdb,                                // 103: xorl %r11d, %r11d
    0xff, 0x25, 0, 0, 0, 0,                          // 106: jmp *__gs_tramp@GOTPCREL(%rip)
};
constexpr uint64_t kLeafThunkFirst = 48;
constexpr uint64_t kLeafThunkGrow = 61;  // after `first`'s three instructions: CFA rsp + 8 again
static_assert(GS_TCB_GUARD == 0x70, "the guard slot kLeafThunkCode compares against");

// The measured C library functions and the stack each needs (gs_libc_leaves.h).
struct LibcLeaf {
  const char *name;
  uint32_t bytes;
};
#define GSCC_LIBC_LEAF(name, bytes) {#name, bytes},
constexpr LibcLeaf kLibcLeaves[] = {GS_LIBC_LEAVES(GSCC_LIBC_LEAF)};
#undef GSCC_LIBC_LEAF

const LibcLeaf *libc_leaf(const ThunkRef &ref) {
  if (ref.n != 0) return nullptr;
  for (const LibcLeaf &l : kLibcLeaves)
    if (ref.target == l.name) return &l;
  return nullptr;
}

// CIE (as clang writes it for x86-64: "zR", code 1, data -8, return address
// r16, pcrel sdata4 pointers, CFA = rsp + 8, rip at CFA - 8) and one FDE per
// function; `fde_relocs` gets the offsets of their pc_begin fields.
struct Fde {
  uint32_t start, size;
  std::string program;  // call frame instructions
};

std::string eh_frame(const std::vector<Fde> &fdes, std::vector<uint64_t> &fde_relocs) {
  static const unsigned char cie[24] = {
      0x14, 0, 0, 0, 0, 0, 0, 0, 1, 'z', 'R', 0, 1, 0x78, 0x10, 1, 0x1b,
      0x0c, 0x07, 0x08, 0x90, 0x01, 0, 0};
  std::string s(reinterpret_cast<const char *>(cie), sizeof cie);
  for (const Fde &f : fdes) {
    std::string body;
    uint32_t cie_ptr = static_cast<uint32_t>(s.size() + 4);  // back to offset 0
    append(body, cie_ptr);
    append(body, uint32_t{0});  // pc_begin: R_X86_64_PC32 against .text + start
    append(body, f.size);
    body.push_back('\0');       // augmentation data length
    body += f.program;
    while ((body.size() + 4) % 8) body.push_back('\0');  // DW_CFA_nop
    uint32_t len = static_cast<uint32_t>(body.size());
    fde_relocs.push_back(s.size() + 8);
    append(s, len);
    s += body;
  }
  return s;
}

void put_be32(std::string &s, uint32_t v) {
  s.push_back(static_cast<char>(v >> 24));
  s.push_back(static_cast<char>(v >> 16));
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v));
}

std::string ar_header(const std::string &name, size_t size) {
  char h[61];
  std::snprintf(h, sizeof h, "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name.c_str(), "0", "0", "0",
                "644", size);
  return std::string(h, 60);
}

}  // namespace

// ---- public ----------------------------------------------------------------

bool read_symbols(const std::string &path, SymbolSets &sets, std::string &why) {
  Mapped f(path);
  if (!f.ok()) {
    why = std::string("cannot read it: ") + std::strerror(errno);
    return false;
  }
  const unsigned char *p = f.data();
  size_t n = f.size();
  SymbolSets got;
  if (n >= 8 && std::memcmp(p, "!<arch>\n", 8) == 0) {
    if (archive_symbols(p, n, got, why) != Read::Ok) return false;
  } else if (n >= 8 && std::memcmp(p, "!<thin>\n", 8) == 0) {
    why = "a thin archive";
    return false;
  } else if (rel_header(p, n)) {
    if (!object_symbols(p, n, got)) {
      why = "a malformed ELF object";
      return false;
    }
  } else {
    why = is_bitcode(p, n) ? "LLVM bitcode" : "not an x86-64 ELF object or archive";
    return false;
  }
  sets.merge(got);
  return true;
}

int hide_split_stack_notes(const std::string &path, std::string &why) {
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    why = std::strerror(errno);
    return -1;
  }
  struct stat st;
  void *map = MAP_FAILED;
  size_t n = 0;
  if (fstat(fd, &st) == 0 && st.st_size > 0) {
    n = static_cast<size_t>(st.st_size);
    map = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  }
  close(fd);
  if (map == MAP_FAILED) {
    if (n == 0) return 0;  // an empty file is no object
    why = std::strerror(errno);
    return -1;
  }
  unsigned char *p = static_cast<unsigned char *>(map);
  int result = 0;
  const Elf64_Ehdr *eh = rel_header(p, n);
  size_t count = eh ? section_count(p, n, eh) : 0;
  if (eh && count && eh->e_shstrndx < count) {
    Elf64_Shdr *sh = reinterpret_cast<Elf64_Shdr *>(p + eh->e_shoff);
    const Elf64_Shdr &names = sh[eh->e_shstrndx];
    result = 1;
    if (!in_bounds(names.sh_offset, names.sh_size, n)) {
      why = "a malformed section name table";
      result = -1;
    } else {
      const char *strs = reinterpret_cast<const char *>(p + names.sh_offset);
      auto name_of = [&](uint32_t off) -> const char * {
        if (off >= names.sh_size || !memchr(strs + off, '\0', names.sh_size - off)) return "";
        return strs + off;
      };
      // Where ".note.GNU-stack" is spelled (it may be the tail of a longer name).
      long stack_name = -1;
      for (size_t i = 0; i < count && stack_name < 0; ++i) {
        const char *nm = name_of(sh[i].sh_name);
        size_t len = std::strlen(nm), want = std::strlen(".note.GNU-stack");
        if (len >= want && std::strcmp(nm + len - want, ".note.GNU-stack") == 0)
          stack_name = static_cast<long>(sh[i].sh_name + (len - want));
      }
      for (size_t i = 0; i < count; ++i) {
        const char *nm = name_of(sh[i].sh_name);
        if (std::strcmp(nm, ".note.GNU-split-stack") != 0 &&
            std::strcmp(nm, ".note.GNU-no-split-stack") != 0)
          continue;
        if (stack_name < 0) {
          why = "it has no .note.GNU-stack section name to reuse";
          result = -1;
          break;
        }
        sh[i].sh_name = static_cast<uint32_t>(stack_name);
      }
    }
  }
  munmap(map, n);
  return result;
}

bool write_archive(const std::string &path, const std::vector<ArchiveMember> &members) {
  // The index: count, the header offset of each symbol's member, the names.
  size_t nsyms = 0, names_len = 0;
  for (const ArchiveMember &m : members) {
    nsyms += m.defines.size();
    for (const std::string &s : m.defines) names_len += s.size() + 1;
  }
  size_t index_size = 4 + 4 * nsyms + names_len;
  size_t off = 8 + 60 + index_size + (index_size & 1);
  std::string index;
  put_be32(index, static_cast<uint32_t>(nsyms));
  std::string names;
  for (const ArchiveMember &m : members) {
    for (const std::string &s : m.defines) {
      put_be32(index, static_cast<uint32_t>(off));
      names += s;
      names.push_back('\0');
    }
    off += 60 + m.data.size() + (m.data.size() & 1);
  }
  index += names;
  std::string out = "!<arch>\n";
  if (nsyms) {
    out += ar_header("/", index.size());
    out += index;
    if (index.size() & 1) out.push_back('\n');
  }
  for (const ArchiveMember &m : members) {
    out += ar_header(m.name + "/", m.data.size());
    out += m.data;
    if (m.data.size() & 1) out.push_back('\n');
  }
  std::string tmp = path + ".gscc-tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < out.size()) {
    ssize_t w = write(fd, out.data() + done, out.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      unlink(tmp.c_str());
      errno = e;
      return false;
    }
    done += static_cast<size_t>(w);
  }
  if (close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    errno = e;
    return false;
  }
  return true;
}

ArchiveMember thunk_object(const ThunkRef &ref, bool shared, size_t index) {
  const LibcLeaf *leaf = libc_leaf(ref);
  Section text, data, eh;
  text.name = ".text";
  text.flags = SHF_ALLOC | SHF_EXECINSTR;
  text.align = 16;
  if (leaf) {
    text.data.assign(reinterpret_cast<const char *>(kLeafThunkCode), sizeof kLeafThunkCode);
    int32_t disp = -static_cast<int32_t>(leaf->bytes);
    std::memcpy(&text.data[21], &disp, 4);
    std::memcpy(&text.data[85], &disp, 4);
    uint32_t bytes = leaf->bytes;
    std::memcpy(&text.data[63], &bytes, 4);
  } else {
    text.data.assign(reinterpret_cast<const char *>(kThunkCode), sizeof kThunkCode);
    uint32_t n = static_cast<uint32_t>(ref.n);
    std::memcpy(&text.data[9], &n, 4);
  }
  const uint64_t first = leaf ? kLeafThunkFirst : kThunkFirst;
  data.name = ".data";  // the slot: written at run time, so not read-only after relocation
  data.flags = SHF_ALLOC | SHF_WRITE;
  data.align = 8;
  data.data.assign(8, '\0');
  eh.name = ".eh_frame";
  eh.flags = SHF_ALLOC;
  eh.align = 8;
  // After the push at `first`: CFA = rsp + 16 (DW_CFA_advance_loc, then
  // DW_CFA_def_cfa_offset 16).
  std::vector<uint64_t> fde_relocs;
  static_assert(kThunkFirst + 1 < 64 && kLeafThunkFirst + 1 < 64, "one advance_loc");
  std::string cfa = {static_cast<char>(0x40 + first + 1), '\x0e', '\x10'};
  // A leaf thunk's code after `first` (the grow path) runs with CFA = rsp + 8:
  // DW_CFA_advance_loc, DW_CFA_def_cfa_offset 8.
  static_assert(kLeafThunkGrow - (kLeafThunkFirst + 1) < 64, "one advance_loc");
  if (leaf) cfa += {static_cast<char>(0x40 + kLeafThunkGrow - (kLeafThunkFirst + 1)), '\x0e', '\x08'};
  eh.data = eh_frame({{0, static_cast<uint32_t>(text.data.size()), cfa}}, fde_relocs);
  std::vector<Section> secs = {text, data, eh, note(".note.GNU-split-stack"),
                               note(".note.GNU-no-split-stack"), note(".note.GNU-stack")};
  enum : uint32_t { kText = 1, kData = 2 };  // section indices

  std::vector<Symbol> syms(leaf ? 7 : 6);
  syms[0].info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION);
  syms[0].shndx = kText;
  syms[1].info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION);
  syms[1].shndx = kData;
  syms[2].name = ref.symbol;
  syms[2].info = ELF64_ST_INFO(shared ? STB_WEAK : STB_GLOBAL, STT_FUNC);
  syms[2].other = shared ? STV_DEFAULT : STV_HIDDEN;
  syms[2].shndx = kText;
  syms[2].size = text.data.size();
  syms[3].name = ref.target;
  syms[3].info = ELF64_ST_INFO(ref.weak_target ? STB_WEAK : STB_GLOBAL, STT_NOTYPE);
  syms[4].name = leaf ? "__gs_thunk_resolve_leaf" : "__gs_thunk_resolve";
  syms[4].info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE);
  syms[5].name = "__gs_tramp";
  syms[5].info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE);
  if (leaf) {
    syms[6].name = "__morestack_leaf";
    syms[6].info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE);
  }
  enum : uint32_t {
    kSymText = 1, kSymData = 2, kSymTarget = 4, kSymResolve = 5, kSymTramp = 6, kSymGrow = 7
  };

  // `jmp *__gs_tramp@GOTPCREL(%rip)` with R_X86_64_GOTPCRELX: in an executable
  // the linker relaxes it to a direct jump; a shared object jumps through its
  // GOT (no PLT stub between).
  std::vector<std::vector<Reloc>> relocs(secs.size());
  if (leaf)
    relocs[0] = {{3, kSymTarget, R_X86_64_REX_GOTPCRELX, -4},
                 {10, kSymData, R_X86_64_PC32, -5},  // the cmpq's imm8 follows
                 {44, kSymData, R_X86_64_PC32, -4},
                 {52, kSymData, R_X86_64_PC32, -4},
                 {57, kSymResolve, R_X86_64_PLT32, -4},
                 {69, kSymGrow, R_X86_64_GOTPCRELX, -4},
                 {77, kSymTarget, R_X86_64_REX_GOTPCRELX, -4},
                 {108, kSymTramp, R_X86_64_GOTPCRELX, -4}};
  else
    relocs[0] = {{3, kSymTarget, R_X86_64_REX_GOTPCRELX, -4},
                 {16, kSymData, R_X86_64_PC32, -5},  // the cmpq's imm8 follows
                 {25, kSymTramp, R_X86_64_GOTPCRELX, -4},
                 {31, kSymData, R_X86_64_PC32, -4},
                 {39, kSymData, R_X86_64_PC32, -4},
                 {44, kSymResolve, R_X86_64_PLT32, -4}};
  relocs[1] = {{0, kSymText, R_X86_64_64, static_cast<int64_t>(first)}};
  relocs[2] = {{fde_relocs[0], kSymText, R_X86_64_PC32, 0}};  // the FDE's pc_begin
  ArchiveMember m;
  m.name = "gs" + std::to_string(index) + ".o";
  m.data = build_object(secs, syms, 2, relocs);
  m.defines = {ref.symbol};
  return m;
}

ArchiveMember stand_ins_object() {
  // Each: jmp *<runtime entry>@GOTPCREL(%rip). An export list that makes the
  // stand-ins local binds the library's own calls to them; the jump then goes
  // on to the executable's runtime (its __morestack*_shlib entries, which are
  // not defined by libgcc.a, so the linker never takes its morestack.o).
  const char *names[2] = {"__morestack", "__morestack_allocate_stack_space"};
  const char *entries[2] = {"__morestack_shlib", "__morestack_allocate_stack_space_shlib"};
  Section text, eh;
  text.name = ".text";
  text.flags = SHF_ALLOC | SHF_EXECINSTR;
  text.align = 16;
  text.data.assign(32, '\0');
  eh.name = ".eh_frame";
  eh.flags = SHF_ALLOC;
  eh.align = 8;
  std::vector<uint64_t> fde_relocs;
  eh.data = eh_frame({{0, 6, ""}, {16, 6, ""}}, fde_relocs);
  std::vector<Section> secs = {text, eh, note(".note.GNU-split-stack"),
                               note(".note.GNU-no-split-stack"), note(".note.GNU-stack")};
  secs[0].data[0] = secs[0].data[16] = '\xff';
  secs[0].data[1] = secs[0].data[17] = '\x25';
  std::vector<Symbol> syms(5);
  syms[0].info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION);
  syms[0].shndx = 1;
  std::vector<std::vector<Reloc>> relocs(secs.size());
  for (int i = 0; i < 2; ++i) {
    syms[1 + i].name = names[i];
    syms[1 + i].info = ELF64_ST_INFO(STB_WEAK, STT_FUNC);
    syms[1 + i].shndx = 1;
    syms[1 + i].value = 16 * i;
    syms[1 + i].size = 6;
    syms[3 + i].name = entries[i];
    syms[3 + i].info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE);
    relocs[0].push_back({16u * i + 2, static_cast<uint32_t>(4 + i), R_X86_64_GOTPCRELX, -4});
    relocs[1].push_back({fde_relocs[i], 1, R_X86_64_PC32, 16 * i});
  }
  ArchiveMember m;
  m.name = "gs_stand_ins.o";
  m.data = build_object(secs, syms, 1, relocs);
  m.defines = {names[0], names[1]};
  return m;
}

bool is_bitcode(const unsigned char *p, size_t n) {
  return n >= 4 && ((p[0] == 'B' && p[1] == 'C' && p[2] == 0xc0 && p[3] == 0xde) ||
                    (p[0] == 0xde && p[1] == 0xc0 && p[2] == 0x17 && p[3] == 0x0b));
}

}  // namespace gscc
