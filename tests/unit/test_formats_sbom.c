/*
 * formats/cyclonedx.c and formats/spdx.c over varied inputs: each example
 * disclosure with and without eval results, and copies with fields
 * withheld. The CycloneDX BOMs must pass the official CycloneDX 1.6
 * schema (../shared/data/cyclonedx, read in place) through our validator,
 * and both exports must carry exactly what the input discloses, worked out
 * again here from the input, never more.
 */
#include "common/buf.h"
#include "common/error.h"
#include "formats/cyclonedx.h"
#include "formats/sbom.h"
#include "formats/spdx.h"
#include "validators/jsonschema.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

static char cdx_dir[4096];

struct fixture {
	struct mf_schema *schema; /* NULL: CycloneDX data not found */
	json_t *open, *api, *sparse, *self, *third;
};

static json_t *
load(const char *path)
{
	json_error_t je;
	json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	if (v == NULL)
		fprintf(stderr, "%s: %s\n", path, je.text);
	return v;
}

static int
setup(void **state)
{
	static struct fixture f;
	const char *env = getenv("MF_SHARED_DATA");
	struct mf_schema_registry *reg = NULL;
	struct mf_error err;
	char prefix[4200], path[4300];
	struct stat st;
	json_t *root;
	int rc = 0;

	memset(&f, 0, sizeof(f));
	*state = &f;
	f.open = load("examples/disclosure-open.json");
	f.api = load("examples/disclosure-api.json");
	f.sparse = load("examples/disclosure-sparse.json");
	f.self = load("examples/eval-result-self-reported.json");
	f.third = load("examples/eval-result-third-party.json");
	if (!f.open || !f.api || !f.sparse || !f.self || !f.third)
		return -1;
	snprintf(cdx_dir, sizeof(cdx_dir), "%s/cyclonedx",
	         env && *env ? env : "../shared/data");
	if (stat(cdx_dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0;
	mf_error_init(&err);
	snprintf(prefix, sizeof(prefix), "%s/", cdx_dir);
	snprintf(path, sizeof(path), "%s/bom-1.6.schema.json", cdx_dir);
	if (mf_schema_registry_new(&reg) != 0 ||
	    mf_schema_registry_map_dir(reg, "http://cyclonedx.org/schema/",
	                               prefix) != 0 ||
	    (root = load(path)) == NULL)
		return -1;
	rc = mf_schema_compile(&f.schema, reg, root, MF_SCHEMA_DEFAULT, &err);
	if (rc != 0)
		fprintf(stderr, "compile: %s (%s)\n", err.message, err.pointer);
	json_decref(root);
	mf_schema_registry_free(reg);
	mf_error_dispose(&err);
	return rc == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	mf_schema_free(f->schema);
	json_decref(f->open);
	json_decref(f->api);
	json_decref(f->sparse);
	json_decref(f->self);
	json_decref(f->third);
	return 0;
}

/* ---- inputs ---- */

static json_t *
eval_row(const json_t *result, const char *assurance, const char *evaluator,
         int log_index, const char *sha)
{
	return json_pack("{s:s, s:s, s:O, s:s, s:i, s:s}", "assurance",
	                 assurance, "evaluator", evaluator, "result", result,
	                 "accepted_at", "2026-10-21T10:00:00Z", "log_index",
	                 log_index, "payload_sha256", sha);
}

/* A second self-reported result: another benchmark, a CI but no stderr. */
static json_t *
other_result(const json_t *self)
{
	json_t *r = json_deep_copy(self);

	json_object_set_new(
	    r, "benchmark",
	    json_pack("{s:s, s:s}", "id", "mmlu-pro", "name", "MMLU-Pro"));
	json_object_set_new(r, "value", json_real(0.4125));
	json_object_set_new(r, "uncertainty",
	                    json_pack("{s:{s:f, s:f, s:f}}", "ci", "level", 0.9,
	                              "lower", 0.4, "upper", 0.425));
	return r;
}

struct input {
	const char *name;
	json_t *disclosure; /* owned */
	json_t *evals;      /* owned */
	struct mf_label_input in;
};

static void
input_init(struct input *x, const char *name, const json_t *disclosure,
           json_t *evals)
{
	const json_t *subj = json_object_get(disclosure, "subject");

	memset(x, 0, sizeof(*x));
	x->name = name;
	x->disclosure = json_deep_copy(disclosure);
	x->evals = evals != NULL ? evals : json_array();
	assert_non_null(x->disclosure);
	x->in.origin = "modelfacts.localhost";
	x->in.public_url = "https://registry.example.org/";
	x->in.org = json_string_value(json_object_get(subj, "org"));
	x->in.model = json_string_value(json_object_get(subj, "model"));
	x->in.version = 2;
	x->in.latest_version = 3;
	x->in.payload_sha256 = "8c2f5e1a9b3d47c6e0f1a2b3c4d5e6f708192a3b4c5d6e"
	                       "7f8091a2b3c4d5e6f7";
	x->in.accepted_at = "2026-10-14T09:31:02.123456Z";
	x->in.log_index = 40;
	x->in.disclosure = x->disclosure;
	x->in.evals = x->evals;
}

static void
input_dispose(struct input *x)
{
	json_decref(x->disclosure);
	json_decref(x->evals);
}

/* Withholds the field at /section/key of a disclosure. */
static void
withhold(json_t *d, const char *section, const char *key, const char *why)
{
	json_t *sec = json_object_get(d, section);

	assert_true(json_is_object(sec));
	assert_int_equal(
	    json_object_set_new(sec, key,
	                        json_pack("{s:s, s:s}", "status", "withheld",
	                                  "explanation", why)),
	    0);
}

enum { N_INPUTS = 6 };

static void
inputs(struct fixture *f, struct input x[N_INPUTS])
{
	json_t *other = other_result(f->self), *d;

	input_init(
	    &x[0], "open+both evals", f->open,
	    json_pack("[o, o, o]",
	              eval_row(f->self, "self_reported", "larchwood", 41, "11"),
	              eval_row(f->third, "third_party", "open-eval-collective",
	                       42, "22"),
	              eval_row(other, "self_reported", "larchwood", 43, "33")));
	json_decref(other);
	input_init(&x[1], "open, no evals, no public url", f->open, NULL);
	x[1].in.public_url = NULL;
	x[1].in.log_index = -1;
	input_init(&x[2], "api+third-party", f->api,
	           json_pack("[o]", eval_row(f->third, "third_party",
	                                     "open-eval-collective", 7, "44")));
	input_init(&x[3], "sparse", f->sparse, NULL);
	/* open, with energy, emissions, license and data sources withheld */
	input_init(&x[4], "open, withheld", f->open,
	           json_pack("[o]", eval_row(f->self, "self_reported",
	                                     "larchwood", 41, "11")));
	d = x[4].disclosure;
	withhold(d, "compute", "energy", "Metered by the provider only.");
	withhold(d, "compute", "emissions", "Not estimated.");
	withhold(d, "distribution", "license", "Under negotiation.");
	withhold(d, "data", "sources", "Contractual.");
	withhold(d, "model", "limitations", "To follow.");
	/* open, with the whole compute section unknown, energy in kWh */
	input_init(&x[5], "open, kWh, emissions only", f->open, NULL);
	d = json_object_get(x[5].disclosure, "compute");
	json_object_set_new(
	    d, "energy",
	    json_pack("{s:f, s:s}", "amount", 2500.5, "unit", "kWh"));
	json_object_del(d, "provider");
}

static json_t *
parse(const struct mf_buf *b)
{
	json_error_t je;
	json_t *v = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES, &je);

	if (v == NULL)
		fprintf(stderr, "parse: %s\n", je.text);
	return v;
}

/* The data sources with a name (only those can be described). */
static json_t *
named_sources(const json_t *d)
{
	const json_t *src = mf_sbom_disclosed(d, "/data/sources");
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < json_array_size(src); i++)
		if (json_is_string(
		        json_object_get(json_array_get(src, i), "name")))
			json_array_append(out, json_array_get(src, i));
	return out;
}

