# In-process SFTP server (src/sftp): part of libnanossh, with its unit
# tests and fuzz target. Included once from the top-level CMakeLists.txt.
file(GLOB SFTP_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/sftp/*.c)
target_sources(nanossh_obj PRIVATE ${SFTP_SRC})
target_include_directories(nanossh_obj PRIVATE ${CMAKE_SOURCE_DIR}/src/sftp)
install(FILES include/nanossh_sftp.h include/nanossh_memfs.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

if(NSSH_BUILD_TESTS AND CMOCKA_LIB)
  file(GLOB SFTP_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/sftp/test_*.c)
  foreach(t ${SFTP_TESTS})
    get_filename_component(name ${t} NAME_WE)
    add_executable(${name} ${t} fuzz/sftp_target.c)
    target_include_directories(${name} PRIVATE include src/core src/sftp
      tests/unit tests/unit/sftp fuzz)
    target_link_libraries(${name} PRIVATE nanossh_static ${CMOCKA_LIB})
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    add_test(NAME ${name} COMMAND ${name})
  endforeach()
  # The seed corpus replayed by test_sftp_fuzz_replay.
  if(TEST test_sftp_fuzz_replay)
    set_tests_properties(test_sftp_fuzz_replay PROPERTIES
      ENVIRONMENT "NSSH_SFTP_CORPUS=${CMAKE_SOURCE_DIR}/fuzz/sftp_corpus")
  endif()
endif()

if(NSSH_FUZZ)
  add_executable(fuzz_sftp fuzz/fuzz_sftp.c fuzz/sftp_target.c)
  target_include_directories(fuzz_sftp PRIVATE include fuzz)
  target_link_libraries(fuzz_sftp PRIVATE nanossh_static)
  target_compile_options(fuzz_sftp PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_sftp PRIVATE -fsanitize=fuzzer,address,undefined)
endif()
