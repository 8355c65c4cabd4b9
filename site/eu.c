/*
 * The EU AI Act pages. /models/{org}/{model}/eu-ai-act[?version=N] shows
 * GET .../eu-ai-act (or .../versions/{n}/eu-ai-act) as the form it is:
 * completeness overall and per audience, then every item of the GPAI
 * Model Documentation Form with its status, its audiences, its Annex
 * points and what the disclosure says. The dashboard's EU section counts,
 * per item, the statuses of the models the dashboard shows, from the same
 * per-model answers (site/README.md says why not from an index).
 */
#include "site/eu.h"

#include "formats/eu_ai_act.h"
#include "http/http.h"
#include "labels/text.h"
#include "site/rows.h"

#include <stdlib.h>
#include <string.h>

/* How a status reads, and the existing cell class that colours it. */
static const struct {
	const char *status, *text, *cls;
} badges[] = {
    {"disclosed", "Disclosed", "c-met"},
    {"withheld", "Withheld", "c-na"},
    {"missing", "Missing", "c-not"},
    {"not_applicable", "Not applicable", "c-none"},
};

#define N_BADGES (sizeof(badges) / sizeof(badges[0]))

static size_t
badge_of(const char *status)
{
	size_t i;

	for (i = 0; status != NULL && i < N_BADGES; i++)
		if (strcmp(status, badges[i].status) == 0)
			return i;
	return 2; /* anything unexpected reads as missing */
}

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The display name of an audience id, from the form's own list. */
static const char *
audience_name(const json_t *form, const char *id)
{
	const json_t *a;
	size_t i;

	json_array_foreach(json_object_get(form, "audiences"), i, a)
	{
		if (id != NULL && str(a, "id") != NULL &&
		    strcmp(str(a, "id"), id) == 0)
			return str(a, "name");
	}
	return id;
}

/*
 * A disclosed value as text: strings (links when they are safe http(s)
 * URLs), numbers, yes/no, lists joined with "; ", records as "member:
 * value" pairs. Bounded in depth and length; everything escaped.
 */
static void
value_text(struct mf_page *p, const json_t *v, int depth)
{
	const char *key;
	const json_t *x;
	size_t i, n = 0;

	if (depth > 3) {
		mf_page_raw(p, "…");
		return;
	}
	if (json_is_string(v)) {
		if (mf_label_url_linkable(json_string_value(v)))
			mf_page_ext_link(p, json_string_value(v), NULL);
		else
			mf_page_text(p, json_string_value(v));
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			if (i == 50) {
				mf_page_raw(p, "; …");
				break;
			}
			mf_page_raw(p, i ? "; " : "");
			value_text(p, x, depth + 1);
		}
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, x)
		{
			mf_page_raw(p, n++ ? ", " : "");
			mf_page_text(p, key);
			mf_page_raw(p, ": ");
			value_text(p, x, depth + 1);
		}
	} else {
		mf_page_json_text(p, v, "none");
	}
}

/* One field of an item: its pointer, then the value as the label shows
 * it, or why there is none. */
static void
fact(struct mf_page *p, const json_t *f)
{
	const char *st = str(f, "status");
	const json_t *refs = json_object_get(f, "references"), *r;
	size_t i;

	mf_page_raw(p, "<li><code>");
	mf_page_text(p, str(f, "pointer"));
	mf_page_raw(p, "</code> ");
	if (st != NULL && strcmp(st, "disclosed") == 0) {
		if (str(f, "display") != NULL)
			mf_page_text(p, str(f, "display"));
		else
			value_text(p, json_object_get(f, "value"), 0);
	} else if (st != NULL && strcmp(st, "withheld") == 0) {
		mf_page_raw(p, "<em>Withheld</em>");
	} else if (st != NULL && strcmp(st, "unknown") == 0) {
		mf_page_raw(p, "<em>Unknown to the developer</em>");
	} else if (st != NULL && strcmp(st, "not_applicable") == 0) {
		mf_page_raw(p, "<em>Not applicable</em>");
	} else {
		mf_page_raw(p, "<span class=\"note\">Not disclosed</span>");
	}
	if (str(f, "explanation") != NULL) {
		mf_page_raw(p, ": ");
		mf_page_text(p, str(f, "explanation"));
	}
	json_array_foreach(refs, i, r)
	{
		mf_page_raw(p, i ? ", " : " (");
		mf_page_ext_link(p, json_string_value(r), NULL);
		if (i + 1 == json_array_size(refs))
			mf_page_raw(p, ")");
	}
	mf_page_raw(p, "</li>");
}

