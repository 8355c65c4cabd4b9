/*
 * The home page: what the registry is, a search box, its counts, the
 * recently published versions and the current signed checkpoint.
 */
#include "site/page.h"
#include "site/pages.h"
#include "site/rows.h"

#include <stdlib.h>

static void
count(struct mf_page *p, const char *id, const char *what, const json_t *v)
{
	mf_page_printf(p, "<div><dt>%s</dt><dd id=\"count-%s\">", what, id);
	mf_page_json_text(p, v, "0");
	mf_page_raw(p, "</dd></div>");
}

int
mf_site_home(struct mf_request *req)
{
	static const char *const allowed[] = {NULL};
	struct mf_page p;
	json_t *reg, *recent, *counts;
	char *checkpoint;
	int rc;

	mf_page_init(&p, req);
	mf_page_only(&p, allowed);
	reg = mf_page_fetch(&p, "/v1/registry");
	recent = mf_page_fetch(&p, "/v1/models?sort=-updated&limit=10");
	checkpoint = mf_page_fetch_text(&p, "/v1/log/checkpoint", false);
	counts = json_object_get(reg, "counts");

	p.feed = "/v1/feeds/versions.atom";
	mf_page_begin(&p, "Model transparency registry", "/", NULL);
	mf_page_raw(
	    &p,
	    "<h1>Model facts: signed transparency labels for AI models</h1>\n"
	    "<p class=\"lede\">Model developers, evaluators and assessors "
	    "publish signed disclosures, evaluation results and assessments "
	    "here; each becomes a versioned nutrition label with its scores "
	    "and who judged them. Every document is appended to a "
	    "tamper-evident log and to a git repository, so anyone can check "
	    "offline who said what, and when.</p>\n"
	    "<form class=\"search big\" role=\"search\" aria-label=\"Find a "
	    "model\" action=\"/models\" "
	    "method=\"get\"><label for=\"home-q\">Find a model</label> "
	    "<input id=\"home-q\" name=\"q\" type=\"search\" "
	    "placeholder=\"e.g. granite, open weights, meta\"> "
	    "<button type=\"submit\">Search</button></form>\n"
	    "<section aria-labelledby=\"h-counts\"><h2 id=\"h-counts\">In "
	    "the registry</h2>\n<dl class=\"counts\">");
	count(&p, "models", "Models", json_object_get(counts, "models"));
	count(&p, "organisations", "Organisations",
	      json_object_get(counts, "organisations"));
	count(&p, "log-entries", "Log entries",
	      json_object_get(counts, "log_entries"));
	mf_page_raw(&p,
	            "</dl></section>\n<section aria-labelledby=\"h-recent\">"
	            "<h2 id=\"h-recent\">Recently published</h2>\n");
	mf_site_model_rows(&p, json_object_get(recent, "models"), "recent");
	mf_page_raw(&p, "<p><a href=\"/models?sort=-updated\">All models, "
	                "newest first</a> · <a "
	                "href=\"/v1/feeds/versions.atom\">New versions as an "
	                "Atom feed</a></p></section>\n"
	                "<section aria-labelledby=\"h-checkpoint\"><h2 "
	                "id=\"h-checkpoint\">Current signed checkpoint</h2>\n");
	if (checkpoint != NULL) {
		mf_page_raw(&p, "<pre class=\"checkpoint\" id=\"checkpoint\">");
		mf_page_text_pre(&p, checkpoint);
		mf_page_raw(&p, "</pre>\n");
	} else {
		mf_page_raw(&p, "<p class=\"empty\">The log is empty: nothing "
		                "has been published yet.</p>\n");
	}
	mf_page_raw(&p, "<p><a href=\"/log\">The log, and how to verify "
	                "it</a></p></section>\n");
	mf_page_end(&p);
	rc = mf_page_finish(&p);
	mf_page_dispose(&p);
	json_decref(reg);
	json_decref(recent);
	free(checkpoint);
	return rc;
}
