#!/usr/bin/env bash
# Times the whole `tms report --format json` on synthetic models (N elements in
# N/10 boundaries, 2N flows, random attributes) at N = 1,000, 10,000, 100,000,
# on one core (taskset), with peak memory. Usage: scripts/bench.sh [RULES-ARGS...]
# e.g. scripts/bench.sh --no-default-rules --rules tests/third-party/fixtures/pytm/threats.json
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p tms -p tms-synth --bins
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
printf '%-8s %-10s %-10s %-12s %-10s\n' N model-MB seconds peak-MB findings
for n in 1000 10000 100000; do
  ./target/release/tms-synth "$n" 7 > "$dir/m$n.json"
  mb=$(du -m "$dir/m$n.json" | cut -f1)
  /usr/bin/time -f '%e %M' -o "$dir/time" $pin ./target/release/tms report "$dir/m$n.json" --format json -o "$dir/r$n.json" "$@" 2>/dev/null || true
  read -r secs kb < "$dir/time"
  findings=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['total'])" "$dir/r$n.json" 2>/dev/null || echo "?")
  printf '%-8s %-10s %-10s %-12s %-10s\n' "$n" "$mb" "$secs" "$((kb / 1024))" "$findings"
done
