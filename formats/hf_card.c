/*
 * card.md and eval_results.yaml: a version's disclosure and eval results
 * in the Hugging Face Hub's own formats. The front matter is built as a
 * jansson tree and written by common/yaml.c (every string JSON-quoted,
 * so it parses back exactly); the body uses the headings of the Hub's
 * model card template, which importers/hf_card.c maps back field by
 * field.
 */
#include "formats/hf_card.h"

#include "common/error.h"
#include "common/yaml.h"
#include "labels/number.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HUB          "https://huggingface.co/"
#define HUB_DATASETS "https://huggingface.co/datasets/"

static const struct {
	const char *hub, *spdx;
} licenses[] = {
    {"apache-2.0", "Apache-2.0"},
    {"mit", "MIT"},
    {"bsd-2-clause", "BSD-2-Clause"},
    {"bsd-3-clause", "BSD-3-Clause"},
    {"cc0-1.0", "CC0-1.0"},
    {"cc-by-4.0", "CC-BY-4.0"},
    {"cc-by-sa-4.0", "CC-BY-SA-4.0"},
    {"cc-by-nc-4.0", "CC-BY-NC-4.0"},
    {"cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0"},
    {"cc-by-nc-nd-4.0", "CC-BY-NC-ND-4.0"},
    {"gpl-3.0", "GPL-3.0-only"},
    {"lgpl-3.0", "LGPL-3.0-only"},
    {"agpl-3.0", "AGPL-3.0-only"},
    {"mpl-2.0", "MPL-2.0"},
    {"unlicense", "Unlicense"},
    {"artistic-2.0", "Artistic-2.0"},
    {"bsl-1.0", "BSL-1.0"},
    {"openrail", "LicenseRef-hf-openrail"},
};

#define MF_HF_LICENSE_REF "LicenseRef-hf-"

static const struct {
	const char *tag;
	const char *in[2], *out[2];
	bool canonical; /* the tag written back for these modalities */
} pipelines[] = {
    {"text-generation", {"text"}, {"text"}, true},
    {"text2text-generation", {"text"}, {"text"}, false},
    {"fill-mask", {"text"}, {"text"}, false},
    {"translation", {"text"}, {"text"}, false},
    {"summarization", {"text"}, {"text"}, false},
    {"question-answering", {"text"}, {"text"}, false},
    {"text-classification", {"text"}, {"structured_data"}, true},
    {"token-classification", {"text"}, {"structured_data"}, false},
    {"feature-extraction", {"text"}, {"embeddings"}, true},
    {"sentence-similarity", {"text"}, {"embeddings"}, false},
    {"image-classification", {"image"}, {"structured_data"}, true},
    {"object-detection", {"image"}, {"structured_data"}, false},
    {"image-to-text", {"image"}, {"text"}, true},
    {"image-text-to-text", {"image", "text"}, {"text"}, true},
    {"text-to-image", {"text"}, {"image"}, true},
    {"automatic-speech-recognition", {"audio"}, {"text"}, true},
    {"text-to-speech", {"text"}, {"audio"}, true},
    {"audio-classification", {"audio"}, {"structured_data"}, true},
    {"text-to-video", {"text"}, {"video"}, true},
    {"table-question-answering", {"structured_data", "text"}, {"text"}, true},
};
#define N_PIPELINES (sizeof(pipelines) / sizeof(pipelines[0]))

const char *
mf_hf_license_to_spdx(const char *hub_id)
{
	size_t i;

	for (i = 0; i < sizeof(licenses) / sizeof(licenses[0]); i++)
		if (strcasecmp(licenses[i].hub, hub_id) == 0)
			return licenses[i].spdx;
	return NULL;
}

const char *
mf_hf_license_from_spdx(const char *spdx)
{
	size_t i;

	for (i = 0; i < sizeof(licenses) / sizeof(licenses[0]); i++)
		if (strcmp(licenses[i].spdx, spdx) == 0)
			return licenses[i].hub;
	return NULL;
}

