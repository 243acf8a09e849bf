#!/usr/bin/env python3
"""check_layers.py - the runtime is layers, each using only those below it.

Usage: scripts/check_layers.py [--root DIR] [--objects OBJ... --nm NM] [--dot] [--list]

Reads runtime/*.[ch], arch/x86_64/gs_arch.h and arch/x86_64/*.S and checks, with
LAYERS below as the one table of modules (a module is X.c with X.h; its layer;
the prefix of its hidden names):

  1. every use of a name another module defines (a function it defines or
     declares, a macro, a type, an enum constant, a variable) and every
     #include of another module's header goes to a module ranked strictly
     lower: lower layer, or earlier in the same layer's list. So the module
     graph has no circle, between layers or inside one. A struct that a module
     declares itself without its body (`struct gs_coro;`) is an opaque type
     there: the compiler allows pointers to it and nothing else;
  2. every function a .c file defines without `static` is declared in its own
     header (or is public: growstack.h; or an ABI name listed in ABI), and no
     .c file declares a gs_ function of another file;
  3. every hidden function of a module starts with its prefix;
  4. the assembly calls up into the runtime only through the entry points
     listed in ASM_UPCALLS, and reads only the TLS slots listed there;
  5. only the module mem calls the C library's allocator by its public names
     (ALLOCATOR: malloc, free, strdup, ...): a program may define them, and
     the runtime must never reach the program's (runtime/mem.h). With
     --objects, checked on the objects' undefined symbols too.

With --objects (the compiled runtime objects) and --nm (llvm-nm or nm), rule 1
is checked once more on what the compiler emitted: an object's undefined
symbols that another runtime object defines are calls (or data references)
from its module to that one. --dot prints the module graph for Graphviz
(`scripts/check_layers.py --dot | dot -Tsvg > layers.svg`); --list prints each
module's dependencies. Exit status 0 when every rule holds, 1 otherwise, with
one line per violation. docs/architecture.md explains the layers.
"""
import argparse
import os
import re
import subprocess
import sys

# Layer number, name, then its modules from the bottom up: (module, prefix).
# A module may use the modules listed before it, in its layer or below.
LAYERS = [
    (0, "arch", [("gs_arch", "gs_arch")]),
    (1, "base", [("mem", "gs_mem"), ("fatal", "gs_fatal"), ("config", "gs_config"), ("trace", "gs_trace"),
                 ("libc_leaves", "gs_libc_leaves"), ("unwind", "gs_unwind"), ("records", "gs_records"), ("symbols", "gs_symbols"), ("pins", "gs_pins"),
                 ("thread", "gs_thread"), ("gcroots", "gs_gcroots")]),
    (2, "segment", [("segment", "gs_seg")]),
    (3, "stack", [("side", "gs_side"), ("dyn", "gs_dyn"), ("stack", "gs_stack")]),
    (4, "core", [("coro", "gs_coro")]),
    # The per-thread scheduler and what it sleeps on: deadlines (timer), the
    # parking frame's layout (block), waits and their queues (wait), the epoll
    # poller (netpoll), the run queue and its loop (scheduler).
    (5, "scheduler", [("timer", "gs_timer"), ("block", "gs_block"), ("wait", "gs_wait"),
                      ("netpoll", "gs_poll"), ("scheduler", "gs_scheduler")]),
    # Blocking objects built on waits: channels and select, mutex, condition
    # variable, wait group, cancellation.
    (6, "sync", [("chan", "gs_chan"), ("sync", "gs_sync")]),
    # The API: growstack.h's calls, the thread life cycle, the on-stack entry
    # points, the blocking descriptor calls and transparent mode (io), and the
    # list of blocking entry points the assembly reads (block_calls).
    (7, "api", [("overflow", "gs_overflow"), ("signals", "gs_signals"), ("stats", "gs_stats"),
                ("api", "gs_api"), ("io", "gs_io"), ("entry", "gs_entry"), ("main", "gs_main"),
                ("pthread", "gs_pthread"), ("ucx", "gs_ucx"), ("longjmp", "gs_longjmp"), ("block_calls", "gs_block_calls")]),
]

# Hidden names a module keeps besides its prefix: the runtime's small libc.
EXTRA_NAMES = {"fatal": {"gs_die", "gs_format", "gs_vformat", "gs_write_stderr"}}

