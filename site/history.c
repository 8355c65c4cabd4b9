/*
 * History and diffs of one model: every log entry about it (GET
 * .../history) with dates, signers and commits, and a readable diff
 * between two versions (GET .../diff): facts changed, indicators gained
 * and lost, the score delta, the unified diff of label.md.
 */
#include "labels/text.h"
#include "site/page.h"
#include "site/pages.h"
#include "site/rows.h"

#include <stdlib.h>
#include <string.h>

static bool
slugs(struct mf_page *p, const char **org, const char **model)
{
	*org = mf_http_param(p->req, 0);
	*model = mf_http_param(p->req, 1);
	if (mf_label_slug_ok(*org) && mf_label_slug_ok(*model))
		return true;
	mf_page_fail(p, 404, "There is no such model.");
	*org = *model = "-";
	return false;
}

static void
version_options(struct mf_page *p, long long count, long long selected)
{
	long long i;

	for (i = 1; i <= count; i++)
		mf_page_printf(p, "<option value=\"%lld\"%s>%lld</option>", i,
		               i == selected ? " selected" : "", i);
}

/* The form that picks two versions to compare. */
static void
diff_form(struct mf_page *p, const char *org, const char *model,
          long long count, long long from, long long to)
{
	if (count < 2)
		return;
	mf_page_printf(p,
	               "<form class=\"diff-form\" method=\"get\" "
	               "action=\"/models/%s/%s/diff\"><label "
	               "for=\"d-from\">From version</label> <select "
	               "id=\"d-from\" name=\"from\">",
	               org, model);
	version_options(p, count, from);
	mf_page_raw(p, "</select> <label for=\"d-to\">to version</label> "
	               "<select id=\"d-to\" name=\"to\">");
	version_options(p, count, to);
	mf_page_raw(p, "</select> <button type=\"submit\">Compare "
	               "versions</button></form>\n");
}

