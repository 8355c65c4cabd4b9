/*
 * Coverage of one index across the models GET /v1/models would list with
 * the same filters: the counts and the matrix (matrix=1) come from the
 * database's per-judgement facts (db/search.c, migrations/0008) in one
 * statement. The facts are written by the rule of mf_h_judgement_pick
 * below (DESIGN.md section 2's default judge), which compare and the
 * tests apply to each model's judgements resource: the two agree.
 */
#include "api/coverage.h"
#include "api/export.h"
#include "api/search.h"
#include "api/util.h"
#include "db/search.h"
#include "common/slug.h"
#include "scoring/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How a model stands on one indicator; parallel to class_names. */
enum cell { CELL_MET, CELL_NOT_MET, CELL_NA, CELL_NOT_ASSESSED, CELL__MAX };

static const char *const class_names[CELL__MAX] = {
    [CELL_MET] = "met",
    [CELL_NOT_MET] = "not_met",
    [CELL_NA] = "not_applicable",
    [CELL_NOT_ASSESSED] = "not_assessed",
};

static const char *
first_of(const char *a, const char *b)
{
	return a != NULL ? a : b;
}

static const char *
or_empty(const char *a)
{
	return first_of(a, "");
}

const json_t *
mf_h_judgement_pick(const json_t *judgements, const char *index,
                    const char *judge)
{
	const json_t *j, *automatic = NULL;
	const char *who;
	size_t i;

	json_array_foreach(judgements, i, j)
	{
		if (strcmp(or_empty(
		               json_string_value(json_object_get(j, "index"))),
		           index) != 0)
			continue;
		who = json_string_value(json_object_get(j, "judge"));
		if (who == NULL)
			continue;
		if (judge != NULL) {
			if (strcmp(who, judge) == 0)
				return j;
		} else if (strcmp(who, "auto") != 0) {
			return j; /* assessors come newest first */
		} else if (automatic == NULL) {
			automatic = j;
		}
	}
	return judge == NULL ? automatic : NULL;
}

int
mf_h_query_judge(struct mf_request *req, const char **out)
{
	const char *v = mf_http_query(req, "judge");

	*out = v;
	if (v != NULL && strcmp(v, "auto") != 0 && !mf_slug_valid(v))
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter 'judge' must be 'auto' or "
		                    "an assessor's organisation id");
	return 0;
}

/* base (stolen) with the four counts c set; NULL (and base released)
 * when out of memory */
static json_t *
with_counts(json_t *base, const long *c)
{
	size_t i;

	for (i = 0; base != NULL && i < CELL__MAX; i++)
		if (json_object_set_new(base, class_names[i],
		                        json_integer((json_int_t)c[i])) != 0) {
			json_decref(base);
			return NULL;
		}
	return base;
}

/* Per indicator, per subdomain and per domain, from the cell counts. */
static json_t *
summary_json(const struct mf_index *idx, const long *counts)
{
	size_t n = mf_index_indicator_count(idx);
	size_t nd = mf_index_domain_count(idx);
	size_t ns = mf_index_subdomain_count(idx);
	long *dsum = calloc((nd + ns) * CELL__MAX + 1, sizeof(long));
	long *ssum = dsum + nd * CELL__MAX;
	long *dind = calloc(nd + ns + 1, sizeof(long)), *sind = dind + nd;
	json_t *out = NULL, *inds = json_array(), *doms = json_array();
	json_t *x, *subs;
	size_t i, j, c;

	if (dsum == NULL || dind == NULL || inds == NULL || doms == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		const struct mf_index_indicator *ind =
		    mf_index_indicator(idx, i);

		for (c = 0; c < CELL__MAX; c++) {
			dsum[ind->domain * CELL__MAX + c] +=
			    counts[i * CELL__MAX + c];
			ssum[ind->subdomain * CELL__MAX + c] +=
			    counts[i * CELL__MAX + c];
		}
		dind[ind->domain]++;
		sind[ind->subdomain]++;
		x = with_counts(
		    json_pack("{s:s, s:s, s:s, s:s}", "id", ind->id, "name",
		              first_of(ind->name, ind->id), "domain",
		              mf_index_domain(idx, ind->domain)->id,
		              "subdomain",
		              mf_index_subdomain(idx, ind->subdomain)->id),
		    &counts[i * CELL__MAX]);
		if (json_array_append_new(inds, x) != 0)
			goto done;
	}
	for (i = 0; i < nd; i++) {
		const struct mf_index_domain *d = mf_index_domain(idx, i);

		if ((subs = json_array()) == NULL)
			goto done;
		for (j = 0; j < ns; j++) {
			const struct mf_index_subdomain *sd =
			    mf_index_subdomain(idx, j);

			if (sd->domain != i)
				continue;
			x = with_counts(
			    json_pack("{s:s, s:s, s:I}", "id", sd->id, "name",
			              first_of(sd->name, sd->id), "indicators",
			              (json_int_t)sind[j]),
			    &ssum[j * CELL__MAX]);
			if (json_array_append_new(subs, x) != 0) {
				json_decref(subs);
				goto done;
			}
		}
		/* "o" steals subs, also when json_pack fails */
		x = with_counts(json_pack("{s:s, s:s, s:I, s:o}", "id", d->id,
		                          "name", first_of(d->name, d->id),
		                          "indicators", (json_int_t)dind[i],
		                          "subdomains", subs),
		                &dsum[i * CELL__MAX]);
		if (json_array_append_new(doms, x) != 0)
			goto done;
	}
	out = json_pack("{s:O, s:O}", "indicators", inds, "domains", doms);
done:
	json_decref(inds);
	json_decref(doms);
	free(dsum);
	free(dind);
	return out;
}

