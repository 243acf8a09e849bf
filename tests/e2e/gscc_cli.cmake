# gscc_cli.cmake - run with cmake -P: the gscc driver's own behaviour, with the
# real plugin and runtime of this build (docs/usage.md describes each case).
#   cmake -DGSCC=path/to/gscc -DNM=llvm-nm-19 -DAR=llvm-ar-19 -DCLANG=clang-19 -DWORK=dir -P gscc_cli.cmake
foreach(v GSCC NM AR CLANG WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "gscc_cli.cmake: -D${v}=... is required")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(failures "")

# run(<name> <expected exit code> <regex stdout+stderr must match or "">  args...)
function(run name want_rc want_regex)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${WORK}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(all "${out}${err}")
  set(ok TRUE)
  if(want_rc STREQUAL "nonzero")
    if(rc EQUAL 0)
      set(ok FALSE)
    endif()
  elseif(NOT rc STREQUAL want_rc)
    set(ok FALSE)
  endif()
  if(NOT want_regex STREQUAL "" AND NOT all MATCHES "${want_regex}")
    set(ok FALSE)
  endif()
  if(ok)
    message(STATUS "ok: ${name}")
  else()
    string(REPLACE ";" " " cmd "${ARGN}")
    string(APPEND failures "  ${name}: `${cmd}` exited ${rc} (want ${want_rc}); "
                           "output (want /${want_regex}/):\n${all}\n")
    set(failures "${failures}" PARENT_SCOPE)
  endif()
  set(last_output "${all}" PARENT_SCOPE)
endfunction()

file(WRITE ${WORK}/calls.c [[
#include <stdio.h>
int other(int);
int calls(int x) { puts("calls"); return other(x) + 1; }
]])
file(WRITE ${WORK}/main_undef.c [[
int calls(int);
int main(void) { return calls(1); }
]])
file(WRITE ${WORK}/uses_atoi.c [[
#include <stdlib.h>
int lib_fn(const char *s) { return atoi(s); }
]])
file(WRITE ${WORK}/main_lib.c [[
int lib_fn(const char *);
int main(void) { return lib_fn("3") - 3; }
]])

# Usage errors: status 2.
run("unknown --gs option" 2 "gscc: unknown option --gs-bogus" ${GSCC} --gs-bogus)
run("--gs option not first" 2 "must be the first argument" ${GSCC} -c calls.c --gs-print-plugin)
run("--gs-thunks without -o" 2 "needs -o" ${GSCC} --gs-thunks calls.o)
run("-m32 refused" 2 "only x86-64" ${GSCC} -m32 -c calls.c)
# Link-time optimisation would re-optimise instrumented code after the plugin
# (docs/plugin.md "-flto"): refused when gscc compiles; the last of -flto and
# -fno-lto wins, as in clang; a link of objects may name it.
run("-flto refused" 2 "-flto: link-time optimisation is not supported" ${GSCC} -flto -c calls.c)
run("-flto=thin refused" 2 "-flto=thin: link-time optimisation" ${GSCC} -O2 -flto=thin -c calls.c)
run("-flto when compiling and linking" 2 "link-time optimisation" ${GSCC} -flto calls.c main_undef.c -o never)
run("-fno-lto -flto refused" 2 "link-time optimisation" ${GSCC} -fno-lto -flto -c calls.c)
run("-flto -fno-lto compiles" 0 "" ${GSCC} -flto -fno-lto -c calls.c -o calls_nolto.o)
run("-E -flto preprocesses" 0 "" ${GSCC} -E -flto calls.c -o calls.i)
run("--gs-help names -flto" 0 "-flto when compiling" ${GSCC} --gs-help)
# clang's -fsplit-stack would mark the functions the plugin keeps unchecked too
# (a variadic shell: LLVM's "Segmented stacks do not support vararg functions").
run("-fsplit-stack refused" 2 "-fsplit-stack: gscc's plugin gives every function" ${GSCC} -fsplit-stack -c calls.c)
run("-fsplit-stack -fno-split-stack compiles" 0 "" ${GSCC} -fsplit-stack -fno-split-stack -c calls.c -o calls_nosplit.o)
# Sanitizers with shadow state for stack addresses, memcpy interceptors or a
# stack of their own: refused when compiling and when linking; -fno-sanitize=
# takes them back, in order; -fsanitize=undefined passes (e2e.ubsan_reports).
run("-fsanitize=address refused" 2 "-fsanitize=address: not supported" ${GSCC} -fsanitize=address -c calls.c)
run("a refused one in a list" 2 "-fsanitize=thread: not supported" ${GSCC} -fsanitize=undefined,thread -c calls.c)
run("several named" 2 "-fsanitize=memory,dataflow: not supported" ${GSCC} -fsanitize=memory -fsanitize=dataflow -c calls.c)
run("-fsanitize=safe-stack refused" 2 "safe-stack: not supported" ${GSCC} -fsanitize=safe-stack -c calls.c)
run("refused at a link too" 2 "-fsanitize=address: not supported" ${GSCC} -fsanitize=address calls.o -o never)
run("refused by --gs-link" 2 "-fsanitize=address: not supported" ${GSCC} --gs-link clang-19 -fsanitize=address calls.o -o never)
run("-fno-sanitize= takes it back" 0 "" ${GSCC} "-###" -fsanitize=address,undefined -fno-sanitize=address -c calls.c)
run("-fno-sanitize=all takes all back" 0 "" ${GSCC} "-###" -fsanitize=address -fno-sanitize=all -c calls.c)
run("-fsanitize=undefined passes" 0 "-fsanitize=undefined" ${GSCC} "-###" -fsanitize=undefined -c calls.c)