static int
count_evals(const json_t *evals)
{
	return (int)json_array_size(evals);
}

/* ---- CycloneDX ---- */

static const json_t *
component(const json_t *bom)
{
	return json_array_get(json_object_get(bom, "components"), 0);
}

static const json_t *
dig(const json_t *v, const char *pointer)
{
	return mf_sbom_disclosed(v, pointer);
}

static const char *
prop_value(const json_t *comp, const char *name)
{
	const json_t *props = json_object_get(comp, "properties");
	size_t i;

	for (i = 0; i < json_array_size(props); i++)
		if (strcmp(json_string_value(json_object_get(
		               json_array_get(props, i), "name")),
		           name) == 0)
			return json_string_value(
			    json_object_get(json_array_get(props, i), "value"));
	return NULL;
}

static size_t
prop_count(const json_t *comp, const char *name)
{
	const json_t *props = json_object_get(comp, "properties");
	size_t i, n = 0;

	for (i = 0; i < json_array_size(props); i++)
		n += strcmp(json_string_value(json_object_get(
		                json_array_get(props, i), "name")),
		            name) == 0;
	return n;
}

static void
print_errors(const struct mf_validation *v)
{
	size_t i;

	for (i = 0; i < v->count; i++)
		printf("  %s: %s [%s]\n", v->errors[i].instance_location,
		       v->errors[i].message, v->errors[i].keyword_location);
}

