/*
 * The regulator dashboard (/dashboard?index=&judge=&as_of=): GET
 * /v1/indices/{id}/coverage?matrix=1 as a heat map, models by indicators
 * grouped by domain and subdomain, with the per-indicator counts the API
 * computed, an index and judge selector, an as_of date and the CSV
 * export of the API.
 */
#include "common/slug.h"
#include "site/eu.h"
#include "site/page.h"
#include "site/pages.h"
#include "site/rows.h"

#include <stdio.h>
#include <string.h>

/* Rows of the heat map a page shows; the counts cover every model. */
#define HEAT_ROWS_MAX 200

static const struct {
	const char *result, *cls, *abbr;
} cells[] = {
    {"met", "c-met", "✓"},
    {"not_met", "c-not", "✗"},
    {"not_applicable", "c-na", "–"},
    {"not_assessed", "c-none", "·"},
};

static size_t
cell_kind(const char *r)
{
	size_t i;

	for (i = 0; r != NULL && i < 3; i++)
		if (strcmp(r, cells[i].result) == 0)
			return i;
	return 3;
}

/* One row of counts, each cell marked data-count="<status>:<key>". */
static void
count_row(struct mf_page *p, const json_t *x, const char *key, bool sub)
{
	size_t k;

	mf_page_raw(p, sub ? "<tr><th scope=\"row\" class=\"sub\">"
	                   : "<tr><th scope=\"row\">");
	mf_page_text(p, json_string_value(json_object_get(x, "name")));
	mf_page_raw(p, "</th>");
	for (k = 0; k < 4; k++) {
		mf_page_printf(
		    p, "<td class=\"n\" data-count=\"%s:", cells[k].result);
		mf_page_text(p, key);
		mf_page_raw(p, "\">");
		mf_page_json_text(p, json_object_get(x, cells[k].result), "0");
		mf_page_raw(p, "</td>");
	}
	mf_page_raw(p, "</tr>\n");
}

/* The API's totals per domain and subdomain, and which judges the rows
 * show. */
