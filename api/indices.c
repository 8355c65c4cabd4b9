/*
 * Indices. modelfacts-v1 is compiled into the binary; others live in the
 * indices table, loaded once by the operator and never changed, because
 * every score computed against an index depends on it.
 */
#include "api/indices.h"
#include "common/embedded.h"
#include "common/json.h"
#include "common/slug.h"
#include "scoring/index.h"
#include "db/read.h"
#include "db/registry.h"
#include "api/admin.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BUILTIN_PATH "schema/indices/modelfacts-v1.json"

int
mf_h_indices_list(struct mf_request *req)
{
	const struct mf_index *mf = mf_index_modelfacts_v1();
	struct mf_buf text = MF_BUF_INIT;
	json_t *list, *builtin;
	bool found;

	if (mf_db_read_json(&text, &found, MF_SQL_INDICES_LIST, 0, NULL,
	                    &req->err) != 0) {
		mf_buf_dispose(&text);
		return req->err.code;
	}
	list = mf_json_parse(text.data ? text.data : "", text.len, "indices",
	                     NULL, &req->err);
	mf_buf_dispose(&text);
	if (list == NULL)
		return MF_E_INTERNAL;
	builtin = json_pack(
	    "{s:s, s:s, s:s?, s:I, s:b}", "id", mf_index_id(mf), "name",
	    mf_index_name(mf), "edition", mf_index_version(mf), "indicators",
	    (json_int_t)mf_index_indicator_count(mf), "builtin", 1);
	json_array_insert_new(list, 0, builtin);
	return mf_http_respond_json(req, 200,
	                            json_pack("{s:o}", "indices", list));
}

int
mf_h_index_get(struct mf_request *req)
{
	const char *id = mf_http_param(req, 0);
	const struct mf_embedded *e;
	struct mf_buf doc = MF_BUF_INIT;
	const char *params[1] = {id};
	bool found;
	int rc;

	if (strcmp(id, MF_INDEX_MODELFACTS_V1) == 0 &&
	    (e = mf_embedded_get(BUILTIN_PATH)) != NULL)
		return mf_http_respond(req, 200, "application/json", e->data,
		                       e->len, true);
	if (!mf_index_id_valid(id))
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such index");
	if ((rc = mf_db_read_json(&doc, &found, MF_SQL_INDEX_GET, 1, params,
	                          &req->err)) != 0)
		goto done;
	if (!found) {
		rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                  "no such index: %s", id);
		goto done;
	}
	rc = mf_http_respond(req, 200, "application/json",
	                     doc.data ? doc.data : "", doc.len, false);
done:
	mf_buf_dispose(&doc);
	return rc;
}

int
mf_h_admin_put_index(struct mf_request *req)
{
	struct mf_index *idx = NULL;
	json_t *doc = NULL, *stored = NULL;
	char *text = NULL, *stored_text = NULL;
	bool fresh;
	int rc;

	if ((rc = mf_h_require_admin(req)) != 0)
		return rc;
	doc = mf_json_parse(req->body.data ? req->body.data : "", req->body.len,
	                    "index document", "", &req->err);
	if (doc == NULL)
		return req->err.code;
	/* The checks scoring relies on: ids, domains, well-formed rules. */
	if ((rc = mf_index_load(&idx, doc, &req->err)) != 0) {
		req->err.code = rc = MF_E_VALIDATION;
		goto done;
	}
	if (strcmp(mf_index_id(idx), MF_INDEX_MODELFACTS_V1) == 0 ||
	    !mf_index_id_valid(mf_index_id(idx))) {
		rc = mf_error_set(&req->err, MF_E_VALIDATION, "/id",
		                  "the index id must match [a-z0-9][a-z0-9.-]"
		                  "{0,62} and differ from %s",
		                  MF_INDEX_MODELFACTS_V1);
		goto done;
	}
	if ((text = mf_json_dump(doc)) == NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	if ((rc = mf_db_index_put(mf_index_id(idx),
	                          mf_index_name(idx) ? mf_index_name(idx)
	                                             : mf_index_id(idx),
	                          text, &fresh, &stored_text, &req->err)) != 0)
		goto done;
	if (stored_text != NULL)
		stored = mf_json_parse(stored_text, strlen(stored_text),
		                       "stored", NULL, &req->err);
	if (!fresh && (stored == NULL || !json_equal(stored, doc))) {
		rc =
		    mf_error_set(&req->err, MF_E_CONFLICT, "/id",
		                 "an index with the id %s and other content is "
		                 "already loaded; indices never change",
		                 mf_index_id(idx));
		goto done;
	}
	rc = mf_http_respond_json(
	    req, fresh ? 201 : 200,
	    json_pack("{s:s, s:I, s:s}", "id", mf_index_id(idx), "indicators",
	              (json_int_t)mf_index_indicator_count(idx), "status",
	              fresh ? "loaded" : "already_loaded"));
done:
	json_decref(stored);
	free(stored_text);
	free(text);
	mf_index_free(idx);
	json_decref(doc);
	return rc;
}