static void
check_cdx(struct fixture *f, const struct input *x)
{
	const json_t *d = x->disclosure;
	struct mf_validation v = MF_VALIDATION_INIT;
	struct mf_buf b1, b2;
	json_t *bom;
	const json_t *c, *card, *pm, *env, *e, *ds, *lic;
	json_t *src;
	double want_kwh;
	size_t i;

	printf("cyclonedx: %s\n", x->name);
	mf_buf_init(&b1, 1u << 24);
	mf_buf_init(&b2, 1u << 24);
	assert_int_equal(mf_cyclonedx_json(&b1, &x->in), 0);
	assert_int_equal(mf_cyclonedx_json(&b2, &x->in), 0);
	assert_int_equal(b1.len, b2.len); /* deterministic */
	assert_memory_equal(b1.data, b2.data, b1.len);
	bom = parse(&b1);
	assert_non_null(bom);
	if (getenv("MF_SBOM_DUMP"))
		printf("%s\n", b1.data);
	/* 1. The official schema, through our validator. */
	if (f->schema != NULL) {
		assert_int_equal(mf_schema_validate(f->schema, bom, &v), 0);
		print_errors(&v);
		assert_int_equal(v.count, 0);
		mf_validation_dispose(&v);
	}
	/* 2. The frame. */
	assert_string_equal(
	    json_string_value(json_object_get(bom, "bomFormat")), "CycloneDX");
	assert_string_equal(
	    json_string_value(json_object_get(bom, "specVersion")), "1.6");
	assert_int_equal(
	    strncmp(json_string_value(json_object_get(bom, "serialNumber")),
	            "urn:uuid:", 9),
	    0);
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(bom, "metadata"), "timestamp")),
	                    "2026-10-14T09:31:02Z");
	assert_int_equal(json_array_size(json_object_get(bom, "components")),
	                 1);
	c = component(bom);
	assert_string_equal(json_string_value(json_object_get(c, "type")),
	                    "machine-learning-model");
	assert_string_equal(json_string_value(json_object_get(c, "name")),
	                    json_string_value(dig(d, "/identity/name")));
	if (dig(d, "/identity/version"))
		assert_string_equal(
		    json_string_value(json_object_get(c, "version")),
		    json_string_value(dig(d, "/identity/version")));
	else
		assert_null(json_object_get(c, "version"));
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(c, "supplier"), "name")),
	                    json_string_value(dig(d, "/identity/developer")));
	/* 3. License: the SPDX expression when disclosed, else none. */
	lic = dig(d, "/distribution/license");
	if (json_is_string(json_object_get(lic, "spdx")))
		assert_string_equal(
		    json_string_value(json_object_get(
		        json_array_get(json_object_get(c, "licenses"), 0),
		        "expression")),
		    json_string_value(json_object_get(lic, "spdx")));
	else if (lic == NULL)
		assert_null(json_object_get(c, "licenses"));
	card = json_object_get(c, "modelCard");
	assert_non_null(card);
	/* 4. One performance metric per eval, value as exact text. */
	pm = json_object_get(json_object_get(card, "quantitativeAnalysis"),
	                     "performanceMetrics");
	assert_int_equal((int)json_array_size(pm), count_evals(x->evals));
	for (i = 0; i < json_array_size(pm); i++) {
		const char *slice = json_string_value(
		    json_object_get(json_array_get(pm, i), "slice"));

		assert_non_null(slice);
		assert_true(strstr(slice, "self-reported") != NULL ||
		            strstr(slice, "third-party") != NULL);
	}
	for (i = 0; i < json_array_size(x->evals); i++) {
		const json_t *r =
		    json_object_get(json_array_get(x->evals, i), "result");
		const json_t *ci =
		    json_object_get(json_object_get(r, "uncertainty"), "ci");
		char num[MF_SBOM_NUM_MAX];
		size_t k;
		bool found = false;

		mf_sbom_num(num,
		            json_number_value(json_object_get(r, "value")));
		for (k = 0; k < json_array_size(pm); k++) {
			const json_t *m = json_array_get(pm, k);
			const json_t *mc =
			    json_object_get(m, "confidenceInterval");

			if (strcmp(
			        json_string_value(json_object_get(m, "value")),
			        num) != 0)
				continue;
			found = true;
			assert_int_equal(ci != NULL, mc != NULL);
			if (ci != NULL) {
				mf_sbom_num(num,
				            json_number_value(
				                json_object_get(ci, "upper")));
				assert_string_equal(
				    json_string_value(
				        json_object_get(mc, "upperBound")),
				    num);
			}
		}
		assert_true(found);
	}
	/* 5. Energy in kWh, emissions in tCO2eq, only when disclosed. */
	env = json_object_get(json_object_get(card, "considerations"),
	                      "environmentalConsiderations");
	if (mf_sbom_energy_kwh(dig(d, "/compute/energy"), &want_kwh)) {
		e = json_array_get(json_object_get(env, "energyConsumptions"),
		                   0);
		assert_string_equal(
		    json_string_value(json_object_get(e, "activity")),
		    "training");
		assert_float_equal(
		    json_number_value(json_object_get(
		        json_object_get(e, "activityEnergyCost"), "value")),
		    want_kwh, 1e-6);
		assert_int_equal(json_object_get(e, "co2CostEquivalent") !=
		                     NULL,
		                 dig(d, "/compute/emissions") != NULL);
		assert_int_equal(
		    json_array_size(json_object_get(e, "energyProviders")),
		    dig(d, "/compute/provider") != NULL ? 1 : 0);
	} else {
		assert_null(env);
	}
	/* 6. Data sets: one per named source, none when withheld. */
	ds = json_object_get(json_object_get(card, "modelParameters"),
	                     "datasets");
	src = named_sources(d);
	assert_int_equal(json_array_size(ds), json_array_size(src));
	for (i = 0; i < json_array_size(ds); i++)
		assert_string_equal(json_string_value(json_object_get(
		                        json_array_get(ds, i), "name")),
		                    json_string_value(json_object_get(
		                        json_array_get(src, i), "name")));
	json_decref(src);
	/* 7. Withheld facts said, with the developer's reason. */
	if (json_is_object(
	        json_object_get(json_object_get(d, "compute"), "energy")) &&
	    dig(d, "/compute/energy") == NULL &&
	    json_object_get(json_object_get(d, "compute"), "energy") != NULL) {
		const char *p = prop_value(c, "modelfacts:energy");

		assert_non_null(p);
		assert_true(strncmp(p, "withheld", 8) == 0 ||
		            strncmp(p, "unknown", 7) == 0);
	}
	json_decref(bom);
	mf_buf_dispose(&b1);
	mf_buf_dispose(&b2);
}

