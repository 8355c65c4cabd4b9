/*
 * What today's lists export (see exports.h): each names its statement
 * and file; api/export.c streams it. The matrix first reads the index,
 * whose indicators name its columns.
 */
#include "api/exports.h"
#include "api/export.h"
#include "common/buf.h"
#include "common/json.h"
#include "common/slug.h"
#include "db/read.h"
#include "scoring/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
mf_h_orgs_export(struct mf_request *req, enum mf_format fmt, const char *as_of)
{
	struct mf_export x = {.stmt = MF_SQL_ORGS_EXPORT,
	                      .nparams = 1,
	                      .params = &as_of,
	                      .filename = "orgs",
	                      .list_key = "orgs"};

	return mf_h_export(req, &x, fmt);
}

int
mf_h_evals_export(struct mf_request *req, enum mf_format fmt,
                  const char *const params[7])
{
	struct mf_buf found_json = MF_BUF_INIT;
	char filename[160];
	bool found;
	int rc;

	rc = mf_db_read_json(&found_json, &found, MF_SQL_MODEL_EXISTS, 2,
	                     params, &req->err);
	mf_buf_dispose(&found_json);
	if (rc != 0)
		return rc;
	if (!found)
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such model");
	snprintf(filename, sizeof(filename), "%s_%s_evals", params[0],
	         params[1]);
	struct mf_export x = {.stmt = MF_SQL_EVALS_EXPORT,
	                      .nparams = 7,
	                      .params = params,
	                      .filename = filename,
	                      .list_key = "evals"};
	return mf_h_export(req, &x, fmt);
}

int
mf_h_index_export(struct mf_request *req)
{
	static const char *const allowed[] = {"format", "as_of", NULL};
	const char *id = mf_http_param(req, 0), *params[2];
	struct mf_export_cell *cells = NULL;
	const struct mf_index *idx;
	struct mf_index *owned = NULL;
	char **names = NULL;
	char filename[96], at[24];
	enum mf_format fmt;
	size_t i, n = 0, count;
	int rc;

	if ((rc = mf_h_format(req, MF_FORMATS_ALL, MF_FORMAT_CSV, &fmt)) != 0 ||
	    (rc = mf_h_query_allowed(req, allowed, NULL)) != 0 ||
	    (rc = mf_h_query_as_of_param(req, at, &params[1])) != 0)
		return rc;
	if ((rc = mf_h_index(req, id, &idx, &owned)) != 0)
		return rc;
	/* 1. The columns: per indicator, the automatic check's result
	 * where the index has a rule for it, and the assessor's. */
	count = mf_index_indicator_count(idx);
	cells = calloc(2 * count + 1, sizeof(*cells));
	names = calloc(2 * count + 1, sizeof(*names));
	if (cells == NULL || names == NULL)
		goto nomem;
	for (i = 0; i < count; i++) {
		const struct mf_index_indicator *ind =
		    mf_index_indicator(idx, i);
		static const char *const judge[2] = {"auto", "assessor"};
		static const char *const source[2] = {"auto_results",
		                                      "assessor_grades"};
		int j;

		for (j = ind->rule != NULL ? 0 : 1; j < 2; j++) {
			size_t len = strlen(ind->id) + strlen(judge[j]) + 2;

			if ((names[n] = malloc(len)) == NULL)
				goto nomem;
			snprintf(names[n], len, "%s/%s", ind->id, judge[j]);
			cells[n].name = names[n];
			cells[n].source = source[j];
			cells[n].key = ind->id;
			n++;
		}
	}
	/* 2. The rows. */
	params[0] = mf_index_id(idx);
	snprintf(filename, sizeof(filename), "%s_judgements", mf_index_id(idx));
	struct mf_export x = {.stmt = MF_SQL_INDEX_EXPORT,
	                      .nparams = 2,
	                      .params = params,
	                      .filename = filename,
	                      .list_key = "rows",
	                      .cells = cells,
	                      .ncells = n};
	rc = mf_h_export(req, &x, fmt);
	goto done;
nomem:
	rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
done:
	for (i = 0; names != NULL && i < n + 1; i++)
		free(names[i]);
	free(names);
	free(cells);
	mf_index_free(owned);
	return rc;
}
