#!/usr/bin/env python3
"""Writes the synthetic benchmark inputs: a ~100-field draft 2020-12 schema
shaped like a model disclosure (sections of "disclosed fields" through
$ref/$defs, enum, pattern, format, oneOf, unevaluatedProperties) and a few
~10 KB documents that satisfy it. Deterministic: same output every run."""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "synthetic")

SECTIONS = {
    "identity": ["name", "version", "release_date", "developer", "homepage",
                 "contact", "model_id", "family", "previous_version",
                 "artifact_digest", "doi", "card_url"],
    "model": ["architecture", "parameter_count", "active_parameters",
              "context_length", "input_modalities", "output_modalities",
              "layers", "hidden_size", "attention", "vocabulary_size",
              "tokenizer", "precision"],
    "distribution": ["license", "access", "weights_url", "api_url",
                     "pricing", "regions", "terms_url", "export_controls",
                     "open_weights", "release_stage"],
    "uses": ["intended_uses", "prohibited_uses", "target_users",
             "languages", "domains", "out_of_scope", "user_guidance",
             "age_restriction", "high_risk_uses", "monitoring"],
    "training": ["objective", "methods", "rlhf", "fine_tuning", "duration_days",
                 "start_date", "end_date", "framework", "checkpoints",
                 "hyperparameters", "reproducibility", "safety_training"],
    "data": ["sources", "size_tokens", "size_bytes", "curation", "languages",
             "licenses", "personal_data", "copyright", "synthetic_share",
             "cutoff_date", "filtering", "documentation_url"],
    "compute": ["flops", "hardware", "accelerator_count", "accelerator_hours",
                "energy_kwh", "emissions_tco2e", "location", "carbon_intensity",
                "provider", "efficiency_notes"],
    "risks": ["evaluations", "red_teaming", "bias", "safety_incidents",
              "mitigations", "known_limitations", "dual_use",
              "cybersecurity", "bio_risk", "watermarking"],
    "accountability": ["changelog", "incident_reporting", "feedback_channel",
                       "responsible_person", "audit", "certifications",
                       "governance", "updated_at"],
}

INTEGER_FIELDS = {"parameter_count", "active_parameters", "context_length",
                  "layers", "hidden_size", "vocabulary_size", "duration_days",
                  "size_tokens", "size_bytes", "accelerator_count",
                  "age_restriction", "checkpoints"}
NUMBER_FIELDS = {"flops", "accelerator_hours", "energy_kwh", "emissions_tco2e",
                 "carbon_intensity", "synthetic_share"}
DATE_FIELDS = {"release_date", "start_date", "end_date", "cutoff_date"}
DATETIME_FIELDS = {"updated_at"}
URI_FIELDS = {"homepage", "weights_url", "api_url", "terms_url", "card_url",
              "documentation_url", "doi"}
EMAIL_FIELDS = {"contact", "incident_reporting", "feedback_channel"}
LIST_FIELDS = {"input_modalities", "output_modalities", "regions",
               "intended_uses", "prohibited_uses", "languages", "domains",
               "sources", "licenses", "evaluations", "mitigations",
               "hardware", "certifications", "changelog", "methods"}
ENUMS = {
    "architecture": ["decoder-only transformer", "encoder-decoder transformer",
                     "mixture of experts", "state space model", "diffusion",
                     "other"],
    "access": ["open", "api", "restricted", "closed"],
    "release_stage": ["preview", "beta", "general-availability", "deprecated"],
    "precision": ["fp32", "bf16", "fp16", "fp8", "int8", "int4"],
    "attention": ["full", "sliding-window", "grouped-query", "multi-query",
                  "linear"],
}


def value_schema(field):
    if field in INTEGER_FIELDS:
        return {"type": "integer", "minimum": 0}
    if field in NUMBER_FIELDS:
        return {"type": "number", "minimum": 0}
    if field in DATE_FIELDS:
        return {"type": "string", "format": "date"}
    if field in DATETIME_FIELDS:
        return {"type": "string", "format": "date-time"}
    if field in URI_FIELDS:
        return {"type": "string", "format": "uri", "maxLength": 2048}
    if field in EMAIL_FIELDS:
        return {"type": "string", "format": "email"}
    if field in ENUMS:
        return {"enum": ENUMS[field]}
    if field in LIST_FIELDS:
        return {"type": "array", "items": {"$ref": "#/$defs/text"},
                "maxItems": 64, "uniqueItems": True}
    if field == "model_id":
        return {"$ref": "#/$defs/slug"}
    if field == "artifact_digest":
        return {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}
    if field == "version":
        return {"type": "string",
                "pattern": "^[0-9]+\\.[0-9]+(\\.[0-9]+)?(-[a-z0-9.]+)?$"}
    if field in ("open_weights", "rlhf", "personal_data", "watermarking"):
        return {"type": "boolean"}
    return {"$ref": "#/$defs/text"}