# The pieces are found relative to gscc.
run("--gs-print-plugin" 0 "growstack-plugin\\.so" ${GSCC} --gs-print-plugin)
run("--gs-print-runtime" 0 "libgrowstack\\.a" ${GSCC} --gs-print-runtime)
run("--gs-print-include-dir" 0 "include" ${GSCC} --gs-print-include-dir)

# Pass-through: clang's own answers and exit status.
run("--version is clang's" 0 "clang version 19" ${GSCC} --version)
run("missing input: clang's status" 1 "no such file" ${GSCC} -c does-not-exist.c)
run("-### prints the plugin" 0 "-fpass-plugin=[^\"]*growstack-plugin\\.so" ${GSCC} "-###" -c calls.c)
run("-### link plan" 0 "--wrap=main.*--wrap=makecontext.*--wrap=swapcontext.*--wrap=setcontext.*--wrap=longjmp.*--wrap=_longjmp.*--wrap=siglongjmp.*--wrap=__longjmp_chk.*-z,now" ${GSCC} "-###" calls.c main_undef.c -o never)
# Zeroing: clang zeroes locals up to 32 bytes when optimising (the plugin the
# larger ones, compiler-plugin/ZeroLocals.h), every local at -O0; a user's own
# -ftrivial-auto-var-init= replaces both.
run("-O2: max-size 32" 0 "-ftrivial-auto-var-init=zero\" \"-ftrivial-auto-var-init-max-size=32"
    ${GSCC} "-###" -O2 -c calls.c)
run("-O0 (last -O wins): no max-size" 0 "" ${GSCC} "-###" -O2 -O0 -c calls.c)
if(last_output MATCHES "max-size" OR NOT last_output MATCHES "-ftrivial-auto-var-init=zero")
  string(APPEND failures "  -O0: want -ftrivial-auto-var-init=zero without max-size:\n${last_output}\n")
endif()
run("own -ftrivial-auto-var-init=: kept alone" 0 "" ${GSCC} "-###" -O2 -ftrivial-auto-var-init=pattern -c calls.c)
if(last_output MATCHES "max-size|=zero")
  string(APPEND failures "  own auto-var-init: gscc added its own:\n${last_output}\n")
endif()

# Compile, then build a thunk archive for another driver.
run("gscc -c" 0 "" ${GSCC} -O1 -c calls.c -o calls.o)
run("calls.o refers to __gs_x names" 0 "__gs_x\\.puts" ${NM} -u calls.o)
run("--gs-thunks" 0 "" ${GSCC} --gs-thunks -o thunks.a calls.o)
run("thunk archive has puts and other" 0 "T __gs_x\\.other.*T __gs_x\\.puts|T __gs_x\\.puts.*T __gs_x\\.other"
    ${NM} --defined-only thunks.a)