static void
test_cyclonedx_inputs(void **state)
{
	struct fixture *f = *state;
	struct input x[N_INPUTS];
	size_t i;

	if (f->schema == NULL)
		printf("CycloneDX schema not found at %s: checked without "
		       "it\n",
		       cdx_dir);
	inputs(f, x);
	for (i = 0; i < N_INPUTS; i++)
		check_cdx(f, &x[i]);
	for (i = 0; i < N_INPUTS; i++)
		input_dispose(&x[i]);
	if (f->schema == NULL)
		skip();
}

static void
test_cyclonedx_withheld_says_why(void **state)
{
	struct fixture *f = *state;
	struct input x[N_INPUTS];
	json_t *bom = NULL;
	const json_t *c;
	const char *p;
	size_t i;

	inputs(f, x);
	assert_int_equal(mf_cyclonedx_tree(&bom, &x[4].in), 0);
	c = component(bom);
	p = prop_value(c, "modelfacts:energy");
	assert_non_null(p);
	assert_string_equal(p, "withheld: Metered by the provider only.");
	assert_int_equal(prop_count(c, "modelfacts:energy"), 1);
	/* a list disclosed: one property per item */
	assert_int_equal(
	    prop_count(c, "modelfacts:languages"),
	    json_array_size(dig(x[4].disclosure, "/model/languages")));
	assert_true(json_array_size(dig(x[4].disclosure, "/model/languages")) >
	            1);
	assert_string_equal(prop_value(c, "modelfacts:license"),
	                    "withheld: Under negotiation.");
	assert_null(json_object_get(c, "licenses"));
	assert_null(json_object_get(
	    json_object_get(json_object_get(c, "modelCard"), "considerations"),
	    "technicalLimitations"));
	json_decref(bom);
	/* the sparse disclosure: parameters withheld, nothing invented */
	assert_int_equal(mf_cyclonedx_tree(&bom, &x[3].in), 0);
	c = component(bom);
	assert_non_null(prop_value(c, "modelfacts:parameters"));
	assert_int_equal(
	    strncmp(prop_value(c, "modelfacts:parameters"), "withheld", 8), 0);
	assert_null(json_object_get(json_object_get(c, "modelCard"),
	                            "quantitativeAnalysis"));
	json_decref(bom);
	for (i = 0; i < N_INPUTS; i++)
		input_dispose(&x[i]);
}

