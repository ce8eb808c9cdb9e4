# libnanossh: the engine and the crypto backends, packaged three ways.
#
# Everything is compiled with hidden visibility; only declarations marked
# NSSH_API (include/nanossh_api.h) are default. So:
#   nanossh_shared    libnanossh.so exports the public API only.
#   nanossh_static    libnanossh.a holds ONE relocatable object: all
#                     objects linked with `ld -r`, then every hidden
#                     symbol made local (`objcopy --localize-hidden`).
#                     An application linking it sees only nssh_* globals;
#                     its own dispatch() or rd_u32() cannot collide.
#   nanossh_internal  the plain objects, internals linkable, for the unit
#                     tests and the programs built in this tree.
# tests/unit/core/check_exports.sh checks the first two against include/.
file(GLOB CORE_SRC CONFIGURE_DEPENDS src/core/*.c)
file(GLOB CRYPTO_SRC CONFIGURE_DEPENDS src/crypto/*.c src/crypto/openssl/*.c src/crypto/pq/*.c)
set(LIB_SRC ${CORE_SRC} ${CRYPTO_SRC})

add_library(nanossh_obj OBJECT ${LIB_SRC})
set_target_properties(nanossh_obj PROPERTIES POSITION_INDEPENDENT_CODE ON
  C_VISIBILITY_PRESET hidden)
target_include_directories(nanossh_obj PUBLIC include PRIVATE src/core src/crypto)
target_link_libraries(nanossh_obj PUBLIC OpenSSL::Crypto)

add_library(nanossh_internal STATIC $<TARGET_OBJECTS:nanossh_obj>)
target_include_directories(nanossh_internal PUBLIC include)
target_link_libraries(nanossh_internal PUBLIC OpenSSL::Crypto)

find_program(NSSH_OBJCOPY NAMES ${CMAKE_OBJCOPY} objcopy REQUIRED)
set(NSSH_RELOC ${CMAKE_BINARY_DIR}/nanossh_lib.o)
add_custom_command(OUTPUT ${NSSH_RELOC}
  COMMAND ${CMAKE_LINKER} -r -o ${NSSH_RELOC} $<TARGET_OBJECTS:nanossh_obj>
  COMMAND ${NSSH_OBJCOPY} --localize-hidden ${NSSH_RELOC}
  DEPENDS nanossh_obj $<TARGET_OBJECTS:nanossh_obj>
  COMMAND_EXPAND_LISTS VERBATIM
  COMMENT "Linking the static library's single object, internals local")
add_library(nanossh_static STATIC ${NSSH_RELOC})
set_target_properties(nanossh_static PROPERTIES OUTPUT_NAME nanossh
  LINKER_LANGUAGE C)
target_include_directories(nanossh_static PUBLIC include)
target_link_libraries(nanossh_static PUBLIC OpenSSL::Crypto)

add_library(nanossh_shared SHARED $<TARGET_OBJECTS:nanossh_obj>)
set_target_properties(nanossh_shared PROPERTIES OUTPUT_NAME nanossh
  VERSION ${PROJECT_VERSION} SOVERSION 0)
target_include_directories(nanossh_shared PUBLIC include)
target_link_libraries(nanossh_shared PUBLIC OpenSSL::Crypto)

configure_file(nanossh.pc.in ${CMAKE_BINARY_DIR}/nanossh.pc @ONLY)

install(TARGETS nanossh_static nanossh_shared
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
file(GLOB NSSH_PUBLIC_HEADERS CONFIGURE_DEPENDS include/*.h)
install(FILES ${NSSH_PUBLIC_HEADERS}
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_BINARY_DIR}/nanossh.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
