/*
 * The CycloneDX 1.6 export (cyclonedx.h). Reads the label.json tree that
 * labels/ builds (status wrappers resolved, evals split and sorted), and
 * the disclosure only for the few fields the label does not carry (data
 * sources, training stages, limitations). A field that is not disclosed
 * is left out; one that is withheld, unknown or not applicable is said in
 * a "modelfacts:" property with the developer's explanation.
 */
#include "formats/cyclonedx.h"

#include "common/error.h"
#include "formats/sbom.h"
#include "labels/text.h"

#include <stdio.h>
#include <string.h>

#define PROP_NS "modelfacts:"

/* One build: the builder, the label tree and the disclosure. */
struct cdx {
	struct mf_sbom_builder b;
	const json_t *label;
	const json_t *disclosure;
};

static void
prop(struct cdx *c, json_t *props, const char *name, const char *value)
{
	json_t *p;

	if (value == NULL || *value == '\0')
		return;
	p = mf_sbom_push(&c->b, props, json_object());
	mf_sbom_set(&c->b, p, "name", mf_sbom_cat(PROP_NS, name));
	mf_sbom_set_str(&c->b, p, "value", value);
}

/* The text of a disclosed value as a property: strings as they are,
 * quantities as "<exact amount> <unit>[, basis]", string lists joined. */
static void
value_text(struct mf_buf *t, const json_t *v)
{
	char num[MF_SBOM_NUM_MAX];
	const char *basis;
	size_t i;

	if (json_is_string(v)) {
		mf_buf_puts(t, json_string_value(v));
	} else if (json_is_number(v)) {
		mf_sbom_num(num, json_number_value(v));
		mf_buf_puts(t, num);
	} else if (json_is_boolean(v)) {
		mf_buf_puts(t, json_is_true(v) ? "true" : "false");
	} else if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			if (i > 0)
				mf_buf_puts(t, ", ");
			value_text(t, json_array_get(v, i));
		}
	} else if (json_is_number(json_object_get(v, "amount"))) {
		mf_sbom_num(num,
		            json_number_value(json_object_get(v, "amount")));
		mf_buf_printf(
		    t, "%s %s", num,
		    mf_sbom_or(json_string_value(json_object_get(v, "unit")),
		               ""));
		basis = json_string_value(json_object_get(v, "basis"));
		if (basis != NULL)
			mf_buf_printf(t, " (%s)", basis);
	} else if (json_is_string(json_object_get(v, "type"))) {
		/* hardware {type, count}, architecture {type, ...} */
		mf_buf_puts(t, json_string_value(json_object_get(v, "type")));
		if (json_is_integer(json_object_get(v, "count")))
			mf_buf_printf(t, " x %lld",
			              (long long)json_integer_value(
			                  json_object_get(v, "count")));
	}
}

/*
 * A label fact as a property: its value when disclosed (when asked),
 * "withheld: <explanation>" and the like otherwise; nothing when it was
 * not disclosed at all.
 */
static void
fact_prop(struct cdx *c, json_t *props, const char *section, const char *key,
          bool with_value)
{
	const json_t *f = mf_sbom_fact_object(c->label, section, key);
	const char *status = json_string_value(json_object_get(f, "status"));
	const char *why = json_string_value(json_object_get(f, "explanation"));
	const json_t *v;
	struct mf_buf t;
	size_t i;

	if (status == NULL || strcmp(status, "not_disclosed") == 0)
		return;
	if (strcmp(status, "disclosed") == 0 && !with_value)
		return;
	v = json_object_get(f, "value");
	if (strcmp(status, "disclosed") == 0 && json_is_array(v)) {
		/* a list: one property per item, all of the same name */
		for (i = 0; i < json_array_size(v); i++) {
			mf_buf_init(&t, 1u << 20);
			value_text(&t, json_array_get(v, i));
			if (t.data != NULL)
				prop(c, props, key, t.data);
			mf_buf_dispose(&t);
		}
		return;
	}
	mf_buf_init(&t, 1u << 20);
	if (strcmp(status, "disclosed") == 0)
		value_text(&t, v);
	else
		mf_buf_printf(&t, "%s%s%s", status, why != NULL ? ": " : "",
		              mf_sbom_or(why, ""));
	/* an empty text (a value of no readable shape) says nothing */
	if (t.data != NULL)
		prop(c, props, key, t.data);
	mf_buf_dispose(&t);
}

