/*
 * Organisations, models, versions and evals: parameter checks, then one
 * statement each through mf_h_respond_sql_json; the read of a model with
 * assessments but no disclosure is assembled from its judgements.
 */
#include "api/read.h"
#include "common/slug.h"
#include "common/timeutil.h"
#include "db/label.h"
#include "db/read.h"
#include "api/util.h"
#include "api/exports.h"
#include "publish/label_data.h"

#include <stdio.h>
#include <string.h>

int
mf_h_orgs_list(struct mf_request *req)
{
	static const char *const allowed[] = {"format", "as_of", NULL};
	const char *p[1];
	enum mf_format fmt;
	char at[24];

	if (mf_h_format(req, MF_FORMATS_ALL, MF_FORMAT_JSON, &fmt) != 0 ||
	    mf_h_query_allowed(req, allowed, NULL) != 0 ||
	    mf_h_query_as_of_param(req, at, &p[0]) != 0)
		return req->err.code;
	if (fmt != MF_FORMAT_JSON)
		return mf_h_orgs_export(req, fmt, p[0]);
	return mf_h_respond_sql_json(req, MF_SQL_ORGS_LIST, "no organisations",
	                             1, p);
}

int
mf_h_org_get(struct mf_request *req)
{
	const char *org;

	if (mf_h_param_slug(req, 0, &org) != 0)
		return req->err.code;
	return mf_h_respond_sql_json(req, MF_SQL_ORG_GET,
	                             "no such organisation", 1, &org);
}

int
mf_h_org_keys(struct mf_request *req)
{
	const char *org;

	if (mf_h_param_slug(req, 0, &org) != 0)
		return req->err.code;
	return mf_h_respond_sql_json(req, MF_SQL_ORG_KEYS,
	                             "no such organisation", 1, &org);
}

/* One line of a judgements summary: who judged what, when, how much. */
static json_t *
judgement_summary(const json_t *j)
{
	const json_t *score = json_object_get(j, "score");
	json_t *o = json_object();
	const char *const copied[] = {
	    "index", "index_name", "judge",          "judge_name",
	    "at",    "log_index",  "payload_sha256", "source"};
	size_t i;

	if (o == NULL)
		return NULL;
	for (i = 0; i < sizeof(copied) / sizeof(copied[0]); i++)
		if (json_object_set(o, copied[i],
		                    json_object_get(j, copied[i])) != 0)
			goto fail;
	if (json_object_set(o, "score", json_object_get(score, "score")) != 0 ||
	    json_object_set(o, "max", json_object_get(score, "max")) != 0 ||
	    json_object_set(o, "unassessed",
	                    json_object_get(score, "unassessed")) != 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/*
 * The model read of a model nobody has disclosed anything about but an
 * assessor has graded: said plainly, with its judgements summarised.
 * as_of is the RFC 3339 instant of the query, or NULL for now.
 */
static int
assessment_only_model(struct mf_request *req, const char *org,
                      const char *model, int64_t at, bool given)
{
	struct mf_label_data d;
	json_t *body = NULL, *list, *x;
	size_t i;
	int rc;

	if (given && at < 0)
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no version of this model existed at that "
		                    "time");
	if (!given)
		at = -1;
	if ((rc = mf_label_data_load(&d, org, model, 0, at, NULL, NULL,
	                             &req->err)) != 0)
		return rc;
	if (!d.in.assessment_only) { /* a disclosure arrived meanwhile */
		mf_label_data_dispose(&d);
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no version of this model existed at that "
		                    "time");
	}
	if ((list = json_array()) == NULL)
		goto nomem;
	for (i = 0; i < json_array_size(d.judgements); i++)
		if ((x = judgement_summary(json_array_get(d.judgements, i))) ==
		        NULL ||
		    json_array_append_new(list, x) != 0) {
			json_decref(list);
			goto nomem;
		}
	body = json_pack("{s:s, s:s, s:n, s:i, s:b, s:n, s:n, s:s, s:o}", "org",
	                 org, "model", model, "version", "latest_version", 0,
	                 "assessment_only", 1, "disclosure", "facts", "note",
	                 "The developer has disclosed nothing in this "
	                 "registry; the judgements are assessors' grades.",
	                 "judgements", list);
nomem:
	mf_label_data_dispose(&d);
	if (body == NULL)
		return mf_error_set(&req->err, MF_E_NOMEM, NULL,
		                    "out of memory");
	return mf_http_respond_json(req, 200, body);
}