# The public header: declarations every layer may include (types, the config
# knobs); its functions belong to the module that defines them.
PUBLIC_HEADER = "growstack.h"

# Functions defined without `static` that are neither hidden nor in growstack.h:
# names other code links against by contract (ld --wrap, interposition, the
# protocol's entry points).
ABI = {"__wrap_main", "__wrap_pthread_create", "__wrap_thrd_create", "__wrap_makecontext",
       "__wrap_longjmp", "__wrap__longjmp", "__wrap_siglongjmp", "__wrap___longjmp_chk",
       "__wrap_swapcontext", "__wrap_setcontext", "sigaction", "signal",
       "bsd_signal", "gs_records_register", "gs_records_unregister"}

# What arch/x86_64/*.S may name in the runtime: the C halves it calls and the
# TLS slots it reads (each documented where it is defined).
ASM_UPCALLS = {"gs_entry_morestack", "gs_entry_dyn_alloc", "gs_entry_dyn_mark",
               "gs_entry_dyn_release", "gs_entry_dyn_frame_exit", "gs_entry_resync",
               "gs_entry_side_alloc", "gs_coro_yield_prepare", "gs_coro_finish",
               "gs_api_block_wait", "gs_api_resume_slow",
               "gs_tls", "gs_fp_tls", "gs_coro_tls", "gs_side_tls", "__gs_side", "gs_text_ranges",
               "gs_libc_leaves_text_lo", "gs_libc_leaves_text_hi", "gs_stack_fast_split",
               "gs_stack_fast_resync", "gs_stack_leaf_grow", "gs_leaf_declined", "gs_stack_split_mark",
               "gs_coro_tramp_personality"}

# Names that tie modules together: the runtime's (gs_, GS_) and the protocol's
# (__gs_, __morestack). Anything else is a local, a field or the C library.
NAME = re.compile(r"\b(?:gs_|GS_|__gs_|__morestack)\w*")
IDENT = re.compile(r"[A-Za-z_]\w*")


def strip_c(text):
    """Comments and the contents of string and character literals removed;
    visibility("hidden") kept as the word __hidden__, C++ guards dropped."""
    text = text.replace('visibility("hidden")', "visibility(__hidden__)")
    text = re.sub(r"#ifdef __cplusplus.*?#endif", lambda m: "\n" * m.group(0).count("\n"),
                  text, flags=re.S)
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


# Rule 5: the names by which a program's own allocator would be reached.
ALLOCATOR = {"malloc", "calloc", "realloc", "reallocarray", "free", "aligned_alloc",
             "posix_memalign", "memalign", "valloc", "pvalloc", "strdup", "strndup",
             "asprintf", "vasprintf", "open_memstream"}
ALLOCATOR_MODULE = "mem"
ALLOCATOR_CALL = re.compile(r"(?<![\w.>])(" + "|".join(sorted(ALLOCATOR)) + r")\s*\(")


class Module:
    def __init__(self, name, layer, rank, prefix):
        self.name, self.layer, self.rank, self.prefix = name, layer, rank, prefix
        self.files = []        # (path, stripped text)
        self.defines = set()   # names this module owns
        self.functions = {}    # function defined in the .c without static -> line
        self.declared = set()  # functions declared or defined in the header
        self.hidden = set()    # functions declared hidden in the header
        self.opaque = set()    # struct tags it declares without a body (struct X;)