static json_t *
organization(struct cdx *c, const char *name)
{
	json_t *o = json_object();

	mf_sbom_set_str(&c->b, o, "name", name);
	if (o == NULL && c->b.rc == 0)
		c->b.rc = MF_E_NOMEM;
	return o;
}

static void
ext_ref(struct cdx *c, json_t *refs, const char *type, const char *url,
        const char *comment)
{
	json_t *r;

	if (url == NULL || !mf_label_url_linkable(url))
		return;
	r = mf_sbom_push(&c->b, refs, json_object());
	mf_sbom_set_str(&c->b, r, "type", type);
	mf_sbom_set_str(&c->b, r, "url", url);
	mf_sbom_set_str(&c->b, r, "comment", comment);
}

static void
registry_refs(struct cdx *c, json_t *refs)
{
	const json_t *links =
	    json_object_get(json_object_get(c->label, "registry"), "links");
	const char *record =
	    json_string_value(json_object_get(links, "record"));
	json_t *url;

	if (record != NULL) {
		if ((url = mf_sbom_cat(record, "/label.html")) == NULL) {
			mf_sbom_fail(&c->b);
			return;
		}
		ext_ref(c, refs, "model-card", json_string_value(url),
		        "modelfacts label (HTML)");
		json_decref(url);
		if ((url = mf_sbom_cat(record, "/label.json")) == NULL) {
			mf_sbom_fail(&c->b);
			return;
		}
		ext_ref(c, refs, "model-card", json_string_value(url),
		        "modelfacts label (JSON)");
		json_decref(url);
	}
	ext_ref(c, refs, "attestation",
	        json_string_value(json_object_get(links, "envelope")),
	        "the signed disclosure (DSSE envelope)");
	ext_ref(c, refs, "log",
	        json_string_value(json_object_get(links, "log_entry")),
	        "the disclosure's entry in the registry's transparency log");
	ext_ref(c, refs, "quality-metrics",
	        json_string_value(json_object_get(links, "judgements")),
	        "transparency judgements about this version");
}

static void
component_refs(struct cdx *c, json_t *comp)
{
	json_t *refs = json_array();
	const json_t *docs, *code, *channels, *v;
	size_t i;

	if (refs == NULL) {
		mf_sbom_fail(&c->b);
		return;
	}
	docs = mf_sbom_fact(c->label, "identity", "documentation", NULL);
	for (i = 0; i < json_array_size(docs); i++)
		ext_ref(c, refs, "documentation",
		        json_string_value(json_array_get(docs, i)),
		        "developer's documentation");
	code = mf_sbom_disclosed(c->disclosure, "/training/code");
	ext_ref(c, refs, "vcs", json_string_value(code), "training code");
	channels = mf_sbom_disclosed(c->disclosure, "/distribution/channels");
	for (i = 0; i < json_array_size(channels); i++) {
		v = json_array_get(channels, i);
		ext_ref(
		    c, refs, "distribution",
		    json_string_value(json_object_get(v, "url")),
		    mf_sbom_or(json_string_value(json_object_get(v, "name")),
		               json_string_value(json_object_get(v, "kind"))));
	}
	registry_refs(c, refs);
	if (json_array_size(refs) > 0)
		mf_sbom_set(&c->b, comp, "externalReferences", refs);
	else
		json_decref(refs);
}

static void
licenses(struct cdx *c, json_t *comp)
{
	const json_t *lic = mf_sbom_fact(c->label, "identity", "license", NULL);
	const char *spdx = json_string_value(json_object_get(lic, "spdx"));
	const char *name = json_string_value(json_object_get(lic, "name"));
	const char *url = json_string_value(json_object_get(lic, "url"));
	json_t *arr, *l, *inner;

	if (lic == NULL || (spdx == NULL && url == NULL))
		return;
	arr = mf_sbom_set(&c->b, comp, "licenses", json_array());
	l = mf_sbom_push(&c->b, arr, json_object());
	if (spdx != NULL) {
		mf_sbom_set_str(&c->b, l, "expression", spdx);
		return;
	}
	inner = mf_sbom_set(&c->b, l, "license", json_object());
	mf_sbom_set_str(&c->b, inner, "name", name != NULL ? name : url);
	if (mf_label_url_linkable(url))
		mf_sbom_set_str(&c->b, inner, "url", url);
}

