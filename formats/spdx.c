/*
 * The SPDX 3.0.1 export (spdx.h): JSON-LD with the official context, one
 * flat @graph. Every element has an spdxId (an IRI under the version's
 * record URL when the registry has a public URL, else a urn:uuid derived
 * from the payload) and points at the one CreationInfo. Like the
 * CycloneDX writer it reads the label's facts and leaves out what the
 * disclosure does not say; withheld and unknown facts are named, with the
 * developer's explanation, in the AI package's comment.
 */
#include "formats/spdx.h"

#include "common/error.h"
#include "formats/sbom.h"
#include "labels/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CREATION_INFO "_:creationinfo"

struct spdx {
	struct mf_sbom_builder b;
	const json_t *label;
	const json_t *disclosure;
	const char *base; /* spdxId prefix: "<record>/spdx.json" or urn */
	json_t *graph;    /* borrowed from the document */
	json_t *elements; /* ids for SpdxDocument.element */
};

/* A new element of the graph: {"type", "spdxId": base#local,
 * "creationInfo"}; listed in the document's elements. */
static json_t *
element(struct spdx *s, const char *type, const char *local)
{
	json_t *e = mf_sbom_push(&s->b, s->graph, json_object());
	char id[32];
	json_t *iri;

	snprintf(id, sizeof(id), "#%s", local);
	mf_sbom_set_str(&s->b, e, "type", type);
	iri = mf_sbom_set(&s->b, e, "spdxId", mf_sbom_cat(s->base, id));
	mf_sbom_set_str(&s->b, e, "creationInfo", CREATION_INFO);
	if (iri != NULL)
		mf_sbom_push(&s->b, s->elements,
		             json_string(json_string_value(iri)));
	return e;
}

static const char *
id_of(const json_t *e)
{
	return json_string_value(json_object_get(e, "spdxId"));
}

static void
relationship(struct spdx *s, const char *local, const char *type,
             const json_t *from, json_t *to_ids)
{
	json_t *r;

	if (json_array_size(to_ids) == 0 || id_of(from) == NULL) {
		json_decref(to_ids);
		return;
	}
	r = element(s, "Relationship", local);
	mf_sbom_set_str(&s->b, r, "from", id_of(from));
	mf_sbom_set(&s->b, r, "to", to_ids);
	mf_sbom_set_str(&s->b, r, "relationshipType", type);
}

static void
dict_entry(struct spdx *s, json_t *list, const char *key, const char *value)
{
	json_t *d;

	if (key == NULL || *key == '\0')
		return;
	d = mf_sbom_push(&s->b, list, json_object());
	mf_sbom_set_str(&s->b, d, "type", "DictionaryEntry");
	mf_sbom_set_str(&s->b, d, "key", key);
	mf_sbom_set_str(&s->b, d, "value", value);
}

/* Sets key to list when it has entries, else drops it. */
static void
set_list(struct spdx *s, json_t *obj, const char *key, json_t *list)
{
	if (list != NULL && json_array_size(list) == 0)
		json_decref(list);
	else
		mf_sbom_set(&s->b, obj, key, list);
}

static void
set_text(struct spdx *s, json_t *obj, const char *key, struct mf_buf *t)
{
	if (t->data == NULL && t->len > 0)
		mf_sbom_fail(&s->b);
	else if (t->len > 0)
		mf_sbom_set_str(&s->b, obj, key, t->data);
}

/* ---- the AI package ---- */

static void
energy(struct spdx *s, json_t *pkg)
{
	char num[MF_SBOM_NUM_MAX];
	double kwh;
	json_t *ec, *list, *d;

	if (!mf_sbom_energy_kwh(
	        mf_sbom_fact(s->label, "key_facts", "energy", NULL), &kwh))
		return;
	ec = mf_sbom_set(&s->b, pkg, "ai_energyConsumption", json_object());
	mf_sbom_set_str(&s->b, ec, "type", "ai_EnergyConsumption");
	list = mf_sbom_set(&s->b, ec, "ai_trainingEnergyConsumption",
	                   json_array());
	d = mf_sbom_push(&s->b, list, json_object());
	mf_sbom_set_str(&s->b, d, "type", "ai_EnergyConsumptionDescription");
	/* xsd:decimal, written as the specification's examples do: a
	 * string in decimal notation */
	mf_sbom_decimal(num, kwh);
	mf_sbom_set_str(&s->b, d, "ai_energyQuantity", num);
	mf_sbom_set_str(&s->b, d, "ai_energyUnit", "kilowattHour");
}

