/*
 * Compare (/compare?model=org/a&model=org/b...): GET /v1/compare as
 * tables: facts side by side with differences marked, scores per index
 * and domain naming each judge, eval results aligned by benchmark with
 * self-reported and third-party apart. The form takes 2 to 8 models;
 * site.js suggests ids as one types (GET /v1/models?q=).
 */
#include "site/page.h"
#include "site/pages.h"
#include "site/rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MODELS 8

struct picked {
	const char *ids[MAX_MODELS + 1];
	int n;
	bool too_many;
};

static int
pick_one(void *cls, const char *name, const char *value)
{
	struct picked *pk = cls;

	if (strcmp(name, "model") != 0 || value == NULL || *value == '\0')
		return 0;
	if (pk->n >= MAX_MODELS) {
		pk->too_many = true;
		return 0;
	}
	pk->ids[pk->n++] = value;
	return 0;
}

static void
form(struct mf_page *p, const struct picked *pk)
{
	int i, shown = pk->n < 2 ? 3 : pk->n + 1;

	if (shown > MAX_MODELS)
		shown = MAX_MODELS;
	mf_page_raw(p, "<form class=\"compare-form\" method=\"get\" "
	               "action=\"/compare\"><fieldset><legend>Models to "
	               "compare (2 to 8, as org/model)</legend>\n");
	for (i = 0; i < shown; i++) {
		mf_page_printf(p,
		               "<div class=\"field\"><label for=\"m%d\">Model "
		               "%d</label> <input id=\"m%d\" name=\"model\" "
		               "type=\"text\" list=\"model-ids\" "
		               "autocomplete=\"off\" data-suggest=\"1\" "
		               "value=\"",
		               i + 1, i + 1, i + 1);
		mf_page_text(p, i < pk->n ? pk->ids[i] : "");
		mf_page_raw(p, "\"></div>\n");
	}
	mf_page_raw(p, "<datalist id=\"model-ids\"></datalist></fieldset>"
	               "<p><button type=\"submit\">Compare</button></p>"
	               "</form>\n");
}

/* One fact's value in a cell. */
static void
fact(struct mf_page *p, const json_t *v)
{
	const char *status = json_string_value(json_object_get(v, "status"));
	const json_t *x = json_object_get(v, "value");

	if (status != NULL && strcmp(status, "disclosed") != 0) {
		mf_page_raw(p, "<em>");
		mf_page_text(p, strcmp(status, "absent") == 0 ? "not disclosed"
		                                              : status);
		mf_page_raw(p, "</em>");
		return;
	}
	if (json_is_object(x) && json_is_number(json_object_get(x, "amount"))) {
		mf_page_printf(p, "%.6g ",
		               json_number_value(json_object_get(x, "amount")));
		mf_page_text(p, json_string_value(json_object_get(x, "unit")));
	} else if (json_is_string(x) || json_is_number(x)) {
		mf_page_json_text(p, x, "");
	} else {
		char *s = json_dumps(x, JSON_COMPACT);

		mf_page_text(p, s ? s : "");
		free(s);
	}
}

static void
head_row(struct mf_page *p, const json_t *models, const char *first)
{
	const json_t *m;
	size_t i;

	mf_page_printf(p, "<thead><tr><th scope=\"col\">%s</th>", first);
	json_array_foreach(models, i, m)
	{
		mf_page_raw(p, "<th scope=\"col\">");
		mf_site_model_link(
		    p, json_string_value(json_object_get(m, "org")),
		    json_string_value(json_object_get(m, "model")), NULL);
		mf_page_raw(p, "</th>");
	}
	mf_page_raw(p, "</tr></thead><tbody>\n");
}

static void
table_open(struct mf_page *p, const char *id, const char *label)
{
	mf_page_printf(p,
	               "<div class=\"scroll\" tabindex=\"0\" role=\"region\" "
	               "aria-label=\"%s\"><table class=\"compare\" "
	               "id=\"%s\">",
	               label, id);
}

