/*
 * The judgements resource: publish/label_data.c assembles the judgements
 * exactly as a label would show them as of the requested position (now,
 * by default), and this answers them as JSON with what they are about.
 */
#include "api/judgements.h"
#include "api/util.h"
#include "publish/label_data.h"

#include <stdlib.h>

/* The version number of path parameter 2; MF_E_NOT_FOUND if not one. */
static int
version_param(struct mf_request *req, int *out)
{
	const char *n = mf_http_param(req, 2);
	size_t i;

	for (i = 0; n[i]; i++)
		if (n[i] < '0' || n[i] > '9' || i >= 9)
			break;
	if (i == 0 || n[i] != '\0')
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such version: %s", n);
	*out = atoi(n);
	return 0;
}

int
mf_h_judgements(struct mf_request *req)
{
	const char *org, *model;
	struct mf_label_data d;
	int64_t as_of;
	bool given;
	json_t *body;
	int version = 0, rc;

	if (mf_h_param_slug(req, 0, &org) != 0 ||
	    mf_h_param_slug(req, 1, &model) != 0 ||
	    version_param(req, &version) != 0 ||
	    mf_h_query_as_of(req, &as_of, &given) != 0)
		return req->err.code;
	if (given && as_of < 0)
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "the log held nothing at that time");
	if ((rc = mf_label_data_load(&d, org, model, version, as_of, NULL, NULL,
	                             &req->err)) != 0)
		return rc;
	/* version 0 loads the newest: here it names only a model that has
	 * no disclosure */
	if (version == 0 && !d.in.assessment_only) {
		mf_label_data_dispose(&d);
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such version: 0 (%s/%s has a "
		                    "disclosure)",
		                    org, model);
	}
	body = json_pack(
	    "{s:s, s:s, s:i, s:i, s:b, s:o, s:o, s:o, s:O}", "org", org,
	    "model", model, "version", d.in.version, "latest_version",
	    d.in.latest_version, "assessment_only", d.in.assessment_only,
	    "as_of", given ? json_integer(as_of) : json_null(), "log_index",
	    d.in.log_index >= 0 ? json_integer(d.in.log_index) : json_null(),
	    "payload_sha256",
	    d.in.payload_sha256 ? json_string(d.in.payload_sha256)
	                        : json_null(),
	    "judgements", d.judgements);
	mf_label_data_dispose(&d);
	if (body == NULL)
		return mf_error_set(&req->err, MF_E_NOMEM, NULL,
		                    "out of memory");
	if ((rc = mf_http_set_header(req, "Cache-Control", "no-cache")) != 0) {
		json_decref(body);
		return rc;
	}
	return mf_http_respond_json(req, 200, body);
}
