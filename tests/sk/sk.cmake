# libsoftsk.so: a software FIDO authenticator in OpenSSH's middleware
# interface (port/posix/sk_api.h), for the security-key tests only
# (tests/interop/test_skhost.py). Built without the sanitizers even in
# the ASan build, because OpenSSH's ssh-keygen and ssh load it too.
add_library(softsk SHARED ${CMAKE_CURRENT_LIST_DIR}/soft_sk.c)
target_include_directories(softsk PRIVATE ${CMAKE_SOURCE_DIR}/port/posix)
target_link_libraries(softsk PRIVATE OpenSSL::Crypto)
set_property(TARGET softsk PROPERTY COMPILE_OPTIONS -Wall -Wextra -fvisibility=hidden)
set_property(TARGET softsk PROPERTY LINK_OPTIONS "")
set_target_properties(softsk PROPERTIES
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
