#!/usr/bin/env bash
# Checks the workspace's `rust-version` against its dependencies, from
# `cargo metadata` alone (no second toolchain needed): fails when a crate that
# `cargo install` builds (a normal or build dependency of a published crate,
# on any target) declares a newer `rust-version` than ours, since that crate
# would not build on the Rust we promise. Dev-dependencies are listed when
# they need more, but do not fail (users never build them).
#
# Our own code is checked against the same number by clippy: its
# `incompatible_msrv` lint (on by default, and `-D warnings` in the test
# suite) reads `rust-version` and refuses standard-library items stabilised
# after it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --format-version 1 --locked | python3 -c '
import json, sys

meta = json.load(sys.stdin)
packages = {p["id"]: p for p in meta["packages"]}
members = set(meta["workspace_members"])
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}

def version(s):
    parts = [int(x) for x in s.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))

def show(v):
    return ".".join(map(str, v[:2])) if v[2] == 0 else ".".join(map(str, v))

published = [m for m in members if packages[m].get("publish") != []]
declared = {packages[m]["name"]: packages[m].get("rust_version") for m in members}
missing = [n for n, v in declared.items() if not v]
if missing:
    sys.exit("msrv: no rust-version in " + ", ".join(sorted(missing)))
ours = max(version(v) for v in declared.values())
if len({v for v in declared.values()}) > 1:
    sys.exit("msrv: workspace members declare different rust-versions: %s" % declared)

def reachable(roots, with_dev):
    seen, stack = set(), list(roots)
    while stack:
        pkg = stack.pop()
        if pkg in seen:
            continue
        seen.add(pkg)
        for dep in nodes[pkg]["deps"]:
            kinds = {k["kind"] for k in dep["dep_kinds"]}
            # Dev-dependencies count only on the workspace members themselves.
            if kinds == {"dev"} and not (with_dev and pkg in members):
                continue
            stack.append(dep["pkg"])
    return seen

def needs(ids):
    out = []
    for i in ids:
        p = packages[i]
        if i in members or not p.get("rust_version"):
            continue
        out.append((version(p["rust_version"]), p["name"], p["version"]))
    return sorted(out, reverse=True)

shipped = reachable(published, False)
everything = reachable(members, True)
over = [n for n in needs(shipped) if n[0] > ours]
dev_over = [n for n in needs(everything - shipped) if n[0] > ours]
top = needs(shipped)[:1]
for v, name, ver in dev_over:
    print("msrv: note: dev-dependency %s %s needs Rust %s (tests only)" % (name, ver, show(v)))
if over:
    for v, name, ver in over:
        print("msrv: error: %s %s needs Rust %s, above the declared rust-version %s"
              % (name, ver, show(v), show(ours)))
    sys.exit("msrv: raise rust-version in Cargo.toml ([workspace.package]) to %s, or pin the dependency lower"
             % show(over[0][0]))
if top:
    v, name, ver = top[0]
    print("msrv: ok: rust-version %s; the most demanding dependency is %s %s (Rust %s)"
          % (show(ours), name, ver, show(v)))
'
