/*
 * Hugging Face model cards in and out (importers/hf_card.c,
 * formats/hf_card.c, common/yaml.c): every card in tests/fixtures/hf
 * imports into documents the registry's validator accepts, its report
 * names what was mapped and what was not, and card -> disclosure -> card
 * -> disclosure gives the same disclosure and the same eval results,
 * member by member. Also the YAML reader's scalar rules and its limits.
 */
#include "common/buf.h"
#include "common/yaml.h"
#include "formats/hf_card.h"
#include "importers/hf_card.h"
#include "labels/label.h"
#include "validators/document.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FIX "tests/fixtures/hf/"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static const struct mf_hf_options opts = {
    "acme", "card-model", "modelfacts.localhost", "2026-12-01T00:00:00Z",
    1,      NULL};

/* Imports a card (and optionally the two .eval_results files). */
static void
import(struct mf_hf_import *imp, const char *card, size_t len, bool evals)
{
	struct mf_error err;

	mf_error_init(&err);
	mf_hf_import_init(imp);
	if (mf_hf_card_import(imp, card, len, &opts, &err) != 0)
		fail_msg("import: %s", err.message);
	if (evals) {
		static const char *const files[] = {"gpqa.yaml", "hle.yaml"};
		size_t i, n;

		for (i = 0; i < 2; i++) {
			char path[256], *t;

			snprintf(path, sizeof(path),
			         FIX "with_eval_results/.eval_results/%s",
			         files[i]);
			t = slurp(path, &n);
			if (mf_hf_eval_results_add(imp, files[i], t, n, &err) !=
			    0)
				fail_msg("eval results: %s", err.message);
			free(t);
		}
	}
	mf_error_dispose(&err);
}

static void
assert_valid(const json_t *payload, const char *what)
{
	struct mf_doc_report rep;
	struct mf_document_options o = {0};

	o.now_ms = 1764547200000LL; /* 2025-12-01, near issued_at */
	o.now_ms = 1796083200000LL; /* 2026-12-01 */
	assert_int_equal(mf_document_check_with(payload, -1, &o, &rep), 0);
	if (!mf_doc_report_ok(&rep)) {
		char *s = json_dumps(mf_doc_report_json(&rep), 0);

		fail_msg("%s invalid: %s", what, s);
	}
	mf_doc_report_dispose(&rep);
}

/* The label input the server would build: evals as self-reported. */
static json_t *
evals_of(const struct mf_hf_import *imp)
{
	json_t *a = json_array(), *e;
	size_t i;

	json_array_foreach(imp->evals, i, e) json_array_append_new(
	    a, json_pack("{s:s, s:s, s:O}", "assurance", "self_reported",
	                 "evaluator", "acme", "result", e));
	return a;
}

static void
write_card(struct mf_buf *out, const struct mf_hf_import *imp, json_t *evals)
{
	struct mf_label_input in;

	memset(&in, 0, sizeof(in));
	in.origin = "modelfacts.localhost";
	in.org = "acme";
	in.model = "card-model";
	in.version = 1;
	in.payload_sha256 = "00";
	in.disclosure = imp->disclosure;
	in.evals = evals;
	assert_int_equal(mf_hf_card_write(out, &in), 0);
}

static void
dump_diff(const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)a, k, v)
	{
		if (!json_equal(v, json_object_get(b, k))) {
			char *x = json_dumps(v, JSON_ENCODE_ANY);
			char *y =
			    json_dumps(json_object_get(b, k), JSON_ENCODE_ANY);

			print_message(
			    "member %s:\n  first:  %s\n  second: %s\n", k, x,
			    y ? y : "(absent)");
			free(x);
			free(y);
		}
	}
	json_object_foreach((json_t *)b, k,
	                    v) if (json_object_get(a, k) == NULL)
	    print_message("member %s only in the second\n", k);
}

