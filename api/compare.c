/*
 * Compare: each model's label input (publish/label_data.c, as of the
 * same position) taken apart into three aligned views. All of it is
 * jansson work over at most eight labels; the database is read only
 * through mf_label_data_load.
 *
 * Tolerance: a self-reported figure and a third party's result for the
 * same benchmark+metric disagree when, on a percent-like scale (fraction
 * or percent, both compared in percentage points), they differ by more
 * than 2 points; on any other scale, by more than 5% of the third
 * party's value. Figures on different, non-percent scales are not
 * compared.
 */
#include "api/compare.h"
#include "api/coverage.h"
#include "api/export.h"
#include "api/util.h"
#include "common/json.h"
#include "common/slug.h"
#include "publish/label_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MODELS         8
#define TOLERANCE_POINTS   2.0
#define TOLERANCE_RELATIVE 0.05
#define COMPARE_TOLERANCE                                                      \
	"self-reported and third-party figures disagree when they differ "     \
	"by more than 2 percentage points (fraction and percent scales, "      \
	"compared in percent) or, on other scales, by more than 5% of the "    \
	"third party's value"

/* One fact compared across models, and the unit it is normalised to. */
static const struct fact {
	const char *pointer;
	const char *unit; /* NULL: compared as given */
} facts[] = {
    {"/identity/name", NULL},
    {"/identity/developer", NULL},
    {"/identity/version", NULL},
    {"/identity/release_date", NULL},
    {"/model/architecture/type", NULL},
    {"/model/parameters", "parameters"},
    {"/model/active_parameters", "parameters"},
    {"/model/context_window", "tokens"},
    {"/model/modalities/input", NULL},
    {"/model/modalities/output", NULL},
    {"/distribution/access", NULL},
    {"/distribution/license/spdx", NULL},
    {"/data/size", "tokens"},
    {"/compute/training_flop", "FLOP"},
    {"/compute/accelerator_hours", "hours"},
    {"/compute/duration", "hours"},
    {"/compute/energy", "MWh"},
    {"/compute/emissions", "tCO2e"},
};

/* unit -> target: multiply by num, divide by den (exact for the usual
 * round figures, unlike multiplying by 0.001). */
static const struct conversion {
	const char *from, *to;
	double num, den;
} conversions[] = {
    {"days", "hours", 24, 1},
    {"kWh", "MWh", 1, 1000},
    {"GWh", "MWh", 1000, 1},
    {"kgCO2e", "tCO2e", 1, 1000},
};

struct model {
	char spec[140];
	char org[64], model[64];
	int version; /* 0: the newest */
	struct mf_label_data d;
	bool loaded;
};

struct compare {
	struct mf_request *req;
	struct model m[MAX_MODELS + 1];
	size_t n;
	const char *judge;
};

/* Collects the model= arguments, checking each "org/model[@n]". */
static int
collect(void *ctx, const char *name, const char *value)
{
	struct compare *c = ctx;
	struct model *m;
	const char *slash, *at;
	char *end;
	long v = 0;

	if (strcmp(name, "model") != 0)
		return 0;
	if (c->n >= MAX_MODELS)
		return mf_error_set(&c->req->err, MF_E_BAD_PARAM, NULL,
		                    "compare takes 2 to %d models", MAX_MODELS);
	m = &c->m[c->n];
	if (value == NULL || (slash = strchr(value, '/')) == NULL ||
	    slash - value >= 64 || strlen(value) >= sizeof(m->spec))
		goto bad;
	memcpy(m->org, value, (size_t)(slash - value));
	m->org[slash - value] = '\0';
	at = strchr(slash + 1, '@');
	if (at == NULL)
		at = slash + 1 + strlen(slash + 1);
	if (at - slash - 1 >= 64)
		goto bad;
	memcpy(m->model, slash + 1, (size_t)(at - slash - 1));
	m->model[at - slash - 1] = '\0';
	if (*at == '@') {
		v = strtol(at + 1, &end, 10);
		if (at[1] < '1' || at[1] > '9' || *end != '\0' || v > 1000000)
			goto bad;
	}
	if (!mf_slug_valid(m->org) || !mf_slug_valid(m->model))
		goto bad;
	m->version = (int)v;
	/* spec: org/model, without the version (fits: 63 + 1 + 63 < 140) */
	memcpy(m->spec, value, (size_t)(at - value));
	m->spec[at - value] = '\0';
	c->n++;
	return 0;
bad:
	return mf_error_set(&c->req->err, MF_E_BAD_PARAM, NULL,
	                    "query parameter 'model' must be org/model or "
	                    "org/model@version, not '%.140s'",
	                    value ? value : "");
}