static void
test_cyclonedx_serial_number(void **state)
{
	struct fixture *f = *state;
	struct input x[N_INPUTS];
	json_t *a = NULL, *b = NULL;
	size_t i;

	inputs(f, x);
	assert_int_equal(mf_cyclonedx_tree(&a, &x[0].in), 0);
	assert_int_equal(mf_cyclonedx_tree(&b, &x[1].in), 0);
	/* same payload, different evals: different BOMs, different serials */
	assert_string_not_equal(
	    json_string_value(json_object_get(a, "serialNumber")),
	    json_string_value(json_object_get(b, "serialNumber")));
	json_decref(b);
	/* same payload and evals, other deployment: the same serial */
	x[0].in.public_url = "https://elsewhere.example/";
	assert_int_equal(mf_cyclonedx_tree(&b, &x[0].in), 0);
	assert_string_equal(
	    json_string_value(json_object_get(a, "serialNumber")),
	    json_string_value(json_object_get(b, "serialNumber")));
	json_decref(a);
	json_decref(b);
	for (i = 0; i < N_INPUTS; i++)
		input_dispose(&x[i]);
}

/* ---- SPDX ---- */

static const json_t *
by_id(const json_t *graph, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < json_array_size(graph); i++)
		if (json_is_string(
		        json_object_get(json_array_get(graph, i), "spdxId")) &&
		    strcmp(json_string_value(json_object_get(
		               json_array_get(graph, i), "spdxId")),
		           id) == 0)
			return json_array_get(graph, i);
	return NULL;
}

static const json_t *
of_type(const json_t *graph, const char *type, size_t nth)
{
	size_t i;

	for (i = 0; i < json_array_size(graph); i++)
		if (strcmp(json_string_value(json_object_get(
		               json_array_get(graph, i), "type")),
		           type) == 0 &&
		    nth-- == 0)
			return json_array_get(graph, i);
	return NULL;
}

static size_t
count_type(const json_t *graph, const char *type)
{
	size_t n = 0;

	while (of_type(graph, type, n) != NULL)
		n++;
	return n;
}