/* Import, validate, write back, import the written card: same payloads. */
static void
round_trip(const char *path, bool with_evals, size_t want_evals)
{
	struct mf_hf_import a, b;
	struct mf_buf card = MF_BUF_INIT;
	struct mf_error err;
	json_t *evals, *fm = NULL;
	const char *end;
	size_t len, i;
	char *text = slurp(path, &len);

	import(&a, text, len, with_evals);
	assert_int_equal(json_array_size(a.evals), want_evals);
	assert_valid(a.disclosure, "disclosure");
	for (i = 0; i < json_array_size(a.evals); i++)
		assert_valid(json_array_get(a.evals, i), "eval result");
	/* out: a card whose front matter is YAML libyaml reads */
	evals = evals_of(&a);
	mf_buf_init(&card, 1u << 20);
	write_card(&card, &a, evals);
	assert_memory_equal(card.data, "---\n", 4);
	end = strstr(card.data + 4, "\n---\n");
	assert_non_null(end);
	mf_error_init(&err);
	if (mf_yaml_parse(&fm, card.data + 4, (size_t)(end - card.data - 3),
	                  &err) != 0)
		fail_msg("front matter: %s\n%s", err.message, card.data);
	assert_true(json_is_object(fm));
	if (want_evals > 0)
		assert_int_equal(
		    json_array_size(json_object_get(
		        json_array_get(json_object_get(fm, "model-index"), 0),
		        "results")),
		    want_evals);
	/* back in: the same disclosure and the same eval results (the
	 * .eval_results entries come back through model-index) */
	mf_hf_import_init(&b);
	assert_int_equal(
	    mf_hf_card_import(&b, card.data, card.len, &opts, &err), 0);
	if (!json_equal(a.disclosure, b.disclosure)) {
		dump_diff(a.disclosure, b.disclosure);
		fail_msg(
		    "%s: the disclosure changed on the way round; card:\n%s",
		    path, card.data);
	}
	assert_int_equal(json_array_size(b.evals), json_array_size(a.evals));
	for (i = 0; i < json_array_size(a.evals); i++) {
		json_t *x = json_deep_copy(json_array_get(a.evals, i));
		json_t *y = json_array_get(b.evals, i);

		/* what the Hub's model-index has no place for: the
		 * .eval_results' date, framework and notes */
		if (json_object_get(y, "evaluated_on") == NULL)
			json_object_del(x, "evaluated_on");
		if (json_object_get(y, "harness") == NULL)
			json_object_del(x, "harness");
		if (json_object_get(y, "notes") == NULL)
			json_object_del(x, "notes");
		if (!json_equal(x, y)) {
			dump_diff(x, y);
			fail_msg("%s: eval result %zu changed", path, i);
		}
		json_decref(x);
	}
	mf_error_dispose(&err);
	json_decref(fm);
	json_decref(evals);
	mf_buf_dispose(&card);
	mf_hf_import_dispose(&a);
	mf_hf_import_dispose(&b);
	free(text);
}

static void
test_round_trip_minimal(void **state)
{
	(void)state;
	round_trip(FIX "minimal.md", false, 0);
}

static void
test_round_trip_model_index(void **state)
{
	(void)state;
	round_trip(FIX "model_index.md", false, 2);
}

static void
test_round_trip_datasets(void **state)
{
	(void)state;
	round_trip(FIX "several_datasets.md", false, 0);
}

static void
test_round_trip_eval_results(void **state)
{
	(void)state;
	round_trip(FIX "with_eval_results/README.md", true, 2);
}

static void
test_round_trip_unknown(void **state)
{
	(void)state;
	round_trip(FIX "unknown_fields.md", false, 0);
}

/*
 * Every field the importer maps, in one card shaped like the Hub's model
 * card template (written for this test, not a real card): each must come
 * back from the card written out of it.
 */
