# check_direct_call.cmake - run with cmake -P; checks with llvm-nm that in the
# linked executable EXE
#   - every function in DIRECT (instrumented, defined in another file or in a
#     static archive) is called directly: its __gs_x<N>.<name> symbol exists and
#     is at the function's own address (the plugin's alias), not a thunk;
#   - every function in THUNKED (libc, not instrumented) went through a gscc
#     thunk: __gs_x<N>.<name> is a local symbol at an address of its own.
# docs/protocol.md section 4. Usage:
#   cmake -DNM=llvm-nm-19 -DEXE=path "-DDIRECT=a;b" "-DTHUNKED=c" -P check_direct_call.cmake
foreach(v NM EXE DIRECT THUNKED)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "check_direct_call.cmake: -D${v}=... is required")
  endif()
endforeach()

execute_process(COMMAND ${NM} --defined-only ${EXE}
  OUTPUT_VARIABLE out RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} ${EXE} failed (${rc}): ${err}")
endif()
string(REPLACE "\n" ";" lines "${out}")

# name -> "address type" for the names we care about
function(lookup name outvar_addr outvar_type)
  set(${outvar_addr} "" PARENT_SCOPE)
  set(${outvar_type} "" PARENT_SCOPE)
  foreach(line IN LISTS lines)
    if(line MATCHES "^([0-9a-f]+) ([A-Za-z]) (.+)$" AND CMAKE_MATCH_3 STREQUAL name)
      set(${outvar_addr} ${CMAKE_MATCH_1} PARENT_SCOPE)
      set(${outvar_type} ${CMAKE_MATCH_2} PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

# the __gs_x<N>.<name> symbol, whatever N is
function(lookup_alias name outvar_sym outvar_addr outvar_type)
  set(${outvar_sym} "" PARENT_SCOPE)
  string(REGEX REPLACE "([][.*+?^$()|\\\\])" "\\\\\\1" quoted "${name}")
  foreach(line IN LISTS lines)
    if(line MATCHES "^([0-9a-f]+) ([A-Za-z]) (__gs_x[0-9]*\\.${quoted})$")
      set(${outvar_sym} ${CMAKE_MATCH_3} PARENT_SCOPE)
      set(${outvar_addr} ${CMAKE_MATCH_1} PARENT_SCOPE)
      set(${outvar_type} ${CMAKE_MATCH_2} PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

set(failures "")
foreach(fn IN LISTS DIRECT)
  lookup(${fn} addr type)
  lookup_alias(${fn} sym alias_addr alias_type)
  if(addr STREQUAL "")
    string(APPEND failures "  ${fn}: not defined in ${EXE}\n")
  elseif(sym STREQUAL "")
    string(APPEND failures "  ${fn}: no __gs_x*.${fn} symbol (was it instrumented?)\n")
  elseif(NOT alias_addr STREQUAL addr)
    string(APPEND failures
      "  ${fn}: ${sym} is at 0x${alias_addr} (${alias_type}), ${fn} at 0x${addr}: "
      "the call went through a thunk, not direct\n")
  else()
    message(STATUS "direct: ${sym} == ${fn} at 0x${addr}")
  endif()
endforeach()
foreach(fn IN LISTS THUNKED)
  lookup_alias(${fn} sym alias_addr alias_type)
  if(sym STREQUAL "")
    string(APPEND failures "  ${fn}: no thunk __gs_x*.${fn} in ${EXE}\n")
  elseif(NOT alias_type STREQUAL "t")
    string(APPEND failures "  ${fn}: ${sym} has type ${alias_type}, want t (a hidden thunk)\n")
  else()
    message(STATUS "thunk: ${sym} at 0x${alias_addr}")
  endif()
endforeach()
if(NOT failures STREQUAL "")
  message(FATAL_ERROR "check_direct_call: ${EXE}:\n${failures}")
endif()
