#!/usr/bin/env bash
# Proves the static Linux binary needs nothing but itself: builds it (glibc,
# `crt-static`; the release workflow builds the musl one), checks that it has
# no dynamic section, then runs the README's first command in a clean room: a
# root file system holding only the binary and the example, entered with
# chroot, so no shared library, no Rust and no file of this machine is there.
#
#   scripts/clean-room.sh            # build, then check
#   TMS_STATIC_BIN=path scripts/clean-room.sh   # check a binary built elsewhere
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu
bin=${TMS_STATIC_BIN:-target/$target/release/tms}
if [[ -z "${TMS_STATIC_BIN:-}" ]]; then
    # With --target, RUSTFLAGS reach only the target's artifacts, not build
    # scripts or proc macros, which must stay dynamic to run on the host.
    RUSTFLAGS='-C target-feature=+crt-static' \
        cargo build --release --quiet --target "$target" --locked
fi

if readelf -d "$bin" 2>/dev/null | grep -q NEEDED; then
    echo "clean room: $bin needs shared libraries:" >&2
    readelf -d "$bin" | grep NEEDED >&2
    exit 1
fi

room=$(mktemp -d "${TMPDIR:-/tmp}/tms-clean-room.XXXXXX")
trap 'rm -rf "$room"' EXIT
cp "$bin" "$room/tms"
cp examples/web-shop.yaml "$room/web-shop.yaml"

run() {
    if [[ $(id -u) -eq 0 ]] && command -v chroot >/dev/null; then
        env -i "$(command -v chroot)" "$room" /tms "$@"
    elif command -v unshare >/dev/null && unshare -r true 2>/dev/null; then
        env -i "$(command -v unshare)" -r "$(command -v chroot)" "$room" /tms "$@"
    else
        # No way to change root here: an empty environment and folder at least.
        echo "clean room: no chroot available; running with an empty environment instead" >&2
        (cd "$room" && env -i ./tms "$@")
    fi
}

# The README's first command, and a check of the same model. Paths are
# relative: chroot starts at the new root, the fallback in the room.
run report web-shop.yaml --format md -o web-shop.md
run check web-shop.yaml >/dev/null 2>&1
grep -q '^# Threat model: Web shop' "$room/web-shop.md"
size=$(stat -c %s "$bin")
echo "clean room: the static binary ($((size / 1024 / 1024)) MiB, no shared libraries) wrote the web-shop report with nothing else on its root file system"
