/*
 * A real-world draft-07 schema end to end: CycloneDX 1.6 (which refs
 * spdx.schema.json and jsf-0.82.schema.json by relative URI) compiles
 * through a registry directory mapping, its example ML-BOMs validate, and
 * tampered copies fail with precise locations.
 */
#include "common/json.h"
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

static char dir[4096];

static bool
find_data(void)
{
	const char *env = getenv("MF_SHARED_DATA");
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/cyclonedx",
	         env && *env ? env : "../shared/data");
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static json_t *
load(const char *name)
{
	char path[4200];
	json_error_t je;
	json_t *v;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	v = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (v == NULL)
		fprintf(stderr, "%s: %s\n", path, je.text);
	return v;
}

struct fixture {
	struct mf_schema *schema;
	json_t *ml;  /* examples/valid-machine-learning-1.6.json */
	json_t *env; /* examples/valid-machine-learning-considerations-... */
};

static int
setup(void **state)
{
	static struct fixture f;
	struct mf_schema_registry *reg = NULL;
	struct mf_error err;
	char prefix_dir[4200];
	json_t *root;
	int rc;

	memset(&f, 0, sizeof(f));
	*state = &f;
	if (!find_data())
		return 0;
	mf_error_init(&err);
	snprintf(prefix_dir, sizeof(prefix_dir), "%s/", dir);
	if (mf_schema_registry_new(&reg) != 0 ||
	    mf_schema_registry_map_dir(reg, "http://cyclonedx.org/schema/",
	                               prefix_dir) != 0)
		return -1;
	root = load("bom-1.6.schema.json");
	if (root == NULL)
		return -1;
	rc = mf_schema_compile(&f.schema, reg, root, MF_SCHEMA_DEFAULT, &err);
	if (rc != 0)
		fprintf(stderr, "compile: %s (%s)\n", err.message, err.pointer);
	json_decref(root);
	/* The compiled schema holds what it needs; the registry can go. */
	mf_schema_registry_free(reg);
	mf_error_dispose(&err);
	f.ml = load("examples/valid-machine-learning-1.6.json");
	f.env =
	    load("examples/valid-machine-learning-considerations-env-1.6.json");
	return rc == 0 && f.ml && f.env ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	mf_schema_free(f->schema);
	json_decref(f->ml);
	json_decref(f->env);
	return 0;
}

#define NEED_DATA(f)                                                           \
	do {                                                                   \
		if ((f)->schema == NULL) {                                     \
			printf("CycloneDX data not found at %s (set "          \
			       "MF_SHARED_DATA): skipped\n",                   \
			       dir);                                           \
			skip();                                                \
		}                                                              \
	} while (0)

static void
print_errors(const struct mf_validation *v)
{
	size_t i;

	for (i = 0; i < v->count; i++)
		printf("  %s: %s [%s]\n", v->errors[i].instance_location,
		       v->errors[i].message, v->errors[i].keyword_location);
}

static void
test_examples_valid(void **state)
{
	struct fixture *f = *state;
	struct mf_validation v = MF_VALIDATION_INIT;

	NEED_DATA(f);
	assert_int_equal(mf_schema_validate(f->schema, f->ml, &v), 0);
	print_errors(&v);
	assert_int_equal(v.count, 0);
	mf_validation_dispose(&v);
	assert_true(mf_schema_is_valid(f->schema, f->ml));
	assert_int_equal(mf_schema_validate(f->schema, f->env, &v), 0);
	assert_int_equal(v.count, 0);
	mf_validation_dispose(&v);
	assert_true(mf_schema_is_valid(f->schema, f->env));
}

static bool
has_error(const struct mf_validation *v, const char *instance,
          const char *keyword_suffix, const char *message_part)
{
	size_t i, n, k = strlen(keyword_suffix);

	for (i = 0; i < v->count; i++) {
		const struct mf_validation_error *e = &v->errors[i];

		n = strlen(e->keyword_location);
		if (strcmp(e->instance_location, instance) == 0 && n >= k &&
		    strcmp(e->keyword_location + n - k, keyword_suffix) == 0 &&
		    strstr(e->message, message_part) != NULL)
			return true;
	}
	return false;
}

