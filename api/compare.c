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
	static const char *const allowed[] = {"model", "judge", "as_of", NULL};
	static const char *const repeatable[] = {"model", NULL};
	struct compare *c = calloc(1, sizeof(*c));
	json_t *body = NULL;
	int64_t as_of;
	bool given;
	size_t k, j;
	int rc;

	if (c == NULL)
		return mf_error_set(&req->err, MF_E_NOMEM, NULL,
		                    "out of memory");
	c->req = req;
	/* 1. The parameters: 2 to 8 distinct models. */
	if ((rc = mf_h_query_allowed(req, allowed, repeatable)) != 0 ||
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
	rc = mf_http_respond_json(req, 200, body);
done:
	for (k = 0; k < c->n; k++)
		if (c->m[k].loaded)
			mf_label_data_dispose(&c->m[k].d);
	free(c);
	return rc;
}