static void
facts(struct mf_page *p, const json_t *c)
{
	const json_t *f, *v;
	size_t i, k;

	mf_page_raw(p, "<section aria-labelledby=\"h-facts\"><h2 "
	               "id=\"h-facts\">Facts</h2>\n<p class=\"small\">Rows "
	               "marked <span class=\"differs-key\">differ</span> "
	               "between the models (units normalised).</p>\n");
	table_open(p, "facts", "Facts side by side");
	head_row(p, json_object_get(c, "models"), "Field");
	json_array_foreach(json_object_get(c, "facts"), i, f)
	{
		bool differs = json_is_true(json_object_get(f, "differs"));

		mf_page_raw(p, differs ? "<tr class=\"differs\"><th "
		                         "scope=\"row\"><code>"
		                       : "<tr><th scope=\"row\"><code>");
		mf_page_text(p, json_string_value(json_object_get(f, "field")));
		mf_page_raw(p, "</code>");
		if (differs)
			mf_page_raw(p, " <span class=\"differs-key\">differs"
			               "</span>");
		mf_page_raw(p, "</th>");
		json_array_foreach(json_object_get(f, "values"), k, v)
		{
			mf_page_raw(p, "<td>");
			fact(p, v);
			mf_page_raw(p, "</td>");
		}
		mf_page_raw(p, "</tr>\n");
	}
	mf_page_raw(p, "</tbody></table></div></section>\n");
}

static void
scores(struct mf_page *p, const json_t *c)
{
	const json_t *ix, *m, *d;
	size_t i, k, n;
	char id[32];

	mf_page_raw(p, "<section aria-labelledby=\"h-scores\"><h2 "
	               "id=\"h-scores\">Transparency scores</h2>\n");
	json_array_foreach(json_object_get(c, "indices"), i, ix)
	{
		const json_t *first =
		    json_array_get(json_object_get(ix, "models"), 0);

		mf_page_raw(p, "<h3>");
		mf_page_text(
		    p, json_string_value(json_object_get(ix, "index_name")));
		mf_page_raw(p, " (");
		mf_page_text(p,
		             json_string_value(json_object_get(ix, "index")));
		mf_page_printf(
		    p,
		    ")</h3>\n<p class=\"small\">%zu of %lld indicators "
		    "differ.</p>\n",
		    json_array_size(
		        json_object_get(ix, "indicators_differing")),
		    (long long)json_integer_value(
		        json_object_get(ix, "indicators_compared")));
		/* ids are unique: the first index's table is #scores */
		if (i == 0)
			snprintf(id, sizeof(id), "scores");
		else
			snprintf(id, sizeof(id), "scores-%zu", i);
		table_open(p, id, "Scores by domain");
		head_row(p, json_object_get(c, "models"), "Domain");
		mf_page_raw(p, "<tr><th scope=\"row\">Total</th>");
		json_array_foreach(json_object_get(ix, "models"), k, m)
		{
			mf_page_raw(p, "<td>");
			if (json_is_integer(json_object_get(m, "max"))) {
				mf_page_bar(p,
				            json_integer_value(
				                json_object_get(m, "score")),
				            json_integer_value(
				                json_object_get(m, "max")));
				mf_page_raw(p, " <span class=\"judge\">by ");
				mf_site_judge_link(
				    p, json_string_value(
				           json_object_get(m, "judge")));
				mf_page_raw(p, "</span>");
			} else {
				mf_page_raw(p, "not judged");
			}
			mf_page_raw(p, "</td>");
		}
		mf_page_raw(p, "</tr>\n");
		json_array_foreach(json_object_get(first, "domains"), n, d)
		{
			mf_page_raw(p, "<tr><th scope=\"row\">");
			mf_page_text(
			    p, json_string_value(json_object_get(d, "name")));
			mf_page_raw(p, "</th>");
			json_array_foreach(json_object_get(ix, "models"), k, m)
			{
				const json_t *dm = json_array_get(
				    json_object_get(m, "domains"), n);

				mf_page_raw(p, "<td>");
				if (dm != NULL)
					mf_page_bar(
					    p,
					    json_integer_value(
					        json_object_get(dm, "score")),
					    json_integer_value(
					        json_object_get(dm, "max")));
				mf_page_raw(p, "</td>");
			}
			mf_page_raw(p, "</tr>\n");
		}
		mf_page_raw(p, "</tbody></table></div>\n");
	}
	mf_page_raw(p, "</section>\n");
}

