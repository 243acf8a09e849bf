// Debuggers find locals moved to the side stack (protocol.md 7.2,
// docs/plugin.md "Debug info"): the frame's base is stored in the
// moving-stack slot gs.side.dbg and each moved variable (alloca or byval
// copy) is declared at *gs.side.dbg + offset, a location valid in the whole
// function. At -O2 the assignment-tracking markers of a moved variable are
// replaced the same way; nothing still refers to the erased alloca. The
// layout (decreasing alignment): arr 0, s 24 at -O2 (byval, 8-aligned) or
// 20 at -O0, x after it.
// RUN: %clang -O0 -g -S -emit-llvm -o - %s | FileCheck %s --check-prefixes=CHECK,O0
// RUN: %clang -O2 -g -S -emit-llvm -o - %s | FileCheck %s --check-prefixes=CHECK,O2
// RUN: %clang -O2 -g -c -o %t.o %s
// gscc's flags: the entry block starts with lifetime markers of moved allocas.
// RUN: %clang -O2 -g -ftrivial-auto-var-init=zero -c -o /dev/null %s
// RUN: llvm-dwarfdump --name=x --name=arr --name=s %t.o | FileCheck %s --check-prefix=DWARF

struct pt { int x, y; };
void keep(int *);
void keeps(struct pt *);
void poke(void);

// CHECK-LABEL: define {{.*}} @f(
// CHECK: %gs.side.dbg = alloca ptr
// CHECK: gs.side.ready:
// CHECK: store ptr %gs.side.base, ptr %gs.side.dbg
// CHECK-DAG: #dbg_declare(ptr %gs.side.dbg, ![[ARR:[0-9]+]], !DIExpression(DW_OP_deref),
// O0-DAG:    #dbg_declare(ptr %gs.side.dbg, ![[S:[0-9]+]], !DIExpression(DW_OP_deref, DW_OP_plus_uconst, 20),
// O0-DAG:    #dbg_declare(ptr %gs.side.dbg, ![[X:[0-9]+]], !DIExpression(DW_OP_deref, DW_OP_plus_uconst, 28),
// O2-DAG:    #dbg_declare(ptr %gs.side.dbg, ![[S:[0-9]+]], !DIExpression(DW_OP_deref, DW_OP_plus_uconst, 24),
// O2-DAG:    #dbg_declare(ptr %gs.side.dbg, ![[X:[0-9]+]], !DIExpression(DW_OP_deref, DW_OP_plus_uconst, 32),
// CHECK-NOT: #dbg_assign({{.*}}![[X]],
// CHECK-NOT: ptr undef
// CHECK: ret i32
// CHECK-DAG: ![[ARR]] = !DILocalVariable(name: "arr"
// CHECK-DAG: ![[S]] = !DILocalVariable(name: "s", arg: 2
// CHECK-DAG: ![[X]] = !DILocalVariable(name: "x"
int f(int v, struct pt s) {
  int x = v * 3;
  int arr[5] = {1, 2, 3, 4, 5};
  keep(&x);
  keeps(&s);
  keep(arr);
  poke();
  return x + arr[2] + s.y;
}

// DWARF:      DW_AT_location (DW_OP_fbreg [[SLOT:[-+]?[0-9]+]], DW_OP_deref, DW_OP_plus_uconst 0x18)
// DWARF-NEXT: DW_AT_name ("s")
// DWARF:      DW_AT_location (DW_OP_fbreg [[SLOT]], DW_OP_deref)
// DWARF-NEXT: DW_AT_name ("arr")
// DWARF:      DW_AT_location (DW_OP_fbreg [[SLOT]], DW_OP_deref, DW_OP_plus_uconst 0x20)
// DWARF-NEXT: DW_AT_name ("x")
