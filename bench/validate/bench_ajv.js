// The ajv 8 side of bench/validate/run.sh. usage: node bench_ajv.js SCHEMA
// DOCS [URL=DIR]... A draft 2020-12 schema runs on ajv/dist/2020; a
// draft-07 one on ajv's default (draft-07) class, since Ajv2020 rejects
// draft-07 keywords such as array-form "items". Formats come from
// ajv-formats. Prints "impl<TAB>mode<TAB>ops/s" lines.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020").default;
const AjvDraft7 = require("ajv").default;
const addFormats = require("ajv-formats").default;

const [schemaPath, docsDir, ...refs] = process.argv.slice(2);
const seconds = Number(process.env.SECONDS_PER_MODE || 2);
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
const draft7 = /draft-0[4-7]/.test(schema.$schema || "");

function make(allErrors) {
  const Ajv = draft7 ? AjvDraft7 : Ajv2020;
  const ajv = new Ajv({ allErrors, strict: false, logger: false });
  addFormats(ajv);
  // Every schema file under a --ref directory is added by its $id.
  for (const r of refs) {
    const dir = r.slice(r.indexOf("=") + 1);
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith(".json")) continue;
      const s = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
      if (s.$id && s.$id !== schema.$id) ajv.addSchema(s);
    }
  }
  return ajv.compile(schema);
}

const texts = fs.readdirSync(docsDir).filter((f) => f.endsWith(".json"))
  .map((f) => fs.readFileSync(path.join(docsDir, f), "utf8"));
const docs = texts.map((t) => JSON.parse(t));

// The best of 5 rounds (other load only ever slows a round down).
function round(fn, secs) {
  const start = process.hrtime.bigint();
  let ops = 0, sink = 0, elapsed;
  do {
    for (let i = 0; i < 64; i++) sink += fn(ops + i) ? 1 : 0;
    ops += 64;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < secs);
  if (sink < 0) console.log(sink);
  return ops / elapsed;
}

function measure(fn) {
  let best = 0;
  for (let i = 0; i < 5; i++) best = Math.max(best, round(fn, seconds / 5));
  return best;
}

const first = make(false), all = make(true);
docs.forEach((d, i) => { if (!first(d)) console.error("note: doc " + i + " invalid for ajv", first.errors); });
measure((i) => first(docs[i % docs.length])); // warm up the JIT
console.log("ajv\tvalidate-only (first error)\t" + measure((i) => first(docs[i % docs.length])).toFixed(0));
console.log("ajv\tvalidate-only (all errors)\t" + measure((i) => all(docs[i % docs.length])).toFixed(0));
console.log("ajv\tparse+validate\t" + measure((i) => first(JSON.parse(texts[i % texts.length]))).toFixed(0));