/* --- facts ------------------------------------------------------------ */

/* amount in unit `from` expressed in `to`; false when not convertible */
static bool
convert(double amount, const char *from, const char *to, double *out)
{
	size_t i;

	if (strcmp(from, to) == 0) {
		*out = amount;
		return true;
	}
	for (i = 0; i < sizeof(conversions) / sizeof(conversions[0]); i++)
		if (strcmp(conversions[i].from, from) == 0 &&
		    strcmp(conversions[i].to, to) == 0) {
			*out = amount * conversions[i].num / conversions[i].den;
			return true;
		}
	return false;
}

/* One model's cell for fact f: status, the value as signed, and the
 * normalised amount where there is one. */
static json_t *
fact_cell(const struct fact *f, json_t *disclosure)
{
	json_t *node, *value, *amount;
	const char *status = "disclosed", *unit;
	double n;

	if (disclosure == NULL)
		return json_pack("{s:s}", "status", "no_disclosure");
	if ((node = mf_json_pointer_get(disclosure, f->pointer)) == NULL)
		return json_pack("{s:s}", "status", "absent");
	value = node;
	if (json_is_object(node) && mf_json_str(node, "status") != NULL) {
		status = mf_json_str(node, "status");
		value = json_object_get(node, "value");
	}
	if (value == NULL)
		return json_pack("{s:s}", "status", status);
	amount = json_object_get(value, "amount");
	unit = mf_json_str(value, "unit");
	if (f->unit == NULL || !json_is_number(amount) || unit == NULL)
		return json_pack("{s:s, s:O, s:n}", "status", status, "value",
		                 value, "normalised");
	if (!convert(json_number_value(amount), unit, f->unit, &n))
		return json_pack("{s:s, s:O, s:n}", "status", status, "value",
		                 value, "normalised");
	return json_pack("{s:s, s:O, s:f}", "status", status, "value", value,
	                 "normalised", n);
}

/* Whether two cells say the same (numbers within 1e-9 relative). */
static bool
cell_same(const json_t *a, const json_t *b)
{
	const json_t *na = json_object_get(a, "normalised");
	const json_t *nb = json_object_get(b, "normalised");

	if (!json_equal(json_object_get(a, "status"),
	                json_object_get(b, "status")))
		return false;
	if (json_is_number(na) && json_is_number(nb)) {
		double x = json_number_value(na), y = json_number_value(nb);

		return fabs(x - y) <= 1e-9 * fmax(fabs(x), fabs(y));
	}
	return json_equal(json_object_get(a, "value"),
	                  json_object_get(b, "value"));
}

