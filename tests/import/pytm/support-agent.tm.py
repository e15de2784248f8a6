#!/usr/bin/env python3
"""An LLM support agent in pytm 1.4: the second model of tms's pytm round trip.

`scripts/pytm-json.py tests/import/pytm/support-agent.tm.py tests/import/pytm/support-agent.json`
runs it with `--json` and writes the file tests/import_pytm.rs imports; support-agent.expected.yaml says the same model
in tms's format.
"""
import os

from pytm import (LLM, TM, Agent, Boundary, Classification, Data, Dataflow, Datastore,
                  DatastoreType, ExternalEntity, Lifetime, SetOfProcesses)

tm = TM("Support agent")
# A small threat library of our own keeps the output (which lists every finding) small.
tm.threatsFile = os.path.join(os.path.dirname(os.path.abspath(__file__)), "threats.json")
tm.description = "A chat assistant that answers from the knowledge base"

cloud = Boundary("Vendor cloud")
vpc = Boundary("Company VPC")

ticket = Data("Support ticket", classification=Classification.SENSITIVE, isPII=True)
api_key = Data("Vendor API key", isCredentials=True)

customer = ExternalEntity("Customer app", hasPhysicalAccess=True, inScope=False)
frontend = SetOfProcesses("Chat frontend", inBoundary=vpc, allowsClientSideScripting=True,
                          implementsAPI=True, sourceFiles=["web/chat.ts"])
frontend.controls.validatesInput = True
frontend.controls.usesStrongSessionIdentifiers = True
agent = Agent("Support agent", inBoundary=vpc, usesExternalTools=True, data=[api_key])
agent.controls.handlesResourceConsumption = True
model = LLM("Hosted model", inBoundary=cloud, hasRAG=True, processesPersonalData=True,
            hasSystemPrompt=True, isThirdParty=True, retainsUserData=True)
model.controls.isEncrypted = True
kb = Datastore("Knowledge base", inBoundary=vpc, type=DatastoreType.FILE_SYSTEM,
               isSQL=False, storesSensitiveData=True, isShared=True)

Dataflow(customer, frontend, "Question", data=[ticket], protocol="HTTPS", dstPort=443)
Dataflow(frontend, agent, "Forward question", data=[ticket], usesSessionTokens=True)
Dataflow(agent, model, "Prompt", data=[ticket])
Dataflow(agent, kb, "Search", isEncrypted=False)

tm.process()