/* counts (CELL__MAX per indicator) and judges used, from the database's
 * counts (mf_db_coverage) */
static int
fill_counts(const struct mf_index *idx, const json_t *cov, long *counts,
            json_t *used)
{
	static const char *const sets[] = {"met", "not_met", "not_applicable"};
	long models = (long)json_integer_value(json_object_get(cov, "models"));
	long judged = 0, c;
	const json_t *v;
	const char *k;
	size_t i, s;

	for (i = 0; i < mf_index_indicator_count(idx); i++) {
		const char *id = mf_index_indicator(idx, i)->id;
		long *row = &counts[i * CELL__MAX], seen = 0;

		for (s = 0; s < 3; s++) {
			c = (long)json_integer_value(
			    json_object_get(json_object_get(cov, sets[s]), id));
			row[s] = c;
			seen += c;
		}
		row[CELL_NOT_ASSESSED] = models - seen;
	}
	json_object_foreach((json_t *)json_object_get(cov, "judges"), k, v)
	{
		judged += (long)json_integer_value(v);
		if (json_object_set_new(
		        used, k, json_integer(json_integer_value(v))) != 0)
			return MF_E_NOMEM;
	}
	if (models > judged &&
	    json_object_set_new(
	        used, "none", json_integer((json_int_t)(models - judged))) != 0)
		return MF_E_NOMEM;
	return 0;
}

/*
 * The coverage as CSV or JSON Lines: one row per indicator with its
 * counts, or with matrix=1 one row per model with a column per indicator
 * (named by id) holding its result.
 */
