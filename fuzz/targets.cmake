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
# The in-memory pair with one direction edited after the key exchange, on
# the null tables (pair_target.h).
add_executable(fuzz_pair fuzz/fuzz_pair.c fuzz/pair_target.c fuzz/null_crypto.c)
target_include_directories(fuzz_pair PRIVATE include fuzz)
target_link_libraries(fuzz_pair PRIVATE nanossh_internal)
# The privilege-separation monitor's decoder and dispatcher (ipc_target.h);
# ipc_target.c includes monitor.c for its static dispatcher.
add_executable(fuzz_ipc fuzz/fuzz_ipc.c fuzz/ipc_target.c)
target_include_directories(fuzz_ipc PRIVATE fuzz)
target_link_libraries(fuzz_ipc PRIVATE nanosshd_core)
foreach(t pair ipc)
  target_compile_options(fuzz_${t} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer,address,undefined)
endforeach()