static void
check_spdx(const struct input *x)
{
	const json_t *d = x->disclosure;
	struct mf_buf b1, b2;
	const json_t *graph, *ci, *pkg, *doc, *e, *rel, *lic;
	json_t *root, *src;
	double kwh;
	size_t i, j;

	printf("spdx: %s\n", x->name);
	mf_buf_init(&b1, 1u << 24);
	mf_buf_init(&b2, 1u << 24);
	assert_int_equal(mf_spdx_json(&b1, &x->in), 0);
	assert_int_equal(mf_spdx_json(&b2, &x->in), 0);
	assert_int_equal(b1.len, b2.len);
	assert_memory_equal(b1.data, b2.data, b1.len);
	root = parse(&b1);
	assert_non_null(root);
	if (getenv("MF_SBOM_DUMP"))
		printf("%s\n", b1.data);
	assert_string_equal(
	    json_string_value(json_object_get(root, "@context")),
	    "https://spdx.org/rdf/3.0.1/spdx-context.jsonld");
	graph = json_object_get(root, "@graph");
	/* 1. One CreationInfo; every element has an id (unique) and it. */
	assert_int_equal(count_type(graph, "CreationInfo"), 1);
	ci = of_type(graph, "CreationInfo", 0);
	assert_string_equal(
	    json_string_value(json_object_get(ci, "specVersion")), "3.0.1");
	assert_string_equal(json_string_value(json_object_get(ci, "created")),
	                    "2026-10-14T09:31:02Z");
	assert_non_null(
	    by_id(graph, json_string_value(json_array_get(
	                     json_object_get(ci, "createdBy"), 0))));
	for (i = 0; i < json_array_size(graph); i++) {
		e = json_array_get(graph, i);
		if (e == ci)
			continue;
		assert_non_null(
		    json_string_value(json_object_get(e, "spdxId")));
		assert_string_equal(
		    json_string_value(json_object_get(e, "creationInfo")),
		    json_string_value(json_object_get(ci, "@id")));
		for (j = i + 1; j < json_array_size(graph); j++)
			assert_false(
			    json_equal(json_object_get(e, "spdxId"),
			               json_object_get(json_array_get(graph, j),
			                               "spdxId")));
		if (x->in.public_url != NULL)
			assert_int_equal(
			    strncmp(
			        json_string_value(json_object_get(e, "spdxId")),
			        "https://registry.example.org/", 29),
			    0);
		else
			assert_int_equal(
			    strncmp(
			        json_string_value(json_object_get(e, "spdxId")),
			        "urn:uuid:", 9),
			    0);
	}
	/* 2. The document lists every other element, roots the model. */
	doc = of_type(graph, "SpdxDocument", 0);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "element")),
	                 json_array_size(graph) - 2);
	pkg = of_type(graph, "ai_AIPackage", 0);
	assert_non_null(pkg);
	assert_true(
	    json_equal(json_array_get(json_object_get(doc, "rootElement"), 0),
	               json_object_get(pkg, "spdxId")));
	/* 3. The AI package. */
	assert_string_equal(json_string_value(json_object_get(pkg, "name")),
	                    json_string_value(dig(d, "/identity/name")));
	assert_string_equal(json_string_value(json_object_get(
	                        by_id(graph, json_string_value(json_object_get(
	                                         pkg, "suppliedBy"))),
	                        "name")),
	                    json_string_value(dig(d, "/identity/developer")));
	if (dig(d, "/identity/release_date") != NULL) {
		char want[32];

		snprintf(want, sizeof(want), "%sT00:00:00Z",
		         json_string_value(dig(d, "/identity/release_date")));
		assert_string_equal(
		    json_string_value(json_object_get(pkg, "releaseTime")),
		    want);
	} else {
		assert_null(json_object_get(pkg, "releaseTime"));
	}
	if (mf_sbom_energy_kwh(dig(d, "/compute/energy"), &kwh)) {
		e = json_array_get(
		    json_object_get(
		        json_object_get(pkg, "ai_energyConsumption"),
		        "ai_trainingEnergyConsumption"),
		    0);
		assert_float_equal(strtod(json_string_value(json_object_get(
		                              e, "ai_energyQuantity")),
		                          NULL),
		                   kwh, 1e-6);
		assert_string_equal(
		    json_string_value(json_object_get(e, "ai_energyUnit")),
		    "kilowattHour");
	} else {
		assert_null(json_object_get(pkg, "ai_energyConsumption"));
	}
	assert_int_equal(
	    (int)json_array_size(json_object_get(pkg, "ai_metric")),
	    count_evals(x->evals));
	assert_int_equal(json_object_get(pkg, "ai_limitation") != NULL,
	                 dig(d, "/model/limitations") != NULL);
	assert_int_equal(json_object_get(pkg, "ai_hyperparameter") != NULL,
	                 dig(d, "/training/hyperparameters") != NULL ||
	                     json_is_number(json_object_get(
	                         dig(d, "/model/parameters"), "amount")) ||
	                     dig(d, "/model/context_window") != NULL);
	/* 4. License and data sets by relationship. */
	lic = dig(d, "/distribution/license");
	assert_int_equal(count_type(graph, "simplelicensing_LicenseExpression"),
	                 json_is_string(json_object_get(lic, "spdx")) ? 1 : 0);
	src = named_sources(d);
	assert_int_equal(count_type(graph, "dataset_DatasetPackage"),
	                 json_array_size(src));
	for (i = 0; (rel = of_type(graph, "Relationship", i)) != NULL; i++) {
		const char *type =
		    json_string_value(json_object_get(rel, "relationshipType"));

		assert_true(json_equal(json_object_get(rel, "from"),
		                       json_object_get(pkg, "spdxId")));
		for (j = 0; j < json_array_size(json_object_get(rel, "to"));
		     j++)
			assert_non_null(
			    by_id(graph, json_string_value(json_array_get(
			                     json_object_get(rel, "to"), j))));
		if (strcmp(type, "trainedOn") == 0)
			assert_int_equal(
			    json_array_size(json_object_get(rel, "to")),
			    json_array_size(src));
		else
			assert_string_equal(type, "hasDeclaredLicense");
	}
	json_decref(src);
	json_decref(root);
	mf_buf_dispose(&b1);
	mf_buf_dispose(&b2);
}

