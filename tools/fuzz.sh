#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, clang, with ASan and UBSan).
#   ./tools/fuzz.sh --list              the targets, one a line
#   ./tools/fuzz.sh TARGET [SECONDS]    fuzz one (default 300 s)
#   ./tools/fuzz.sh --smoke [SECONDS]   every target: replay its corpus, then
#                                       fuzz it SECONDS (default 3); non-zero
#                                       on any crash (the test command's stage)
# The build goes to build-fuzz/ (NSSH_FUZZ_BUILD to change it); each
# target's corpus is build-fuzz/corpus/TARGET, seeded from fuzz/corpus/TARGET
# (or made here: the server's recorded session, fresh key files) and kept
# across runs. Crash inputs are written to build-fuzz/crashes/.
# Old form, still accepted: ./tools/fuzz.sh SECONDS [server|sftp].
set -euo pipefail
cd "$(dirname "$0")/.."

# target: what it reads
TARGETS="server:the server engine, a client's bytes (null algorithms, so they reach every handler)
probe:the client role (nanossh-probe), a server's bytes
sftp:the SFTP server's decoder over an in-memory filesystem
authkeys:authorized_keys lines and their options
config:sshd_config text with Match and Include; -T output must load again
krl:RevokedKeys files: OpenSSH KRLs and plain key lists
keyfile:private key files (OpenSSH, PEM), public key blobs and certificates
kem:hostile peer values into every key exchange (ML-KEM, sntrup761, X25519, ECDH, DH, group exchange)
pair:a client and a server in memory, one direction's packets edited after the key exchange
ipc:the privilege-separation monitor, frames from a hostile pre-auth child"

names() { printf '%s\n' "$TARGETS" | cut -d: -f1; }

B=${NSSH_FUZZ_BUILD:-build-fuzz}

build() {
    command -v clang >/dev/null || { echo "fuzz.sh: clang is needed" >&2; exit 2; }
    cmake -B "$B" -S . -DCMAKE_C_COMPILER=clang -DNSSH_FUZZ=ON \
        -DNSSH_BUILD_TESTS=OFF >/dev/null
    cmake --build "$B" -j2 --target "$@" >/dev/null
}

# Seed corpus of target $1 into $B/corpus/$1 (existing files kept).
seed() {
    local t=$1 d=$B/corpus/$1 k
    mkdir -p "$d"
    case $t in
    server) "$B"/fuzz_seed "$d/session" ;;
    sftp) cp -n fuzz/sftp_corpus/* "$d/" ;;
    keyfile)
        [ -e "$d/ed25519" ] && return 0
        k=$(mktemp -d)
        ssh-keygen -q -t ed25519 -N '' -C ed -f "$k/ed25519"
        ssh-keygen -q -t ecdsa -b 256 -N '' -C ec -f "$k/ecdsa256"
        ssh-keygen -q -t rsa -b 1024 -N '' -C rsa -f "$k/rsa1024"
        ssh-keygen -q -t ecdsa -b 384 -m PEM -N '' -f "$k/ecdsa384.sec1"
        openssl genpkey -algorithm ed25519 -out "$k/ed25519.p8" 2>/dev/null
        openssl genrsa -traditional -out "$k/rsa.pkcs1" 1024 2>/dev/null
        # An OpenSSH certificate with critical options and extensions.
        ssh-keygen -q -s "$k/ed25519" -I fuzz -n root,ops -z 9 \
            -O force-command=ls -O source-address=127.0.0.1/32 "$k/ecdsa256.pub"
        for p in "$k"/*.pub; do
            awk '{print $2}' "$p" | base64 -d >"${p%.pub}.blob"
            rm -f "$p"
        done
        cp "$k"/* "$d/"
        rm -rf "$k" ;;
    *) cp -n fuzz/corpus/"$t"/* "$d/" ;;
    esac
}

# Run target $1 for $2 seconds (0: replay the corpus only).
run() {
    local t=$1 secs=$2 len=65536
    [ "$t" = sftp ] && len=262144
    mkdir -p "$B/crashes"
    if [ "$secs" = 0 ]; then
        "$B/fuzz_$t" -runs=0 -timeout=10 -close_fd_mask=2 \
            -artifact_prefix="$B/crashes/$t-" "$B/corpus/$t"
    else
        "$B/fuzz_$t" -max_total_time="$secs" -max_len=$len -timeout=10 \
            -close_fd_mask=2 -print_final_stats=1 \
            -artifact_prefix="$B/crashes/$t-" "$B/corpus/$t"
    fi
}

case ${1:-} in
--list)
    printf '%s\n' "$TARGETS" | sed 's/:/\t/'
    ;;
--smoke)
    secs=${2:-3}
    mapfile -t all < <(names)
    build fuzz_seed $(printf 'fuzz_%s ' "${all[@]}")
    failed=()
    for t in "${all[@]}"; do
        seed "$t"
        log=$B/smoke-$t.log
        if run "$t" 0 >"$log" 2>&1 && run "$t" "$secs" >>"$log" 2>&1; then
            runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
            echo "fuzz $t: ok (corpus replayed, ${runs:-?} executions in ${secs}s)"
        else
            echo "fuzz $t: FAILED (log $log; inputs in $B/crashes)"
            tail -40 "$log"
            failed+=("$t")
        fi
    done
    [ ${#failed[@]} -eq 0 ] || { echo "fuzz: failed: ${failed[*]}"; exit 1; }
    ;;
''|-h|--help)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    ;;
*)
    if [[ $1 =~ ^[0-9]+$ ]]; then   # old form: SECONDS [server|sftp]
        t=${2:-server} secs=$1
    else
        t=$1 secs=${2:-300}
    fi
    names | grep -qx "$t" || { echo "fuzz.sh: no target $t (see --list)" >&2; exit 2; }
    build "fuzz_$t" $([ "$t" = server ] && echo fuzz_seed)
    seed "$t"
    run "$t" "$secs"
    ;;
esac
