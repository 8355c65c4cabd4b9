/*
 * Document checks (see document.h): type detection, JSON Schema
 * validation against the embedded schemas (with the errors of irrelevant
 * anyOf branches filtered out), semantic rules, and ids that must exist
 * in the modelfacts-v1 index.
 */
#include "validators/document.h"

#include "common/embedded.h"
#include "common/json.h"
#include "common/diag.h"
#include "scoring/index.h"
#include "validators/jsonschema.h"

#include <pthread.h>

#include <stdio.h>
#include <string.h>

static const char *const schema_paths[MF_DOC__MAX] = {
    [MF_DOC_DISCLOSURE] = "schema/disclosure.v1.json",
    [MF_DOC_EVAL_RESULT] = "schema/eval-result.v1.json",
    [MF_DOC_ASSESSMENT] = "schema/assessment.v1.json",
    [MF_DOC_KEY_EVENT] = "schema/key-event.v1.json",
    [MF_DOC_WITHDRAWAL] = "schema/withdrawal.v1.json",
};

static const char *const schema_ids[MF_DOC__MAX] = {
    [MF_DOC_DISCLOSURE] = "https://modelfacts.dev/schema/disclosure.v1.json",
    [MF_DOC_EVAL_RESULT] = "https://modelfacts.dev/schema/eval-result.v1.json",
    [MF_DOC_ASSESSMENT] = "https://modelfacts.dev/schema/assessment.v1.json",
    [MF_DOC_KEY_EVENT] = "https://modelfacts.dev/schema/key-event.v1.json",
    [MF_DOC_WITHDRAWAL] = "https://modelfacts.dev/schema/withdrawal.v1.json",
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

/*
 * The type schemas, compiled once per process from the embedded files
 * (every schema/ document with a $id is registered, so relative $refs
 * resolve without touching the network), then shared read-only.
 */
#define MAX_SCHEMA_DOCS 16

static pthread_once_t schemas_once = PTHREAD_ONCE_INIT;
static struct mf_schema *schemas[MF_DOC__MAX];
static int schemas_rc;
/* The schema documents themselves, kept to explain errors (below). */
static json_t *schema_docs[MAX_SCHEMA_DOCS];
static size_t n_schema_docs;
static const json_t *type_docs[MF_DOC__MAX];

static void
compile_schemas(void)
{
	struct mf_schema_registry *reg = NULL;
	const struct mf_embedded *e;
	struct mf_error err;
	int t, rc;

	mf_error_init(&err);
	if ((rc = mf_schema_registry_new(&reg)) != 0)
		goto done;
	for (e = mf_embedded_files; e->name != NULL; e++) {
		json_t *doc;
		const char *id;

		/* schema/meta/: every registry knows the meta-schemas */
		if (strncmp(e->name, "schema/", 7) != 0 ||
		    strncmp(e->name, "schema/meta/", 12) == 0 ||
		    strcmp(e->name + strlen(e->name) - 5, ".json") != 0)
			continue;
		doc = mf_json_parse((const char *)e->data, e->len, e->name,
		                    NULL, &err);
		if (doc == NULL) {
			rc = err.code;
			goto done;
		}
		id = mf_json_str(doc, "$id");
		if (id == NULL) {
			json_decref(doc); /* an index document, not a schema */
			continue;
		}
		if (n_schema_docs == MAX_SCHEMA_DOCS) {
			json_decref(doc);
			rc =
			    mf_error_set(&err, MF_E_SCHEMA, NULL,
			                 "more than %d schema documents: raise "
			                 "MAX_SCHEMA_DOCS",
			                 MAX_SCHEMA_DOCS);
			goto done;
		}
		schema_docs[n_schema_docs++] = doc;
		for (t = 0; t < MF_DOC__MAX; t++)
			if (strcmp(id, schema_ids[t]) == 0)
				type_docs[t] = doc;
		if ((rc = mf_schema_registry_add(reg, id, doc)) != 0)
			goto done;
	}
	for (t = 0; t < MF_DOC__MAX; t++)
		if ((rc = mf_schema_compile_uri(&schemas[t], reg, schema_ids[t],
		                                MF_SCHEMA_DEFAULT, &err)) != 0)
			goto done;
done:
	if (rc != 0) {
		mf_diag_error("document schemas do not compile: %s",
		              err.message);
		schemas_rc = rc == MF_E_NOMEM ? MF_E_NOMEM : MF_E_SCHEMA;
	}
	mf_schema_registry_free(reg);
	mf_error_dispose(&err);
}

static int
schemas_ready(void)
{
	pthread_once(&schemas_once, compile_schemas);
	return schemas_rc;
}

bool
mf_document_schema_enabled(void)
{
	return schemas_ready() == 0;
}

/*
 * Every field is anyOf [bare value, status wrapper], so a bad field fails
 * both branches and the raw errors say, about a bare value, that it lacks
 * "status". Only the branch that matches the instance's shape (a wrapper
 * has a "status" member) explains the problem; the other branch's errors,
 * and the anyOf's own summary, are dropped. To know which anyOf an error
 * went through, and at which instance location, its keyword location is
 * replayed over the schema documents.
 */

#define MAX_SEGS 96

/* Splits an RFC 6901 pointer into unescaped segments (in buf). */
static size_t
split_pointer(const char *p, char *buf, size_t size, char **segs)
{
	size_t n = 0, o = 0;

	while (*p == '/' && n < MAX_SEGS) {
		segs[n++] = buf + o;
		for (p++; *p && *p != '/' && o + 1 < size; p++) {
			if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
				buf[o++] = p[1] == '0' ? '~' : '/';
				p++;
			} else {
				buf[o++] = *p;
			}
		}
		buf[o++] = '\0';
		if (o >= size)
			break;
	}
	return n;
}

