# Privilege separation (cmd/nanosshd/privsep): the sandboxed pre-auth
# child, its monitor and their IPC, part of nanosshd_core so the daemon's
# unit tests (tests/unit/daemon/test_privsep_ipc.c) reach the decoder.
file(GLOB PRIVSEP_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/cmd/nanosshd/privsep/*.c)
target_sources(nanosshd_core PRIVATE ${PRIVSEP_SRC})
target_include_directories(nanosshd_core PUBLIC ${CMAKE_SOURCE_DIR}/cmd/nanosshd/privsep)
