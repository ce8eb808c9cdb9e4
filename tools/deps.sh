# Sourced by tools/run.sh and tools/test.sh: install missing Debian packages.
#
#   ensure_packages PKG...
#
# Asks dpkg first, so a machine that already has everything does no network
# access at all; runs apt-get update only when something is missing. Needs
# root (or sudo) only in that case.

package_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        package_installed "$pkg" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "missing packages: ${missing[*]}; run as root or install them first" >&2
            return 1
        fi
    fi
    echo "installing: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}" || return 1
}

# The PAM service file for password logins: packaging/pam/nanossh to
# /etc/pam.d/nanossh, copied only when missing or different. Needs root
# (or sudo); without either it says so and carries on (PAM then uses the
# "other" service).
#
#   ensure_pam_service
ensure_pam_service() {
    local src=packaging/pam/nanossh dst=/etc/pam.d/nanossh sudo=()
    [ -f "$src" ] || return 0
    cmp -s "$src" "$dst" 2>/dev/null && return 0
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "cannot install $dst without root; PAM will use /etc/pam.d/other" >&2
            return 0
        fi
    fi
    echo "installing $dst"
    "${sudo[@]}" install -D -m 644 "$src" "$dst"
}

# The system user the daemon's sandboxed pre-auth child runs as
# (UsePrivilegeSeparation yes with a root daemon), made when
# missing, as sshd's packages make "sshd". Needs root; without it says so.
#
#   ensure_privsep_user
ensure_privsep_user() {
    getent passwd nanosshd >/dev/null && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "user nanosshd is missing; a root nanosshd needs it (useradd --system nanosshd)" >&2
        return 0
    fi
    echo "creating system user nanosshd"
    useradd --system --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin nanosshd
}