static json_t *
facts_json(struct compare *c)
{
	json_t *out = json_array(), *cells, *row;
	size_t i, k;
	bool differs;

	for (i = 0; out != NULL && i < sizeof(facts) / sizeof(facts[0]); i++) {
		if ((cells = json_array()) == NULL)
			goto fail;
		differs = false;
		for (k = 0; k < c->n; k++) {
			if (json_array_append_new(
			        cells, fact_cell(&facts[i],
			                         c->m[k].d.disclosure)) != 0) {
				json_decref(cells);
				goto fail;
			}
			if (k > 0 && !cell_same(json_array_get(cells, 0),
			                        json_array_get(cells, k)))
				differs = true;
		}
		row = json_pack("{s:s, s:s?, s:o, s:b}", "field",
		                facts[i].pointer, "unit", facts[i].unit,
		                "values", cells, "differs", differs);
		if (row == NULL || json_array_append_new(out, row) != 0)
			goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* --- indices ---------------------------------------------------------- */

static json_t *
domains_json(const json_t *score)
{
	json_t *out = json_array(), *d;
	size_t i;

	json_array_foreach(
	    json_object_get(score, "domains"), i,
	    d) if (json_array_append_new(out,
	                                 json_pack(
	                                     "{s:O, s:O, s:O, s:O}", "id",
	                                     json_object_get(d, "id"), "name",
	                                     json_object_get(d, "name"),
	                                     "score",
	                                     json_object_get(d, "score"), "max",
	                                     json_object_get(d, "max"))) != 0)
	{
		json_decref(out);
		return NULL;
	}
	return out;
}

/* A result of indicator `id` in judgement j, or "not_assessed". */
static const char *
result_of(const json_t *j, const char *id)
{
	const json_t *it;
	size_t i;

	json_array_foreach(
	    json_object_get(json_object_get(j, "score"), "indicators"), i,
	    it) if (strcmp(mf_json_str(it, "id") ? mf_json_str(it, "id") : "",
	                   id) == 0)
	{
		const char *r = mf_json_str(it, "result");

		return r == NULL || strcmp(r, "unassessed") == 0
		           ? "not_assessed"
		           : r;
	}
	return "not_assessed";
}

/* One index across the models: scores by domain, differing indicators. */
static json_t *
index_json(struct compare *c, const char *index)
{
	const json_t *js[MAX_MODELS], *any = NULL, *it;
	json_t *models = json_array(), *diff = json_array(), *x, *results;
	const char *name = NULL;
	size_t k, i, compared = 0;
	bool differs;

	if (models == NULL || diff == NULL)
		goto fail;
	for (k = 0; k < c->n; k++) {
		const json_t *score;

		js[k] =
		    mf_h_judgement_pick(c->m[k].d.judgements, index, c->judge);
		score = json_object_get(js[k], "score");
		if (js[k] != NULL && any == NULL)
			any = js[k];
		if (js[k] != NULL && name == NULL)
			name = mf_json_str(js[k], "index_name");
		x = js[k] == NULL
		        ? json_pack("{s:s, s:n}", "model", c->m[k].spec,
		                    "judge")
		        : json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:o}",
		                    "model", c->m[k].spec, "judge",
		                    json_object_get(js[k], "judge"),
		                    "judge_name",
		                    json_object_get(js[k], "judge_name"), "at",
		                    json_object_get(js[k], "at"), "score",
		                    json_object_get(score, "score"), "max",
		                    json_object_get(score, "max"), "domains",
		                    domains_json(score));
		if (x == NULL || json_array_append_new(models, x) != 0)
			goto fail;
	}
	/* the indicators of any judgement about this index: all of them
	 * list every indicator of the index */
	json_array_foreach(
	    json_object_get(json_object_get(any, "score"), "indicators"), i, it)
	{
		const char *id = mf_json_str(it, "id");

		if (id == NULL || (results = json_array()) == NULL)
			goto fail;
		compared++;
		differs = false;
		for (k = 0; k < c->n; k++) {
			const char *r =
			    js[k] ? result_of(js[k], id) : "not_assessed";

			json_array_append_new(results, json_string(r));
			if (k > 0 && strcmp(r, json_string_value(json_array_get(
			                           results, 0))) != 0)
				differs = true;
		}
		if (!differs) {
			json_decref(results);
			continue;
		}
		x = json_pack("{s:s, s:O, s:O, s:o}", "id", id, "name",
		              json_object_get(it, "name"), "domain",
		              json_object_get(it, "domain"), "results",
		              results);
		if (x == NULL || json_array_append_new(diff, x) != 0)
			goto fail;
	}
	return json_pack("{s:s, s:s?, s:o, s:I, s:o}", "index", index,
	                 "index_name", name, "models", models,
	                 "indicators_compared", (json_int_t)compared,
	                 "indicators_differing", diff);
fail:
	json_decref(models);
	json_decref(diff);
	return NULL;
}

static json_t *
indices_json(struct compare *c)
{
	json_t *ids = json_array(), *out = json_array(), *j, *x;
	size_t k, i, m;

	if (ids == NULL || out == NULL)
		goto fail;
	for (k = 0; k < c->n; k++)
		json_array_foreach(c->m[k].d.judgements, i, j)
		{
			json_t *id = json_object_get(j, "index");
			bool seen = false;

			for (m = 0; m < json_array_size(ids); m++)
				seen = seen ||
				       json_equal(json_array_get(ids, m), id);
			if (!seen && json_is_string(id) &&
			    json_array_append(ids, id) != 0)
				goto fail;
		}
	json_array_foreach(
	    ids, i, j) if ((x = index_json(c, json_string_value(j))) == NULL ||
	                   json_array_append_new(out, x) != 0) goto fail;
	json_decref(ids);
	return out;
fail:
	json_decref(ids);
	json_decref(out);
	return NULL;
}

/* --- evals ------------------------------------------------------------ */

/* fraction and percent are compared in percent */
static bool
percent_like(const char *scale)
{
	return scale != NULL && (strcmp(scale, "fraction") == 0 ||
	                         strcmp(scale, "percent") == 0);
}

