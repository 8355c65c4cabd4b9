/*
 * Runs the official JSON Schema Test Suite (drafts 2020-12 and 7) from the
 * shared reference data against validators/jsonschema: every required
 * test file, plus the optional format tests for the formats we assert.
 * Prints, per draft, the cases passed and the files fully passing.
 */
#include "validators/jsonschema.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

static const char *const asserted_formats[] = {"date", "date-time", "uri",
                                               "email", "uuid"};

struct run {
	const char *draft;
	const char *subdir; /* "" or "optional/format" */
	const char *only;   /* one file, or NULL for every file */
	unsigned flags;
};

struct counts {
	size_t cases, passed, files, files_ok;
};

static char suite_dir[4096];

static bool
find_suite(void)
{
	const char *env = getenv("MF_SHARED_DATA");
	struct stat st;

	snprintf(suite_dir, sizeof(suite_dir), "%s/json-schema-test-suite",
	         env && *env ? env : "../shared/data");
	return stat(suite_dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Runs one test file; returns true when every case passed. */
static bool
run_file(const struct run *r, struct mf_schema_registry *reg, const char *path,
         const char *file, struct counts *cnt)
{
	json_error_t je;
	json_t *groups, *g;
	size_t gi, ti;
	bool all_ok = true;

	groups = json_load_file(path, JSON_ALLOW_NUL | JSON_DECODE_ANY, &je);
	if (groups == NULL) {
		fprintf(stderr, "FAIL %s: cannot parse: %s\n", path, je.text);
		return false;
	}
	json_array_foreach(groups, gi, g)
	{
		const char *gdesc =
		    json_string_value(json_object_get(g, "description"));
		json_t *tests = json_object_get(g, "tests"), *t;
		struct mf_schema *s = NULL;
		struct mf_error err;
		int rc;

		mf_error_init(&err);
		rc = mf_schema_compile(&s, reg, json_object_get(g, "schema"),
		                       r->flags, &err);
		json_array_foreach(tests, ti, t)
		{
			const char *tdesc = json_string_value(
			    json_object_get(t, "description"));
			bool want = json_is_true(json_object_get(t, "valid"));
			struct mf_validation v = MF_VALIDATION_INIT;
			int vr = -1;
			bool fast = false;

			cnt->cases++;
			if (rc == 0) {
				vr = mf_schema_validate(
				    s, json_object_get(t, "data"), &v);
				fast = mf_schema_is_valid(
				    s, json_object_get(t, "data"));
			}
			/* Both modes must agree with the suite, and an
			 * invalid result must come with its errors. */
			if (rc == 0 && vr == (want ? 0 : 1) && fast == want &&
			    (want || v.count > 0)) {
				cnt->passed++;
			} else {
				all_ok = false;
				fprintf(
				    stderr,
				    "FAIL %s/%s%s%s | %s | %s: expected %s, "
				    "%s%s%s\n",
				    r->draft, r->subdir, *r->subdir ? "/" : "",
				    file, gdesc, tdesc,
				    want ? "valid" : "invalid",
				    rc != 0 ? "schema did not compile: " : "",
				    rc != 0 ? err.message : "",
				    rc == 0 ? (vr == 0   ? "got valid"
				               : vr == 1 ? "got invalid"
				                         : "got an error")
				            : "");
				if (rc == 0 && fast != (vr == 0))
					fprintf(stderr,
					        "     (is_valid says %s)\n",
					        fast ? "valid" : "invalid");
			}
			mf_validation_dispose(&v);
		}
		mf_schema_free(s);
		mf_error_dispose(&err);
	}
	json_decref(groups);
	return all_ok;
}

static void
run_dir(const struct run *r, struct counts *cnt)
{
	char dir[4200], path[4600], remotes[4200];
	struct mf_schema_registry *reg = NULL;
	char *names[256];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/%s%s%s", suite_dir, r->draft,
	         *r->subdir ? "/" : "", r->subdir);
	snprintf(remotes, sizeof(remotes), "%s/remotes/", suite_dir);
	assert_int_equal(mf_schema_registry_new(&reg), 0);
	assert_int_equal(
	    mf_schema_registry_map_dir(reg, "http://localhost:1234/", remotes),
	    0);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL && n < 256) {
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (r->only != NULL && strcmp(de->d_name, r->only) != 0)
			continue;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		cnt->files++;
		if (run_file(r, reg, path, names[i], cnt))
			cnt->files_ok++;
		free(names[i]);
	}
	mf_schema_registry_free(reg);
}

