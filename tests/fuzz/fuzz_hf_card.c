/*
 * libFuzzer target for the Hugging Face model card import
 * (importers/hf_card.c): YAML front matter through libyaml, the
 * Markdown body through libcmark, and an `.eval_results` YAML file.
 * Input: the card, then optionally a NUL and the .eval_results text.
 *
 * Invariants: an imported card gives a disclosure object whose subject
 * org and model are slugs, an array of eval results, and a report; all
 * of them serialise (jansson refuses strings that are not UTF-8).
 */
#include "common/error.h"
#include "common/json.h"
#include "common/slug.h"
#include "importers/hf_card.h"
#include "tests/fuzz/fuzz_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_dumps(const json_t *v, const char *what)
{
	char *s = mf_json_dump(v);

	MF_FUZZ_CHECK(s != NULL, what);
	MF_FUZZ_CHECK(mf_fuzz_utf8_ok(s, strlen(s)), what);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *card = (const char *)data, *nul;
	struct mf_hf_options opt;
	struct mf_hf_import imp;
	struct mf_error err;
	size_t card_len = size;
	json_t *subject;

	mf_error_init(&err);
	mf_hf_import_init(&imp);
	memset(&opt, 0, sizeof(opt));
	opt.issued_at = "2026-01-01T00:00:00Z";
	(void)mf_hf_card_looks_like(card, size);
	if ((nul = memchr(card, '\0', size)) != NULL)
		card_len = (size_t)(nul - card);
	if (mf_hf_card_import(&imp, card, card_len, &opt, &err) != 0)
		goto done;
	if (nul != NULL)
		(void)mf_hf_eval_results_add(&imp, "fuzz.yaml", nul + 1,
		                             size - card_len - 1, &err);
	MF_FUZZ_CHECK(json_is_object(imp.disclosure), "a disclosure object");
	MF_FUZZ_CHECK(json_is_array(imp.evals), "an eval-result array");
	subject = json_object_get(imp.disclosure, "subject");
	MF_FUZZ_CHECK(
	    mf_slug_valid(json_string_value(json_object_get(subject, "org"))),
	    "the subject org is a slug");
	MF_FUZZ_CHECK(
	    mf_slug_valid(json_string_value(json_object_get(subject, "model"))),
	    "the subject model is a slug");
	check_dumps(imp.disclosure, "the disclosure serialises");
	check_dumps(imp.evals, "the eval results serialise");
	check_dumps(imp.report, "the report serialises");
done:
	mf_hf_import_dispose(&imp);
	mf_error_dispose(&err);
	return 0;
}