static double
normalised(double v, const char *scale)
{
	char text[32];

	if (scale == NULL || strcmp(scale, "fraction") != 0)
		return v;
	/* 0.58 * 100 is 57.99999999999999 in binary: 12 significant
	 * digits are more than any benchmark reports */
	snprintf(text, sizeof(text), "%.12g", v * 100);
	return strtod(text, NULL);
}

/* The group for benchmark+metric (case-insensitive), created empty. */
static json_t *
group_for(json_t *groups, size_t nmodels, const char *bench, const char *metric)
{
	json_t *g, *models;
	size_t i;

	json_array_foreach(
	    groups, i,
	    g) if (strcasecmp(mf_json_str(g, "benchmark"), bench) == 0 &&
	           strcasecmp(mf_json_str(g, "metric"), metric) == 0) return g;
	if ((models = json_array()) == NULL)
		return NULL;
	for (i = 0; i < nmodels; i++)
		json_array_append_new(
		    models,
		    json_pack("{s:[], s:[]}", "self_reported", "third_party"));
	g = json_pack("{s:s, s:s, s:b, s:o}", "benchmark", bench, "metric",
	              metric, "lower_is_better", 0, "models", models);
	if (g == NULL || json_array_append_new(groups, g) != 0)
		return NULL;
	return g;
}

/* Adds one figure to model k's side of its group. */
static int
add_figure(json_t *groups, size_t nmodels, size_t k, const char *bench,
           const char *metric, const char *assurance, bool lower,
           json_t *figure)
{
	json_t *g;

	if (figure == NULL)
		return MF_E_NOMEM;
	if (bench == NULL || metric == NULL || assurance == NULL ||
	    (strcmp(assurance, "self_reported") != 0 &&
	     strcmp(assurance, "third_party") != 0)) {
		json_decref(figure);
		return 0;
	}
	if ((g = group_for(groups, nmodels, bench, metric)) == NULL) {
		json_decref(figure);
		return MF_E_NOMEM;
	}
	if (lower)
		json_object_set_new(g, "lower_is_better", json_true());
	return json_array_append_new(
	           json_object_get(
	               json_array_get(json_object_get(g, "models"), k),
	               assurance),
	           figure) == 0
	           ? 0
	           : MF_E_NOMEM;
}

/* Model k's figures: its signed eval results, then the figures its
 * disclosure states itself (evaluations.results, self-reported only). */
