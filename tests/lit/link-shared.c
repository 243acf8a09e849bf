// Records, descriptor and constructor link into a shared object. Each record
// refers to its function relative to the section, never to a symbol that
// could be interposed (here even a weak function), so gs_records needs no
// dynamic relocation and stays read-only (no TEXTREL); the section bounds are
// local to the object (hidden, so the linker made them local); the entry
// aliases are exported.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O2 -fPIC -c -o %t/a.o %s
// RUN: %clang -O2 -fPIC -c -DSECOND -o %t/b.o %s
// RUN: llvm-readelf -r %t/a.o | FileCheck %s --check-prefix=OBJ
// RUN: %clang -shared -nostdlib -o %t/lib.so %t/a.o %t/b.o
// RUN: llvm-readelf -d -S -s --dyn-syms %t/lib.so | FileCheck %s

#ifndef SECOND
__attribute__((weak)) int weakling(int x) { return x + 1; }
int exported(int x) { return weakling(x) * 2; }
#else
int other(int (*fp)(int), int x) { return fp(x) + 1; }
#endif

// OBJ:      Relocation section '.relags_records'
// OBJ-NEXT: Offset
// OBJ-NEXT: R_X86_64_PC32 {{.*}} growstack_text + 0
// OBJ-NEXT: R_X86_64_PC32 {{.*}} growstack_text + {{[0-9a-f]+}}
// OBJ-EMPTY:

// CHECK-NOT: TEXTREL
// CHECK: growstack_text PROGBITS
// CHECK: gs_records PROGBITS {{[0-9a-f]+}} {{[0-9a-f]+}} 000018 00 A 0 0 8
// CHECK: Symbol table '.dynsym'
// CHECK-DAG: GLOBAL DEFAULT {{.*}} __gs_x.exported
// CHECK-DAG: GLOBAL DEFAULT {{.*}} __gs_x.other
// CHECK-DAG: GLOBAL DEFAULT UND gs_records_register
// CHECK: Symbol table '.symtab'
// CHECK-DAG: LOCAL DEFAULT {{.*}} __start_growstack_text
// CHECK-DAG: LOCAL DEFAULT {{.*}} __stop_gs_records
// CHECK-DAG: LOCAL DEFAULT {{.*}} gs.module