static void
domains(struct mf_page *p, const json_t *cov)
{
	const json_t *d, *sd, *n;
	const char *judge;
	char key[300];
	size_t i, k;

	mf_page_raw(p, "<p>Rows judged by: ");
	i = 0;
	json_object_foreach(json_object_get(cov, "judges_used"), judge, n)
	{
		mf_page_raw(p, i++ ? ", " : "");
		if (strcmp(judge, "none") == 0)
			mf_page_raw(p, "nobody");
		else
			mf_site_judge_link(p, judge);
		mf_page_raw(p, " <span data-count=\"judge:");
		mf_page_text(p, judge);
		mf_page_raw(p, "\">");
		mf_page_json_text(p, n, "0");
		mf_page_raw(p, "</span>");
	}
	mf_page_raw(p, "</p>\n<div class=\"scroll\" tabindex=\"0\" "
	               "role=\"region\" aria-label=\"Counts by domain\">"
	               "<table class=\"counts\" id=\"domains\"><thead><tr>"
	               "<th scope=\"col\">Domain / subdomain</th><th "
	               "scope=\"col\">Met</th><th scope=\"col\">Not met</th>"
	               "<th scope=\"col\">Not applicable</th><th "
	               "scope=\"col\">Not assessed</th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(cov, "domains"), i, d)
	{
		const char *did = json_string_value(json_object_get(d, "id"));

		snprintf(key, sizeof(key), "%s", did ? did : "");
		count_row(p, d, key, false);
		json_array_foreach(json_object_get(d, "subdomains"), k, sd)
		{
			const char *sid =
			    json_string_value(json_object_get(sd, "id"));

			snprintf(key, sizeof(key), "%s/%s", did ? did : "",
			         sid ? sid : "");
			count_row(p, sd, key, true);
		}
	}
	mf_page_raw(p, "</tbody></table></div>\n");
}

static void
filters(struct mf_page *p, const json_t *indices, const json_t *orgs,
        const char *index, const char *judge, const char *as_of, const char *q)
{
	const json_t *ix;
	size_t i;

	mf_page_raw(p, "<form class=\"filters\" method=\"get\" "
	               "action=\"/dashboard\"><div class=\"field\"><label "
	               "for=\"d-index\">Index</label> <select id=\"d-index\" "
	               "name=\"index\">");
	json_array_foreach(json_object_get(indices, "indices"), i, ix)
	{
		const char *id = json_string_value(json_object_get(ix, "id"));

		if (id == NULL)
			continue;
		mf_page_raw(p, "<option value=\"");
		mf_page_text(p, id);
		mf_page_raw(p, strcmp(id, index) == 0 ? "\" selected>" : "\">");
		mf_page_text(p, id);
		mf_page_raw(p, "</option>");
	}
	mf_page_raw(p, "</select></div>");
	mf_site_judge_select(p, "d-judge", orgs, judge);
	mf_page_raw(p, "<div class=\"field\"><label "
	               "for=\"d-as-of\">As of (end of day, UTC)</label> "
	               "<input id=\"d-as-of\" name=\"as_of\" type=\"date\" "
	               "value=\"");
	mf_page_text(p, as_of);
	mf_page_raw(p, "\"></div><div class=\"field\"><label "
	               "for=\"d-q\">Models matching (names, developers)"
	               "</label> <input id=\"d-q\" name=\"q\" type=\"search\" "
	               "maxlength=\"200\" value=\"");
	mf_page_text(p, q);
	mf_page_raw(p, "\"></div><p><button type=\"submit\">Show</button></p>"
	               "</form>\n");
}

/* The heat map: one row per model, one column per indicator, grouped. */
static void
heatmap(struct mf_page *p, const json_t *cov)
{
	const json_t *inds = json_object_get(cov, "indicators");
	const json_t *doms = json_object_get(cov, "domains"), *d, *s, *ind, *m;
	size_t i, k;

	mf_page_raw(p, "<div class=\"scroll heat-wrap\" tabindex=\"0\" "
	               "role=\"region\" aria-label=\"Heat map, models by "
	               "indicators\"><table class=\"heat\" id=\"heatmap\">"
	               "<caption>Each cell: the model's result for the "
	               "indicator by the judge named in its row (✓ met, ✗ "
	               "not met, – not applicable, · not assessed)"
	               "</caption><thead><tr><td></td>");
	json_array_foreach(doms, i, d)
	{
		mf_page_printf(p, "<th scope=\"colgroup\" colspan=\"%lld\">",
		               (long long)json_integer_value(
		                   json_object_get(d, "indicators")));
		mf_page_text(p, json_string_value(json_object_get(d, "name")));
		mf_page_raw(p, "</th>");
	}
	mf_page_raw(p, "</tr><tr><td></td>");
	json_array_foreach(doms, i, d)
	{
		json_array_foreach(json_object_get(d, "subdomains"), k, s)
		{
			mf_page_printf(
			    p, "<th scope=\"colgroup\" colspan=\"%lld\">",
			    (long long)json_integer_value(
			        json_object_get(s, "indicators")));
			mf_page_text(
			    p, json_string_value(json_object_get(s, "name")));
			mf_page_raw(p, "</th>");
		}
	}
	mf_page_raw(p, "</tr><tr><th scope=\"col\">Model (judge)</th>");
	json_array_foreach(inds, i, ind)
	{
		mf_page_raw(p,
		            "<th scope=\"col\" class=\"ind\"><abbr title=\"");
		mf_page_text(p,
		             json_string_value(json_object_get(ind, "name")));
		mf_page_printf(p, "\">%zu</abbr></th>", i + 1);
	}
	mf_page_raw(p, "</tr></thead><tbody>\n");
	json_array_foreach(json_object_get(cov, "matrix"), i, m)
	{
		const json_t *res = json_object_get(m, "results");

		if (i == HEAT_ROWS_MAX)
			break;
		const char *judge =
		    json_string_value(json_object_get(m, "judge"));

		mf_page_raw(p, "<tr><th scope=\"row\">");
		mf_site_model_link(
		    p, json_string_value(json_object_get(m, "org")),
		    json_string_value(json_object_get(m, "model")), NULL);
		mf_page_raw(p, " <span class=\"judge\">(");
		if (judge == NULL)
			mf_page_raw(p, "not judged");
		else
			mf_site_judge_link(p, judge);
		mf_page_raw(p, ")</span></th>");
		json_array_foreach(inds, k, ind)
		{
			size_t c = cell_kind(json_string_value(json_object_get(
			    res,
			    json_string_value(json_object_get(ind, "id")))));

			mf_page_printf(p, "<td class=\"%s\">%s</td>",
			               cells[c].cls, cells[c].abbr);
		}
		mf_page_raw(p, "</tr>\n");
	}
	mf_page_raw(p, "</tbody></table></div>\n");
	if (json_array_size(json_object_get(cov, "matrix")) > HEAT_ROWS_MAX)
		mf_page_printf(
		    p,
		    "<p class=\"note\">The first %d of %zu models (by "
		    "organisation and model id); the counts below cover them "
		    "all. Narrow them with the search above, or download the "
		    "matrix.</p>\n",
		    HEAT_ROWS_MAX,
		    json_array_size(json_object_get(cov, "matrix")));
}

/* The API's counts per indicator, as numbers a reader (and the tests)
 * can compare with the coverage resource. */
static void
counts(struct mf_page *p, const json_t *cov)
{
	const json_t *ind;
	size_t i, k;

	mf_page_raw(p, "<div class=\"scroll\" tabindex=\"0\" role=\"region\" "
	               "aria-label=\"Counts per indicator\"><table "
	               "class=\"counts\" id=\"coverage\"><thead><tr><th "
	               "scope=\"col\">#</th><th scope=\"col\">Indicator</th>"
	               "<th scope=\"col\">Domain / subdomain</th><th "
	               "scope=\"col\">Met</th><th scope=\"col\">Not met</th>"
	               "<th scope=\"col\">Not applicable</th><th "
	               "scope=\"col\">Not assessed</th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(cov, "indicators"), i, ind)
	{
		mf_page_printf(p, "<tr data-indicator=\"");
		mf_page_text(p, json_string_value(json_object_get(ind, "id")));
		mf_page_printf(p, "\"><td>%zu</td><th scope=\"row\">", i + 1);
		mf_page_text(p,
		             json_string_value(json_object_get(ind, "name")));
		mf_page_raw(p, "</th><td>");
		mf_page_text(p,
		             json_string_value(json_object_get(ind, "domain")));
		mf_page_raw(p, " / ");
		mf_page_text(
		    p, json_string_value(json_object_get(ind, "subdomain")));
		mf_page_raw(p, "</td>");
		for (k = 0; k < 4; k++) {
			mf_page_printf(p, "<td class=\"n %s\">", cells[k].cls);
			mf_page_json_text(
			    p, json_object_get(ind, cells[k].result), "0");
			mf_page_raw(p, "</td>");
		}
		mf_page_raw(p, "</tr>\n");
	}
	mf_page_raw(p, "</tbody></table></div>\n");
}

int
mf_site_dashboard(struct mf_request *req)
{
	static const char *const allowed[] = {"index", "judge", "as_of", "q",
	                                      NULL};
	struct mf_buf q = MF_BUF_INIT;
	struct mf_page p;
	const char *index = mf_http_query(req, "index");
	const char *judge = mf_http_query(req, "judge");
	const char *as_of = mf_http_query(req, "as_of");
	const char *words = mf_http_query(req, "q");
	json_t *indices, *cov, *orgs;
	char day[40];
	int rc;

	mf_page_init(&p, req);
	mf_page_only(&p, allowed);
	if (index == NULL || *index == '\0')
		index = "modelfacts-v1";
	if (judge != NULL && *judge == '\0') /* the form's default */
		judge = NULL;
	if (!mf_index_id_valid(index)) {
		mf_page_fail(&p, 400, "There is no index '%.64s'.", index);
		index = "modelfacts-v1";
	}
	if (words != NULL && *words == '\0')
		words = NULL;
	mf_page_qs(&q, "matrix", "1");
	mf_page_qs(&q, "judge", judge);
	mf_page_qs(&q, "q", words);
	/* a date from the date picker: the end of that day */
	if (as_of != NULL && strlen(as_of) == 10 && as_of[4] == '-' &&
	    as_of[7] == '-') {
		snprintf(day, sizeof(day), "%sT23:59:59Z", as_of);
		mf_page_qs(&q, "as_of", day);
	} else {
		mf_page_qs(&q, "as_of", as_of);
	}
	indices = mf_page_fetch(&p, "/v1/indices");
	orgs = mf_page_fetch(&p, "/v1/orgs");
	cov = mf_page_fetch(&p, "/v1/indices/%s/coverage%s", index, q.data);
	mf_page_begin(&p, "Coverage dashboard", "/dashboard", NULL);
	mf_page_raw(&p, "<h1>Coverage dashboard</h1>\n<p class=\"lede\">");
	mf_page_text(&p, json_string_value(json_object_get(cov, "index_name")));
	mf_page_raw(&p, " (");
	mf_page_text(&p, index);
	mf_page_printf(
	    &p, "): <span data-count=\"models\">%lld</span> models. ",
	    (long long)json_integer_value(json_object_get(cov, "models")));
	mf_page_text(&p, json_string_value(json_object_get(cov, "counted_as")));
	mf_page_raw(&p, ".</p>\n");
	filters(&p, indices, orgs, index, judge, as_of, words);
	mf_page_raw(&p, "<p class=\"downloads\"><a href=\"/v1/indices/");
	mf_page_text(&p, index);
	mf_page_raw(&p, "/export?format=csv\" download>Download the model × "
	                "indicator matrix (CSV)</a> · <a href=\"/v1/indices/");
	mf_page_text(&p, index);
	mf_page_raw(&p, "/coverage");
	mf_page_text(&p, q.data);
	mf_page_raw(&p, "\">This coverage as JSON</a></p>\n");
	mf_page_raw(&p, "<section aria-labelledby=\"h-heat\"><h2 "
	                "id=\"h-heat\">Models × indicators</h2>\n");
	heatmap(&p, cov);
	mf_page_raw(&p, "</section>\n<section aria-labelledby=\"h-domains\">"
	                "<h2 id=\"h-domains\">By domain and subdomain</h2>\n");
	domains(&p, cov);
	mf_page_raw(&p, "</section>\n<section "
	                "aria-labelledby=\"h-counts\"><h2 id=\"h-counts\">Per "
	                "indicator</h2>\n");
	counts(&p, cov);
	mf_page_raw(&p, "</section>\n");
	mf_site_eu_coverage(&p, cov);
	mf_page_end(&p);
	rc = mf_page_finish(&p);
	mf_page_dispose(&p);
	mf_buf_dispose(&q);
	json_decref(indices);
	json_decref(cov);
	json_decref(orgs);
	return rc;
}