static void
test_spdx_inputs(void **state)
{
	struct fixture *f = *state;
	struct input x[N_INPUTS];
	size_t i;

	inputs(f, x);
	for (i = 0; i < N_INPUTS; i++)
		check_spdx(&x[i]);
	for (i = 0; i < N_INPUTS; i++)
		input_dispose(&x[i]);
}

static void
test_spdx_withheld_comment(void **state)
{
	struct fixture *f = *state;
	struct input x[N_INPUTS];
	json_t *doc = NULL;
	const json_t *pkg;
	const char *c;
	size_t i;

	inputs(f, x);
	assert_int_equal(mf_spdx_tree(&doc, &x[4].in), 0);
	pkg = of_type(json_object_get(doc, "@graph"), "ai_AIPackage", 0);
	c = json_string_value(json_object_get(pkg, "comment"));
	assert_non_null(c);
	assert_non_null(
	    strstr(c, "energy (withheld: Metered by the provider only.)"));
	assert_non_null(strstr(c, "license (withheld: Under negotiation.)"));
	assert_null(json_object_get(pkg, "ai_energyConsumption"));
	json_decref(doc);
	for (i = 0; i < N_INPUTS; i++)
		input_dispose(&x[i]);
}

/* ---- odd inputs ---- */

static void
test_bad_inputs(void **state)
{
	struct fixture *f = *state;
	struct input x[N_INPUTS];
	struct mf_label_input none = {0};
	struct mf_buf b;
	json_t *t = NULL;
	size_t i;

	inputs(f, x);
	assert_int_equal(mf_cyclonedx_tree(&t, NULL), MF_E_BAD_PARAM);
	assert_null(t);
	assert_int_equal(mf_spdx_tree(&t, &none), MF_E_BAD_PARAM);
	none.assessment_only = 1;
	assert_int_equal(mf_cyclonedx_tree(&t, &none), MF_E_NOT_FOUND);
	assert_int_equal(mf_spdx_tree(&t, &none), MF_E_NOT_FOUND);
	/* too small a buffer: an error, the buffer as it was */
	mf_buf_init(&b, 64);
	assert_int_equal(mf_buf_puts(&b, "keep"), 0);
	assert_int_equal(mf_cyclonedx_json(&b, &x[0].in), MF_E_TOO_LARGE);
	assert_int_equal(b.len, 4);
	assert_int_equal(mf_spdx_json(&b, &x[0].in), MF_E_TOO_LARGE);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "keep");
	mf_buf_dispose(&b);
	/* values of the wrong type everywhere: still a valid document */
	json_object_set_new(x[0].disclosure, "model", json_string("?"));
	json_object_set_new(x[0].disclosure, "data",
	                    json_pack("{s:[i, s, {}]}", "sources", 1, "x"));
	json_object_set_new(x[0].disclosure, "compute",
	                    json_pack("{s:{s:s, s:s}}", "energy", "amount",
	                              "lots", "unit", "MWh"));
	check_cdx(f, &x[0]);
	check_spdx(&x[0]);
	for (i = 0; i < N_INPUTS; i++)
		input_dispose(&x[i]);
}

/* Every string of v replaced by a hostile one (markup, quotes, controls,
 * a line separator, a javascript: URL every other time). */
static void
poison(json_t *v, size_t *n)
{
	static const char *const bad[] = {
	    "<script>alert(1)</script>\"'&\\\n\x01\xe2\x80\xa8",
	    "javascript:alert(1)"};
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, m)
		{
			if (json_is_string(m))
				json_object_set_new(
				    v, key, json_string(bad[(*n)++ % 2]));
			else
				poison(m, n);
		}
	} else if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			m = json_array_get(v, i);
			if (json_is_string(m))
				json_array_set_new(
				    v, i, json_string(bad[(*n)++ % 2]));
			else
				poison(m, n);
		}
	}
}