/* Resolves a $ref of the form [file.json]#/pointer against doc. */
static const json_t *
resolve_ref(const json_t **doc, const char *ref)
{
	const char *hash = strchr(ref, '#');
	size_t i, n;

	if (hash == NULL)
		return NULL;
	if (hash != ref) {
		n = (size_t)(hash - ref);
		for (i = 0; i < n_schema_docs; i++) {
			const char *id = mf_json_str(schema_docs[i], "$id");
			size_t l = id != NULL ? strlen(id) : 0;

			if (l >= n && strncmp(id + l - n, ref, n) == 0 &&
			    (l == n || id[l - n - 1] == '/'))
				break;
		}
		if (i == n_schema_docs)
			return NULL;
		*doc = schema_docs[i];
	}
	return mf_json_pointer_get((json_t *)*doc, hash + 1);
}

static bool
is_wrapper_pair(const json_t *any_of)
{
	static const char tail[] = "#/$defs/wrapper";
	const char *ref = mf_json_str(json_array_get(any_of, 1), "$ref");
	size_t n = ref != NULL ? strlen(ref) : 0, t = sizeof(tail) - 1;

	return json_array_size(any_of) == 2 && n >= t &&
	       strcmp(ref + n - t, tail) == 0;
}

/* Whether branch k of an anyOf can explain a failure of inst: of a
 * bare-or-wrapper pair, the one of inst's shape; a {"type": "null"}
 * alternative only for null. */
static bool
relevant(const json_t *any_of, size_t k, const json_t *inst)
{
	const json_t *b = json_array_get(any_of, k);

	if (is_wrapper_pair(any_of))
		return (k == 1) == (json_is_object(inst) &&
		                    json_object_get(inst, "status") != NULL);
	if (json_object_size(b) == 1 &&
	    strcmp(mf_json_str(b, "type") ? mf_json_str(b, "type") : "",
	           "null") == 0)
		return json_is_null(inst);
	return true;
}

