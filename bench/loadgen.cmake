# nanossh-loadgen: many concurrent SSH sessions from one process, on the
# engine's client role (bench/run.sh's sessions test).
add_executable(nanossh-loadgen ${CMAKE_CURRENT_LIST_DIR}/loadgen.c)
target_link_libraries(nanossh-loadgen PRIVATE nanossh_internal)
set_target_properties(nanossh-loadgen PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