static void
quantity_entry(struct spdx *s, json_t *list, const char *key, const char *fact)
{
	const json_t *q = mf_sbom_fact(s->label, "key_facts", fact, NULL);
	const json_t *amount = json_object_get(q, "amount");
	char num[MF_SBOM_NUM_MAX], text[MF_SBOM_NUM_MAX + 80];

	if (!json_is_number(amount))
		return;
	mf_sbom_num(num, json_number_value(amount));
	snprintf(text, sizeof(text), "%s %.64s", num,
	         mf_sbom_or(json_string_value(json_object_get(q, "unit")), ""));
	dict_entry(s, list, key, text);
}

static void
hyperparameters(struct spdx *s, json_t *pkg)
{
	json_t *list = json_array();

	dict_entry(s, list, "training_hyperparameters",
	           json_string_value(mf_sbom_disclosed(
	               s->disclosure, "/training/hyperparameters")));
	quantity_entry(s, list, "parameters", "parameters");
	quantity_entry(s, list, "active_parameters", "active_parameters");
	quantity_entry(s, list, "context_window", "context_window");
	quantity_entry(s, list, "max_output", "max_output");
	quantity_entry(s, list, "training_data_size", "training_data_size");
	quantity_entry(s, list, "training_compute", "training_compute");
	set_list(s, pkg, "ai_hyperparameter", list);
}

static void
training_info(struct spdx *s, json_t *pkg)
{
	const json_t *stages =
	    mf_sbom_disclosed(s->disclosure, "/training/stages");
	const json_t *st;
	const char *v;
	struct mf_buf t;
	size_t i;

	mf_buf_init(&t, 1u << 20);
	if ((v = json_string_value(
	         mf_sbom_disclosed(s->disclosure, "/training/objective"))))
		mf_buf_printf(&t, "Objective: %s\n", v);
	for (i = 0; i < json_array_size(stages); i++) {
		st = json_array_get(stages, i);
		mf_buf_printf(
		    &t, "Stage %zu: %s (%s)", i + 1,
		    mf_sbom_or(json_string_value(json_object_get(st, "name")),
		               "unnamed"),
		    mf_sbom_or(json_string_value(json_object_get(st, "method")),
		               "method not given"));
		if ((v = json_string_value(json_object_get(st, "objective"))))
			mf_buf_printf(&t, "; objective: %s", v);
		if ((v = json_string_value(json_object_get(st, "data"))))
			mf_buf_printf(&t, "; data: %s", v);
		mf_buf_puts(&t, "\n");
	}
	if ((v = json_string_value(
	         mf_sbom_disclosed(s->disclosure, "/training/design_choices"))))
		mf_buf_printf(&t, "Design choices: %s\n", v);
	if ((v = json_string_value(
	         mf_sbom_disclosed(s->disclosure, "/data/selection"))))
		mf_buf_printf(&t, "Data selection: %s\n", v);
	if (t.len > 0 && t.data != NULL)
		t.data[--t.len] = '\0'; /* the last newline */
	set_text(s, pkg, "ai_informationAboutTraining", &t);
	mf_buf_dispose(&t);
}

static void
limitation(struct spdx *s, json_t *pkg)
{
	const json_t *l =
	    mf_sbom_disclosed(s->disclosure, "/model/limitations");
	struct mf_buf t;
	size_t i;

	mf_buf_init(&t, 1u << 20);
	for (i = 0; i < json_array_size(l); i++)
		if (json_is_string(json_array_get(l, i)))
			mf_buf_printf(&t, "%s%s", t.len ? "\n" : "",
			              json_string_value(json_array_get(l, i)));
	set_text(s, pkg, "ai_limitation", &t);
	mf_buf_dispose(&t);
}