static int
collect_figures(json_t *groups, struct compare *c, size_t k)
{
	const struct mf_label_data *d = &c->m[k].d;
	json_t *e, *r;
	size_t i;
	int rc;

	json_array_foreach(d->evals, i, e)
	{
		const json_t *res = json_object_get(e, "result");
		const json_t *met = json_object_get(res, "metric");
		const char *scale = mf_json_str(met, "scale");
		double v = json_number_value(json_object_get(res, "value"));

		rc = add_figure(
		    groups, c->n, k,
		    mf_json_str(json_object_get(res, "benchmark"), "id"),
		    mf_json_str(met, "name"), mf_json_str(e, "assurance"),
		    json_is_true(json_object_get(met, "lower_is_better")),
		    json_pack("{s:f, s:s?, s:f, s:s, s:O, s:O, s:O, s:s+}",
		              "value", v, "scale", scale, "normalised",
		              normalised(v, scale), "source", "eval-result",
		              "evaluator", json_object_get(e, "evaluator"),
		              "log_index", json_object_get(e, "log_index"),
		              "payload_sha256",
		              json_object_get(e, "payload_sha256"), "envelope",
		              "/v1/envelopes/",
		              mf_json_str(e, "payload_sha256")
		                  ? mf_json_str(e, "payload_sha256")
		                  : ""));
		if (rc != 0)
			return rc;
	}
	json_array_foreach(
	    mf_json_pointer_get(d->disclosure, "/evaluations/results"), i, r)
	{
		const char *scale = mf_json_str(r, "scale");
		double v = json_number_value(json_object_get(r, "value"));

		if (!json_is_number(json_object_get(r, "value")) ||
		    strcmp(mf_json_str(r, "assurance")
		               ? mf_json_str(r, "assurance")
		               : "self_reported",
		           "self_reported") != 0)
			continue;
		rc = add_figure(
		    groups, c->n, k, mf_json_str(r, "benchmark"),
		    mf_json_str(r, "metric"), "self_reported",
		    json_is_true(json_object_get(r, "lower_is_better")),
		    json_pack("{s:f, s:s?, s:f, s:s, s:s, s:i}", "value", v,
		              "scale", scale, "normalised",
		              normalised(v, scale), "source", "disclosure",
		              "evaluator", c->m[k].org, "version",
		              d->in.version));
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The newest figure of a side (eval results by log index, before the
 * disclosure's own figures); NULL when empty. */
static const json_t *
newest(const json_t *side)
{
	const json_t *best = NULL, *f;
	size_t i;

	json_array_foreach(side, i, f)
	{
		json_int_t li =
		    json_integer_value(json_object_get(f, "log_index"));

		if (best == NULL ||
		    (json_is_integer(json_object_get(f, "log_index")) &&
		     (!json_is_integer(json_object_get(best, "log_index")) ||
		      li > json_integer_value(
		               json_object_get(best, "log_index")))))
			best = f;
	}
	return best;
}

/* Whether self-reported s and third-party t disagree; *diff the gap. */
static bool
disagree(const json_t *s, const json_t *t, double *diff, const char **rule)
{
	const char *ss = mf_json_str(s, "scale"), *ts = mf_json_str(t, "scale");
	double a = json_number_value(json_object_get(s, "normalised"));
	double b = json_number_value(json_object_get(t, "normalised"));

	*diff = fabs(a - b);
	if (percent_like(ss) && percent_like(ts)) {
		*rule = "more than 2 percentage points apart";
		return *diff > TOLERANCE_POINTS;
	}
	if (ss != NULL && ts != NULL && strcmp(ss, ts) != 0)
		return false;
	if ((ss == NULL) != (ts == NULL))
		return false;
	*rule = "more than 5% of the third party's value apart";
	return *diff > TOLERANCE_RELATIVE * fabs(b);
}

/* Per group: each model's representative value, the best, and the
 * disagreements. */
static int
judge_group(struct compare *c, json_t *g)
{
	json_t *models = json_object_get(g, "models"), *best = json_array();
	json_t *flags = json_array(), *m;
	bool lower = json_is_true(json_object_get(g, "lower_is_better"));
	double top = 0;
	bool have = false;
	size_t k, i, j;

	if (best == NULL || flags == NULL)
		goto fail;
	json_array_foreach(models, k, m)
	{
		json_t *self = json_object_get(m, "self_reported");
		json_t *third = json_object_get(m, "third_party");
		const json_t *rep = newest(third), *s, *t;
		double v, diff;
		const char *rule;

		json_object_set_new(m, "model", json_string(c->m[k].spec));
		if (rep == NULL)
			rep = newest(self);
		json_object_set_new(
		    m, "value",
		    rep ? json_deep_copy(json_object_get(rep, "normalised"))
		        : json_null());
		json_object_set_new(m, "value_from",
		                    rep == NULL
		                        ? json_null()
		                        : json_string(rep == newest(third)
		                                          ? "third_party"
		                                          : "self_reported"));
		if (rep != NULL) {
			v = json_number_value(
			    json_object_get(rep, "normalised"));
			if (!have || (lower ? v < top : v > top)) {
				json_array_clear(best);
				top = v;
				have = true;
			}
			if (v == top)
				json_array_append_new(
				    best, json_string(c->m[k].spec));
		}
		json_array_foreach(self, i, s) json_array_foreach(
		    third, j,
		    t) if (disagree(s, t, &diff, &rule) &&
		           json_array_append_new(
		               flags,
		               json_pack("{s:s, s:O, s:O, s:s, s:O, s:f, "
		                         "s:s}",
		                         "model", c->m[k].spec, "self_reported",
		                         json_object_get(s, "value"),
		                         "third_party",
		                         json_object_get(t, "value"),
		                         "self_reported_source",
		                         mf_json_str(s, "source"), "evaluator",
		                         json_object_get(t, "evaluator"),
		                         "difference", diff, "rule", rule)) !=
		               0) goto fail;
	}
	if (json_object_set_new(g, "best", best) != 0) {
		best = NULL;
		goto fail;
	}
	if (json_object_set_new(g, "disagreement",
	                        json_boolean(json_array_size(flags) > 0)) !=
	        0 ||
	    json_object_set_new(g, "disagreements", flags) != 0)
		return MF_E_NOMEM;
	return 0;
fail:
	json_decref(best);
	json_decref(flags);
	return MF_E_NOMEM;
}

static json_t *
evals_json(struct compare *c)
{
	json_t *groups = json_array(), *g;
	size_t k, i;

	if (groups == NULL)
		return NULL;
	for (k = 0; k < c->n; k++)
		if (collect_figures(groups, c, k) != 0)
			goto fail;
	json_array_foreach(groups, i, g) if (judge_group(c, g) != 0) goto fail;
	return groups;
fail:
	json_decref(groups);
	return NULL;
}

/* --- as CSV or JSON Lines --------------------------------------------- */

/*
 * The export's rows, one per aligned field of the JSON body: section
 * (fact, score, indicator, eval), field, unit, one column per model
 * (named org/model@version) holding its value, then differs,
 * disagreement (evals) and best (evals, the best models' names).
 */
struct flat {
	json_t *rows;
	char names[MAX_MODELS][160];
	size_t n;
};

/*
 * A row of section `section`; takes the references values and extra.
 * differs: the JSON's own flag (facts: with its tolerance and statuses),
 * or NULL: whether the values differ.
 */
static int
flat_row(struct flat *f, const char *section, const char *field,
         const json_t *unit, json_t *values[MAX_MODELS],
         const json_t *differs_flag, json_t *extra)
{
	json_t *row = json_pack("{s:s, s:s, s:O?}", "section", section, "field",
	                        field, "unit", unit);
	bool differs = false;
	size_t k;
	int rc = MF_E_NOMEM;

	if (row == NULL)
		goto done;
	for (k = 0; k < f->n; k++) {
		if (k > 0 && !json_equal(values[0] ? values[0] : json_null(),
		                         values[k] ? values[k] : json_null()))
			differs = true;
		if (json_object_set(row, f->names[k],
		                    values[k] ? values[k] : json_null()) != 0)
			goto done;
	}
	if (differs_flag != NULL)
		differs = json_is_true(differs_flag);
	if (json_object_set_new(row, "differs", json_boolean(differs)) != 0 ||
	    (extra != NULL && json_object_update(row, extra) != 0) ||
	    json_array_append(f->rows, row) != 0)
		goto done;
	rc = 0;
done:
	for (k = 0; k < f->n; k++)
		json_decref(values[k]);
	json_decref(extra);
	json_decref(row);
	return rc;
}

/* A fact's cell: the normalised amount, else the value as disclosed,
 * else null (withheld, not applicable, unknown, absent). */
static json_t *
fact_value(const json_t *cell)
{
	const json_t *n = json_object_get(cell, "normalised");

	if (json_is_number(n))
		return json_incref((json_t *)n);
	return json_incref(json_object_get(cell, "value"));
}

static int
flat_facts(struct flat *f, const json_t *list)
{
	json_t *values[MAX_MODELS], *fact;
	size_t i, k;
	int rc;

	json_array_foreach(list, i, fact)
	{
		for (k = 0; k < f->n; k++)
			values[k] = fact_value(
			    json_array_get(json_object_get(fact, "values"), k));
		if ((rc = flat_row(f, "fact", mf_json_str(fact, "field"),
		                   json_object_get(fact, "unit"), values,
		                   json_object_get(fact, "differs"), NULL)) !=
		    0)
			return rc;
	}
	return 0;
}

/* Per index: the score, each domain's score, the differing indicators. */
static int
flat_index(struct flat *f, const json_t *ix)
{
	const char *index = mf_json_str(ix, "index");
	const json_t *models = json_object_get(ix, "models"), *d, *it;
	const json_t *domains = NULL;
	json_t *values[MAX_MODELS];
	char field[256];
	size_t i, k, j;
	int rc;

	for (k = 0; k < f->n; k++)
		values[k] = json_incref(
		    json_object_get(json_array_get(models, k), "score"));
	if ((rc = flat_row(f, "score", index, NULL, values, NULL, NULL)) != 0)
		return rc;
	/* the domains of any model judged (the index names them all) */
	for (k = 0; k < f->n && domains == NULL; k++)
		if (json_array_size(json_object_get(json_array_get(models, k),
		                                    "domains")) > 0)
			domains = json_object_get(json_array_get(models, k),
			                          "domains");
	json_array_foreach(domains, i, d)
	{
		const char *id = mf_json_str(d, "id");

		for (k = 0; k < f->n; k++) {
			values[k] = NULL;
			json_array_foreach(
			    json_object_get(json_array_get(models, k),
			                    "domains"),
			    j, it) if (json_equal(json_object_get(it, "id"),
			                          json_object_get(d, "id")))
			    values[k] =
			        json_incref(json_object_get(it, "score"));
		}
		snprintf(field, sizeof(field), "%s/%s", index, id ? id : "");
		if ((rc = flat_row(f, "score", field, NULL, values, NULL,
		                   NULL)) != 0)
			return rc;
	}
	json_array_foreach(json_object_get(ix, "indicators_differing"), i, it)
	{
		for (k = 0; k < f->n; k++)
			values[k] = json_incref(
			    json_array_get(json_object_get(it, "results"), k));
		snprintf(field, sizeof(field), "%s/%s", index,
		         mf_json_str(it, "id") ? mf_json_str(it, "id") : "");
		if ((rc = flat_row(f, "indicator", field, NULL, values, NULL,
		                   NULL)) != 0)
			return rc;
	}
	return 0;
}

/* Per benchmark+metric: each model's value (the scale of the first
 * value, fraction given in percent, as the unit). */
static int
flat_eval(struct flat *f, const json_t *g)
{
	const json_t *models = json_object_get(g, "models"), *m, *side, *fig;
	json_t *values[MAX_MODELS], *best, *unit = NULL, *extra;
	struct mf_buf field = MF_BUF_INIT, names = MF_BUF_INIT;
	size_t k, i;
	int rc = MF_E_NOMEM;

	json_array_foreach(models, k, m)
	{
		side = json_object_get(m, mf_json_str(m, "value_from")
		                              ? mf_json_str(m, "value_from")
		                              : "");
		json_array_foreach(side, i, fig) if (unit == NULL &&
		                                     mf_json_str(fig, "scale"))
		{
			const char *sc = mf_json_str(fig, "scale");

			unit = json_string(
			    strcmp(sc, "fraction") == 0 ? "percent" : sc);
		}
	}
	json_array_foreach(json_object_get(g, "best"), i, best) mf_buf_printf(
	    &names, "%s%s", names.len ? " " : "", json_string_value(best));
	extra = json_pack("{s:O, s:s?}", "disagreement",
	                  json_object_get(g, "disagreement"), "best",
	                  names.len > 0 ? names.data : NULL);
	for (k = 0; k < f->n; k++)
		values[k] = json_incref(
		    json_object_get(json_array_get(models, k), "value"));
	if (mf_buf_printf(&field, "%s/%s", mf_json_str(g, "benchmark"),
	                  mf_json_str(g, "metric")) == 0 &&
	    extra != NULL)
		rc = flat_row(f, "eval", field.data, unit, values, NULL, extra);
	else {
		for (k = 0; k < f->n; k++)
			json_decref(values[k]);
		json_decref(extra);
	}
	json_decref(unit);
	mf_buf_dispose(&field);
	mf_buf_dispose(&names);
	return rc;
}

static int
compare_export(struct compare *c, const json_t *body, enum mf_format fmt)
{
	struct mf_request *req = c->req;
	const char *columns[MAX_MODELS + 6];
	const json_t *x;
	struct flat f = {.n = c->n};
	size_t k, j, n = 0;
	int rc = 0;

	/* 1. The columns: a model column per model, named uniquely. */
	for (k = 0; k < c->n; k++) {
		const struct mf_label_data *d = &c->m[k].d;

		if (d->in.version > 0)
			snprintf(f.names[k], sizeof(f.names[k]), "%s/%s@%d",
			         d->org, d->model, d->in.version);
		else
			snprintf(f.names[k], sizeof(f.names[k]), "%s/%s",
			         d->org, d->model);
		for (j = 0; j < k; j++)
			if (strcmp(f.names[j], f.names[k]) == 0)
				return mf_error_set(
				    &req->err, MF_E_BAD_PARAM, NULL,
				    "model %s is named twice (as the newest "
				    "version and by its number)",
				    f.names[k]);
	}
	columns[n++] = "section";
	columns[n++] = "field";
	columns[n++] = "unit";
	for (k = 0; k < c->n; k++)
		columns[n++] = f.names[k];
	columns[n++] = "differs";
	columns[n++] = "disagreement";
	columns[n++] = "best";
	/* 2. The rows. */
	if ((f.rows = json_array()) == NULL ||
	    flat_facts(&f, json_object_get(body, "facts")) != 0)
		goto nomem;
	json_array_foreach(json_object_get(body, "indices"), k,
	                   x) if (flat_index(&f, x) != 0) goto nomem;
	json_array_foreach(json_object_get(body, "evals"), k,
	                   x) if (flat_eval(&f, x) != 0) goto nomem;
	struct mf_export e = {.filename = "compare",
	                      .list_key = "rows",
	                      .rows = f.rows,
	                      .columns = columns,
	                      .ncolumns = n};
	rc = mf_h_export(req, &e, fmt);
	json_decref(f.rows);
	return rc;
nomem:
	json_decref(f.rows);
	return mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
}

/* --- the handler ------------------------------------------------------ */

static json_t *
models_json(struct compare *c)
{
	json_t *out = json_array();
	size_t k;

	for (k = 0; out != NULL && k < c->n; k++) {
		const struct mf_label_data *d = &c->m[k].d;

		if (json_array_append_new(
		        out, json_pack(
		                 "{s:s, s:s, s:o, s:o, s:b, s:o, s:o}", "org",
		                 d->org, "model", d->model, "version",
		                 d->in.version > 0 ? json_integer(d->in.version)
		                                   : json_null(),
		                 "latest_version",
		                 d->in.latest_version > 0
		                     ? json_integer(d->in.latest_version)
		                     : json_null(),
		                 "assessment_only", d->in.assessment_only,
		                 "payload_sha256",
		                 d->in.payload_sha256
		                     ? json_string(d->in.payload_sha256)
		                     : json_null(),
		                 "label",
		                 json_sprintf("/v1/models/%s/%s/label.json",
		                              d->org, d->model))) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

int
mf_h_compare(struct mf_request *req)
{
	static const char *const allowed[] = {"model", "judge", "as_of",
	                                      "format", NULL};
	static const char *const repeatable[] = {"model", NULL};
	struct compare *c = calloc(1, sizeof(*c));
	json_t *body = NULL;
	enum mf_format fmt;
	int64_t as_of;
	bool given;
	size_t k, j;
	int rc;

	if (c == NULL)
		return mf_error_set(&req->err, MF_E_NOMEM, NULL,
		                    "out of memory");
	c->req = req;
	/* 1. The parameters: 2 to 8 distinct models. */
	if ((rc = mf_h_format(req, MF_FORMATS_ALL, MF_FORMAT_JSON, &fmt)) !=
	        0 ||
	    (rc = mf_h_query_allowed(req, allowed, repeatable)) != 0 ||
	    (rc = mf_h_query_judge(req, &c->judge)) != 0 ||
	    (rc = mf_h_query_as_of(req, &as_of, &given)) != 0 ||
	    (rc = mf_http_query_each(req, collect, c)) != 0)
		goto done;
	if (c->n < 2) {
		rc = mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                  "compare takes 2 to %d models: "
		                  "model=org/a&model=org/b[@version]",
		                  MAX_MODELS);
		goto done;
	}
	for (k = 0; k < c->n; k++)
		for (j = 0; j < k; j++)
			if (strcmp(c->m[k].spec, c->m[j].spec) == 0 &&
			    c->m[k].version == c->m[j].version) {
				rc = mf_error_set(
				    &req->err, MF_E_BAD_PARAM, NULL,
				    "model %s is named twice", c->m[k].spec);
				goto done;
			}
	if (given && as_of < 0) {
		rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                  "the log held nothing at that time");
		goto done;
	}
	/* 2. Each model's label input, as of the same position. */
	for (k = 0; k < c->n; k++) {
		rc = mf_label_data_load(&c->m[k].d, c->m[k].org, c->m[k].model,
		                        c->m[k].version, given ? as_of : -1,
		                        NULL, NULL, &req->err);
		if (rc == MF_E_NOT_FOUND) {
			mf_error_dispose(&req->err);
			mf_error_init(&req->err);
			rc = mf_error_set(
			    &req->err, MF_E_NOT_FOUND, NULL,
			    "no such model or version%s: %s%s",
			    given ? " at that time" : "", c->m[k].spec,
			    c->m[k].version ? " (version given)" : "");
		}
		if (rc != 0)
			goto done;
		c->m[k].loaded = true;
	}
	/* 3. The three views. */
	body =
	    json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:s}", "as_of",
	              given ? json_integer(as_of) : json_null(), "judge",
	              c->judge ? c->judge : "default", "models", models_json(c),
	              "facts", facts_json(c), "indices", indices_json(c),
	              "evals", evals_json(c), "tolerance", COMPARE_TOLERANCE);
	if (body == NULL) {
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	/* 4. As JSON, or its rows as CSV or JSON Lines. */
	if (fmt != MF_FORMAT_JSON) {
		rc = compare_export(c, body, fmt);
		json_decref(body);
		goto done;
	}
	rc = mf_http_respond_json(req, 200, body);
done:
	for (k = 0; k < c->n; k++)
		if (c->m[k].loaded)
			mf_label_data_dispose(&c->m[k].d);
	free(c);
	return rc;
}