/* ---- modelCard ---- */

/* The training approach of a stage's method, or NULL. */
static const char *
approach_of(const char *method)
{
	static const struct {
		const char *method, *approach;
	} map[] = {
	    {"pretraining", "self-supervised"},
	    {"continued_pretraining", "self-supervised"},
	    {"supervised_fine_tuning", "supervised"},
	    {"instruction_tuning", "supervised"},
	    {"distillation", "supervised"},
	    {"preference_optimization", "reinforcement-learning"},
	    {"rlhf", "reinforcement-learning"},
	    {"rlaif", "reinforcement-learning"},
	    {"reinforcement_learning", "reinforcement-learning"},
	};
	size_t i;

	for (i = 0; method != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(method, map[i].method) == 0)
			return map[i].approach;
	return NULL;
}

static const char *
family_of(const char *type)
{
	size_t n = type != NULL ? strlen(type) : 0;

	if (n >= 11 && strcmp(type + n - 11, "transformer") == 0)
		return "transformer";
	if (type != NULL && strcmp(type, "diffusion") == 0)
		return "diffusion";
	if (type != NULL && strcmp(type, "state_space") == 0)
		return "state-space";
	return NULL;
}

static void
io_formats(struct cdx *c, json_t *params, const char *key, const json_t *list)
{
	json_t *arr, *f;
	size_t i;

	if (json_array_size(list) == 0)
		return;
	arr = mf_sbom_set(&c->b, params, key, json_array());
	for (i = 0; i < json_array_size(list); i++) {
		if (!json_is_string(json_array_get(list, i)))
			continue;
		f = mf_sbom_push(&c->b, arr, json_object());
		mf_sbom_set_str(&c->b, f, "format",
		                json_string_value(json_array_get(list, i)));
	}
}

static void
datasets(struct cdx *c, json_t *params)
{
	const json_t *src = mf_sbom_disclosed(c->disclosure, "/data/sources");
	const json_t *s;
	const char *name, *url;
	json_t *arr = NULL, *d, *contents;
	size_t i;

	for (i = 0; i < json_array_size(src); i++) {
		s = json_array_get(src, i);
		name = json_string_value(json_object_get(s, "name"));
		if (name == NULL)
			continue;
		if (arr == NULL)
			arr = mf_sbom_set(&c->b, params, "datasets",
			                  json_array());
		d = mf_sbom_push(&c->b, arr, json_object());
		mf_sbom_set_str(&c->b, d, "type", "dataset");
		mf_sbom_set_str(&c->b, d, "name", name);
		mf_sbom_set_str(&c->b, d, "classification",
		                json_string_value(json_object_get(s, "kind")));
		url = json_string_value(json_object_get(s, "url"));
		if (mf_label_url_linkable(url)) {
			contents =
			    mf_sbom_set(&c->b, d, "contents", json_object());
			mf_sbom_set_str(&c->b, contents, "url", url);
		}
	}
}

static void
model_parameters(struct cdx *c, json_t *card)
{
	const json_t *arch =
	    mf_sbom_fact(c->label, "key_facts", "architecture", NULL);
	const json_t *mod =
	    mf_sbom_fact(c->label, "key_facts", "modalities", NULL);
	const json_t *stages =
	    mf_sbom_disclosed(c->disclosure, "/training/stages");
	const char *type = json_string_value(json_object_get(arch, "type"));
	const char *approach = approach_of(json_string_value(
	    json_object_get(json_array_get(stages, 0), "method")));
	json_t *p = json_object(), *a;

	if (approach != NULL) {
		a = mf_sbom_set(&c->b, p, "approach", json_object());
		mf_sbom_set_str(&c->b, a, "type", approach);
	}
	mf_sbom_set_str(&c->b, p, "architectureFamily", family_of(type));
	mf_sbom_set_str(&c->b, p, "modelArchitecture", type);
	datasets(c, p);
	io_formats(c, p, "inputs", json_object_get(mod, "input"));
	io_formats(c, p, "outputs", json_object_get(mod, "output"));
	if (p != NULL && json_object_size(p) == 0)
		json_decref(p);
	else
		mf_sbom_set(&c->b, card, "modelParameters", p);
}