static void
metric_rows(struct spdx *s, json_t *list, const char *assurance)
{
	const json_t *rows =
	    json_object_get(json_object_get(s->label, "evals"), assurance);
	const json_t *e, *bench;
	const char *v;
	char num[MF_SBOM_NUM_MAX];
	struct mf_buf k;
	size_t i;

	for (i = 0; i < json_array_size(rows); i++) {
		e = json_array_get(rows, i);
		if (!json_is_number(json_object_get(e, "value")))
			continue;
		bench = json_object_get(e, "benchmark");
		mf_buf_init(&k, 1u << 16);
		mf_buf_puts(
		    &k, mf_sbom_or(
		            json_string_value(json_object_get(bench, "name")),
		            mf_sbom_or(
		                json_string_value(json_object_get(bench, "id")),
		                "benchmark")));
		if ((v = json_string_value(json_object_get(bench, "revision"))))
			mf_buf_printf(&k, " %s", v);
		if ((v = json_string_value(json_object_get(e, "split"))))
			mf_buf_printf(&k, " %s", v);
		mf_buf_printf(
		    &k, " %s (%s, %s)",
		    mf_sbom_or(json_string_value(json_object_get(
		                   json_object_get(e, "metric"), "name")),
		               "metric"),
		    strcmp(assurance, "third_party") == 0 ? "third-party"
		                                          : "self-reported",
		    mf_sbom_or(
		        json_string_value(json_object_get(e, "evaluator")),
		        "unknown signer"));
		mf_sbom_num(num,
		            json_number_value(json_object_get(e, "value")));
		if (k.data == NULL)
			mf_sbom_fail(&s->b);
		else
			dict_entry(s, list, k.data, num);
		mf_buf_dispose(&k);
	}
}

/* "parameters (withheld: Commercially sensitive.); ..." for every fact
 * the label shows as withheld, unknown or not applicable. */
static void
undisclosed_comment(struct spdx *s, json_t *pkg)
{
	static const char *const sections[] = {"identity", "key_facts", "uses",
	                                       "risks"};
	const json_t *sec, *f;
	const char *key, *status, *why;
	struct mf_buf t;
	size_t i;

	mf_buf_init(&t, 1u << 20);
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		sec = json_object_get(s->label, sections[i]);
		/* label.json is written sorted; iterate in sorted order
		 * too, for bytes that do not depend on insertion order */
		const char **keys = NULL;
		size_t n = json_object_size(sec), k = 0, a, b;
		json_t *member;

		if (n == 0)
			continue;
		keys = calloc(n, sizeof(*keys));
		if (keys == NULL) {
			mf_sbom_fail(&s->b);
			break;
		}
		json_object_foreach((json_t *)sec, key, member)
		{
			(void)member;
			keys[k++] = key;
		}
		for (a = 1; a < k; a++) /* insertion sort: a few dozen keys */
			for (b = a; b > 0 && strcmp(keys[b - 1], keys[b]) > 0;
			     b--) {
				const char *tmp = keys[b];
				keys[b] = keys[b - 1];
				keys[b - 1] = tmp;
			}
		for (a = 0; a < k; a++) {
			f = json_object_get(sec, keys[a]);
			status =
			    json_string_value(json_object_get(f, "status"));
			if (status == NULL ||
			    strcmp(status, "disclosed") == 0 ||
			    strcmp(status, "not_disclosed") == 0)
				continue;
			why = json_string_value(
			    json_object_get(f, "explanation"));
			mf_buf_printf(&t, "%s%s (%s%s%s)", t.len ? "; " : "",
			              keys[a], status, why ? ": " : "",
			              mf_sbom_or(why, ""));
		}
		free(keys);
	}
	if (t.len > 0) {
		struct mf_buf c;

		mf_buf_init(&c, 1u << 20);
		mf_buf_printf(&c,
		              "Not disclosed as values by the developer: %s",
		              mf_sbom_or(t.data, ""));
		set_text(s, pkg, "comment", &c);
		mf_buf_dispose(&c);
	}
	mf_buf_dispose(&t);
}

