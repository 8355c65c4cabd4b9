/* Shared handler helpers (see handlers_util.h). */
#include "api/util.h"
#include "common/slug.h"
#include "db/exec.h"

#include <errno.h>
#include <stdlib.h>

int
mf_h_query_int(struct mf_request *req, const char *name, int64_t min,
               int64_t max, int64_t def, int64_t *out)
{
	const char *v = mf_http_query(req, name);
	char *end;
	long long n;

	*out = def;
	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < min || n > max)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter '%s' must be an integer "
		                    "from %lld to %lld",
		                    name, (long long)min, (long long)max);
	*out = n;
	return 0;
}

int
mf_h_param_slug(struct mf_request *req, int i, const char **out)
{
	const char *v = mf_http_param(req, i);

	*out = v;
	if (!mf_slug_valid(v))
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such resource: %s", req->path);
	return 0;
}

int
mf_h_respond_sql_json(struct mf_request *req, enum mf_sql stmt,
                      const char *missing, int nparams,
                      const char *const *params)
{
	PGresult *res;
	int rc;

	res = mf_db_exec(stmt, nparams, params, NULL, NULL, &req->err);
	if (res == NULL)
		return req->err.code;
	if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL, "%s",
		                    missing);
	}
	rc =
	    mf_http_respond(req, 200, "application/json", PQgetvalue(res, 0, 0),
	                    (size_t)PQgetlength(res, 0, 0), false);
	PQclear(res);
	return rc;
}