/* "HumanEval 1.2, split test, config zero-shot; third-party, run by X,
 * signed by Y; stderr 0.037" */
static void
slice_text(struct mf_buf *t, const json_t *e, const char *assurance)
{
	const json_t *bench = json_object_get(e, "benchmark");
	const json_t *unc = json_object_get(e, "uncertainty");
	const char *s;
	char num[MF_SBOM_NUM_MAX];

	s = mf_sbom_or(json_string_value(json_object_get(bench, "name")),
	               json_string_value(json_object_get(bench, "id")));
	mf_buf_puts(t, mf_sbom_or(s, "unnamed benchmark"));
	if ((s = json_string_value(json_object_get(bench, "revision"))))
		mf_buf_printf(t, " %s", s);
	if ((s = json_string_value(json_object_get(e, "split"))))
		mf_buf_printf(t, ", split %s", s);
	if ((s = json_string_value(json_object_get(e, "config"))))
		mf_buf_printf(t, ", config %s", s);
	mf_buf_printf(t, "; %s",
	              strcmp(assurance, "third_party") == 0 ? "third-party"
	                                                    : "self-reported");
	if ((s = json_string_value(json_object_get(e, "run_by"))))
		mf_buf_printf(t, ", run by %s", s);
	if ((s = json_string_value(json_object_get(e, "evaluator"))))
		mf_buf_printf(t, ", signed by %s", s);
	if (json_is_number(json_object_get(unc, "stderr"))) {
		mf_sbom_num(num,
		            json_number_value(json_object_get(unc, "stderr")));
		mf_buf_printf(t, "; stderr %s", num);
	}
	if (json_is_number(
	        json_object_get(json_object_get(unc, "ci"), "level"))) {
		mf_sbom_num(num, json_number_value(json_object_get(
		                     json_object_get(unc, "ci"), "level")));
		mf_buf_printf(t, "; confidence level %s", num);
	}
}

static void
metrics(struct cdx *c, json_t *arr, const char *assurance)
{
	const json_t *rows =
	    json_object_get(json_object_get(c->label, "evals"), assurance);
	const json_t *e, *ci, *lo, *hi;
	char num[MF_SBOM_NUM_MAX];
	struct mf_buf t;
	json_t *m, *cij;
	size_t i;

	for (i = 0; i < json_array_size(rows); i++) {
		e = json_array_get(rows, i);
		if (!json_is_number(json_object_get(e, "value")))
			continue;
		m = mf_sbom_push(&c->b, arr, json_object());
		mf_sbom_set_str(&c->b, m, "type",
		                json_string_value(json_object_get(
		                    json_object_get(e, "metric"), "name")));
		mf_sbom_num(num,
		            json_number_value(json_object_get(e, "value")));
		mf_sbom_set_str(&c->b, m, "value", num);
		mf_buf_init(&t, 1u << 16);
		slice_text(&t, e, assurance);
		if (t.data == NULL)
			mf_sbom_fail(&c->b);
		else
			mf_sbom_set_str(&c->b, m, "slice", t.data);
		mf_buf_dispose(&t);
		ci = json_object_get(json_object_get(e, "uncertainty"), "ci");
		lo = json_object_get(ci, "lower");
		hi = json_object_get(ci, "upper");
		if (json_is_number(lo) && json_is_number(hi)) {
			cij = mf_sbom_set(&c->b, m, "confidenceInterval",
			                  json_object());
			mf_sbom_num(num, json_number_value(lo));
			mf_sbom_set_str(&c->b, cij, "lowerBound", num);
			mf_sbom_num(num, json_number_value(hi));
			mf_sbom_set_str(&c->b, cij, "upperBound", num);
		}
	}
}

static void
quantitative(struct cdx *c, json_t *card)
{
	json_t *arr = json_array(), *q;

	metrics(c, arr, "self_reported");
	metrics(c, arr, "third_party");
	if (arr != NULL && json_array_size(arr) == 0) {
		json_decref(arr);
		return;
	}
	q = mf_sbom_set(&c->b, card, "quantitativeAnalysis", json_object());
	mf_sbom_set(&c->b, q, "performanceMetrics", arr);
}