static void
item_entry(struct mf_page *p, const json_t *form, const json_t *it)
{
	const json_t *x, *facts = json_object_get(it, "facts");
	size_t b = badge_of(str(it, "status")), i;

	/* a term and its description, not a table row: it reads the same
	 * on a phone, with nothing squeezed */
	mf_page_raw(p, "<dt data-item=\"");
	mf_page_text(p, str(it, "id"));
	mf_page_printf(p, "\" data-status=\"%s\">", badges[b].status);
	mf_page_text(p, str(it, "title"));
	mf_page_printf(p, " <span class=\"%s\">%s</span>", badges[b].cls,
	               badges[b].text);
	if (json_is_false(json_object_get(it, "applies")))
		mf_page_raw(p, " <span class=\"small\">(not counted: systemic "
		               "risk only)</span>");
	mf_page_raw(p, "</dt><dd><span class=\"small\">");
	mf_page_text(p, str(it, "help"));
	mf_page_raw(p, " ");
	json_array_foreach(json_object_get(it, "annex"), i, x)
	{
		mf_page_raw(p, i ? ", " : "Annex ");
		mf_page_text(p, json_string_value(x));
	}
	if (json_array_size(json_object_get(it, "annex")) == 0)
		mf_page_raw(p, "An item of the form (no Annex point)");
	mf_page_raw(p, ". For: ");
	json_array_foreach(json_object_get(it, "audiences"), i, x)
	{
		mf_page_raw(p, i ? ", " : "");
		mf_page_text(p, audience_name(form, json_string_value(x)));
	}
	mf_page_raw(p, ".</span>");
	if (json_array_size(facts) > 0) {
		mf_page_raw(p, "<ul class=\"eu-facts\">");
		json_array_foreach(facts, i, x) fact(p, x);
		mf_page_raw(p, "</ul>");
	}
	if (str(it, "note") != NULL) {
		mf_page_raw(p, "<p class=\"note\">");
		mf_page_text(p, str(it, "note"));
		mf_page_raw(p, "</p>");
	}
	mf_page_raw(p, "</dd>\n");
}

/* One line of the completeness list: a bar, then the counts. */
static void
completeness_line(struct mf_page *p, const char *name, const char *key,
                  const json_t *c)
{
	static const char *const cols[] = {"disclosed", "withheld", "missing",
	                                   "not_applicable"};
	static const char *const words[] = {"disclosed", "withheld", "missing",
	                                    "not applicable"};
	size_t k;

	mf_page_raw(p, "<li><strong>");
	mf_page_text(p, name);
	mf_page_raw(p, "</strong> ");
	mf_page_bar(
	    p, (long long)json_integer_value(json_object_get(c, "disclosed")),
	    (long long)json_integer_value(json_object_get(c, "total")));
	mf_page_raw(p, "<br>");
	for (k = 0; k < 4; k++) {
		mf_page_printf(p, "%s<span data-count=\"%s:", k ? ", " : "",
		               cols[k]);
		mf_page_text(p, key);
		mf_page_raw(p, "\">");
		mf_page_json_text(p, json_object_get(c, cols[k]), "0");
		mf_page_printf(p, "</span> %s", words[k]);
	}
	mf_page_raw(p, "</li>\n");
}

