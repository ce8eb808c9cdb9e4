# The device application (port/device: shell, exec and the SFTP subsystem
# for firmware) and the serial-link adapter (port/baremetal), built for the
# host so the lwIP port can use them and the unit tests can run them under
# the sanitizers. The firmware itself is built with
# port/netduinoplus2/firmware.mk (arm-none-eabi-gcc), not here.
file(GLOB DEVICE_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/port/device/*.c)
add_library(nanossh_device STATIC ${DEVICE_SRC}
  ${CMAKE_SOURCE_DIR}/port/baremetal/link.c
  ${CMAKE_SOURCE_DIR}/port/baremetal/provision.c)
target_include_directories(nanossh_device PUBLIC include port/device port/baremetal)
target_link_libraries(nanossh_device PUBLIC nanossh_static)

if(NSSH_BUILD_TESTS AND CMOCKA_LIB)
  add_executable(test_device tests/unit/device/test_device.c)
  target_link_libraries(test_device PRIVATE nanossh_device nanossh_compact
    nanossh_static ${CMOCKA_LIB})
  set_target_properties(test_device PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME test_device COMMAND test_device)
endif()
