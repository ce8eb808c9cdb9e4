# The lwIP adapter (port/lwip) and nanossh-lwip, the SSH server on lwIP over
# a TAP device, built when Debian's liblwip-dev (pkg-config "lwip") is there.
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(LWIP IMPORTED_TARGET lwip)
endif()
if(NOT LWIP_FOUND)
  message(STATUS "lwIP not found: nanossh-lwip not built (apt-get install liblwip-dev)")
  return()
endif()

file(GLOB LWIP_ADAPTER_SRC CONFIGURE_DEPENDS port/lwip/*.c)
add_library(nanossh_lwip STATIC ${LWIP_ADAPTER_SRC})
target_include_directories(nanossh_lwip PUBLIC include PRIVATE port/lwip)
target_link_libraries(nanossh_lwip PUBLIC nanossh_internal PkgConfig::LWIP)

# The same application as the firmware: nanossh_device (port/device: shell,
# sftp on memfs; cmake/device.cmake).
file(GLOB NANOSSH_LWIP_SRC CONFIGURE_DEPENDS cmd/nanossh-lwip/*.c)
add_executable(nanossh-lwip ${NANOSSH_LWIP_SRC})
target_include_directories(nanossh-lwip PRIVATE cmd/nanossh-lwip)
target_link_libraries(nanossh-lwip PRIVATE nanossh_lwip nanossh_device
  nanossh_compact pthread)
set_target_properties(nanossh-lwip PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# The adapter is the same code without an OS: compile it once more with
# the NO_SYS=1 options of port/lwip/nosys (compile only, nothing links it).
add_library(nanossh_lwip_nosys_check OBJECT ${LWIP_ADAPTER_SRC})
target_include_directories(nanossh_lwip_nosys_check BEFORE PRIVATE port/lwip/nosys)
target_include_directories(nanossh_lwip_nosys_check PRIVATE include port/lwip ${LWIP_INCLUDE_DIRS})
