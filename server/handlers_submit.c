/*
 * POST /v1/submissions. The pipeline is ingest.c; this file turns its
 * outcome into HTTP: 201 for a new record, 200 for one already accepted,
 * the error table's status otherwise.
 */
#include "server/handlers_submit.h"
#include "common/json.h"
#include "server/app.h"
#include "server/db.h"
#include "server/ingest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The response body: the record, warnings and links. */
static int
respond_record(struct mf_request *req, unsigned status, int64_t id,
	       json_t *warnings)
{
	char ids[24], link[MF_CONFIG_STR_MAX + 256];
	json_t *rec, *links;
	PGresult *res;

	snprintf(ids, sizeof(ids), "%" PRId64, id);
	res = mf_db_execv(MF_SQL_SUBMISSION_RECORD, &req->err, 1, ids);
	if (res == NULL)
		return req->err.code;
	rec = mf_json_parse(PQgetvalue(res, 0, 0),
			    (size_t)PQgetlength(res, 0, 0), "record", NULL,
			    &req->err);
	PQclear(res);
	if (rec == NULL)
		return MF_E_INTERNAL;
	json_object_set_new(rec, "warnings",
			    warnings ? json_incref(warnings) : json_array());
	links = json_object();
	if (json_is_string(json_object_get(rec, "model"))) {
		snprintf(link, sizeof(link), "%s/v1/models/%s/%s",
			 req->app->cfg->public_url,
			 mf_json_str(rec, "org"), mf_json_str(rec, "model"));
		json_object_set_new(links, "model", json_string(link));
	}
	json_object_set_new(rec, "links", links);
	json_object_set_new(rec, "status",
			    json_string(status == 201 ? "accepted"
						      : "already_accepted"));
	return mf_http_respond_json(req, status, rec);
}

int
mf_h_submit(struct mf_request *req)
{
	struct mf_ingest_result r;
	int rc;

	mf_ingest_result_init(&r);
	rc = mf_ingest_submit(req->app, req->body.data ? req->body.data : "",
			      req->body.len, &r, &req->err);
	if (rc == 0)
		rc = respond_record(req, r.existing ? 200 : 201,
				    r.submission_id, r.warnings);
	mf_ingest_result_dispose(&r);
	return rc;
}
