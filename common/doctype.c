/* Document type names and payload types (see doctype.h). */
#include "common/doctype.h"

#include <string.h>

static const char *const names[MF_DOC__MAX] = {
    [MF_DOC_DISCLOSURE] = "disclosure", [MF_DOC_EVAL_RESULT] = "eval-result",
    [MF_DOC_ASSESSMENT] = "assessment", [MF_DOC_KEY_EVENT] = "key-event",
    [MF_DOC_WITHDRAWAL] = "withdrawal",
};

static const char *const payload_types[MF_DOC__MAX] = {
    [MF_DOC_DISCLOSURE] = "application/vnd.modelfacts.disclosure.v1+json",
    [MF_DOC_EVAL_RESULT] = "application/vnd.modelfacts.eval-result.v1+json",
    [MF_DOC_ASSESSMENT] = "application/vnd.modelfacts.assessment.v1+json",
    [MF_DOC_KEY_EVENT] = "application/vnd.modelfacts.key-event.v1+json",
    [MF_DOC_WITHDRAWAL] = "application/vnd.modelfacts.withdrawal.v1+json",
};

const char *
mf_doctype_name(enum mf_doctype t)
{
	return t < MF_DOC__MAX ? names[t] : "unknown";
}

const char *
mf_doctype_payload_type(enum mf_doctype t)
{
	return t < MF_DOC__MAX ? payload_types[t] : "unknown";
}

int
mf_doctype_from_name(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < MF_DOC__MAX; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

int
mf_doctype_from_payload_type(const char *payload_type, size_t len)
{
	int i;

	for (i = 0; payload_type != NULL && i < MF_DOC__MAX; i++)
		if (strlen(payload_types[i]) == len &&
		    memcmp(payload_types[i], payload_type, len) == 0)
			return i;
	return -1;
}
