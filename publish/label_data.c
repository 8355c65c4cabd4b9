/*
 * Assembling a label's input (see label_data.h). The database reads are
 * db/label.c's typed functions; what stays here is what a label means:
 * which position to read as of, and the judgements, each judge scored
 * alone. That is why this file lives with the publisher, its main user,
 * rather than in db/: the API's label, diff and judgements endpoints call
 * it too, so all serve what the repository holds.
 */
#include "publish/label_data.h"
#include "db/label.h"
#include "scoring/index.h"
#include "scoring/score.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ASSESSMENTS 64

/* The judge name of the registry's own check (label.h). */
#define AUTO_JUDGE      "auto"
#define AUTO_JUDGE_NAME "modelfacts automatic check"

void
mf_label_data_dispose(struct mf_label_data *d)
{
	json_decref(d->disclosure);
	json_decref(d->evals);
	json_decref(d->signed_by);
	json_decref(d->withdrawn);
	json_decref(d->compromised);
	json_decref(d->compromised_assessments);
	json_decref(d->judgements);
	memset(d, 0, sizeof(*d));
}

/*
 * One judgement (label.h's shape) into arr: score is the judge's score
 * (borrowed), the rest describes who judged and when.
 */
static int
judgement_append(json_t *arr, const struct mf_index *idx,
                 const struct mf_score *score, const char *judge,
                 const char *judge_name, const char *at, int64_t log_index,
                 const char *payload_sha256, const json_t *source)
{
	json_t *sj = mf_score_json(score), *o;

	if (sj == NULL)
		return MF_E_NOMEM;
	/* "o" steals its reference, also when json_pack fails */
	o = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:O, s:o}", "index",
	    mf_index_id(idx), "index_name", mf_index_name(idx), "judge", judge,
	    "judge_name", judge_name, "at", at, "log_index",
	    (json_int_t)log_index, "payload_sha256",
	    payload_sha256 ? json_string(payload_sha256) : json_null(),
	    "source", json_is_object(source) ? (json_t *)source : json_null(),
	    "score", sj);
	if (o == NULL)
		return MF_E_NOMEM;
	return json_array_append_new(arr, o) == 0 ? 0 : MF_E_NOMEM;
}

/*
 * An assessor's judgement: its assessment scored alone, against the
 * built-in modelfacts-v1 or the index document the registry has.
 */
static int
assessor_judgement(json_t *arr, const struct mf_db_judgement *j,
                   struct mf_error *err)
{
	struct mf_score_assessment a = {j->payload, j->assessor};
	const struct mf_index *idx = mf_index_modelfacts_v1();
	struct mf_index *loaded = NULL;
	struct mf_score *score = NULL;
	int rc;

	if (strcmp(j->index_id, MF_INDEX_MODELFACTS_V1) != 0) {
		if ((rc = mf_index_load(&loaded, j->document, err)) != 0)
			return rc;
		idx = loaded;
	} else if (idx == NULL) {
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "the built-in index does not load");
	}
	if ((rc = mf_score_grades(&score, idx, &a, 1, err)) != 0)
		goto done;
	if ((rc = judgement_append(
	         arr, idx, score, j->assessor, j->assessor_name, j->accepted_at,
	         j->log_index, j->payload_sha256,
	         json_object_get(j->payload, "transcribed_from"))) != 0)
		mf_error_set(err, rc, NULL, "out of memory");
done:
	mf_score_free(score);
	mf_index_free(loaded);
	return rc;
}

/*
 * d->judgements in label.h's order: the assessors' (the rows come newest
 * first; those of an index the registry lacks cannot be scored and are
 * left out), then the automatic check of the disclosure, if there is
 * one, with no assessment applied.
 */
static int
judgements(struct mf_label_data *d, const struct mf_db_judgement *rows,
           size_t n, struct mf_error *err)
{
	struct mf_score *score = NULL;
	const struct mf_index *v1 = mf_index_modelfacts_v1();
	size_t i;
	int rc = 0;

	if ((d->judgements = json_array()) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	for (i = 0; i < n && rc == 0; i++)
		if (rows[i].document != NULL ||
		    strcmp(rows[i].index_id, MF_INDEX_MODELFACTS_V1) == 0)
			rc = assessor_judgement(d->judgements, &rows[i], err);
	if (rc != 0 || d->disclosure == NULL)
		return rc;
	if (v1 == NULL)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "the built-in index does not load");
	if ((rc = mf_score_compute(&score, v1, d->disclosure, NULL, 0, err)) !=
	    0)
		return rc;
	rc = judgement_append(d->judgements, v1, score, AUTO_JUDGE,
	                      AUTO_JUDGE_NAME, d->accepted_at, d->in.log_index,
	                      NULL, NULL);
	mf_score_free(score);
	if (rc != 0)
		return mf_error_set(err, rc, NULL, "out of memory");
	return 0;
}

/*
 * A model with no disclosure as of the position (the version lookup said
 * MF_E_NOT_FOUND): its assessment-only label if it had been assessed (in
 * an index the registry has) by then, else MF_E_NOT_FOUND.
 */