/* Appends each string of a list (or one string) to arr[key] of obj. */
static void
strings(struct cdx *c, json_t *obj, const char *key, const json_t *v)
{
	json_t *arr = json_object_get(obj, key);
	size_t i;

	if (!json_is_string(v) && json_array_size(v) == 0)
		return;
	if (arr == NULL)
		arr = mf_sbom_set(&c->b, obj, key, json_array());
	if (json_is_string(v)) {
		mf_sbom_push(&c->b, arr, json_string(json_string_value(v)));
		return;
	}
	for (i = 0; i < json_array_size(v); i++)
		if (json_is_string(json_array_get(v, i)))
			mf_sbom_push(&c->b, arr,
			             json_string(json_string_value(
			                 json_array_get(v, i))));
}

static void
risks(struct cdx *c, json_t *cons)
{
	const json_t *mit =
	    mf_sbom_fact(c->label, "risks", "mitigations", NULL);
	const json_t *ass =
	    mf_sbom_fact(c->label, "risks", "assessments", NULL);
	const json_t *v;
	const char *cat, *desc, *result;
	json_t *ethics = NULL, *fair = NULL, *r;
	struct mf_buf t;
	size_t i;

	for (i = 0; i < json_array_size(mit); i++) {
		v = json_array_get(mit, i);
		if (ethics == NULL)
			ethics = mf_sbom_set(
			    &c->b, cons, "ethicalConsiderations", json_array());
		r = mf_sbom_push(&c->b, ethics, json_object());
		mf_sbom_set_str(&c->b, r, "name",
		                json_string_value(json_object_get(v, "risk")));
		mf_buf_init(&t, 1u << 16);
		mf_buf_puts(&t, mf_sbom_or(json_string_value(json_object_get(
		                               v, "description")),
		                           ""));
		if ((desc = json_string_value(
		         json_object_get(v, "effectiveness"))))
			mf_buf_printf(&t, " Effectiveness: %s", desc);
		if (t.data != NULL)
			mf_sbom_set_str(&c->b, r, "mitigationStrategy", t.data);
		mf_buf_dispose(&t);
	}
	for (i = 0; i < json_array_size(ass); i++) {
		v = json_array_get(ass, i);
		cat = json_string_value(json_object_get(v, "category"));
		desc = json_string_value(json_object_get(v, "description"));
		result = json_string_value(json_object_get(v, "result"));
		if (cat != NULL && strcmp(cat, "bias") == 0) {
			if (fair == NULL)
				fair = mf_sbom_set(&c->b, cons,
				                   "fairnessAssessments",
				                   json_array());
			r = mf_sbom_push(&c->b, fair, json_object());
			mf_sbom_set_str(&c->b, r, "groupAtRisk", desc);
			mf_sbom_set_str(&c->b, r, "harms", result);
			continue;
		}
		if (ethics == NULL)
			ethics = mf_sbom_set(
			    &c->b, cons, "ethicalConsiderations", json_array());
		r = mf_sbom_push(&c->b, ethics, json_object());
		mf_buf_init(&t, 1u << 16);
		mf_buf_printf(&t, "%s%s%s%s%s", mf_sbom_or(cat, "risk"),
		              desc ? ": " : "", mf_sbom_or(desc, ""),
		              result ? " Result: " : "",
		              mf_sbom_or(result, ""));
		if (t.data != NULL)
			mf_sbom_set_str(&c->b, r, "name", t.data);
		mf_buf_dispose(&t);
	}
}

