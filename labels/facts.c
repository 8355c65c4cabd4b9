/*
 * From the label input to the label.json tree (see facts.h and README.md
 * for the shape). Status wrappers are resolved here, once, including
 * wrappers around whole sections; numbers get their readable "display"
 * text here too, so label.md, the HTML and the web UI agree on it.
 */
#include "labels/facts.h"
#include "common/error.h"
#include "labels/number.h"
#include "labels/text.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How a quantity's amount is shown. */
enum qty {
	Q_NONE,
	Q_COUNT,     /* parameters, tokens: 13.2B parameters */
	Q_DATA,      /* training data: by its unit */
	Q_FLOP,      /* 1.6e23 FLOP */
	Q_HOURS,     /* accelerator hours */
	Q_DURATION,  /* 94 days */
	Q_ENERGY,    /* in MWh */
	Q_EMISSIONS, /* in tCO2e */
};

struct fact_def {
	const char *key;
	const char *pointer; /* in the disclosure */
	enum qty qty;
};

static const struct fact_def identity_defs[] = {
    {"model_version", "/identity/version", Q_NONE},
    {"developer", "/identity/developer", Q_NONE},
    {"description", "/identity/description", Q_NONE},
    {"release_date", "/identity/release_date", Q_NONE},
    {"release_stage", "/distribution/release_stage", Q_NONE},
    {"base_models", "/identity/base_models", Q_NONE},
    {"license", "/distribution/license", Q_NONE},
    {"access", "/distribution/access", Q_NONE},
    {"documentation", "/identity/documentation", Q_NONE},
    {NULL, NULL, Q_NONE},
};

static const struct fact_def key_fact_defs[] = {
    {"parameters", "/model/parameters", Q_COUNT},
    {"active_parameters", "/model/active_parameters", Q_COUNT},
    {"architecture", "/model/architecture", Q_NONE},
    {"context_window", "/model/context_window", Q_COUNT},
    {"max_output", "/model/max_output", Q_COUNT},
    {"modalities", "/model/modalities", Q_NONE},
    {"training_data_size", "/data/size", Q_DATA},
    {"training_compute", "/compute/training_flop", Q_FLOP},
    {"hardware", "/compute/hardware", Q_NONE},
    {"accelerator_hours", "/compute/accelerator_hours", Q_HOURS},
    {"training_duration", "/compute/duration", Q_DURATION},
    {"energy", "/compute/energy", Q_ENERGY},
    {"emissions", "/compute/emissions", Q_EMISSIONS},
    {"training_start", "/training/start_date", Q_NONE},
    {"training_end", "/training/end_date", Q_NONE},
    {"data_cutoff", "/data/cutoff", Q_NONE},
    {"languages", "/model/languages", Q_NONE},
    {NULL, NULL, Q_NONE},
};

static const struct fact_def uses_defs[] = {
    {"intended", "/uses/intended", Q_NONE},
    {"intended_users", "/uses/intended_users", Q_NONE},
    {"integration_contexts", "/uses/integration_contexts", Q_NONE},
    {"out_of_scope", "/uses/out_of_scope", Q_NONE},
    {"prohibited", "/uses/prohibited", Q_NONE},
    {"acceptable_use_policy", "/uses/acceptable_use_policy", Q_NONE},
    {NULL, NULL, Q_NONE},
};

static const struct fact_def risks_defs[] = {
    {"assessments", "/risks/assessments", Q_NONE},
    {"red_teaming", "/risks/red_teaming", Q_NONE},
    {"mitigations", "/risks/mitigations", Q_NONE},
    {"safety_framework", "/risks/safety_framework", Q_NONE},
    {"residual", "/risks/residual", Q_NONE},
    {"systemic_risk", "/risks/systemic_risk", Q_NONE},
    {NULL, NULL, Q_NONE},
};

static const struct fact_def changes_defs[] = {
    {"changelog", "/downstream/changelog", Q_NONE},
    {"versioning", "/downstream/versioning", Q_NONE},
    {"deprecation", "/downstream/deprecation", Q_NONE},
    {NULL, NULL, Q_NONE},
};

static const struct fact_def accountability_defs[] = {
    {"incident_reporting", "/downstream/incident_reporting", Q_NONE},
    {"feedback", "/downstream/feedback", Q_NONE},
    {"vulnerability_reporting", "/downstream/vulnerability_reporting", Q_NONE},
    {"responsible_entity", "/downstream/accountability/responsible_entity",
     Q_NONE},
    {"contact", "/downstream/accountability/contact", Q_NONE},
    {"eu_representative", "/downstream/accountability/eu_representative",
     Q_NONE},
    {"redress", "/downstream/accountability/redress", Q_NONE},
    {"whistleblowing", "/downstream/accountability/whistleblowing", Q_NONE},
    {NULL, NULL, Q_NONE},
};

static const struct fact_def eval_defs[] = {
    {"disclosure_summary", "/evaluations/results", Q_NONE},
    {"external_evaluators", "/evaluations/third_party", Q_NONE},
    {NULL, NULL, Q_NONE},
};

/* ---- small builders: each returns 0 or -1 (out of memory) ---- */

