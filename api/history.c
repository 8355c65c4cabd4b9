/*
 * History and diffs. A diff compares the two signed payloads field by
 * field (leaving out the header fields every version changes), the two
 * modelfacts-v1 scores indicator by indicator, and the two labels as text.
 */
#include "api/history.h"
#include "common/json.h"
#include "labels/diff.h"
#include "app/app.h"
#include "http/cache.h"
#include "db/read.h"
#include "api/label.h"
#include "api/util.h"
#include "publish/label_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
mf_h_history(struct mf_request *req)
{
	const char *params[2];

	if (mf_h_param_slug(req, 0, &params[0]) != 0 ||
	    mf_h_param_slug(req, 1, &params[1]) != 0)
		return req->err.code;
	return mf_h_respond_sql_json(req, MF_SQL_MODEL_HISTORY, "no such model",
	                             2, params);
}

struct side {
	json_t *payload, *scores;
	int total, max;
	char *label; /* label.md as of the version itself */
};

static void
side_dispose(struct side *s)
{
	json_decref(s->payload);
	json_decref(s->scores);
	free(s->label);
}

static int
load_side(struct mf_request *req, const char *org, const char *model, int64_t n,
          struct side *s)
{
	char v[24];
	struct mf_label_data d;
	struct mf_blob *b = NULL;
	struct mf_db_diff_version dv;
	bool found;
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(v, sizeof(v), "%lld", (long long)n);
	rc = mf_db_version_for_diff(&dv, &found, org, model, v, &req->err);
	/* the side owns the documents from here on */
	s->payload = dv.payload;
	s->scores = dv.scores;
	s->total = dv.score_total;
	s->max = dv.score_max;
	if (rc != 0)
		return rc;
	if (!found)
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "%s/%s has no version %s", org, model, v);
	if ((rc = mf_label_data_load(
	         &d, org, model, (int)n, MF_LABEL_AS_OF_VERSION,
	         req->app->cfg->origin, NULL, &req->err)) != 0)
		return rc;
	rc = mf_label_render_blob(&b, MF_FORM_MD, &d.in, &req->err);
	mf_label_data_dispose(&d);
	if (rc == 0 && (s->label = strdup(b->data)) == NULL)
		rc = MF_E_NOMEM;
	mf_blob_unref(b);
	return rc;
}

/* Indicators whose result differs: [{"id", "from", "to"}], from the
 * stored score summaries ({"results": {id: result}}). */
static json_t *
indicator_changes(const json_t *from, const json_t *to)
{
	json_t *out = json_array(), *a, *b;
	const char *id;

	json_object_foreach(json_object_get(from, "results"), id, a)
	{
		b = json_object_get(json_object_get(to, "results"), id);
		if (b != NULL && !json_equal(a, b))
			json_array_append_new(out, json_pack("{s:s, s:O, s:O}",
			                                     "id", id, "from",
			                                     a, "to", b));
	}
	return out;
}

/* Leaves out the header fields that every new version changes. */
static json_t *
field_changes(const json_t *from, const json_t *to)
{
	static const char *const header[] = {"/seq", "/issued_at",
	                                     "/supersedes"};
	json_t *all = NULL, *out = json_array(), *c;
	size_t i, k;

	if (mf_diff_json(&all, from, to) != 0 || out == NULL) {
		json_decref(all);
		json_decref(out);
		return NULL;
	}
	json_array_foreach(all, i, c)
	{
		const char *p = mf_json_str(c, "pointer");

		for (k = 0; k < 3 && strcmp(p, header[k]) != 0; k++)
			;
		if (k == 3)
			json_array_append(out, c);
	}
	json_decref(all);
	return out;
}

int
mf_h_diff(struct mf_request *req)
{
	const char *org, *model;
	struct side a, b;
	struct mf_buf text = MF_BUF_INIT;
	char na[96], nb[96];
	int64_t from, to;
	json_t *out;
	int rc;

	if (mf_h_param_slug(req, 0, &org) != 0 ||
	    mf_h_param_slug(req, 1, &model) != 0)
		return req->err.code;
	if (mf_http_query(req, "from") == NULL ||
	    mf_http_query(req, "to") == NULL)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameters 'from' and 'to' (version "
		                    "numbers) are required");
	if (mf_h_query_int(req, "from", 1, 1000000000, 1, &from) != 0 ||
	    mf_h_query_int(req, "to", 1, 1000000000, 1, &to) != 0)
		return req->err.code;
	memset(&b, 0, sizeof(b));
	if ((rc = load_side(req, org, model, from, &a)) != 0 ||
	    (rc = load_side(req, org, model, to, &b)) != 0)
		goto done;
	snprintf(na, sizeof(na), "v%lld/label.md", (long long)from);
	snprintf(nb, sizeof(nb), "v%lld/label.md", (long long)to);
	if ((rc = mf_diff_text(&text, a.label, b.label, na, nb)) != 0) {
		mf_error_set(&req->err, rc, NULL, "cannot diff the labels");
		goto done;
	}
	out = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o,"
	                " s:{s:i, s:i, s:i, s:i, s:i}, s:s}",
	                "org", org, "model", model, "from", (json_int_t)from,
	                "to", (json_int_t)to, "fields",
	                field_changes(a.payload, b.payload), "indicators",
	                indicator_changes(a.scores, b.scores), "score", "from",
	                a.total, "to", b.total, "delta", b.total - a.total,
	                "max_from", a.max, "max_to", b.max, "label_diff",
	                text.data ? text.data : "");
	rc = mf_http_respond_json(req, 200, out);
done:
	side_dispose(&a);
	side_dispose(&b);
	mf_buf_dispose(&text);
	return rc;
}
