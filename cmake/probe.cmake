# nanossh-probe: the engine's client role with a diagnosis layer. It needs
# the engine's diagnostic trace hooks (NSSH_ENABLE_TRACE), which the hosted
# library is built with; firmware builds leave them out.
target_compile_definitions(nanossh_obj PRIVATE NSSH_ENABLE_TRACE=1)

file(GLOB PROBE_SRC CONFIGURE_DEPENDS cmd/nanossh-probe/*.c)
list(FILTER PROBE_SRC EXCLUDE REGEX "fuzz_.*\\.c$")
set(PROBE_LIB_SRC ${PROBE_SRC})
list(FILTER PROBE_LIB_SRC EXCLUDE REGEX "/main\\.c$")
add_library(nanossh_probe_core STATIC ${PROBE_LIB_SRC})
target_include_directories(nanossh_probe_core PUBLIC include cmd/nanossh-probe)
target_link_libraries(nanossh_probe_core PUBLIC nanossh_static)

add_executable(nanossh-probe cmd/nanossh-probe/main.c)
target_link_libraries(nanossh-probe PRIVATE nanossh_probe_core)
set_target_properties(nanossh-probe PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
install(TARGETS nanossh-probe RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES man/nanossh-probe.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The probe's diagnosis on crafted server bytes (no network), both builds.
if(NSSH_BUILD_TESTS AND CMOCKA_LIB)
  add_executable(test_probe_parse tests/probe/test_probe_parse.c)
  target_link_libraries(test_probe_parse PRIVATE nanossh_probe_core ${CMOCKA_LIB})
  set_target_properties(test_probe_parse PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME test_probe_parse COMMAND test_probe_parse)
endif()

# libFuzzer: server bytes into the probe (cmake -DCMAKE_C_COMPILER=clang -DNSSH_FUZZ=ON).
if(NSSH_FUZZ)
  target_compile_options(nanossh_probe_core PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  add_executable(fuzz_probe fuzz/fuzz_probe.c)
  target_link_libraries(fuzz_probe PRIVATE nanossh_probe_core)
  target_compile_options(fuzz_probe PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_probe PRIVATE -fsanitize=fuzzer,address,undefined)
endif()