static int
set_new(json_t *o, const char *key, json_t *v)
{
	return v != NULL ? json_object_set_new(o, key, v) : -1;
}

static int
set_str(json_t *o, const char *key, const char *s)
{
	return set_new(o, key, s != NULL ? json_string(s) : json_null());
}

/* Copies member key of src when it has one of the given types. */
static int
copy_if(json_t *dst, const char *dkey, const json_t *src, const char *skey,
        unsigned types)
{
	const json_t *v = json_object_get(src, skey);

	if (v == NULL || !((1u << json_typeof(v)) & types))
		return 0;
	return set_new(dst, dkey, json_deep_copy(v));
}

#define T_STR  (1u << JSON_STRING)
#define T_NUM  ((1u << JSON_INTEGER) | (1u << JSON_REAL))
#define T_INT  (1u << JSON_INTEGER)
#define T_BOOL ((1u << JSON_TRUE) | (1u << JSON_FALSE))
#define T_OBJ  (1u << JSON_OBJECT)
#define T_ARR  (1u << JSON_ARRAY)

/* ---- facts ---- */

static const char *const statuses[] = {"disclosed", "withheld",
                                       "not_applicable", "unknown"};

/* A status wrapper: {"status": <one of the four>} plus only value,
 * explanation and references (the schema allows nothing else). */
const char *
mf_label_wrapper_status(const json_t *v)
{
	const char *s = json_string_value(json_object_get(v, "status"));
	const char *key;
	json_t *member;
	size_t i;

	if (s == NULL)
		return NULL;
	json_object_foreach((json_t *)v, key, member)
	{
		(void)member;
		if (strcmp(key, "status") != 0 && strcmp(key, "value") != 0 &&
		    strcmp(key, "explanation") != 0 &&
		    strcmp(key, "references") != 0)
			return NULL;
	}
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(s, statuses[i]) == 0)
			return statuses[i];
	return NULL;
}

static json_t *
status_fact(const char *status, const char *pointer, const json_t *wrapper)
{
	json_t *f = json_object();

	if (f == NULL || set_str(f, "status", status) != 0 ||
	    set_str(f, "pointer", pointer) != 0 ||
	    (wrapper != NULL &&
	     (copy_if(f, "explanation", wrapper, "explanation", T_STR) != 0 ||
	      copy_if(f, "references", wrapper, "references", T_ARR) != 0))) {
		json_decref(f);
		return NULL;
	}
	return f;
}

static const char *
basis_text(const char *basis)
{
	if (basis == NULL)
		return "";
	if (strcmp(basis, "measured") == 0)
		return ", measured";
	if (strcmp(basis, "estimated") == 0)
		return ", estimated";
	if (strcmp(basis, "upper_bound") == 0)
		return ", upper bound";
	if (strcmp(basis, "lower_bound") == 0)
		return ", lower bound";
	return "";
}