static void
environment(struct cdx *c, json_t *cons)
{
	const json_t *energy =
	    mf_sbom_fact(c->label, "key_facts", "energy", NULL);
	const json_t *co2 =
	    mf_sbom_fact(c->label, "key_facts", "emissions", NULL);
	const json_t *provider =
	    mf_sbom_disclosed(c->disclosure, "/compute/provider");
	json_t *env, *list, *e, *m, *providers, *p, *props;
	double kwh, t;

	if (!mf_sbom_energy_kwh(energy, &kwh))
		return; /* activityEnergyCost is required: emissions alone go
		           to the properties */
	env = mf_sbom_set(&c->b, cons, "environmentalConsiderations",
	                  json_object());
	list = mf_sbom_set(&c->b, env, "energyConsumptions", json_array());
	e = mf_sbom_push(&c->b, list, json_object());
	mf_sbom_set_str(&c->b, e, "activity", "training");
	providers = mf_sbom_set(&c->b, e, "energyProviders", json_array());
	if (json_is_string(provider)) {
		/* Who ran the training; the source of its power is not
		 * disclosed, so it is "unknown", never guessed. */
		p = mf_sbom_push(&c->b, providers, json_object());
		mf_sbom_set(&c->b, p, "organization",
		            organization(c, json_string_value(provider)));
		mf_sbom_set_str(&c->b, p, "energySource", "unknown");
		m = mf_sbom_set(&c->b, p, "energyProvided", json_object());
		mf_sbom_set(&c->b, m, "value", json_real(kwh));
		mf_sbom_set_str(&c->b, m, "unit", "kWh");
	}
	m = mf_sbom_set(&c->b, e, "activityEnergyCost", json_object());
	mf_sbom_set(&c->b, m, "value", json_real(kwh));
	mf_sbom_set_str(&c->b, m, "unit", "kWh");
	if (mf_sbom_emissions_t(co2, &t)) {
		m = mf_sbom_set(&c->b, e, "co2CostEquivalent", json_object());
		mf_sbom_set(&c->b, m, "value", json_real(t));
		mf_sbom_set_str(&c->b, m, "unit", "tCO2eq");
	}
	props = json_array();
	if (json_is_string(json_object_get(energy, "basis")))
		prop(c, props, "energy_basis",
		     json_string_value(json_object_get(energy, "basis")));
	if (json_is_string(json_object_get(energy, "note")))
		prop(c, props, "energy_note",
		     json_string_value(json_object_get(energy, "note")));
	if (json_is_string(json_object_get(co2, "basis")))
		prop(c, props, "emissions_basis",
		     json_string_value(json_object_get(co2, "basis")));
	if (json_is_string(json_object_get(co2, "note")))
		prop(c, props, "emissions_note",
		     json_string_value(json_object_get(co2, "note")));
	if (props != NULL && json_array_size(props) == 0)
		json_decref(props);
	else
		mf_sbom_set(&c->b, e, "properties", props);
}

static void
considerations(struct cdx *c, json_t *card)
{
	json_t *cons = json_object();

	strings(c, cons, "users",
	        mf_sbom_fact(c->label, "uses", "intended_users", NULL));
	strings(c, cons, "useCases",
	        mf_sbom_fact(c->label, "uses", "intended", NULL));
	strings(c, cons, "technicalLimitations",
	        mf_sbom_disclosed(c->disclosure, "/model/limitations"));
	risks(c, cons);
	environment(c, cons);
	if (cons != NULL && json_object_size(cons) == 0)
		json_decref(cons);
	else
		mf_sbom_set(&c->b, card, "considerations", cons);
}

/* ---- properties ---- */

static const struct {
	const char *section, *key;
	bool value; /* also when disclosed (not mapped elsewhere) */
} fact_props[] = {
    {"identity", "model_version", false},
    {"identity", "developer", false},
    {"identity", "description", false},
    {"identity", "release_date", true},
    {"identity", "release_stage", true},
    {"identity", "base_models", false},
    {"identity", "license", false},
    {"identity", "access", true},
    {"key_facts", "parameters", true},
    {"key_facts", "active_parameters", true},
    {"key_facts", "architecture", false},
    {"key_facts", "context_window", true},
    {"key_facts", "max_output", true},
    {"key_facts", "modalities", false},
    {"key_facts", "training_data_size", true},
    {"key_facts", "training_compute", true},
    {"key_facts", "hardware", true},
    {"key_facts", "accelerator_hours", true},
    {"key_facts", "training_duration", true},
    {"key_facts", "energy", false},
    {"key_facts", "emissions", true},
    {"key_facts", "training_start", true},
    {"key_facts", "training_end", true},
    {"key_facts", "data_cutoff", true},
    {"key_facts", "languages", true},
    {"uses", "intended", false},
    {"uses", "intended_users", false},
    {"uses", "out_of_scope", true},
    {"uses", "prohibited", true},
    {"risks", "assessments", false},
    {"risks", "mitigations", false},
    {"risks", "residual", true},
    {"risks", "safety_framework", true},
};

