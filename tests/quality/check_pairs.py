#!/usr/bin/env python3
"""Checks the quality corpus (tests/quality) and scores a tms binary on it.

Structure (always): every manifest entry names a pair directory holding vulnerable.yaml and
fixed.yaml, both parse, the target id is an element or flow of both, the expected rules exist in
rules/*.yaml and the pytm SIDs in pytm's threats.json, and the two variants differ in a few lines
only (the diff size is printed per pair).

Scoring (unless --no-run): validates every model with the tms binary and runs
`tms report --format json` with the built-in rules and with pytm's library
(`--no-default-rules --rules threats.json`). A pair is detected on a variant when one of its
expected rules (or, for pytm, SIDs) has a finding on the target (a finding on a response flow
counts for its request). TPR = pairs detected on vulnerable / pairs, FPR = pairs detected on
fixed / pairs, J = TPR - FPR. Open findings per target = open findings on the fixed variants /
(elements + flows of the fixed variants).

A binary that does not know `role:` (tms before roles) gets a copy of each model with the roles
replaced by the legacy tags they stand for. Such a binary evaluates unset attributes as false.

Usage: check_pairs.py [--tms PATH] [--pytm-rules PATH] [--no-run] [-v]
Exit 1 when a structural check or a validation fails.
"""
import argparse, difflib, glob, json, os, re, subprocess, sys, tempfile
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
MAX_DIFF = 10   # changed lines (added + removed) allowed between the two variants

# Legacy tags a role stands for, for binaries that predate roles. Read from roles/roles.yaml when it
# exists; this copy is the fallback.
ROLE_TAGS = {
    "browser": ["browser"], "mobile-app": ["mobile"], "iot-device": ["iot"], "cdn": ["cdn"],
    "waf": ["waf"], "load-balancer": ["load-balancer"], "api-gateway": ["api-gateway"],
    "queue": ["queue"], "cache": ["cache"], "vector-store": ["vector-store"],
    "identity-provider": ["identity-provider"], "secrets-manager": ["secrets-manager"],
    "artifact-registry": ["artifact-registry"], "build-pipeline": ["build-pipeline"],
    "log-collector": ["logging"], "third-party-saas": ["third-party"], "tool": ["mcp-server", "plugin"],
}


def role_tags():
    path = os.path.join(REPO, "roles", "roles.yaml")
    if not os.path.isfile(path):
        return ROLE_TAGS
    return {r["id"]: list(r.get("legacyTags") or []) for r in load_yaml(path).get("roles", [])}


def load_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f)


def ids_of(model):
    els = {e["id"] for e in model.get("elements") or []}
    fls = {f["id"] for f in model.get("flows") or []}
    return els, fls


def diff_size(a, b):
    """Lines removed plus lines added between the two files."""
    la, lb = open(a).read().splitlines(), open(b).read().splitlines()
    n = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
        if tag != "equal":
            n += (i2 - i1) + (j2 - j1)
    return n


def rule_causes():
    """Rule id -> its cause (None where the rule names none)."""
    causes = {}
    for f in glob.glob(os.path.join(REPO, "rules", "*.yaml")):
        for r in (load_yaml(f) or {}).get("rules", []):
            causes[r["id"]] = r.get("cause")
    return causes


def pytm_sids(path):
    try:
        return {t["SID"] for t in json.load(open(path))}
    except OSError:
        return None


def default_tms():
    for p in (os.environ.get("TMS"), os.path.join(REPO, "target", "release", "tms"),
              os.path.join(REPO, "target", "debug", "tms")):
        if p and os.access(p, os.X_OK):
            return p
    return None


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


