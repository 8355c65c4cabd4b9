/*
 * The badge endpoint: the model's judgements come from
 * publish/label_data.c as its label would show them now, the judge is
 * picked by the rule every cross-model view uses, and formats/ draws
 * the SVG.
 */
#include "api/badge.h"
#include "api/coverage.h"
#include "api/util.h"
#include "app/app.h"
#include "app/config.h"
#include "common/json.h"
#include "formats/badge_svg.h"
#include "http/cache.h"
#include "publish/label_data.h"
#include "scoring/index.h"

#include <stdio.h>
#include <string.h>

#define BADGE_TYPE  "image/svg+xml; charset=utf-8"
#define BADGE_CACHE "public, max-age=300"

/* The grey 404 badge: an <img> of a model that is not there says so. */
static int
respond_not_found(struct mf_request *req, const char *label)
{
	struct mf_buf b;
	int rc;

	mf_buf_init(&b, 64u << 10);
	if ((rc = mf_badge_svg(&b, label, "not found",
	                       mf_badge_color(MF_BADGE_NONE))) == 0 &&
	    (rc = mf_http_set_header(req, "Cache-Control", "no-cache")) == 0)
		rc =
		    mf_http_respond(req, 404, BADGE_TYPE, b.data, b.len, false);
	mf_buf_dispose(&b);
	return rc;
}

int
mf_h_badge(struct mf_request *req)
{
	static const char *const allowed[] = {"index", "judge", NULL};
	const char *org, *model, *index, *judge;
	const struct mf_index *idx;
	struct mf_index *owned = NULL;
	struct mf_label_data d;
	bool loaded = false;
	const json_t *j, *score;
	struct mf_blob *blob = NULL;
	struct mf_buf b;
	char value[MF_BADGE_TEXT_MAX];
	const char *color = mf_badge_color(MF_BADGE_NONE);
	int rc;

	mf_buf_init(&b, 64u << 10);
	/* 1. the parameters: bad ones are the caller's error, in JSON */
	if ((rc = mf_h_query_allowed(req, allowed, NULL)) != 0 ||
	    (rc = mf_h_query_judge(req, &judge)) != 0)
		goto done;
	index = mf_http_query(req, "index");
	if (index == NULL)
		index = MF_INDEX_MODELFACTS_V1;
	if ((rc = mf_h_index(req, index, &idx, &owned)) != 0) {
		/* a query parameter naming nothing is the caller's 400 */
		if (rc == MF_E_NOT_FOUND) {
			mf_error_dispose(&req->err);
			rc = mf_error_set(&req->err, MF_E_BAD_PARAM,
			                  "/query/index",
			                  "query parameter 'index' names no "
			                  "index the registry has");
		}
		goto done;
	}
	/* 2. the model as its label reads now; none: the 404 badge */
	if (mf_h_param_slug(req, 0, &org) != 0 ||
	    mf_h_param_slug(req, 1, &model) != 0) {
		mf_error_dispose(&req->err);
		rc = respond_not_found(req, index);
		goto done;
	}
	rc = mf_label_data_load(&d, org, model, 0, -1, req->app->cfg->origin,
	                        NULL, &req->err);
	if (rc == MF_E_NOT_FOUND) {
		mf_error_dispose(&req->err);
		rc = respond_not_found(req, index);
		goto done;
	}
	if (rc != 0)
		goto done;
	loaded = true;
	/* 3. the judgement shown, and its band */
	j = mf_h_judgement_pick(d.judgements, index, judge);
	score = json_object_get(j, "score");
	if (j == NULL || !json_is_integer(json_object_get(score, "max"))) {
		snprintf(value, sizeof(value), "not assessed%s%s",
		         judge ? " · " : "", judge ? judge : "");
	} else {
		json_int_t met = json_integer_value(
		               json_object_get(score, "score")),
		           max = json_integer_value(
		               json_object_get(score, "max"));

		snprintf(value, sizeof(value), "%lld/%lld · %s", (long long)met,
		         (long long)max,
		         mf_json_str(j, "judge") ? mf_json_str(j, "judge")
		                                 : "?");
		color = mf_badge_color(mf_badge_band((long)met, (long)max));
	}
	/* 4. the SVG, with an ETag of its bytes */
	if ((rc = mf_badge_svg(&b, index, value, color)) != 0)
		goto done;
	if ((blob = mf_blob_new(b.data, b.len, BADGE_TYPE)) == NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	rc = mf_http_respond_blob(req, blob, BADGE_CACHE);
done:
	mf_blob_unref(blob);
	if (loaded)
		mf_label_data_dispose(&d);
	mf_index_free(owned);
	mf_buf_dispose(&b);
	return rc;
}
