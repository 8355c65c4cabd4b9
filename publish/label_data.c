/* Assembling a label's input from the database (see label_data.h). */
#include "publish/label_data.h"
#include "common/json.h"
#include "scoring/index.h"
#include "scoring/score.h"
#include "db/exec.h"

#include <inttypes.h>
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

static json_t *
parse_col(PGresult *res, int row, int col, struct mf_error *err)
{
	return mf_json_parse(PQgetvalue(res, row, col),
	                     (size_t)PQgetlength(res, row, col), "column", NULL,
	                     err);
}

/*
 * Scores: modelfacts-v1 with its assessments applied, and one score per
 * other index whose document the registry has (assessments of an index
 * it does not know are left out).
 */
static int
scores(struct mf_label_data *d, PGresult *res, struct mf_error *err)
{
	struct mf_score_assessment as[MAX_ASSESSMENTS];
	json_t *payloads[MAX_ASSESSMENTS] = {0};
	struct mf_score *score = NULL;
	struct mf_index *other = NULL;
	int n = PQntuples(res), i, start, rc = 0;

	if (n > MAX_ASSESSMENTS)
		n = MAX_ASSESSMENTS; /* the latest win; older ones matter less
		                      */
	for (i = 0; i < n; i++) {
		if ((payloads[i] = parse_col(res, i, 2, err)) == NULL) {
			rc = err->code;
			goto done;
		}
		as[i].payload = payloads[i];
		as[i].assessor = PQgetvalue(res, i, 0);
	}
	/* mf_score_compute skips assessments of other indices itself */
	if ((rc = mf_score_compute(&score, mf_index_modelfacts_v1(),
	                           d->disclosure, as, (size_t)n, err)) != 0)
		goto done;
	d->score = mf_score_json(score);
	mf_score_free(score);
	score = NULL;
	if ((d->other_scores = json_array()) == NULL || d->score == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	/* rows are ordered by index: one score per run of the same index */
	for (start = 0; start < n; start = i) {
		const char *id = PQgetvalue(res, start, 1);
		json_t *doc;

		for (i = start; i < n && strcmp(PQgetvalue(res, i, 1), id) == 0;
		     i++)
			;
		if (strcmp(id, "modelfacts-v1") == 0 ||
		    PQgetisnull(res, start, 3))
			continue;
		if ((doc = parse_col(res, start, 3, err)) == NULL ||
		    mf_index_load(&other, doc, err) != 0) {
			json_decref(doc);
			rc = err->code;
			goto done;
		}
		json_decref(doc);
		rc = mf_score_compute(&score, other, d->disclosure, as + start,
		                      (size_t)(i - start), err);
		if (rc == 0)
			json_array_append_new(d->other_scores,
			                      mf_score_json(score));
		mf_score_free(score);
		score = NULL;
		mf_index_free(other);
		other = NULL;
		if (rc != 0)
			goto done;
	}
done:
	for (i = 0; i < MAX_ASSESSMENTS; i++)
		json_decref(payloads[i]);
	return rc;
}

int
mf_label_data_load(struct mf_label_data *d, const char *org, const char *model,
                   int version, int64_t as_of, const char *origin,
                   const char *public_url, struct mf_error *err)
{
	char v[16], a[24];
	const char *pv = NULL, *pa = NULL;
	PGresult *res = NULL;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	if (version > 0) {
		snprintf(v, sizeof(v), "%d", version);
		pv = v;
	}
	if (as_of >= 0) {
		snprintf(a, sizeof(a), "%" PRId64, as_of);
		pa = a;
	}
	res = mf_db_execv(MF_SQL_LABEL_VERSION, err, 4, org, model, pv, pa);
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return mf_error_set(err, MF_E_NOT_FOUND, NULL,
		                    "no such version of %s/%s", org, model);
	}
	snprintf(d->org, sizeof(d->org), "%s", org);
	snprintf(d->model, sizeof(d->model), "%s", model);
	d->in.version = atoi(PQgetvalue(res, 0, 0));
	d->in.latest_version = PQgetisnull(res, 0, 1)
	                           ? d->in.version
	                           : atoi(PQgetvalue(res, 0, 1));
	snprintf(d->payload_sha256, sizeof(d->payload_sha256), "%s",
	         PQgetvalue(res, 0, 2));
	snprintf(d->accepted_at, sizeof(d->accepted_at), "%s",
	         PQgetvalue(res, 0, 3));
	d->in.log_index = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	if ((d->signed_by = parse_col(res, 0, 5, err)) == NULL ||
	    (d->disclosure = parse_col(res, 0, 6, err)) == NULL) {
		rc = err->code;
		goto done;
	}
	/* As of a sequenced version's own position: load it as of that. */
	if (as_of == MF_LABEL_AS_OF_VERSION && d->in.log_index >= 0) {
		int64_t at = d->in.log_index;

		PQclear(res);
		mf_label_data_dispose(d);
		return mf_label_data_load(d, org, model, version, at, origin,
		                          public_url, err);
	}
	/* A version not yet in the log, as of itself: no evals yet. */
	if (as_of == MF_LABEL_AS_OF_VERSION) {
		snprintf(a, sizeof(a), "-1");
		pa = a;
	}
	PQclear(res);
	res = NULL;
	if ((res = mf_db_execv(MF_SQL_LABEL_EVALS, err, 3, org, model, pa)) ==
	        NULL ||
	    (d->evals = parse_col(res, 0, 0, err)) == NULL) {
		rc = err->code;
		goto done;
	}
	PQclear(res);
	if ((res = mf_db_execv(MF_SQL_LABEL_ASSESSMENTS, err, 3, org, model,
	                       pa)) == NULL ||
	    (rc = scores(d, res, err)) != 0) {
		rc = rc ? rc : err->code;
		goto done;
	}
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
	PQclear(res);
	if (rc != 0)
		mf_label_data_dispose(d);
	return rc;
}