static void
completeness(struct mf_page *p, const json_t *eu)
{
	const json_t *c = json_object_get(eu, "completeness");
	const json_t *form = json_object_get(eu, "form"), *a;
	size_t i;

	mf_page_raw(p, "<section aria-labelledby=\"h-eu-complete\"><h2 "
	               "id=\"h-eu-complete\">Completeness</h2>\n<p>Items "
	               "disclosed of those that apply (not applicable ones "
	               "left out), for every reader and for each audience "
	               "of the form:</p>\n<ul id=\"eu-completeness\">\n");
	completeness_line(p, "Every item", "all", c);
	json_array_foreach(json_object_get(form, "audiences"), i, a)
	{
		completeness_line(
		    p, str(a, "name"), str(a, "id"),
		    json_object_get(json_object_get(c, "by_audience"),
		                    str(a, "id")));
	}
	mf_page_raw(p, "</ul></section>\n");
}

/* The version selector, as on the model page: works without JS. */
static void
versions_form(struct mf_page *p, const char *org, const char *model,
              const json_t *versions, long long shown)
{
	const json_t *vs = json_object_get(versions, "versions"), *x;
	size_t i;

	if (json_array_size(vs) == 0)
		return;
	mf_page_printf(p,
	               "<form class=\"versions\" method=\"get\" "
	               "action=\"/models/%s/%s/eu-ai-act\"><label "
	               "for=\"version\">Version</label> <select "
	               "id=\"version\" name=\"version\">",
	               org, model);
	for (i = json_array_size(vs); i-- > 0;) {
		long long n;

		x = json_array_get(vs, i);
		n = json_integer_value(json_object_get(x, "version"));
		mf_page_printf(p, "<option value=\"%lld\"%s>%lld · ", n,
		               n == shown ? " selected" : "", n);
		mf_page_text(p, str(x, "accepted_at"));
		mf_page_raw(p, "</option>");
	}
	mf_page_raw(p, "</select> <button type=\"submit\">Show</button>"
	               "</form>\n");
}

void
mf_site_eu_render(struct mf_page *p, const char *org, const char *model,
                  const json_t *eu, const json_t *versions)
{
	const json_t *form = json_object_get(eu, "form"), *s, *it;
	const char *name = str(eu, "name"), *sr = str(eu, "systemic_risk");
	long long version = json_integer_value(json_object_get(eu, "version"));
	size_t i, j;

	mf_page_begin(p, "EU AI Act documentation", NULL, NULL);
	mf_page_raw(p, "<nav class=\"crumbs\" aria-label=\"Breadcrumb\">"
	               "<a href=\"/models\">Models</a> › ");
	mf_site_org_link(p, org, NULL);
	mf_page_raw(p, " › ");
	mf_site_model_link(p, org, model, model);
	mf_page_raw(p, " › EU AI Act</nav>\n<h1>EU AI Act documentation: ");
	mf_page_text(p, name != NULL ? name : model);
	mf_page_raw(p, "</h1>\n<p class=\"lede\">");
	if (json_is_true(json_object_get(eu, "assessment_only")))
		mf_page_raw(p, "The developer has disclosed nothing here, so "
		               "every item is missing. ");
	else
		mf_page_printf(p, "Version %lld of the disclosure, ", version);
	mf_page_raw(p, "arranged by the items of the ");
	mf_page_ext_link(p, str(form, "source"), str(form, "name"));
	mf_page_raw(p, " (published ");
	mf_page_text(p, str(form, "published"));
	mf_page_raw(p, ") and the points of Annex XI and Annex XII each "
	               "answers. <strong>Disclosed</strong>: a field holds "
	               "the fact. <strong>Withheld</strong>: the developer "
	               "declines to say, and says why. "
	               "<strong>Missing</strong>: the disclosure does not "
	               "say.</p>\n");
	versions_form(p, org, model, versions, version);
	mf_page_raw(p, "<p class=\"downloads\">");
	if (version > 0)
		mf_page_printf(p,
		               "<a href=\"/v1/models/%s/%s/versions/%lld/"
		               "eu-ai-act\">This view as JSON</a> · ",
		               org, model, version);
	mf_page_printf(p,
	               "<a href=\"/models/%s/%s\">The model's label</a></p>\n",
	               org, model);
	mf_page_raw(p, "<p id=\"eu-systemic\">Systemic risk: ");
	if (sr == NULL)
		mf_page_raw(p, "the disclosure does not classify the model, so "
		               "the Annex XI section 2 items are shown but not "
		               "counted.");
	else if (strcmp(sr, "yes") == 0)
		mf_page_raw(p, "the disclosure classifies the model as a "
		               "general-purpose AI model with systemic risk: "
		               "the Annex XI section 2 items count.");
	else
		mf_page_raw(p,
		            strcmp(sr, "no") == 0
		                ? "the disclosure says no: the Annex XI "
		                  "section 2 items are shown but not counted."
		                : "undetermined: the Annex XI section 2 "
		                  "items are shown but not counted.");
	mf_page_raw(p, "</p>\n");
	completeness(p, eu);
	json_array_foreach(json_object_get(eu, "sections"), i, s)
	{
		mf_page_raw(p,
		            "<section class=\"panel\" aria-labelledby=\"h-eu-");
		mf_page_text(p, str(s, "id"));
		mf_page_raw(p, "\"><h2 id=\"h-eu-");
		mf_page_text(p, str(s, "id"));
		mf_page_raw(p, "\">");
		mf_page_text(p, str(s, "title"));
		mf_page_raw(p, "</h2>\n<dl class=\"kv eu-items\">\n");
		json_array_foreach(json_object_get(s, "items"), j, it)
		{
			item_entry(p, form, it);
		}
		mf_page_raw(p, "</dl></section>\n");
	}
	mf_page_end(p);
}

