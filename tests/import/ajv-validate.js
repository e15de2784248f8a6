// Validates JSON documents against a JSON Schema with Ajv, the validator
// Threat Dragon's own schema is written for (it uses OpenAPI's `nullable`,
// which Ajv reads and plain JSON Schema validators ignore).
//
// Usage: TMS_NODE_MODULES=DIR node ajv-validate.js SCHEMA.json DOC.json...
// Prints each document's errors as JSON lines; exits 1 when any is invalid.
'use strict';
const fs = require('fs');
const path = require('path');

const modules = process.env.TMS_NODE_MODULES;
if (!modules) {
  console.error('TMS_NODE_MODULES is not set: run `npm install --prefix target/node ajv@8` and set it to target/node/node_modules');
  process.exit(2);
}
const Ajv = require(path.join(modules, 'ajv'));

const [schemaPath, ...docs] = process.argv.slice(2);
// The schema types some properties both ways (`["object", "string"]` with
// `properties`), which Ajv's strict mode rejects as a schema error; it is
// valid JSON Schema, so strict mode is off. `nullable` is honoured either way.
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
let bad = 0;
for (const doc of docs) {
  if (!validate(JSON.parse(fs.readFileSync(doc, 'utf8')))) {
    bad += 1;
    for (const e of validate.errors) {
      console.log(JSON.stringify({ doc, path: e.instancePath, message: e.message }));
    }
  }
}
process.exit(bad ? 1 : 0);
