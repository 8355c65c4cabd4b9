/* Unit tests for importers/evals_* (lm-eval, Inspect, HELM, the ZIP
 * reader, the JSON writer) and envelope/intoto: every fixture in
 * tests/fixtures/evals maps to payloads that pass the eval-result schema
 * and carry the harness's own figures; bad input fails with the file and
 * the JSON pointer; damaged archives and malformed Statements are
 * refused. */
#include "common/file.h"
#include "common/json.h"
#include "envelope/intoto.h"
#include "importers/evals_import.h"
#include "importers/evals_zip.h"
#include "validators/document.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FIX    "tests/fixtures/evals/"
#define LMEVAL FIX "lm-eval-results_2025-01-21T00-40-03.356274.json"
#define HEX64  "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"

static char *
slurp(const char *path, size_t *len)
{
	struct mf_error err;
	char *data = NULL;

	mf_error_init(&err);
	if (mf_file_read(&data, len, path, 64u << 20, &err) != 0)
		fail_msg("%s: %s", path, err.message);
	mf_error_dispose(&err);
	return data;
}

static void
options(struct mf_evals_options *o)
{
	memset(o, 0, sizeof(*o));
	o->registry = "modelfacts.localhost";
	o->org = "acme";
	o->model = "acme-7b";
	o->issued_at = "2026-01-01T00:00:00Z";
	o->seq = 7;
}

/* Imports, expecting success; checks every payload against the schema. */
static json_t *
import_ok(enum mf_evals_format fmt, struct mf_evals_input *in,
          struct mf_evals_options *o)
{
	struct mf_error err;
	json_t *out = json_array(), *p;
	size_t i;

	mf_error_init(&err);
	if (mf_evals_import(out, fmt, in, o, &err) != 0)
		fail_msg("%s: %s (%s)", in->name, err.message, err.pointer);
	json_array_foreach(out, i, p)
	{
		struct mf_doc_report rep;

		assert_int_equal(mf_document_check(p, MF_DOC_EVAL_RESULT, &rep),
		                 0);
		if (!mf_doc_report_ok(&rep))
			fail_msg("%s #%zu: %s at %s", in->name, i,
			         rep.errors[0].message, rep.errors[0].pointer);
		mf_doc_report_dispose(&rep);
	}
	mf_error_dispose(&err);
	return out;
}

static void
import_fail(const char *name, const char *text, enum mf_evals_format fmt,
            int code, const char *pointer)
{
	struct mf_evals_options o;
	struct mf_evals_input in = {
	    name, (const uint8_t *)text, strlen(text), NULL, NULL, 0};
	struct mf_error err;
	json_t *out = json_array();

	options(&o);
	mf_error_init(&err);
	assert_int_equal(mf_evals_import(out, fmt, &in, &o, &err), code);
	assert_string_equal(err.pointer, pointer);
	if (strstr(err.message, name) == NULL)
		fail_msg("message '%s' does not name %s", err.message, name);
	mf_error_dispose(&err);
	json_decref(out);
}

static double
num(json_t *p, const char *ptr)
{
	json_t *v = mf_json_pointer_get(p, ptr);

	if (!json_is_number(v))
		fail_msg("no number at %s", ptr);
	return json_number_value(v);
}

static const char *
str(json_t *p, const char *ptr)
{
	json_t *v = mf_json_pointer_get(p, ptr);

	if (!json_is_string(v))
		fail_msg("no string at %s", ptr);
	return json_string_value(v);
}

static void
test_lm_eval(void **state)
{
	struct mf_evals_options o;
	struct mf_evals_input in;
	struct mf_error err;
	size_t len;
	char *data = slurp(LMEVAL, &len);
	json_t *out, *p;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.name = LMEVAL;
	in.data = (const uint8_t *)data;
	in.len = len;
	mf_error_init(&err);
	assert_int_equal(mf_evals_detect(&in, &err), MF_EVALS_LM_EVAL);
	options(&o);
	o.model_version = "1.0";
	out = import_ok(MF_EVALS_AUTO, &in, &o);
	assert_int_equal(json_array_size(out), 1);
	assert_int_equal(o.seq, 8);
	p = json_array_get(out, 0);
	assert_true(num(p, "/value") == 0.34);
	assert_true(num(p, "/uncertainty/stderr") == 0.047609522856952344);
	assert_string_equal(str(p, "/metric/name"), "acc");
	assert_string_equal(str(p, "/metric/scale"), "fraction");
	assert_string_equal(str(p, "/benchmark/id"), "mmlu_abstract_algebra");
	assert_string_equal(str(p, "/harness/version"), "git e16afa2f");
	assert_string_equal(str(p, "/split"), "test");
	assert_string_equal(str(p, "/model_version"), "1.0");
	assert_string_equal(str(p, "/assurance"), "self_reported");
	assert_int_equal((int)num(p, "/samples"), 100);
	assert_int_equal((int)num(p, "/seq"), 7);
	assert_string_equal(str(p, "/evaluated_on"), "2025-01-21");
	json_decref(out);
	mf_error_dispose(&err);
	free(data);
}

