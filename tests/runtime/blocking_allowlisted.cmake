# blocking_allowlisted - every GS_BLOCKING entry point of the runtime
# (runtime/block_calls.h) is on the plugin's allowlist (compiler-plugin/
# Protocol.h, DefaultAllowlist), and nothing on the allowlist named gs_* is
# missing from the runtime's list of on-stack entry points: otherwise an
# instrumented call would reach a blocking call through the system-stack
# trampoline, where it cannot park (docs/protocol.md 4, docs/netpoll.md).
#   cmake -DSRC=<source dir> -P blocking_allowlisted.cmake
file(READ ${SRC}/runtime/block_calls.h calls)
file(READ ${SRC}/compiler-plugin/Protocol.h protocol)
string(REGEX MATCHALL "\nGS_BLOCKING\\(([a-z_]+)," entries "${calls}")
set(n 0)
foreach(e IN LISTS entries)
  string(REGEX REPLACE ".*GS_BLOCKING\\(([a-z_]+),.*" "\\1" name "${e}")
  math(EXPR n "${n} + 1")
  string(FIND "${protocol}" "\"${name}\"" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "blocking_allowlisted: ${name} (runtime/block_calls.h) is not on the "
                        "plugin's allowlist (compiler-plugin/Protocol.h)")
  endif()
endforeach()
if(n LESS 10)
  message(FATAL_ERROR "blocking_allowlisted: only ${n} GS_BLOCKING entries found")
endif()
message(STATUS "blocking_allowlisted: ${n} blocking entry points, all allowlisted")
