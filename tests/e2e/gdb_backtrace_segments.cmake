# gdb_backtrace_segments.cmake - run with cmake -P; runs EXE (a gscc-built
# program, gdb_backtrace_segments.c) under `gdb -batch`, stops in
# gdb_bt_bottom() at recursion depth 200 and checks that `bt` unwinds through
# every segment boundary (a __morestack frame each, docs/protocol.md 5.2) back
# to main:
#   - the backtrace reaches main,
#   - it shows all 201 gdb_bt_descend frames (plus one more per boundary: the
#     function's retq in its alloc block, where __morestack returns to),
#   - it shows __morestack frames (the program did cross segments),
#   - gdb did not stop early ("Backtrace stopped: ...").
# The environment (GROWSTACK_MODE=segmented, 2 KiB segments) comes from the
# test's ENVIRONMENT: gdb passes it on to the program.
#   cmake -DGDB=gdb -DEXE=path -P gdb_backtrace_segments.cmake
# If gdb cannot run a program here at all (no ptrace in a container), the
# script says GDB_CANNOT_RUN, which the test maps to "skipped", not passed.
foreach(v GDB EXE)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "gdb_backtrace_segments.cmake: -D${v}=... is required")
  endif()
endforeach()

execute_process(
  COMMAND ${GDB} -batch -nx
          -ex "set pagination off" -ex "set confirm off" -ex "set width 0"
          -ex "break gdb_bt_bottom" -ex "run" -ex "bt" -ex "kill"
          ${EXE}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 120)
set(all "${out}\n${err}")

if(NOT all MATCHES "Breakpoint 1, gdb_bt_bottom")
  if(all MATCHES "ptrace|Operation not permitted|not permitted|Could not trace")
    message(STATUS "GDB_CANNOT_RUN: gdb cannot run programs here:\n${all}")
    return()
  endif()
  message(FATAL_ERROR "gdb did not stop in gdb_bt_bottom (exit ${rc}):\n${all}")
endif()

string(REGEX MATCHALL "\n#[0-9]+ [^\n]*" frames "${out}")
list(LENGTH frames nframes)
set(ndescend 0)
set(nmorestack 0)
set(main_seen FALSE)
foreach(f IN LISTS frames)
  if(f MATCHES " gdb_bt_descend \\(")
    math(EXPR ndescend "${ndescend} + 1")
  elseif(f MATCHES " __morestack[_a-z]* \\(")
    math(EXPR nmorestack "${nmorestack} + 1")
  elseif(f MATCHES " main \\(")
    set(main_seen TRUE)
  endif()
endforeach()

set(problems "")
if(all MATCHES "Backtrace stopped[^\n]*")
  string(APPEND problems "  gdb stopped early: ${CMAKE_MATCH_0}\n")
endif()
if(NOT main_seen)
  string(APPEND problems "  the backtrace does not reach main\n")
endif()
if(ndescend LESS 201)
  string(APPEND problems "  only ${ndescend} gdb_bt_descend frames (want 201 or more)\n")
endif()
if(nmorestack EQUAL 0)
  string(APPEND problems "  no __morestack frame: the program did not cross a segment\n")
endif()
if(problems)
  message(FATAL_ERROR "gdb backtrace across segments:\n${problems}"
                      "${nframes} frames, ${ndescend} gdb_bt_descend, "
                      "${nmorestack} __morestack\n--- gdb output:\n${all}")
endif()
message(STATUS "gdb backtrace: ${nframes} frames, ${ndescend} gdb_bt_descend, "
               "${nmorestack} __morestack, reaches main")
