/*
 * Search and browse (/models): the page's query is GET /v1/models's,
 * forwarded as it is (so the API checks it: a bad parameter is a 400
 * page naming it), with facets, sorting and pagination by the API's
 * cursor.
 */
#include "site/page.h"
#include "site/pages.h"
#include "site/rows.h"

#include <string.h>

static const char *const joined[] = {"access", "input", "output", NULL};

static const char *const modalities[] = {
    "text",       "code",    "image", "audio", "video", "structured_data",
    "embeddings", "actions", "other", NULL};
static const char *const accesses[] = {"open_weights",   "gated_weights", "api",
                                       "hosted_product", "closed",        NULL};
static const char *const statuses[] = {"not_met", "met", "not_applicable",
                                       "unassessed", NULL};
static const struct {
	const char *value, *name;
} sorts[] = {
    {"", "Default (relevance with a search, else id)"},
    {"name", "Name"},
    {"-score", "Score, best first"},
    {"score", "Score, lowest first"},
    {"-release_date", "Release date, newest first"},
    {"-parameters", "Parameters, most first"},
    {"-updated", "Recently updated"},
};

/* The API query: the page's arguments (status only with an indicator),
 * 20 rows unless asked, and cursor only when keep_cursor. */
static int
api_query(struct mf_buf *q, const struct mf_page_args *a, bool keep_cursor,
          bool for_api)
{
	int i, rc = 0;

	for (i = 0; i < a->n && rc == 0; i++) {
		if (strcmp(a->names[i], "cursor") == 0 && !keep_cursor)
			continue;
		if (strcmp(a->names[i], "status") == 0 &&
		    mf_page_arg(a, "indicator") == NULL)
			continue;
		rc = mf_page_qs(q, a->names[i], a->values[i]);
	}
	if (rc == 0 && for_api && mf_page_arg(a, "limit") == NULL)
		rc = mf_page_qs(q, "limit", "20");
	return rc;
}

static void
select_open(struct mf_page *p, const char *id, const char *name,
            const char *label)
{
	mf_page_printf(p,
	               "<div class=\"field\"><label for=\"%s\">%s</label> "
	               "<select id=\"%s\" name=\"%s\">",
	               id, label, id, name);
}

static void
option(struct mf_page *p, const char *value, const char *text, bool selected)
{
	mf_page_raw(p, "<option value=\"");
	mf_page_text(p, value);
	mf_page_raw(p, selected ? "\" selected>" : "\">");
	mf_page_text(p, text);
	mf_page_raw(p, "</option>");
}

static void
text_field(struct mf_page *p, const char *id, const char *name,
           const char *label, const char *type, const char *value)
{
	mf_page_printf(p,
	               "<div class=\"field\"><label for=\"%s\">%s</label> "
	               "<input id=\"%s\" name=\"%s\" type=\"%s\" value=\"",
	               id, label, id, name, type);
	mf_page_text(p, value);
	mf_page_raw(p, "\"></div>");
}

static void
enum_select(struct mf_page *p, const char *name, const char *label,
            const char *const *values, const char *current, const char *any)
{
	char id[32];

	snprintf(id, sizeof(id), "f-%s", name);
	select_open(p, id, name, label);
	option(p, "", any, current == NULL);
	for (; *values; values++)
		option(p, *values, *values,
		       current != NULL && strcmp(current, *values) == 0);
	mf_page_raw(p, "</select></div>");
}

