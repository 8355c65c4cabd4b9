/*
 * Agreement between the automatic check and the FMTI experts (see
 * fmti_agree.h). The automatic side is exactly what the registry would
 * compute: scoring/score.h on the imported disclosure with the embedded
 * modelfacts-v1 index and no assessment. Each disagreement gets one
 * reason, read from what the importer did with the row (fill_report).
 */
#include "importers/fmti_agree.h"

#include "common/json.h"
#include "importers/fmti_fill.h"
#include "scoring/score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const why_texts[MF_FMTI_WHY__MAX] = {
    [MF_FMTI_WHY_WORDS_ENOUGH] = "the answer's words meet the rule; FMTI "
                                 "asks for more detail",
    [MF_FMTI_WHY_OTHER_ROW] = "the field was filled from another FMTI "
                              "indicator's answer",
    [MF_FMTI_WHY_NO_ANSWER] = "the report has no answer there",
    [MF_FMTI_WHY_SAYS_NOT] = "the answer reads as 'not disclosed'",
    [MF_FMTI_WHY_STRUCTURE] = "the field needs records or fixed words the "
                              "prose does not give",
    [MF_FMTI_WHY_NO_LINK] = "no single URL, license or name to record",
    [MF_FMTI_WHY_NO_VALUE] = "words only: no unambiguous figure",
    [MF_FMTI_WHY_RULE_MORE] = "the rule asks for more than the filled "
                              "field holds",
};

const char *
mf_fmti_why_text(enum mf_fmti_why why)
{
	return why < MF_FMTI_WHY__MAX ? why_texts[why] : "";
}

const char *
mf_fmti_crosswalk_of(const char *edition)
{
	if (strcmp(edition, "v1.0") == 0 || strcmp(edition, "v1.1") == 0)
		return "schema/crosswalk/fmti-v1.csv";
	if (strcmp(edition, "2025") == 0)
		return "schema/crosswalk/fmti-2025.csv";
	return NULL;
}

/* The fill report's entry for FMTI row number in list, or NULL. */
static const json_t *
entry(const json_t *report, const char *list, int number)
{
	const json_t *x;
	size_t i;

	json_array_foreach(json_object_get(report, list), i, x)
	{
		const json_t *n =
		    json_is_integer(x) ? x : json_object_get(x, "fmti");

		if (json_integer_value(n) == number)
			return x;
	}
	return NULL;
}

static enum mf_fmti_why
why_not_met(const json_t *report, const struct mf_fmti_xrow *x)
{
	const json_t *m = entry(report, "mapped", x->number);
	const json_t *ft = entry(report, "free_text", x->number);

	if (entry(report, "undisclosed", x->number) != NULL)
		return MF_FMTI_WHY_SAYS_NOT;
	if (m != NULL)
		return json_object_get(m, "extracted") == NULL &&
		               (strcmp(x->pointer, "/data/size") == 0 ||
		                strcmp(x->pointer, "/model/parameters") == 0 ||
		                strncmp(x->pointer, "/compute/", 9) == 0 ||
		                strcmp(x->pointer, "/model/architecture") == 0)
		           ? MF_FMTI_WHY_NO_VALUE
		           : MF_FMTI_WHY_RULE_MORE;
	if (ft == NULL)
		return MF_FMTI_WHY_NO_ANSWER;
	return x->pointer[0] == '\0' ? MF_FMTI_WHY_STRUCTURE
	                             : MF_FMTI_WHY_NO_LINK;
}

int
mf_fmti_agree(struct mf_fmti_agreement *acc, const struct mf_fmti_edition *ed,
              const struct mf_fmti_developer *dev, struct mf_error *err)
{
	const char *file = mf_fmti_crosswalk_of(ed->name);
	const struct mf_index *mf = mf_index_modelfacts_v1();
	struct mf_fmti_crosswalk *cw = NULL;
	struct mf_score *s = NULL;
	const json_t *inds = json_object_get(ed->index, "indicators");
	const json_t *scores =
	    json_object_get(dev->assessment.payload, "scores");
	size_t k;
	int rc;

	if (file == NULL || mf == NULL || dev->disclosure.payload == NULL ||
	    dev->fill_report == NULL)
		return mf_error_set(err, MF_E_BAD_REQUEST, NULL,
		                    "FMTI %s %s: nothing to compare", ed->name,
		                    dev->name);
	if ((rc = mf_fmti_crosswalk_load(&cw, file, err)) != 0)
		return rc;
	if ((rc = mf_score_compute(&s, mf, dev->disclosure.payload, NULL, 0,
	                           err)) != 0)
		goto done;
	for (k = 0; k < MF_FMTI_CROSSWALK_ROWS; k++) {
		const struct mf_fmti_xrow *x = &cw->rows[k];
		const char *id = mf_json_str(json_array_get(inds, k), "id");
		long at;
		int expert, automatic;

		if (x->mf_id[0] == '\0')
			continue;
		if ((at = mf_index_find(mf, x->mf_id)) < 0 || id == NULL) {
			rc = mf_error_set(err, MF_E_BAD_REQUEST, NULL,
			                  "%s row %d: unknown indicator", file,
			                  x->number);
			goto done;
		}
		expert = (int)json_integer_value(
		    json_object_get(json_object_get(scores, id), "score"));
		automatic = s->items[at].result == MF_SCORE_MET;
		acc->n++;
		if (automatic && expert) {
			acc->both++;
		} else if (!automatic && !expert) {
			acc->neither++;
		} else if (automatic) {
			acc->auto_only++;
			acc->why[entry(dev->fill_report, "mapped", x->number) !=
			                 NULL
			             ? MF_FMTI_WHY_WORDS_ENOUGH
			             : MF_FMTI_WHY_OTHER_ROW]++;
		} else {
			acc->fmti_only++;
			acc->why[why_not_met(dev->fill_report, x)]++;
		}
	}
done:
	mf_score_free(s);
	free(cw);
	return rc;
}

double
mf_fmti_agreement_percent(const struct mf_fmti_agreement *a)
{
	return a->n == 0 ? NAN : 100.0 * (a->both + a->neither) / a->n;
}

double
mf_fmti_agreement_kappa(const struct mf_fmti_agreement *a)
{
	double n = a->n, po, pe, auto1, fmti1;

	if (a->n == 0)
		return NAN;
	po = (a->both + a->neither) / n;
	auto1 = (a->both + a->auto_only) / n;
	fmti1 = (a->both + a->fmti_only) / n;
	pe = auto1 * fmti1 + (1 - auto1) * (1 - fmti1);
	return pe >= 1 ? NAN : (po - pe) / (1 - pe);
}
