# install_consumer.cmake - run with cmake -P: install this build of growstack
# into a temporary prefix, move the prefix elsewhere (everything must be found
# relative to it), and build and run small consumers against it:
#   - consumer/ with find_package(growstack): growstack_instrument() on a C++
#     program linked by clang++ and on a C program with WRAP_MAIN, the
#     growstack::runtime target, growstack::gscc;
#   - the same project configured with gcc as the C compiler must stop with
#     growstack_instrument()'s message naming clang-19;
#   - pkg-config: gscc from `pkg-config --variable=gscc growstack`, and a plain
#     clang-19 program built with `pkg-config --cflags --libs growstack`.
# Every program checks itself (and, outside fixed mode, that its stack grew).
#   cmake -DBUILD=<growstack build> -DSRC=<tests/install> -DWORK=<dir> -P install_consumer.cmake
foreach(v BUILD SRC WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "install_consumer.cmake: -D${v}=... is required")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(step name)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${WORK}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "install test, ${name}: `${cmd}` exited ${rc}\n${out}\n${err}")
  endif()
  message(STATUS "ok: ${name}")
  set(step_output "${out}${err}" PARENT_SCOPE)
endfunction()

# 1. Install, then move the prefix.
step("cmake --install" ${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/staged)
file(RENAME ${WORK}/staged ${WORK}/prefix)
set(prefix ${WORK}/prefix)
foreach(f bin/gscc include/growstack.h lib/cmake/growstack/growstackConfig.cmake
          lib/pkgconfig/growstack.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "install test: ${f} is not installed")
  endif()
endforeach()

# 2. find_package.
set(gen -G Ninja -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19
        -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=RelWithDebInfo)
step("configure the consumer" ${CMAKE_COMMAND} -S ${SRC}/consumer -B ${WORK}/consumer ${gen})
if(NOT step_output MATCHES "GROWSTACK_GSCC=${prefix}/bin/gscc")
  message(FATAL_ERROR "install test: GROWSTACK_GSCC is not the installed gscc:\n${step_output}")
endif()
step("build the consumer" ${CMAKE_COMMAND} --build ${WORK}/consumer)
foreach(mode fixed segmented contiguous)
  set(ENV{GROWSTACK_MODE} ${mode})
  foreach(prog harness wrapped api_only by_gscc_prog)
    step("${prog} (${mode})" ${WORK}/consumer/${prog})
    if(NOT step_output MATCHES ": ok")
      message(FATAL_ERROR "install test: ${prog} (${mode}) said:\n${step_output}")
    endif()
  endforeach()
endforeach()
unset(ENV{GROWSTACK_MODE})

# 3. growstack_instrument() refuses a C compiler that cannot load the plugin.
find_program(GCC gcc)
if(GCC)
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC}/consumer -B ${WORK}/consumer-gcc -G Ninja
                          -DCMAKE_C_COMPILER=${GCC} -DCMAKE_CXX_COMPILER=clang++-19
                          -DCMAKE_PREFIX_PATH=${prefix}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0 OR NOT "${out}${err}" MATCHES "needs[ \n]+clang-19")
    message(FATAL_ERROR "install test: configuring with gcc did not stop with the clang-19 "
                        "message (exit ${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "ok: gcc as the C compiler is refused")
endif()

# 4. pkg-config.
find_program(PKG_CONFIG NAMES pkg-config pkgconf REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
step("pkg-config gscc" ${PKG_CONFIG} --variable=gscc growstack)
string(STRIP "${step_output}" pc_gscc)
step("pkg-config flags" ${PKG_CONFIG} --cflags --libs growstack)
string(STRIP "${step_output}" pc_flags)
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
step("gscc from pkg-config" ${pc_gscc} -O2 ${SRC}/consumer/wrapped.c ${SRC}/consumer/kernel.c
     -o ${WORK}/pc_wrapped)
step("clang-19 with pkg-config's flags" clang-19 -O2 ${SRC}/consumer/api_only.c ${pc_flags}
     -o ${WORK}/pc_api_only)
foreach(prog pc_wrapped pc_api_only)
  step("${prog}" ${WORK}/${prog})
  if(NOT step_output MATCHES ": ok")
    message(FATAL_ERROR "install test: ${prog} said:\n${step_output}")
  endif()
endforeach()
message(STATUS "install test: all consumers built and ran against ${prefix}")
