/* symbols.c - naming a code address in fatal messages (see symbols.h).
 *
 * dladdr knows only the dynamic symbol table, which holds exported functions:
 * a static comparator or signal handler has no name there. So the object that
 * contains the address (dladdr's file and load address; /proc/self/exe and the
 * auxiliary vector when dladdr knows nothing, as in a static executable) is
 * mapped read-only and its full symbol table (.symtab) searched, which has
 * every function unless the file was stripped; dladdr's name is the fallback.
 * Only system calls and dladdr: usable in the SIGSEGV handler, which calls
 * this only on its way to abort().
 */
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fatal.h"
#include "symbols.h"

struct object {
    const char *path;
    uintptr_t bias; /* added to a symbol's value to get its address */
};

/* The function symbol of the mapped ELF image containing `off`, if any. */
static const char *find_in_symtab(const unsigned char *img, size_t size, uintptr_t addr,
                                  uintptr_t bias, uintptr_t *start)
{
    if (size < sizeof(Elf64_Ehdr) || memcmp(img, ELFMAG, SELFMAG) != 0 ||
        img[EI_CLASS] != ELFCLASS64)
        return NULL;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
    if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > size)
        return NULL;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
    const char *best = NULL;
    uintptr_t best_start = 0;
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf64_Shdr *strs = &sh[sh[i].sh_link];
        if (sh[i].sh_offset + sh[i].sh_size > size || strs->sh_offset + strs->sh_size > size ||
            sh[i].sh_entsize != sizeof(Elf64_Sym))
            continue;
        const Elf64_Sym *sym = (const Elf64_Sym *)(img + sh[i].sh_offset);
        size_t n = sh[i].sh_size / sizeof(Elf64_Sym);
        for (size_t k = 0; k < n; k++) {
            if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || sym[k].st_shndx == SHN_UNDEF ||
                sym[k].st_name >= strs->sh_size)
                continue;
            uintptr_t s = sym[k].st_value + bias;
            uintptr_t e = s + (sym[k].st_size ? sym[k].st_size : 1);
            if (addr >= s && addr < e && (!best || s > best_start)) {
                best = (const char *)img + strs->sh_offset + sym[k].st_name;
                best_start = s;
            }
        }
    }
    *start = best_start;
    return best;
}

/* The main program's load bias, from its program headers' address in memory. */
static int main_program(struct object *o)
{
    uintptr_t phdr = (uintptr_t)getauxval(AT_PHDR);
    if (!phdr)
        return 0;
    o->path = "/proc/self/exe";
    o->bias = 0;
    for (const ElfW(Phdr) *p = (const ElfW(Phdr) *)phdr, *end = p + getauxval(AT_PHNUM);
         p < end; p++) {
        if (p->p_type == PT_PHDR) {
            o->bias = phdr - p->p_vaddr;
            break;
        }
    }
    return 1;
}

size_t gs_symbols_name(const void *pc, char *buf, size_t len)
{
    uintptr_t addr = (uintptr_t)pc;
    struct object o = {0};
    Dl_info info;
    memset(&info, 0, sizeof info);
    int have_dl = dladdr(pc, &info) && info.dli_fname;
    if (have_dl) {
        /* The main program's dli_fname may be "" or argv[0]. */
        o.path = info.dli_fname;
        o.bias = (uintptr_t)info.dli_fbase;
        struct object m;
        if (main_program(&m) && m.bias == o.bias)
            o.path = m.path;
        else if (!o.path[0])
            o.path = "/proc/self/exe";
        /* dli_fbase is the lowest mapped address; symbol values are relative to
         * the load bias, which equals it for every PIE and shared object. An
         * ET_EXEC executable has bias 0. */
    } else if (!main_program(&o)) {
        return gs_format(buf, len, "%p", pc);
    }
    const char *name = NULL;
    uintptr_t start = 0;
    int fd = open(o.path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    void *img = MAP_FAILED;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0)
        img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (fd >= 0)
        close(fd);
    size_t n = 0;
    if (img != MAP_FAILED) {
        const Elf64_Ehdr *eh = img;
        uintptr_t bias = eh->e_type == ET_EXEC ? 0 : o.bias;
        name = find_in_symtab(img, (size_t)st.st_size, addr, bias, &start);
        if (name)
            n = addr == start ? gs_format(buf, len, "%s", name)
                              : gs_format(buf, len, "%s+0x%lx", name, (unsigned long)(addr - start));
        munmap(img, (size_t)st.st_size);
    }
    if (name)
        return n;
    if (have_dl && info.dli_sname)
        return addr == (uintptr_t)info.dli_saddr
                   ? gs_format(buf, len, "%s", info.dli_sname)
                   : gs_format(buf, len, "%s+0x%lx", info.dli_sname,
                               (unsigned long)(addr - (uintptr_t)info.dli_saddr));
    if (have_dl)
        return gs_format(buf, len, "%p (in %s)", pc, info.dli_fname);
    return gs_format(buf, len, "%p", pc);
}
