/*
 * Label endpoints. A sequenced version's label never changes, so it is
 * rendered once into the in-memory cache and served from there with an
 * ETag; the current label is rendered per request.
 */
#include "api/label.h"
#include "labels/label.h"
#include "app/app.h"
#include "http/cache.h"
#include "api/util.h"
#include "formats/hf_card.h"
#include "formats/eu_ai_act.h"
#include "publish/label_data.h"
#include "formats/cyclonedx.h"
#include "formats/spdx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMMUTABLE "public, max-age=31536000, immutable"

/*
 * Every form a version can be read in: one writer each, all from the same
 * struct mf_label_input. A new format is one row here, one route and one
 * handler line below; caching, ETags and as_of come with it.
 */
static const struct label_form {
	const char *content_type;
	int (*write)(struct mf_buf *out, const struct mf_label_input *in);
	bool links; /* the form links back: it gets the public URL */
} forms[] = {
    [MF_FORM_MD] = {"text/markdown; charset=utf-8", mf_label_markdown, false},
    [MF_FORM_JSON] = {"application/json", mf_label_json_text, false},
    [MF_FORM_HTML] = {"text/html; charset=utf-8", mf_label_html, true},
    [MF_FORM_HF_CARD] = {"text/markdown; charset=utf-8", mf_hf_card_write,
                         false},
    [MF_FORM_HF_EVALS] = {"application/yaml; charset=utf-8",
                          mf_hf_eval_results_write, false},
    [MF_FORM_CYCLONEDX] = {"application/vnd.cyclonedx+json; version=1.6",
                           mf_cyclonedx_json, true},
    [MF_FORM_SPDX] = {"application/spdx+json", mf_spdx_json, true},
    [MF_FORM_EU_AI_ACT] = {"application/json", mf_eu_ai_act_write, false},
};

int
mf_label_render_blob(struct mf_blob **out, enum mf_label_form_kind form,
                     const struct mf_label_input *in, struct mf_error *err)
{
	struct mf_buf b;
	int rc;

	*out = NULL;
	mf_buf_init(&b, 16u << 20);
	rc = forms[form].write(&b, in);
	if (rc == 0 && (*out = mf_blob_new(b.data ? b.data : "", b.len,
	                                   forms[form].content_type)) == NULL)
		rc = MF_E_NOMEM;
	mf_buf_dispose(&b);
	if (rc != 0)
		return mf_error_set(err, rc, NULL, "cannot render the %s",
		                    forms[form].content_type);
	return 0;
}

static int
respond_label(struct mf_request *req, enum mf_label_form_kind form,
              bool versioned)
{
	const char *org, *model, *n = versioned ? mf_http_param(req, 2) : "0";
	struct mf_label_data d;
	struct mf_blob *blob = NULL;
	char key[256];
	int64_t as_of = -1;
	bool at_point = false;
	int version, rc;
	size_t i;

	if (mf_h_param_slug(req, 0, &org) != 0 ||
	    mf_h_param_slug(req, 1, &model) != 0)
		return req->err.code;
	for (i = 0; n[i]; i++)
		if (n[i] < '0' || n[i] > '9' || i >= 9)
			return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
			                    "no such version: %s", n);
	version = atoi(n);
	if (versioned && version < 1)
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such version: %s", n);
	/* as_of: the label as it read then (not cached: a question about
	 * the past, not the version's own immutable label) */
	if ((rc = mf_h_query_as_of(req, &as_of, &at_point)) != 0)
		return rc;
	if (at_point && as_of < 0)
		return mf_error_set(
		    &req->err, MF_E_NOT_FOUND, NULL,
		    "%s/%s had no label then: the log was empty", org, model);
	if (at_point)
		versioned = false;
	snprintf(key, sizeof(key), "label/%s/%s/%d/%d", org, model, version,
	         (int)form);
	if (versioned && req->app->cache != NULL &&
	    (blob = mf_cache_get(req->app->cache, key)) != NULL)
		goto respond;
	/* label.md and label.json are the bytes the git repository holds,
	 * which never depend on a deployment's URL; the page links back. */
	rc = mf_label_data_load(
	    &d, org, model, version,
	    at_point    ? as_of
	    : versioned ? MF_LABEL_AS_OF_VERSION
	                : -1,
	    req->app->cfg->origin,
	    forms[form].links ? req->app->cfg->public_url : NULL, &req->err);
	if (rc != 0)
		return rc;
	rc = mf_label_render_blob(&blob, form, &d.in, &req->err);
	/* Only a version in the log is final: cache it then. */
	if (rc == 0 && versioned && d.in.log_index >= 0 &&
	    req->app->cache != NULL)
		mf_cache_put(req->app->cache, key, blob);
	else
		versioned = false;
	mf_label_data_dispose(&d);
	if (rc != 0)
		return rc;
respond:
	rc =
	    mf_http_respond_blob(req, blob, versioned ? IMMUTABLE : "no-cache");
	mf_blob_unref(blob);
	return rc;
}

int
mf_h_label_version_md(struct mf_request *req)
{
	return respond_label(req, MF_FORM_MD, true);
}

int
mf_h_label_version_json(struct mf_request *req)
{
	return respond_label(req, MF_FORM_JSON, true);
}

int
mf_h_label_version_html(struct mf_request *req)
{
	return respond_label(req, MF_FORM_HTML, true);
}

int
mf_h_label_current_md(struct mf_request *req)
{
	return respond_label(req, MF_FORM_MD, false);
}

int
mf_h_label_current_json(struct mf_request *req)
{
	return respond_label(req, MF_FORM_JSON, false);
}

int
mf_h_label_current_html(struct mf_request *req)
{
	return respond_label(req, MF_FORM_HTML, false);
}

int
mf_h_hf_card_version(struct mf_request *req)
{
	return respond_label(req, MF_FORM_HF_CARD, true);
}

int
mf_h_hf_card_current(struct mf_request *req)
{
	return respond_label(req, MF_FORM_HF_CARD, false);
}

int
mf_h_hf_evals_version(struct mf_request *req)
{
	return respond_label(req, MF_FORM_HF_EVALS, true);
}

int
mf_h_hf_evals_current(struct mf_request *req)
{
	return respond_label(req, MF_FORM_HF_EVALS, false);
}

int
mf_h_cyclonedx_version(struct mf_request *req)
{
	return respond_label(req, MF_FORM_CYCLONEDX, true);
}

int
mf_h_cyclonedx_current(struct mf_request *req)
{
	return respond_label(req, MF_FORM_CYCLONEDX, false);
}

int
mf_h_spdx_version(struct mf_request *req)
{
	return respond_label(req, MF_FORM_SPDX, true);
}

int
mf_h_spdx_current(struct mf_request *req)
{
	return respond_label(req, MF_FORM_SPDX, false);
}

int
mf_h_eu_ai_act_version(struct mf_request *req)
{
	return respond_label(req, MF_FORM_EU_AI_ACT, true);
}

int
mf_h_eu_ai_act_current(struct mf_request *req)
{
	return respond_label(req, MF_FORM_EU_AI_ACT, false);
}