run("--gs-thunks -shared" 0 "" ${GSCC} --gs-thunks -shared -o thunks_so.a calls.o)
run("(shared members are weak)" 0 "W __gs_x\\.puts" ${NM} thunks_so.a)
run("--gs-thunks with no references: an empty archive" 0 "" ${GSCC} --gs-thunks -o empty.a)
run("(empty archive)" 0 "" ${AR} t empty.a)

# A function defined nowhere: the linker's usual message, naming the function.
run("undefined function" nonzero "undefined reference to `other'" ${GSCC} calls.o main_undef.c -o undef)

# An archive hidden in -Wl, is not scanned: its external calls have no thunk.
run("archive member" 0 "" ${GSCC} -c uses_atoi.c -o uses_atoi.o)
run("archive" 0 "" ${AR} rcs libuses_atoi.a uses_atoi.o)
run("archive via -Wl, is not scanned" nonzero "undefined reference to `__gs_x\\.atoi'"
    ${GSCC} main_lib.c -Wl,libuses_atoi.a -o via_wl)
run("archive as an input is scanned" 0 "" ${GSCC} main_lib.c libuses_atoi.a -o via_input)
run("archive via -L/-l is scanned" 0 "" ${GSCC} main_lib.c -L. -luses_atoi -o via_l)
run("the program runs" 0 "" ${WORK}/via_l)
# A library plain clang built: the calls into it go through thunks, which come
# after it on the command line, so gscc names it again after them (the linker
# searches an archive where it stands, and --as-needed drops a shared library
# that nothing named yet). Before 2026-12-06 each of these links failed with
# "undefined reference to `plain_add'".
file(WRITE ${WORK}/plain_add.c "int plain_add(int a, int b) { return a + b; }\n")
file(WRITE ${WORK}/main_plain.c "int plain_add(int, int);\nint main(void) { return plain_add(2, 3) == 5 ? 0 : 1; }\n")
run("plain object" 0 "" ${CLANG} -O2 -fPIC -c plain_add.c -o plain_add.o)
run("plain archive" 0 "" ${AR} rcs libplain_add.a plain_add.o)
run("plain shared library" 0 "" ${CLANG} -shared plain_add.o -o libplain_add_so.so)
run("plain archive via -l" 0 "" ${GSCC} main_plain.c -L. -lplain_add -o plain_l)
run("(runs)" 0 "" ${WORK}/plain_l)
run("plain archive as an input" 0 "" ${GSCC} main_plain.c libplain_add.a -o plain_input)
run("(runs)" 0 "" ${WORK}/plain_input)
run("plain archive under -Bstatic" 0 "" ${GSCC} main_plain.c -Wl,-Bstatic -L. -lplain_add -Wl,-Bdynamic -o plain_bstatic)
run("(runs)" 0 "" ${WORK}/plain_bstatic)
run("plain shared library under --as-needed" 0 "" ${GSCC} main_plain.c -Wl,--as-needed -L. -lplain_add_so -Wl,-rpath,${WORK} -o plain_as_needed)
run("(runs)" 0 "" ${WORK}/plain_as_needed)
run("a link of objects may name -flto" 0 "" ${GSCC} -flto main_lib.c -fno-lto -c -o main_lib_lto.o)
run("(link with -flto)" 0 "" ${GSCC} -flto main_lib_lto.o libuses_atoi.a -o via_lto_link)
run("(that program runs)" 0 "" ${WORK}/via_lto_link)
# But not bitcode the plugin instrumented (clang -flto -fpass-plugin, as a CMake
# build with INTERPROCEDURAL_OPTIMIZATION and growstack_instrument() makes):
# the link would optimise it again. gscc and --gs-link refuse it by name.
execute_process(COMMAND ${GSCC} --gs-print-plugin OUTPUT_VARIABLE plugin
  OUTPUT_STRIP_TRAILING_WHITESPACE)
