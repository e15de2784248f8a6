#!/usr/bin/env bash
# Speed, side by side (issue "Speed at the limit"). Prints, for synthetic models
# of N = 1,000, 10,000 and 100,000 elements (2N flows, N/10 boundaries, random
# attributes) read from JSON and from YAML:
#   - `tms report --format json`: wall seconds, peak memory, findings, questions,
#     and where the time went (TMS_TIMINGS phases, from the fastest run);
#   - `tms validate` + `tms check` on the 1,000-element model (the editor and
#     pre-commit case);
# and pytm 1.4 beside tms on one model built with pytm's classes (PYTM_N
# elements, default 5,000), with pytm's own library on both sides and the
# finding sets compared. Each tms time is the fastest of RUNS runs (default 3).
#
# Usage: scripts/bench.sh [--quick]   (--quick: N up to 10,000, pytm at 500)
# Needs: cargo, python3; pytm 1.4.0 in target/venv (scripts/test.sh makes it)
# for the side-by-side part, which is skipped with a note without it.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="1000 10000 100000"
pytm_n=${PYTM_N:-5000}
if [ "${1:-}" = "--quick" ]; then
  sizes="1000 10000"
  pytm_n=${PYTM_N:-500}
fi
runs=${RUNS:-3}
cargo build --release --quiet -p tms -p tms-synth --bins
tms=$PWD/target/release/tms
synth=$PWD/target/release/tms-synth
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# best CMD...: runs CMD $runs times; sets $secs (fastest wall), $peak (its MB)
# and $phases (its TMS_TIMINGS line).
best() {
  secs="" peak="" phases=""
  for _ in $(seq "$runs"); do
    TMS_TIMINGS=1 /usr/bin/time -f '%e %M' -o "$dir/time" "$@" >/dev/null 2>"$dir/err" || true
    read -r s kb < <(tail -n 1 "$dir/time")
    if [ -z "$secs" ] || awk -v a="$s" -v b="$secs" 'BEGIN { exit !(a < b) }'; then
      secs=$s peak=$((kb / 1024))
      phases=$(grep '^tms: timings:' "$dir/err" | tail -n 1 | sed 's/^tms: timings: //')
    fi
  done
}

count() { # FILE KEY: a number from a report's summary
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary'][sys.argv[2]])" "$1" "$2" 2>/dev/null || echo "?"
}

echo "== tms report --format json (fastest of $runs; $(nproc) cores)"
printf '%-8s %-5s %8s %9s %8s %9s %10s\n' N from model-MB seconds peak-MB findings questions
for n in $sizes; do
  "$synth" "$n" 7 > "$dir/m$n.json"
  "$synth" "$n" 7 --yaml > "$dir/m$n.yaml"
  for ext in json yaml; do
    m="$dir/m$n.$ext"
    best "$tms" report "$m" --format json -o "$dir/r.json"
    printf '%-8s %-5s %8s %9s %8s %9s %10s\n' "$n" "$ext" "$(du -m "$m" | cut -f1)" "$secs" "$peak" \
      "$(count "$dir/r.json" findings)" "$(count "$dir/r.json" questions)"
    [ "$n" = 100000 ] && echo "         phases: $phases"
  done
done

echo
echo "== validate + check, 1,000 elements (fastest of $runs)"
for ext in json yaml; do
  best "$tms" validate "$dir/m1000.$ext"
  v=$secs
  best "$tms" check "$dir/m1000.$ext"
  printf '%-5s validate %ss, check %ss (%s MB)\n' "$ext" "$v" "$secs" "$peak"
done

echo
python=${TMS_PYTHON:-target/venv/bin/python}
if ! "$python" -c 'import pytm' 2>/dev/null; then
  echo "== pytm side by side: skipped (no pytm 1.4.0 in $python; scripts/test.sh installs it)"
  exit 0
fi
echo "== pytm 1.4.0 beside tms, pytm's library, $pytm_n elements and $((2 * pytm_n)) flows"
read -r pytm_secs pytm_findings < <("$python" scripts/bench-pytm.py "$pytm_n" "$dir/pytm.json")
threats=tests/third-party/fixtures/pytm/threats.json
best "$tms" report "$dir/pytm.json" --no-default-rules --rules "$threats" --format json -o "$dir/pr.json"
same=$(python3 - "$dir/pytm.json.findings" "$dir/pr.json" <<'PY'
import json, sys
pytm = {f"{f['threat_id']}@{f['target']}" for f in json.load(open(sys.argv[1]))["findings"]}
ours = {f["id"] for f in json.load(open(sys.argv[2]))["findings"]}
print("the same findings" if pytm == ours else f"DIFFERENT findings: {len(pytm - ours)} only pytm's, {len(ours - pytm)} only ours")
PY
)
printf 'pytm %ss, %s findings\ntms  %ss (%s MB), %s findings: %s\n' "$pytm_secs" "$pytm_findings" \
  "$secs" "$peak" "$(count "$dir/pr.json" findings)" "$same"
awk -v a="$pytm_secs" -v b="$secs" 'BEGIN { if (b > 0) printf "tms is %.0fx faster\n", a / b }'
echo "     phases: $phases"