static const char *
download_location(const json_t *disclosure)
{
	const json_t *ch =
	    mf_sbom_disclosed(disclosure, "/distribution/channels");
	const json_t *art =
	    mf_sbom_disclosed(disclosure, "/identity/artifacts");
	const char *u;
	size_t i;

	for (i = 0; i < json_array_size(ch); i++) {
		const json_t *c = json_array_get(ch, i);
		const char *kind =
		    json_string_value(json_object_get(c, "kind"));

		u = json_string_value(json_object_get(c, "url"));
		if (kind != NULL && strcmp(kind, "weights_download") == 0 &&
		    mf_label_url_linkable(u))
			return u;
	}
	for (i = 0; i < json_array_size(art); i++) {
		u = json_string_value(
		    json_object_get(json_array_get(art, i), "url"));
		if (mf_label_url_linkable(u))
			return u;
	}
	return NULL;
}

static void
ai_package(struct spdx *s, json_t *pkg, const char *name,
           const json_t *supplier)
{
	const json_t *arch =
	    mf_sbom_fact(s->label, "key_facts", "architecture", NULL);
	const json_t *mod =
	    mf_sbom_fact(s->label, "key_facts", "modalities", NULL);
	const json_t *docs =
	    mf_sbom_fact(s->label, "identity", "documentation", NULL);
	const json_t *sys =
	    mf_sbom_fact(s->label, "risks", "systemic_risk", NULL);
	const json_t *pd =
	    mf_sbom_disclosed(s->disclosure, "/data/personal_data/included");
	const json_t *cur;
	const char *v;
	char ts[21];
	json_t *list;
	size_t i, k;

	mf_sbom_set_str(&s->b, pkg, "name", name);
	mf_sbom_set_str(&s->b, pkg, "description",
	                json_string_value(mf_sbom_fact(s->label, "identity",
	                                               "description", NULL)));
	mf_sbom_set_str(&s->b, pkg, "software_packageVersion",
	                json_string_value(mf_sbom_fact(s->label, "identity",
	                                               "model_version", NULL)));
	mf_sbom_set_str(&s->b, pkg, "suppliedBy", id_of(supplier));
	if (mf_sbom_datetime(
	        ts, json_string_value(mf_sbom_fact(s->label, "identity",
	                                           "release_date", NULL))))
		mf_sbom_set_str(&s->b, pkg, "releaseTime", ts);
	mf_sbom_set_str(&s->b, pkg, "software_primaryPurpose", "model");
	mf_sbom_set_str(&s->b, pkg, "software_downloadLocation",
	                download_location(s->disclosure));
	for (i = 0; i < json_array_size(docs); i++)
		if (mf_label_url_linkable(
		        json_string_value(json_array_get(docs, i)))) {
			mf_sbom_set_str(
			    &s->b, pkg, "software_homePage",
			    json_string_value(json_array_get(docs, i)));
			break;
		}
	energy(s, pkg);
	hyperparameters(s, pkg);
	training_info(s, pkg);
	mf_sbom_set_str(&s->b, pkg, "ai_informationAboutApplication",
	                json_string_value(mf_sbom_fact(
	                    s->label, "uses", "integration_contexts", NULL)));
	limitation(s, pkg);
	list = json_array();
	metric_rows(s, list, "self_reported");
	metric_rows(s, list, "third_party");
	set_list(s, pkg, "ai_metric", list);
	/* The EU AI Act's top tier; "no" and "undetermined" say nothing
	 * about the lower ones, so they are not mapped. */
	v = json_string_value(json_object_get(sys, "classification"));
	if (v != NULL && strcmp(v, "yes") == 0)
		mf_sbom_set_str(&s->b, pkg, "ai_safetyRiskAssessment",
		                "serious");
	if ((v = json_string_value(json_object_get(arch, "type")))) {
		list = mf_sbom_set(&s->b, pkg, "ai_typeOfModel", json_array());
		mf_sbom_push(&s->b, list, json_string(v));
	}
	/* The modalities, inputs then outputs, each once. */
	list = json_array();
	for (k = 0; k < 2; k++) {
		const json_t *m =
		    json_object_get(mod, k == 0 ? "input" : "output");

		for (i = 0; i < json_array_size(m); i++) {
			const json_t *x = json_array_get(m, i);
			size_t j;
			bool dup = false;

			if (!json_is_string(x))
				continue;
			for (j = 0; j < json_array_size(list); j++)
				dup = dup || json_equal(json_array_get(list, j),
				                        (json_t *)x);
			if (!dup)
				mf_sbom_push(&s->b, list,
				             json_string(json_string_value(x)));
		}
	}
	set_list(s, pkg, "ai_domain", list);
	if (json_is_boolean(pd))
		mf_sbom_set_str(&s->b, pkg,
		                "ai_useSensitivePersonalInformation",
		                json_is_true(pd) ? "yes" : "no");
	list = json_array();
	cur = mf_sbom_disclosed(s->disclosure, "/data/curation");
	if (json_is_string(json_object_get(cur, "filtering")))
		mf_sbom_push(&s->b, list,
		             json_string(json_string_value(
		                 json_object_get(cur, "filtering"))));
	if (json_is_string(json_object_get(cur, "deduplication")))
		mf_sbom_push(&s->b, list,
		             json_string(json_string_value(
		                 json_object_get(cur, "deduplication"))));
	set_list(s, pkg, "ai_modelDataPreprocessing", list);
	undisclosed_comment(s, pkg);
}

