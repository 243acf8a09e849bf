// Records, their names, descriptor and constructor link into a shared object.
// Each record refers to its function and its name relative to the section,
// never to a symbol that could be interposed (here even a weak function), so
// gs_records needs no dynamic relocation and stays read-only (no TEXTREL);
// the section bounds are local to the object (hidden, so the linker made them
// local). The exported functions may be preempted (-fPIC, default
// visibility): their __gs_x entries are hidden thunks that read the
// function's GOT slot (protocol.md 4, item 2), local after the link and not
// exported. The side stack's TLS block is reached through the GOT
// (initial-exec). Every dynamic relocation is in the GOT, not in code or
// records.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O2 -fPIC -c -o %t/a.o %s
// RUN: %clang -O2 -fPIC -c -DSECOND -o %t/b.o %s
// RUN: llvm-readelf -r %t/a.o | FileCheck %s --check-prefix=OBJ
// RUN: llvm-readelf -r %t/b.o | FileCheck %s --check-prefix=OBJB
// RUN: %clang -shared -nostdlib -o %t/lib.so %t/a.o %t/b.o
// RUN: llvm-readelf -d -S -s --dyn-syms %t/lib.so | FileCheck %s
// RUN: llvm-readelf -r %t/lib.so | FileCheck %s --check-prefix=DYN
// RUN: llvm-readelf --dyn-syms %t/lib.so | FileCheck %s --check-prefix=DYNSYM

#ifndef SECOND
__attribute__((weak)) int weakling(int x) { return x + 1; }
int exported(int x) { return weakling(x) * 2; }
#else
void keep(int *);
int other(int (*fp)(int), int x) { return fp(x) + 1; }
// Pinned (an x87 argument in the outgoing area during a call): its record
// names it.
long double twice(long double);
long double scaled(long double x) { return twice(x * 3); }
// A side frame: x escapes.
int side(int v) {
  int x = v;
  keep(&x);
  return x;
}
#endif

// OBJ:      Relocation section '.relags_records'
// OBJ-NEXT: Offset
// OBJ-NEXT: R_X86_64_PC32 {{.*}} growstack_text + 0
// OBJ-NEXT: R_X86_64_PC32 {{.*}} growstack_text + {{[0-9a-f]+}}
// OBJ-EMPTY:

// The name is a PC-relative reference to a string section, resolved at link
// time.
// OBJB:      Relocation section '.relags_records'
// OBJB-NEXT: Offset
// OBJB-NEXT: R_X86_64_PC32 {{.*}} growstack_text + 0
// OBJB-NEXT: R_X86_64_PC32 {{.*}} growstack_text + {{[0-9a-f]+}}
// OBJB-NEXT: R_X86_64_PC32 {{.*}} .rodata.str1.1 + {{[0-9a-f]+}}
// OBJB-NEXT: R_X86_64_PC32 {{.*}} growstack_text + {{[0-9a-f]+}}
// OBJB-EMPTY:

// CHECK-NOT: TEXTREL
// CHECK: growstack_text PROGBITS
// CHECK: gs_records PROGBITS {{[0-9a-f]+}} {{[0-9a-f]+}} 000050 00 A 0 0 8
// CHECK: Symbol table '.dynsym'
// CHECK-DAG: GLOBAL DEFAULT {{.*}} exported
// CHECK-DAG: GLOBAL DEFAULT UND gs_records_register
// CHECK-DAG: TLS GLOBAL DEFAULT UND __gs_side
// CHECK: Symbol table '.symtab'
// CHECK-DAG: LOCAL DEFAULT {{.*}} __start_growstack_text
// CHECK-DAG: LOCAL DEFAULT {{.*}} __stop_gs_records
// CHECK-DAG: LOCAL DEFAULT {{.*}} gs.module
// CHECK-DAG: FUNC LOCAL DEFAULT {{.*}} __gs_x.exported
// CHECK-DAG: FUNC LOCAL DEFAULT {{.*}} __gs_x.other

// DYNSYM: Symbol table '.dynsym'
// DYNSYM-NOT: __gs_x.exported
// DYNSYM-NOT: __gs_x.other

// Dynamic relocations: the .init_array/.fini_array entries (2), the
// descriptor's four section bounds (4), the GOT slots the four exported
// functions' thunks read (4) and the GOT slot of __gs_side's TLS offset (1);
// nothing in gs_records or code.
// DYN:      Relocation section '.rela.dyn' at offset {{.*}} contains 11 entries:
// DYN-COUNT-6: R_X86_64_RELATIVE
// DYN-DAG: R_X86_64_GLOB_DAT {{.*}} exported + 0
// DYN-DAG: R_X86_64_GLOB_DAT {{.*}} other + 0
// DYN-DAG: R_X86_64_GLOB_DAT {{.*}} scaled + 0
// DYN-DAG: R_X86_64_GLOB_DAT {{.*}} side + 0
// DYN-DAG: R_X86_64_TPOFF64 {{.*}} __gs_side + 0
// DYN-EMPTY:
