/* Unit tests for validators/document: type detection, every example
 * valid, every invalid fixture rejected at its expected pointer
 * (tests/fixtures/documents/expected.json), the report's JSON and error
 * forms, and concurrent use. */
#include "common/embedded.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "validators/document.h"

#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FIXTURES "tests/fixtures/documents"

static struct mf_document_options opt;

static json_t *
load_file(const char *path)
{
	json_error_t je;
	json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	if (v == NULL)
		fail_msg("%s: %s (line %d)", path, je.text, je.line);
	return v;
}

static void
dump(const char *what, const struct mf_doc_report *r)
{
	size_t i;

	printf("%s:\n", what);
	for (i = 0; i < r->n_errors; i++)
		printf("  error '%s' [%s] %s\n", r->errors[i].pointer,
		       r->errors[i].code, r->errors[i].message);
	for (i = 0; i < r->n_warnings; i++)
		printf("  warning '%s' [%s] %s\n", r->warnings[i].pointer,
		       r->warnings[i].code, r->warnings[i].message);
}

static int
setup(void **state)
{
	int64_t us;

	(void)state;
	/* A fixed clock, after every example's issued_at. */
	assert_int_equal(mf_time_parse_rfc3339("2026-12-01T00:00:00Z", &us), 0);
	opt.now_ms = us / 1000;
	return 0;
}

static void
test_examples_valid(void **state)
{
	static const struct {
		const char *prefix;
		int type;
	} kinds[] = {
	    {"disclosure", MF_DOC_DISCLOSURE},
	    {"eval-result", MF_DOC_EVAL_RESULT},
	    {"assessment", MF_DOC_ASSESSMENT},
	    {"key-event", MF_DOC_KEY_EVENT},
	    {"withdrawal", MF_DOC_WITHDRAWAL},
	};
	struct dirent *de;
	DIR *d = opendir("examples");
	size_t n = 0, k, per_type[MF_DOC__MAX] = {0};
	char path[512];

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct mf_doc_report rep;
		json_t *doc;
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "examples/%s", de->d_name);
		doc = load_file(path);
		assert_int_equal(
		    mf_document_check_with(doc, MF_DOC_ANY, &opt, &rep), 0);
		if (!mf_doc_report_ok(&rep)) {
			dump(path, &rep);
			fail_msg("%s should be valid", path);
		}
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (strncmp(de->d_name, kinds[k].prefix,
			            strlen(kinds[k].prefix)) == 0)
				break;
		assert_true(k < sizeof(kinds) / sizeof(kinds[0]));
		assert_int_equal(rep.type, kinds[k].type);
		per_type[rep.type]++;
		/* Checking as the right type gives the same verdict. */
		mf_doc_report_dispose(&rep);
		assert_int_equal(
		    mf_document_check_with(doc, kinds[k].type, &opt, &rep), 0);
		assert_true(mf_doc_report_ok(&rep));
		mf_doc_report_dispose(&rep);
		json_decref(doc);
		n++;
	}
	closedir(d);
	assert_true(per_type[MF_DOC_DISCLOSURE] >= 3);
	for (k = 0; k < MF_DOC__MAX; k++)
		assert_true(per_type[k] >= 1);
	assert_true(n >= 7);
}

/* Open example: clean; sparse example: warns about unexplained
 * withholding, yet is valid. */
static void
test_example_warnings(void **state)
{
	struct mf_doc_report rep;
	json_t *doc;
	size_t i, unexplained = 0;

	(void)state;
	doc = load_file("examples/disclosure-open.json");
	assert_int_equal(
	    mf_document_check_with(doc, MF_DOC_DISCLOSURE, &opt, &rep), 0);
	assert_int_equal(rep.n_errors + rep.n_warnings, 0);
	mf_doc_report_dispose(&rep);
	json_decref(doc);

	doc = load_file("examples/disclosure-sparse.json");
	assert_int_equal(
	    mf_document_check_with(doc, MF_DOC_DISCLOSURE, &opt, &rep), 0);
	assert_true(mf_doc_report_ok(&rep));
	for (i = 0; i < rep.n_warnings; i++)
		unexplained +=
		    strcmp(rep.warnings[i].code, "unexplained_status") == 0;
	assert_true(unexplained >= 3);
	{
		json_t *j = mf_doc_report_json(&rep);

		assert_non_null(j);
		json_decref(j);
	}
	mf_doc_report_dispose(&rep);
	json_decref(doc);
}

/*
 * An error at want or below it (a schema may report a closed object's
 * unknown member at the object or at the member) whose code is code, or
 * any code when code is NULL.
 */
static bool
error_at(const struct mf_doc_report *rep, const char *want, const char *code)
{
	size_t i, n = strlen(want);

	for (i = 0; i < rep->n_errors; i++) {
		const char *p = rep->errors[i].pointer;

		if ((strcmp(p, want) == 0 ||
		     (n > 0 && strncmp(p, want, n) == 0 && p[n] == '/')) &&
		    (code == NULL || strcmp(rep->errors[i].code, code) == 0))
			return true;
	}
	return false;
}

/* The semantic rules alone, as the full check runs them. */
static bool
semantic_error_at(const json_t *doc, const char *ptr, const char *code)
{
	struct mf_semantic_options sopt = {opt.now_ms};
	struct mf_doc_report rep;
	const char *type = mf_json_str(doc, "type");
	bool found;

	mf_doc_report_init(&rep);
	assert_int_equal(
	    mf_semantic_check(doc, mf_doctype_from_name(type), &sopt, &rep), 0);
	found = code != NULL ? error_at(&rep, ptr, code) : rep.n_errors > 0;
	mf_doc_report_dispose(&rep);
	return found;
}

static void
test_invalid_fixtures(void **state)
{
	json_t *list = load_file(FIXTURES "/expected.json"), *fx;
	size_t i, semantic = 0, schema_only = 0;
	char path[512];

	(void)state;
	/* The schema half of this test needs the validator compiled in. */
	assert_true(mf_document_schema_enabled());
	assert_true(json_array_size(list) >= 30);
	json_array_foreach(list, i, fx)
	{
		const char *file = mf_json_str(fx, "file");
		const char *ptr = mf_json_str(fx, "pointer");
		const char *code = mf_json_str(fx, "code");
		const char *by = mf_json_str(fx, "by");
		struct mf_doc_report rep;
		bool found;
		json_t *doc;

		assert_non_null(file);
		assert_non_null(ptr);
		assert_non_null(code);
		assert_non_null(by);
		snprintf(path, sizeof(path), FIXTURES "/%s", file);
		doc = load_file(path);
		assert_int_equal(
		    mf_document_check_with(doc, MF_DOC_ANY, &opt, &rep), 0);
		if (strcmp(by, "semantic") == 0) {
			found = error_at(&rep, ptr, code);
			semantic++;
		} else if (strcmp(by, "both") == 0) {
			/* The schema's error stands in for the semantic one
			 * at the same place; the rules alone still see it. */
			found = (error_at(&rep, ptr, code) ||
			         error_at(&rep, ptr, "schema")) &&
			        semantic_error_at(doc, ptr, code);
			semantic++;
		} else {
			/* Only the schema can see this defect: the rules
			 * alone must not invent one. */
			found = error_at(&rep, ptr, "schema") &&
			        !semantic_error_at(doc, ptr, NULL);
			schema_only++;
		}
		if (!found) {
			dump(path, &rep);
			fail_msg("%s: expected %s error at '%s' (%s)", file,
			         code, ptr, by);
		}
		/* One defect, one error: no noise from anyOf branches. */
		if (rep.n_errors != 1) {
			dump(path, &rep);
			fail_msg("%s: %zu errors for one defect", file,
			         rep.n_errors);
		}
		mf_doc_report_dispose(&rep);
		json_decref(doc);
	}
	assert_true(semantic >= 20);
	assert_true(schema_only >= 5);
	json_decref(list);
}

static void
test_type_detection(void **state)
{
	struct mf_doc_report rep;
	json_t *doc = load_file("examples/disclosure-sparse.json");
	json_t *arr = json_array();

	(void)state;
	/* Payload type and "type" disagree: checked as what it must be. */
	assert_int_equal(
	    mf_document_check_with(doc, MF_DOC_EVAL_RESULT, &opt, &rep), 0);
	assert_int_equal(rep.type, MF_DOC_EVAL_RESULT);
	assert_non_null(mf_doc_report_error_at(&rep, "/type"));
	mf_doc_report_dispose(&rep);

	json_object_del(doc, "type");
	assert_int_equal(mf_document_check_with(doc, MF_DOC_ANY, &opt, &rep),
	                 0);
	assert_int_equal(rep.type, MF_DOC_ANY);
	assert_string_equal(mf_doc_report_error_at(&rep, "/type")->code,
	                    "type");
	mf_doc_report_dispose(&rep);

	assert_int_equal(
	    mf_document_check_with(doc, MF_DOC_DISCLOSURE, &opt, &rep), 0);
	assert_int_equal(rep.type, MF_DOC_DISCLOSURE);
	assert_false(mf_doc_report_ok(&rep));
	mf_doc_report_dispose(&rep);

	assert_int_equal(mf_document_check(arr, MF_DOC_ANY, &rep), 0);
	assert_non_null(mf_doc_report_error_at(&rep, ""));
	mf_doc_report_dispose(&rep);
	json_decref(arr);
	json_decref(doc);
}