static void
eval_cell(struct mf_page *p, const json_t *rows, const char *label)
{
	const json_t *r;
	size_t i;

	json_array_foreach(rows, i, r)
	{
		mf_page_printf(p, "<span class=\"eval %s\">", label);
		mf_page_raw(p, strcmp(label, "self") == 0 ? "self-reported "
		                                          : "third-party ");
		mf_page_json_text(p, json_object_get(r, "value"), "");
		mf_page_raw(p, " (");
		mf_page_text(
		    p, json_string_value(json_object_get(r, "evaluator")));
		mf_page_raw(p, ")</span> ");
	}
}

static void
evals(struct mf_page *p, const json_t *c)
{
	const json_t *e, *m;
	size_t i, k;

	mf_page_raw(p, "<section aria-labelledby=\"h-evals\"><h2 "
	               "id=\"h-evals\">Evaluation results</h2>\n");
	if (json_array_size(json_object_get(c, "evals")) == 0) {
		mf_page_raw(p, "<p class=\"empty\">No evaluation results."
		               "</p></section>\n");
		return;
	}
	table_open(p, "evals", "Evaluation results side by side");
	head_row(p, json_object_get(c, "models"), "Benchmark, metric");
	json_array_foreach(json_object_get(c, "evals"), i, e)
	{
		mf_page_raw(p, json_is_true(json_object_get(e, "disagreement"))
		                   ? "<tr class=\"differs\"><th scope=\"row\">"
		                   : "<tr><th scope=\"row\">");
		mf_page_text(
		    p, json_string_value(json_object_get(e, "benchmark")));
		mf_page_raw(p, ", ");
		mf_page_text(p,
		             json_string_value(json_object_get(e, "metric")));
		if (json_is_true(json_object_get(e, "lower_is_better")))
			mf_page_raw(p, " (lower is better)");
		if (json_is_true(json_object_get(e, "disagreement")))
			mf_page_raw(p, " <span class=\"differs-key\">self-"
			               "reported and third-party disagree"
			               "</span>");
		mf_page_raw(p, "</th>");
		json_array_foreach(json_object_get(e, "models"), k, m)
		{
			mf_page_raw(p, "<td>");
			eval_cell(p, json_object_get(m, "self_reported"),
			          "self");
			eval_cell(p, json_object_get(m, "third_party"),
			          "third");
			if (json_array_size(
			        json_object_get(m, "self_reported")) +
			        json_array_size(
			            json_object_get(m, "third_party")) ==
			    0)
				mf_page_raw(p, "—");
			mf_page_raw(p, "</td>");
		}
		mf_page_raw(p, "</tr>\n");
	}
	mf_page_raw(p, "</tbody></table></div></section>\n");
}

int
mf_site_compare(struct mf_request *req)
{
	static const char *const allowed[] = {"model", "judge", "as_of", NULL};
	struct mf_buf q = MF_BUF_INIT;
	struct picked pk = {{0}, 0, false};
	struct mf_page p;
	json_t *c = NULL;
	int i, rc;

	mf_page_init(&p, req);
	mf_page_only(&p, allowed);
	mf_http_query_each(req, pick_one, &pk);
	if (pk.too_many)
		mf_page_fail(&p, 400, "Compare takes at most 8 models.");
	for (i = 0; i < pk.n; i++)
		mf_page_qs(&q, "model", pk.ids[i]);
	mf_page_qs(&q, "judge", mf_http_query(req, "judge"));
	mf_page_qs(&q, "as_of", mf_http_query(req, "as_of"));
	if (pk.n >= 2)
		c = mf_page_fetch(&p, "/v1/compare%s", q.data);
	else if (pk.n == 1)
		mf_page_fail(&p, 400, "Pick at least two models to compare.");
	mf_page_begin(&p, "Compare models", "/compare", NULL);
	mf_page_raw(&p, "<h1>Compare models</h1>\n");
	form(&p, &pk);
	if (c != NULL) {
		mf_page_raw(&p, "<p><a href=\"/v1/compare");
		mf_page_text(&p, q.data);
		mf_page_raw(&p, "\">This comparison as JSON</a></p>\n");
		facts(&p, c);
		scores(&p, c);
		evals(&p, c);
	}
	mf_page_end(&p);
	rc = mf_page_finish(&p);
	mf_page_dispose(&p);
	mf_buf_dispose(&q);
	json_decref(c);
	return rc;
}