run("(instrumented bitcode)" 0 "" clang-19 -O1 -flto -fpass-plugin=${plugin} -c uses_atoi.c
    -o uses_atoi_lto.o)
run("instrumented bitcode refused" 1
    "uses_atoi_lto.o: LLVM bitcode compiled with the growstack plugin \\(-flto\\)"
    ${GSCC} -flto main_lib_lto.o uses_atoi_lto.o -o never)
run("... by --gs-link too" 1 "uses_atoi_lto.o: LLVM bitcode compiled with the growstack plugin"
    ${GSCC} --gs-link clang-19 -flto main_lib_lto.o uses_atoi_lto.o -o never)
run("plain clang's bitcode links" 0 "" clang-19 -O1 -flto -c uses_atoi.c -o uses_atoi_plain_lto.o)
run("(with gscc's objects)" 0 "" ${GSCC} -flto main_lib_lto.o uses_atoi_plain_lto.o -o via_plain_lto)
run("(and runs)" 0 "" ${WORK}/via_plain_lto)

# What a link runs (docs/usage.md, "What gscc costs"): gscc reads the symbols
# and writes the thunk archive itself, so a link with objects and archives runs
# exactly one command, clang's link; a compile runs exactly one clang.
run("a link runs one command" 0 "" ${GSCC} -O1 -c main_lib.c -o main_lib.o)
set(ENV{GSCC_VERBOSE} 1)
run("(link, verbose)" 0 "" ${GSCC} main_lib.o libuses_atoi.a -L. -luses_atoi -lm -o one_cmd)
string(REGEX MATCHALL "gscc: [^\n]*" cmds "${last_output}")
list(FILTER cmds EXCLUDE REGEX "^gscc: wrote ")
list(LENGTH cmds ncmds)
if(NOT ncmds EQUAL 1 OR NOT cmds MATCHES "^gscc: clang-19 ")
  string(APPEND failures "  a link ran ${ncmds} commands, want only clang's link:\n${last_output}\n")
endif()
run("(compile, verbose)" 0 "" ${GSCC} -O1 -c uses_atoi.c -o uses_atoi2.o)
string(REGEX MATCHALL "gscc: [^\n]*" cmds "${last_output}")
list(LENGTH cmds ncmds)
if(NOT ncmds EQUAL 1)
  string(APPEND failures "  a compile ran ${ncmds} commands, want one clang:\n${last_output}\n")
endif()
unset(ENV{GSCC_VERBOSE})
run("(no split-stack note left)" 0 "" ${NM} uses_atoi2.o)
execute_process(COMMAND readelf -S ${WORK}/uses_atoi2.o OUTPUT_VARIABLE sections)
if(sections MATCHES "split-stack")
  string(APPEND failures "  gscc -c left a split-stack note:\n${sections}\n")
endif()
run("the one-command program runs" 0 "" ${WORK}/one_cmd)

# A clang killed by a signal kills gscc with the same signal (docs/usage.md,
# "Exit status"), when it compiles to an object as when it links: CMake
# reports a death by signal as a string, an exit status 128 + N as a number.
file(WRITE ${WORK}/clang_killed.sh "#!/bin/sh\nkill -TERM $$\n")
file(CHMOD ${WORK}/clang_killed.sh PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
set(ENV{GSCC_CLANG} ${WORK}/clang_killed.sh)
foreach(how "compile:-c;calls.c;-o;killed.o" "link:main_lib.o;-o;killed")
  string(REGEX REPLACE "^([a-z]+):.*" "\\1" what "${how}")
  string(REGEX REPLACE "^[a-z]+:" "" args "${how}")
  execute_process(COMMAND ${GSCC} ${args} WORKING_DIRECTORY ${WORK}
    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(rc MATCHES "^[0-9]+$")
    string(APPEND failures "  clang killed by SIGTERM (${what}): gscc exited ${rc}, want death by the signal\n")
  else()
    message(STATUS "ok: clang killed by a signal (${what}): gscc ${rc}")
  endif()
endforeach()
unset(ENV{GSCC_CLANG})

if(NOT failures STREQUAL "")
  message(FATAL_ERROR "gscc_cli:\n${failures}")
endif()
