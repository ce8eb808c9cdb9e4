# nanosshd: sshd's policy (config, auth, session) over the POSIX adapter.
# nanosshd_core is everything but main(), for the daemon's unit tests.
set(NSSHD_DIR ${CMAKE_CURRENT_LIST_DIR})
file(GLOB NSSHD_CORE_SRC CONFIGURE_DEPENDS
  ${NSSHD_DIR}/*.c ${NSSHD_DIR}/config/*.c ${NSSHD_DIR}/auth/*.c
  ${NSSHD_DIR}/pattern/*.c ${NSSHD_DIR}/session/*.c)
list(REMOVE_ITEM NSSHD_CORE_SRC ${NSSHD_DIR}/main.c)
add_library(nanosshd_core STATIC ${NSSHD_CORE_SRC})
target_include_directories(nanosshd_core PUBLIC ${NSSHD_DIR}
  ${NSSHD_DIR}/config ${NSSHD_DIR}/auth ${NSSHD_DIR}/pattern
  ${NSSHD_DIR}/session)
# The adapter reaches the daemon only through the conn_policy it is
# handed (conn.h), so the dependency runs one way.
target_link_libraries(nanosshd_core PUBLIC nanossh_posix)

# Password and keyboard-interactive logins go through PAM (libpam0g-dev).
find_path(PAM_INCLUDE_DIR security/pam_appl.h)
find_library(PAM_LIBRARY pam)
if(NOT PAM_INCLUDE_DIR OR NOT PAM_LIBRARY)
  message(FATAL_ERROR "PAM not found: install libpam0g-dev")
endif()
target_include_directories(nanosshd_core PRIVATE ${PAM_INCLUDE_DIR})
target_link_libraries(nanosshd_core PUBLIC ${PAM_LIBRARY})
if(NSSH_SANITIZE)
  # pam_unix calls crypt_r from libcrypt, which PAM loads at run time; the
  # sanitizer's crypt_r interceptor finds the real function only when
  # libcrypt is there from the start.
  find_library(CRYPT_LIBRARY crypt)
  if(CRYPT_LIBRARY)
    target_link_libraries(nanosshd_core PUBLIC
      -Wl,--push-state,--no-as-needed ${CRYPT_LIBRARY} -Wl,--pop-state)
  endif()
endif()

add_executable(nanosshd ${NSSHD_DIR}/main.c)
target_link_libraries(nanosshd PRIVATE nanosshd_core)
set_target_properties(nanosshd PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

install(TARGETS nanosshd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES man/nanosshd.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES man/nanosshd_config.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

# systemd units, with the daemon's installed path in ExecStart.
set(NSSH_SYSTEMD_UNITDIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system"
    CACHE PATH "Where to install the systemd units")
foreach(unit nanosshd.service nanosshd.socket nanosshd@.service)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               packaging/systemd/${unit})
  file(READ packaging/systemd/${unit} text)
  string(REPLACE "/usr/sbin/nanosshd" "${CMAKE_INSTALL_FULL_SBINDIR}/nanosshd"
         text "${text}")
  file(WRITE ${CMAKE_BINARY_DIR}/systemd/${unit} "${text}")
  install(FILES ${CMAKE_BINARY_DIR}/systemd/${unit}
          DESTINATION ${NSSH_SYSTEMD_UNITDIR})
endforeach()

# The privilege-separation user (sysusers.d(5)): systemd-sysusers makes
# "nanosshd" when missing, so a root daemon can start.
set(NSSH_SYSUSERS_DIR "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d"
    CACHE PATH "Where to install the sysusers.d file")
install(FILES packaging/sysusers/nanosshd.conf DESTINATION ${NSSH_SYSUSERS_DIR})