/* The instance at the first n segments of a split pointer. */
static const json_t *
instance_at(const json_t *payload, char **segs, size_t n)
{
	size_t j;

	for (j = 0; j < n && payload != NULL; j++)
		payload =
		    json_is_array(payload)
		        ? json_array_get(payload, strtoul(segs[j], NULL, 10))
		        : json_object_get(payload, segs[j]);
	return payload;
}

/*
 * True when the error came through an anyOf branch that cannot explain
 * the failure (see relevant()), or is the summary of an anyOf with only
 * one relevant branch, whose own errors say it better.
 */
static bool
other_branch(const json_t *schema, const json_t *payload,
             const struct mf_validation_error *e)
{
	char kbuf[1024], ibuf[1024], *ks[MAX_SEGS], *is[MAX_SEGS];
	size_t nk = split_pointer(e->keyword_location, kbuf, sizeof(kbuf), ks);
	size_t ni = split_pointer(e->instance_location, ibuf, sizeof(ibuf), is);
	const json_t *doc = schema, *node = schema, *inst, *list;
	size_t i, k, n_rel, used = 0;

	for (i = 0; i < nk && node != NULL; i++) {
		const char *s = ks[i];

		if (strcmp(s, "$ref") == 0) {
			node = resolve_ref(&doc, mf_json_str(node, "$ref"));
		} else if (strcmp(s, "anyOf") == 0) {
			list = json_object_get(node, "anyOf");
			inst = instance_at(payload, is, used < ni ? used : ni);
			if (i + 1 == nk) {
				for (k = n_rel = 0; k < json_array_size(list);
				     k++)
					n_rel += relevant(list, k, inst);
				return n_rel == 1;
			}
			k = strtoul(ks[i + 1], NULL, 10);
			if (!relevant(list, k, inst))
				return true;
			node = json_array_get(list, k);
			i++;
		} else if (strcmp(s, "properties") == 0 ||
		           strcmp(s, "patternProperties") == 0 ||
		           strcmp(s, "prefixItems") == 0) {
			if (i + 1 == nk)
				break;
			node = json_object_get(node, s);
			node = json_is_array(node)
			           ? json_array_get(
			                 node, strtoul(ks[i + 1], NULL, 10))
			           : json_object_get(node, ks[i + 1]);
			used++;
			i++;
		} else if (strcmp(s, "items") == 0 ||
		           strcmp(s, "additionalProperties") == 0 ||
		           strcmp(s, "unevaluatedProperties") == 0 ||
		           strcmp(s, "unevaluatedItems") == 0 ||
		           strcmp(s, "contains") == 0) {
			node = json_object_get(node, s);
			used++;
		} else if (json_is_array(node)) {
			node = json_array_get(node, strtoul(s, NULL, 10));
		} else {
			node = json_object_get(node, s);
		}
	}
	return false;
}

/* JSON Schema validation against the type's compiled schema. */
static int
schema_check(enum mf_doctype type, const json_t *payload,
             struct mf_doc_report *rep)
{
	struct mf_validation v = MF_VALIDATION_INIT;
	size_t i, kept = 0;
	int rc;

	if ((rc = schemas_ready()) != 0)
		return rc;
	rc = mf_schema_validate(schemas[type], payload, &v);
	if (rc < 0)
		goto done;
	rc = 0;
	for (i = 0; i < v.count; i++)
		if (!other_branch(type_docs[type], payload, &v.errors[i]))
			kept++;
	for (i = 0; i < v.count && rc == 0; i++) {
		const struct mf_validation_error *e = &v.errors[i];

		/* Should the filter ever leave nothing, say everything. */
		if (kept > 0 && other_branch(type_docs[type], payload, e))
			continue;
		rc = mf_doc_report_add(rep, MF_DOC_ERROR, e->instance_location,
		                       "schema", e->keyword_location, "%s",
		                       e->message);
	}
	if (v.truncated)
		rep->dropped++;
done:
	mf_validation_dispose(&v);
	return rc;
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