static void
test_hostile_strings(void **state)
{
	struct fixture *f = *state;
	struct input x[N_INPUTS];
	json_t *doc = NULL;
	size_t i, n = 0;

	inputs(f, x);
	/* keep the subject (the label resolves org/model from the input) */
	poison(json_object_get(x[0].disclosure, "identity"), &n);
	poison(json_object_get(x[0].disclosure, "model"), &n);
	poison(json_object_get(x[0].disclosure, "data"), &n);
	poison(json_object_get(x[0].disclosure, "training"), &n);
	poison(json_object_get(x[0].disclosure, "uses"), &n);
	poison(json_object_get(x[0].disclosure, "risks"), &n);
	poison(json_object_get(x[0].disclosure, "compute"), &n);
	poison(json_object_get(x[0].disclosure, "distribution"), &n);
	/* the results, not the rows' assurance (a row without a known one
	 * is left out of the label, rightly) */
	for (i = 0; i < json_array_size(x[0].evals); i++)
		poison(json_object_get(json_array_get(x[0].evals, i), "result"),
		       &n);
	assert_true(n > 100);
	/* still schema-valid, no javascript: URL anywhere */
	check_cdx(f, &x[0]);
	assert_int_equal(mf_cyclonedx_tree(&doc, &x[0].in), 0);
	{
		char *text = json_dumps(doc, 0);

		assert_non_null(text);
		assert_null(strstr(text, "\"url\":\"javascript:"));
		free(text);
	}
	json_decref(doc);
	assert_int_equal(mf_spdx_tree(&doc, &x[0].in), 0);
	{
		char *text = json_dumps(doc, 0);

		assert_non_null(text);
		assert_null(strstr(text, "Location\":\"javascript:"));
		assert_null(strstr(text, "homePage\":\"javascript:"));
		free(text);
	}
	json_decref(doc);
	for (i = 0; i < N_INPUTS; i++)
		input_dispose(&x[i]);
}

static void
test_helpers(void **state)
{
	char ts[MF_SBOM_NUM_MAX], u1[37], u2[37];
	json_t *q;
	double v;

	(void)state;
	assert_true(mf_sbom_datetime(ts, "2026-10-14T09:31:02Z"));
	assert_string_equal(ts, "2026-10-14T09:31:02Z");
	assert_true(mf_sbom_datetime(ts, "2026-10-14T09:31:02.5+00:00"));
	assert_string_equal(ts, "2026-10-14T09:31:02Z");
	assert_true(mf_sbom_datetime(ts, "2026-10-01"));
	assert_string_equal(ts, "2026-10-01T00:00:00Z");
	assert_false(mf_sbom_datetime(ts, "2026-10-14T09:31:02+02:00"));
	assert_false(mf_sbom_datetime(ts, "yesterday"));
	assert_false(mf_sbom_datetime(ts, NULL));
	mf_sbom_decimal(ts, 540000.0);
	assert_string_equal(ts, "540000");
	mf_sbom_decimal(ts, 2500.5);
	assert_string_equal(ts, "2500.5");
	mf_sbom_decimal(ts, 3.6e-6);
	assert_string_equal(ts, "0.0000036");
	mf_sbom_decimal(ts, 1.5e20);
	assert_string_equal(ts, "150000000000000000000");
	mf_sbom_uuid(u1, "a", "x");
	mf_sbom_uuid(u2, "b", "x");
	assert_int_equal(strlen(u1), 36);
	assert_string_not_equal(u1, u2);
	assert_int_equal(u1[14], '5');
	assert_true(strchr("89ab", u1[19]) != NULL);
	mf_sbom_uuid(u2, "a", "x");
	assert_string_equal(u1, u2);
	q = json_pack("{s:f, s:s}", "amount", 540.0, "unit", "MWh");
	assert_true(mf_sbom_energy_kwh(q, &v));
	assert_float_equal(v, 540000, 1e-9);
	json_decref(q);
	q = json_pack("{s:f, s:s}", "amount", 1.0, "unit", "BTU");
	assert_false(mf_sbom_energy_kwh(q, &v));
	json_decref(q);
	q = json_pack("{s:i, s:s}", "amount", 3, "unit", "kgCO2e");
	assert_true(mf_sbom_emissions_t(q, &v));
	assert_float_equal(v, 0.003, 1e-12);
	json_decref(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cyclonedx_inputs),
	    cmocka_unit_test(test_cyclonedx_withheld_says_why),
	    cmocka_unit_test(test_cyclonedx_serial_number),
	    cmocka_unit_test(test_spdx_inputs),
	    cmocka_unit_test(test_spdx_withheld_comment),
	    cmocka_unit_test(test_bad_inputs),
	    cmocka_unit_test(test_hostile_strings),
	    cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
