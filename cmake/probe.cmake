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