static const char template_card[] =
    "---\n"
    "license: other\n"
    "license_name: acme-community-license\n"
    "license_link: https://acme.example.org/license\n"
    "base_model: acme/base-7b\n"
    "base_model_relation: adapter\n"
    "language: [en, pt-BR]\n"
    "pipeline_tag: image-text-to-text\n"
    "datasets: [acme/corpus, HuggingFaceFW/fineweb]\n"
    "tags: [vision]\n"
    "model-index:\n"
    "- name: Acme Vision 7B\n"
    "  results:\n"
    "  - task: {type: visual-question-answering}\n"
    "    dataset: {type: lmms-lab/MMMU, name: MMMU, split: validation}\n"
    "    metrics:\n"
    "    - {type: accuracy, value: 41.5}\n"
    "    source: {name: Acme evals, url: https://acme.example.org/evals}\n"
    "---\n"
    "# Model Card for Acme Vision\n\n"
    "<!-- Provide a quick summary of what the model is/does. -->\n\n"
    "A small vision-language model.\n\n"
    "## Model Details\n\n### Model Description\n\n"
    "It answers questions about images.\n\n"
    "- **Developed by:** Acme AI\n"
    "- **Model type:** [More Information Needed]\n"
    "- **Repository:** https://github.com/acme/vision\n\n"
    "## Uses\n\n### Direct Use\n\n"
    "- Answering questions about photos.\n"
    "- Describing charts,\n  in English and Portuguese.\n\n"
    "### Out-of-Scope Use\n\nMedical diagnosis.\n\n"
    "## Bias, Risks, and Limitations\n\n"
    "Reads small text poorly.\n\nCounts objects badly.\n\n"
    "## Training Details\n\n### Training Data\n\n"
    "Licensed image-text pairs.\n\n"
    "### Training Procedure\n\nTwo stages.\n\n"
    "#### Training Hyperparameters\n\n"
    "- **Training regime:** bf16 mixed precision\n\n"
    "## Evaluation\n\nZero-shot on public benchmarks.\n\n"
    "## Environmental Impact\n\n"
    "- **Hardware Type:** NVIDIA A100\n"
    "- **Hours used:** 1200\n"
    "- **Cloud Provider:** Example Cloud\n"
    "- **Compute Region:** eu-west\n"
    "- **Carbon Emitted:** 350 kg CO2eq\n\n"
    "## Citation\n\n```bibtex\n@misc{acme}\n```\n\n"
    "## Model Card Contact\n\nmodels@acme.example.org\n";

static void
test_round_trip_template(void **state)
{
	static const char *const want[] = {
	    "/distribution/license/name",
	    "/distribution/license/url",
	    "/identity/base_models/0",
	    "/identity/base_models/0/relation",
	    "/model/languages/1",
	    "/model/modalities",
	    "/data/sources/1",
	    "/identity/developer",
	    "/identity/documentation",
	    "/uses/intended",
	    "/uses/out_of_scope",
	    "/model/limitations",
	    "/data/characteristics",
	    "/training/design_choices",
	    "/training/hyperparameters",
	    "/evaluations/strategy",
	    "/compute/hardware",
	    "/compute/accelerator_hours",
	    "/compute/provider",
	    "/compute/location",
	    "/compute/emissions",
	    "/downstream/feedback/email",
	    "/identity/name",
	    "/identity/description",
	};
	struct mf_hf_import a, b;
	struct mf_buf card = MF_BUF_INIT;
	struct mf_error err;
	json_t *evals, *d;
	size_t i, j;

	(void)state;
	import(&a, template_card, sizeof(template_card) - 1, false);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const json_t *rows = json_object_get(a.report, "mapped"), *r;
		bool found = false;

		json_array_foreach(rows, j, r) found =
		    found || strcmp(json_string_value(json_object_get(r, "to")),
		                    want[i]) == 0;
		if (!found)
			fail_msg("%s not mapped", want[i]);
	}
	d = a.disclosure;
	assert_valid(d, "template disclosure");
	assert_valid(json_array_get(a.evals, 0), "template eval");
	assert_string_equal(
	    json_string_value(json_array_get(
	        json_object_get(json_object_get(d, "uses"), "intended"), 1)),
	    "Describing charts,\nin English and Portuguese.");
	assert_int_equal(json_array_size(json_object_get(
	                     json_object_get(d, "model"), "limitations")),
	                 2);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_object_get(d, "compute"), "emissions"),
	        "unit")),
	    "kgCO2e");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(json_object_get(d, "identity"),
	                                       "base_models"),
	                       0),
	        "relation")),
	    "adapter_of");
	/* the placeholder and the template's comment are not text */
	assert_null(strstr(json_string_value(json_object_get(
	                       json_object_get(d, "identity"), "description")),
	                   "More Information"));
	assert_null(strstr(json_string_value(json_object_get(
	                       json_object_get(d, "identity"), "description")),
	                   "<!--"));
	/* out and back in */
	evals = evals_of(&a);
	mf_buf_init(&card, 1u << 20);
	write_card(&card, &a, evals);
	mf_error_init(&err);
	mf_hf_import_init(&b);
	assert_int_equal(
	    mf_hf_card_import(&b, card.data, card.len, &opts, &err), 0);
	if (!json_equal(a.disclosure, b.disclosure)) {
		dump_diff(a.disclosure, b.disclosure);
		fail_msg("the template card changed on the way round:\n%s",
		         card.data);
	}
	assert_true(json_equal(a.evals, b.evals));
	mf_error_dispose(&err);
	json_decref(evals);
	mf_buf_dispose(&card);
	mf_hf_import_dispose(&a);
	mf_hf_import_dispose(&b);
}