static void
test_lm_eval_filters_and_revision(void **state)
{
	/* a generative task: filters, a pinned dataset revision,
	 * lm_eval_version, lower-is-better from the file */
	static const char text[] =
	    "{\"results\": {\"gsm8k\": {\"alias\": \"gsm8k\","
	    " \"exact_match,strict-match\": 0.25,"
	    " \"exact_match_stderr,strict-match\": \"N/A\","
	    " \"exact_match,flexible-extract\": 0.5,"
	    " \"word_perplexity,none\": 12.5}},"
	    " \"configs\": {\"gsm8k\": {\"dataset_path\": \"gsm8k\","
	    " \"dataset_name\": \"main\", \"revision\": \"e53f048\","
	    " \"test_split\": \"test\", \"generation_kwargs\":"
	    " {\"temperature\": 0.0, \"max_gen_toks\": 256}}},"
	    " \"higher_is_better\": {\"gsm8k\": {\"exact_match\": true}},"
	    " \"versions\": {\"gsm8k\": 3}, \"n-shot\": {\"gsm8k\": 5},"
	    " \"lm_eval_version\": \"0.4.5\"}";
	struct mf_evals_options o;
	struct mf_evals_input in = {"results_x.json",
	                            (const uint8_t *)text,
	                            sizeof(text) - 1,
	                            NULL,
	                            NULL,
	                            0};
	json_t *out, *p;

	(void)state;
	options(&o);
	o.third_party = true;
	out = import_ok(MF_EVALS_LM_EVAL, &in, &o);
	assert_int_equal(json_array_size(out), 3);
	p = json_array_get(out, 0);
	assert_string_equal(str(p, "/metric/name"), "exact_match/strict-match");
	assert_null(json_object_get(p, "uncertainty")); /* "N/A" */
	assert_string_equal(str(p, "/benchmark/revision"), "e53f048");
	assert_string_equal(str(p, "/harness/version"), "0.4.5");
	assert_string_equal(str(p, "/assurance"), "third_party");
	assert_int_equal((int)num(p, "/prompting/shots"), 5);
	assert_int_equal((int)num(p, "/prompting/max_tokens"), 256);
	assert_string_equal(str(p, "/config"), "gsm8k/main, task version 3");
	/* no Hub owner/name: no URL made up */
	assert_null(mf_json_pointer_get(p, "/benchmark/url"));
	p = json_array_get(out, 2);
	assert_string_equal(str(p, "/metric/name"), "word_perplexity");
	assert_true(
	    json_is_true(mf_json_pointer_get(p, "/metric/lower_is_better")));
	assert_string_equal(str(p, "/metric/scale"), "non_negative");
	json_decref(out);
}

static void
test_lm_eval_errors(void **state)
{
	(void)state;
	import_fail("results_a.json", "{\"versions\": {}}", MF_EVALS_LM_EVAL,
	            MF_E_VALIDATION, "/results");
	import_fail("results_b.json",
	            "{\"results\": {\"a/b\": 1}, \"versions\": {}}",
	            MF_EVALS_AUTO, MF_E_VALIDATION, "/results/a~1b");
	import_fail("results_c.json",
	            "{\"results\": {\"t\": {\"alias\": \"t\"}}, "
	            "\"configs\": {}}",
	            MF_EVALS_AUTO, MF_E_VALIDATION, "/results");
	import_fail("card.md", "---\nlicense: mit\n---\n", MF_EVALS_AUTO,
	            MF_E_BAD_JSON, "");
	import_fail("other.json", "{\"a\": 1}", MF_EVALS_AUTO, MF_E_VALIDATION,
	            "");
}