static void
test_report_forms(void **state)
{
	struct mf_doc_report rep;
	struct mf_error err;
	json_t *doc = load_file(FIXTURES "/disclosure-training-dates.json");
	json_t *j, *e, *body;

	(void)state;
	assert_int_equal(
	    mf_document_check_with(doc, MF_DOC_DISCLOSURE, &opt, &rep), 0);
	j = mf_doc_report_json(&rep);
	assert_non_null(j);
	assert_string_equal(mf_json_str(j, "type"), "disclosure");
	assert_true(json_is_false(json_object_get(j, "valid")));
	e = json_array_get(json_object_get(j, "errors"), 0);
	assert_string_equal(mf_json_str(e, "pointer"), "/training/end_date");
	assert_string_equal(mf_json_str(e, "code"), "date_order");
	assert_non_null(mf_json_str(e, "message"));
	assert_true(json_is_array(json_object_get(j, "warnings")));
	json_decref(j);

	mf_error_init(&err);
	assert_int_equal(mf_doc_report_to_error(&rep, &err), MF_E_VALIDATION);
	assert_int_equal(err.code, MF_E_VALIDATION);
	assert_string_equal(err.pointer, "/training/end_date");
	body = mf_error_json(&err);
	e = json_array_get(
	    json_object_get(json_object_get(body, "error"), "details"), 0);
	assert_string_equal(mf_json_str(e, "pointer"), "/training/end_date");
	assert_string_equal(mf_json_str(e, "code"), "date_order");
	assert_string_equal(mf_json_str(json_object_get(body, "error"), "code"),
	                    "validation_failed");
	json_decref(body);
	mf_error_dispose(&err);
	mf_doc_report_dispose(&rep);
	json_decref(doc);

	/* A valid report leaves the error alone. */
	doc = load_file("examples/assessment.json");
	assert_int_equal(mf_document_check_with(doc, MF_DOC_ANY, &opt, &rep),
	                 0);
	mf_error_init(&err);
	assert_int_equal(mf_doc_report_to_error(&rep, &err), 0);
	assert_int_equal(err.code, 0);
	mf_doc_report_dispose(&rep);
	json_decref(doc);
}

static void
test_schema_table(void **state)
{
	int t;

	(void)state;
	for (t = 0; t < MF_DOC__MAX; t++) {
		const struct mf_embedded *e =
		    mf_embedded_get(mf_document_schema_path(t));
		struct mf_error err;
		json_t *s;

		assert_non_null(e);
		mf_error_init(&err);
		s = mf_json_parse((const char *)e->data, e->len, "schema", NULL,
		                  &err);
		assert_non_null(s);
		assert_string_equal(mf_json_str(s, "$id"),
		                    mf_document_schema_id(t));
		/* The type's const in the schema is the type's name. */
		assert_string_equal(
		    mf_json_str(json_object_get(
		                    json_object_get(s, "properties"), "type"),
		                "const"),
		    mf_doctype_name(t));
		json_decref(s);
	}
	assert_null(mf_document_schema_path(MF_DOC__MAX));
}

static void *
check_many(void *arg)
{
	json_t *doc = arg;
	struct mf_doc_report rep;
	intptr_t bad = 0;
	int i;

	for (i = 0; i < 50; i++) {
		if (mf_document_check_with(doc, MF_DOC_DISCLOSURE, &opt,
		                           &rep) != 0 ||
		    !mf_doc_report_ok(&rep))
			bad++;
		mf_doc_report_dispose(&rep);
	}
	return (void *)bad;
}

static void
test_threads(void **state)
{
	json_t *doc = load_file("examples/disclosure-api.json");
	pthread_t t[4];
	void *bad;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, check_many, doc),
		                 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_examples_valid),
	    cmocka_unit_test(test_example_warnings),
	    cmocka_unit_test(test_invalid_fixtures),
	    cmocka_unit_test(test_type_detection),
	    cmocka_unit_test(test_report_forms),
	    cmocka_unit_test(test_schema_table),
	    cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
