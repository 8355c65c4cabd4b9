/*
 * libFuzzer target for the label renderers (labels/) and the ecosystem
 * writers (formats/): a disclosure that passes the registry's document
 * check, scored by the automatic check, with the example eval results
 * (read from examples/ at start when there), rendered as label.json,
 * label.md, label.html and its fragment, CycloneDX, SPDX, the Hugging
 * Face card and eval_results.yaml, and the EU AI Act documentation.
 * Input: the disclosure JSON (seeded with examples/disclosure-*.json).
 *
 * Invariants: every form renders; every output is UTF-8 without NUL;
 * the JSON ones parse back; no HTML output has a "<script" tag (the page
 * has no scripts, so one could only come from the input).
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
#include "tests/fuzz/fuzz_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

typedef int (*writer_fn)(struct mf_buf *out, const struct mf_label_input *in);

static const struct {
	const char *name;
	writer_fn fn;
	int json; /* the output is JSON */
	int html; /* the output is HTML */
} forms[] = {
    {"label.json", mf_label_json_text, 1, 0},
    {"label.md", mf_label_markdown, 0, 0},
    {"label.html", mf_label_html, 0, 1},
    {"label fragment", mf_label_html_fragment, 0, 1},
    {"cyclonedx", mf_cyclonedx_json, 1, 0},
    {"spdx", mf_spdx_json, 1, 0},
    {"hf card", mf_hf_card_write, 0, 0},
    {"hf eval_results", mf_hf_eval_results_write, 0, 0},
    {"eu ai act", mf_eu_ai_act_write, 0, 0},
};

static json_t *evals; /* the example eval results, as the label has them */

/* Adds examples/<file> (when readable) to evals. */
static void
add_eval(const char *file, const char *assurance)
{
	json_error_t jerr;
	json_t *result = json_load_file(file, 0, &jerr);

	if (result == NULL)
		return;
	json_array_append_new(
	    evals,
	    json_pack("{s:s, s:s, s:o, s:s, s:i, s:s}", "assurance", assurance,
	              "evaluator", "evalco", "result", result, "accepted_at",
	              "2026-01-02T00:00:00Z", "log_index", 3, "payload_sha256",
	              "00000000000000000000000000000000"
	              "00000000000000000000000000000000"));
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	evals = json_array();
	add_eval("examples/eval-result-self-reported.json", "self_reported");
	add_eval("examples/eval-result-third-party.json", "third_party");
	return 0;
}

static void
check_output(const struct mf_buf *b, int json, int html, const char *name)
{
	struct mf_error err;
	json_t *back;

	MF_FUZZ_CHECK(mf_fuzz_utf8_ok(b->data, b->len), name);
	if (html)
		MF_FUZZ_CHECK(!mf_fuzz_contains_ci(b->data, b->len, "<script"),
		              "no <script in HTML");
	if (json) {
		mf_error_init(&err);
		back = mf_json_parse(b->data, b->len, name, "", &err);
		MF_FUZZ_CHECK(back != NULL, "JSON output parses back");
		json_decref(back);
		mf_error_dispose(&err);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mf_label_input in;
	struct mf_doc_report rep;
	struct mf_score *score = NULL;
	struct mf_error err;
	json_t *payload = NULL, *judgements = NULL, *tree = NULL;
	int checked = 0;
	size_t i;

	mf_error_init(&err);
	payload = mf_json_parse((const char *)data, size, "payload", "", &err);
	if (payload == NULL)
		goto done;
	/* 1. Only what the registry would accept is ever rendered. */
	checked = 1;
	if (mf_document_check(payload, MF_DOC_DISCLOSURE, &rep) != 0 ||
	    !mf_doc_report_ok(&rep))
		goto done;
	if (mf_score_compute(&score, mf_index_modelfacts_v1(), payload, NULL, 0,
	                     &err) != 0)
		goto done;
	/* 2. The automatic check as the one judgement, as the server
	 * gives it (publish/label_data.c). */
	judgements = json_pack(
	    "[{s:s, s:s, s:s, s:s, s:s, s:i, s:n, s:n, s:o}]", "index",
	    "modelfacts-v1", "index_name", "modelfacts v1", "judge", "auto",
	    "judge_name", "modelfacts automatic check", "at",
	    "2026-01-01T00:00:00Z", "log_index", 1, "payload_sha256", "source",
	    "score", mf_score_json(score));
	memset(&in, 0, sizeof(in));
	in.origin = "modelfacts.localhost";
	in.public_url = "https://modelfacts.example";
	in.version = 1;
	in.latest_version = 2;
	in.payload_sha256 = "0123456789abcdef0123456789abcdef"
	                    "0123456789abcdef0123456789abcdef";
	in.accepted_at = "2026-01-01T00:00:00Z";
	in.log_index = 1;
	in.disclosure = payload;
	in.judgements = judgements;
	in.evals = evals;
	/* 3. Every form. */
	MF_FUZZ_CHECK(mf_label_json(&tree, &in) == 0, "label.json tree");
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct mf_buf b = MF_BUF_INIT;

		MF_FUZZ_CHECK(forms[i].fn(&b, &in) == 0, forms[i].name);
		check_output(&b, forms[i].json, forms[i].html, forms[i].name);
		mf_buf_dispose(&b);
	}
done:
	if (checked)
		mf_doc_report_dispose(&rep);
	json_decref(tree);
	json_decref(judgements);
	mf_score_free(score);
	json_decref(payload);
	mf_error_dispose(&err);
	return 0;
}