static void
registry_refs(struct spdx *s, json_t *pkg)
{
	const json_t *links =
	    json_object_get(json_object_get(s->label, "registry"), "links");
	const char *record =
	    json_string_value(json_object_get(links, "record"));
	const char *keys[] = {"envelope", "log_entry", "judgements"};
	json_t *refs, *r, *loc;
	size_t i;

	if (record == NULL)
		return;
	refs = mf_sbom_set(&s->b, pkg, "externalRef", json_array());
	r = mf_sbom_push(&s->b, refs, json_object());
	mf_sbom_set_str(&s->b, r, "type", "ExternalRef");
	mf_sbom_set_str(&s->b, r, "externalRefType", "documentation");
	loc = mf_sbom_set(&s->b, r, "locator", json_array());
	mf_sbom_push(&s->b, loc, mf_sbom_cat(record, "/label.html"));
	mf_sbom_push(&s->b, loc, mf_sbom_cat(record, "/label.json"));
	r = mf_sbom_push(&s->b, refs, json_object());
	mf_sbom_set_str(&s->b, r, "type", "ExternalRef");
	mf_sbom_set_str(&s->b, r, "externalRefType", "other");
	mf_sbom_set_str(&s->b, r, "comment",
	                "the signed disclosure, its transparency-log entry "
	                "and the judgements about it");
	loc = mf_sbom_set(&s->b, r, "locator", json_array());
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_is_string(json_object_get(links, keys[i])))
			mf_sbom_push(&s->b, loc,
			             json_string(json_string_value(
			                 json_object_get(links, keys[i]))));
}

static void
license(struct spdx *s, const json_t *pkg)
{
	const json_t *lic = mf_sbom_fact(s->label, "identity", "license", NULL);
	const char *spdx = json_string_value(json_object_get(lic, "spdx"));
	json_t *l;

	/* Only an SPDX expression can be one; a license given as a URL
	 * alone stays in the label. */
	if (spdx == NULL)
		return;
	l = element(s, "simplelicensing_LicenseExpression", "license");
	mf_sbom_set_str(&s->b, l, "simplelicensing_licenseExpression", spdx);
	relationship(s, "declared-license", "hasDeclaredLicense", pkg,
	             id_of(l) ? json_pack("[s]", id_of(l)) : NULL);
}