static bool
eq(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/*
 * The readable text of a quantity {"amount", "unit", "basis"}, or NULL
 * when it has no numeric amount. Only numbers and fixed words go in; an
 * unknown unit is shown after the exact amount as given.
 */
static json_t *
qty_display(const json_t *v, enum qty q)
{
	const json_t *amount = json_object_get(v, "amount");
	const char *unit = json_string_value(json_object_get(v, "unit"));
	const char *basis = json_string_value(json_object_get(v, "basis"));
	char num[MF_LABEL_NUM_MAX], text[2 * MF_LABEL_NUM_MAX + 300];
	const char *word = NULL;
	double x;

	if (!json_is_number(amount) || unit == NULL || strlen(unit) > 64)
		return NULL;
	x = json_number_value(amount);
	if (q == Q_COUNT && (eq(unit, "parameters") || eq(unit, "tokens"))) {
		mf_label_num_scaled(num, x);
		word = unit;
	} else if (q == Q_DATA && eq(unit, "bytes")) {
		mf_label_num_bytes(num, x);
		word = "";
	} else if (q == Q_DATA &&
	           (eq(unit, "tokens") || eq(unit, "words") ||
	            eq(unit, "documents") || eq(unit, "examples") ||
	            eq(unit, "images"))) {
		mf_label_num_scaled(num, x);
		word = unit;
	} else if (q == Q_DATA && eq(unit, "audio_hours")) {
		mf_label_num_plain(num, x);
		word = "hours of audio";
	} else if (q == Q_DATA && eq(unit, "video_hours")) {
		mf_label_num_plain(num, x);
		word = "hours of video";
	} else if (q == Q_FLOP && eq(unit, "FLOP")) {
		mf_label_num_sci(num, x);
		word = "FLOP";
	} else if (q == Q_HOURS && eq(unit, "hours")) {
		mf_label_num_scaled(num, x);
		word = "hours";
	} else if (q == Q_DURATION && (eq(unit, "days") || eq(unit, "hours"))) {
		mf_label_num_plain(num, x);
		word = x == 1 ? (eq(unit, "days") ? "day" : "hour") : unit;
	} else if (q == Q_ENERGY &&
	           (eq(unit, "kWh") || eq(unit, "MWh") || eq(unit, "GWh"))) {
		mf_label_num_plain(num, eq(unit, "kWh")   ? x / 1000
		                        : eq(unit, "GWh") ? x * 1000
		                                          : x);
		word = "MWh";
	} else if (q == Q_EMISSIONS &&
	           (eq(unit, "kgCO2e") || eq(unit, "tCO2e"))) {
		mf_label_num_plain(num, eq(unit, "kgCO2e") ? x / 1000 : x);
		word = "tCO2e";
	} else {
		mf_label_num_exact(num, x);
		word = unit;
	}
	snprintf(text, sizeof(text), "%s%s%s%s", num, *word ? " " : "", word,
	         basis_text(basis));
	return json_string(text);
}

/*
 * Resolves a field of the disclosure to a fact. A wrapper on the way
 * (a whole section withheld) decides for everything inside it; an absent
 * field, or one inside an absent section, is "not_disclosed".
 */
static json_t *
fact_at(const json_t *doc, const char *pointer, enum qty q)
{
	char prefix[128], seg[128];
	const char *p = pointer, *status, *end;
	const json_t *node = doc, *wrapper = NULL;
	json_t *f;
	size_t n;

	for (;;) {
		n = (size_t)(p - pointer);
		memcpy(prefix, pointer, n);
		prefix[n] = '\0';
		if ((status = mf_label_wrapper_status(node)) != NULL) {
			if (strcmp(status, "disclosed") != 0)
				return status_fact(status, prefix, node);
			wrapper = node;
			node = json_object_get(node, "value");
		}
		if (node == NULL || json_is_null(node))
			return status_fact("not_disclosed", pointer, NULL);
		if (*p == '\0')
			break;
		if (!json_is_object(node))
			return status_fact("not_disclosed", pointer, NULL);
		p++;
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n >= sizeof(prefix))
			return status_fact("not_disclosed", pointer, NULL);
		memcpy(seg, p, n);
		seg[n] = '\0';
		node = json_object_get(node, seg);
		wrapper = NULL;
		p += n;
	}
	if ((f = status_fact("disclosed", pointer, wrapper)) == NULL ||
	    set_new(f, "value", json_deep_copy(node)) != 0)
		goto fail;
	if (q != Q_NONE && json_is_object(node)) {
		json_t *d = qty_display(node, q);

		if (d != NULL && json_object_set_new(f, "display", d) != 0)
			goto fail;
	}
	return f;
fail:
	json_decref(f);
	return NULL;
}

