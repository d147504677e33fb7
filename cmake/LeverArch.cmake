# The instruction set lever is compiled for, checked for correct code before anything is built.
#
# LEVER_ARCH (default x86-64-v3: AVX2, FMA, BMI2; every x86-64 server and desktop CPU since Intel Haswell,
# 2013, and AMD Zen, 2017) is passed as -march=<value> to lever's own targets only (add_compile_options in
# this project, never exported: a program built against an installed lever picks its own flags). The large
# matrix products go to OpenBLAS, which picks its AVX-512 kernels at run time on CPUs that have them.
# LEVER_ARCH=native (or LEVER_NATIVE=ON) compiles for the build machine; LEVER_ARCH=x86-64-v2 or x86-64
# builds for older CPUs; an empty LEVER_ARCH passes no -march at all.
#
# The flags are judged by evidence, not by a compiler's version: cmake/checks/constant_vector_store.cpp
# (a wrong-code bug of Debian 12's g++ 12.2 when AVX-512 or AVX-512 tuning enables 256-bit constant
# stores) is compiled with them at -O2 and -O3 and run. When it computes a wrong result, AVX-512 code
# generation and the host tuning are turned off (-mno-avx512f -mtune=generic) and the check runs again;
# configuration stops when no set of flags passes. The same program is a test (CompilerCheck.*), so a
# build whose flags were changed by hand is caught by the suite.
option(LEVER_NATIVE "Compile for the build machine's CPU (-march=native); never exported" OFF)
set(LEVER_ARCH "x86-64-v3" CACHE STRING
    "Instruction set: a -march value (x86-64-v3 default, x86-64-v2, x86-64, native), or empty for none")
set(_lever_arch "${LEVER_ARCH}")
if(LEVER_NATIVE)
  set(_lever_arch native)
endif()

set(_lever_check_source ${CMAKE_CURRENT_LIST_DIR}/checks/constant_vector_store.cpp)

# _lever_try_flags(FLAGS OUT): OUT is PASS, FAIL (wrong result) or UNKNOWN (could not run here).
function(_lever_try_flags flags out)
  set(result PASS)
  foreach(level -O2 -O3)
    string(MAKE_C_IDENTIFIER "${flags}${level}" tag)
    try_run(run_result compile_result
            SOURCES ${_lever_check_source}
            COMPILE_DEFINITIONS ${flags} ${level}
            CXX_STANDARD 20
            COMPILE_OUTPUT_VARIABLE compile_output
            RUN_OUTPUT_VARIABLE run_output)
    if(NOT compile_result)
      message(FATAL_ERROR "lever: the compiler rejects the instruction-set flags '${flags}':\n${compile_output}\n"
                          "Choose another with -DLEVER_ARCH=... (x86-64-v3, x86-64-v2, x86-64, native).")
    endif()
    if(run_result STREQUAL "FAILED_TO_RUN" OR NOT run_result MATCHES "^[0-9]+$")
      set(result UNKNOWN)
    elseif(NOT run_result EQUAL 0)
      set(${out} FAIL PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

set(LEVER_ARCH_FLAGS "")
if(NOT _lever_arch STREQUAL "")
  set(LEVER_ARCH_FLAGS -march=${_lever_arch})
endif()

if(CMAKE_CROSSCOMPILING)
  message(STATUS "lever: cross-compiling, the code-generation check of '${LEVER_ARCH_FLAGS}' cannot run; the test CompilerCheck.ConstantVectorStore runs it on the target")
else()
  _lever_try_flags("${LEVER_ARCH_FLAGS}" verdict)
  if(verdict STREQUAL "FAIL")
    set(fallback ${LEVER_ARCH_FLAGS} -mno-avx512f -mtune=generic)
    string(JOIN " " fallback_text ${fallback})
    _lever_try_flags("${fallback}" verdict_fallback)
    if(verdict_fallback STREQUAL "FAIL")
      message(FATAL_ERROR
        "lever: ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION} with '${LEVER_ARCH_FLAGS}' compiles "
        "cmake/checks/constant_vector_store.cpp into wrong code, also with '-mno-avx512f -mtune=generic'. "
        "Build with -DLEVER_ARCH=x86-64-v2 or another compiler (-DCMAKE_CXX_COMPILER=clang++).")
    endif()
    message(WARNING
      "lever: ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION} with '${LEVER_ARCH_FLAGS}' compiles "
      "constant vector stores into wrong code (cmake/checks/constant_vector_store.cpp). AVX-512 code "
      "generation and host tuning are off: building with '${fallback_text}'.")
    set(LEVER_ARCH_FLAGS ${fallback})
  elseif(verdict STREQUAL "UNKNOWN")
    message(STATUS "lever: '${LEVER_ARCH_FLAGS}' code cannot run on this machine; the code-generation check is left to the test suite")
  endif()
endif()
string(JOIN " " _lever_arch_text ${LEVER_ARCH_FLAGS})
message(STATUS "lever: instruction-set flags: ${_lever_arch_text}")
# Only lever's own targets (the library, the CLI, tests, benchmarks); nothing is exported.
add_compile_options(${LEVER_ARCH_FLAGS})

