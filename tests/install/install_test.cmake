# cmake -P script run by CTest (see CMakeLists.txt here): installs the build tree into a fresh
# prefix, checks the installed files, runs the installed CLI, checks that every public header
# compiles with only the installed include folder, then builds the consumer in consumer/ twice,
# with find_package and with pkg-config, runs both of its programs and checks their output.
#
# Inputs (-D): BUILD_DIR, SOURCE_DIR (consumer/), WORK_DIR, GENERATOR, C_COMPILER,
# CXX_COMPILER, SANITIZE (as CARBONTRACKER_SANITIZE), LIBDIR, BINDIR, INCLUDEDIR, VERSION,
# PROCFS_FIXTURE.
cmake_minimum_required(VERSION 3.25)

function(run_checked what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n--- stdout\n${out}\n--- stderr\n${err}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
  set(run_err "${err}" PARENT_SCOPE)
endfunction()

function(expect_in text what)
  string(FIND "${text}" "${what}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected \"${what}\" in:\n${text}")
  endif()
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/sysfs)

# A sanitized library needs a sanitized program (the runtime must come first).
set(san_flags "")
if(SANITIZE)
  set(san_flags "-fsanitize=${SANITIZE}")
endif()

# --- install --------------------------------------------------------------------------------
run_checked("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

set(expected
  ${LIBDIR}/libcarbontracker.so
  ${LIBDIR}/libcarbontracker.so.0
  ${LIBDIR}/libcarbontracker.so.${VERSION}
  ${BINDIR}/carbontracker
  ${INCLUDEDIR}/carbontracker/carbontracker.h
  ${INCLUDEDIR}/carbontracker/tracker.hpp
  ${INCLUDEDIR}/carbontracker/results.hpp
  ${INCLUDEDIR}/carbontracker/version.hpp
  ${LIBDIR}/cmake/carbontracker/carbontracker-config.cmake
  ${LIBDIR}/cmake/carbontracker/carbontracker-config-version.cmake
  ${LIBDIR}/cmake/carbontracker/carbontracker-targets.cmake
  ${LIBDIR}/pkgconfig/carbontracker.pc
  ${LIBDIR}/carbontracker/libcarbontracker_httpd.so)
foreach(f IN LISTS expected)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
# Public headers only: nothing from src/, no test or vendor headers.
file(GLOB_RECURSE installed_headers RELATIVE ${prefix}/${INCLUDEDIR} ${prefix}/${INCLUDEDIR}/*)
foreach(h IN LISTS installed_headers)
  if(NOT h MATCHES "^carbontracker/[a-z_]+\\.(h|hpp)$")
    message(FATAL_ERROR "unexpected installed header: ${h}")
  endif()
endforeach()

# The installed CLI runs (no RPATH into the build tree is needed).
run_checked("carbontracker --version" ${prefix}/${BINDIR}/carbontracker --version)
expect_in("${run_out}" "${VERSION}")

# The installed CLI finds the /metrics plugin (<libdir>/carbontracker, from <bindir>/..) and serves.
run_checked("carbontracker run --prometheus" ${CMAKE_COMMAND} -E env --unset=CARBONTRACKER_HTTPD_LIBRARY
  CARBONTRACKER_SYSFS_ROOT=${WORK_DIR}/sysfs CARBONTRACKER_PROCFS_ROOT=${PROCFS_FIXTURE}
  CARBONTRACKER_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1
  ${prefix}/${BINDIR}/carbontracker run --prometheus 127.0.0.1:0 --intensity 100 -- /bin/true)
expect_in("${run_err}" "Prometheus metrics at http://127.0.0.1:")

# Every public header compiles on its own with only the installed include folder.
foreach(h IN LISTS installed_headers)
  string(MAKE_C_IDENTIFIER "${h}" tu)
  if(h MATCHES "\\.h$")
    file(WRITE ${WORK_DIR}/headers/${tu}.c "#include <${h}>\ntypedef int header_check_t; /* a header of macros only is a whole TU too */\n")
    run_checked("C99 header ${h}" ${C_COMPILER} -std=c99 -Wall -Wextra -Wpedantic -Werror -fsyntax-only
                -I${prefix}/${INCLUDEDIR} ${WORK_DIR}/headers/${tu}.c)
  endif()
  file(WRITE ${WORK_DIR}/headers/${tu}.cpp "#include <${h}>\n")
  run_checked("C++20 header ${h}" ${CXX_COMPILER} -std=c++20 -Wall -Wextra -Wpedantic -Werror -fsyntax-only
              -I${prefix}/${INCLUDEDIR} ${WORK_DIR}/headers/${tu}.cpp)
endforeach()

# The consumers run on a fixed machine: no RAPL, no NVML, the development VM's procfs.
set(machine_env
  CARBONTRACKER_SYSFS_ROOT=${WORK_DIR}/sysfs
  CARBONTRACKER_PROCFS_ROOT=${PROCFS_FIXTURE}
  CARBONTRACKER_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1
  --unset=CARBONTRACKER_ZONE --unset=CARBONTRACKER_COUNTRY --unset=CARBONTRACKER_CLOUD
  --unset=CARBONTRACKER_GB_POSTCODE --unset=CARBONTRACKER_ELECTRICITYMAPS_TOKEN)

function(check_consumers how dir extra_env)
  run_checked("${how}: ldd" ${CMAKE_COMMAND} -E env ${extra_env} ldd ${dir}/consumer_c)
  expect_in("${run_out}" "${prefix}/${LIBDIR}/libcarbontracker.so.0")

  run_checked("${how}: consumer_cpp" ${CMAKE_COMMAND} -E env ${machine_env} ${extra_env} ${dir}/consumer_cpp)
  expect_in("${run_out}" "cpp consumer: carbontracker ${VERSION}, epochs 2, gpu energy positive, finished yes")
  expect_in("${run_out}" "cpp consumer: ConfigError for pue")

  run_checked("${how}: consumer_c" ${CMAKE_COMMAND} -E env ${machine_env} ${extra_env} ${dir}/consumer_c)
  expect_in("${run_out}" "c consumer: carbontracker ${VERSION}")
  expect_in("${run_out}" "\"index\": 2")
  expect_in("${run_out}" "\"name\": \"C GPU\"")
  expect_in("${run_out}" "c consumer: pue 0.5 -> CT_ERR_INVALID_ARGUMENT")
  message(STATUS "${how}: both consumers built and ran")
endfunction()

# --- consumer with find_package(carbontracker) ----------------------------------------------
set(cmake_build ${WORK_DIR}/cmake-consumer)
run_checked("consumer configure" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${cmake_build} -G ${GENERATOR}
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  -DCMAKE_C_FLAGS=${san_flags} -DCMAKE_CXX_FLAGS=${san_flags} -DCMAKE_EXE_LINKER_FLAGS=${san_flags}
  -DCARBONTRACKER_EXPECTED_VERSION=${VERSION})
run_checked("consumer build" ${CMAKE_COMMAND} --build ${cmake_build})
# The imported target's RPATH points at the prefix: no LD_LIBRARY_PATH needed.
check_consumers("find_package" ${cmake_build} "")

# --- consumer with pkg-config ---------------------------------------------------------------
set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
run_checked("pkg-config --modversion" pkg-config --modversion carbontracker)
expect_in("${run_out}" "${VERSION}")
run_checked("pkg-config --cflags --libs" pkg-config --cflags --libs carbontracker)
string(STRIP "${run_out}" pc_flags)
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
separate_arguments(san_list UNIX_COMMAND "${san_flags}")
set(pc_build ${WORK_DIR}/pkgconfig-consumer)
file(MAKE_DIRECTORY ${pc_build})
run_checked("g++ consumer.cpp" ${CXX_COMPILER} -std=c++20 ${san_list} ${SOURCE_DIR}/consumer.cpp ${pc_flags}
            -o ${pc_build}/consumer_cpp)
run_checked("gcc consumer.c" ${C_COMPILER} -std=c99 ${san_list} ${SOURCE_DIR}/consumer.c ${pc_flags}
            -o ${pc_build}/consumer_c)
check_consumers("pkg-config" ${pc_build} "LD_LIBRARY_PATH=${prefix}/${LIBDIR}")

file(REMOVE_RECURSE ${WORK_DIR})
