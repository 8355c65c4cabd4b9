/*
 * The judgements publish/label_data.c assembles (DESIGN.md §2), against a
 * fresh migrated database whose log entries are inserted with SQL: the
 * automatic check and two assessors side by side, none overriding
 * another; supersession by the same assessor; an assessment after the
 * version in the live judgements but not in the version's immutable
 * label; assessments pinned to another version left out; and an
 * assessment-only model (no disclosure, version 0).
 */
#include "common/error.h"
#include "common/json.h"
#include "publish/label_data.h"
#include "scoring/index.h"
#include "scoring/score.h"
#include "tests/unit/support/pg.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char *disclosure; /* examples/disclosure-sparse.json */

/* A two-indicator index the registry holds, graded by "fmti". */
static const char tiny[] =
    "{\"id\": \"tiny\", \"name\": \"Tiny index\", \"version\": \"1\","
    " \"domains\": [{\"id\": \"up\", \"name\": \"Up\", \"subdomains\":"
    "  [{\"id\": \"data\", \"name\": \"Data\"}]}],"
    " \"indicators\": ["
    "  {\"id\": \"a\", \"domain\": \"up\", \"subdomain\": \"data\","
    "   \"name\": \"A\", \"definition\": \"d\"},"
    "  {\"id\": \"b\", \"domain\": \"up\", \"subdomain\": \"data\","
    "   \"name\": \"B\", \"definition\": \"d\"}]}";

/* ---- helpers ------------------------------------------------------- */

