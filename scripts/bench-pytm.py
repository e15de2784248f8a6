#!/usr/bin/env python3
"""pytm 1.4 on a synthetic model of N elements, timed: the other side of
scripts/bench.sh's side-by-side run. Builds the model with pytm's own classes
(seeded, so every run is the same model), then runs what `--json` runs:
check, resolve (every threat of pytm's library on every element) and the JSON
dump of the model with its findings. Prints `SECONDS FINDINGS` (the time of
check, resolve and dump; building the objects is the script's work, not
pytm's). OUT.json is the model as pytm's JSON after check, before
resolving: what tms reads.

Usage: bench-pytm.py N OUT.json
"""
import json
import random
import sys
import time

from pytm import (TM, Actor, Boundary, Classification, Data, Dataflow, Datastore,
                  Lambda, Process, Server, SetOfProcesses, ExternalEntity)
from pytm import pytm as pytm_module

CONTROLS = ["authenticatesDestination", "authenticatesSource", "authorizesSource",
            "checksInputBounds", "definesConnectionTimeout", "encodesOutput",
            "handlesResourceConsumption", "hasAccessControl", "implementsNonce",
            "implementsPOLP", "isEncrypted", "isEncryptedAtRest", "isHardened",
            "providesIntegrity", "sanitizesInput", "usesParameterizedInput",
            "validatesInput"]
KINDS = [Actor, Server, Process, Datastore, Lambda, SetOfProcesses, ExternalEntity]
CLASSES = [Classification.PUBLIC, Classification.RESTRICTED, Classification.SENSITIVE,
           Classification.SECRET]


def main(n, out):
    rnd = random.Random(7)
    tm = TM(f"Synthetic pytm model {n}")
    tm.description = "scripts/bench-pytm.py"
    tm.isOrdered = True
    boundaries = [Boundary(f"b{i}") for i in range(max(1, n // 10))]
    data = []
    for i in range(max(1, n // 20)):
        d = Data(f"d{i}", classification=rnd.choice(CLASSES))
        d.isPII = rnd.random() < 0.3
        d.isCredentials = rnd.random() < 0.1
        data.append(d)
    elements = []
    for i in range(n):
        kind = rnd.choice(KINDS)
        e = kind(f"e{i}")
        e.inBoundary = rnd.choice(boundaries)
        for c in CONTROLS:
            if hasattr(e.controls, c) and rnd.random() < 0.5:
                setattr(e.controls, c, rnd.random() < 0.5)
        elements.append(e)
    for i in range(2 * n):
        a, b = rnd.sample(elements, 2)
        f = Dataflow(a, b, f"f{i}")
        f.protocol = rnd.choice(["HTTP", "HTTPS", "TCP", ""])
        f.dstPort = rnd.choice([80, 443, 5432, -1])
        for c in ("isEncrypted", "authenticatesDestination", "checksDestinationRevocation"):
            if rnd.random() < 0.5:
                setattr(f.controls, c, rnd.random() < 0.5)
        f.data = rnd.sample(data, min(len(data), rnd.randint(0, 2)))
    start = time.perf_counter()
    tm.check()
    # The model as checked (pytm's check completes it), untimed.
    paused = time.perf_counter()
    with open(out, "w", encoding="utf8") as fh:
        json.dump(tm, fh, default=pytm_module.to_serializable)
    start += time.perf_counter() - paused
    tm.resolve()
    with open(out + ".findings", "w", encoding="utf8") as fh:
        json.dump(tm, fh, default=pytm_module.to_serializable)
    seconds = time.perf_counter() - start
    print(f"{seconds:.2f} {len(tm.findings)}")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