static void
datasets(struct spdx *s, const json_t *pkg, const json_t *supplier)
{
	const json_t *src = mf_sbom_disclosed(s->disclosure, "/data/sources");
	const json_t *x;
	const char *name, *url, *v;
	char local[32], num[MF_SBOM_NUM_MAX];
	json_t *to = json_array(), *d, *types;
	struct mf_buf t;
	size_t i;

	(void)supplier;
	for (i = 0; i < json_array_size(src); i++) {
		x = json_array_get(src, i);
		if ((name = json_string_value(json_object_get(x, "name"))) ==
		    NULL)
			continue;
		snprintf(local, sizeof(local), "dataset-%zu", i + 1);
		d = element(s, "dataset_DatasetPackage", local);
		mf_sbom_set_str(&s->b, d, "name", name);
		mf_sbom_set_str(&s->b, d, "software_primaryPurpose", "data");
		/* required; what kind of data it is, the disclosure does
		 * not say */
		types =
		    mf_sbom_set(&s->b, d, "dataset_datasetType", json_array());
		mf_sbom_push(&s->b, types, json_string("noAssertion"));
		url = json_string_value(json_object_get(x, "url"));
		if (mf_label_url_linkable(url))
			mf_sbom_set_str(&s->b, d, "software_downloadLocation",
			                url);
		mf_sbom_set_str(
		    &s->b, d, "description",
		    json_string_value(json_object_get(x, "description")));
		mf_buf_init(&t, 1u << 16);
		if ((v = json_string_value(json_object_get(x, "kind"))))
			mf_buf_printf(&t, "kind: %s", v);
		if (json_is_number(json_object_get(x, "share"))) {
			mf_sbom_num(num, json_number_value(
			                     json_object_get(x, "share")));
			mf_buf_printf(&t, "%sshare of the training data: %s",
			              t.len ? "; " : "", num);
		}
		if ((v = json_string_value(json_object_get(x, "license"))))
			mf_buf_printf(&t, "%slicense: %s", t.len ? "; " : "",
			              v);
		set_text(s, d, "comment", &t);
		mf_buf_dispose(&t);
		if (id_of(d) != NULL)
			mf_sbom_push(&s->b, to, json_string(id_of(d)));
	}
	relationship(s, "trained-on", "trainedOn", pkg, to);
}

static void
base_iri(struct spdx *s, char *buf, size_t size,
         const struct mf_label_input *in)
{
	const char *record = json_string_value(json_object_get(
	    json_object_get(json_object_get(s->label, "registry"), "links"),
	    "record"));
	char uuid[37], text[400];

	if (record != NULL && strlen(record) < size - 16) {
		snprintf(buf, size, "%s/spdx.json", record);
		return;
	}
	snprintf(text, sizeof(text), "%s %s/%s/%d",
	         mf_sbom_or(in->payload_sha256, ""), mf_sbom_or(in->org, ""),
	         mf_sbom_or(in->model, ""), in->version);
	mf_sbom_uuid(uuid, "spdx", text);
	snprintf(buf, size, "urn:uuid:%s", uuid);
}