static const json_t *
find_row(const json_t *rows, const char *from)
{
	const json_t *r;
	size_t i;

	json_array_foreach(rows, i, r)
	{
		if (strcmp(json_string_value(json_object_get(r, "from")),
		           from) == 0)
			return r;
	}
	return NULL;
}

/* What each fixture's fields became, checked against the card's text. */
static void
test_mapping(void **state)
{
	struct mf_hf_import imp;
	size_t len;
	char *t;
	const json_t *d, *row;

	(void)state;
	t = slurp(FIX "several_datasets.md", &len);
	import(&imp, t, len, false);
	d = imp.disclosure;
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_object_get(d, "distribution"), "license"),
	        "spdx")),
	    "Apache-2.0");
	assert_int_equal(json_array_size(json_object_get(
	                     json_object_get(d, "data"), "sources")),
	                 3);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(
	            json_object_get(json_object_get(d, "data"), "sources"), 2),
	        "url")),
	    "https://huggingface.co/datasets/cc_news");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(d, "identity"), "name")),
	                    "BigBird base model");
	assert_non_null(
	    strstr(json_string_value(json_object_get(json_object_get(d, "data"),
	                                             "characteristics")),
	           "four publicly available datasets"));
	row = find_row(json_object_get(imp.report, "not_mapped"),
	               "section: How to use TODO: Update");
	assert_non_null(row);
	mf_hf_import_dispose(&imp);
	free(t);

	/* unknown fields: reported and kept in the report */
	t = slurp(FIX "unknown_fields.md", &len);
	import(&imp, t, len, false);
	assert_non_null(find_row(json_object_get(imp.report, "not_mapped"),
	                         "front matter: thumbnail"));
	assert_non_null(find_row(json_object_get(imp.report, "not_mapped"),
	                         "front matter: language[0]"));
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(imp.report, "kept"), "thumbnail")),
	    "https://huggingface.co/front/thumbnails/google.png");
	/* no H1: the first heading names the model */
	assert_non_null(
	    strstr(json_string_value(json_object_get(
	               json_object_get(imp.disclosure, "identity"), "name")),
	           "MobileBERT"));
	mf_hf_import_dispose(&imp);
	free(t);

	/* an old card's "language: en, de" is two languages */
	{
		static const char c[] = "---\nlanguage: en, de\n---\n# x\n";
		const json_t *langs;

		import(&imp, c, sizeof(c) - 1, false);
		langs = json_object_get(
		    json_object_get(imp.disclosure, "model"), "languages");
		assert_int_equal(json_array_size(langs), 2);
		assert_string_equal(json_string_value(json_array_get(langs, 1)),
		                    "de");
		mf_hf_import_dispose(&imp);
	}

	/* model-index: two results, the second with its revision */
	t = slurp(FIX "model_index.md", &len);
	import(&imp, t, len, false);
	assert_int_equal(json_array_size(imp.evals), 2);
	row = json_array_get(imp.evals, 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(row, "benchmark"), "revision")),
	                    "5503434ddd753f426f4b38109466949a1217c2bb");
	assert_true(json_real_value(json_object_get(row, "value")) == 0.66);
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(row, "metric"), "scale")),
	                    "fraction");
	assert_int_equal(json_integer_value(json_object_get(row, "seq")), 3);
	mf_hf_import_dispose(&imp);
	free(t);
}

