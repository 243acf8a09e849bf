# gdb_backtrace_callback.cmake - run with cmake -P; runs EXE
# (backtrace_from_callback.c) with the argument "abort" under `gdb -batch`: the
# qsort comparator, which runs on the system stack through __gs_tramp, calls
# abort() 201 bt_descend frames deep in the coroutine. At the SIGABRT, `bt` must
# walk from abort through qsort and the trampoline (a frame gdb shows as
# "<signal handler called>", docs/usage.md "Debugging") back to main:
#   - gdb did not stop early ("Backtrace stopped: ..."),
#   - the backtrace shows abort, bt_compare, the trampoline's frame, bt_sort,
#     and reaches main,
#   - it shows all 201 bt_descend frames (plus one more per segment boundary:
#     the return into the function's alloc block, next to a __morestack frame).
# The configuration (mode, forced moves) comes from the test's ENVIRONMENT.
#   cmake -DGDB=gdb -DEXE=path -P gdb_backtrace_callback.cmake
# If gdb cannot run a program here at all (no ptrace in a container), the
# script says GDB_CANNOT_RUN, which the test maps to "skipped", not passed.
foreach(v GDB EXE)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "gdb_backtrace_callback.cmake: -D${v}=... is required")
  endif()
endforeach()

execute_process(
  COMMAND ${GDB} -batch -nx
          -ex "set pagination off" -ex "set confirm off" -ex "set width 0"
          -ex "run" -ex "bt" -ex "kill"
          --args ${EXE} abort
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 120)
set(all "${out}\n${err}")

if(NOT all MATCHES "received signal SIGABRT")
  if(all MATCHES "ptrace|Operation not permitted|not permitted|Could not trace")
    message(STATUS "GDB_CANNOT_RUN: gdb cannot run programs here:\n${all}")
    return()
  endif()
  message(FATAL_ERROR "the program did not stop with SIGABRT under gdb (exit ${rc}):\n${all}")
endif()

string(REGEX MATCHALL "\n#[0-9]+ [^\n]*" frames "${out}")
list(LENGTH frames nframes)
set(ndescend 0)
set(nmorestack 0)
foreach(what abort compare switch sort main)
  set(seen_${what} FALSE)
endforeach()
foreach(f IN LISTS frames)
  if(f MATCHES " bt_descend \\(")
    math(EXPR ndescend "${ndescend} + 1")
  elseif(f MATCHES " __morestack[_a-z]* \\(")
    math(EXPR nmorestack "${nmorestack} + 1")
  elseif(f MATCHES " (__GI_)?abort \\(")
    set(seen_abort TRUE)
  elseif(f MATCHES " bt_compare \\(")
    set(seen_compare TRUE)
  elseif(f MATCHES "<signal handler called>")
    set(seen_switch TRUE)
  elseif(f MATCHES " bt_sort \\(")
    set(seen_sort TRUE)
  elseif(f MATCHES " main \\(")
    set(seen_main TRUE)
  endif()
endforeach()

set(problems "")
if(all MATCHES "Backtrace stopped[^\n]*")
  string(APPEND problems "  gdb stopped early: ${CMAKE_MATCH_0}\n")
endif()
foreach(what abort compare switch sort main)
  if(NOT seen_${what})
    string(APPEND problems "  no ${what} frame\n")
  endif()
endforeach()
math(EXPR want "201 + ${nmorestack}")
if(NOT ndescend EQUAL want)
  string(APPEND problems "  ${ndescend} bt_descend frames, want 201 + ${nmorestack} boundaries\n")
endif()
if(problems)
  message(FATAL_ERROR "gdb backtrace from a callback:\n${problems}"
                      "${nframes} frames, ${ndescend} bt_descend, "
                      "${nmorestack} __morestack\n--- gdb output:\n${all}")
endif()
message(STATUS "gdb backtrace from a callback: ${nframes} frames, ${ndescend} bt_descend, "
               "${nmorestack} __morestack, reaches main")
