#!/usr/bin/env python3
"""Run a pytm script with `--json` and write what pytm wrote, made portable.

pytm records the absolute path of its threat library (`threatsFile`), which
differs from machine to machine; only the file's name is kept. pytm keeps a
flow's data in a set, whose order follows Python's string hashing: the script
runs with a fixed PYTHONHASHSEED so the order is the same every run. The JSON is indented so a change
reads as a diff. Everything else is pytm's output unchanged.

tests/import/pytm/*.json are written with this script, and scripts/test.sh
re-runs it to check they are still what pytm 1.4.0 writes.

Usage: pytm-json.py SCRIPT.tm.py OUT.json
"""
import json
import os
import subprocess
import sys
import tempfile


def main(script, out):
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "out.json")
        env = dict(os.environ, PYTHONHASHSEED="0")
        subprocess.run([sys.executable, script, "--json", raw], check=True,
                       stdout=subprocess.DEVNULL, env=env)
        with open(raw, encoding="utf8") as f:
            doc = json.load(f)
    doc["threatsFile"] = os.path.basename(doc.get("threatsFile") or "")
    with open(out, "w", encoding="utf8") as f:
        json.dump(doc, f, indent=4)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