def build_schema():
    defs = {
        "text": {"type": "string", "minLength": 1, "maxLength": 4000},
        "slug": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"},
        "status": {"enum": ["disclosed", "withheld", "not_applicable",
                            "unknown"]},
        "references": {"type": "array", "items": {"type": "string",
                                                  "format": "uri"},
                       "maxItems": 20},
    }
    sections = {}
    nfields = 0
    for section, fields in SECTIONS.items():
        props = {}
        for f in fields:
            nfields += 1
            name = "field_" + section + "_" + f
            defs[name] = {
                "oneOf": [
                    {"type": "object",
                     "properties": {"status": {"const": "disclosed"},
                                    "value": value_schema(f),
                                    "explanation": {"$ref": "#/$defs/text"},
                                    "references": {"$ref": "#/$defs/references"}},
                     "required": ["status", "value"],
                     "unevaluatedProperties": False},
                    {"type": "object",
                     "properties": {"status": {"enum": ["withheld",
                                                        "not_applicable",
                                                        "unknown"]},
                                    "explanation": {"$ref": "#/$defs/text"}},
                     "required": ["status", "explanation"],
                     "unevaluatedProperties": False},
                ]
            }
            props[f] = {"$ref": "#/$defs/" + name}
        sections[section] = {"type": "object", "properties": props,
                             "unevaluatedProperties": False}
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://bench.modelfacts.example/synthetic-disclosure.json",
        "title": "Synthetic disclosure (benchmark only)",
        "type": "object",
        "required": ["registry", "subject", "issued_at", "seq", "supersedes"],
        "properties": {
            "registry": {"type": "string", "minLength": 1},
            "subject": {"type": "object",
                        "properties": {"org": {"$ref": "#/$defs/slug"},
                                       "model": {"$ref": "#/$defs/slug"}},
                        "required": ["org", "model"],
                        "additionalProperties": False},
            "issued_at": {"type": "string", "format": "date-time"},
            "seq": {"type": "integer", "minimum": 1},
            "supersedes": {"oneOf": [{"type": "null"},
                                     {"type": "string",
                                      "pattern": "^sha256:[0-9a-f]{64}$"}]},
        },
        "unevaluatedProperties": False,
        "$defs": defs,
    }
    for section, s in sections.items():
        schema["properties"][section] = s
    return schema, nfields


def sample_value(field, rnd):
    if field in INTEGER_FIELDS:
        return rnd.randrange(1, 10 ** 9)
    if field in NUMBER_FIELDS:
        return round(rnd.uniform(0, 1e6), 3)
    if field in DATE_FIELDS:
        return "20%02d-%02d-%02d" % (rnd.randrange(15, 26), rnd.randrange(1, 13),
                                     rnd.randrange(1, 29))
    if field in DATETIME_FIELDS:
        return "2025-%02d-%02dT%02d:%02d:%02dZ" % (
            rnd.randrange(1, 13), rnd.randrange(1, 29), rnd.randrange(24),
            rnd.randrange(60), rnd.randrange(60))
    if field in URI_FIELDS:
        return "https://models.example.com/%s/%d?ref=bench" % (field, rnd.randrange(1000))
    if field in EMAIL_FIELDS:
        return "%s.team@example.com" % field.replace("_", "-")
    if field in ENUMS:
        return rnd.choice(ENUMS[field])
    if field in LIST_FIELDS:
        return ["%s item %d" % (field.replace("_", " "), i)
                for i in range(rnd.randrange(1, 4))]
    if field == "model_id":
        return "model-%d" % rnd.randrange(1000)
    if field == "artifact_digest":
        return "sha256:" + "".join(rnd.choice("0123456789abcdef") for _ in range(64))
    if field == "version":
        return "%d.%d.%d" % (rnd.randrange(5), rnd.randrange(20), rnd.randrange(9))
    if field in ("open_weights", "rlhf", "personal_data", "watermarking"):
        return rnd.random() < 0.5
    return ("The %s is documented in the technical report, section %d."
            % (field.replace("_", " "), rnd.randrange(1, 12)))


def build_doc(seed):
    rnd = random.Random(seed)
    doc = {"registry": "registry.modelfacts.example",
           "subject": {"org": "acme-ai", "model": "acme-%d" % seed},
           "issued_at": "2025-06-01T10:00:00Z", "seq": seed + 1,
           "supersedes": None}
    for section, fields in SECTIONS.items():
        sec = {}
        for f in fields:
            if rnd.random() < 0.85:
                sec[f] = {"status": "disclosed", "value": sample_value(f, rnd),
                          "references": ["https://example.com/report.pdf"]}
            else:
                sec[f] = {"status": rnd.choice(["withheld", "unknown"]),
                          "explanation": "Not disclosed for competitive reasons."}
        doc[section] = sec
    return doc


def main():
    os.makedirs(os.path.join(OUT, "docs"), exist_ok=True)
    schema, nfields = build_schema()
    with open(os.path.join(OUT, "schema.json"), "w") as f:
        json.dump(schema, f, indent=1)
        f.write("\n")
    for i in range(4):
        with open(os.path.join(OUT, "docs", "doc-%d.json" % i), "w") as f:
            json.dump(build_doc(i), f)
            f.write("\n")
    print("synthetic: %d disclosed fields" % nfields)


if __name__ == "__main__":
    main()