static void
properties(struct cdx *c, json_t *comp)
{
	const json_t *reg = json_object_get(c->label, "registry");
	const json_t *prov = json_object_get(c->label, "provenance");
	const json_t *arch =
	    mf_sbom_fact(c->label, "key_facts", "architecture", NULL);
	const json_t *li = json_object_get(prov, "log_index");
	const json_t *base =
	    mf_sbom_fact(c->label, "identity", "base_models", NULL);
	const json_t *energy;
	json_t *props = json_array();
	char num[MF_SBOM_NUM_MAX];
	double kwh;
	size_t i;

	prop(c, props, "registry",
	     json_string_value(json_object_get(reg, "origin")));
	if (json_is_integer(json_object_get(reg, "version"))) {
		snprintf(num, sizeof(num), "%lld",
		         (long long)json_integer_value(
		             json_object_get(reg, "version")));
		prop(c, props, "registry_version", num);
	}
	prop(c, props, "payload_sha256",
	     json_string_value(json_object_get(prov, "payload_sha256")));
	if (json_is_integer(li)) {
		snprintf(num, sizeof(num), "%lld",
		         (long long)json_integer_value(li));
		prop(c, props, "log_index", num);
	}
	prop(c, props, "accepted_at",
	     json_string_value(json_object_get(prov, "accepted_at")));
	prop(c, props, "architecture_description",
	     json_string_value(json_object_get(arch, "description")));
	for (i = 0; i < json_array_size(base); i++)
		prop(c, props, "base_model",
		     json_string_value(
		         json_object_get(json_array_get(base, i), "name")));
	for (i = 0; i < sizeof(fact_props) / sizeof(fact_props[0]); i++)
		fact_prop(c, props, fact_props[i].section, fact_props[i].key,
		          fact_props[i].value);
	/* energy in a unit that is not one of energy's: as given */
	energy = mf_sbom_fact(c->label, "key_facts", "energy", NULL);
	if (energy != NULL && !mf_sbom_energy_kwh(energy, &kwh))
		fact_prop(c, props, "key_facts", "energy", true);
	mf_sbom_set(&c->b, comp, "properties", props);
}

/* ---- the BOM ---- */

static void
serial_number(struct cdx *c, json_t *bom, const struct mf_label_input *in)
{
	const json_t *ev = json_object_get(c->label, "evals");
	const char *groups[] = {"self_reported", "third_party"};
	struct mf_buf t;
	char uuid[37];
	size_t g, i;

	/* The payload and every signed eval in the BOM: the immutable form
	 * always gets the same serial number, a BOM with more evals a new
	 * one. */
	mf_buf_init(&t, 1u << 20);
	if (in->payload_sha256 != NULL)
		mf_buf_puts(&t, in->payload_sha256);
	else
		mf_buf_printf(&t, "%s/%s/%d", mf_sbom_or(in->org, ""),
		              mf_sbom_or(in->model, ""), in->version);
	for (g = 0; g < 2; g++)
		for (i = 0; i < json_array_size(json_object_get(ev, groups[g]));
		     i++)
			mf_buf_printf(
			    &t, "\n%s",
			    mf_sbom_or(
			        json_string_value(json_object_get(
			            json_array_get(
			                json_object_get(ev, groups[g]), i),
			            "payload_sha256")),
			        "-"));
	if (t.data == NULL) {
		mf_sbom_fail(&c->b);
		mf_buf_dispose(&t);
		return;
	}
	mf_sbom_uuid(uuid, "cyclonedx", t.data);
	mf_buf_dispose(&t);
	mf_sbom_set(&c->b, bom, "serialNumber", mf_sbom_cat("urn:uuid:", uuid));
}

