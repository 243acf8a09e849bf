# gdb_side_locals.cmake - run with cmake -P; runs EXE (a gscc-built program,
# gdb_side_locals.c) under `gdb -batch` with a stack move forced at every
# check, stops in gdb_side_bottom() 100 frames below gdb_side_holder and
# checks that gdb prints the holder's side-stack locals (side_x, side_buf) and
# its moving-stack local (plain_y) with their values (docs/plugin.md, "Debug
# info"). The environment comes from the test's ENVIRONMENT.
#   cmake -DGDB=gdb -DEXE=path -P gdb_side_locals.cmake
# GDB_CANNOT_RUN (no ptrace here) maps to "skipped", not passed.
foreach(v GDB EXE)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "gdb_side_locals.cmake: -D${v}=... is required")
  endif()
endforeach()

execute_process(
  COMMAND ${GDB} -batch -nx
          -ex "set pagination off" -ex "set confirm off" -ex "set width 0"
          -ex "break gdb_side_bottom" -ex "run"
          -ex "frame function gdb_side_holder"
          -ex "print side_x" -ex "print side_buf" -ex "print plain_y"
          -ex "kill"
          ${EXE}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 120)
set(all "${out}\n${err}")

if(NOT all MATCHES "Breakpoint 1, gdb_side_bottom")
  if(all MATCHES "ptrace|Operation not permitted|not permitted|Could not trace")
    message(STATUS "GDB_CANNOT_RUN: gdb cannot run programs here:\n${all}")
    return()
  endif()
  message(FATAL_ERROR "gdb did not stop in gdb_side_bottom (exit ${rc}):\n${all}")
endif()

set(problems "")
if(NOT out MATCHES "\\$1 = 4242")
  string(APPEND problems "  side_x (side stack) is not 4242\n")
endif()
if(NOT out MATCHES "\\$2 = \"side stack")
  string(APPEND problems "  side_buf (side stack) is not \"side stack\"\n")
endif()
if(NOT out MATCHES "\\$3 = 2122")
  string(APPEND problems "  plain_y (moving stack) is not 2122\n")
endif()
if(problems)
  message(FATAL_ERROR "gdb and side-stack locals:\n${problems}--- gdb output:\n${all}")
endif()
message(STATUS "gdb prints side-stack and moving-stack locals after forced moves")
