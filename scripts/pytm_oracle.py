#!/usr/bin/env python3
"""Run OWASP pytm 1.4 itself on a model in tms's format and print the findings
it reports, as sorted `SID@target-id` lines.

This is the oracle for tests/pytm_parity.rs: `.ci/run` installs pytm==1.4.0 and
re-generates tests/pytm/*.pytm-findings.txt with this script; a difference from
the committed files fails CI. Elements and flows are named by their tms ids so
findings map back one to one.

Usage: pytm_oracle.py THREATS.json MODEL.yaml
"""
import json
import sys

import yaml
import pytm
from pytm import (TM, Actor, Boundary, Classification, Data, Dataflow, Datastore,
                  DatastoreType, ExternalEntity, Lambda, Lifetime, Process, Server,
                  SetOfProcesses, TLSVersion)
from pytm.base import Controls

CLASSES = {
    "actor": Actor, "external-entity": ExternalEntity, "process": Process,
    "set-of-processes": SetOfProcesses, "server": Server, "lambda": Lambda,
    "datastore": Datastore, "llm": pytm.LLM, "agent": pytm.Agent,
}
CLASSIFICATION = {"unknown": "UNKNOWN", "public": "PUBLIC", "restricted": "RESTRICTED",
                  "sensitive": "SENSITIVE", "secret": "SECRET", "top-secret": "TOP_SECRET"}
LIFETIME = {"none": "NONE", "unknown": "UNKNOWN", "short-lived": "SHORT", "long-lived": "LONG",
            "auto-revokable": "AUTO", "manually-revokable": "MANUAL", "hardcoded": "HARDCODED"}
TLS = {"none": "NONE", "SSLv1": "SSLv1", "SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLSv1.0": "TLSv10",
       "TLSv1.1": "TLSv11", "TLSv1.2": "TLSv12", "TLSv1.3": "TLSv13"}
STRUCTURE = {"id", "type", "name", "description", "boundary", "tags", "properties", "data",
             "from", "to", "responseTo"}
CONTROLS = set(Controls.model_fields)


def convert(key, value):
    if key in ("maxClassification",):
        return Classification[CLASSIFICATION[value]]
    if key in ("minTLSVersion", "tlsVersion"):
        return TLSVersion[TLS[value]]
    if key == "datastoreType":
        return DatastoreType[value.upper().replace("-", "_")]
    return value


def apply_attrs(obj, spec):
    for key, value in spec.items():
        if key in STRUCTURE:
            continue
        value = convert(key, value)
        if key in CONTROLS:
            setattr(obj.controls, key, value)
        if key == "datastoreType":
            key = "type"
        # Some names are both a class field and a control (usesVPN, tracksExecutionFlow);
        # tms keeps one value for both, so set both here.
        if key in type(obj).model_fields:
            setattr(obj, key, value)


def main(threats, path):
    with open(path, encoding="utf8") as f:
        model = yaml.safe_load(f)
    TM.reset()
    tm = TM(model["title"])
    tm.description = model.get("description") or "model"
    tm.threatsFile = threats
    boundaries = {}
    for b in model.get("boundaries", []):
        boundaries[b["id"]] = Boundary(b["id"])
    for b in model.get("boundaries", []):
        if b.get("parent"):
            boundaries[b["id"]].inBoundary = boundaries[b["parent"]]
    data = {}
    for d in model.get("data", []):
        kw = {k: v for k, v in d.items() if k in ("format", "isPII", "isCredentials", "isStored",
                                                  "isDestEncryptedAtRest", "isSourceEncryptedAtRest")}
        if "classification" in d:
            kw["classification"] = Classification[CLASSIFICATION[d["classification"]]]
        if "credentialsLife" in d:
            kw["credentialsLife"] = Lifetime[LIFETIME[d["credentialsLife"]]]
        data[d["id"]] = Data(d["id"], **kw)
    elements = {}
    for e in model.get("elements", []):
        el = CLASSES[e["type"]](e["id"])
        if e.get("boundary"):
            el.inBoundary = boundaries[e["boundary"]]
        if e.get("data"):
            el.data = [data[x] for x in e["data"]]
        apply_attrs(el, e)
        elements[e["id"]] = el
    flows = {}
    for fl in model.get("flows", []):
        df = Dataflow(elements[fl["from"]], elements[fl["to"]], fl["id"])
        if fl.get("data"):
            df.data = [data[x] for x in fl["data"]]
        apply_attrs(df, fl)
        flows[fl["id"]] = df
    for fl in model.get("flows", []):
        if fl.get("responseTo"):
            flows[fl["id"]].responseTo = flows[fl["responseTo"]]
    tm._init_threats()
    tm.check()
    tm.resolve()
    out = sorted({f"{f.threat_id}@{f.element.name}" for f in tm.findings})
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
