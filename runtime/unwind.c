/* unwind.c - call-frame rules at return addresses, read from .eh_frame (see
 * unwind.h). A reader of the DWARF call-frame instructions (DWARF 5, 6.4;
 * the .eh_frame forms of the LSB), reduced to what a frame walk needs: the
 * CFA rule and the rule of %rbp at one address. */
#include <link.h>
#include <stddef.h>
#include <string.h>

#include "gs_arch.h"
#include "unwind.h"

/* Pointer encodings (DW_EH_PE_*). */
enum {
    PE_ABSPTR = 0x00, PE_ULEB128 = 0x01, PE_UDATA2 = 0x02, PE_UDATA4 = 0x03, PE_UDATA8 = 0x04,
    PE_SLEB128 = 0x09, PE_SDATA2 = 0x0a, PE_SDATA4 = 0x0b, PE_SDATA8 = 0x0c,
    PE_PCREL = 0x10, PE_DATAREL = 0x30, PE_INDIRECT = 0x80, PE_OMIT = 0xff,
};

/* A reader over [p, end): every read checks the bounds; `bad` sticks. */
struct rd {
    const uint8_t *p, *end;
    int bad;
};

static uint64_t rd_bytes(struct rd *r, unsigned n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    memcpy(&v, r->p, n); /* little-endian */
    r->p += n;
    return v;
}

static uint64_t rd_uleb(struct rd *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        uint8_t b = (uint8_t)rd_bytes(r, 1);
        if (r->bad)
            return 0;
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
}

static int64_t rd_sleb(struct rd *r)
{
    int64_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
        b = (uint8_t)rd_bytes(r, 1);
        if (r->bad)
            return 0;
        if (shift < 64)
            v |= (int64_t)((uint64_t)(b & 0x7f) << shift);
        shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40))
        v |= -(int64_t)((uint64_t)1 << shift);
    return v;
}

/* A value in encoding `enc` (its format only when `app` is 0: a range). */
static uintptr_t rd_enc(struct rd *r, uint8_t enc, int app, uintptr_t datarel)
{
    uintptr_t at = (uintptr_t)r->p, v;
    switch (enc & 0x0f) {
    case PE_ABSPTR: v = (uintptr_t)rd_bytes(r, 8); break;
    case PE_ULEB128: v = (uintptr_t)rd_uleb(r); break;
    case PE_UDATA2: v = (uintptr_t)rd_bytes(r, 2); break;
    case PE_UDATA4: v = (uintptr_t)rd_bytes(r, 4); break;
    case PE_UDATA8: v = (uintptr_t)rd_bytes(r, 8); break;
    case PE_SLEB128: v = (uintptr_t)rd_sleb(r); break;
    case PE_SDATA2: v = (uintptr_t)(int64_t)(int16_t)rd_bytes(r, 2); break;
    case PE_SDATA4: v = (uintptr_t)(int64_t)(int32_t)rd_bytes(r, 4); break;
    case PE_SDATA8: v = (uintptr_t)rd_bytes(r, 8); break;
    default: r->bad = 1; return 0;
    }
    if (!app)
        return v;
    switch (enc & 0x70) {
    case 0: break;
    case PE_PCREL: v += at; break;
    case PE_DATAREL: v += datarel; break;
    default: r->bad = 1; return 0;
    }
    if (enc & PE_INDIRECT)
        r->bad = 1; /* never for code addresses here */
    return v;
}

/* ---- finding the object's table ------------------------------------------- */

struct find_hdr {
    uintptr_t pc;
    const uint8_t *hdr;
};

static int find_hdr_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct find_hdr *f = arg;
    const uint8_t *hdr = NULL;
    int holds = 0;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && f->pc >= lo && f->pc < lo + ph->p_memsz)
            holds = 1;
        else if (ph->p_type == PT_GNU_EH_FRAME)
            hdr = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
    }
    if (!holds)
        return 0;
    f->hdr = hdr;
    return 1;
}

