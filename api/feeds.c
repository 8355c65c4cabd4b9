/*
 * The Atom feeds: one statement (MF_SQL_FEED_VERSIONS) lists the
 * versions for the registry, an organisation or a model, and
 * formats/atom.c writes them. Entry ids are tag: URIs made of the
 * registry's origin, the day the version was accepted and its path, so
 * they stay the same when the registry's public URL changes.
 */
#include "api/feeds.h"
#include "api/util.h"
#include "app/app.h"
#include "app/config.h"
#include "common/json.h"
#include "formats/atom.h"
#include "http/cache.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_TYPE  "application/atom+xml; charset=utf-8"
#define FEED_CACHE "public, max-age=60"
#define URL_MAX    (MF_CONFIG_STR_MAX + 256)

/* The texts of one entry, which the entry struct borrows. */
struct entry_text {
	char id[URL_MAX], title[512], link[URL_MAX], json[URL_MAX];
	char author_uri[URL_MAX], summary[768];
};

/* snprintf into a fixed buffer, cutting what does not fit (each text
 * is bounded; a cut title or summary still reads). */
static void put(char *dst, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
put(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, n, fmt, ap);
	va_end(ap);
}

/* Fills e and its texts t from one row of MF_SQL_FEED_VERSIONS. */
static void
fill_entry(struct mf_atom_entry *e, struct entry_text *t, const json_t *row,
           const char *origin, const char *base)
{
	const char *org = mf_json_str(row, "org"), *model;
	const char *name = mf_json_str(row, "name");
	const char *at = mf_json_str(row, "accepted_at");
	const char *mv = mf_json_str(row, "model_version");
	json_int_t n = json_integer_value(json_object_get(row, "version"));
	json_int_t total, max;

	model = mf_json_str(row, "model");
	org = org ? org : "";
	model = model ? model : "";
	at = at ? at : "1970-01-01T00:00:00Z";
	total = json_integer_value(json_object_get(row, "score_total"));
	max = json_integer_value(json_object_get(row, "score_max"));
	put(t->id, sizeof(t->id), "tag:%s,%.10s:models/%s/%s/versions/%lld",
	    origin, at, org, model, (long long)n);
	if (name != NULL && *name != '\0')
		put(t->title, sizeof(t->title), "%s (%s/%s) version %lld", name,
		    org, model, (long long)n);
	else
		put(t->title, sizeof(t->title), "%s/%s version %lld", org,
		    model, (long long)n);
	put(t->link, sizeof(t->link), "%s/models/%s/%s/versions/%lld", base,
	    org, model, (long long)n);
	put(t->json, sizeof(t->json),
	    "%s/v1/models/%s/%s/versions/%lld/label.json", base, org, model,
	    (long long)n);
	put(t->author_uri, sizeof(t->author_uri), "%s/orgs/%s", base, org);
	put(t->summary, sizeof(t->summary),
	    "%s/%s version %lld%s%s%s accepted at %s as log entry %lld; "
	    "modelfacts-v1 automatic check: %lld of %lld indicators met.",
	    org, model, (long long)n, mv ? " (model version " : "",
	    mv ? mv : "", mv ? ")" : "", at,
	    (long long)json_integer_value(json_object_get(row, "log_index")),
	    (long long)total, (long long)max);
	e->id = t->id;
	e->title = t->title;
	e->updated = at;
	e->link = t->link;
	e->json = t->json;
	e->author =
	    mf_json_str(row, "org_name") ? mf_json_str(row, "org_name") : org;
	e->author_uri = t->author_uri;
	e->summary = t->summary;
}

/*
 * Answers the feed of org and model (each NULL for any); title and page
 * (the HTML page it follows, a path) describe it.
 */
static int
respond_feed(struct mf_request *req, const char *org, const char *model,
             const char *title, const char *page)
{
	static const char *const allowed[] = {NULL};
	const struct mf_config *cfg = req->app->cfg;
	char limit[16], self[URL_MAX], page_url[URL_MAX];
	const char *params[3] = {org, model, limit};
	struct mf_atom_entry *entries = NULL;
	struct entry_text *texts = NULL;
	struct mf_atom_feed feed;
	struct mf_blob *blob = NULL;
	json_t *doc = NULL, *rows, *row;
	struct mf_buf b;
	size_t i, n;
	int rc;

	mf_buf_init(&b, 4u << 20);
	/* 1. the versions, newest first; an unknown org or model is 404 */
	if ((rc = mf_h_query_allowed(req, allowed, NULL)) != 0)
		goto done;
	put(limit, sizeof(limit), "%d", MF_FEED_ENTRIES);
	if ((rc = mf_h_sql_json(req, MF_SQL_FEED_VERSIONS, 3, params, &doc)) !=
	    0)
		goto done;
	if (doc == NULL) {
		if (model != NULL)
			rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
			                  "no such model: %s/%s", org, model);
		else
			rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
			                  "no such organisation: %s", org);
		goto done;
	}
	rows = json_object_get(doc, "entries");
	n = json_array_size(rows);
	if (n > MF_FEED_ENTRIES)
		n = MF_FEED_ENTRIES;
	entries = calloc(n + 1, sizeof(*entries));
	texts = calloc(n + 1, sizeof(*texts));
	if (entries == NULL || texts == NULL) {
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	/* 2. the entries and the feed around them */
	for (i = 0; i < n; i++) {
		row = json_array_get(rows, i);
		fill_entry(&entries[i], &texts[i], row, cfg->origin,
		           cfg->public_url);
	}
	put(self, sizeof(self), "%s%s", cfg->public_url, req->path);
	put(page_url, sizeof(page_url), "%s%s", cfg->public_url, page);
	feed.id = self;
	feed.title = title;
	feed.self = self;
	feed.page = page_url;
	feed.updated =
	    n > 0 ? entries[0].updated : mf_json_str(doc, "fallback");
	if (feed.updated == NULL)
		feed.updated = "1970-01-01T00:00:00Z";
	feed.entries = entries;
	feed.nentries = n;
	/* 3. the document, with an ETag of its bytes */
	if ((rc = mf_atom_write(&b, &feed)) != 0) {
		rc = mf_error_set(&req->err, rc, NULL, "cannot write the feed");
		goto done;
	}
	if ((blob = mf_blob_new(b.data, b.len, FEED_TYPE)) == NULL) {
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	rc = mf_http_respond_blob(req, blob, FEED_CACHE);
done:
	mf_blob_unref(blob);
	free(entries);
	free(texts);
	json_decref(doc);
	mf_buf_dispose(&b);
	return rc;
}

int
mf_h_feed_versions(struct mf_request *req)
{
	return respond_feed(req, NULL, NULL, "modelfacts: new model versions",
	                    "/models");
}

int
mf_h_feed_org(struct mf_request *req)
{
	const char *org;
	char title[128], page[128];

	if (mf_h_param_slug(req, 0, &org) != 0)
		return req->err.code;
	put(title, sizeof(title), "modelfacts: new versions from %s", org);
	put(page, sizeof(page), "/orgs/%s", org);
	return respond_feed(req, org, NULL, title, page);
}

int
mf_h_feed_model(struct mf_request *req)
{
	const char *org, *model;
	char title[192], page[192];

	if (mf_h_param_slug(req, 0, &org) != 0 ||
	    mf_h_param_slug(req, 1, &model) != 0)
		return req->err.code;
	put(title, sizeof(title), "modelfacts: new versions of %s/%s", org,
	    model);
	put(page, sizeof(page), "/models/%s/%s", org, model);
	return respond_feed(req, org, model, title, page);
}
