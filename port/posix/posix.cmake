# POSIX adapter: the mechanism a POSIX program needs around the engine
# (poll loop, sockets, pty, child processes, relays, files, logging).
# No sshd policy here: that is the program's (cmd/nanosshd/).
file(GLOB POSIX_SRC CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.c)
add_library(nanossh_posix STATIC ${POSIX_SRC})
target_include_directories(nanossh_posix PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(nanossh_posix PUBLIC nanossh_internal util ${CMAKE_DL_LIBS})
