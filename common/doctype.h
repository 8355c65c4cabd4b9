/*
 * The five document types (DESIGN.md §1): their names as payloads carry
 * them in "type", and their DSSE payload types. Parallel tables indexed
 * by enum mf_doctype.
 */
#ifndef MF_DOCTYPE_H
#define MF_DOCTYPE_H

#include <stddef.h>

enum mf_doctype {
	MF_DOC_DISCLOSURE,
	MF_DOC_EVAL_RESULT,
	MF_DOC_ASSESSMENT,
	MF_DOC_KEY_EVENT,
	MF_DOC_WITHDRAWAL, /* a signer takes back one of its documents */
	MF_DOC__MAX
};

/* "disclosure", "eval-result", "assessment", "key-event",
 * "withdrawal" */
const char *mf_doctype_name(enum mf_doctype t);
/* "application/vnd.modelfacts.disclosure.v1+json", ... */
const char *mf_doctype_payload_type(enum mf_doctype t);
/* Lookups; -1 when unknown. */
int mf_doctype_from_name(const char *name);
int mf_doctype_from_payload_type(const char *payload_type, size_t len);

#endif
