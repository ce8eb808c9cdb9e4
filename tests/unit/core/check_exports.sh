#!/bin/sh
# The libraries expose the public API and nothing else.
#
#   check_exports.sh LIBNANOSSH.so LIBNANOSSH.a INCLUDE-DIR
#
# The allowed names are every nssh_* identifier in the public headers
# (comments removed), so a new public header in include/ needs nothing
# here. Fails on:
#   - a dynamic symbol of the shared library outside those names,
#   - a global defined symbol of the static library outside them,
#   - an NSSH_API function of the headers that the shared library does
#     not export (a definition that missed its header).
# Names the toolchain itself adds (reserved: leading "__", _init, _fini)
# are not the API's and are ignored.
set -u
so=$1 a=$2 inc=$3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
CC=${CC:-cc}

for h in "$inc"/*.h; do
    "$CC" -fpreprocessed -dD -E -P "$h" 2>/dev/null
done >"$tmp/headers"
grep -o 'nssh_[A-Za-z0-9_]*' "$tmp/headers" | sort -u >"$tmp/allowed"
# NSSH_API functions: the identifier before the first '(' of the line.
grep '^NSSH_API .*(' "$tmp/headers" | sed 's/(.*//; s/.*[ *]//' |
    sort -u >"$tmp/api_funcs"

toolchain() { grep -v -E '^(__|_init$|_fini$|_edata$|_end$|_GLOBAL_OFFSET_TABLE_$)'; }

nm -D --defined-only "$so" | awk '{print $NF}' | sed 's/@.*//' | toolchain |
    sort -u >"$tmp/dyn"
nm -g --defined-only "$a" 2>/dev/null | awk 'NF>=3 {print $NF}' | toolchain |
    sort -u >"$tmp/static"

fail=0
if [ ! -s "$tmp/allowed" ] || [ ! -s "$tmp/api_funcs" ]; then
    echo "no public names found in $inc"
    fail=1
fi
if [ ! -s "$tmp/dyn" ] || [ ! -s "$tmp/static" ]; then
    echo "no symbols read from $so or $a"
    fail=1
fi
extra=$(comm -23 "$tmp/dyn" "$tmp/allowed")
if [ -n "$extra" ]; then
    echo "$so exports names outside the public headers:"
    echo "$extra" | sed 's/^/  /'
    fail=1
fi
extra=$(comm -23 "$tmp/static" "$tmp/allowed")
if [ -n "$extra" ]; then
    echo "$a defines globals outside the public headers:"
    echo "$extra" | sed 's/^/  /'
    fail=1
fi
missing=$(comm -23 "$tmp/api_funcs" "$tmp/dyn")
if [ -n "$missing" ]; then
    echo "NSSH_API functions $so does not export:"
    echo "$missing" | sed 's/^/  /'
    fail=1
fi
echo "$(wc -l <"$tmp/dyn") exported, $(wc -l <"$tmp/static") static globals," \
     "$(wc -l <"$tmp/api_funcs") NSSH_API functions"
exit $fail