static void
sql_do(const char *fmt, ...)
{
	static char text[65536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	assert_int_equal(mf_test_pg_sql(NULL, "%s", text), 0);
}

/* One sequenced submission at log index idx, accepted idx minutes after
 * 09:00 on a fixed day. */
static void
add_submission(int idx, const char *kind, const char *signer, const char *model,
               const char *payload)
{
	sql_do("INSERT INTO models (org, model) VALUES ('acme', '%s')"
	       " ON CONFLICT DO NOTHING;\n"
	       "INSERT INTO submissions (kind, org, keyid, seq, subject_org,"
	       " subject_model, payload_type, payload_sha256, envelope_sha256,"
	       " envelope, payload, issued_at, accepted_at, signer_keyids,"
	       " log_index, leaf) VALUES ('%s', '%s', 'k-%s', %d, 'acme',"
	       " '%s', 'application/vnd.modelfacts.test+json',"
	       " sha256(convert_to('payload %d', 'UTF8')),"
	       " sha256(convert_to('envelope %d', 'UTF8')),"
	       " convert_to('{}', 'UTF8'), $p$%s$p$, '2026-07-21T08:00:00Z',"
	       " timestamptz '2026-07-21T09:00:00Z' + %d * interval '1 min',"
	       " ARRAY['k-%s'], %d, 'leaf');\n",
	       model, kind, signer, signer, idx + 1, model, idx, idx, payload,
	       idx, signer, idx);
}

static void
add_version(int idx, const char *model, int version)
{
	add_submission(idx, "disclosure", "acme", model, disclosure);
	sql_do("INSERT INTO versions (org, model, version, submission_id,"
	       " payload_sha256) SELECT 'acme', '%s', %d, id, payload_sha256"
	       " FROM submissions WHERE log_index = %d;\n"
	       "UPDATE models SET head_version = %d WHERE model = '%s';\n",
	       model, version, idx, version, model);
}

/* An assessment by signer of model against index_id, pinned to version
 * (0: to none); grades is the "scores" object's text. */
static void
add_assessment(int idx, const char *signer, const char *model, int version,
               const char *index_id, const char *grades, const char *source)
{
	char payload[4096], v[16];

	snprintf(payload, sizeof(payload),
	         "{\"type\": \"assessment\", \"index\": \"%s\","
	         " \"scores\": %s%s%s}",
	         index_id, grades, source ? ", \"transcribed_from\": " : "",
	         source ? source : "");
	snprintf(v, sizeof(v), "%d", version);
	add_submission(idx, "assessment", signer, model, payload);
	sql_do("INSERT INTO assessments (submission_id, org, model, version,"
	       " assessor, index_id, scores, total) SELECT id, 'acme', '%s',"
	       " %s, '%s', '%s', '{}', 0 FROM submissions"
	       " WHERE log_index = %d;\n",
	       model, version > 0 ? v : "NULL", signer, index_id, idx);
}

/* "judge/index@log_index" of each judgement, space-separated. */
static void
expect_judges(const struct mf_label_data *d, const char *want)
{
	char got[1024] = "";
	size_t i, len = 0;

	for (i = 0; i < json_array_size(d->in.judgements); i++) {
		const json_t *j = json_array_get(d->in.judgements, i);

		len += (size_t)snprintf(
		    got + len, sizeof(got) - len, "%s%s/%s@%lld", i ? " " : "",
		    mf_json_str(j, "judge"), mf_json_str(j, "index"),
		    (long long)json_integer_value(
		        json_object_get(j, "log_index")));
	}
	if (strcmp(got, want) != 0)
		fail_msg("judgements '%s', want '%s'", got, want);
}

static const json_t *
judgement(const struct mf_label_data *d, size_t i)
{
	const json_t *j = json_array_get(d->in.judgements, i);

	assert_non_null(j);
	return j;
}

/* The result of indicator id in a judgement's score. */
static const char *
result_of(const json_t *j, const char *id)
{
	const json_t *inds =
	    json_object_get(json_object_get(j, "score"), "indicators");
	size_t i;

	for (i = 0; i < json_array_size(inds); i++)
		if (strcmp(mf_json_str(json_array_get(inds, i), "id"), id) == 0)
			return mf_json_str(json_array_get(inds, i), "result");
	fail_msg("no indicator %s", id);
	return NULL;
}

static long long
score_of(const json_t *j, const char *member)
{
	return json_integer_value(
	    json_object_get(json_object_get(j, "score"), member));
}

static int
load(struct mf_label_data *d, const char *model, int version, int64_t as_of)
{
	struct mf_error err;
	int rc;

	mf_error_init(&err);
	rc = mf_label_data_load(d, "acme", model, version, as_of,
	                        "registry.test", NULL, &err);
	mf_error_dispose(&err);
	return rc;
}

/* ---- fixture ------------------------------------------------------- */

/*
 * The log:
 *  0 alpha v1          4 alpha v2
 *  1 watch v1 (met)    5 fmti tiny, pinned to v2
 *  2 fmti tiny, about  6 fmti tiny, about beta (no disclosure)
 *    the model         7 watch, an index the registry lacks, about beta
 *  3 watch v1 again (not met): supersedes 1
 */
static int
group_setup(void **state)
{
	FILE *f;
	long n;

	(void)state;
	if (mf_test_pg_setup("mf_unit_label_data") != 0)
		return 0; /* each test skips */
	if ((f = fopen("examples/disclosure-sparse.json", "r")) == NULL ||
	    fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (disclosure = calloc(1, (size_t)n + 1)) == NULL ||
	    fread(disclosure, 1, (size_t)n, f) != (size_t)n)
		return -1;
	fclose(f);
	sql_do("INSERT INTO orgs (org, name, role) VALUES"
	       " ('acme', 'Acme', 'developer'),"
	       " ('watch', 'Watchdog Labs', 'assessor'),"
	       " ('fmti', 'FMTI assessors', 'assessor');\n"
	       "INSERT INTO indices (index_id, name, document) VALUES"
	       " ('tiny', 'Tiny index', $j$%s$j$);\n",
	       tiny);
	add_version(0, "alpha", 1);
	add_assessment(1, "watch", "alpha", 1, "modelfacts-v1",
	               "{\"data-size\": {\"score\": 1, \"justification\":"
	               " \"Stated.\", \"references\": [\"https://r.test/1\"]}}",
	               "\"https://watch.test/report\"");
	add_assessment(2, "fmti", "alpha", 0, "tiny",
	               "{\"a\": {\"score\": 1}, \"b\": {\"score\": 0}}",
	               "{\"dataset\": \"fmti\", \"edition\": \"2025\"}");
	add_assessment(3, "watch", "alpha", 1, "modelfacts-v1",
	               "{\"data-size\": {\"score\": 0, \"justification\":"
	               " \"No unit after all.\"}}",
	               NULL);
	add_version(4, "alpha", 2);
	add_assessment(5, "fmti", "alpha", 2, "tiny",
	               "{\"a\": {\"score\": 1}, \"b\": {\"score\": 1}}", NULL);
	add_assessment(6, "fmti", "beta", 0, "tiny", "{\"b\": {\"score\": 1}}",
	               NULL);
	add_assessment(7, "watch", "beta", 0, "unknown-index",
	               "{\"x\": {\"score\": 1}}", NULL);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	free(disclosure);
	return 0;
}

/* ---- the tests ----------------------------------------------------- */

/* Now: both assessors first, newest first, then the automatic check;
 * each scored alone. */
static void
test_auto_and_two_assessors_side_by_side(void **state)
{
	struct mf_label_data d;
	struct mf_score *s = NULL;
	struct mf_error err;
	const json_t *w, *f, *a;
	json_t *alone;

	(void)state;
	mf_test_pg_require();
	assert_int_equal(load(&d, "alpha", 1, -1), 0);
	assert_int_equal(d.in.version, 1);
	assert_int_equal(d.in.assessment_only, 0);
	assert_ptr_equal(d.in.judgements, d.judgements);
	expect_judges(&d, "watch/modelfacts-v1@3 fmti/tiny@2 "
	                  "auto/modelfacts-v1@0");
	w = judgement(&d, 0);
	f = judgement(&d, 1);
	a = judgement(&d, 2);
	/* who, when, what */
	assert_string_equal(mf_json_str(w, "judge_name"), "Watchdog Labs");
	assert_string_equal(mf_json_str(w, "at"), "2026-07-21T09:03:00Z");
	assert_int_equal(strlen(mf_json_str(w, "payload_sha256")), 64);
	assert_string_equal(mf_json_str(f, "index_name"), "Tiny index");
	assert_string_equal(mf_json_str(a, "judge_name"),
	                    "modelfacts automatic check");
	assert_string_equal(mf_json_str(a, "at"), "2026-07-21T09:00:00Z");
	assert_true(json_is_null(json_object_get(a, "payload_sha256")));
	/* source: the payload's transcribed_from, else null */
	assert_string_equal(
	    mf_json_str(json_object_get(f, "source"), "edition"), "2025");
	assert_true(json_is_null(json_object_get(a, "source")));
	/* the watchdog graded one indicator: the rest is unassessed */
	assert_string_equal(result_of(w, "data-size"), "not_met");
	assert_string_equal(result_of(w, "data-sources"), "unassessed");
	assert_int_equal(score_of(w, "score"), 0);
	assert_int_equal(
	    score_of(w, "unassessed"),
	    (long long)mf_index_indicator_count(mf_index_modelfacts_v1()) - 1);
	/* fmti: its own grades, a met and b not */
	assert_int_equal(score_of(f, "score"), 1);
	assert_int_equal(score_of(f, "max"), 2);
	/* the automatic check: exactly the rules over the disclosure */
	mf_error_init(&err);
	assert_int_equal(mf_score_compute(&s, mf_index_modelfacts_v1(),
	                                  d.disclosure, NULL, 0, &err),
	                 0);
	alone = mf_score_json(s);
	assert_true(json_equal(alone, json_object_get(a, "score")));
	assert_string_equal(
	    json_string_value(json_array_get(
	        json_object_get(json_object_get(a, "score"), "judged_by"), 0)),
	    MF_SCORE_JUDGE_REGISTRY);
	json_decref(alone);
	mf_score_free(s);
	mf_error_dispose(&err);
	mf_label_data_dispose(&d);
}

/* A later assessment by the same judge supersedes the earlier one; as
 * of a position between them, the earlier one stands. */
static void
test_the_same_assessor_supersedes_itself(void **state)
{
	struct mf_label_data d;
	const json_t *w;

	(void)state;
	mf_test_pg_require();
	assert_int_equal(load(&d, "alpha", 1, 1), 0);
	expect_judges(&d, "watch/modelfacts-v1@1 auto/modelfacts-v1@0");
	w = judgement(&d, 0);
	assert_string_equal(result_of(w, "data-size"), "met");
	assert_int_equal(score_of(w, "score"), 1);
	assert_string_equal(
	    mf_json_str(
	        json_array_get(
	            json_object_get(json_object_get(w, "score"), "indicators"),
	            0),
	        "justification"),
	    "Stated.");
	/* a URL string is not a provenance object */
	assert_true(json_is_null(json_object_get(w, "source")));
	mf_label_data_dispose(&d);
}

/* The version's own label: as of its position, before any assessment. */
static void
test_later_assessments_are_not_in_the_immutable_label(void **state)
{
	struct mf_label_data d;

	(void)state;
	mf_test_pg_require();
	assert_int_equal(load(&d, "alpha", 1, MF_LABEL_AS_OF_VERSION), 0);
	assert_int_equal(d.in.log_index, 0);
	expect_judges(&d, "auto/modelfacts-v1@0");
	mf_label_data_dispose(&d);
	/* version 2: as of itself (4), the model-wide fmti grade (2) and
	 * nothing pinned to version 1 */
	assert_int_equal(load(&d, "alpha", 2, MF_LABEL_AS_OF_VERSION), 0);
	expect_judges(&d, "fmti/tiny@2 auto/modelfacts-v1@4");
	mf_label_data_dispose(&d);
}

/* Assessments pinned to another version are not this one's; one pinned
 * to this version supersedes the same judge's model-wide one. */
static void
test_pinned_assessments_stay_with_their_version(void **state)
{
	struct mf_label_data d;

	(void)state;
	mf_test_pg_require();
	assert_int_equal(load(&d, "alpha", 0, -1), 0);
	assert_int_equal(d.in.version, 2);
	expect_judges(&d, "fmti/tiny@5 auto/modelfacts-v1@4");
	assert_int_equal(score_of(judgement(&d, 0), "score"), 2);
	mf_label_data_dispose(&d);
}

/* A model nobody disclosed: version 0, no disclosure, its judgements
 * (of the indices the registry knows); before its first assessment, and
 * as a numbered version, it does not exist. */
static void
test_an_assessment_only_model(void **state)
{
	struct mf_label_data d;

	(void)state;
	mf_test_pg_require();
	assert_int_equal(load(&d, "beta", 0, -1), 0);
	assert_int_equal(d.in.assessment_only, 1);
	assert_int_equal(d.in.version, 0);
	assert_int_equal(d.in.latest_version, 0);
	assert_null(d.in.disclosure);
	assert_null(d.in.payload_sha256);
	assert_int_equal(d.in.log_index, -1);
	assert_string_equal(d.in.org, "acme");
	assert_string_equal(d.in.model, "beta");
	assert_true(json_is_array(d.in.evals));
	expect_judges(&d, "fmti/tiny@6");
	assert_string_equal(result_of(judgement(&d, 0), "a"), "unassessed");
	assert_string_equal(result_of(judgement(&d, 0), "b"), "met");
	mf_label_data_dispose(&d);
	assert_int_equal(load(&d, "beta", 0, 5), MF_E_NOT_FOUND);
	assert_int_equal(load(&d, "beta", 1, -1), MF_E_NOT_FOUND);
	assert_int_equal(load(&d, "gamma", 0, -1), MF_E_NOT_FOUND);
	/* a model with a disclosure is never assessment-only */
	assert_int_equal(load(&d, "alpha", 1, -1), 0);
	assert_int_equal(d.in.assessment_only, 0);
	mf_label_data_dispose(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_auto_and_two_assessors_side_by_side),
	    cmocka_unit_test(test_the_same_assessor_supersedes_itself),
	    cmocka_unit_test(
	        test_later_assessments_are_not_in_the_immutable_label),
	    cmocka_unit_test(test_pinned_assessments_stay_with_their_version),
	    cmocka_unit_test(test_an_assessment_only_model),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