/* The version asked for (?version=N): 0 for none, -1 when malformed. */
static long long
version_arg(const char *s)
{
	long long n = 0;
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 9)
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	return n > 0 ? n : -1;
}

int
mf_site_eu(struct mf_request *req)
{
	static const char *const allowed[] = {"version", NULL};
	const char *org = mf_http_param(req, 0), *model = mf_http_param(req, 1);
	long long version = version_arg(mf_http_query(req, "version"));
	json_t *versions = NULL, *eu = NULL;
	struct mf_page p;
	int rc;

	/* 1. What is asked for. */
	mf_page_init(&p, req);
	mf_page_only(&p, allowed);
	if (!mf_label_slug_ok(org) || !mf_label_slug_ok(model))
		mf_page_fail(&p, 404, "There is no such model.");
	if (version < 0)
		mf_page_fail(&p, 400, "The version must be a number.");
	/* 2. The API's answers: the versions (404 for an unknown model)
	 * and the view of the version shown. */
	versions = mf_page_fetch(&p, "/v1/models/%s/%s/versions", org, model);
	if (version > 0)
		eu = mf_page_fetch(&p,
		                   "/v1/models/%s/%s/versions/%lld/eu-ai-act",
		                   org, model, version);
	else
		eu =
		    mf_page_fetch(&p, "/v1/models/%s/%s/eu-ai-act", org, model);
	/* 3. The page. */
	mf_site_eu_render(&p, org, model, eu, versions);
	rc = mf_page_finish(&p);
	mf_page_dispose(&p);
	json_decref(versions);
	json_decref(eu);
	return rc;
}

/* ---- the dashboard's section ---- */

enum { K_DISCLOSED, K_WITHHELD, K_MISSING, K_NA, K_NOT_COUNTED, K__MAX };

struct tally {
	const json_t *def; /* the form's item (borrowed) */
	long long n[K__MAX];
};