const uint8_t *gs_unwind_hdr(uintptr_t pc)
{
    struct find_hdr f = {pc, NULL};
    dl_iterate_phdr(find_hdr_cb, &f);
    return f.hdr;
}

/* The FDE whose range holds pc, by the header's binary search table. */
static const uint8_t *find_fde(const uint8_t *hdr, uintptr_t pc)
{
    /* version, eh_frame_ptr_enc, fde_count_enc, table_enc */
    if (hdr[0] != 1 || hdr[3] != (PE_DATAREL | PE_SDATA4))
        return NULL;
    struct rd r = {hdr + 4, hdr + 4 + 16, 0};
    (void)rd_enc(&r, hdr[1], 1, (uintptr_t)hdr);
    uintptr_t count = rd_enc(&r, hdr[2], 1, (uintptr_t)hdr);
    if (r.bad || hdr[2] == PE_OMIT || !count)
        return NULL;
    const int32_t *t = (const int32_t *)r.p; /* pairs: initial location, FDE */
    uintptr_t base = (uintptr_t)hdr;
    size_t lo = 0, hi = count; /* the last entry whose start <= pc */
    if (pc < base + (intptr_t)t[0])
        return NULL;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (base + (intptr_t)t[2 * mid] <= pc)
            lo = mid;
        else
            hi = mid;
    }
    return (const uint8_t *)(base + (intptr_t)t[2 * lo + 1]);
}

/* ---- the instructions ----------------------------------------------------- */

#define GS_UNWIND_STATES 8

struct row {
    uint64_t cfa_reg;
    int64_t cfa_off;
    int rbp_saved;      /* 1: at CFA + rbp_off */
    int64_t rbp_off;
    int ra_ok;          /* the return address is at CFA - 8 */
    int bad;            /* a rule the walk cannot follow */
};

struct cie {
    uint64_t code_align;
    int64_t data_align;
    uint64_t ra_reg;
    uint8_t fde_enc;
    int has_aug;        /* 'z' */
    const uint8_t *insns, *insns_end;
};

/* The rules the walk tracks: register `reg` saved at CFA + off (the offset
 * forms), or back to its rule after the CIE's instructions (the restore forms).
 * Other registers' rules do not matter to the walk. */
static void rule_offset(struct row *row, const struct cie *c, uint64_t reg, int64_t off)
{
    if (reg == GS_ARCH_DWARF_FP) {
        row->rbp_saved = 1;
        row->rbp_off = off;
    } else if (reg == c->ra_reg) {
        row->ra_ok = off == -8;
    }
}

static void rule_restore(struct row *row, const struct row *init, const struct cie *c,
                         uint64_t reg)
{
    if (reg == GS_ARCH_DWARF_FP) {
        row->rbp_saved = init->rbp_saved;
        row->rbp_off = init->rbp_off;
    } else if (reg == c->ra_reg) {
        row->ra_ok = init->ra_ok;
    }
}

/* Run instructions [p, end) from *row while the location stays at or below
 * target; `init` is the row after the CIE's instructions (DW_CFA_restore). */
