# ML-DSA-44 (src/crypto/pq/mldsa*) is built with the library's sources;
# its known-answer tests (test_mldsa, test_sig_mldsa) are ordinary unit
# tests. Here: the constant-time check under valgrind's memcheck, as for
# the compact backend (cmake/compact.cmake), not under the sanitizers.
find_program(VALGRIND_EXE valgrind)
find_path(VALGRIND_INCLUDE valgrind/memcheck.h)
if(NSSH_BUILD_TESTS AND CMOCKA_LIB AND VALGRIND_EXE AND VALGRIND_INCLUDE AND NOT NSSH_SANITIZE)
  add_executable(ct_mldsa ${CMAKE_CURRENT_LIST_DIR}/../tests/unit/crypto/ct_mldsa.c)
  target_include_directories(ct_mldsa PRIVATE include src/core src/crypto
    src/crypto/pq ${VALGRIND_INCLUDE})
  target_link_libraries(ct_mldsa PRIVATE nanossh_internal)
  set_target_properties(ct_mldsa PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME mldsa_ct_valgrind COMMAND ${VALGRIND_EXE} --tool=memcheck
    --error-exitcode=1 --track-origins=yes $<TARGET_FILE:ct_mldsa>)
  add_test(NAME mldsa_ct_valgrind_canary COMMAND ${VALGRIND_EXE} --tool=memcheck
    --error-exitcode=1 $<TARGET_FILE:ct_mldsa> --canary)
  set_tests_properties(mldsa_ct_valgrind_canary PROPERTIES WILL_FAIL TRUE)
endif()
