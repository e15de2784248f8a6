#!/bin/sh
# Installs the tms binary from a GitHub release: picks the archive for this
# OS and CPU, checks its SHA-256 against the release's checksum file, and puts
# `tms` in ~/.local/bin (or the folder given). No Rust needed.
#
#   curl -fsSL https://github.com/your-org/tms/releases/latest/download/install.sh | sh
#   sh install.sh --version v0.1.0 --to /usr/local/bin
#
# Options (or environment variables):
#   --version TAG   a release tag such as v0.1.0, or `latest` (TMS_VERSION; default latest)
#   --to DIR        where to put tms (TMS_INSTALL_DIR; default ~/.local/bin)
#   --repo O/N      the GitHub repository releases come from (TMS_REPO)
#   --target T      the archive's target triple, instead of the detected one (TMS_TARGET)
# TMS_DOWNLOAD_BASE replaces https://github.com/O/N/releases/download/TAG
# (a mirror, or a file:// folder in tests).
set -eu

repo="${TMS_REPO:-your-org/tms}"
version="${TMS_VERSION:-latest}"
dir="${TMS_INSTALL_DIR:-${HOME:-}/.local/bin}"
target="${TMS_TARGET:-}"

die() {
    echo "install.sh: error: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case "$1" in
        --version) [ $# -ge 2 ] || die "--version needs a value"; version="$2"; shift 2 ;;
        --to) [ $# -ge 2 ] || die "--to needs a value"; dir="$2"; shift 2 ;;
        --repo) [ $# -ge 2 ] || die "--repo needs a value"; repo="$2"; shift 2 ;;
        --target) [ $# -ge 2 ] || die "--target needs a value"; target="$2"; shift 2 ;;
        -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
[ -n "$dir" ] || die "no install folder: set --to DIR or HOME"

# The release's name for this machine: the Rust target triple it was built for.
if [ -z "$target" ]; then
    os="$(uname -s)"
    arch="$(uname -m)"
    case "$arch" in
        x86_64 | amd64) arch=x86_64 ;;
        aarch64 | arm64) arch=aarch64 ;;
        *) die "no release binary for the CPU $arch; install with cargo: cargo install --locked --git https://github.com/$repo tms" ;;
    esac
    case "$os" in
        Linux) target="$arch-unknown-linux-musl" ;;
        Darwin) target="$arch-apple-darwin" ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT)
            [ "$arch" = x86_64 ] || die "no release binary for Windows on $arch"
            target="x86_64-pc-windows-msvc" ;;
        *) die "no release binary for $os; install with cargo: cargo install --locked --git https://github.com/$repo tms" ;;
    esac
fi
case "$target" in
    *windows*) archive="tms-$target.zip"; exe=tms.exe ;;
    *) archive="tms-$target.tar.gz"; exe=tms ;;
esac

if [ -n "${TMS_DOWNLOAD_BASE:-}" ]; then
    base="$TMS_DOWNLOAD_BASE"
elif [ "$version" = latest ]; then
    base="https://github.com/$repo/releases/latest/download"
else
    base="https://github.com/$repo/releases/download/$version"
fi

fetch() { # URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl --proto '=https,file' --tlsv1.2 -fsSL --retry 3 -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "$1"
    else
        die "neither curl nor wget is installed"
    fi
}

sha256() { # FILE
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 -r "$1" | cut -d' ' -f1
    else
        die "no sha256sum, shasum or openssl to check the download with"
    fi
}

tmp="$(mktemp -d 2>/dev/null || mktemp -d -t tms-install)"
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "install.sh: downloading $archive ($version) from $base" >&2
fetch "$base/$archive" "$tmp/$archive" || die "cannot download $base/$archive"
fetch "$base/$archive.sha256" "$tmp/$archive.sha256" || die "cannot download $base/$archive.sha256"

expected="$(cut -d' ' -f1 <"$tmp/$archive.sha256" | tr -d '\r\n' | tr 'A-F' 'a-f')"
actual="$(sha256 "$tmp/$archive")"
case "$expected" in
    [0-9a-f]*) [ "${#expected}" -eq 64 ] || die "$archive.sha256 holds no SHA-256" ;;
    *) die "$archive.sha256 holds no SHA-256" ;;
esac
[ "$expected" = "$actual" ] || die "checksum mismatch for $archive: expected $expected, got $actual"

mkdir -p "$tmp/x"
case "$archive" in
    *.zip) unzip -q "$tmp/$archive" -d "$tmp/x" || die "cannot unpack $archive" ;;
    *) tar -xzf "$tmp/$archive" -C "$tmp/x" || die "cannot unpack $archive" ;;
esac
bin="$(find "$tmp/x" -type f -name "$exe" | head -n 1)"
[ -n "$bin" ] || die "$archive holds no $exe"

mkdir -p "$dir"
# Copy, then rename: a running tms is never left half-written.
cp "$bin" "$dir/.$exe.tmp.$$"
chmod 755 "$dir/.$exe.tmp.$$"
mv -f "$dir/.$exe.tmp.$$" "$dir/$exe"
echo "install.sh: installed $("$dir/$exe" --version 2>/dev/null || echo tms) to $dir/$exe" >&2
case ":${PATH:-}:" in
    *":$dir:"*) ;;
    *) echo "install.sh: $dir is not on PATH; add it, e.g. export PATH=\"$dir:\$PATH\"" >&2 ;;
esac
