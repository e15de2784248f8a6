#!/usr/bin/env bash
# The whole test suite: formatting, lints, every test, and the checks against
# the real tools (pytm 1.4.0 as an oracle). Installs what it needs on a fresh
# machine (a Python venv under target/), so it is the one command to run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "Python tools (pytm 1.4.0 oracle) in target/venv"
venv=target/venv
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p target
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check pytm==1.4.0 pyyaml==6.0.2
export TMS_PYTHON="$PWD/$venv/bin/python"

step "Chromium (headless) for the HTML report's browser test"
if ! command -v chromium >/dev/null 2>&1; then
  sudo_=""
  [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
TMS_CHROMIUM="$(command -v chromium)"
export TMS_CHROMIUM

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings

step "cargo test"
cargo test --quiet

step "pytm parity: tests/pytm expectations still equal what pytm 1.4.0 reports"
threats=../shared/fixtures/pytm/threats.json
fail=0
for model in tests/pytm/*.yaml tests/pytm/*.json; do
  expected="${model%.*}.pytm-findings.txt"
  if ! "$TMS_PYTHON" scripts/pytm_oracle.py "$threats" "$model" | diff -q - "$expected" >/dev/null; then
    echo "pytm reports something else than $expected for $model"
    fail=1
  fi
done
[ "$fail" = 0 ]

step "release build and the README's main command"
cargo build --release --quiet
./target/release/tms validate examples/*.yaml
./target/release/tms report examples/web-shop.yaml --format md -o target/web-shop.md

echo
echo "all tests passed"