def top_level_decls(text):
    """(name, is_static, is_definition, is_hidden, line) of each function at
    file scope, and the other names defined there (macros, types, enum
    constants, variables)."""
    funcs, names = [], set()
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(\w+)", text, re.M):
        names.add(m.group(1))
    depth, stmt_start, i = 0, 0, 0
    tokens = list(re.finditer(r"[A-Za-z_]\w*|[{}();=,*\[\]]|#(?:\\\n|[^\n])*", text))
    k = 0
    while k < len(tokens):
        t = tokens[k].group(0)
        if t.startswith("#"):
            k += 1
            stmt_start = k
            continue
        if t == "{":
            # struct/enum bodies at file scope: their tag and enum constants
            head = [x.group(0) for x in tokens[stmt_start:k]]
            if depth == 0 and head and head[-1] not in (")",):
                if "enum" in head:
                    j, d = k + 1, 1
                    expect = True
                    while j < len(tokens) and d:
                        tt = tokens[j].group(0)
                        if tt == "{":
                            d += 1
                        elif tt == "}":
                            d -= 1
                        elif d == 1 and expect and IDENT.fullmatch(tt):
                            names.add(tt)
                            expect = False
                        elif tt in (",",):
                            expect = True
                        j += 1
                for kw in ("struct", "enum", "union"):
                    if kw in head:
                        idx = head.index(kw)
                        if idx + 1 < len(head) and IDENT.fullmatch(head[idx + 1]):
                            names.add(head[idx + 1])
            depth += 1
        elif t == "}":
            depth -= 1
            if depth == 0:
                # a function body or an initializer ends the declaration
                nxt = tokens[k + 1].group(0) if k + 1 < len(tokens) else ""
                if nxt != ";" and not IDENT.fullmatch(nxt or "x"):
                    stmt_start = k + 1
                elif nxt != ";":
                    stmt_start = k + 1
        elif t == ";" and depth == 0:
            decl = [x for x in tokens[stmt_start:k]]
            analyse_decl(decl, text, funcs, names, definition=False)
            stmt_start = k + 1
        elif t == "(" and depth == 0:
            pass
        if t == "{" and depth == 1:
            decl = [x for x in tokens[stmt_start:k]]
            words = [x.group(0) for x in decl]
            if ")" in words and "=" not in words and "struct" != (words[0] if words else ""):
                analyse_decl(decl, text, funcs, names, definition=True)
                stmt_start = k + 1
        k += 1
    return funcs, names


def drop_attributes(words):
    """The words without __attribute__((...)) and __typeof__(...) groups."""
    out, i = [], 0
    while i < len(words):
        if words[i] in ("__attribute__", "__typeof__") and i + 1 < len(words) and \
                words[i + 1] == "(":
            depth, i = 0, i + 1
            while i < len(words):
                depth += {"(": 1, ")": -1}.get(words[i], 0)
                i += 1
                if depth == 0:
                    break
            continue
        out.append(words[i])
        i += 1
    return out


def analyse_decl(decl, text, funcs, names, definition):
    words = drop_attributes([x.group(0) for x in decl])
    if not words:
        return
    if words[0] == "typedef":
        for w in reversed(words):
            if IDENT.fullmatch(w):
                names.add(w)
                break
        return
    if words[0] == "_Static_assert":
        return
    hidden = any(x.group(0) == "__hidden__" for x in decl)
    line = text.count("\n", 0, decl[0].start()) + 1
    end = words.index("=") if "=" in words else len(words)
    words = words[:end]
    # a function: an identifier followed by '(' at paren depth 0; a pointer to
    # a function is a variable: '(' '*' NAME ')'
    depth, name = 0, None
    for idx, w in enumerate(words):
        if w == "(":
            if depth == 0 and idx + 3 < len(words) and words[idx + 1] == "*" and \
                    IDENT.fullmatch(words[idx + 2]) and words[idx + 3] == ")":
                if "static" not in words and NAME.fullmatch(words[idx + 2]):
                    names.add(words[idx + 2])
                return
            if depth == 0 and idx > 0 and IDENT.fullmatch(words[idx - 1]):
                name = words[idx - 1]
                break
            depth += 1
        elif w == ")":
            depth -= 1
    if name:
        funcs.append((name, "static" in words, definition, hidden, line))
        return
    if words[0] == "struct" and len(words) == 2:
        names.add("struct " + words[1])  # a forward declaration: an opaque type
        return
    # a variable: the last identifier before '=' (or the end)
    for w in reversed(words):
        if IDENT.fullmatch(w) and w not in ("const", "volatile"):
            if "static" not in words:
                names.add(w)
            break