static void
inspect_file(const char *path)
{
	struct mf_evals_options o;
	struct mf_evals_input in;
	struct mf_error err;
	size_t len;
	char *data = slurp(path, &len);
	json_t *out, *p;

	memset(&in, 0, sizeof(in));
	in.name = path;
	in.data = (const uint8_t *)data;
	in.len = len;
	mf_error_init(&err);
	assert_int_equal(mf_evals_detect(&in, &err), MF_EVALS_INSPECT);
	options(&o);
	out = import_ok(MF_EVALS_AUTO, &in, &o);
	assert_int_equal(json_array_size(out), 1);
	p = json_array_get(out, 0);
	assert_true(num(p, "/value") == 0.0);
	assert_string_equal(str(p, "/metric/name"), "accuracy");
	assert_string_equal(str(p, "/task"), "popularity");
	assert_string_equal(str(p, "/harness/name"), "inspect_ai");
	assert_string_equal(str(p, "/harness/version"),
	                    "0.3.41.dev123+g9ad2119a.d20241015");
	assert_string_equal(str(p, "/benchmark/revision"), "git 02526f4c");
	assert_string_equal(str(p, "/evaluated_on"), "2024-10-15");
	json_decref(out);
	mf_error_dispose(&err);
	free(data);
}

static void
test_inspect(void **state)
{
	(void)state;
	inspect_file(FIX "inspect-log_formats.eval");
	inspect_file(FIX "inspect-log_formats.json");
	import_fail("log.json",
	            "{\"eval\": {\"task\": \"t\"}, \"status\": \"error\", "
	            "\"results\": {\"scores\": []}}",
	            MF_EVALS_AUTO, MF_E_VALIDATION, "/status");
	import_fail("log.json",
	            "{\"eval\": {\"task\": \"t\"}, \"results\": "
	            "{\"scores\": [{\"name\": \"m\"}]}}",
	            MF_EVALS_AUTO, MF_E_VALIDATION,
	            "/results/scores/0/metrics");
	import_fail("log.json", "{\"eval\": {}, \"results\": {}}",
	            MF_EVALS_INSPECT, MF_E_VALIDATION, "/eval/task");
}

static void
test_zip_bounds_and_damage(void **state)
{
	struct mf_error err;
	size_t len, n;
	char *data = slurp(FIX "inspect-log_formats.eval", &len);
	uint8_t *m = NULL, *copy;

	(void)state;
	mf_error_init(&err);
	assert_int_equal(mf_zip_member(&m, &n, (uint8_t *)data, len,
	                               "header.json", 1u << 20, "x", &err),
	                 0);
	assert_true(n > 100 && m[n] == '\0' && m[0] == '{');
	free(m);
	mf_error_dispose(&err);
	/* bounded */
	assert_int_equal(mf_zip_member(&m, &n, (uint8_t *)data, len,
	                               "header.json", 100, "x", &err),
	                 MF_E_TOO_LARGE);
	mf_error_dispose(&err);
	assert_int_equal(mf_zip_member(&m, &n, (uint8_t *)data, len, "nope",
	                               1u << 20, "x", &err),
	                 MF_E_NOT_FOUND);
	mf_error_dispose(&err);
	/* truncated: no central directory */
	assert_int_equal(mf_zip_member(&m, &n, (uint8_t *)data, len / 2,
	                               "header.json", 1u << 20, "x", &err),
	                 MF_E_BAD_REQUEST);
	mf_error_dispose(&err);
	/* every single flipped byte: refused or read whole, never a crash */
	copy = malloc(len);
	for (size_t i = 0; i < len; i++) {
		memcpy(copy, data, len);
		copy[i] ^= 0x5a;
		if (mf_zip_member(&m, &n, copy, len, "header.json", 1u << 20,
		                  "x", &err) == 0)
			free(m);
		mf_error_dispose(&err);
	}
	free(copy);
	free(data);
}