int
mf_site_history(struct mf_request *req)
{
	static const char *const allowed[] = {NULL};
	struct mf_page p;
	const char *org, *model;
	json_t *h;
	const json_t *e, *k;
	long long count;
	size_t i, j;
	int rc;

	mf_page_init(&p, req);
	mf_page_only(&p, allowed);
	slugs(&p, &org, &model);
	h = mf_page_fetch(&p, "/v1/models/%s/%s/history", org, model);
	count = json_integer_value(json_object_get(h, "versions"));
	mf_page_begin(&p, "History", NULL, NULL);
	mf_page_printf(&p,
	               "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a "
	               "href=\"/models\">Models</a> › <a "
	               "href=\"/models/%s/%s\">%s/%s</a> › history</nav>\n"
	               "<h1>History of %s/%s</h1>\n",
	               org, model, org, model, org, model);
	diff_form(&p, org, model, count, count > 1 ? count - 1 : 1, count);
	mf_page_raw(&p, "<div class=\"scroll\" tabindex=\"0\" role=\"region\" "
	                "aria-label=\"Log entries about this model\">"
	                "<table class=\"history\" id=\"history\"><thead><tr>"
	                "<th scope=\"col\">Log entry</th><th "
	                "scope=\"col\">What</th><th scope=\"col\">Signed "
	                "by</th><th scope=\"col\">Accepted</th><th "
	                "scope=\"col\">Git commit</th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(h, "history"), i, e)
	{
		const json_t *v = json_object_get(e, "version");
		long long li =
		    json_integer_value(json_object_get(e, "log_index"));

		mf_page_printf(&p,
		               "<tr><td><a href=\"/v1/log/entries/%lld\">%lld"
		               "</a></td><td>",
		               li, li);
		mf_page_text(&p, json_string_value(json_object_get(e, "kind")));
		if (json_is_integer(v))
			mf_page_printf(
			    &p,
			    " <a href=\"/models/%s/%s/versions/%lld\">"
			    "version %lld</a>",
			    org, model, (long long)json_integer_value(v),
			    (long long)json_integer_value(v));
		mf_page_raw(&p, "</td><td>");
		mf_site_org_link(
		    &p, json_string_value(json_object_get(e, "signer")), NULL);
		json_array_foreach(json_object_get(e, "signed_by"), j, k)
		{
			mf_page_raw(&p, " <code class=\"hash\">");
			mf_page_text(&p, json_string_value(k));
			mf_page_raw(&p, "</code>");
		}
		mf_page_raw(&p, "</td><td>");
		mf_page_text(
		    &p, json_string_value(json_object_get(e, "accepted_at")));
		mf_page_raw(&p, "</td><td><code class=\"hash\">");
		mf_page_json_text(&p, json_object_get(e, "commit"),
		                  "not yet published");
		mf_page_raw(&p, "</code></td></tr>\n");
	}
	mf_page_raw(&p, "</tbody></table></div>\n");
	mf_page_end(&p);
	rc = mf_page_finish(&p);
	mf_page_dispose(&p);
	json_decref(h);
	return rc;
}

static void
score_delta(struct mf_page *p, const json_t *s)
{
	long long d = json_integer_value(json_object_get(s, "delta"));

	if (!json_is_object(s))
		return;
	mf_page_printf(
	    p,
	    "<p class=\"delta\" id=\"score-delta\">modelfacts-v1 score "
	    "(automatic check): %lld/%lld → %lld/%lld, <strong>%s%lld"
	    "</strong></p>\n",
	    (long long)json_integer_value(json_object_get(s, "from")),
	    (long long)json_integer_value(json_object_get(s, "max_from")),
	    (long long)json_integer_value(json_object_get(s, "to")),
	    (long long)json_integer_value(json_object_get(s, "max_to")),
	    d > 0 ? "+" : "", d);
}

/* A changed value: a string as text, anything else as compact JSON. */
static void
value(struct mf_page *p, const json_t *v)
{
	char *s;

	if (v == NULL || json_is_string(v) || json_is_number(v)) {
		mf_page_json_text(p, v, "—");
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	mf_page_text(p, s ? s : "");
	free(s);
}

int
mf_site_diff(struct mf_request *req)
{
	static const char *const allowed[] = {"from", "to", NULL};
	struct mf_buf q = MF_BUF_INIT;
	struct mf_page p;
	const char *org, *model;
	json_t *d, *h;
	const json_t *f, *ind;
	size_t i;
	int rc;

	mf_page_init(&p, req);
	mf_page_only(&p, allowed);
	slugs(&p, &org, &model);
	if (mf_page_qs(&q, "from", mf_http_query(req, "from")) != 0 ||
	    mf_page_qs(&q, "to", mf_http_query(req, "to")) != 0)
		mf_page_fail(&p, 500, "Out of memory.");
	d = mf_page_fetch(&p, "/v1/models/%s/%s/diff%s", org, model,
	                  q.data ? q.data : "");
	h = mf_page_fetch(&p, "/v1/models/%s/%s/versions", org, model);
	mf_page_begin(&p, "Diff", NULL, NULL);
	mf_page_printf(
	    &p,
	    "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a "
	    "href=\"/models\">Models</a> › <a "
	    "href=\"/models/%s/%s\">%s/%s</a> › <a "
	    "href=\"/models/%s/%s/history\">history</a> › "
	    "diff</nav>\n<h1>%s/%s: version %lld → %lld</h1>\n",
	    org, model, org, model, org, model, org, model,
	    (long long)json_integer_value(json_object_get(d, "from")),
	    (long long)json_integer_value(json_object_get(d, "to")));
	diff_form(&p, org, model,
	          (long long)json_array_size(json_object_get(h, "versions")),
	          json_integer_value(json_object_get(d, "from")),
	          json_integer_value(json_object_get(d, "to")));
	score_delta(&p, json_object_get(d, "score"));
	mf_page_raw(&p, "<section aria-labelledby=\"h-fields\"><h2 "
	                "id=\"h-fields\">Facts changed</h2>\n");
	if (json_array_size(json_object_get(d, "fields")) == 0)
		mf_page_raw(&p, "<p class=\"empty\">No disclosed fact "
		                "changed.</p>\n");
	else
		mf_page_raw(&p,
		            "<div class=\"scroll\" tabindex=\"0\" "
		            "role=\"region\" aria-label=\"Facts changed\">"
		            "<table class=\"fields\" id=\"fields\"><thead>"
		            "<tr><th scope=\"col\">Field</th><th "
		            "scope=\"col\">Change</th><th "
		            "scope=\"col\">Before</th><th "
		            "scope=\"col\">After</th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(d, "fields"), i, f)
	{
		mf_page_raw(&p, "<tr><th scope=\"row\"><code>");
		mf_page_text(&p,
		             json_string_value(json_object_get(f, "pointer")));
		mf_page_raw(&p, "</code></th><td>");
		mf_page_text(&p, json_string_value(json_object_get(f, "op")));
		mf_page_raw(&p, "</td><td class=\"old\">");
		value(&p, json_object_get(f, "from"));
		mf_page_raw(&p, "</td><td class=\"new\">");
		value(&p, json_object_get(f, "to"));
		mf_page_raw(&p, "</td></tr>\n");
	}
	if (json_array_size(json_object_get(d, "fields")) > 0)
		mf_page_raw(&p, "</tbody></table></div>\n");
	mf_page_raw(&p, "</section>\n<section aria-labelledby=\"h-gained\">"
	                "<h2 id=\"h-gained\">Indicators gained and "
	                "lost</h2>\n");
	if (json_array_size(json_object_get(d, "indicators")) == 0)
		mf_page_raw(&p,
		            "<p class=\"empty\">No indicator changed.</p>\n");
	else
		mf_page_raw(&p, "<ul class=\"indicators-changed\">");
	json_array_foreach(json_object_get(d, "indicators"), i, ind)
	{
		const char *key;
		const json_t *x;

		mf_page_raw(&p, "<li>");
		json_object_foreach((json_t *)ind, key, x)
		{
			mf_page_text(&p, key);
			mf_page_raw(&p, ": ");
			value(&p, x);
			mf_page_raw(&p, "; ");
		}
		mf_page_raw(&p, "</li>");
	}
	if (json_array_size(json_object_get(d, "indicators")) > 0)
		mf_page_raw(&p, "</ul>\n");
	mf_page_raw(&p, "</section>\n<section aria-labelledby=\"h-md\"><h2 "
	                "id=\"h-md\">label.md, line by line</h2>\n<pre "
	                "class=\"diff\" tabindex=\"0\">");
	mf_page_text_pre(&p,
	                 json_string_value(json_object_get(d, "label_diff")));
	mf_page_raw(&p, "</pre></section>\n");
	mf_page_end(&p);
	rc = mf_page_finish(&p);
	mf_page_dispose(&p);
	mf_buf_dispose(&q);
	json_decref(d);
	json_decref(h);
	return rc;
}