/* Adds one model's view to the tallies (matched by item id). */
static void
tally_view(struct tally *t, size_t n, const json_t *eu)
{
	const json_t *s, *it;
	size_t i, j, k;

	json_array_foreach(json_object_get(eu, "sections"), i, s)
	{
		json_array_foreach(json_object_get(s, "items"), j, it)
		{
			const char *id = str(it, "id");

			for (k = 0; id != NULL && k < n; k++)
				if (strcmp(str(t[k].def, "id"), id) == 0)
					break;
			if (k == n)
				continue;
			if (json_is_false(json_object_get(it, "applies")))
				t[k].n[K_NOT_COUNTED]++;
			else
				t[k].n[badge_of(str(it, "status"))]++;
		}
	}
}

/* One model of the dashboard as its form reads: completeness. */
struct model_row {
	const char *org, *model; /* borrowed from the coverage matrix */
	long long version;       /* 0: no disclosure */
	long long disclosed, total;
	bool read;
};

/* Reads one model's view into the tallies and its row. */
static void
read_model(struct mf_page *p, struct tally *t, size_t n, struct model_row *r)
{
	const json_t *comp;
	struct mf_capture c;
	char target[300];
	size_t k;

	if (r->version == 0) {
		/* no disclosure: every item that applies is missing */
		for (k = 0; k < n; k++) {
			bool sr = json_is_true(
			    json_object_get(t[k].def, "systemic_risk_only"));

			t[k].n[sr ? K_NOT_COUNTED : K_MISSING]++;
			r->total += !sr;
		}
		r->read = true;
		return;
	}
	if (!mf_label_slug_ok(r->org) || !mf_label_slug_ok(r->model))
		return;
	snprintf(target, sizeof(target),
	         "/v1/models/%s/%s/versions/%lld/eu-ai-act", r->org, r->model,
	         r->version);
	if (mf_http_capture(p->req, target, &c) != 0)
		return;
	if (c.status == 200 && c.json != NULL) {
		tally_view(t, n, c.json);
		comp = json_object_get(c.json, "completeness");
		r->disclosed =
		    json_integer_value(json_object_get(comp, "disclosed"));
		r->total = json_integer_value(json_object_get(comp, "total"));
		r->read = true;
	}
	mf_http_capture_dispose(&c);
}

/* Each model's completeness, linking to its page, folded. */
static void
model_list(struct mf_page *p, const struct model_row *rows, size_t nrows)
{
	size_t i;

	mf_page_printf(p,
	               "<details class=\"indicators\" id=\"eu-models\">"
	               "<summary>Each model's form (%zu)</summary><ul>\n",
	               nrows);
	for (i = 0; i < nrows; i++) {
		const struct model_row *r = &rows[i];

		if (!mf_label_slug_ok(r->org) || !mf_label_slug_ok(r->model))
			continue;
		if (r->version > 0)
			mf_page_printf(p,
			               "<li><a href=\"/models/%s/%s/eu-ai-act?"
			               "version=%lld\">%s/%s</a> ",
			               r->org, r->model, r->version, r->org,
			               r->model);
		else
			mf_page_printf(
			    p,
			    "<li><a href=\"/models/%s/%s/eu-ai-act\">"
			    "%s/%s</a> ",
			    r->org, r->model, r->org, r->model);
		if (r->read)
			mf_page_bar(p, r->disclosed, r->total);
		else
			mf_page_raw(p, "could not be read");
		mf_page_raw(p, "</li>\n");
	}
	mf_page_raw(p, "</ul></details>\n");
}