static void
test_bad_cards(void **state)
{
	static const char *const bad[] = {
	    "---\nlicense: [mit\n---\n# x\n",         /* not YAML */
	    "---\n- a\n- b\n---\n# x\n",              /* not a mapping */
	    "---\na: &x 1\nb: *x\n---\n",             /* an alias */
	    "---\nlicense: mit\nlicense: mit\n---\n", /* a repeated key */
	};
	struct mf_hf_import imp;
	struct mf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mf_error_init(&err);
		mf_hf_import_init(&imp);
		assert_int_equal(mf_hf_card_import(&imp, bad[i], strlen(bad[i]),
		                                   &opts, &err),
		                 MF_E_BAD_REQUEST);
		assert_string_equal(err.pointer, "/front-matter");
		mf_hf_import_dispose(&imp);
		mf_error_dispose(&err);
	}
	/* the body is checked too: cmark would take any bytes */
	{
		static const char body[] = "---\nlicense: mit\n---\n# T\n\n"
		                           "bad \x80 byte\n";

		mf_error_init(&err);
		mf_hf_import_init(&imp);
		assert_int_equal(mf_hf_card_import(&imp, body, sizeof(body) - 1,
		                                   &opts, &err),
		                 MF_E_BAD_UTF8);
		assert_non_null(strstr(err.message, "line 6"));
		mf_hf_import_dispose(&imp);
		mf_error_dispose(&err);
	}
	assert_true(mf_hf_card_looks_like("---\nx: 1\n---\n", 14));
	assert_false(mf_hf_card_looks_like("{\"type\": 1}", 11));
	assert_false(mf_hf_card_looks_like("----", 4));
}

static void
test_yaml_scalars(void **state)
{
	const char *y = "a: 1\nb: 1.5\nc: true\nd: ~\ne: '1'\nf: 1e3\n"
	                "g: 0.10\nh: hello world\ni: \"x\\u00e9\"\nj: -7\n";
	struct mf_error err;
	struct mf_buf out = MF_BUF_INIT;
	json_t *v = NULL, *w = NULL;

	(void)state;
	mf_error_init(&err);
	assert_int_equal(mf_yaml_parse(&v, y, strlen(y), &err), 0);
	assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
	assert_true(json_real_value(json_object_get(v, "b")) == 1.5);
	assert_true(json_is_true(json_object_get(v, "c")));
	assert_true(json_is_null(json_object_get(v, "d")));
	assert_string_equal(json_string_value(json_object_get(v, "e")), "1");
	assert_true(json_real_value(json_object_get(v, "f")) == 1000.0);
	assert_true(json_real_value(json_object_get(v, "g")) == 0.1);
	assert_string_equal(json_string_value(json_object_get(v, "h")),
	                    "hello world");
	assert_string_equal(json_string_value(json_object_get(v, "i")),
	                    "x\xc3\xa9");
	assert_int_equal(json_integer_value(json_object_get(v, "j")), -7);
	/* what the writer emits reads back as the same tree */
	mf_buf_init(&out, 1u << 16);
	assert_int_equal(mf_yaml_emit(&out, v, 0), 0);
	assert_int_equal(mf_yaml_parse(&w, out.data, out.len, &err), 0);
	assert_true(json_equal(v, w));
	json_decref(v);
	json_decref(w);
	mf_buf_dispose(&out);
	/* nesting beyond the bound is refused, not recursed into */
	{
		char deep[1000];
		size_t i;

		for (i = 0; i < 300; i++)
			deep[i] = '[';
		deep[300] = '\0';
		v = NULL;
		assert_int_not_equal(mf_yaml_parse(&v, deep, 300, &err), 0);
		assert_null(v);
	}
	mf_error_dispose(&err);
}