int
mf_h_model_get(struct mf_request *req)
{
	const char *params[3];
	struct mf_buf body = MF_BUF_INIT;
	bool found, given;
	int64_t as_of;
	char at[24];
	int rc;

	/* as_of as on every read: a log index or an RFC 3339 instant */
	if (mf_h_param_slug(req, 0, &params[0]) != 0 ||
	    mf_h_param_slug(req, 1, &params[1]) != 0 ||
	    mf_h_query_as_of(req, &as_of, &given) != 0)
		return req->err.code;
	snprintf(at, sizeof(at), "%lld", (long long)as_of);
	params[2] = given ? at : NULL;
	/* 1. The (newest) version; none: perhaps an assessment-only model. */
	if ((rc = mf_db_read_json(&body, &found, MF_SQL_MODEL_GET, 3, params,
	                          &req->err)) != 0)
		goto done;
	if (!found) {
		rc = assessment_only_model(req, params[0], params[1], as_of,
		                           given);
		if (rc == MF_E_NOT_FOUND) {
			mf_error_dispose(&req->err);
			mf_error_init(&req->err);
			rc = mf_error_set(
			    &req->err, MF_E_NOT_FOUND, NULL, "%s",
			    given ? "no version of this model existed at "
			            "that time"
			          : "no such model, or nothing disclosed or "
			            "assessed about it yet");
		}
		goto done;
	}
	/* 2. Answered byte for byte. */
	rc = mf_http_respond(req, 200, "application/json",
	                     body.data ? body.data : "", body.len, false);
done:
	mf_buf_dispose(&body);
	return rc;
}

int
mf_h_versions_list(struct mf_request *req)
{
	const char *params[2];

	if (mf_h_param_slug(req, 0, &params[0]) != 0 ||
	    mf_h_param_slug(req, 1, &params[1]) != 0)
		return req->err.code;
	return mf_h_respond_sql_json(req, MF_SQL_VERSIONS_LIST, "no such model",
	                             2, params);
}

/* org, model and a version number from the path. */
static int
version_params(struct mf_request *req, const char *params[3])
{
	const char *n = mf_http_param(req, 2);
	size_t i;

	if (mf_h_param_slug(req, 0, &params[0]) != 0 ||
	    mf_h_param_slug(req, 1, &params[1]) != 0)
		return req->err.code;
	for (i = 0; n[i]; i++)
		if (n[i] < '0' || n[i] > '9' || i >= 9)
			return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
			                    "no such version: %s", n);
	params[2] = n;
	return 0;
}

int
mf_h_version_get(struct mf_request *req)
{
	const char *params[3];

	if (version_params(req, params) != 0)
		return req->err.code;
	return mf_h_respond_sql_json(req, MF_SQL_VERSION_GET, "no such version",
	                             3, params);
}

int
mf_h_version_envelope(struct mf_request *req)
{
	struct mf_buf raw = MF_BUF_INIT;
	const char *params[3];
	bool found;
	int rc;

	if (version_params(req, params) != 0)
		return req->err.code;
	if ((rc = mf_db_version_envelope(&raw, &found, params[0], params[1],
	                                 params[2], &req->err)) != 0)
		goto done;
	if (!found) {
		rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                  "no such version");
		goto done;
	}
	/* An accepted version never changes. */
	mf_http_set_header(req, "Cache-Control",
	                   "public, max-age=31536000, immutable");
	rc = mf_http_respond(req, 200, "application/json",
	                     raw.data ? raw.data : "", raw.len, false);
done:
	mf_buf_dispose(&raw);
	return rc;
}

/* A filter value: at most 200 printable characters. */
static int
filter_param(struct mf_request *req, const char *name, const char **out)
{
	const char *v = mf_http_query(req, name);
	size_t i;

	*out = v;
	if (v == NULL)
		return 0;
	for (i = 0; v[i]; i++)
		if ((unsigned char)v[i] < 0x20 || i >= 200)
			break;
	if (i == 0 || v[i] != '\0')
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter '%s' must be 1 to 200 "
		                    "printable characters",
		                    name);
	return 0;
}

int
mf_h_evals_list(struct mf_request *req)
{
	static const char *const allowed[] = {
	    "benchmark", "metric", "assurance", "evaluator",
	    "as_of",     "format", NULL};
	const char *params[7];
	enum mf_format fmt;
	char at[24];

	if (mf_h_format(req, MF_FORMATS_ALL, MF_FORMAT_JSON, &fmt) != 0 ||
	    mf_h_query_allowed(req, allowed, NULL) != 0)
		return req->err.code;
	if (mf_h_param_slug(req, 0, &params[0]) != 0 ||
	    mf_h_param_slug(req, 1, &params[1]) != 0 ||
	    filter_param(req, "benchmark", &params[2]) != 0 ||
	    filter_param(req, "metric", &params[3]) != 0 ||
	    mf_h_query_as_of_param(req, at, &params[6]) != 0)
		return req->err.code;
	params[4] = mf_http_query(req, "assurance");
	if (params[4] != NULL && strcmp(params[4], "self_reported") != 0 &&
	    strcmp(params[4], "third_party") != 0)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter 'assurance' must be "
		                    "self_reported or third_party");
	params[5] = mf_http_query(req, "evaluator");
	if (params[5] != NULL && !mf_slug_valid(params[5]))
		return mf_error_set(
		    &req->err, MF_E_BAD_PARAM, NULL,
		    "query parameter 'evaluator' is not a valid "
		    "organisation id");
	/* the streamed export takes the same filters */
	if (fmt != MF_FORMAT_JSON)
		return mf_h_evals_export(req, fmt, params);
	return mf_h_respond_sql_json(req, MF_SQL_EVALS_LIST, "no such model", 7,
	                             params);
}
