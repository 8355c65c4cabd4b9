// Validates JSON documents against the official CycloneDX 1.6 schema with
// ajv (draft-07, the schema's own draft) and ajv-formats: the independent
// validator of tests/integration/test_sbom.py. Usage:
//   node ajv_validate.js <node_modules dir> <cyclonedx schema dir> FILE...
// Prints one JSON line per file: {"file", "valid", "errors"}; exit 0.
"use strict";
const fs = require("fs");
const path = require("path");

const [modules, schemaDir, ...files] = process.argv.slice(2);
const Ajv = require(path.join(modules, "ajv"));
const addFormats = require(path.join(modules, "ajv-formats"));

const read = (name) =>
  JSON.parse(fs.readFileSync(path.join(schemaDir, name), "utf8"));
// strict: false because the official schemas use keywords ajv's strict
// mode flags (e.g. "meta:enum" annotations); validation is unchanged.
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(read("spdx.schema.json"));
ajv.addSchema(read("jsf-0.82.schema.json"));
const validate = ajv.compile(read("bom-1.6.schema.json"));
for (const file of files) {
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const valid = validate(doc);
  console.log(JSON.stringify({ file, valid, errors: validate.errors || [] }));
}