static int
coverage_export(struct mf_request *req, const struct mf_index *idx,
                const json_t *body, const json_t *matrix, enum mf_format fmt)
{
	static const char *const summary_cols[] = {
	    "id",  "name",    "domain",         "subdomain",
	    "met", "not_met", "not_applicable", "not_assessed"};
	static const char *const row_cols[] = {
	    "org",   "model", "version", "assessment_only",
	    "judge", "score", "max"};
	size_t n = mf_index_indicator_count(idx), nrow = 7, i, k;
	const char **cols = NULL;
	json_t *rows = NULL, *r, *flat;
	char filename[96];
	int rc;

	snprintf(filename, sizeof(filename), "%s_coverage%s", mf_index_id(idx),
	         matrix ? "_matrix" : "");
	struct mf_export x = {.filename = filename, .list_key = "rows"};

	if (matrix == NULL) {
		x.rows = json_object_get(body, "indicators");
		x.columns = summary_cols;
		x.ncolumns = sizeof(summary_cols) / sizeof(summary_cols[0]);
		return mf_h_export(req, &x, fmt);
	}
	if ((cols = calloc(nrow + n + 1, sizeof(*cols))) == NULL ||
	    (rows = json_array()) == NULL) {
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	for (k = 0; k < nrow; k++)
		cols[k] = row_cols[k];
	for (i = 0; i < n; i++)
		cols[nrow + i] = mf_index_indicator(idx, i)->id;
	json_array_foreach(matrix, k, r)
	{
		if ((flat = json_object()) == NULL ||
		    json_array_append_new(rows, flat) != 0) {
			rc = mf_error_set(&req->err, MF_E_NOMEM, NULL,
			                  "out of memory");
			goto done;
		}
		for (i = 0; i < nrow; i++)
			json_object_set(flat, row_cols[i],
			                json_object_get(r, row_cols[i]));
		for (i = 0; i < n; i++)
			json_object_set(
			    flat, cols[nrow + i],
			    json_object_get(json_object_get(r, "results"),
			                    cols[nrow + i]));
	}
	x.rows = rows;
	x.columns = cols;
	x.ncolumns = nrow + n;
	rc = mf_h_export(req, &x, fmt);
done:
	json_decref(rows);
	free(cols);
	return rc;
}

/* The matrix row of one selected model from mf_db_coverage's row
 * (new reference; NULL when out of memory). */
static json_t *
matrix_row(const struct mf_index *idx, const json_t *r, const json_t *codes)
{
	static const char *const sets[] = {"met", "not_met", "not_applicable"};
	size_t n = mf_index_indicator_count(idx), i, k;
	json_t *results = json_object(), *row, *c;
	const char *judge;
	json_int_t version;
	char key[16];

	if (results == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		json_object_set_new(
		    results, mf_index_indicator(idx, i)->id,
		    json_string(class_names[CELL_NOT_ASSESSED]));
	for (k = 0; k < 3; k++)
		json_array_foreach(json_array_get(r, 7 + k), i, c)
		{
			const char *id;

			snprintf(key, sizeof(key), "%lld",
			         (long long)json_integer_value(c));
			id = json_string_value(json_object_get(codes, key));
			if (id != NULL && mf_index_find(idx, id) >= 0)
				json_object_set_new(results, id,
				                    json_string(sets[k]));
		}
	version = json_integer_value(json_array_get(r, 2));
	judge = json_string_value(json_array_get(r, 3));
	/* "o" steals results, also when json_pack fails */
	row = json_pack(
	    "{s:O, s:O, s:o, s:b, s:O, s:o, s:O, s:O, s:O, s:o}", "org",
	    json_array_get(r, 0), "model", json_array_get(r, 1), "version",
	    version > 0 ? json_integer(version) : json_null(),
	    "assessment_only", version == 0, "judge", json_array_get(r, 3),
	    "judge_name",
	    judge != NULL && strcmp(judge, "auto") == 0
	        ? json_string("modelfacts automatic check")
	        : json_deep_copy(json_array_get(r, 4)),
	    "at", json_array_get(r, 10), "score", json_array_get(r, 5), "max",
	    json_array_get(r, 6), "results", results);
	return row;
}

int
mf_h_coverage(struct mf_request *req)
{
	static const char *const extra[] = {"matrix", NULL};
	const char *id = mf_http_param(req, 0), *judge;
	const struct mf_index *idx;
	struct mf_index *owned = NULL;
	json_t *f = NULL, *cov = NULL, *used = NULL, *matrix = NULL;
	json_t *body = NULL, *m, *summary;
	long *counts = NULL;
	enum mf_format fmt;
	int64_t as_of, want_matrix;
	bool given;
	size_t i, n;
	int rc;

	/* 1. The index, then the parameters: the list's filters (which
	 * models are counted), judge, as_of, matrix. */
	if ((rc = mf_h_index(req, id, &idx, &owned)) != 0)
		return rc;
	if ((f = json_object()) == NULL) {
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if ((rc = mf_h_search_filters(req, f, extra, mf_index_id(idx))) != 0 ||
	    (rc = mf_h_query_judge(req, &judge)) != 0 ||
	    (rc = mf_h_query_int(req, "matrix", 0, 1, 0, &want_matrix)) != 0 ||
	    (rc = mf_h_query_as_of(req, &as_of, &given)) != 0 ||
	    (rc = mf_h_format(req, MF_FORMATS_ALL, MF_FORMAT_JSON, &fmt)) != 0)
		goto done;
	/* 2. Counted by the database over the facts kept per judgement. */
	if ((rc = mf_db_coverage(&cov, f, want_matrix != 0, &req->err)) != 0)
		goto done;
	n = mf_index_indicator_count(idx);
	counts = calloc(n * CELL__MAX + 1, sizeof(long));
	used = json_object();
	matrix = want_matrix ? json_array() : NULL;
	if (counts == NULL || used == NULL || (want_matrix && matrix == NULL) ||
	    fill_counts(idx, cov, counts, used) != 0) {
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	/* 3. The matrix, from the same facts: one row per selected model. */
	json_array_foreach(json_object_get(cov, "rows"), i, m)
	{
		json_t *row = matrix_row(idx, m, json_object_get(cov, "codes"));

		if (row == NULL || json_array_append_new(matrix, row) != 0) {
			rc = mf_error_set(&req->err, MF_E_NOMEM, NULL,
			                  "out of memory");
			goto done;
		}
	}
	/* 4. The answer. */
	if ((summary = summary_json(idx, counts)) == NULL ||
	    (body = json_pack(
	         "{s:s, s:s?, s:s, s:o, s:o, s:O, s:O, s:O, s:O}", "index",
	         mf_index_id(idx), "index_name", mf_index_name(idx), "judge",
	         judge ? judge : "default", "as_of",
	         given ? json_integer(as_of) : json_null(), "counted_as",
	         json_string("a model's result per indicator by the judge "
	                     "shown: met, not_met, not_applicable, or "
	                     "not_assessed (no judgement by that judge, or "
	                     "the judge left the indicator unassessed)"),
	         "models", json_object_get(cov, "models"), "judges_used", used,
	         "indicators", json_object_get(summary, "indicators"),
	         "domains", json_object_get(summary, "domains"))) == NULL) {
		json_decref(summary);
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	json_decref(summary);
	if (matrix != NULL && json_object_set(body, "matrix", matrix) != 0) {
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (fmt != MF_FORMAT_JSON) {
		rc = coverage_export(req, idx, body, matrix, fmt);
		goto done;
	}
	rc = mf_http_respond_json(req, 200, body);
	body = NULL;
done:
	json_decref(body);
	json_decref(f);
	json_decref(cov);
	json_decref(used);
	json_decref(matrix);
	free(counts);
	mf_index_free(owned);
	return rc;
}