class Runner:
    def __init__(self, tms, pytm_rules, tmp):
        self.tms, self.pytm_rules, self.tmp = tms, pytm_rules, tmp
        self.knows_roles = None
        self.role_tags = role_tags()

    def prepare(self, path):
        """The path to give the binary: the model itself, or a copy with roles as legacy tags."""
        if self.knows_roles is None:
            r = run([self.tms, "validate", path])
            self.knows_roles = r.returncode == 0 or "role" not in r.stdout + r.stderr
        if self.knows_roles:
            return path
        m = load_yaml(path)
        for e in m.get("elements") or []:
            role = e.pop("role", None)
            for t in self.role_tags.get(role, []):
                e.setdefault("tags", [])
                if t not in e["tags"]:
                    e["tags"].append(t)
        out = os.path.join(self.tmp, path.replace(os.sep, "_"))
        with open(out, "w") as f:
            yaml.safe_dump(m, f, sort_keys=False)
        return out

    def validate(self, path):
        r = run([self.tms, "validate", path])
        return r.returncode == 0, (r.stdout + r.stderr).strip()

    def report(self, path, pytm=False):
        cmd = [self.tms, "report", path, "--format", "json"]
        if pytm:
            cmd += ["--no-default-rules", "--rules", self.pytm_rules]
        r = run(cmd)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
        return json.loads(r.stdout)


def findings_on(report, model):
    """(rule ids, target, open) per finding; a response flow's findings go to its request."""
    req = {f["id"]: f.get("responseTo") for f in model.get("flows") or [] if f.get("responseTo")}
    out = []
    for f in report.get("findings", []):
        rules = f.get("rules") or [f.get("rule")]
        tgt = req.get(f["target"], f["target"])
        out.append((set(rules), tgt, f.get("status", "open") == "open"))
    return out


