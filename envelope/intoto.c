/*
 * in-toto Statement v1 around an eval result (see intoto.h): the checks
 * the registry makes before it treats the predicate as an eval-result
 * payload, the byte span of the predicate in the signed text, and the
 * wrapping the CLI does.
 */
#include "envelope/intoto.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>

#define DIGEST_PREFIX "sha256:"

/* The subject a predicate names: "org/model" and the disclosure's hex. */
static int
predicate_subject(char *name, size_t name_size, const char **hex,
                  const json_t *predicate, struct mf_error *err)
{
	const json_t *subj = json_object_get(predicate, "subject");
	const char *org = mf_json_str(subj, "org");
	const char *model = mf_json_str(subj, "model");
	const char *disclosure = mf_json_str(subj, "disclosure");

	if (org == NULL || model == NULL)
		return mf_error_set(err, MF_E_VALIDATION, "/predicate/subject",
		                    "the predicate names its subject: org and "
		                    "model");
	if (disclosure == NULL ||
	    strncmp(disclosure, DIGEST_PREFIX, strlen(DIGEST_PREFIX)) != 0)
		return mf_error_set(
		    err, MF_E_VALIDATION, "/predicate/subject/disclosure",
		    "an in-toto Statement's subject is a digest: "
		    "the predicate must pin the disclosure it "
		    "concerns (sha256:<hex>)");
	snprintf(name, name_size, "%s/%s", org, model);
	*hex = disclosure + strlen(DIGEST_PREFIX);
	return 0;
}

int
mf_intoto_unwrap(json_t **out, const json_t *statement, struct mf_error *err)
{
	const json_t *subjects, *s0, *digest, *predicate;
	const char *t, *ptype, *name, *sha, *hex = NULL;
	char want[512];
	int rc;

	*out = NULL;
	/* 1. The Statement's own shape. */
	if (!json_is_object(statement))
		return mf_error_set(err, MF_E_VALIDATION, "",
		                    "an in-toto Statement is a JSON object");
	t = mf_json_str(statement, "_type");
	if (t == NULL || strcmp(t, MF_INTOTO_STATEMENT_TYPE) != 0)
		return mf_error_set(err, MF_E_VALIDATION, "/_type",
		                    "_type must be %s",
		                    MF_INTOTO_STATEMENT_TYPE);
	ptype = mf_json_str(statement, "predicateType");
	if (ptype == NULL)
		return mf_error_set(err, MF_E_VALIDATION, "/predicateType",
		                    "predicateType is required");
	if (strcmp(ptype, MF_INTOTO_PREDICATE_EVAL) != 0)
		return mf_error_set(err, MF_E_PREDICATE_TYPE, "/predicateType",
		                    "this registry accepts in-toto Statements "
		                    "whose predicateType is %s",
		                    MF_INTOTO_PREDICATE_EVAL);
	predicate = json_object_get(statement, "predicate");
	if (!json_is_object(predicate))
		return mf_error_set(err, MF_E_VALIDATION, "/predicate",
		                    "predicate must be an eval-result document "
		                    "(an object)");

	/* 2. One subject, with a name and a SHA-256 digest. */
	subjects = json_object_get(statement, "subject");
	if (!json_is_array(subjects) || json_array_size(subjects) != 1)
		return mf_error_set(
		    err, MF_E_VALIDATION, "/subject",
		    "subject must list exactly one artifact: the "
		    "disclosure the result concerns");
	s0 = json_array_get(subjects, 0);
	name = mf_json_str(s0, "name");
	if (name == NULL)
		return mf_error_set(err, MF_E_VALIDATION, "/subject/0/name",
		                    "the subject needs a name (org/model)");
	digest = json_object_get(s0, "digest");
	sha = mf_json_str(digest, "sha256");
	if (sha == NULL)
		return mf_error_set(err, MF_E_VALIDATION,
		                    "/subject/0/digest/sha256",
		                    "the subject needs a sha256 digest");

	/* 3. It agrees with the predicate's subject. */
	if ((rc = predicate_subject(want, sizeof(want), &hex, predicate,
	                            err)) != 0)
		return rc;
	if (strcmp(name, want) != 0)
		return mf_error_set(err, MF_E_VALIDATION, "/subject/0/name",
		                    "the Statement's subject '%s' is not the "
		                    "predicate's subject '%s'",
		                    name, want);
	if (strcmp(sha, hex) != 0)
		return mf_error_set(err, MF_E_VALIDATION,
		                    "/subject/0/digest/sha256",
		                    "the Statement's subject digest is not the "
		                    "disclosure the predicate names (%s%s)",
		                    DIGEST_PREFIX, hex);
	*out = (json_t *)predicate;
	return 0;
}

