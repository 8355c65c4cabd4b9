/*
 * The report a document check fills in: the detected type, then errors
 * and warnings, each with a JSON pointer into the payload, a stable
 * machine code and a message. Document types are common/doctype.h.
 *
 * Errors make a document invalid; warnings never do (an undisclosed field
 * is neither: it only lowers the score).
 */
#ifndef MF_DOCUMENT_REPORT_H
#define MF_DOCUMENT_REPORT_H

#include "common/doctype.h"
#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum mf_doc_severity {
	MF_DOC_ERROR,
	MF_DOC_WARNING,
};

struct mf_doc_issue {
	const char *code; /* static: "schema", "date_order", "url_scheme"... */
	char *pointer;    /* owned: JSON pointer into the payload; "" = root */
	char *message;    /* owned */
	char *keyword;    /* owned: schema keyword location, or NULL */
};

/* Each list keeps at most this many issues; the rest are counted. */
#define MF_DOC_MAX_ISSUES 200

/* "No particular type" where a type is expected; "unknown" in a report. */
#define MF_DOC_ANY (-1)

struct mf_doc_report {
	int type; /* detected enum mf_doctype, or MF_DOC_ANY when unknown */
	struct mf_doc_issue *errors;
	size_t n_errors; /* entries in errors[] */
	struct mf_doc_issue *warnings;
	size_t n_warnings;
	size_t dropped; /* issues not kept because a list was full */
	/* private */
	size_t cap_errors_, cap_warnings_;
};

void mf_doc_report_init(struct mf_doc_report *rep);
/* Frees the issues; the report can be reused after init. */
void mf_doc_report_dispose(struct mf_doc_report *rep);

/*
 * Appends an issue. pointer may be NULL (root); keyword may be NULL; code
 * must be a string with static storage. Returns 0 or MF_E_NOMEM.
 */
int mf_doc_report_add(struct mf_doc_report *rep, enum mf_doc_severity sev,
                      const char *pointer, const char *code,
                      const char *keyword, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* True when the report has no errors (warnings allowed). */
bool mf_doc_report_ok(const struct mf_doc_report *rep);
/* The first error at exactly this pointer, or NULL. Borrowed. */
const struct mf_doc_issue *
mf_doc_report_error_at(const struct mf_doc_report *rep, const char *pointer);

/*
 * {"type": "...", "valid": bool, "errors": [{"pointer", "code",
 * "message"[, "keyword"]}], "warnings": [...]}; new reference or NULL.
 */
json_t *mf_doc_report_json(const struct mf_doc_report *rep);

/*
 * When the report has errors, records MF_E_VALIDATION in err with one
 * detail per error ({"pointer", "code", "message"}) and returns
 * MF_E_VALIDATION; otherwise returns 0 and leaves err alone.
 */
int mf_doc_report_to_error(const struct mf_doc_report *rep,
                           struct mf_error *err);

#endif