void
mf_site_eu_coverage(struct mf_page *p, const json_t *cov)
{
	static const char *const cols[K__MAX] = {"disclosed", "withheld",
	                                         "missing", "not_applicable",
	                                         "not_counted"};
	const json_t *form = mf_eu_ai_act_form(), *s, *it, *m;
	const json_t *matrix = json_object_get(cov, "matrix");
	size_t nrows = json_array_size(matrix), n = 0, i, j, k, read = 0,
	       without = 0;
	struct model_row *rows = NULL;
	struct tally *t = NULL;

	if (p->rc != 0 || form == NULL)
		return;
	if (nrows > MF_SITE_EU_MODELS_MAX)
		nrows = MF_SITE_EU_MODELS_MAX;
	/* 1. One tally per item of the form, in its order, and a row per
	 * model. */
	json_array_foreach(json_object_get(form, "sections"), i, s)
	{
		n += json_array_size(json_object_get(s, "items"));
	}
	if ((t = calloc(n ? n : 1, sizeof(*t))) == NULL ||
	    (rows = calloc(nrows ? nrows : 1, sizeof(*rows))) == NULL) {
		mf_page_fail(p, 500, "Out of memory.");
		goto done;
	}
	k = 0;
	json_array_foreach(json_object_get(form, "sections"), i, s)
	{
		json_array_foreach(json_object_get(s, "items"), j, it)
		{
			t[k++].def = it;
		}
	}
	/* 2. Each model's view: the version's own (immutable, cached). */
	for (i = 0; i < nrows; i++) {
		m = json_array_get(matrix, i);
		rows[i].org = str(m, "org");
		rows[i].model = str(m, "model");
		rows[i].version =
		    json_integer_value(json_object_get(m, "version"));
		read_model(p, t, n, &rows[i]);
		read += rows[i].read;
		without += rows[i].version == 0;
	}
	/* 3. The table, then the models. */
	mf_page_raw(p, "<section aria-labelledby=\"h-eu\"><h2 id=\"h-eu\">EU "
	               "AI Act documentation form</h2>\n<p>Per item of the ");
	mf_page_text(p, str(form, "name"));
	mf_page_printf(
	    p,
	    ", how many of the <span data-eu-count=\"models\">%zu</span> "
	    "models above disclose it, withhold it or miss it, read from each "
	    "model's <code>.../versions/{n}/eu-ai-act</code>. Annex XI "
	    "section 2 items count only for models whose disclosure declares "
	    "systemic risk.",
	    read);
	if (without > 0)
		mf_page_printf(p,
		               " %zu of them have no disclosure and miss every "
		               "item.",
		               without);
	if (read < nrows)
		mf_page_printf(p, " %zu could not be read.", nrows - read);
	if (json_array_size(matrix) > MF_SITE_EU_MODELS_MAX)
		mf_page_printf(p, " The first %d models only.",
		               MF_SITE_EU_MODELS_MAX);
	mf_page_raw(p, "</p>\n<div class=\"scroll\" tabindex=\"0\" "
	               "role=\"region\" aria-label=\"EU AI Act items across "
	               "models\"><table class=\"counts\" id=\"eu-coverage\">"
	               "<thead><tr><th scope=\"col\">Item</th><th "
	               "scope=\"col\">Annex</th><th "
	               "scope=\"col\">Disclosed</th><th "
	               "scope=\"col\">Withheld</th><th "
	               "scope=\"col\">Missing</th><th scope=\"col\">Not "
	               "applicable</th><th scope=\"col\">Not counted (no "
	               "systemic risk)</th></tr></thead><tbody>\n");
	for (k = 0; k < n; k++) {
		mf_page_raw(p, "<tr data-eu-item=\"");
		mf_page_text(p, str(t[k].def, "id"));
		mf_page_raw(p, "\"><th scope=\"row\">");
		mf_page_text(p, str(t[k].def, "title"));
		mf_page_raw(p, "</th><td class=\"small\">");
		json_array_foreach(json_object_get(t[k].def, "annex"), j, it)
		{
			mf_page_raw(p, j ? ", " : "");
			mf_page_text(p, json_string_value(it));
		}
		mf_page_raw(p, "</td>");
		for (j = 0; j < K__MAX; j++) {
			mf_page_printf(p, "<td data-eu-count=\"%s:", cols[j]);
			mf_page_text(p, str(t[k].def, "id"));
			mf_page_printf(p, "\">%lld</td>", t[k].n[j]);
		}
		mf_page_raw(p, "</tr>\n");
	}
	mf_page_raw(p, "</tbody></table></div>\n");
	model_list(p, rows, nrows);
	mf_page_raw(p, "</section>\n");
done:
	free(t);
	free(rows);
}