/*
 * Damaged cards (bytes flipped, cut short, lines duplicated; a fixed
 * seed, so a failure repeats) never crash the importer or the writer:
 * each either imports or says why not. Under AddressSanitizer in
 * `make test`.
 */
static void
test_damaged_cards(void **state)
{
	static const char *const files[] = {FIX "model_index.md",
	                                    FIX "several_datasets.md",
	                                    FIX "with_eval_results/README.md"};
	unsigned seed = 14;
	size_t f, round;

	(void)state;
	for (f = 0; f < 3; f++) {
		size_t len;
		char *orig = slurp(files[f], &len);
		char *buf = malloc(len * 2 + 1);

		assert_non_null(buf);
		for (round = 0; round < 300; round++) {
			struct mf_hf_import imp;
			struct mf_error err;
			struct mf_buf out = MF_BUF_INIT;
			size_t n = len, k, flips;
			int rc;

			memcpy(buf, orig, len);
			seed = seed * 1103515245u + 12345u;
			flips = 1 + (seed >> 16) % 8;
			for (k = 0; k < flips; k++) {
				seed = seed * 1103515245u + 12345u;
				buf[(seed >> 8) % n] =
				    "-:[]{}*&!|>'\"#\n \t\x80\xff"[(seed >> 3) %
				                                   19];
			}
			if (round % 3 == 0)
				n = (seed >> 4) % len; /* cut short */
			mf_error_init(&err);
			mf_hf_import_init(&imp);
			rc = mf_hf_card_import(&imp, buf, n, &opts, &err);
			assert_true(rc == 0 || rc == MF_E_BAD_REQUEST ||
			            rc == MF_E_BAD_UTF8);
			if (rc == 0) {
				json_t *ev = evals_of(&imp);

				mf_buf_init(&out, 1u << 20);
				write_card(&out, &imp, ev);
				json_decref(ev);
				mf_buf_dispose(&out);
			} else {
				assert_true(err.message[0] != '\0');
			}
			mf_hf_import_dispose(&imp);
			mf_error_dispose(&err);
		}
		free(buf);
		free(orig);
	}
}

/*
 * A disclosure's own evaluations.results entry that no eval-result
 * backs goes into model-index with its value (found by fuzz_labels: the
 * json_pack format took more arguments than it was given, and the writer
 * read past them and crashed).
 */
static void
test_unbacked_results(void **state)
{
	struct mf_label_input in;
	struct mf_buf out = MF_BUF_INIT;
	json_error_t jerr;
	json_t *d = json_load_file("examples/disclosure-api.json", 0, &jerr);

	(void)state;
	assert_non_null(d);
	memset(&in, 0, sizeof(in));
	in.origin = "modelfacts.localhost";
	in.version = 1;
	in.payload_sha256 = "00";
	in.disclosure = d;
	in.evals = NULL;
	assert_int_equal(mf_hf_card_write(&out, &in), 0);
	assert_non_null(strstr(out.data, "MMLU-Pro"));
	assert_non_null(strstr(out.data, "0.81"));
	mf_buf_dispose(&out);
	json_decref(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_minimal),
	    cmocka_unit_test(test_round_trip_model_index),
	    cmocka_unit_test(test_round_trip_datasets),
	    cmocka_unit_test(test_round_trip_eval_results),
	    cmocka_unit_test(test_round_trip_unknown),
	    cmocka_unit_test(test_round_trip_template),
	    cmocka_unit_test(test_mapping),
	    cmocka_unit_test(test_bad_cards),
	    cmocka_unit_test(test_damaged_cards),
	    cmocka_unit_test(test_yaml_scalars),
	    cmocka_unit_test(test_unbacked_results),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