static void run(struct row *row, const struct row *init, const struct cie *c, const uint8_t *p,
                const uint8_t *end, uintptr_t loc, uintptr_t target)
{
    struct row stack[GS_UNWIND_STATES];
    unsigned depth = 0;
    struct rd r = {p, end, 0};
    while (r.p < r.end && !r.bad && !row->bad) {
        uint8_t op = (uint8_t)rd_bytes(&r, 1);
        uint8_t low = op & 0x3f;
        uint64_t reg, delta = 0;
        int64_t off;
        switch (op >> 6) {
        case 1: /* DW_CFA_advance_loc */
            delta = low;
            goto advance;
        case 2: /* DW_CFA_offset */
            rule_offset(row, c, low, (int64_t)rd_uleb(&r) * c->data_align);
            continue;
        case 3: /* DW_CFA_restore */
            rule_restore(row, init, c, low);
            continue;
        }
        switch (op) {
        case 0x00: /* nop */
            break;
        case 0x01: /* set_loc */
            loc = rd_enc(&r, c->fde_enc, 1, 0);
            if (loc > target)
                return;
            break;
        case 0x02: delta = rd_bytes(&r, 1); goto advance;
        case 0x03: delta = rd_bytes(&r, 2); goto advance;
        case 0x04: delta = rd_bytes(&r, 4); goto advance;
        case 0x05: /* offset_extended */
        case 0x11: /* offset_extended_sf */
            reg = rd_uleb(&r);
            off = (op == 0x05 ? (int64_t)rd_uleb(&r) : rd_sleb(&r)) * c->data_align;
            rule_offset(row, c, reg, off);
            break;
        case 0x06: /* restore_extended */
            rule_restore(row, init, c, rd_uleb(&r));
            break;
        case 0x07: /* undefined */
        case 0x08: /* same_value */
            reg = rd_uleb(&r);
            if (reg == GS_ARCH_DWARF_FP)
                row->rbp_saved = 0;
            else if (reg == c->ra_reg)
                row->ra_ok = 0;
            break;
        case 0x09: /* register */
            reg = rd_uleb(&r);
            (void)rd_uleb(&r);
            if (reg == GS_ARCH_DWARF_FP || reg == c->ra_reg)
                row->bad = 1;
            break;
        case 0x0a: /* remember_state */
            if (depth == GS_UNWIND_STATES) {
                row->bad = 1;
                break;
            }
            stack[depth++] = *row;
            break;
        case 0x0b: /* restore_state */
            if (!depth) {
                row->bad = 1;
                break;
            }
            *row = stack[--depth];
            break;
        case 0x0c: /* def_cfa */
            row->cfa_reg = rd_uleb(&r);
            row->cfa_off = (int64_t)rd_uleb(&r);
            break;
        case 0x12: /* def_cfa_sf */
            row->cfa_reg = rd_uleb(&r);
            row->cfa_off = rd_sleb(&r) * c->data_align;
            break;
        case 0x0d: /* def_cfa_register */
            row->cfa_reg = rd_uleb(&r);
            break;
        case 0x0e: /* def_cfa_offset */
            row->cfa_off = (int64_t)rd_uleb(&r);
            break;
        case 0x13: /* def_cfa_offset_sf */
            row->cfa_off = rd_sleb(&r) * c->data_align;
            break;
        case 0x0f: /* def_cfa_expression */
            row->bad = 1;
            break;
        case 0x10: /* expression */
        case 0x16: /* val_expression */
            reg = rd_uleb(&r);
            delta = rd_uleb(&r);
            if (reg == GS_ARCH_DWARF_FP || reg == c->ra_reg || delta > (size_t)(r.end - r.p))
                row->bad = 1;
            else
                r.p += delta;
            break;
        case 0x14: /* val_offset */
        case 0x15: /* val_offset_sf */
            reg = rd_uleb(&r);
            (void)(op == 0x14 ? (int64_t)rd_uleb(&r) : rd_sleb(&r));
            if (reg == GS_ARCH_DWARF_FP || reg == c->ra_reg)
                row->bad = 1;
            break;
        case 0x2e: /* GNU_args_size */
            (void)rd_uleb(&r);
            break;
        case 0x2f: /* GNU_negative_offset_extended */
            reg = rd_uleb(&r);
            rule_offset(row, c, reg, -(int64_t)rd_uleb(&r) * c->data_align);
            break;
        default:
            row->bad = 1;
            break;
        }
        continue;
    advance:
        loc += delta * c->code_align;
        if (loc > target)
            return;
    }
    if (r.bad)
        row->bad = 1;
}

