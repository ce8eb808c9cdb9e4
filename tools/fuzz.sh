#!/usr/bin/env bash
# Coverage-guided fuzzing of the server engine (libFuzzer, clang).
#   ./tools/fuzz.sh [SECONDS] [server|sftp]     default 300 server
# sftp: the SFTP server's decoder (fuzz/fuzz_sftp.c), from the seed corpus
# in fuzz/sftp_corpus.
# Not part of the test command: a separate, longer run.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-300}
target=${2:-server}
command -v clang >/dev/null || apt-get install -y clang
cmake -B build-fuzz -S . -DCMAKE_C_COMPILER=clang -DNSSH_FUZZ=ON -DNSSH_BUILD_TESTS=OFF >/dev/null
if [ "$target" = sftp ]; then
    cmake --build build-fuzz -j2 --target fuzz_sftp
    mkdir -p build-fuzz/sftp_corpus
    cp -n fuzz/sftp_corpus/* build-fuzz/sftp_corpus/
    exec build-fuzz/fuzz_sftp -max_total_time="$secs" -max_len=262144 -timeout=10 \
        build-fuzz/sftp_corpus
fi
cmake --build build-fuzz -j2 --target fuzz_server fuzz_seed
mkdir -p build-fuzz/corpus
build-fuzz/fuzz_seed build-fuzz/corpus/session
build-fuzz/fuzz_server -max_total_time="$secs" -max_len=65536 -timeout=10 build-fuzz/corpus
