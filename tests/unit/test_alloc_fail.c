/*
 * Allocation failures (issue 15, "unchecked allocations checked"): every
 * label and format writer is run with jansson's allocator failing at its
 * 1st, 2nd, ... Nth allocation (json_set_alloc_funcs), over the example
 * disclosure and eval results. A writer must then either fail (a negative
 * MF_E* code) or give exactly the output it gives with memory to spare:
 * never crash (ASan in `make test`), never answer 0 with a field silently
 * lost because json_object_set_new was handed a NULL value.
 */
#include "common/buf.h"
#include "common/error.h"
#include "common/json.h"
#include "formats/cyclonedx.h"
#include "formats/eu_ai_act.h"
#include "formats/hf_card.h"
#include "formats/spdx.h"
#include "labels/label.h"
#include "scoring/index.h"
#include "scoring/score.h"
#include "validators/document.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The failing allocator: the fail_at-th allocation (1-based) and every
 * one after it fail; 0: none fails. */
static unsigned long allocs, fail_at;

static void *
counting_malloc(size_t n)
{
	allocs++;
	if (fail_at != 0 && allocs >= fail_at)
		return NULL;
	return malloc(n);
}

static void
plain_free(void *p)
{
	free(p);
}

typedef int (*writer_fn)(struct mf_buf *out, const struct mf_label_input *in);

static const struct {
	const char *name;
	writer_fn fn;
} forms[] = {
    {"label.json", mf_label_json_text},
    {"label.md", mf_label_markdown},
    {"label.html", mf_label_html},
    {"label fragment", mf_label_html_fragment},
    {"cyclonedx", mf_cyclonedx_json},
    {"spdx", mf_spdx_json},
    {"hf card", mf_hf_card_write},
    {"hf eval_results", mf_hf_eval_results_write},
    {"eu ai act", mf_eu_ai_act_write},
};

struct fixture {
	json_t *payload, *evals, *judgements;
	struct mf_score *score;
	struct mf_label_input in;
};

static void
add_eval(json_t *evals, const char *file, const char *assurance)
{
	json_t *result = json_load_file(file, 0, NULL);

	assert_non_null(result);
	assert_int_equal(
	    json_array_append_new(
	        evals, json_pack("{s:s, s:s, s:o, s:s, s:i, s:s}", "assurance",
	                         assurance, "evaluator", "evalco", "result",
	                         result, "accepted_at", "2026-01-02T00:00:00Z",
	                         "log_index", 3, "payload_sha256",
	                         "00000000000000000000000000000000"
	                         "00000000000000000000000000000000")),
	    0);
}

static int
setup(void **state)
{
	static struct fixture f;
	struct mf_error err;

	memset(&f, 0, sizeof(f));
	mf_error_init(&err);
	f.payload = json_load_file("examples/disclosure-open.json", 0, NULL);
	f.evals = json_array();
	if (f.payload == NULL || f.evals == NULL)
		return -1;
	add_eval(f.evals, "examples/eval-result-self-reported.json",
	         "self_reported");
	add_eval(f.evals, "examples/eval-result-third-party.json",
	         "third_party");
	if (mf_score_compute(&f.score, mf_index_modelfacts_v1(), f.payload,
	                     NULL, 0, &err) != 0)
		return -1;
	f.judgements = json_pack(
	    "[{s:s, s:s, s:s, s:s, s:s, s:i, s:n, s:n, s:o}]", "index",
	    "modelfacts-v1", "index_name", "modelfacts v1", "judge", "auto",
	    "judge_name", "modelfacts automatic check", "at",
	    "2026-01-01T00:00:00Z", "log_index", 1, "payload_sha256", "source",
	    "score", mf_score_json(f.score));
	if (f.judgements == NULL)
		return -1;
	f.in.origin = "modelfacts.localhost";
	f.in.public_url = "https://modelfacts.example";
	f.in.version = 1;
	f.in.latest_version = 2;
	f.in.payload_sha256 = "0123456789abcdef0123456789abcdef"
	                      "0123456789abcdef0123456789abcdef";
	f.in.accepted_at = "2026-01-01T00:00:00Z";
	f.in.log_index = 1;
	f.in.disclosure = f.payload;
	f.in.judgements = f.judgements;
	f.in.evals = f.evals;
	mf_error_dispose(&err);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	json_set_alloc_funcs(malloc, free);
	json_decref(f->judgements);
	json_decref(f->evals);
	json_decref(f->payload);
	mf_score_free(f->score);
	return 0;
}

/* Most failure points tried per writer (evenly spread past that). */
#define MAX_TRIES 1500