static void
test_helm(void **state)
{
	struct mf_evals_options o;
	struct mf_evals_input in;
	size_t len, slen;
	char *spec = slurp(FIX "helm-mmlu-anatomy/run_spec.json", &len);
	char *stats = slurp(FIX "helm-mmlu-anatomy/stats.json", &slen);
	json_t *out, *p;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.name = "run_spec.json";
	in.data = (const uint8_t *)spec;
	in.len = len;
	in.stats_name = "stats.json";
	in.stats = (const uint8_t *)stats;
	in.stats_len = slen;
	options(&o);
	out = import_ok(MF_EVALS_AUTO, &in, &o);
	/* exact_match and quasi_exact_match on test; not the valid split,
	 * the perturbed one, token counts or timings */
	assert_int_equal(json_array_size(out), 2);
	p = json_array_get(out, 0);
	assert_string_equal(str(p, "/metric/name"), "exact_match");
	assert_true(num(p, "/value") == 0.3);
	assert_string_equal(str(p, "/split"), "test");
	assert_int_equal((int)num(p, "/samples"), 10);
	assert_true(fabs(num(p, "/uncertainty/stderr") - sqrt(0.21 / 10)) <
	            1e-15);
	assert_string_equal(str(p, "/benchmark/id"), "mmlu");
	assert_int_equal((int)num(p, "/prompting/shots"), 5);
	assert_null(mf_json_pointer_get(p, "/harness/version"));
	json_decref(out);
	/* without stats.json: a clear refusal */
	in.stats = NULL;
	{
		struct mf_error err;
		json_t *o2 = json_array();

		mf_error_init(&err);
		assert_int_equal(
		    mf_evals_import(o2, MF_EVALS_HELM, &in, &o, &err),
		    MF_E_VALIDATION);
		assert_non_null(strstr(err.message, "stats.json"));
		mf_error_dispose(&err);
		json_decref(o2);
	}
	free(spec);
	free(stats);
}

static void
test_dump_shortest_reals(void **state)
{
	struct mf_buf b = MF_BUF_INIT;
	json_t *v = json_pack("{s:f, s:f, s:f, s:f, s:I}", "a", 0.34, "b",
	                      0.047609522856952344, "c", 72.2, "d", 1.0, "e",
	                      (json_int_t)3);
	json_t *back;

	(void)state;
	assert_int_equal(mf_evals_dump(&b, v), 0);
	assert_non_null(strstr(b.data, "\"a\": 0.34,"));
	assert_non_null(strstr(b.data, "\"c\": 72.2,"));
	assert_non_null(strstr(b.data, "\"d\": 1.0,"));
	back = json_loadb(b.data, b.len, 0, NULL);
	assert_true(json_equal(v, back));
	json_decref(back);
	json_decref(v);
	mf_buf_dispose(&b);
}

static json_t *
statement(void)
{
	return json_pack(
	    "{s:s, s:[{s:s, s:{s:s}}], s:s, s:{s:{s:s, s:s, s:s}}}", "_type",
	    MF_INTOTO_STATEMENT_TYPE, "subject", "name", "acme/acme-7b",
	    "digest", "sha256", HEX64, "predicateType",
	    MF_INTOTO_PREDICATE_EVAL, "predicate", "subject", "org", "acme",
	    "model", "acme-7b", "disclosure", "sha256:" HEX64);
}

static void
unwrap_fails(json_t *st, int code, const char *pointer)
{
	struct mf_error err;
	json_t *pred;

	mf_error_init(&err);
	assert_int_equal(mf_intoto_unwrap(&pred, st, &err), code);
	assert_null(pred);
	assert_string_equal(err.pointer, pointer);
	mf_error_dispose(&err);
	json_decref(st);
}

static void
test_intoto_unwrap(void **state)
{
	struct mf_error err;
	json_t *st = statement(), *pred;

	(void)state;
	mf_error_init(&err);
	assert_int_equal(mf_intoto_unwrap(&pred, st, &err), 0);
	assert_ptr_equal(pred, json_object_get(st, "predicate"));
	json_decref(st);

	st = statement();
	json_object_set_new(st, "_type", json_string("https://x"));
	unwrap_fails(st, MF_E_VALIDATION, "/_type");
	st = statement();
	json_object_set_new(st, "predicateType", json_string("https://x"));
	unwrap_fails(st, MF_E_PREDICATE_TYPE, "/predicateType");
	st = statement();
	json_object_del(st, "predicate");
	unwrap_fails(st, MF_E_VALIDATION, "/predicate");
	st = statement();
	json_object_set_new(st, "subject", json_array());
	unwrap_fails(st, MF_E_VALIDATION, "/subject");
	st = statement();
	json_object_set_new(json_array_get(json_object_get(st, "subject"), 0),
	                    "name", json_string("acme/other"));
	unwrap_fails(st, MF_E_VALIDATION, "/subject/0/name");
	st = statement();
	json_object_set_new(
	    json_object_get(json_array_get(json_object_get(st, "subject"), 0),
	                    "digest"),
	    "sha256", json_string("00"));
	unwrap_fails(st, MF_E_VALIDATION, "/subject/0/digest/sha256");
	st = statement();
	json_object_del(
	    json_object_get(json_object_get(st, "predicate"), "subject"),
	    "disclosure");
	unwrap_fails(st, MF_E_VALIDATION, "/predicate/subject/disclosure");
	mf_error_dispose(&err);
}

