/*
 * Assembling a label's input (see label_data.h). The database reads are
 * db/label.c's typed functions; what stays here is what a label means:
 * which position to read as of, and the scores recomputed with the
 * assessments applied. That is why this file lives with the publisher,
 * its main user, rather than in db/: the API's label and diff endpoints
 * call it too, so both serve the bytes the repository holds.
 */
#include "publish/label_data.h"
#include "db/label.h"
#include "scoring/index.h"
#include "scoring/score.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ASSESSMENTS 64

void
mf_label_data_dispose(struct mf_label_data *d)
{
	json_decref(d->disclosure);
	json_decref(d->score);
	json_decref(d->other_scores);
	json_decref(d->evals);
	json_decref(d->signed_by);
	memset(d, 0, sizeof(*d));
}

/*
 * Scores: modelfacts-v1 with its assessments applied, and one score per
 * other index whose document the registry has (assessments of an index
 * it does not know are left out).
 */
static int
scores(struct mf_label_data *d, const struct mf_db_assessment *rows, size_t n,
       struct mf_error *err)
{
	struct mf_score_assessment as[MAX_ASSESSMENTS];
	struct mf_score *score = NULL;
	struct mf_index *other = NULL;
	size_t i, start;
	int rc = 0;

	for (i = 0; i < n; i++) {
		as[i].payload = rows[i].payload;
		as[i].assessor = rows[i].assessor;
	}
	/* mf_score_compute skips assessments of other indices itself */
	if ((rc = mf_score_compute(&score, mf_index_modelfacts_v1(),
	                           d->disclosure, as, n, err)) != 0)
		return rc;
	d->score = mf_score_json(score);
	mf_score_free(score);
	score = NULL;
	if ((d->other_scores = json_array()) == NULL || d->score == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	/* rows are ordered by index: one score per run of the same index */
	for (start = 0; start < n; start = i) {
		const char *id = rows[start].index_id;

		for (i = start; i < n && strcmp(rows[i].index_id, id) == 0; i++)
			;
		if (strcmp(id, "modelfacts-v1") == 0 ||
		    rows[start].document == NULL)
			continue;
		if ((rc = mf_index_load(&other, rows[start].document, err)) !=
		    0)
			return rc;
		rc = mf_score_compute(&score, other, d->disclosure, as + start,
		                      i - start, err);
		if (rc == 0)
			json_array_append_new(d->other_scores,
			                      mf_score_json(score));
		mf_score_free(score);
		score = NULL;
		mf_index_free(other);
		other = NULL;
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
mf_label_data_load(struct mf_label_data *d, const char *org, const char *model,
                   int version, int64_t as_of, const char *origin,
                   const char *public_url, struct mf_error *err)
{
	struct mf_db_label_version v;
	struct mf_db_assessment *rows = NULL;
	const int64_t *pa = as_of >= 0 ? &as_of : NULL;
	int64_t none = -1;
	size_t nrows = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	/* 1. The version; its documents move into d. */
	if ((rc = mf_db_label_version(&v, org, model, version, pa, err)) != 0)
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
	/* 3. Evals and assessments as of the same position; scores. */
	if ((rc = mf_db_label_evals(&d->evals, org, model, pa, err)) != 0 ||
	    (rc = mf_db_label_assessments(&rows, &nrows, org, model, pa,
	                                  MAX_ASSESSMENTS, err)) != 0 ||
	    (rc = scores(d, rows, nrows, err)) != 0)
		goto done;
	d->in.origin = origin;
	d->in.public_url = public_url;
	d->in.org = d->org;
	d->in.model = d->model;
	d->in.payload_sha256 = d->payload_sha256;
	d->in.accepted_at = d->accepted_at;
	d->in.signed_by = d->signed_by;
	d->in.disclosure = d->disclosure;
	d->in.score = d->score;
	d->in.other_scores = d->other_scores;
	d->in.evals = d->evals;
done:
	mf_db_assessments_free(rows, nrows);
	if (rc != 0)
		mf_label_data_dispose(d);
	return rc;
}