static void
test_tampered_component_type(void **state)
{
	struct fixture *f = *state;
	struct mf_validation v = MF_VALIDATION_INIT;
	json_t *copy;

	NEED_DATA(f);
	copy = json_deep_copy(f->ml);
	assert_non_null(copy);
	assert_int_equal(
	    json_object_set_new(
	        json_array_get(json_object_get(copy, "components"), 0), "type",
	        json_string("spaceship")),
	    0);
	assert_int_equal(mf_schema_validate(f->schema, copy, &v), 1);
	print_errors(&v);
	assert_true(has_error(&v, "/components/0/type", "/type/enum",
	                      "must be one of"));
	assert_false(mf_schema_is_valid(f->schema, copy));
	mf_validation_dispose(&v);
	json_decref(copy);
}

static void
test_tampered_many(void **state)
{
	struct fixture *f = *state;
	struct mf_validation v = MF_VALIDATION_INIT;
	json_t *copy, *c0;
	size_t i;

	NEED_DATA(f);
	copy = json_deep_copy(f->ml);
	assert_non_null(copy);
	/* Three independent faults: all three are reported. */
	json_object_set_new(copy, "serialNumber", json_string("not-a-urn"));
	json_object_set_new(copy, "version", json_string("1"));
	c0 = json_array_get(json_object_get(copy, "components"), 0);
	json_object_set_new(c0, "surprise", json_true());
	assert_int_equal(mf_schema_validate(f->schema, copy, &v), 1);
	print_errors(&v);
	assert_true(has_error(&v, "/serialNumber", "/serialNumber/pattern",
	                      "must match the pattern"));
	assert_true(has_error(&v, "/version", "/version/type",
	                      "expected integer, got string"));
	assert_true(has_error(&v, "/components/0/surprise",
	                      "/additionalProperties",
	                      "property \"surprise\" is not allowed"));
	/* The keyword location goes through the $ref to the definition;
	 * the absolute location names the definition in its document. */
	for (i = 0; i < v.count; i++) {
		if (strcmp(v.errors[i].instance_location, "/version") != 0)
			continue;
		assert_string_equal(v.errors[i].absolute_location,
		                    "http://cyclonedx.org/schema/"
		                    "bom-1.6.schema.json#/properties/version/"
		                    "type");
	}
	assert_true(v.count >= 3 && v.count < 10);
	mf_validation_dispose(&v);
	json_decref(copy);
}

static void
test_tampered_license(void **state)
{
	struct fixture *f = *state;
	struct mf_validation v = MF_VALIDATION_INIT;
	json_t *copy, *c0, *licenses;
	size_t i;
	bool found = false;

	NEED_DATA(f);
	copy = json_deep_copy(f->ml);
	c0 = json_array_get(json_object_get(copy, "components"), 0);
	/* A licence id is checked against spdx.schema.json's enum, a
	 * second document reached by relative $ref. */
	licenses = json_pack("[{s:{s:s}}]", "license", "id", "NOT-A-LICENSE");
	assert_non_null(licenses);
	json_object_set_new(c0, "licenses", licenses);
	assert_int_equal(mf_schema_validate(f->schema, copy, &v), 1);
	print_errors(&v);
	for (i = 0; i < v.count; i++)
		if (strcmp(v.errors[i].instance_location,
		           "/components/0/licenses/0/license/id") == 0 &&
		    strstr(v.errors[i].absolute_location,
		           "spdx.schema.json#") != NULL)
			found = true;
	assert_true(found);
	licenses = json_pack("[{s:{s:s}}]", "license", "id", "Apache-2.0");
	json_object_set_new(c0, "licenses", licenses);
	mf_validation_dispose(&v);
	assert_int_equal(mf_schema_validate(f->schema, copy, &v), 0);
	mf_validation_dispose(&v);
	json_decref(copy);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_examples_valid),
	    cmocka_unit_test(test_tampered_component_type),
	    cmocka_unit_test(test_tampered_many),
	    cmocka_unit_test(test_tampered_license),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
