# cmocka unit tests, grouped by what they test:
#   tests/unit/core/     the engine (and the libraries' exported symbols)
#   tests/unit/crypto/   the crypto backends (compact/: cmake/compact.cmake)
#   tests/unit/adapter/  the POSIX adapter's mechanism
#   tests/unit/daemon/   nanosshd's config, auth and session policy
# Every test_*.c of a group is one ctest test; a new file needs no line
# here. Engine and crypto tests link the engine only, adapter tests the
# adapter without the daemon.
find_library(CMOCKA_LIB cmocka)
if(NSSH_BUILD_TESTS AND NOT CMOCKA_LIB)
  message(STATUS "cmocka not found: unit tests not built (apt-get install libcmocka-dev)")
endif()
if(NSSH_BUILD_TESTS AND CMOCKA_LIB)
  enable_testing()
  set(UNIT_DIR ${CMAKE_SOURCE_DIR}/tests/unit)
  # The in-memory client/server pair (pair_harness.h) of test_pair and
  # test_compact_pair.
  add_library(pair_harness STATIC ${UNIT_DIR}/pair_harness.c)
  target_include_directories(pair_harness PUBLIC ${UNIT_DIR})
  target_link_libraries(pair_harness PUBLIC nanossh_internal ${CMOCKA_LIB})
  # The pair on the OpenSSL backend (pair_ossl.h).
  add_library(pair_ossl STATIC ${UNIT_DIR}/pair_ossl.c)
  target_include_directories(pair_ossl PUBLIC ${UNIT_DIR} include)
  target_link_libraries(pair_ossl PUBLIC pair_harness)
  foreach(group core crypto adapter daemon)
    file(GLOB tests CONFIGURE_DEPENDS ${UNIT_DIR}/${group}/test_*.c)
    list(REMOVE_ITEM tests ${UNIT_DIR}/core/test_static_link.c)
    foreach(t ${tests})
      get_filename_component(name ${t} NAME_WE)
      add_executable(${name} ${t})
      target_include_directories(${name} PRIVATE include src/core src/crypto
        src/crypto/openssl ${UNIT_DIR}/${group})
      if(group STREQUAL "adapter")
        # The adapter alone, without the program: it MUST link so.
        target_link_libraries(${name} PRIVATE nanossh_posix nanossh_internal ${CMOCKA_LIB})
      elseif(group STREQUAL "daemon")
        target_link_libraries(${name} PRIVATE nanosshd_core nanossh_internal ${CMOCKA_LIB})
      else()
        target_link_libraries(${name} PRIVATE nanossh_internal ${CMOCKA_LIB})
      endif()
      if(name STREQUAL "test_pair")
        target_link_libraries(${name} PRIVATE pair_harness)
      elseif(name STREQUAL "test_export" OR name STREQUAL "test_pair_server_hooks")
        target_link_libraries(${name} PRIVATE pair_ossl)
      endif()
      set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
      add_test(NAME ${name} COMMAND ${name})
    endforeach()
  endforeach()

  # Auth and channel handlers driven directly over a stand-in transport:
  # built from the handler sources alone, not against the library.
  set(AUTH_SERVER_SRC src/core/auth_server.c src/core/auth_publickey.c
    src/core/auth_password.c src/core/auth_kbdint.c)
  # One program per group, sharing standalone/chan_harness.h.
  foreach(t auth open data requests)
    add_executable(test_channel_${t} ${UNIT_DIR}/core/standalone/test_channel_${t}.c
      ${AUTH_SERVER_SRC} src/core/auth_client.c src/core/channel.c
      src/core/channel_req.c src/core/channel_api.c src/core/channel_open.c src/core/tcpip.c
      src/core/global.c src/core/hostkeys_ext.c src/core/cert.c
      src/core/buf.c)
    target_include_directories(test_channel_${t} PRIVATE include src/core ${UNIT_DIR}/core)
    target_link_libraries(test_channel_${t} PRIVATE ${CMOCKA_LIB})
    set_target_properties(test_channel_${t} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    add_test(NAME test_channel_${t} COMMAND test_channel_${t})
  endforeach()
  # password and keyboard-interactive, the same way.
  add_executable(test_auth_methods ${UNIT_DIR}/core/standalone/test_auth_methods.c
    ${AUTH_SERVER_SRC} src/core/buf.c)
  target_include_directories(test_auth_methods PRIVATE include src/core ${UNIT_DIR}/core)
  target_link_libraries(test_auth_methods PRIVATE ${CMOCKA_LIB})
  set_target_properties(test_auth_methods PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME test_auth_methods COMMAND test_auth_methods)

  # The installed libraries expose the public API only (cmake/library.cmake).
  add_test(NAME check_exports COMMAND ${UNIT_DIR}/core/check_exports.sh
    $<TARGET_FILE:nanossh_shared> $<TARGET_FILE:nanossh_static>
    ${CMAKE_SOURCE_DIR}/include)
  # An application with its own dispatch(), rd_u32(), ... linked against
  # libnanossh.a with the public headers only.
  add_executable(test_static_link ${UNIT_DIR}/core/test_static_link.c)
  target_link_libraries(test_static_link PRIVATE nanossh_static ${CMOCKA_LIB})
  set_target_properties(test_static_link PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME test_static_link COMMAND test_static_link)
endif()