static void
test_writers_fail_cleanly(void **state)
{
	struct fixture *f = *state;
	unsigned long total, k, step, bad = 0;
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct mf_buf want = MF_BUF_INIT;
		int rc;

		/* Step 1: the output with memory to spare, and how many
		 * jansson allocations it takes. */
		allocs = fail_at = 0;
		json_set_alloc_funcs(counting_malloc, plain_free);
		assert_int_equal(forms[i].fn(&want, &f->in), 0);
		total = allocs;
		assert_true(total > 0);
		step = total / MAX_TRIES + 1;
		/* Step 2: each allocation failing in turn. */
		for (k = 1; k <= total; k += step) {
			struct mf_buf got = MF_BUF_INIT;

			allocs = 0;
			fail_at = k;
			rc = forms[i].fn(&got, &f->in);
			fail_at = 0;
			if (rc == 0 &&
			    (got.len != want.len ||
			     memcmp(got.data, want.data, got.len) != 0)) {
				if (bad++ < 20)
					fprintf(stderr,
					        "%s: allocation %lu of %lu "
					        "failed, yet it answered 0 "
					        "with different output\n",
					        forms[i].name, k, total);
			}
			mf_buf_dispose(&got);
		}
		json_set_alloc_funcs(malloc, free);
		mf_buf_dispose(&want);
	}
	assert_int_equal(bad, 0);
}

/* The score of the example disclosure, as JSON text (normal memory). */
static char *
score_text(const struct mf_score *score)
{
	json_t *j;
	char *text;

	fail_at = 0;
	j = mf_score_json(score);
	text = j != NULL ? json_dumps(j, JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return text;
}

/* The automatic check: mf_score_compute and mf_score_json. */
static void
test_scoring_fails_cleanly(void **state)
{
	struct fixture *f = *state;
	struct mf_score *score = NULL;
	struct mf_error err;
	unsigned long total, k, step, bad = 0;
	char *want, *got;
	json_t *j;
	int rc;

	json_set_alloc_funcs(counting_malloc, plain_free);
	allocs = fail_at = 0;
	mf_error_init(&err);
	assert_int_equal(mf_score_compute(&score, mf_index_modelfacts_v1(),
	                                  f->payload, NULL, 0, &err),
	                 0);
	json_decref(mf_score_json(score));
	total = allocs;
	assert_true(total > 0);
	want = score_text(score);
	assert_non_null(want);
	mf_score_free(score);
	step = total / MAX_TRIES + 1;
	for (k = 1; k <= total; k += step) {
		score = NULL;
		allocs = 0;
		fail_at = k;
		mf_error_dispose(&err);
		rc = mf_score_compute(&score, mf_index_modelfacts_v1(),
		                      f->payload, NULL, 0, &err);
		j = rc == 0 ? mf_score_json(score) : NULL;
		fail_at = 0;
		if (j != NULL) {
			got = json_dumps(j, JSON_SORT_KEYS);
			if (got == NULL || strcmp(got, want) != 0) {
				if (bad++ < 20)
					fprintf(stderr,
					        "score: allocation %lu of %lu "
					        "failed, yet a different score "
					        "came back\n",
					        k, total);
			}
			free(got);
		}
		json_decref(j);
		mf_score_free(score);
	}
	json_set_alloc_funcs(malloc, free);
	free(want);
	mf_error_dispose(&err);
	assert_int_equal(bad, 0);
}

/*
 * The document check never passes a bad document because memory ran out:
 * with any allocation failing it answers MF_E_NOMEM or finds the error.
 */
static void
test_document_check_never_passes_a_bad_document(void **state)
{
	struct fixture *f = *state;
	struct mf_doc_report rep;
	unsigned long total, k, step, bad = 0;
	json_t *doc = json_deep_copy(f->payload);
	int rc;

	/* the example without its required identity */
	assert_non_null(doc);
	assert_int_equal(json_object_del(doc, "identity"), 0);
	json_set_alloc_funcs(counting_malloc, plain_free);
	allocs = fail_at = 0;
	assert_int_equal(mf_document_check(doc, MF_DOC_DISCLOSURE, &rep), 0);
	assert_false(mf_doc_report_ok(&rep));
	mf_doc_report_dispose(&rep);
	total = allocs;
	fprintf(stderr, "document check: %lu allocations\n", total);
	assert_true(total > 0);
	step = total / MAX_TRIES + 1;
	for (k = 1; k <= total; k += step) {
		allocs = 0;
		fail_at = k;
		rc = mf_document_check(doc, MF_DOC_DISCLOSURE, &rep);
		fail_at = 0;
		if (rc == 0 && mf_doc_report_ok(&rep) && bad++ < 20)
			fprintf(stderr,
			        "document check: allocation %lu of %lu failed, "
			        "yet the bad document passed\n",
			        k, total);
		mf_doc_report_dispose(&rep);
	}
	json_set_alloc_funcs(malloc, free);
	json_decref(doc);
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_writers_fail_cleanly),
	    cmocka_unit_test(test_scoring_fails_cleanly),
	    cmocka_unit_test(test_document_check_never_passes_a_bad_document),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
