# Tests of AuthenticationMethods and PAM conversations: a PAM module that
# asks two one-time codes (tests/pam), built next to nanosshd for the
# interop tests, which name it by path in a pam.d file of their own.
# Never installed.
if(NSSH_BUILD_TESTS)
  add_library(pam_nssh_codes MODULE tests/pam/pam_nssh_codes.c)
  target_include_directories(pam_nssh_codes PRIVATE ${PAM_INCLUDE_DIR})
  target_link_libraries(pam_nssh_codes PRIVATE ${PAM_LIBRARY})
  set_target_properties(pam_nssh_codes PROPERTIES PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
endif()