static json_t *
facts_object(const json_t *doc, const struct fact_def *defs)
{
	json_t *o = json_object();

	for (; o != NULL && defs->key != NULL; defs++)
		if (set_new(o, defs->key,
		            fact_at(doc, defs->pointer, defs->qty)) != 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* ---- scores ---- */

static json_int_t
int_member(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (json_int_t)json_real_value(v);
	return 0;
}

static int
copy_total(json_t *dst, const json_t *src)
{
	static const char *const keys[] = {"score", "max", "not_applicable",
	                                   "unassessed"};
	size_t i;

	if (copy_if(dst, "id", src, "id", T_STR) != 0 ||
	    copy_if(dst, "name", src, "name", T_STR) != 0)
		return -1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (set_new(dst, keys[i],
		            json_integer(int_member(src, keys[i]))) != 0)
			return -1;
	return 0;
}

static json_t *
score_domains(const json_t *domains)
{
	json_t *out = json_array(), *d, *subs;
	const json_t *src, *s;
	size_t i, j;

	if (out == NULL)
		return NULL;
	json_array_foreach(domains, i, src)
	{
		if (!json_is_object(src))
			continue;
		if ((d = json_object()) == NULL ||
		    json_array_append_new(out, d) != 0 ||
		    copy_total(d, src) != 0 || (subs = json_array()) == NULL ||
		    json_object_set_new(d, "subdomains", subs) != 0)
			goto fail;
		json_array_foreach(json_object_get(src, "subdomains"), j, s)
		{
			json_t *x;

			if (!json_is_object(s))
				continue;
			if ((x = json_object()) == NULL ||
			    json_array_append_new(subs, x) != 0 ||
			    copy_total(x, s) != 0)
				goto fail;
		}
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* ---- judgements ---- */

/*
 * One judge's view of one index: who, when, where from, and the totals;
 * the indicators are gathered per index below, side by side.
 */
static json_t *
judge_view(const json_t *j)
{
	const json_t *s = json_object_get(j, "score");
	const json_t *li = json_object_get(j, "log_index");
	const json_t *src = json_object_get(j, "source");
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (copy_if(o, "judge", j, "judge", T_STR) != 0 ||
	    copy_if(o, "judge_name", j, "judge_name", T_STR) != 0 ||
	    set_new(
	        o, "automatic",
	        json_boolean(eq(json_string_value(json_object_get(j, "judge")),
	                        "auto"))) != 0 ||
	    set_new(o, "at",
	            json_is_string(json_object_get(j, "at"))
	                ? json_deep_copy(json_object_get(j, "at"))
	                : json_null()) != 0 ||
	    set_new(o, "log_index",
	            json_is_integer(li) && json_integer_value(li) >= 0
	                ? json_integer(json_integer_value(li))
	                : json_null()) != 0 ||
	    set_new(o, "payload_sha256",
	            json_is_string(json_object_get(j, "payload_sha256"))
	                ? json_deep_copy(json_object_get(j, "payload_sha256"))
	                : json_null()) != 0 ||
	    set_new(o, "source",
	            json_is_object(src) || json_is_string(src)
	                ? json_deep_copy(src)
	                : json_null()) != 0 ||
	    copy_if(o, "index_version", s, "index_version", T_STR) != 0 ||
	    copy_total(o, s) != 0 ||
	    set_new(o, "domains",
	            score_domains(json_object_get(s, "domains"))) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A judgement the label can use: an object with a judge, an index and a
 * score object. */
static bool
usable(const json_t *j)
{
	return json_is_string(json_object_get(j, "judge")) &&
	       json_is_string(json_object_get(j, "index")) &&
	       json_is_object(json_object_get(j, "score"));
}

static const json_t *
indicator_of(const json_t *score, const char *id, size_t hint)
{
	const json_t *inds = json_object_get(score, "indicators"), *it;
	size_t i;

	/* judges of one index list its indicators in the same order: try
	 * the same position first (a search for each made this quadratic) */
	it = json_array_get(inds, hint);
	if (it != NULL && eq(json_string_value(json_object_get(it, "id")), id))
		return it;
	json_array_foreach(inds, i, it)
	{
		if (eq(json_string_value(json_object_get(it, "id")), id))
			return it;
	}
	return NULL;
}

/* One judge's result on one indicator, with its reasons. */
static json_t *
indicator_entry(const json_t *j, const json_t *it)
{
	json_t *x = json_object();
	const char *r = json_string_value(json_object_get(it, "result"));

	if (x == NULL || copy_if(x, "judge", j, "judge", T_STR) != 0 ||
	    set_str(x, "result", r != NULL ? r : "unassessed") != 0 ||
	    copy_if(x, "reason", it, "reason", T_STR) != 0 ||
	    copy_if(x, "justification", it, "justification", T_STR) != 0 ||
	    copy_if(x, "references", it, "references", T_ARR) != 0) {
		json_decref(x);
		return NULL;
	}
	return x;
}

/*
 * The indicator id across the judges of one index: every judge's result
 * in judge order, and whether it is worth a row on the label: a judge
 * found it not met, nobody assessed it, or the automatic check and an
 * assessor came to different results (a disagreement). Sets *out to a
 * new row, or NULL when the indicator is met by everyone who assessed
 * it; returns 0 or -1.
 */
static int
indicator_row(json_t **out, const json_t *judges, const json_t *first,
              size_t pos)
{
	const char *id = json_string_value(json_object_get(first, "id"));
	const char *auto_r = NULL, *r;
	const json_t *j, *it;
	json_t *row = NULL, *list = json_array(), *x;
	bool not_met = false, assessed = false, disagree = false;
	size_t i;

	*out = NULL;
	if (list == NULL)
		return -1;
	json_array_foreach(judges, i, j)
	{
		if ((it = indicator_of(json_object_get(j, "score"), id, pos)) ==
		    NULL)
			continue;
		if ((x = indicator_entry(j, it)) == NULL ||
		    json_array_append_new(list, x) != 0)
			goto fail;
		r = json_string_value(json_object_get(x, "result"));
		if (eq(r, "unassessed"))
			continue;
		assessed = true;
		not_met = not_met || eq(r, "not_met");
		if (eq(json_string_value(json_object_get(j, "judge")), "auto"))
			auto_r = r;
	}
	/* Judges are in display order, the automatic check last: compare
	 * every assessor with it once it is known. */
	json_array_foreach(list, i, x)
	{
		r = json_string_value(json_object_get(x, "result"));
		if (auto_r != NULL && !eq(r, "unassessed") &&
		    !eq(json_string_value(json_object_get(x, "judge")),
		        "auto") &&
		    strcmp(r, auto_r) != 0)
			disagree = true;
	}
	if (!not_met && assessed && !disagree) {
		json_decref(list);
		return 0;
	}
	if ((row = json_object()) == NULL ||
	    copy_if(row, "id", first, "id", T_STR) != 0 ||
	    copy_if(row, "name", first, "name", T_STR) != 0 ||
	    copy_if(row, "domain", first, "domain", T_STR) != 0 ||
	    copy_if(row, "subdomain", first, "subdomain", T_STR) != 0 ||
	    set_new(row, "disagreement", json_boolean(disagree)) != 0 ||
	    json_object_set(row, "judgements", list) != 0)
		goto fail;
	json_decref(list);
	*out = row;
	return 0;
fail:
	json_decref(row);
	json_decref(list);
	return -1;
}

/* Indicators worth a row, in index order: the first judge's order, then
 * any indicator only a later judge has. */
static json_t *
index_indicators(const json_t *judges)
{
	json_t *out = json_array(), *seen = json_object(), *row;
	const json_t *j, *it;
	const char *id;
	size_t i, k;

	if (out == NULL || seen == NULL)
		goto fail;
	json_array_foreach(judges, i, j)
	{
		json_array_foreach(
		    json_object_get(json_object_get(j, "score"), "indicators"),
		    k, it)
		{
			id = json_string_value(json_object_get(it, "id"));
			if (id == NULL || json_object_get(seen, id) != NULL)
				continue;
			if (json_object_set_new(seen, id, json_true()) != 0 ||
			    indicator_row(&row, judges, it, k) != 0 ||
			    (row != NULL &&
			     json_array_append_new(out, row) != 0))
				goto fail;
		}
	}
	json_decref(seen);
	return out;
fail:
	json_decref(seen);
	json_decref(out);
	return NULL;
}

/* Every judgement of one index, side by side. */
static json_t *
index_group(const json_t *judgements, const char *index)
{
	json_t *g = json_object(), *judges = json_array(), *views = NULL;
	const json_t *j, *name = NULL;
	size_t i;

	if (g == NULL || judges == NULL || (views = json_array()) == NULL)
		goto fail;
	json_array_foreach(judgements, i, j)
	{
		if (!usable(j) ||
		    !eq(json_string_value(json_object_get(j, "index")), index))
			continue;
		if (name == NULL &&
		    json_is_string(json_object_get(j, "index_name")))
			name = json_object_get(j, "index_name");
		if (json_array_append(judges, (json_t *)j) != 0 ||
		    json_array_append_new(views, judge_view(j)) != 0)
			goto fail;
	}
	if (set_str(g, "index", index) != 0 ||
	    set_new(g, "index_name",
	            name != NULL ? json_deep_copy(name) : json_null()) != 0 ||
	    json_object_set(g, "judges", views) != 0 ||
	    set_new(g, "indicators", index_indicators(judges)) != 0)
		goto fail;
	json_decref(judges);
	json_decref(views);
	return g;
fail:
	json_decref(views);
	json_decref(judges);
	json_decref(g);
	return NULL;
}

/* The judgements grouped by index, indices in the order they first
 * appear (the input puts assessors first, so an index an assessor
 * judged comes before one only the automatic check did). */
static json_t *
judgements(const struct mf_label_input *in)
{
	json_t *out = json_array(), *seen = json_object();
	const json_t *j;
	const char *index;
	size_t i;

	if (out == NULL || seen == NULL)
		goto fail;
	json_array_foreach(in->judgements, i, j)
	{
		if (!usable(j))
			continue;
		index = json_string_value(json_object_get(j, "index"));
		if (json_object_get(seen, index) != NULL)
			continue;
		if (json_object_set_new(seen, index, json_true()) != 0 ||
		    json_array_append_new(
		        out, index_group(in->judgements, index)) != 0)
			goto fail;
	}
	json_decref(seen);
	return out;
fail:
	json_decref(seen);
	json_decref(out);
	return NULL;
}

/* ---- eval results ---- */

static const char *
bench_key(const json_t *e)
{
	const char *s = json_string_value(
	    json_object_get(json_object_get(e, "benchmark"), "id"));

	return s != NULL ? s : "";
}

static const char *
metric_key(const json_t *e)
{
	const char *s = json_string_value(
	    json_object_get(json_object_get(e, "metric"), "name"));

	return s != NULL ? s : "";
}

/* Benchmark, metric, then log order (unlogged last), then input order:
 * a total order, so the tables never depend on how rows arrived. */
static int
cmp_evals(const void *pa, const void *pb)
{
	const json_t *a = *(const json_t *const *)pa;
	const json_t *b = *(const json_t *const *)pb;
	json_int_t la, lb;
	int c;

	if ((c = strcmp(bench_key(a), bench_key(b))) != 0 ||
	    (c = strcmp(metric_key(a), metric_key(b))) != 0)
		return c;
	la = json_is_integer(json_object_get(a, "log_index"))
	         ? json_integer_value(json_object_get(a, "log_index"))
	         : LLONG_MAX;
	lb = json_is_integer(json_object_get(b, "log_index"))
	         ? json_integer_value(json_object_get(b, "log_index"))
	         : LLONG_MAX;
	if (la != lb)
		return la < lb ? -1 : 1;
	la = json_integer_value(json_object_get(a, "_pos"));
	lb = json_integer_value(json_object_get(b, "_pos"));
	return la < lb ? -1 : la > lb;
}

/* One eval row: the result's own fields plus who signed it and when. */
static json_t *
eval_row(const json_t *ev, size_t pos)
{
	static const struct {
		const char *key;
		unsigned types;
	} fields[] = {
	    {"benchmark", T_OBJ},     {"task", T_STR},
	    {"config", T_STR},        {"split", T_STR},
	    {"metric", T_OBJ},        {"value", T_NUM},
	    {"uncertainty", T_OBJ},   {"samples", T_INT},
	    {"harness", T_OBJ},       {"prompting", T_OBJ},
	    {"evaluated_on", T_STR},  {"artifacts_url", T_STR},
	    {"model_version", T_STR}, {"notes", T_STR},
	};
	const json_t *r = json_object_get(ev, "result");
	json_t *o = json_object();
	size_t i;

	if (o == NULL)
		return NULL;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (copy_if(o, fields[i].key, r, fields[i].key,
		            fields[i].types) != 0)
			goto fail;
	if (copy_if(o, "run_by", r, "evaluator", T_STR) != 0 ||
	    copy_if(o, "evaluator", ev, "evaluator", T_STR) != 0 ||
	    copy_if(o, "accepted_at", ev, "accepted_at", T_STR) != 0 ||
	    copy_if(o, "log_index", ev, "log_index", T_INT) != 0 ||
	    copy_if(o, "payload_sha256", ev, "payload_sha256", T_STR) != 0 ||
	    copy_if(o, "withdrawn", ev, "withdrawn", T_OBJ) != 0 ||
	    copy_if(o, "compromised", ev, "compromised", T_OBJ) != 0 ||
	    set_new(o, "_pos", json_integer((json_int_t)pos)) != 0)
		goto fail;
	if (json_is_number(json_object_get(r, "value"))) {
		char num[MF_LABEL_NUM_MAX];

		mf_label_num_exact(
		    num, json_number_value(json_object_get(r, "value")));
		if (set_new(o, "value_display", json_string(num)) != 0)
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

static const char *
assurance_of(const json_t *ev)
{
	const char *a = json_string_value(json_object_get(ev, "assurance"));

	if (a == NULL)
		a = json_string_value(json_object_get(
		    json_object_get(ev, "result"), "assurance"));
	if (eq(a, "self_reported") || eq(a, "third_party"))
		return a;
	return NULL;
}

/*
 * What makes two eval results runs of the same measurement: who signed
 * it, who ran it, and everything that says what was measured (benchmark
 * and revision, task, config, split, metric, prompting, model version),
 * but not the outcome (value, uncertainty, samples), the harness version
 * or the date. A compact, key-sorted JSON text; NULL when out of memory.
 */
static char *
measurement_key(const json_t *ev)
{
	static const char *const fields[] = {
	    "evaluator", "benchmark", "task",      "config",
	    "split",     "metric",    "prompting", "model_version",
	};
	const json_t *r = json_object_get(ev, "result");
	json_t *k = json_object();
	const json_t *v;
	char *out = NULL;
	size_t i;

	if (k == NULL)
		return NULL;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if ((v = json_object_get(r, fields[i])) != NULL &&
		    json_object_set(k, fields[i], (json_t *)v) != 0)
			goto done;
	if ((v = json_object_get(ev, "evaluator")) != NULL &&
	    json_object_set(k, "signed_by", (json_t *)v) != 0)
		goto done;
	out = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
done:
	json_decref(k);
	return out;
}

/* A row that counts: neither withdrawn nor signed by a compromised key
 * (those stay on the label, each marked, and are never folded). */
static bool
eval_counts(const json_t *ev)
{
	return !json_is_object(json_object_get(ev, "withdrawn")) &&
	       !json_is_object(json_object_get(ev, "compromised"));
}

/* How many counting runs an input row stands for: the database folds
 * repeated runs already and says so in "runs" (db/sql.c); else 1. */
static json_int_t
eval_runs(const json_t *ev)
{
	const json_t *n = json_object_get(ev, "runs");

	return json_is_integer(n) && json_integer_value(n) > 0
	           ? json_integer_value(n)
	           : 1;
}

static json_int_t
eval_position(const json_t *ev)
{
	const json_t *li = json_object_get(ev, "log_index");

	return json_is_integer(li) ? json_integer_value(li) : LLONG_MAX;
}

/*
 * Folds repeated runs: for each measurement (measurement_key) the newest
 * run that counts stays, with "earlier_runs" saying how many older runs
 * that count it stands for (all of them stay in the log, in git's evals/
 * and in GET .../evals). Without this a label grew with every re-run:
 * issue 15's finding 3, a model re-evaluated thousands of times whose
 * label took 300 ms to build for each new run. An input row may stand for
 * several runs already ("runs", from the database's own fold). *keep[i]
 * is 0 for a folded input, else the number of runs it stands for (earlier
 * runs + 1). 0 or MF_E_NOMEM.
 */
static int
fold_runs(const json_t *evals, const char *assurance, size_t **keep)
{
	json_t *newest = json_object(), *slot;
	const json_t *ev, *best;
	size_t i, n = json_array_size(evals);
	char *key = NULL;
	int rc = MF_E_NOMEM;

	if (newest == NULL || (*keep = calloc(n + 1, sizeof(**keep))) == NULL)
		goto done;
	/* 1. Per measurement: the newest counting run, and how many. */
	json_array_foreach(evals, i, ev)
	{
		if (!json_is_object(json_object_get(ev, "result")) ||
		    !eq(assurance_of(ev), assurance))
			continue;
		(*keep)[i] = 1;
		if (!eval_counts(ev))
			continue;
		if ((key = measurement_key(ev)) == NULL)
			goto done;
		slot = json_object_get(newest, key);
		if (slot == NULL) {
			if (json_object_set_new(newest, key,
			                        json_pack("[I, I]",
			                                  (json_int_t)i,
			                                  eval_runs(ev))) != 0)
				goto done;
		} else {
			best =
			    json_array_get(evals, (size_t)json_integer_value(
			                              json_array_get(slot, 0)));
			if ((eval_position(ev) >= eval_position(best) &&
			     json_array_set_new(
			         slot, 0, json_integer((json_int_t)i)) != 0) ||
			    json_array_set_new(
			        slot, 1,
			        json_integer(json_integer_value(
			                         json_array_get(slot, 1)) +
			                     eval_runs(ev))) != 0)
				goto done;
		}
		free(key);
		key = NULL;
	}
	/* 2. A counting run stays only as its measurement's newest. */
	json_array_foreach(evals, i, ev)
	{
		if ((*keep)[i] == 0 || !eval_counts(ev))
			continue;
		if ((key = measurement_key(ev)) == NULL)
			goto done;
		slot = json_object_get(newest, key);
		(*keep)[i] =
		    slot != NULL && (size_t)json_integer_value(
		                        json_array_get(slot, 0)) == i
		        ? (size_t)json_integer_value(json_array_get(slot, 1))
		        : 0;
		free(key);
		key = NULL;
	}
	rc = 0;
done:
	free(key);
	json_decref(newest);
	return rc;
}

/* Rows of one assurance, repeated runs folded (fold_runs), sorted; eval
 * results that are not objects with a result object and a known
 * assurance are left out. */
static json_t *
eval_table(const json_t *evals, const char *assurance)
{
	json_t *rows = json_array(), **v = NULL, *row;
	const json_t *ev;
	size_t i, n = 0, *keep = NULL;

	if (rows == NULL || fold_runs(evals, assurance, &keep) != 0)
		goto fail;
	json_array_foreach(evals, i, ev)
	{
		if (keep[i] == 0)
			continue;
		if ((row = eval_row(ev, i)) == NULL ||
		    json_array_append_new(rows, row) != 0 ||
		    (keep[i] > 1 &&
		     set_new(row, "earlier_runs",
		             json_integer((json_int_t)keep[i] - 1)) != 0))
			goto fail;
	}
	n = json_array_size(rows);
	if (n > 1) {
		if ((v = malloc(n * sizeof(*v))) == NULL)
			goto fail;
		for (i = 0; i < n; i++)
			v[i] = json_incref(json_array_get(rows, i));
		qsort(v, n, sizeof(*v), cmp_evals);
		json_array_clear(rows);
		for (i = 0; i < n; i++) {
			if (json_array_append(rows, v[i]) != 0)
				goto fail;
		}
	}
	json_array_foreach(rows, i, row) json_object_del(row, "_pos");
	if (v != NULL)
		for (i = 0; i < n; i++)
			json_decref(v[i]);
	free(v);
	free(keep);
	return rows;
fail:
	if (v != NULL)
		for (i = 0; i < n; i++)
			json_decref(v[i]);
	free(v);
	free(keep);
	json_decref(rows);
	return NULL;
}

/* The signed eval results, and what the disclosure says about evals
 * (not for an assessment-only label: there is no disclosure). */
static json_t *
evals(const struct mf_label_input *in, bool only)
{
	json_t *o =
	    only ? json_object() : facts_object(in->disclosure, eval_defs);

	if (o == NULL ||
	    set_new(o, "self_reported",
	            eval_table(in->evals, "self_reported")) != 0 ||
	    set_new(o, "third_party", eval_table(in->evals, "third_party")) !=
	        0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- identity, registry, provenance ---- */

static json_t *
strings_copy(const json_t *a)
{
	json_t *out = json_array();
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
	{
		if (out != NULL && json_is_string(v) &&
		    json_array_append_new(out, json_deep_copy(v)) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* base + "/v1/models/ORG/MODEL/versions/N" and friends, only when every
 * part is known to be URL-safe. */
static int
links(json_t *reg, const struct mf_label_input *in, const char *org,
      const char *model)
{
	char base[2100], url[2400];
	size_t n;
	json_t *o;

	if (!mf_label_url_linkable(in->public_url) ||
	    (n = strlen(in->public_url)) >= sizeof(base))
		return set_new(reg, "links", json_object());
	memcpy(base, in->public_url, n + 1);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
	if ((o = json_object()) == NULL ||
	    json_object_set_new(reg, "links", o) != 0)
		return -1;
	if (mf_label_slug_ok(org) && mf_label_slug_ok(model) &&
	    in->version > 0) {
		snprintf(url, sizeof(url), "%s/v1/models/%s/%s/versions/%d",
		         base, org, model, in->version);
		if (set_str(o, "record", url) != 0)
			return -1;
		n = strlen(url);
		strcat(url, "/envelope");
		if (set_str(o, "envelope", url) != 0)
			return -1;
		memcpy(url + n, "/judgements", sizeof("/judgements"));
		if (set_str(o, "judgements", url) != 0)
			return -1;
	}
	if (in->log_index >= 0) {
		snprintf(url, sizeof(url), "%s/v1/log/entries/%lld", base,
		         in->log_index);
		if (set_str(o, "log_entry", url) != 0)
			return -1;
	}
	return 0;
}

static json_t *
registry(const struct mf_label_input *in, const char *org, const char *model)
{
	json_t *o = json_object();

	if (o == NULL || set_str(o, "origin", in->origin) != 0 ||
	    set_str(o, "public_url", in->public_url) != 0 ||
	    set_new(o, "version",
	            in->version > 0 ? json_integer(in->version)
	                            : json_null()) != 0 ||
	    set_new(o, "latest_version",
	            in->latest_version > 0 ? json_integer(in->latest_version)
	                                   : json_null()) != 0 ||
	    set_new(o, "is_latest",
	            in->latest_version > 0 && in->version > 0
	                ? json_boolean(in->version == in->latest_version)
	                : json_null()) != 0 ||
	    links(o, in, org, model) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
provenance(const struct mf_label_input *in)
{
	const json_t *d = in->disclosure;
	json_t *o = json_object();

	if (o == NULL ||
	    set_str(o, "payload_sha256", in->payload_sha256) != 0 ||
	    set_str(o, "accepted_at", in->accepted_at) != 0 ||
	    set_new(o, "log_index",
	            in->log_index >= 0 ? json_integer(in->log_index)
	                               : json_null()) != 0 ||
	    set_new(o, "signed_by", strings_copy(in->signed_by)) != 0 ||
	    copy_if(o, "payload_registry", d, "registry", T_STR) != 0 ||
	    copy_if(o, "issued_at", d, "issued_at", T_STR) != 0 ||
	    copy_if(o, "seq", d, "seq", T_INT) != 0 ||
	    /* a curator's transcription of words others wrote: said so */
	    copy_if(o, "transcribed_from", d, "transcribed_from", T_OBJ) != 0 ||
	    set_new(o, "supersedes",
	            json_is_string(json_object_get(d, "supersedes"))
	                ? json_deep_copy(json_object_get(d, "supersedes"))
	                : json_null()) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The sections read from the disclosure; an assessment-only label has
 * none of them, rather than a page of "Not disclosed". */
static int
disclosure_sections(json_t *l, const json_t *d)
{
	if (set_new(l, "identity", facts_object(d, identity_defs)) != 0 ||
	    set_new(l, "key_facts", facts_object(d, key_fact_defs)) != 0 ||
	    set_new(l, "uses", facts_object(d, uses_defs)) != 0 ||
	    set_new(l, "risks", facts_object(d, risks_defs)) != 0 ||
	    set_new(l, "changes", facts_object(d, changes_defs)) != 0 ||
	    set_new(l, "accountability",
	            facts_object(d, accountability_defs)) != 0)
		return -1;
	return 0;
}

json_t *
mf_label_facts_build(const struct mf_label_input *in)
{
	const json_t *d = in->disclosure;
	const json_t *subj = json_object_get(d, "subject");
	const char *org = in->org, *model = in->model;
	const json_t *name =
	    json_object_get(json_object_get(d, "identity"), "name");
	bool only = in->assessment_only && d == NULL;
	json_t *l = json_object(), *s;

	if (org == NULL)
		org = json_string_value(json_object_get(subj, "org"));
	if (model == NULL)
		model = json_string_value(json_object_get(subj, "model"));
	if (l == NULL || set_str(l, "format", MF_LABEL_FORMAT) != 0 ||
	    set_new(l, "name",
	            json_is_string(name) ? json_deep_copy(name)
	            : in->name != NULL   ? json_string(in->name)
	                                 : json_null()) != 0 ||
	    set_new(l, "assessment_only", json_boolean(only)) != 0 ||
	    (s = json_object()) == NULL ||
	    json_object_set_new(l, "subject", s) != 0 ||
	    set_str(s, "org", org) != 0 || set_str(s, "model", model) != 0 ||
	    set_new(l, "registry", registry(in, org, model)) != 0 ||
	    set_new(l, "provenance", provenance(in)) != 0 ||
	    set_new(l, "judgements", judgements(in)) != 0 ||
	    set_new(l, "evals", evals(in, only)) != 0 ||
	    (json_is_object(in->withdrawn) &&
	     set_new(l, "withdrawn", json_deep_copy(in->withdrawn)) != 0) ||
	    (json_is_object(in->compromised) &&
	     set_new(l, "compromised", json_deep_copy(in->compromised)) != 0) ||
	    (json_array_size(in->compromised_assessments) > 0 &&
	     set_new(l, "compromised_assessments",
	             json_deep_copy(in->compromised_assessments)) != 0) ||
	    (!only && disclosure_sections(l, d) != 0)) {
		json_decref(l);
		return NULL;
	}
	return l;
}

json_t *
mf_label_fact(const json_t *disclosure, const char *pointer)
{
	static const struct fact_def *const tables[] = {
	    identity_defs, key_fact_defs, uses_defs,          risks_defs,
	    changes_defs,  eval_defs,     accountability_defs};
	enum qty q = Q_NONE;
	const struct fact_def *d;
	size_t i;

	if (disclosure == NULL || pointer == NULL || pointer[0] != '/' ||
	    strlen(pointer) >= 128)
		return status_fact("not_disclosed", pointer ? pointer : "",
		                   NULL);
	/* a field the label shows as a quantity gets the label's text */
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (d = tables[i]; d->key != NULL; d++)
			if (strcmp(d->pointer, pointer) == 0)
				q = d->qty;
	return fact_at(disclosure, pointer, q);
}
