# Compact crypto backend (src/crypto/compact), portable C for
# microcontrollers. On the host it is a static library next to the
# OpenSSL backend, which supplies src/crypto/pq and src/crypto/hybrid.c
# (a firmware build compiles those three folders' sources itself), and
# its tests compare the two backends.
file(GLOB COMPACT_SRC CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/../src/crypto/compact/*.c)
add_library(nanossh_compact STATIC ${COMPACT_SRC})
target_include_directories(nanossh_compact PUBLIC include
  PRIVATE src/core src/crypto src/crypto/compact)
target_link_libraries(nanossh_compact PUBLIC nanossh_internal)

if(NSSH_BUILD_TESTS AND CMOCKA_LIB)
  file(GLOB COMPACT_TESTS CONFIGURE_DEPENDS
    ${CMAKE_CURRENT_LIST_DIR}/../tests/unit/crypto/compact/test_*.c)
  foreach(t ${COMPACT_TESTS})
    get_filename_component(name ${t} NAME_WE)
    add_executable(${name} ${t})
    target_include_directories(${name} PRIVATE include src/core src/crypto
      src/crypto/compact src/crypto/openssl tests/unit tests/unit/crypto tests/unit/crypto/compact)
    target_link_libraries(${name} PRIVATE nanossh_compact nanossh_internal ${CMOCKA_LIB})
    if(name STREQUAL "test_compact_pair")
      target_link_libraries(${name} PRIVATE pair_harness)
    endif()
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    add_test(NAME ${name} COMMAND ${name})
  endforeach()
endif()

# Constant-time check: secrets marked undefined, valgrind's memcheck
# reports any branch or address that depends on them. Not under the
# sanitizers (valgrind cannot run an ASan binary).
find_program(VALGRIND_EXE valgrind)
find_path(VALGRIND_INCLUDE valgrind/memcheck.h)
if(NSSH_BUILD_TESTS AND VALGRIND_EXE AND VALGRIND_INCLUDE AND NOT NSSH_SANITIZE)
  add_executable(ct_compact ${CMAKE_CURRENT_LIST_DIR}/../tests/unit/crypto/compact/ct_compact.c)
  target_include_directories(ct_compact PRIVATE include src/core src/crypto
    src/crypto/compact ${VALGRIND_INCLUDE})
  target_link_libraries(ct_compact PRIVATE nanossh_compact nanossh_internal)
  set_target_properties(ct_compact PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME compact_ct_valgrind COMMAND ${VALGRIND_EXE} --tool=memcheck
    --error-exitcode=1 --track-origins=yes $<TARGET_FILE:ct_compact>)
  # ... and the check itself can fail: a deliberate secret branch.
  add_test(NAME compact_ct_valgrind_canary COMMAND ${VALGRIND_EXE} --tool=memcheck
    --error-exitcode=1 $<TARGET_FILE:ct_compact> --canary)
  set_tests_properties(compact_ct_valgrind_canary PROPERTIES WILL_FAIL TRUE)
elseif(NSSH_BUILD_TESTS AND NOT NSSH_SANITIZE)
  message(STATUS "valgrind not found: constant-time check of the compact backend not built")
endif()

# Speed on the build host (not a test): build/tests/bench_compact
add_executable(bench_compact ${CMAKE_CURRENT_LIST_DIR}/../tests/unit/crypto/compact/bench_compact.c)
target_include_directories(bench_compact PRIVATE include src/core src/crypto src/crypto/compact)
target_link_libraries(bench_compact PRIVATE nanossh_compact nanossh_internal)
set_target_properties(bench_compact PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