def load(root):
    modules, order = {}, []
    rank = 0
    for layer, _lname, mods in LAYERS:
        for name, prefix in mods:
            modules[name] = Module(name, layer, rank, prefix)
            order.append(name)
            rank += 1
    problems = []
    rt = os.path.join(root, "runtime")
    for f in sorted(os.listdir(rt)):
        if not f.endswith((".c", ".h")) or f == PUBLIC_HEADER:
            continue
        stem = f[:-2]
        if stem not in modules:
            problems.append(f"runtime/{f}: module {stem} is in no layer (add it to LAYERS)")
            continue
        path = os.path.join(rt, f)
        modules[stem].files.append((f"runtime/{f}", strip_c(open(path).read())))
    arch = os.path.join(root, "arch", "x86_64", "gs_arch.h")
    modules["gs_arch"].files.append(("arch/x86_64/gs_arch.h", strip_c(open(arch).read())))
    for m in modules.values():
        for path, text in m.files:
            funcs, names = top_level_decls(text)
            m.opaque |= {n[7:] for n in names if n.startswith("struct ")}
            m.defines |= {n for n in names if NAME.fullmatch(n)}
            for name, static, definition, hidden, line in funcs:
                if path.endswith(".h"):
                    m.declared.add(name)
                    if hidden:
                        m.hidden.add(name)
                    if NAME.fullmatch(name):
                        m.defines.add(name)
                elif not static:
                    if definition:
                        m.functions[name] = line
                        if NAME.fullmatch(name):
                            m.defines.add(name)
                    elif NAME.fullmatch(name) and not name.startswith("__real_"):
                        problems.append(f"{path}:{line}: {name} is declared in a .c file; "
                                        f"declare it in its module's header")
    public = set()
    pub_text = strip_c(open(os.path.join(rt, PUBLIC_HEADER)).read())
    pub_funcs, pub_names = top_level_decls(pub_text)
    public = {f[0] for f in pub_funcs}
    return modules, order, public, pub_names, problems


def owners(modules, public_names):
    """name -> module owning it (the defining .c for functions)."""
    own = {}
    # declarations first, definitions override (a public function declared in
    # growstack.h belongs to the .c that defines it)
    for m in modules.values():
        for n in m.defines:
            own.setdefault(n, m.name)
    for m in modules.values():
        for n in m.functions:
            own[n] = m.name
    for n in public_names:
        own.pop(n, None)
    return own


def check_source(modules, public, pub_names):
    problems, edges = [], {}
    own = owners(modules, {n for n in pub_names if NAME.fullmatch(n) and n not in public})
    for m in modules.values():
        for path, text in m.files:
            for inc in re.finditer(r'^[ \t]*#[ \t]*include[ \t]+"([^"]+)\.h"', text, re.M):
                target = inc.group(1)
                if target + ".h" == PUBLIC_HEADER or target == m.name:
                    continue
                if target not in modules:
                    problems.append(f"{path}: includes {target}.h, a header of no module")
                    continue
                edges.setdefault((m.name, target), f"{path} includes {target}.h")
            for use in NAME.finditer(text):
                n = use.group(0)
                o = own.get(n)
                # A struct the module declares itself without its body is
                # opaque here: the compiler lets it name pointers, no fields.
                if o and o != m.name and n not in m.opaque:
                    line = text.count("\n", 0, use.start()) + 1
                    edges.setdefault((m.name, o), f"{path}:{line} uses {n}")
    for (a, b), why in sorted(edges.items()):
        if modules[b].rank >= modules[a].rank:
            problems.append(f"{why}: {a} (layer {modules[a].layer}) uses {b} (layer "
                            f"{modules[b].layer}), which is not below it")
    # rule 5: the allocator
    for m in modules.values():
        if m.name == ALLOCATOR_MODULE:
            continue
        for path, text in m.files:
            for call in ALLOCATOR_CALL.finditer(text):
                line = text.count("\n", 0, call.start()) + 1
                problems.append(f"{path}:{line}: calls {call.group(1)}: the runtime allocates "
                                f"through {ALLOCATOR_MODULE}.h (gs_mem_*), never the program's "
                                f"allocator")
    # declarations, prefixes
    for m in modules.values():
        if m.name == "gs_arch":
            continue
        for fn, line in sorted(m.functions.items()):
            path = f"runtime/{m.name}.c"
            if fn in public or fn in ABI:
                continue
            if fn not in m.declared:
                problems.append(f"{path}:{line}: {fn} is not declared in {m.name}.h")
                continue
            names = EXTRA_NAMES.get(m.name, set())
            if not (fn == m.prefix or fn.startswith(m.prefix + "_") or fn in names):
                problems.append(f"{path}:{line}: {fn} does not start with {m.prefix}_ "
                                f"(module {m.name})")
            if fn not in m.hidden:
                problems.append(f"{path}:{line}: {fn} is not declared hidden in {m.name}.h")
    return problems, edges


