#!/bin/sh
# The pre-commit hooks that use the tms release binary instead of a Rust build
# (`tms-validate-binary`, `tms-check-binary` in .pre-commit-hooks.yaml).
# The first run downloads the release of this hook's tms version (from its
# Cargo.toml; TMS_VERSION overrides it), checked against its SHA-256, into
# ~/.cache/tms/VERSION; later runs use it.
#
#   pre-commit.sh validate [OPTIONS] FILES...
#   pre-commit.sh check [OPTIONS] FILES...   (each file checked on its own)
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
    validate | check) ;;
    *) echo "usage: pre-commit.sh validate|check [OPTIONS] FILES..." >&2; exit 2 ;;
esac

version="${TMS_VERSION:-}"
if [ -z "$version" ]; then
    v="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/../Cargo.toml" | head -n 1)"
    [ -n "$v" ] || { echo "pre-commit.sh: no version in $here/../Cargo.toml" >&2; exit 2; }
    version="v$v"
fi
cache="${TMS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tms/$version}"
tms="$cache/tms"
[ -x "$tms" ] || [ -x "$tms.exe" ] || sh "$here/install.sh" --version "$version" --to "$cache" >&2
[ -x "$tms" ] || tms="$tms.exe"

if [ "$cmd" = validate ]; then
    exec "$tms" validate "$@"
fi
# `tms check` takes one model, and pre-commit passes all changed files at
# once: options (and their values) come first and go to every check.
opts=""
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do
    case "$1" in
        --fail-on | --rules | --questions) opts="$opts $1 $2"; shift 2 ;;
        *) opts="$opts $1"; shift ;;
    esac
done
status=0
for model in "$@"; do
    # shellcheck disable=SC2086 # options are words on purpose
    "$tms" check $opts "$model" || status=1
done
exit $status