def detected(findings, target, expected):
    return sorted({r for rules, t, _ in findings if t == target for r in rules & set(expected)})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tms", default=default_tms())
    ap.add_argument("--pytm-rules", default=os.path.join(REPO, "..", "shared", "fixtures", "pytm", "threats.json"))
    ap.add_argument("--no-run", action="store_true", help="structural checks only")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the open findings on fixed variants")
    args = ap.parse_args()

    manifest = load_yaml(os.path.join(HERE, "pairs.yaml"))["pairs"]
    known_rules = rule_causes()
    warnings = []
    sids = pytm_sids(args.pytm_rules)
    errors = []
    seen = set()
    for n, p in enumerate(manifest, 1):
        pid = p["id"]
        if pid in seen:
            errors.append(f"{pid}: duplicate id")
        seen.add(pid)
        if not re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*", pid):
            errors.append(f"{pid}: id is not NN-slug")
        d = os.path.join(HERE, "pairs", pid)
        p["_files"] = {v: os.path.join(d, v + ".yaml") for v in ("vulnerable", "fixed")}
        for v, f in p["_files"].items():
            if not os.path.isfile(f):
                errors.append(f"{pid}: missing {v}.yaml")
        if any(not os.path.isfile(f) for f in p["_files"].values()):
            continue
        p["_models"] = {v: load_yaml(f) for v, f in p["_files"].items()}
        for v, m in p["_models"].items():
            els, fls = ids_of(m)
            if p["target"] not in els | fls:
                errors.append(f"{pid}: target {p['target']} is not an element or flow of {v}.yaml")
            p["_size"] = len(els) + len(fls)
        exp = p.get("expect") or {}
        for r in exp.get("rules") or []:
            if r not in known_rules:
                errors.append(f"{pid}: unknown rule {r}")
        if not exp.get("rules"):
            errors.append(f"{pid}: no expected rules")
        for c in exp.get("causes") or []:
            if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c):
                errors.append(f"{pid}: cause {c} is not kebab-case")
        for r in exp.get("rules") or []:
            c = known_rules.get(r)
            if c and c not in (exp.get("causes") or []):
                warnings.append(f"{pid}: {r} has cause {c}, not listed in causes")
        if sids is not None:
            for s in exp.get("pytm") or []:
                if s not in sids:
                    errors.append(f"{pid}: unknown pytm SID {s}")
        p["_diff"] = diff_size(p["_files"]["vulnerable"], p["_files"]["fixed"])
        if p["_diff"] == 0:
            errors.append(f"{pid}: the two variants are identical")
        elif p["_diff"] > MAX_DIFF:
            errors.append(f"{pid}: the variants differ in {p['_diff']} lines (at most {MAX_DIFF})")
        # same items, same keys apart from the planted ones
        mv, mf = p["_models"]["vulnerable"], p["_models"]["fixed"]
        for sec in ("boundaries", "data", "elements", "flows"):
            if [x["id"] for x in mv.get(sec) or []] != [x["id"] for x in mf.get(sec) or []]:
                errors.append(f"{pid}: {sec} differ between the variants")

    run_scores = not args.no_run
    if run_scores and not args.tms:
        print("no tms binary found (--tms PATH or TMS=...); structural checks only")
        run_scores = False
    results = []
    if run_scores:
        with tempfile.TemporaryDirectory() as tmp:
            runner = Runner(args.tms, args.pytm_rules, tmp)
            for p in manifest:
                if "_models" not in p:
                    continue
                res = {"id": p["id"], "diff": p["_diff"], "size": p["_size"]}
                for v in ("vulnerable", "fixed"):
                    path = runner.prepare(p["_files"][v])
                    ok, msg = runner.validate(path)
                    if not ok:
                        errors.append(f"{p['id']}: {v}.yaml does not validate: {msg}")
                        continue
                    for lib in ("tms", "pytm"):
                        if lib == "pytm" and not (sids and os.path.isfile(args.pytm_rules)):
                            continue
                        rep = runner.report(path, pytm=(lib == "pytm"))
                        fs = findings_on(rep, p["_models"][v])
                        exp = p["expect"].get("rules" if lib == "tms" else "pytm") or []
                        res[(lib, v)] = detected(fs, p["target"], exp)
                        res[(lib, v, "open")] = [(sorted(r), t) for r, t, o in fs if o]
                        res[(lib, v, "questions")] = len(rep.get("questions", []))
                results.append(res)
            print(f"tms: {args.tms} ({'knows roles' if runner.knows_roles else 'roles given as legacy tags'})")

    # ---- per pair
    hdr = f"{'pair':36} {'diff':>4}  {'tms vuln':12} {'tms fixed':10} {'open/t':>6}  {'pytm vuln':10} {'pytm fixed':10} {'open/t':>6}"
    print(hdr)
    print("-" * len(hdr))
    byid = {r["id"]: r for r in results}
    for p in manifest:
        r = byid.get(p["id"])
        if r is None:
            print(f"{p['id']:36} {p.get('_diff', '-'):>4}")
            continue
        def cell(lib, v):
            x = r.get((lib, v))
            if x is None:
                return "-"
            return (x[0] + (f"+{len(x) - 1}" if len(x) > 1 else "")) if x else "no"
        def per(lib):
            o = r.get((lib, "fixed", "open"))
            return "-" if o is None else f"{len(o) / r['size']:.2f}"
        print(f"{p['id']:36} {r['diff']:>4}  {cell('tms', 'vulnerable'):12} {cell('tms', 'fixed'):10} {per('tms'):>6}  "
              f"{cell('pytm', 'vulnerable'):10} {cell('pytm', 'fixed'):10} {per('pytm'):>6}")
        if args.verbose:
            for lib in ("tms", "pytm"):
                for rules, t in r.get((lib, "fixed", "open"), []):
                    print(f"    {lib} fixed open: {','.join(rules)}@{t}")

    # ---- summary
    if results:
        n = len(results)
        print()
        for lib in ("tms", "pytm"):
            if not any((lib, "vulnerable") in r for r in results):
                continue
            tp = sum(1 for r in results if r.get((lib, "vulnerable")))
            fp = sum(1 for r in results if r.get((lib, "fixed")))
            opened = sum(len(r.get((lib, "fixed", "open"), [])) for r in results)
            targets = sum(r["size"] for r in results)
            mean = sum(len(r.get((lib, "fixed", "open"), [])) / r["size"] for r in results) / n
            q = sum(r.get((lib, "fixed", "questions"), 0) for r in results)
            print(f"{lib:5} TPR {tp}/{n} = {tp / n:.3f}   FPR {fp}/{n} = {fp / n:.3f}   J = {(tp - fp) / n:.3f}   "
                  f"open findings per target on fixed: {opened}/{targets} = {opened / targets:.2f} "
                  f"(mean of pairs {mean:.2f})" + (f"   questions on fixed: {q}" if q else ""))
        missed = [r["id"] for r in results if not r.get(("tms", "vulnerable"))]
        if missed:
            print("tms misses:", ", ".join(missed))
        fps = [r["id"] for r in results if r.get(("tms", "fixed"))]
        if fps:
            print("tms fires on fixed:", ", ".join(fps))
    if warnings:
        print()
        for w in warnings:
            print("warning:", w)
    if errors:
        print()
        for e in errors:
            print("ERROR", e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