def check_asm(root, modules, own):
    problems = []
    arch = os.path.join(root, "arch", "x86_64")
    runtime_names = {n for n, o in own.items() if o != "gs_arch"}
    for f in sorted(os.listdir(arch)):
        if not f.endswith(".S"):
            continue
        text = strip_c(open(os.path.join(arch, f)).read())
        for use in NAME.finditer(text):
            n = use.group(0)
            if n in runtime_names and n not in ASM_UPCALLS:
                line = text.count("\n", 0, use.start()) + 1
                problems.append(f"arch/x86_64/{f}:{line}: names {n} ({own[n]}.c), which is not "
                                f"one of the runtime's entry points for assembly (ASM_UPCALLS)")
    return problems


def check_objects(objects, nm, modules):
    """Edges from the compiled objects: undefined symbols another object defines."""
    problems, edges = [], {}
    defined, undefined = {}, {}
    for obj in objects:
        stem = os.path.basename(obj).split(".")[0]
        if stem not in modules:
            continue  # the .S objects: checked by check_asm
        out = subprocess.run([nm, "--defined-only", "-g", obj], capture_output=True,
                             text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 3:
                defined[parts[2]] = stem
        out = subprocess.run([nm, "--undefined-only", obj], capture_output=True, text=True,
                             check=True).stdout
        undefined[stem] = {line.split()[-1] for line in out.splitlines() if line.strip()}
    # Header-only modules (block, block_calls) compile to no object of their own.
    with_c = {m for m, mod in modules.items() if any(p.endswith(".c") for p, _ in mod.files)}
    missing = sorted(with_c - set(undefined))
    if missing:
        problems.append(f"--objects: no object for module(s) {' '.join(missing)}")
    for stem, names in undefined.items():
        for n in sorted(names & ALLOCATOR) if stem != ALLOCATOR_MODULE else ():
            problems.append(f"{stem}.o references {n} (compiled): the runtime allocates "
                            f"through {ALLOCATOR_MODULE}.h (gs_mem_*), never the program's "
                            f"allocator")
        for n in names:
            o = defined.get(n)
            if o and o != stem:
                edges.setdefault((stem, o), f"{stem}.o references {n}")
    for (a, b), why in sorted(edges.items()):
        if modules[b].rank >= modules[a].rank:
            problems.append(f"{why} (compiled): {a} (layer {modules[a].layer}) uses {b} "
                            f"(layer {modules[b].layer}), which is not below it")
    return problems, edges


def dot(modules, order, edges):
    lines = ["digraph runtime {", "  rankdir=BT; node [shape=box, fontname=monospace];"]
    for layer, lname, mods in LAYERS:
        lines.append(f'  subgraph cluster_{layer} {{ label="{layer} {lname}"; rank=same;')
        lines.append("    " + " ".join(f'"{n}";' for n, _ in mods) + " }")
    for (a, b) in sorted(edges):
        lines.append(f'  "{a}" -> "{b}";')
    lines.append("}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."))
    ap.add_argument("--objects", nargs="*", default=[])
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--dot", action="store_true")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    modules, order, public, pub_names, problems = load(a.root)
    p, edges = check_source(modules, public, pub_names)
    problems += p
    own = owners(modules, set())
    problems += check_asm(a.root, modules, own)
    if a.objects:
        p, obj_edges = check_objects(a.objects, a.nm, modules)
        problems += p
    if a.dot:
        print(dot(modules, order, edges))
    if a.list:
        for name in order:
            deps = sorted({b for (x, b) in edges if x == name}, key=lambda n: modules[n].rank)
            print(f"{modules[name].layer} {name:10} -> {' '.join(deps)}")
    for line in problems:
        print(f"check_layers: {line}", file=sys.stderr)
    if not a.dot and not a.list:
        nfiles = sum(len(m.files) for m in modules.values())
        print(f"check_layers: {len(modules)} modules in {len(LAYERS)} layers, {nfiles} files, "
              f"{len(edges)} module dependencies"
              + (f", {len(obj_edges)} in the objects" if a.objects else "")
              + (": every one goes down" if not problems else f"; {len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