static void
test_intoto_predicate_span(void **state)
{
	/* the key escaped, strings holding braces and quotes before it */
	static const char text[] =
	    " { \"a\" : \"}{\\\"\" , \"b\": [1, {\"predicate\": 2}],"
	    " \"pred\\u0069cate\" :  {\"x\": \"]\\\\\", \"y\": [true]} ,"
	    " \"z\": null }";
	struct mf_error err;
	size_t off, len;

	(void)state;
	mf_error_init(&err);
	assert_int_equal(
	    mf_intoto_predicate_span(text, sizeof(text) - 1, &off, &len, &err),
	    0);
	assert_int_equal(len, strlen("{\"x\": \"]\\\\\", \"y\": [true]}"));
	assert_memory_equal(text + off, "{\"x\": \"]\\\\\", \"y\": [true]}",
	                    len);
	assert_int_equal(
	    mf_intoto_predicate_span("{\"a\": 1}", 8, &off, &len, &err),
	    MF_E_BAD_JSON);
	mf_error_dispose(&err);
}

static void
test_intoto_wrap(void **state)
{
	struct mf_error err;
	json_t *st = statement(), *pred, *w;

	(void)state;
	mf_error_init(&err);
	pred = json_object_get(st, "predicate");
	w = mf_intoto_wrap(pred, &err);
	assert_non_null(w);
	assert_true(json_equal(w, st));
	json_decref(w);
	json_object_del(json_object_get(pred, "subject"), "disclosure");
	assert_null(mf_intoto_wrap(pred, &err));
	assert_string_equal(err.pointer, "/predicate/subject/disclosure");
	mf_error_dispose(&err);
	json_decref(st);
}

/*
 * A run date past year 9999 (or not a time at all) gives no
 * evaluated_on: before, strftime did not fit "%Y-%m-%d" into the 11
 * bytes, left them unterminated, and the importer read past them
 * (stack-buffer-overflow found by tests/fuzz/fuzz_evals.c).
 */
static void
test_lm_eval_date_out_of_range(void **state)
{
	static const char *const dates[] = {"1e12", "1e300", "-5",
	                                    "1737419939.5"};
	struct mf_evals_options o;
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		struct mf_evals_input in;
		json_t *out;
		const char *on;

		snprintf(text, sizeof(text),
		         "{\"results\": {\"arc\": {\"acc,none\": 0.5}},"
		         " \"configs\": {\"arc\": {\"dataset_path\": \"arc\"}},"
		         " \"versions\": {\"arc\": 1}, \"date\": %s}",
		         dates[i]);
		memset(&in, 0, sizeof(in));
		in.name = "results_d.json";
		in.data = (const uint8_t *)text;
		in.len = strlen(text);
		options(&o);
		out = import_ok(MF_EVALS_LM_EVAL, &in, &o);
		on = json_string_value(
		    json_object_get(json_array_get(out, 0), "evaluated_on"));
		if (i < 3)
			assert_null(on);
		else
			assert_string_equal(on, "2025-01-21");
		json_decref(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lm_eval),
	    cmocka_unit_test(test_lm_eval_filters_and_revision),
	    cmocka_unit_test(test_lm_eval_errors),
	    cmocka_unit_test(test_lm_eval_date_out_of_range),
	    cmocka_unit_test(test_inspect),
	    cmocka_unit_test(test_zip_bounds_and_damage),
	    cmocka_unit_test(test_helm),
	    cmocka_unit_test(test_dump_shortest_reals),
	    cmocka_unit_test(test_intoto_unwrap),
	    cmocka_unit_test(test_intoto_predicate_span),
	    cmocka_unit_test(test_intoto_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
