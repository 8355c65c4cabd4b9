/*
 * The one entry point that the server and the CLI call to check a
 * payload: detect its type, validate it against the type's JSON Schema
 * (compiled once per process), then apply the semantic rules. The result
 * is a report of errors and warnings with JSON pointers; scoring is
 * separate (scoring/score.h).
 *
 * Cheap enough for the submission hot path: the payload is already
 * parsed, schemas are compiled on first use (pthread_once) and shared
 * read-only between threads.
 */
#ifndef MF_DOCUMENT_H
#define MF_DOCUMENT_H

#include "common/doctype.h"
#include "validators/document_report.h"
#include "validators/semantic.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct mf_document_options {
	int64_t now_ms; /* clock for issued_at checks; 0 = the system clock */
};

/*
 * Checks payload (borrowed, not modified). expect is the enum mf_doctype
 * the caller requires (e.g. from the envelope's payloadType), or
 * MF_DOC_ANY to accept any type named by the payload's "type" member.
 * out is initialised here and must be disposed by the caller.
 *
 * Returns 0 when the checks ran, whatever they found (see
 * mf_doc_report_ok); MF_E_NOMEM; or MF_E_SCHEMA when an embedded schema
 * cannot be compiled (a build defect, never the payload's fault).
 */
int mf_document_check(const json_t *payload, int expect,
                      struct mf_doc_report *out);
int mf_document_check_with(const json_t *payload, int expect,
                           const struct mf_document_options *opt,
                           struct mf_doc_report *out);

/* Embedded path of the type's schema, e.g. "schema/disclosure.v1.json". */
const char *mf_document_schema_path(enum mf_doctype type);
/* The schema's $id. */
const char *mf_document_schema_id(enum mf_doctype type);

/*
 * True when the embedded JSON Schemas compiled, i.e. schema validation is
 * part of every check (compiles them on first use). False only for a
 * broken build; mf_document_check then returns MF_E_SCHEMA.
 */
bool mf_document_schema_enabled(void);

#endif