static void
print_counts(const char *what, const struct counts *c)
{
	printf("%s: cases passed %zu / %zu (%.2f%%), files fully passing "
	       "%zu / %zu\n",
	       what, c->passed, c->cases,
	       c->cases ? 100.0 * (double)c->passed / (double)c->cases : 0.0,
	       c->files_ok, c->files);
}

static void
run_required(const char *draft, unsigned flags)
{
	struct run r = {draft, "", NULL, flags};
	struct counts c = {0, 0, 0, 0};
	char what[64];

	if (!find_suite()) {
		printf("JSON Schema Test Suite not found at %s (set "
		       "MF_SHARED_DATA): skipped\n",
		       suite_dir);
		skip();
	}
	run_dir(&r, &c);
	snprintf(what, sizeof(what), "%s required", draft);
	print_counts(what, &c);
	assert_true(c.cases > 500);
	/* every required case passes, the meta-schema groups included */
	assert_int_equal(c.passed, c.cases);
	assert_int_equal(c.files_ok, c.files);
}

static void
test_draft2020_12(void **state)
{
	(void)state;
	run_required("draft2020-12", 0);
}

static void
test_draft7(void **state)
{
	(void)state;
	run_required("draft7", MF_SCHEMA_DEFAULT_DRAFT7);
}

/* The flags `modelfacts validate --schema` compiles with: the five
 * formats asserted in draft-07 resources, annotations in 2020-12 ones. */
static void
test_cli_flags(void **state)
{
	(void)state;
	run_required("draft2020-12", MF_SCHEMA_ASSERT_FORMAT_DRAFT7);
	run_required("draft7",
	             MF_SCHEMA_DEFAULT_DRAFT7 | MF_SCHEMA_ASSERT_FORMAT_DRAFT7);
}

static void
run_format(const char *draft, unsigned flags)
{
	struct counts total = {0, 0, 0, 0};
	char file[64], what[96];
	size_t i;

	if (!find_suite()) {
		printf("JSON Schema Test Suite not found at %s (set "
		       "MF_SHARED_DATA): skipped\n",
		       suite_dir);
		skip();
	}
	for (i = 0; i < sizeof(asserted_formats) / sizeof(asserted_formats[0]);
	     i++) {
		struct run r = {draft, "optional/format", file,
		                flags | MF_SCHEMA_ASSERT_FORMAT};
		struct counts c = {0, 0, 0, 0};

		snprintf(file, sizeof(file), "%s.json", asserted_formats[i]);
		run_dir(&r, &c);
		if (c.files == 0) {
			printf("%s optional/format/%s: not in this draft's "
			       "suite\n",
			       draft, file);
			continue;
		}
		snprintf(what, sizeof(what), "%s optional/format/%s", draft,
		         file);
		print_counts(what, &c);
		total.cases += c.cases;
		total.passed += c.passed;
		total.files += c.files;
		total.files_ok += c.files_ok;
	}
	snprintf(what, sizeof(what), "%s optional formats (asserted)", draft);
	print_counts(what, &total);
	assert_true(total.cases > 100);
	assert_int_equal(total.passed, total.cases);
}

static void
test_formats_2020_12(void **state)
{
	(void)state;
	run_format("draft2020-12", 0);
}

static void
test_formats_draft7(void **state)
{
	(void)state;
	run_format("draft7", MF_SCHEMA_DEFAULT_DRAFT7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_draft2020_12),
	    cmocka_unit_test(test_draft7),
	    cmocka_unit_test(test_cli_flags),
	    cmocka_unit_test(test_formats_2020_12),
	    cmocka_unit_test(test_formats_draft7),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
