#!/usr/bin/env python3
"""A web shop in pytm 1.4: the first model of tms's pytm round trip.

`scripts/pytm-json.py tests/import/pytm/web-shop.tm.py tests/import/pytm/web-shop.json`
runs it with `--json` and writes the file tests/import_pytm.rs imports; web-shop.expected.yaml says the same model in tms's format.
"""
import os

from pytm import (TM, Actor, Assumption, Boundary, Classification, Data, Dataflow,
                  Datastore, DatastoreType, Finding, Lambda, Lifetime, Process, Server,
                  TLSVersion)

tm = TM("Web shop")
# A small threat library of our own keeps the output (which lists every finding) small.
tm.threatsFile = os.path.join(os.path.dirname(os.path.abspath(__file__)), "threats.json")
tm.description = "Customer-facing shop with an order worker"
tm.isOrdered = True
tm.assumptions = [Assumption("Internal network is trusted", exclude=["RT-FLOW-01"])]

internet = Boundary("Internet")
dc = Boundary("Data centre")
app = Boundary("App tier", inBoundary=dc)

credentials = Data("Customer credentials", classification=Classification.SECRET,
                   credentialsLife=Lifetime.LONG, isCredentials=True)
orders = Data("Orders", classification=Classification.RESTRICTED, isPII=True,
              isStored=True, format="JSON", description="Order lines and addresses")

customer = Actor("Customer", inBoundary=internet)
admin = Actor("Shop admin", inBoundary=internet, isAdmin=True)

web = Server("Web server", inBoundary=dc, port=443, protocol="HTTPS", OS="Debian 12",
             usesSessionTokens=True, usesVPN=False, minTLSVersion=TLSVersion.TLSv12)
web.controls.isHardened = True
web.controls.isEncrypted = True
web.controls.sanitizesInput = True
web.controls.authenticationScheme = "OAuth2"
web.assumptions = [Assumption("WAF in front", exclude=["RT-SRV-02"],
                              description="rule set 12")]
web.overrides = [Finding(threat_id="RT-SRV-01", response="mitigated by the CSRF middleware")]

worker = Process("Order worker", inBoundary=app, codeType="Managed",
                 environment="Production", tracksExecutionFlow=True)
worker.controls.implementsPOLP = True

db = Datastore("Order database", inBoundary=app, type=DatastoreType.SQL, port=5432,
               protocol="PostgreSQL", storesPII=True, maxClassification=Classification.SECRET)
db.controls.isEncryptedAtRest = True
db.controls.hasAccessControl = True

mailer = Lambda("Mailer", inBoundary=dc, environment="Production")

login = Dataflow(customer, web, "Login", data=[credentials], order=1)
Dataflow(web, customer, "Login result", responseTo=login, order=2)
Dataflow(customer, web, "Place order", data=[orders], order=3, note="checkout")
# The script sets a protocol; pytm 1.4's resolve overwrites it with the sink's.
Dataflow(web, worker, "Enqueue order", data=[orders], protocol="AMQP", order=4)
Dataflow(worker, db, "Store order", data=[orders], tlsVersion=TLSVersion.TLSv13, order=5)
Dataflow(worker, mailer, "Confirmation", order=6)
Dataflow(admin, web, "Admin console", data=[credentials], order=7)

tm.process()
