# libFuzzer targets beside the engine's (fuzz.cmake): the daemon's parsers
# (authorized_keys, sshd_config, RevokedKeys) and the OpenSSL backend's key files and
# key exchanges. Built only with -DNSSH_FUZZ=ON (clang); tools/fuzz.sh
# --list names every target.
target_compile_options(nanosshd_core PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
target_compile_options(nanossh_posix PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
foreach(t authkeys config krl)
  add_executable(fuzz_${t} fuzz/fuzz_${t}.c)
  target_link_libraries(fuzz_${t} PRIVATE nanosshd_core)
endforeach()
foreach(t keyfile kem)
  add_executable(fuzz_${t} fuzz/fuzz_${t}.c)
  target_include_directories(fuzz_${t} PRIVATE include)
  target_link_libraries(fuzz_${t} PRIVATE nanossh_internal)
endforeach()
foreach(t authkeys config krl keyfile kem)
  target_compile_options(fuzz_${t} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer,address,undefined)
endforeach()