static int
assessment_only(struct mf_label_data *d, const char *org, const char *model,
                const int64_t *pa, struct mf_error *err)
{
	struct mf_db_judgement *rows = NULL;
	size_t n = 0;
	int rc;

	mf_error_dispose(err);
	mf_error_init(err);
	if ((rc = mf_db_label_judgements(&rows, &n, org, model, 0, pa,
	                                 MAX_ASSESSMENTS, err)) != 0)
		goto done;
	d->in.assessment_only = 1;
	d->in.log_index = -1;
	snprintf(d->org, sizeof(d->org), "%s", org);
	snprintf(d->model, sizeof(d->model), "%s", model);
	if ((rc = judgements(d, rows, n, err)) != 0)
		goto done;
	/* the name the newest assessment gives the model (rows: newest
	 * first), as the label has no disclosure to take it from */
	if (n > 0 &&
	    json_is_string(json_object_get(rows[0].payload, "model_name")))
		snprintf(d->name, sizeof(d->name), "%s",
		         json_string_value(
		             json_object_get(rows[0].payload, "model_name")));
	if (json_array_size(d->judgements) == 0) {
		rc = mf_error_set(err, MF_E_NOT_FOUND, NULL,
		                  "no such model, or nothing disclosed or "
		                  "assessed about %s/%s yet",
		                  org, model);
		goto done;
	}
	if ((rc = mf_db_label_evals(&d->evals, org, model, pa, err)) == 0)
		rc = mf_db_label_compromised(&d->compromised_assessments, org,
		                             model, 0, pa, err);
done:
	mf_db_judgements_free(rows, n);
	return rc;
}

/* d->in from the members of d and the caller's arguments. */
static void
fill_input(struct mf_label_data *d, const char *origin, const char *public_url)
{
	d->in.origin = origin;
	d->in.public_url = public_url;
	d->in.org = d->org;
	d->in.name = d->name[0] != '\0' ? d->name : NULL;
	d->in.model = d->model;
	d->in.payload_sha256 = d->in.assessment_only ? NULL : d->payload_sha256;
	d->in.accepted_at = d->in.assessment_only ? NULL : d->accepted_at;
	d->in.signed_by = d->signed_by;
	d->in.disclosure = d->disclosure;
	d->in.judgements = d->judgements;
	d->in.evals = d->evals;
	d->in.withdrawn = d->withdrawn;
	d->in.compromised = d->compromised;
	d->in.compromised_assessments = d->compromised_assessments;
}

int
mf_label_data_load(struct mf_label_data *d, const char *org, const char *model,
                   int version, int64_t as_of, const char *origin,
                   const char *public_url, struct mf_error *err)
{
	struct mf_db_label_version v;
	struct mf_db_judgement *js = NULL;
	const int64_t *pa = as_of >= 0 ? &as_of : NULL;
	int64_t none = -1;
	size_t njs = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	/* 1. The version; its documents move into d. None: perhaps a model
	 * that only assessors have spoken about. */
	rc = mf_db_label_version(&v, org, model, version, pa, err);
	if (rc == MF_E_NOT_FOUND && version == 0) {
		if ((rc = assessment_only(d, org, model, pa, err)) == 0) {
			fill_input(d, origin, public_url);
			return 0;
		}
		mf_label_data_dispose(d);
		if (rc != MF_E_NOT_FOUND)
			return rc;
		/* Every version withdrawn or flagged (migrations/0010), and
		 * no assessment: the newest, its flag saying why it does not
		 * count. None at all: MF_E_NOT_FOUND still. */
		mf_error_dispose(err);
		mf_error_init(err);
		rc = mf_db_label_version(&v, org, model, -1, pa, err);
	}
	if (rc != 0)
		return rc;
	snprintf(d->org, sizeof(d->org), "%s", org);
	snprintf(d->model, sizeof(d->model), "%s", model);
	d->in.version = v.version;
	d->in.latest_version =
	    v.latest_version > 0 ? v.latest_version : v.version;
	memcpy(d->payload_sha256, v.payload_sha256, sizeof(d->payload_sha256));
	memcpy(d->accepted_at, v.accepted_at, sizeof(d->accepted_at));
	d->in.log_index = v.log_index;
	d->signed_by = v.signed_by;
	d->disclosure = v.disclosure;
	d->withdrawn = v.withdrawn;
	d->compromised = v.compromised;
	/* 2. As of a sequenced version's own position: load it as of that. */
	if (as_of == MF_LABEL_AS_OF_VERSION && d->in.log_index >= 0) {
		int64_t at = d->in.log_index;

		mf_label_data_dispose(d);
		return mf_label_data_load(d, org, model, version, at, origin,
		                          public_url, err);
	}
	/* A version not yet in the log, as of itself: no evals yet. */
	if (as_of == MF_LABEL_AS_OF_VERSION)
		pa = &none;
	/* 3. Evals and judgements as of the same position. */
	if ((rc = mf_db_label_evals(&d->evals, org, model, pa, err)) != 0 ||
	    (rc = mf_db_label_judgements(&js, &njs, org, model, d->in.version,
	                                 pa, MAX_ASSESSMENTS, err)) != 0 ||
	    (rc = judgements(d, js, njs, err)) != 0 ||
	    (rc = mf_db_label_compromised(&d->compromised_assessments, org,
	                                  model, d->in.version, pa, err)) != 0)
		goto done;
	fill_input(d, origin, public_url);
done:
	mf_db_judgements_free(js, njs);
	if (rc != 0)
		mf_label_data_dispose(d);
	return rc;
}
