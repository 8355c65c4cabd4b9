/*
 * Organisations, models, versions and evals: parameter checks, then one
 * statement each through mf_h_respond_sql_json.
 */
#include "api/read.h"
#include "common/slug.h"
#include "common/timeutil.h"
#include "db/read.h"
#include "api/util.h"

#include <stdio.h>
#include <string.h>

int
mf_h_orgs_list(struct mf_request *req)
{
	return mf_h_respond_sql_json(req, MF_SQL_ORGS_LIST, "no organisations",
	                             0, NULL);
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

int
mf_h_models_list(struct mf_request *req)
{
	const char *org = mf_http_query(req, "org");
	const char *q = mf_http_query(req, "q");
	const char *after = mf_http_query(req, "after");
	const char *params[4];
	char limit[24];
	int64_t n;

	if (org != NULL && !mf_slug_valid(org))
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter 'org' is not a valid "
		                    "organisation id");
	if ((q != NULL && strlen(q) > 200) ||
	    (after != NULL && strlen(after) > 200))
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameters 'q' and 'after' are "
		                    "limited to 200 characters");
	if (mf_h_query_int(req, "limit", 1, 1000, 100, &n) != 0)
		return req->err.code;
	snprintf(limit, sizeof(limit), "%lld", (long long)n);
	params[0] = org;
	params[1] = q;
	params[2] = after;
	params[3] = limit;
	return mf_h_respond_sql_json(req, MF_SQL_MODELS_LIST, "no models", 4,
	                             params);
}

int
mf_h_model_get(struct mf_request *req)
{
	const char *params[3], *as_of = mf_http_query(req, "as_of");
	int64_t us;

	if (mf_h_param_slug(req, 0, &params[0]) != 0 ||
	    mf_h_param_slug(req, 1, &params[1]) != 0)
		return req->err.code;
	if (as_of != NULL && mf_time_parse_rfc3339(as_of, &us) != 0)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter 'as_of' must be an RFC "
		                    "3339 date-time such as "
		                    "2025-06-01T00:00:00Z");
	params[2] = as_of;
	return mf_h_respond_sql_json(
	    req, MF_SQL_MODEL_GET,
	    as_of ? "no version of this model existed at that time"
	          : "no such model, or it has no disclosure yet",
	    3, params);
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

int
mf_h_evals_list(struct mf_request *req)
{
	const char *params[2];

	if (mf_h_param_slug(req, 0, &params[0]) != 0 ||
	    mf_h_param_slug(req, 1, &params[1]) != 0)
		return req->err.code;
	return mf_h_respond_sql_json(req, MF_SQL_EVALS_LIST, "no such model", 2,
	                             params);
}
