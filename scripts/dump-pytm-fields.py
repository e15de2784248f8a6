import json, pytm
from pytm import *
import pytm.base as b
out={}
classes=[pytm.Element, pytm.Asset, Actor, ExternalEntity, Process, SetOfProcesses, Server, Lambda, Datastore, Dataflow, Boundary, Data, b.Controls]
try:
    classes += [pytm.LLM, pytm.Agent]
except Exception as e: print("no llm", e)
for c in classes:
    f={}
    for n,fi in c.model_fields.items():
        d = fi.default
        try: json.dumps(d); 
        except Exception: d=repr(d)
        f[n]={"type":str(fi.annotation),"default":d,"desc":fi.description}
    out[c.__name__]=f
print(json.dumps(out,indent=1))
