/*
 * Document checks (see document.h): type detection, JSON Schema
 * validation against the embedded schemas, semantic rules, and ids that
 * must exist in the modelfacts-v1 index.
 */
#include "validators/document.h"

#include "common/json.h"
#include "scoring/index.h"

#include <stdio.h>
#include <string.h>

static const char *const schema_paths[MF_DOC__MAX] = {
    [MF_DOC_DISCLOSURE] = "schema/disclosure.v1.json",
    [MF_DOC_EVAL_RESULT] = "schema/eval-result.v1.json",
    [MF_DOC_ASSESSMENT] = "schema/assessment.v1.json",
    [MF_DOC_KEY_EVENT] = "schema/key-event.v1.json",
};

static const char *const schema_ids[MF_DOC__MAX] = {
    [MF_DOC_DISCLOSURE] = "https://modelfacts.dev/schema/disclosure.v1.json",
    [MF_DOC_EVAL_RESULT] = "https://modelfacts.dev/schema/eval-result.v1.json",
    [MF_DOC_ASSESSMENT] = "https://modelfacts.dev/schema/assessment.v1.json",
    [MF_DOC_KEY_EVENT] = "https://modelfacts.dev/schema/key-event.v1.json",
};

const char *
mf_document_schema_path(enum mf_doctype type)
{
	return type < MF_DOC__MAX ? schema_paths[type] : NULL;
}

const char *
mf_document_schema_id(enum mf_doctype type)
{
	return type < MF_DOC__MAX ? schema_ids[type] : NULL;
}

bool
mf_document_schema_enabled(void)
{
	return false;
}

/*
 * JSON Schema validation. The seam for the validator module: until it is
 * on main, only the semantic rules run.
 */
static int
schema_check(enum mf_doctype type, const json_t *payload,
             struct mf_doc_report *rep)
{
	(void)type;
	(void)payload;
	(void)rep;
	return 0;
}

/* Writes the pointer /a/b[/c] with RFC 6901 escaping into out. */
static void
pointer_of(char *out, size_t n, const char *a, const char *b, const char *c)
{
	struct mf_buf buf = MF_BUF_INIT;

	if (mf_json_pointer_push(&buf, a) == 0 &&
	    mf_json_pointer_push(&buf, b) == 0 &&
	    (c == NULL || mf_json_pointer_push(&buf, c) == 0))
		snprintf(out, n, "%s", buf.data);
	else
		snprintf(out, n, "/%s", a);
	mf_buf_dispose(&buf);
}

/* Indicator ids graded or answered for modelfacts-v1 must exist in it;
 * other indices are not known here (the registry checks them). */
static int
check_modelfacts_ids(int type, const json_t *payload, struct mf_doc_report *rep)
{
	const struct mf_index *idx = mf_index_modelfacts_v1();
	const json_t *ids = NULL;
	const char *id;
	json_t *v;
	char ptr[256];
	int rc;

	if (idx == NULL)
		return 0;
	if (type == MF_DOC_ASSESSMENT) {
		const char *index = mf_json_str(payload, "index");

		if (index != NULL && strcmp(index, mf_index_id(idx)) == 0)
			ids = json_object_get(payload, "scores");
	} else if (type == MF_DOC_DISCLOSURE) {
		ids = json_object_get(json_object_get(payload, "indices"),
		                      mf_index_id(idx));
	}
	if (!json_is_object(ids))
		return 0;
	json_object_foreach((json_t *)ids, id, v)
	{
		if (mf_index_find(idx, id) >= 0)
			continue;
		if (type == MF_DOC_ASSESSMENT)
			pointer_of(ptr, sizeof(ptr), "scores", id, NULL);
		else
			pointer_of(ptr, sizeof(ptr), "indices",
			           mf_index_id(idx), id);
		rc = mf_doc_report_add(
		    rep, MF_DOC_ERROR, ptr, "unknown_indicator", NULL,
		    "'%s' is not an indicator of %s", id, mf_index_id(idx));
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
mf_document_check_with(const json_t *payload, int expect,
                       const struct mf_document_options *opt,
                       struct mf_doc_report *out)
{
	struct mf_semantic_options sopt;
	struct mf_doc_report sem;
	const char *tname;
	int type, rc;
	size_t i;

	mf_doc_report_init(out);
	mf_doc_report_init(&sem);
	out->type = MF_DOC_ANY;
	if (!json_is_object(payload))
		return mf_doc_report_add(out, MF_DOC_ERROR, "", "type", NULL,
		                         "a payload is a JSON object");
	tname = mf_json_str(payload, "type");
	type = mf_doctype_from_name(tname);
	if (type < 0) {
		rc = mf_doc_report_add(
		    out, MF_DOC_ERROR, "/type", "type", NULL,
		    tname == NULL ? "the payload must name its type: "
		                    "disclosure, eval-result, assessment "
		                    "or key-event"
		                  : "unknown document type '%s'",
		    tname != NULL ? tname : "");
		if (rc != 0 || expect < 0 || expect >= MF_DOC__MAX)
			return rc;
		type = expect; /* check it as what it must be */
	} else if (expect >= 0 && expect != type) {
		rc = mf_doc_report_add(
		    out, MF_DOC_ERROR, "/type", "type", NULL,
		    "type is '%s' but '%s' is expected", tname,
		    mf_doctype_name((enum mf_doctype)expect));
		if (rc != 0)
			return rc;
		type = expect;
	}
	out->type = type;
	if ((rc = schema_check((enum mf_doctype)type, payload, out)) != 0)
		return rc;
	memset(&sopt, 0, sizeof(sopt));
	if (opt != NULL)
		sopt.now_ms = opt->now_ms;
	if ((rc = mf_semantic_check(payload, type, &sopt, &sem)) != 0 ||
	    (rc = check_modelfacts_ids(type, payload, &sem)) != 0)
		goto done;
	/* Where the schema already reported a field, a semantic error about
	 * the same field adds nothing. */
	for (i = 0; i < sem.n_errors && rc == 0; i++) {
		const struct mf_doc_issue *is = &sem.errors[i];

		if (mf_doc_report_error_at(out, is->pointer) != NULL)
			continue;
		rc = mf_doc_report_add(out, MF_DOC_ERROR, is->pointer, is->code,
		                       NULL, "%s", is->message);
	}
	for (i = 0; i < sem.n_warnings && rc == 0; i++)
		rc = mf_doc_report_add(
		    out, MF_DOC_WARNING, sem.warnings[i].pointer,
		    sem.warnings[i].code, NULL, "%s", sem.warnings[i].message);
	out->dropped += sem.dropped;
done:
	mf_doc_report_dispose(&sem);
	return rc;
}

int
mf_document_check(const json_t *payload, int expect, struct mf_doc_report *out)
{
	return mf_document_check_with(payload, expect, NULL, out);
}
