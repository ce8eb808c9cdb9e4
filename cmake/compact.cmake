# Compact crypto backend (src/crypto/compact), portable C for
# microcontrollers. On the host it is a static library next to the
# OpenSSL backend, which supplies src/crypto/pq and src/crypto/hybrid.c
# (a firmware build compiles those three folders' sources itself), and
# its tests compare the two backends.
file(GLOB COMPACT_SRC CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/../src/crypto/compact/*.c)
add_library(nanossh_compact STATIC ${COMPACT_SRC})
target_include_directories(nanossh_compact PUBLIC include
  PRIVATE src/core src/crypto src/crypto/compact)
target_link_libraries(nanossh_compact PUBLIC nanossh_static)

if(NSSH_BUILD_TESTS AND CMOCKA_LIB)
  file(GLOB COMPACT_TESTS CONFIGURE_DEPENDS
    ${CMAKE_CURRENT_LIST_DIR}/../tests/unit/compact/test_*.c)
  foreach(t ${COMPACT_TESTS})
    get_filename_component(name ${t} NAME_WE)
    add_executable(${name} ${t})
    target_include_directories(${name} PRIVATE include src/core src/crypto
      src/crypto/compact src/crypto/openssl tests/unit tests/unit/compact)
    target_link_libraries(${name} PRIVATE nanossh_compact nanossh_static ${CMOCKA_LIB})
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    add_test(NAME ${name} COMMAND ${name})
  endforeach()
endif()