/* Index just past the JSON string starting at text[i] ('"'), or 0. */
static size_t
skip_string(const char *text, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (text[i] == '\\')
			i++;
		else if (text[i] == '"')
			return i + 1;
	}
	return 0;
}

static size_t
skip_ws(const char *text, size_t n, size_t i)
{
	while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
	                 text[i] == '\r'))
		i++;
	return i;
}

/* Index just past the JSON value starting at text[i], or 0. */
static size_t
skip_value(const char *text, size_t n, size_t i)
{
	size_t depth = 0;

	if (i >= n)
		return 0;
	if (text[i] == '"')
		return skip_string(text, n, i);
	if (text[i] != '{' && text[i] != '[') {
		while (i < n && strchr(",}] \t\r\n", text[i]) == NULL)
			i++;
		return i;
	}
	for (; i < n; i++) {
		if (text[i] == '"') {
			if ((i = skip_string(text, n, i)) == 0)
				return 0;
			i--;
		} else if (text[i] == '{' || text[i] == '[') {
			depth++;
		} else if (text[i] == '}' || text[i] == ']') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

int
mf_intoto_predicate_span(const char *text, size_t n, size_t *off, size_t *len,
                         struct mf_error *err)
{
	size_t i = skip_ws(text, n, 0), k, end;
	json_t *key;
	int is_pred;

	if (i >= n || text[i] != '{')
		goto missing;
	for (i = skip_ws(text, n, i + 1); i < n && text[i] == '"';) {
		/* the key, decoded: escapes in it are legal JSON */
		if ((k = skip_string(text, n, i)) == 0)
			goto missing;
		key = json_loadb(text + i, k - i, JSON_DECODE_ANY, NULL);
		is_pred = json_is_string(key) &&
		          strcmp(json_string_value(key), "predicate") == 0;
		json_decref(key);
		i = skip_ws(text, n, k);
		if (i >= n || text[i] != ':')
			goto missing;
		i = skip_ws(text, n, i + 1);
		if ((end = skip_value(text, n, i)) == 0)
			goto missing;
		if (is_pred) {
			*off = i;
			*len = end - i;
			return 0;
		}
		i = skip_ws(text, n, end);
		if (i < n && text[i] == ',')
			i = skip_ws(text, n, i + 1);
	}
missing:
	return mf_error_set(err, MF_E_BAD_JSON, "/predicate",
	                    "no predicate member in the Statement");
}

json_t *
mf_intoto_wrap(const json_t *payload, struct mf_error *err)
{
	char name[512];
	const char *hex = NULL;
	json_t *predicate = (json_t *)payload, *st;

	/* predicate_subject reports pointers under /predicate */
	if (predicate_subject(name, sizeof(name), &hex, predicate, err) != 0)
		return NULL;
	st = json_pack("{s:s, s:[{s:s, s:{s:s}}], s:s, s:O}", "_type",
	               MF_INTOTO_STATEMENT_TYPE, "subject", "name", name,
	               "digest", "sha256", hex, "predicateType",
	               MF_INTOTO_PREDICATE_EVAL, "predicate", predicate);
	if (st == NULL)
		mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	return st;
}

static void
prefix_one(char *pointer, size_t size, const char *prefix)
{
	char tmp[MF_ERROR_POINTER_MAX];

	snprintf(tmp, sizeof(tmp), "%s%s", prefix, pointer);
	snprintf(pointer, size, "%s", tmp);
}

void
mf_intoto_error_under(struct mf_error *err, const char *prefix)
{
	size_t i;
	json_t *d;
	char p[MF_ERROR_POINTER_MAX];

	if (err == NULL || err->code == 0)
		return;
	prefix_one(err->pointer, sizeof(err->pointer), prefix);
	json_array_foreach(err->details, i, d)
	{
		const char *old = mf_json_str(d, "pointer");

		if (old == NULL)
			continue;
		snprintf(p, sizeof(p), "%s%s", prefix, old);
		json_object_set_new(d, "pointer", json_string(p));
	}
}