static void
metadata(struct cdx *c, json_t *bom, const struct mf_label_input *in)
{
	json_t *meta = mf_sbom_set(&c->b, bom, "metadata", json_object());
	json_t *tools, *list, *tool, *props;
	char ts[21];

	if (mf_sbom_datetime(ts, in->accepted_at))
		mf_sbom_set_str(&c->b, meta, "timestamp", ts);
	tools = mf_sbom_set(&c->b, meta, "tools", json_object());
	list = mf_sbom_set(&c->b, tools, "components", json_array());
	tool = mf_sbom_push(&c->b, list, json_object());
	mf_sbom_set_str(&c->b, tool, "type", "application");
	mf_sbom_set_str(&c->b, tool, "name", "modelfacts");
	if (in->origin != NULL) {
		mf_sbom_set(&c->b, meta, "supplier",
		            organization(c, in->origin));
		props = mf_sbom_set(&c->b, meta, "properties", json_array());
		prop(c, props, "registry", in->origin);
	}
}

int
mf_cyclonedx_tree(json_t **out, const struct mf_label_input *in)
{
	struct cdx c = {{0}, NULL, NULL};
	const json_t *subject, *dev, *ver, *desc;
	const char *org, *model, *name;
	json_t *label = NULL, *bom = NULL, *comps, *comp, *card, *sup;
	char ref[300];
	int rc;

	*out = NULL;
	/* 1. The label's facts: everything below reads them. */
	if (in == NULL)
		return MF_E_BAD_PARAM;
	if (in->assessment_only)
		return MF_E_NOT_FOUND;
	if ((rc = mf_label_json(&label, in)) != 0)
		return rc;
	c.label = label;
	c.disclosure = in->disclosure;
	subject = json_object_get(label, "subject");
	org = json_string_value(json_object_get(subject, "org"));
	model = json_string_value(json_object_get(subject, "model"));
	name = mf_sbom_or(json_string_value(json_object_get(label, "name")),
	                  model);
	/* 2. The frame. */
	bom = json_object();
	mf_sbom_set_str(&c.b, bom, "bomFormat", "CycloneDX");
	mf_sbom_set_str(&c.b, bom, "specVersion", MF_CYCLONEDX_SPEC);
	serial_number(&c, bom, in);
	mf_sbom_set(&c.b, bom, "version", json_integer(1));
	metadata(&c, bom, in);
	/* 3. The one component. */
	comps = mf_sbom_set(&c.b, bom, "components", json_array());
	comp = mf_sbom_push(&c.b, comps, json_object());
	mf_sbom_set_str(&c.b, comp, "type", "machine-learning-model");
	snprintf(ref, sizeof(ref), "model:%s/%s@%d", mf_sbom_or(org, ""),
	         mf_sbom_or(model, ""), in->version);
	mf_sbom_set_str(&c.b, comp, "bom-ref", ref);
	mf_sbom_set_str(&c.b, comp, "name", mf_sbom_or(name, "unnamed model"));
	if (org != NULL)
		mf_sbom_set_str(&c.b, comp, "group", org);
	ver = mf_sbom_fact(label, "identity", "model_version", NULL);
	mf_sbom_set_str(&c.b, comp, "version", json_string_value(ver));
	desc = mf_sbom_fact(label, "identity", "description", NULL);
	mf_sbom_set_str(&c.b, comp, "description", json_string_value(desc));
	dev = mf_sbom_fact(label, "identity", "developer", NULL);
	sup = organization(&c, mf_sbom_or(json_string_value(dev), org));
	mf_sbom_set(&c.b, comp, "supplier", sup);
	mf_sbom_set(&c.b, comp, "manufacturer",
	            organization(&c, mf_sbom_or(json_string_value(dev), org)));
	licenses(&c, comp);
	component_refs(&c, comp);
	/* 4. The model card. */
	card = mf_sbom_set(&c.b, comp, "modelCard", json_object());
	model_parameters(&c, card);
	quantitative(&c, card);
	considerations(&c, card);
	properties(&c, comp);
	rc = c.b.rc;
	if (rc == 0 && bom == NULL)
		rc = MF_E_NOMEM;
	if (rc != 0)
		goto done;
	*out = bom;
	bom = NULL;
done:
	json_decref(bom);
	json_decref(label);
	return rc;
}

int
mf_cyclonedx_json(struct mf_buf *out, const struct mf_label_input *in)
{
	json_t *bom = NULL;
	int rc;

	if ((rc = mf_cyclonedx_tree(&bom, in)) != 0)
		return rc;
	rc = mf_sbom_write(out, bom);
	json_decref(bom);
	return rc;
}