/* The CIE at p (its length field). */
static int parse_cie(const uint8_t *p, struct cie *c)
{
    uint32_t len;
    memcpy(&len, p, 4);
    if (len == 0 || len == 0xffffffffu)
        return 0;
    struct rd r = {p + 4, p + 4 + len, 0};
    if (rd_bytes(&r, 4) != 0) /* CIE id */
        return 0;
    uint8_t version = (uint8_t)rd_bytes(&r, 1);
    if (version != 1 && version != 3)
        return 0;
    const char *aug = (const char *)r.p;
    size_t alen = strnlen(aug, (size_t)(r.end - r.p));
    if (alen == (size_t)(r.end - r.p))
        return 0;
    r.p += alen + 1;
    if (strchr(aug, 'e')) /* "eh": an old GCC field */
        return 0;
    c->code_align = rd_uleb(&r);
    c->data_align = rd_sleb(&r);
    c->ra_reg = version == 1 ? rd_bytes(&r, 1) : rd_uleb(&r);
    c->fde_enc = PE_ABSPTR;
    c->has_aug = aug[0] == 'z';
    if (c->has_aug) {
        uint64_t n = rd_uleb(&r);
        const uint8_t *after = r.p + n;
        if (r.bad || n > (size_t)(r.end - r.p))
            return 0;
        for (const char *a = aug + 1; *a; a++) {
            switch (*a) {
            case 'R': c->fde_enc = (uint8_t)rd_bytes(&r, 1); break;
            case 'L': (void)rd_bytes(&r, 1); break;
            case 'P': {
                uint8_t enc = (uint8_t)rd_bytes(&r, 1);
                (void)rd_enc(&r, enc & 0x7f, 0, 0);
                break;
            }
            case 'S': return 0; /* a signal frame */
            default: return 0;
            }
        }
        r.p = after;
    } else if (aug[0]) {
        return 0;
    }
    if (r.bad || c->ra_reg != GS_ARCH_DWARF_RA || !c->code_align)
        return 0;
    c->insns = r.p;
    c->insns_end = r.end;
    return 1;
}

int gs_unwind_rule(const uint8_t *hdr, uintptr_t ra, struct gs_frame_rule *rule)
{
    if (!hdr)
        return 0;
    /* The call lies before ra; a call that ends a function (to a noreturn
     * callee) has ra at the next function's start. */
    uintptr_t pc = ra - 1;
    const uint8_t *fde = find_fde(hdr, pc);
    if (!fde)
        return 0;
    uint32_t len, cie_off;
    memcpy(&len, fde, 4);
    memcpy(&cie_off, fde + 4, 4);
    if (len == 0 || len == 0xffffffffu || cie_off == 0)
        return 0;
    struct cie c;
    if (!parse_cie(fde + 4 - cie_off, &c))
        return 0;
    struct rd r = {fde + 8, fde + 4 + len, 0};
    uintptr_t begin = rd_enc(&r, c.fde_enc, 1, 0);
    uintptr_t range = rd_enc(&r, c.fde_enc & 0x0f, 0, 0);
    if (r.bad || pc < begin || pc - begin >= range)
        return 0;
    if (c.has_aug) {
        uint64_t n = rd_uleb(&r);
        if (r.bad || n > (size_t)(r.end - r.p))
            return 0;
        r.p += n;
    }
    struct row init = {.ra_ok = 0}, row;
    run(&init, &init, &c, c.insns, c.insns_end, 0, UINTPTR_MAX);
    row = init;
    run(&row, &init, &c, r.p, r.end, begin, pc);
    if (row.bad || !row.ra_ok || row.cfa_off < INT32_MIN || row.cfa_off > INT32_MAX ||
        (row.cfa_reg != GS_ARCH_DWARF_SP && row.cfa_reg != GS_ARCH_DWARF_FP) ||
        (row.rbp_saved && (row.rbp_off == 0 || row.rbp_off < INT16_MIN || row.rbp_off > INT16_MAX)))
        return 0;
    rule->cfa_off = (int32_t)row.cfa_off;
    rule->cfa_rbp = row.cfa_reg == GS_ARCH_DWARF_FP;
    rule->rbp_off = row.rbp_saved ? (int16_t)row.rbp_off : 0;
    rule->ok = 1;
    return 1;
}