static json_t *
strings(const char *const *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < 2 && v[i] != NULL; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *
mf_hf_pipeline_modalities(const char *tag)
{
	size_t i;

	for (i = 0; i < N_PIPELINES; i++)
		if (strcmp(pipelines[i].tag, tag) == 0)
			return json_pack("{s:o, s:o}", "input",
			                 strings(pipelines[i].in), "output",
			                 strings(pipelines[i].out));
	return NULL;
}

static bool
same_strings(const json_t *a, const char *const *v)
{
	size_t i, n = 0;

	while (n < 2 && v[n] != NULL)
		n++;
	if (!json_is_array(a) || json_array_size(a) != n)
		return false;
	for (i = 0; i < n; i++)
		if (!json_is_string(json_array_get(a, i)) ||
		    strcmp(json_string_value(json_array_get(a, i)), v[i]) != 0)
			return false;
	return true;
}

const char *
mf_hf_pipeline_tag(const json_t *modalities)
{
	size_t i;

	for (i = 0; i < N_PIPELINES; i++)
		if (pipelines[i].canonical &&
		    same_strings(json_object_get(modalities, "input"),
		                 pipelines[i].in) &&
		    same_strings(json_object_get(modalities, "output"),
		                 pipelines[i].out))
			return pipelines[i].tag;
	return NULL;
}

/* ---- reading the disclosure ---- */

/* A member, unwrapped: a status wrapper gives its value when disclosed,
 * else NULL. */
static const json_t *
member(const json_t *o, const char *name)
{
	const json_t *v = json_object_get(o, name);
	const json_t *st = json_object_get(v, "status");

	if (json_is_string(st) && json_object_get(v, "value") != NULL)
		return strcmp(json_string_value(st), "disclosed") == 0
		           ? json_object_get(v, "value")
		           : NULL;
	if (json_is_string(st) && json_object_size(v) <= 2 &&
	    json_object_get(v, "explanation") != NULL)
		return NULL;
	return v;
}

/* Path of member names, each step unwrapped. */
static const json_t *
at(const json_t *root, const char *a, const char *b, const char *c)
{
	const json_t *v = member(root, a);

	if (b != NULL)
		v = member(v, b);
	if (c != NULL)
		v = member(v, c);
	return v;
}

static const char *
text(const json_t *root, const char *a, const char *b, const char *c)
{
	const json_t *v = at(root, a, b, c);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- front matter ---- */

static void
put_license(json_t *fm, const json_t *d, bool *bad)
{
	const char *spdx = text(d, "distribution", "license", "spdx");
	const char *name = text(d, "distribution", "license", "name");
	const char *url = text(d, "distribution", "license", "url");
	const char *hub = spdx != NULL ? mf_hf_license_from_spdx(spdx) : NULL;
	size_t n = strlen(MF_HF_LICENSE_REF);
	int rc = 0;

	if (hub != NULL)
		rc |= json_object_set_new(fm, "license", json_string(hub));
	else if (spdx != NULL && strncmp(spdx, MF_HF_LICENSE_REF, n) == 0 &&
	         spdx[n] != '\0')
		rc |= json_object_set_new(fm, "license", json_string(spdx + n));
	else if (spdx != NULL || name != NULL || url != NULL)
		rc |= json_object_set_new(fm, "license", json_string("other"));
	if (name != NULL)
		rc |=
		    json_object_set_new(fm, "license_name", json_string(name));
	else if (spdx != NULL && hub == NULL &&
	         strncmp(spdx, MF_HF_LICENSE_REF, n) != 0)
		rc |=
		    json_object_set_new(fm, "license_name", json_string(spdx));
	if (url != NULL)
		rc |= json_object_set_new(fm, "license_link", json_string(url));
	*bad |= rc != 0;
}

/* Names of the list's objects whose url starts with prefix. */
static json_t *
hub_names(const json_t *list, const char *prefix, bool *bad)
{
	json_t *out = json_array();
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		const char *url = json_string_value(json_object_get(v, "url"));
		const char *name =
		    json_string_value(json_object_get(v, "name"));

		if (url != NULL && name != NULL &&
		    strncmp(url, prefix, strlen(prefix)) == 0 &&
		    strcmp(url + strlen(prefix), name) == 0)
			*bad |=
			    json_array_append_new(out, json_string(name)) != 0;
	}
	*bad |= out == NULL;
	return out;
}

static const struct {
	const char *hub, *relation;
} relations[] = {
    {"adapter", "adapter_of"},
    {"merge", "merged_from"},
    {"quantized", "quantized_from"},
};

/* One eval-result payload (with who signed it) as a model-index
 * result. */
/* Sets o[key] to v (borrowed) when v is not NULL; 0 or MF_E_NOMEM. */
static int
set_if(json_t *o, const char *key, json_t *v)
{
	if (v == NULL)
		return 0;
	return json_object_set(o, key, v) == 0 ? 0 : MF_E_NOMEM;
}

static json_t *
index_result(const json_t *r, bool third_party, const char *evaluator,
             bool *bad)
{
	const json_t *bm = json_object_get(r, "benchmark");
	const json_t *metric = json_object_get(r, "metric");
	const char *id = json_string_value(json_object_get(bm, "id"));
	const char *name = json_string_value(json_object_get(bm, "name"));
	const char *task = json_string_value(json_object_get(r, "task"));
	const char *art =
	    json_string_value(json_object_get(r, "artifacts_url"));
	const char *who = json_string_value(json_object_get(r, "evaluator"));
	json_t *ds, *res, *src = NULL;
	char label[300];

	if (id == NULL || !json_is_number(json_object_get(r, "value")))
		return NULL;
	ds = json_pack("{s:s, s:s}", "type", id, "name",
	               name != NULL ? name : id);
	if (ds == NULL || set_if(ds, "config", json_object_get(r, "config")) ||
	    set_if(ds, "split", json_object_get(r, "split")) ||
	    set_if(ds, "revision", json_object_get(bm, "revision"))) {
		json_decref(ds);
		*bad = true;
		return NULL;
	}
	if (third_party) {
		/* marked: the Hub's `verified` means the Hub ran it, so
		 * the mark goes in the source */
		snprintf(label, sizeof(label),
		         "Third-party evaluation by %s (signed, modelfacts)",
		         who != NULL         ? who
		         : evaluator != NULL ? evaluator
		                             : "an evaluator");
		*bad |= (src = json_pack("{s:s}", "name", label)) == NULL;
	} else if (who != NULL) {
		*bad |= (src = json_pack("{s:s}", "name", who)) == NULL;
	}
	if (art != NULL) {
		if (src == NULL)
			src = json_object();
		*bad |= json_object_set_new(src, "url", json_string(art)) != 0;
	}
	res = json_pack("{s:{s:s}, s:o, s:[{s:O, s:O}]}", "task", "type",
	                task != NULL ? task : "other", "dataset", ds, "metrics",
	                "type", json_object_get(metric, "name"), "value",
	                json_object_get(r, "value"));
	*bad |= res == NULL;
	if (res != NULL && src != NULL && json_object_get(src, "url") != NULL)
		*bad |= json_object_set(res, "source", src) != 0;
	else if (res != NULL && src != NULL)
		/* the Hub wants a url with a source: the name alone goes
		 * beside the metric */
		*bad |= json_object_set(
		            json_array_get(json_object_get(res, "metrics"), 0),
		            "name", json_object_get(src, "name")) != 0;
	json_decref(src);
	return res;
}

/* A disclosure's summary row that no eval-result payload backs. */
static bool
backed(const json_t *summary, const json_t *evals)
{
	const json_t *e;
	size_t i;

	json_array_foreach(evals, i, e)
	{
		const json_t *r = json_object_get(e, "result");

		if (json_equal(json_object_get(summary, "benchmark"),
		               json_object_get(json_object_get(r, "benchmark"),
		                               "id")) &&
		    json_equal(json_object_get(summary, "metric"),
		               json_object_get(json_object_get(r, "metric"),
		                               "name")) &&
		    json_equal(json_object_get(summary, "value"),
		               json_object_get(r, "value")))
			return true;
	}
	return false;
}

static json_t *
model_index(const struct mf_label_input *in, const char *name, bool *bad)
{
	json_t *results = json_array(), *mi;

	if (results == NULL) {
		*bad = true;
		return NULL;
	}
	const json_t *e, *s;
	size_t i;

	json_array_foreach(in->evals, i, e)
	{
		const char *as =
		    json_string_value(json_object_get(e, "assurance"));
		json_t *r = index_result(
		    json_object_get(e, "result"),
		    as != NULL && strcmp(as, "third_party") == 0,
		    json_string_value(json_object_get(e, "evaluator")), bad);

		if (r != NULL)
			*bad |= json_array_append_new(results, r) != 0;
	}
	json_array_foreach(at(in->disclosure, "evaluations", "results", NULL),
	                   i, s)
	{
		const char *b =
		    json_string_value(json_object_get(s, "benchmark"));
		const char *m = json_string_value(json_object_get(s, "metric"));
		const char *as =
		    json_string_value(json_object_get(s, "assurance"));
		json_t *r;

		if (b == NULL || m == NULL ||
		    !json_is_number(json_object_get(s, "value")) ||
		    backed(s, in->evals))
			continue;
		r = json_pack("{s:s, s:{s:s}, s:{s:s}, s:O}", "assurance",
		              as != NULL ? as : "self_reported", "benchmark",
		              "id", b, "metric", "name", m, "value",
		              json_object_get(s, "value"));
		if (r == NULL || set_if(r, "artifacts_url",
		                        json_object_get(s, "url")) != 0) {
			json_decref(r);
			*bad = true;
			continue;
		}
		*bad |= json_array_append_new(
		            results,
		            index_result(
		                r, as != NULL && strcmp(as, "third_party") == 0,
		                NULL, bad)) != 0;
		json_decref(r);
	}
	if (json_array_size(results) == 0) {
		json_decref(results);
		return NULL;
	}
	mi = json_pack("[{s:s, s:o}]", "name", name, "results", results);
	*bad |= mi == NULL;
	return mi;
}

static json_t *
front_matter(const struct mf_label_input *in, const char *name)
{
	const json_t *d = in->disclosure;
	json_t *fm = json_object(), *v;
	const json_t *bases, *mods;
	const char *tag;
	bool bad = fm == NULL; /* an allocation failed: no front matter */
	size_t i;

	put_license(fm, d, &bad);
	v = hub_names(at(d, "data", "sources", NULL), HUB_DATASETS, &bad);
	if (json_array_size(v) > 0)
		bad |= json_object_set(fm, "datasets", v) != 0;
	json_decref(v);
	bases = at(d, "identity", "base_models", NULL);
	v = hub_names(bases, HUB, &bad);
	if (json_array_size(v) > 0) {
		const char *rel = json_string_value(
		    json_object_get(json_array_get(bases, 0), "relation"));

		bad |= json_object_set(fm, "base_model", v) != 0;
		for (i = 0; rel != NULL && i < 3; i++)
			if (strcmp(relations[i].relation, rel) == 0)
				bad |= json_object_set_new(
				           fm, "base_model_relation",
				           json_string(relations[i].hub)) != 0;
	}
	json_decref(v);
	if (json_is_array(at(d, "model", "languages", NULL)))
		bad |= json_object_set(
		           fm, "language",
		           (json_t *)at(d, "model", "languages", NULL)) != 0;
	mods = at(d, "model", "modalities", NULL);
	if ((tag = mf_hf_pipeline_tag(mods)) != NULL)
		bad |= json_object_set_new(fm, "pipeline_tag",
		                           json_string(tag)) != 0;
	if ((v = model_index(in, name, &bad)) != NULL)
		bad |= json_object_set_new(fm, "model-index", v) != 0;
	if (bad) {
		json_decref(fm);
		return NULL;
	}
	return fm;
}

/* ---- the body ---- */

/* A list item: first line after "- ", the rest indented two spaces. */
static int
bullet(struct mf_buf *out, const char *item)
{
	const char *p = item;
	int rc = mf_buf_puts(out, "- ");

	while (rc == 0 && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (p != item && n > 0)
			rc = mf_buf_puts(out, "  ");
		if (rc == 0)
			rc = mf_buf_append(out, p, n);
		if (rc == 0)
			rc = mf_buf_putc(out, '\n');
		p = nl != NULL ? nl + 1 : p + n;
	}
	return rc;
}

static int
section_text(struct mf_buf *out, const char *heading, const char *body)
{
	if (body == NULL)
		return 0;
	return mf_buf_printf(out, "%s\n\n%s\n\n", heading, body);
}

static int
section_list(struct mf_buf *out, const char *heading, const json_t *list)
{
	const json_t *v;
	size_t i;
	int rc;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return 0;
	rc = mf_buf_printf(out, "%s\n\n", heading);
	json_array_foreach(list, i, v)
	{
		if (rc == 0 && json_is_string(v))
			rc = bullet(out, json_string_value(v));
	}
	return rc != 0 ? rc : mf_buf_putc(out, '\n');
}

/* "- **Key:** value", the template's detail lines. */
static int
detail(struct mf_buf *out, const char *key, const char *value)
{
	if (value == NULL)
		return 0;
	return mf_buf_printf(out, "- **%s:** %s\n", key, value);
}

static void
quantity(char *out, size_t cap, const json_t *q, const char *unit)
{
	const json_t *a = json_object_get(q, "amount");
	const char *note = json_string_value(json_object_get(q, "note"));
	char num[MF_LABEL_NUM_MAX];

	out[0] = '\0';
	if (json_is_number(a)) {
		double x = json_number_value(a);

		/* whole amounts as the digits a card would show ("1200") */
		if (x == (double)(long long)x && x < 1e15 && x > -1e15)
			snprintf(num, sizeof(num), "%lld", (long long)x);
		else
			mf_label_num_exact(num, x);
		snprintf(out, cap, "%s%s%s", num, unit ? " " : "",
		         unit ? unit : "");
	} else if (note != NULL) {
		snprintf(out, cap, "%s", note);
	}
}

static int
environment(struct mf_buf *out, const json_t *d)
{
	const json_t *hw = at(d, "compute", "hardware", NULL);
	const json_t *hours = at(d, "compute", "accelerator_hours", NULL);
	const json_t *co2 = at(d, "compute", "emissions", NULL);
	const char *unit = json_string_value(json_object_get(co2, "unit"));
	char h[256], c[256];
	int rc = 0;

	quantity(h, sizeof(h), hours, NULL);
	quantity(c, sizeof(c), co2,
	         unit == NULL                  ? NULL
	         : strcmp(unit, "kgCO2e") == 0 ? "kg CO2eq"
	                                       : "t CO2eq");
	if (hw == NULL && !h[0] && !c[0] &&
	    text(d, "compute", "provider", NULL) == NULL &&
	    text(d, "compute", "location", NULL) == NULL)
		return 0;
	rc = mf_buf_puts(out, "## Environmental Impact\n\n");
	if (rc == 0)
		rc = detail(out, "Hardware Type",
		            json_string_value(json_object_get(hw, "type")));
	if (rc == 0 && h[0])
		rc = detail(out, "Hours used", h);
	if (rc == 0)
		rc = detail(out, "Cloud Provider",
		            text(d, "compute", "provider", NULL));
	if (rc == 0)
		rc = detail(out, "Compute Region",
		            text(d, "compute", "location", NULL));
	if (rc == 0 && c[0])
		rc = detail(out, "Carbon Emitted", c);
	return rc != 0 ? rc : mf_buf_putc(out, '\n');
}

static int
body(struct mf_buf *out, const struct mf_label_input *in, const char *name)
{
	const json_t *d = in->disclosure, *docs, *v;
	const char *dev = text(d, "identity", "developer", NULL);
	const char *email = text(d, "downstream", "feedback", "email");
	const char *url = text(d, "downstream", "feedback", "url");
	size_t i;
	int rc;

	rc = mf_buf_printf(out, "# %s\n\n", name);
	if (rc == 0 && text(d, "identity", "description", NULL) != NULL)
		rc = mf_buf_printf(out, "%s\n\n",
		                   text(d, "identity", "description", NULL));
	docs = at(d, "identity", "documentation", NULL);
	if (rc == 0 && (dev != NULL || json_array_size(docs) > 0)) {
		rc = mf_buf_puts(out, "## Model Details\n\n");
		if (rc == 0)
			rc = detail(out, "Developed by", dev);
		json_array_foreach(docs, i, v)
		{
			if (rc == 0 && json_is_string(v))
				rc =
				    detail(out, i == 0 ? "Repository" : "Paper",
				           json_string_value(v));
		}
		if (rc == 0)
			rc = mf_buf_putc(out, '\n');
	}
	if (rc == 0 && (at(d, "uses", "intended", NULL) != NULL ||
	                at(d, "uses", "out_of_scope", NULL) != NULL))
		rc = mf_buf_puts(out, "## Uses\n\n");
	if (rc == 0)
		rc = section_list(out, "### Direct Use",
		                  at(d, "uses", "intended", NULL));
	if (rc == 0)
		rc = section_list(out, "### Out-of-Scope Use",
		                  at(d, "uses", "out_of_scope", NULL));
	if (rc == 0)
		rc = section_list(out, "## Bias, Risks, and Limitations",
		                  at(d, "model", "limitations", NULL));
	if (rc == 0 && (text(d, "data", "characteristics", NULL) != NULL ||
	                text(d, "training", "design_choices", NULL) != NULL ||
	                text(d, "training", "hyperparameters", NULL) != NULL))
		rc = mf_buf_puts(out, "## Training Details\n\n");
	if (rc == 0)
		rc = section_text(out, "### Training Data",
		                  text(d, "data", "characteristics", NULL));
	if (rc == 0)
		rc = section_text(out, "### Training Procedure",
		                  text(d, "training", "design_choices", NULL));
	if (rc == 0)
		rc = section_text(out, "#### Training Hyperparameters",
		                  text(d, "training", "hyperparameters", NULL));
	if (rc == 0)
		rc = section_text(out, "## Evaluation",
		                  text(d, "evaluations", "strategy", NULL));
	if (rc == 0)
		rc = environment(out, d);
	if (rc == 0 && (email != NULL || url != NULL))
		rc = section_text(out, "## Model Card Contact",
		                  email != NULL ? email : url);
	return rc;
}

int
mf_hf_card_write(struct mf_buf *out, const struct mf_label_input *in)
{
	const char *name;
	size_t mark = out->len;
	json_t *fm = NULL;
	int rc;

	if (in == NULL || !json_is_object(in->disclosure))
		return MF_E_BAD_PARAM;
	name = text(in->disclosure, "identity", "name", NULL);
	if (name == NULL)
		name = in->model != NULL ? in->model : "model";
	/* 1. The front matter. */
	if ((fm = front_matter(in, name)) == NULL)
		return MF_E_NOMEM;
	rc = mf_buf_puts(out, "---\n");
	if (rc == 0 && json_object_size(fm) > 0)
		rc = mf_yaml_emit(out, fm, 0);
	if (rc == 0)
		rc = mf_buf_puts(out, "---\n\n");
	/* 2. Where it comes from, as a comment the Hub does not show. */
	if (rc == 0 && in->org != NULL && in->model != NULL)
		rc = mf_buf_printf(
		    out,
		    "<!-- Written by the modelfacts registry %s from version "
		    "%d of %s/%s (payload sha256:%s). -->\n\n",
		    in->origin != NULL ? in->origin : "", in->version, in->org,
		    in->model,
		    in->payload_sha256 != NULL ? in->payload_sha256 : "");
	/* 3. The sections. */
	if (rc == 0)
		rc = body(out, in, name);
	json_decref(fm);
	if (rc != 0 && out->data != NULL) {
		out->len = mark;
		out->data[mark] = '\0';
	}
	return rc;
}

int
mf_hf_eval_results_write(struct mf_buf *out, const struct mf_label_input *in)
{
	json_t *list = json_array();
	const json_t *e;
	size_t i, mark = out->len;
	int rc = 0;

	if (in == NULL || list == NULL) {
		json_decref(list);
		return in == NULL ? MF_E_BAD_PARAM : MF_E_NOMEM;
	}
	json_array_foreach(in->evals, i, e)
	{
		const json_t *r = json_object_get(e, "result");
		const json_t *bm = json_object_get(r, "benchmark");
		const char *as =
		    json_string_value(json_object_get(e, "assurance"));
		const char *who =
		    json_string_value(json_object_get(r, "evaluator"));
		const char *art =
		    json_string_value(json_object_get(r, "artifacts_url"));
		const char *org =
		    json_string_value(json_object_get(e, "evaluator"));
		json_t *ds, *entry, *src = NULL;
		char label[300];

		if (!json_is_string(json_object_get(bm, "id")) ||
		    !json_is_number(json_object_get(r, "value")))
			continue;
		/* every allocation checked: a lost field is an error, never a
		 * shorter file (tests/unit/test_alloc_fail.c) */
		ds = json_pack("{s:O}", "id", json_object_get(bm, "id"));
		if (ds == NULL ||
		    (rc = set_if(ds, "task_id", json_object_get(r, "task"))) !=
		        0 ||
		    (rc = set_if(ds, "config", json_object_get(r, "config"))) !=
		        0 ||
		    (rc = set_if(ds, "split", json_object_get(r, "split"))) !=
		        0 ||
		    (rc = set_if(ds, "revision",
		                 json_object_get(bm, "revision"))) != 0) {
			json_decref(ds);
			rc = MF_E_NOMEM;
			break;
		}
		entry = json_pack("{s:o, s:O}", "dataset", ds, "value",
		                  json_object_get(r, "value"));
		if (entry == NULL ||
		    (rc = set_if(entry, "date",
		                 json_object_get(r, "evaluated_on"))) != 0) {
			json_decref(entry);
			rc = MF_E_NOMEM;
			break;
		}
		if (as != NULL && strcmp(as, "third_party") == 0) {
			snprintf(label, sizeof(label),
			         "Third-party evaluation by %s (signed, "
			         "modelfacts)",
			         who != NULL   ? who
			         : org != NULL ? org
			                       : "an evaluator");
			who = label;
		}
		if (art != NULL) {
			src = json_pack("{s:s}", "url", art);
			if (src == NULL ||
			    (who != NULL &&
			     json_object_set_new(src, "name",
			                         json_string(who)) != 0) ||
			    json_object_set(entry, "source", src) != 0)
				rc = MF_E_NOMEM;
			json_decref(src);
		}
		if (rc == 0)
			rc = set_if(entry, "evaluation_framework",
			            json_object_get(
			                json_object_get(r, "harness"), "name"));
		if (rc == 0)
			rc =
			    set_if(entry, "notes", json_object_get(r, "notes"));
		if (rc != 0 || json_array_append_new(list, entry) != 0) {
			if (rc != 0)
				json_decref(entry);
			rc = MF_E_NOMEM;
			break;
		}
	}
	if (rc == 0 && json_array_size(list) == 0)
		rc = mf_buf_puts(out, "[]\n");
	else if (rc == 0)
		rc = mf_yaml_emit(out, list, 0);
	json_decref(list);
	if (rc != 0 && out->data != NULL) {
		out->len = mark;
		out->data[mark] = '\0';
	}
	return rc;
}