static void
facets(struct mf_page *p, const struct mf_page_args *a, const json_t *orgs,
       const json_t *indices)
{
	const char *access = mf_page_arg(a, "access"), *v;
	const json_t *o;
	size_t i;

	mf_page_raw(p, "<form class=\"facets\" method=\"get\" "
	               "action=\"/models\" aria-label=\"Filters\">\n"
	               "<fieldset><legend>Disclosure</legend>");
	text_field(p, "f-q", "q", "Words", "search", mf_page_arg(a, "q"));
	select_open(p, "f-org", "org", "Organisation");
	v = mf_page_arg(a, "org");
	option(p, "", "Any", v == NULL);
	json_array_foreach(json_object_get(orgs, "orgs"), i, o)
	{
		const char *id = json_string_value(json_object_get(o, "org"));

		if (id != NULL)
			option(p, id, id, v != NULL && strcmp(v, id) == 0);
	}
	mf_page_raw(p, "</select></div>");
	enum_select(p, "input", "Input modality", modalities,
	            mf_page_arg(a, "input"), "Any");
	enum_select(p, "output", "Output modality", modalities,
	            mf_page_arg(a, "output"), "Any");
	mf_page_raw(p, "<fieldset class=\"checks\"><legend>Access</legend>");
	for (i = 0; accesses[i]; i++) {
		mf_page_printf(
		    p,
		    "<label><input type=\"checkbox\" name=\"access\" "
		    "value=\"%s\"%s> %s</label> ",
		    accesses[i],
		    access && mf_page_list_has(access, accesses[i]) ? " checked"
		                                                    : "",
		    accesses[i]);
	}
	mf_page_raw(p, "</fieldset>");
	text_field(p, "f-license", "license", "License", "text",
	           mf_page_arg(a, "license"));
	mf_page_raw(p, "</fieldset>\n<fieldset><legend>Transparency "
	               "score</legend>");
	select_open(p, "f-index", "index", "Index");
	v = mf_page_arg(a, "index");
	option(p, "", "modelfacts-v1 (default)", v == NULL);
	json_array_foreach(json_object_get(indices, "indices"), i, o)
	{
		const char *id = json_string_value(json_object_get(o, "id"));

		if (id != NULL && strcmp(id, "modelfacts-v1") != 0)
			option(p, id, id, v != NULL && strcmp(v, id) == 0);
	}
	mf_page_raw(p, "</select></div>");
	mf_site_judge_select(p, "f-judge", orgs, mf_page_arg(a, "judge"));
	text_field(p, "f-min-score", "min_score", "Lowest score", "number",
	           mf_page_arg(a, "min_score"));
	text_field(p, "f-max-score", "max_score", "Highest score", "number",
	           mf_page_arg(a, "max_score"));
	text_field(p, "f-indicator", "indicator",
	           "Indicator (index/indicator id)", "text",
	           mf_page_arg(a, "indicator"));
	enum_select(p, "status", "Indicator status", statuses,
	            mf_page_arg(a, "status"), "not met (default)");
	mf_page_raw(p, "</fieldset>\n<fieldset><legend>Order</legend>");
	select_open(p, "f-sort", "sort", "Sort by");
	v = mf_page_arg(a, "sort");
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
		option(p, sorts[i].value, sorts[i].name,
		       v != NULL ? strcmp(v, sorts[i].value) == 0 : i == 0);
	mf_page_raw(p, "</select></div></fieldset>\n<p><button "
	               "type=\"submit\">Apply filters</button> <a "
	               "href=\"/models\">Clear</a></p></form>\n");
}

int
mf_site_models(struct mf_request *req)
{
	struct mf_buf q = MF_BUF_INIT, next = MF_BUF_INIT;
	struct mf_page_args a;
	struct mf_page p;
	json_t *res = NULL, *orgs = NULL, *indices = NULL;
	const json_t *v;
	int rc;

	mf_page_init(&p, req);
	mf_page_args_init(&a, req, joined);
	if (a.too_many)
		mf_page_fail(&p, 400, "Too many query parameters.");
	if (api_query(&q, &a, true, true) != 0)
		mf_page_fail(&p, 500, "Out of memory.");
	res = mf_page_fetch(&p, "/v1/models%s", q.data ? q.data : "");
	orgs = mf_page_fetch(&p, "/v1/orgs");
	indices = mf_page_fetch(&p, "/v1/indices");

	mf_page_begin(&p, "Models", "/models", mf_page_arg(&a, "q"));
	mf_page_raw(&p, "<h1>Models</h1>\n<div class=\"browse\">\n");
	/* results first (small screens read them first); the stylesheet
	 * puts the filters beside them on wide ones */
	mf_page_raw(&p, "<section class=\"hits\" aria-labelledby=\"h-results\">"
	                "<h2 id=\"h-results\">Results</h2>\n<p>");
	v = json_object_get(res, "total");
	mf_page_printf(&p, "<strong id=\"total\">%lld</strong> %s",
	               (long long)json_integer_value(v),
	               json_integer_value(v) == 1 ? "model" : "models");
	mf_page_raw(&p, ", scores by <span class=\"index\">");
	mf_page_text(&p, json_string_value(json_object_get(res, "index")));
	mf_page_raw(&p, "</span> (judge: ");
	mf_page_text(&p, json_string_value(json_object_get(res, "judge")));
	mf_page_raw(&p, "). <a href=\"/v1/models");
	mf_page_text(&p, q.data);
	mf_page_raw(&p, "\">This list as JSON</a></p>\n");
	mf_site_model_rows(&p, json_object_get(res, "models"), "results");
	mf_page_raw(&p, "<nav class=\"pages\" aria-label=\"Pages\">");
	if (mf_page_arg(&a, "cursor") != NULL) {
		mf_buf_clear(&next);
		api_query(&next, &a, false, false);
		mf_page_raw(&p, "<a href=\"/models");
		mf_page_text(&p, next.data);
		mf_page_raw(&p, "\">First page</a> ");
	}
	if (json_is_string(v = json_object_get(res, "cursor"))) {
		mf_buf_clear(&next);
		api_query(&next, &a, false, false);
		mf_page_qs(&next, "cursor", json_string_value(v));
		mf_page_raw(&p, "<a rel=\"next\" id=\"next-page\" "
		                "href=\"/models");
		mf_page_text(&p, next.data);
		mf_page_raw(&p, "\">Next page</a>");
	}
	mf_page_raw(&p, "</nav></section>\n");
	facets(&p, &a, orgs, indices);
	mf_page_raw(&p, "</div>\n");
	mf_page_end(&p);
	rc = mf_page_finish(&p);
	mf_page_dispose(&p);
	mf_page_args_dispose(&a);
	mf_buf_dispose(&q);
	mf_buf_dispose(&next);
	json_decref(res);
	json_decref(orgs);
	json_decref(indices);
	return rc;
}
