/* Model rows, links and score bars shared by the pages (see rows.h). */
#include "site/rows.h"
#include "labels/text.h"

#include <string.h>

void
mf_site_model_link(struct mf_page *p, const char *org, const char *model,
                   const char *text)
{
	if (!mf_label_slug_ok(org) || !mf_label_slug_ok(model)) {
		mf_page_text(p, text);
		return;
	}
	mf_page_printf(p, "<a href=\"/models/%s/%s\">", org, model);
	if (text != NULL)
		mf_page_text(p, text);
	else
		mf_page_printf(p, "%s/%s", org, model);
	mf_page_raw(p, "</a>");
}

void
mf_site_org_link(struct mf_page *p, const char *org, const char *text)
{
	if (!mf_label_slug_ok(org)) {
		mf_page_text(p, text ? text : org);
		return;
	}
	mf_page_printf(p, "<a href=\"/orgs/%s\">", org);
	mf_page_text(p, text ? text : org);
	mf_page_raw(p, "</a>");
}

void
mf_site_judge_link(struct mf_page *p, const char *judge)
{
	if (judge == NULL || strcmp(judge, "auto") == 0)
		mf_page_raw(p, "the automatic check");
	else
		mf_site_org_link(p, judge, NULL);
}

static void
judge_option(struct mf_page *p, const char *value, const char *text,
             bool selected)
{
	mf_page_raw(p, "<option value=\"");
	mf_page_text(p, value);
	mf_page_raw(p, selected ? "\" selected>" : "\">");
	mf_page_text(p, text);
	mf_page_raw(p, "</option>");
}

void
mf_site_judge_select(struct mf_page *p, const char *id, const json_t *orgs,
                     const char *current)
{
	const json_t *o;
	bool found = current == NULL || strcmp(current, "auto") == 0;
	size_t i;

	mf_page_printf(p,
	               "<div class=\"field\"><label for=\"%s\">Judge</label> "
	               "<select id=\"%s\" name=\"judge\">",
	               id, id);
	judge_option(p, "",
	             "Default: the latest assessor, else the automatic "
	             "check",
	             current == NULL);
	judge_option(p, "auto", "The automatic check",
	             current != NULL && strcmp(current, "auto") == 0);
	json_array_foreach(json_object_get(orgs, "orgs"), i, o)
	{
		const char *org = json_string_value(json_object_get(o, "org"));
		const char *role =
		    json_string_value(json_object_get(o, "role"));

		if (org == NULL || role == NULL ||
		    strcmp(role, "assessor") != 0)
			continue;
		found = found || strcmp(org, current) == 0;
		judge_option(p, org,
		             json_string_value(json_object_get(o, "name"))
		                 ? json_string_value(json_object_get(o, "name"))
		                 : org,
		             current != NULL && strcmp(org, current) == 0);
	}
	if (!found)
		judge_option(p, current, current, true);
	mf_page_raw(p, "</select></div>");
}

void
mf_site_count(struct mf_page *p, double n)
{
	static const struct {
		double at;
		const char *suffix;
	} units[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (n >= units[i].at) {
			mf_page_printf(p, "%.3g%s", n / units[i].at,
			               units[i].suffix);
			return;
		}
	mf_page_printf(p, "%.0f", n);
}

static void
meta(struct mf_page *p, const char *sep, const json_t *v)
{
	if (!json_is_string(v) || *json_string_value(v) == '\0')
		return;
	mf_page_raw(p, sep);
	mf_page_text(p, json_string_value(v));
}

/* The row's judgement (the index and judge the list used) and, when
 * that is not the automatic modelfacts-v1 check, the automatic score. */
static void
scores(struct mf_page *p, const json_t *m)
{
	const json_t *j = json_object_get(m, "judgement");
	const json_t *s = json_object_get(m, "score");
	const char *index = json_string_value(json_object_get(j, "index"));
	const char *judge = json_string_value(json_object_get(j, "judge"));

	mf_page_raw(p, "<ul class=\"scores\">");
	if (json_is_integer(json_object_get(j, "max"))) {
		mf_page_raw(p, "<li><span class=\"index\">");
		mf_page_text(p, index);
		mf_page_raw(p, "</span> ");
		mf_page_bar(p, json_integer_value(json_object_get(j, "score")),
		            json_integer_value(json_object_get(j, "max")));
		mf_page_raw(p, " <span class=\"judge\">judged by ");
		mf_site_judge_link(p, judge);
		mf_page_raw(p, "</span></li>");
	}
	if (json_is_integer(json_object_get(s, "max")) &&
	    !(index && judge && strcmp(index, "modelfacts-v1") == 0 &&
	      strcmp(judge, "auto") == 0)) {
		mf_page_raw(p,
		            "<li><span class=\"index\">modelfacts-v1</span> ");
		mf_page_bar(p, json_integer_value(json_object_get(s, "total")),
		            json_integer_value(json_object_get(s, "max")));
		mf_page_raw(p, " <span class=\"judge\">judged by the automatic "
		               "check</span></li>");
	}
	if (!json_is_integer(json_object_get(j, "max")) &&
	    !json_is_integer(json_object_get(s, "max")))
		mf_page_raw(p, "<li>Not judged yet.</li>");
	mf_page_raw(p, "</ul>");
}

void
mf_site_model_rows(struct mf_page *p, const json_t *models, const char *id)
{
	const json_t *m, *v;
	size_t i;

	if (json_array_size(models) == 0) {
		mf_page_printf(p,
		               "<p class=\"empty\" id=\"%s-empty\">No models "
		               "match.</p>\n",
		               id);
		return;
	}
	mf_page_printf(p, "<ol class=\"results\" id=\"%s\">\n", id);
	json_array_foreach(models, i, m)
	{
		const char *org = json_string_value(json_object_get(m, "org"));
		const char *model =
		    json_string_value(json_object_get(m, "model"));
		const char *name =
		    json_string_value(json_object_get(m, "name"));

		mf_page_raw(p, "<li class=\"result\"><h3>");
		mf_site_model_link(p, org, model, name);
		mf_page_raw(p, "</h3><p class=\"meta\"><span class=\"id\">");
		mf_page_text(p, org);
		mf_page_raw(p, "/");
		mf_page_text(p, model);
		mf_page_raw(p, "</span>");
		if (json_is_integer(v = json_object_get(m, "version")))
			mf_page_printf(p, " · version %lld",
			               (long long)json_integer_value(v));
		if (json_is_true(json_object_get(m, "assessment_only")))
			mf_page_raw(p, " · assessed only, no disclosure");
		meta(p, " · ", json_object_get(m, "developer"));
		meta(p, " · released ", json_object_get(m, "release_date"));
		meta(p, " · ", json_object_get(m, "access"));
		meta(p, " · ", json_object_get(m, "license"));
		if (json_is_number(v = json_object_get(m, "parameters"))) {
			mf_page_raw(p, " · ");
			mf_site_count(p, json_number_value(v));
			mf_page_raw(p, " parameters");
		}
		mf_page_raw(p, "</p>");
		scores(p, m);
		mf_page_raw(p, "</li>\n");
	}
	mf_page_raw(p, "</ol>\n");
}
