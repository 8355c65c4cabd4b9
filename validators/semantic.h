/*
 * Semantic rules: what a JSON Schema cannot say about a payload. Dates
 * that must be in order, numbers that must be plausible for their unit,
 * metric values inside their declared scale, URLs that may only be
 * http(s), text without control characters, key ids that must match
 * their keys. Errors make a document invalid; warnings flag values that
 * are legal but suspicious (e.g. fewer than a thousand parameters).
 *
 * The checks are defensive: they run on any JSON, also on payloads that
 * failed the schema, and skip values of unexpected types (the schema
 * reports those).
 */
#ifndef MF_SEMANTIC_H
#define MF_SEMANTIC_H

#include "validators/document_report.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct mf_semantic_options {
	/* The clock for "issued_at is not in the future", in Unix ms; 0 reads
	 * the system clock. Tests pin it. */
	int64_t now_ms;
};

/* How far in the future issued_at may be before it is an error. */
#define MF_SEMANTIC_FUTURE_SLACK_MS (24LL * 3600 * 1000)
/* issued_at before this (2015-01-01T00:00:00Z) is absurd. */
#define MF_SEMANTIC_EARLIEST_MS 1420070400000LL

/*
 * Adds the semantic errors and warnings of payload, read as a document of
 * the given type (an enum mf_doctype, or MF_DOC_ANY: only the rules common
 * to every type), to rep. opt may be NULL. Returns 0 or MF_E_NOMEM.
 */
int mf_semantic_check(const json_t *payload, int type,
                      const struct mf_semantic_options *opt,
                      struct mf_doc_report *rep);

/*
 * True when s is an absolute http(s) URL with a host, no credentials, no
 * whitespace or control characters, at most 2048 bytes. On false, *why
 * (if not NULL) gets a static explanation.
 */
bool mf_semantic_url_ok(const char *s, const char **why);

#endif