int
mf_spdx_tree(json_t **out, const struct mf_label_input *in)
{
	struct spdx s = {{0}, NULL, NULL, NULL, NULL, NULL};
	const json_t *subject, *prov;
	const char *org, *model, *name, *dev;
	json_t *label = NULL, *doc = NULL, *ci, *by, *reg, *sup, *pkg, *d,
	       *prof, *root;
	char base[2300], ts[21], title[600];
	int rc;

	*out = NULL;
	/* 1. The label's facts, and where the ids live. */
	if (in == NULL)
		return MF_E_BAD_PARAM;
	if (in->assessment_only)
		return MF_E_NOT_FOUND;
	if ((rc = mf_label_json(&label, in)) != 0)
		return rc;
	s.label = label;
	s.disclosure = in->disclosure;
	base_iri(&s, base, sizeof(base), in);
	s.base = base;
	subject = json_object_get(label, "subject");
	prov = json_object_get(label, "provenance");
	org = json_string_value(json_object_get(subject, "org"));
	model = json_string_value(json_object_get(subject, "model"));
	name = mf_sbom_or(json_string_value(json_object_get(label, "name")),
	                  mf_sbom_or(model, "unnamed model"));
	dev = mf_sbom_or(json_string_value(mf_sbom_fact(label, "identity",
	                                                "developer", NULL)),
	                 org);
	/* 2. The document frame and its one CreationInfo. */
	doc = json_object();
	mf_sbom_set_str(&s.b, doc, "@context", MF_SPDX_CONTEXT);
	s.graph = mf_sbom_set(&s.b, doc, "@graph", json_array());
	s.elements = json_array();
	ci = mf_sbom_push(&s.b, s.graph, json_object());
	mf_sbom_set_str(&s.b, ci, "type", "CreationInfo");
	mf_sbom_set_str(&s.b, ci, "@id", CREATION_INFO);
	mf_sbom_set_str(&s.b, ci, "specVersion", MF_SPDX_VERSION);
	if (mf_sbom_datetime(ts, in->accepted_at) ||
	    mf_sbom_datetime(
	        ts, json_string_value(json_object_get(prov, "issued_at"))))
		mf_sbom_set_str(&s.b, ci, "created", ts);
	by = mf_sbom_set(&s.b, ci, "createdBy", json_array());
	/* 3. Who: the registry wrote the document, the developer
	 * supplies the model. */
	reg = element(&s, "Organization", "registry");
	mf_sbom_set_str(&s.b, reg, "name",
	                mf_sbom_or(in->origin, "modelfacts registry"));
	if (id_of(reg) != NULL)
		mf_sbom_push(&s.b, by, json_string(id_of(reg)));
	sup = element(&s, "Organization", "supplier");
	mf_sbom_set_str(&s.b, sup, "name", mf_sbom_or(dev, "unknown"));
	/* 4. The model, its license and its data. */
	pkg = element(&s, "ai_AIPackage", "model");
	ai_package(&s, pkg, name, sup);
	registry_refs(&s, pkg);
	license(&s, pkg);
	datasets(&s, pkg, sup);
	/* 5. The document itself, which lists all of the above. */
	d = element(&s, "SpdxDocument", "document");
	snprintf(title, sizeof(title),
	         "%.200s (%.100s/%.100s, registry version %d)", name,
	         mf_sbom_or(org, ""), mf_sbom_or(model, ""), in->version);
	mf_sbom_set_str(&s.b, d, "name", title);
	prof = mf_sbom_set(&s.b, d, "profileConformance",
	                   json_pack("[sssss]", "core", "software", "ai",
	                             "dataset", "simpleLicensing"));
	(void)prof;
	root = mf_sbom_set(&s.b, d, "rootElement", json_array());
	if (id_of(pkg) != NULL)
		mf_sbom_push(&s.b, root, json_string(id_of(pkg)));
	/* the document is not an element of itself */
	if (s.elements != NULL && json_array_size(s.elements) > 0)
		json_array_remove(s.elements, json_array_size(s.elements) - 1);
	mf_sbom_set(&s.b, d, "element", s.elements);
	s.elements = NULL;
	rc = s.b.rc;
	if (rc == 0 && doc == NULL)
		rc = MF_E_NOMEM;
	if (rc != 0)
		goto done;
	*out = doc;
	doc = NULL;
done:
	json_decref(s.elements);
	json_decref(doc);
	json_decref(label);
	return rc;
}

int
mf_spdx_json(struct mf_buf *out, const struct mf_label_input *in)
{
	json_t *doc = NULL;
	int rc;

	if ((rc = mf_spdx_tree(&doc, in)) != 0)
		return rc;
	rc = mf_sbom_write(out, doc);
	json_decref(doc);
	return rc;
}
