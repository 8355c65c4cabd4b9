/*
 * Focused tests of validators/jsonschema: error locations and messages,
 * collection of every error and its bound, the recursion bound, threads
 * sharing one compiled schema, ECMA-262 regex translation, formats, URI
 * resolution, the registry and compile errors, the built-in meta-schemas
 * and the general mode's parsing (\u0000).
 */
#include "common/embedded.h"
#include "common/json.h"
#include "tests/unit/support/scratch.h"
#include "validators/jsonschema.h"
#include "validators/jsonschema_internal.h"

#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static json_t *
parse(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);

	if (v == NULL)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	return v;
}

static struct mf_schema *
compile_flags(const char *schema_text, unsigned flags)
{
	struct mf_schema *s = NULL;
	struct mf_error err;
	json_t *schema = parse(schema_text);

	mf_error_init(&err);
	if (mf_schema_compile(&s, NULL, schema, flags, &err) != 0)
		fail_msg("compile failed: %s", err.message);
	json_decref(schema);
	mf_error_dispose(&err);
	return s;
}

static struct mf_schema *
compile(const char *schema_text)
{
	return compile_flags(schema_text, MF_SCHEMA_DEFAULT);
}

/* Validates in both modes, checks they agree; returns the result. */
static int
check(const struct mf_schema *s, const char *instance_text,
      struct mf_validation *v)
{
	json_t *inst = parse(instance_text);
	int rc = mf_schema_validate(s, inst, v);

	assert_true(rc == 0 || rc == 1);
	assert_int_equal(mf_schema_is_valid(s, inst), rc == 0);
	if (rc == 1)
		assert_true(v->count > 0);
	else
		assert_int_equal(v->count, 0);
	json_decref(inst);
	return rc;
}

static bool
valid(const struct mf_schema *s, const char *instance_text)
{
	struct mf_validation v = MF_VALIDATION_INIT;
	int rc = check(s, instance_text, &v);

	mf_validation_dispose(&v);
	return rc == 0;
}

static void
assert_error(const struct mf_validation_error *e, const char *instance,
             const char *keyword, const char *absolute, const char *message)
{
	assert_string_equal(e->instance_location, instance);
	assert_string_equal(e->keyword_location, keyword);
	assert_string_equal(e->absolute_location, absolute);
	assert_string_equal(e->message, message);
}

static void
test_error_locations_and_messages(void **state)
{
	struct mf_validation v = MF_VALIDATION_INIT;
	struct mf_schema *s;

	(void)state;
	s = compile("{\"$id\": \"https://example.com/card.json\","
	            " \"type\": \"object\","
	            " \"required\": [\"name\", \"version\"],"
	            " \"properties\": {"
	            "  \"name\": {\"type\": \"string\", \"maxLength\": 5},"
	            "  \"version\": {\"type\": \"integer\"},"
	            "  \"params\": {\"$ref\": \"#/$defs/count\"},"
	            "  \"tags\": {\"type\": \"array\","
	            "            \"items\": {\"type\": \"string\"}},"
	            "  \"a/b~c\": {\"const\": 1}},"
	            " \"additionalProperties\": false,"
	            " \"$defs\": {\"count\": {\"type\": \"integer\","
	            "                          \"maximum\": 100}}}");
	assert_int_equal(check(s,
	                       "{\"name\": \"héllo wörld\", \"params\": 250,"
	                       " \"tags\": [\"x\", 2], \"a/b~c\": 1.0,"
	                       " \"extra\": null}",
	                       &v),
	                 1);
	assert_int_equal(v.count, 5);
	assert_false(v.truncated);
	assert_error(&v.errors[0], "/name", "/properties/name/maxLength",
	             "https://example.com/card.json#/properties/name/maxLength",
	             "must be at most 5 characters long, got 11");
	/* through a $ref: the keyword location is the evaluation path,
	 * the absolute location is where the keyword is written */
	assert_error(&v.errors[1], "/params", "/properties/params/$ref/maximum",
	             "https://example.com/card.json#/$defs/count/maximum",
	             "must be at most 100");
	assert_error(&v.errors[2], "/tags/1", "/properties/tags/items/type",
	             "https://example.com/card.json#/properties/tags/items/"
	             "type",
	             "expected string, got integer");
	assert_error(&v.errors[3], "/extra", "/additionalProperties",
	             "https://example.com/card.json#/additionalProperties",
	             "property \"extra\" is not allowed");
	/* members are checked in one pass; missing names come last */
	assert_error(&v.errors[4], "", "/required",
	             "https://example.com/card.json#/required",
	             "missing required property \"version\"");
	mf_validation_dispose(&v);
	assert_null(v.errors);

	/* JSON pointer escaping of ~ and / in property names */
	assert_int_equal(check(s,
	                       "{\"name\": \"a\", \"version\": 1,"
	                       " \"a/b~c\": 2}",
	                       &v),
	                 1);
	assert_int_equal(v.count, 1);
	assert_string_equal(v.errors[0].instance_location, "/a~1b~0c");
	assert_string_equal(v.errors[0].keyword_location,
	                    "/properties/a~1b~0c/const");
	assert_string_equal(v.errors[0].message, "must be equal to 1");
	mf_validation_dispose(&v);
	mf_schema_free(s);
}

static void
test_messages(void **state)
{
	static const struct {
		const char *schema, *instance, *message;
	} cases[] = {
	    {"{\"type\": [\"string\", \"null\"]}", "3",
	     "expected string or null, got integer"},
	    {"{\"type\": \"integer\"}", "1.5", "expected integer, got number"},
	    {"{\"minimum\": 0}", "-1", "must be at least 0"},
	    {"{\"exclusiveMaximum\": 2.5}", "2.5", "must be less than 2.5"},
	    {"{\"multipleOf\": 0.5}", "0.7", "must be a multiple of 0.5"},
	    {"{\"minLength\": 2}", "\"\\u00e9\"",
	     "must be at least 2 characters long, got 1"},
	    {"{\"pattern\": \"^a+$\"}", "\"b\"",
	     "must match the pattern \"^a+$\""},
	    {"{\"enum\": [\"x\", 1]}", "2", "must be one of [\"x\",1]"},
	    {"{\"maxItems\": 1}", "[1, 2]", "must have at most 1 item, got 2"},
	    {"{\"uniqueItems\": true}", "[1, 2, 1.0]",
	     "items at index 0 and 2 are equal; items must be unique"},
	    {"{\"minProperties\": 2}", "{\"a\": 1}",
	     "must have at least 2 properties, got 1"},
	    {"{\"dependentRequired\": {\"a\": [\"b\"]}}", "{\"a\": 1}",
	     "missing property \"b\", which is required when \"a\" is "
	     "present"},
	    {"{\"not\": {\"type\": \"string\"}}", "\"s\"",
	     "must not match the schema in \"not\""},
	    {"{\"contains\": {\"const\": 1}, \"minContains\": 2}", "[1, 2]",
	     "must contain at least 2 items matching the \"contains\" "
	     "schema, found 1"},
	    {"{\"format\": \"date\"}", "\"2021-02-29\"",
	     "is not a valid date (YYYY-MM-DD)"},
	    {"{\"format\": \"email\"}", "\"me@\"",
	     "is not a valid e-mail address"},
	    {"false", "1", "no value is allowed here (the schema is false)"},
	    {"{\"prefixItems\": [true], \"items\": false}", "[1, 2]",
	     "item 1 is not allowed (at most 1 item)"},
	    {"{\"unevaluatedProperties\": false,"
	     " \"allOf\": [{\"properties\": {\"a\": true}}]}",
	     "{\"a\": 1, \"b\": 2}",
	     "property \"b\" is not allowed (unevaluatedProperties)"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mf_validation v = MF_VALIDATION_INIT;
		struct mf_schema *s = compile(cases[i].schema);

		assert_int_equal(check(s, cases[i].instance, &v), 1);
		assert_int_equal(v.count, 1);
		assert_string_equal(v.errors[0].message, cases[i].message);
		mf_validation_dispose(&v);
		mf_schema_free(s);
	}
}

static void
test_combinator_errors(void **state)
{
	struct mf_validation v = MF_VALIDATION_INIT;
	struct mf_schema *s;

	(void)state;
	/* anyOf: the summary, then why each branch failed */
	s = compile("{\"anyOf\": [{\"type\": \"string\"}, {\"minimum\": 10}]}");
	assert_int_equal(check(s, "3", &v), 1);
	assert_int_equal(v.count, 3);
	assert_string_equal(v.errors[0].keyword_location, "/anyOf");
	assert_string_equal(v.errors[1].keyword_location, "/anyOf/0/type");
	assert_string_equal(v.errors[2].keyword_location, "/anyOf/1/minimum");
	mf_validation_dispose(&v);
	assert_true(valid(s, "12"));
	assert_true(valid(s, "\"x\""));
	mf_schema_free(s);

	/* oneOf matching twice */
	s = compile("{\"oneOf\": [{\"type\": \"integer\"}, {\"minimum\": 0}]}");
	assert_int_equal(check(s, "3", &v), 1);
	assert_int_equal(v.count, 1);
	assert_string_equal(v.errors[0].message,
	                    "must match exactly one schema in oneOf, but "
	                    "matches more than one (at least schemas 0 and 1)");
	mf_validation_dispose(&v);
	assert_true(valid(s, "-1"));
	assert_true(valid(s, "0.5"));
	mf_schema_free(s);
}

static void
test_every_error_and_bound(void **state)
{
	struct mf_validation v = MF_VALIDATION_INIT;
	struct mf_schema *s;
	char *text;
	size_t i, len = 0;

	(void)state;
	s = compile("{\"items\": {\"type\": \"string\"}}");
	assert_int_equal(check(s, "[1, \"a\", 2, 3, \"b\", null]", &v), 1);
	assert_int_equal(v.count, 4);
	assert_string_equal(v.errors[0].instance_location, "/0");
	assert_string_equal(v.errors[1].instance_location, "/2");
	assert_string_equal(v.errors[2].instance_location, "/3");
	assert_string_equal(v.errors[3].instance_location, "/5");
	assert_string_equal(v.errors[3].message, "expected string, got null");
	mf_validation_dispose(&v);

	/* 150 bad items: 100 errors kept, and we say so */
	text = malloc(1024);
	assert_non_null(text);
	len += (size_t)sprintf(text + len, "[");
	for (i = 0; i < 150; i++)
		len += (size_t)sprintf(text + len, "%s%zu", i ? "," : "", i);
	sprintf(text + len, "]");
	assert_int_equal(check(s, text, &v), 1);
	assert_int_equal(v.count, MF_SCHEMA_MAX_ERRORS);
	assert_true(v.truncated);
	assert_string_equal(v.errors[99].instance_location, "/99");
	mf_validation_dispose(&v);
	free(text);
	mf_schema_free(s);
}

static void
test_recursion_bound(void **state)
{
	struct mf_validation v = MF_VALIDATION_INIT;
	struct mf_schema *s;
	char *deep;
	size_t i, n;

	(void)state;
	/* $ref loops without progress end in an error, not a crash */
	s = compile("{\"$ref\": \"#\"}");
	assert_int_equal(check(s, "1", &v), 1);
	assert_non_null(
	    strstr(v.errors[0].message, "maximum evaluation depth"));
	mf_validation_dispose(&v);
	mf_schema_free(s);
	s = compile("{\"$defs\": {\"a\": {\"$ref\": \"#/$defs/b\"},"
	            " \"b\": {\"allOf\": [{\"$ref\": \"#/$defs/a\"}]}},"
	            " \"$ref\": \"#/$defs/a\"}");
	assert_false(valid(s, "{}"));
	mf_schema_free(s);

	/* legitimate recursion follows the instance down to the bound */
	s = compile("{\"type\": \"array\", \"items\": {\"$ref\": \"#\"}}");
	for (n = 50; n <= 2000; n += 1950) {
		deep = malloc(2 * n + 1);
		assert_non_null(deep);
		for (i = 0; i < n; i++) {
			deep[i] = '[';
			deep[2 * n - 1 - i] = ']';
		}
		deep[2 * n] = '\0';
		if (n == 50) {
			assert_true(valid(s, deep));
		} else {
			assert_int_equal(check(s, deep, &v), 1);
			assert_int_equal(v.count, 1);
			assert_non_null(strstr(v.errors[0].message,
			                       "maximum evaluation depth"));
			mf_validation_dispose(&v);
		}
		free(deep);
	}
	mf_schema_free(s);
}

struct thread_arg {
	const struct mf_schema *s;
	json_t *good, *bad;
	int mismatches;
};

static void *
worker(void *p)
{
	struct thread_arg *a = p;
	int i;

	for (i = 0; i < 2000; i++) {
		struct mf_validation v = MF_VALIDATION_INIT;

		if (!mf_schema_is_valid(a->s, a->good) ||
		    mf_schema_is_valid(a->s, a->bad))
			a->mismatches++;
		if (mf_schema_validate(a->s, a->bad, &v) != 1 || v.count != 3)
			a->mismatches++;
		mf_validation_dispose(&v);
	}
	return NULL;
}

static void
test_threads_share_a_schema(void **state)
{
	struct thread_arg args[4];
	pthread_t th[4];
	struct mf_schema *s;
	json_t *good, *bad;
	int i;

	(void)state;
	s = compile("{\"type\": \"object\","
	            " \"properties\": {"
	            "  \"id\": {\"type\": \"string\","
	            "           \"pattern\": \"^[a-z][a-z0-9-]{0,62}$\"},"
	            "  \"when\": {\"format\": \"date-time\"},"
	            "  \"kind\": {\"enum\": [\"a\", \"b\"]}},"
	            " \"patternProperties\": {\"^x-\": {\"type\": \"string\"}},"
	            " \"unevaluatedProperties\": false}");
	good = parse("{\"id\": \"acme-7\", \"when\": \"2024-01-02T03:04:05Z\","
	             " \"kind\": \"a\", \"x-note\": \"n\"}");
	bad = parse("{\"id\": \"Acme\", \"when\": \"yesterday\","
	            " \"kind\": \"a\", \"x-note\": \"n\", \"zzz\": 1}");
	for (i = 0; i < 4; i++) {
		args[i].s = s;
		args[i].good = good;
		args[i].bad = bad;
		args[i].mismatches = 0;
		assert_int_equal(pthread_create(&th[i], NULL, worker, &args[i]),
		                 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].mismatches, 0);
	}
	json_decref(good);
	json_decref(bad);
	mf_schema_free(s);
}

static bool
regex_matches(const char *pattern, const char *subject, size_t len)
{
	char msg[200];
	pcre2_code *re;
	bool r;

	if (mf_js_regex_compile(&re, pattern, strlen(pattern), msg,
	                        sizeof(msg)) != 0)
		fail_msg("regex %s: %s", pattern, msg);
	r = mf_js_regex_search(re, subject, len);
	pcre2_code_free(re);
	return r;
}

#define MATCH(p, s) regex_matches(p, s, strlen(s))

static void
test_ecma_regex(void **state)
{
	(void)state;
	/* \d and \w are ASCII-only in ECMA-262 */
	assert_true(MATCH("^\\d$", "7"));
	assert_false(MATCH("^\\d$", "\xd9\xa3")); /* ARABIC-INDIC 3 */
	assert_false(MATCH("^\\w$", "\xc3\xa9")); /* é */
	assert_true(MATCH("^[\\w-]+$", "a_b-9"));
	assert_true(MATCH("^\\W$", "\xc3\xa9"));
	assert_true(MATCH("^[^\\d]$", "x"));
	assert_true(MATCH("^[\\D]$", "\xd9\xa3"));
	/* \s is Unicode white space, including NBSP and BOM */
	assert_true(MATCH("^\\s$", "\xc2\xa0"));
	assert_true(MATCH("^\\s$", "\xef\xbb\xbf"));
	assert_false(MATCH("^\\S$", "\xe2\x80\xa8"));
	/* $ is the end of input only; . stops at line terminators */
	assert_false(MATCH("^abc$", "abc\n"));
	assert_false(MATCH("^.$", "\xe2\x80\xa8"));
	assert_true(MATCH("^.$", "\xc3\xa9"));
	/* \b uses ASCII word characters */
	assert_true(MATCH("\\bcat\\b", "a cat!"));
	assert_false(MATCH("\\bcat", "\xc3\xa9"
	                             "cat") == false);
	/* [^] is any character, [] nothing */
	assert_true(MATCH("^[^]$", "\n"));
	assert_false(MATCH("[]", "a"));
	/* \u escapes, surrogate pairs, \u{...} */
	assert_true(MATCH("^\\u00e9$", "\xc3\xa9"));
	assert_true(MATCH("^\\ud83d\\ude00$", "\xf0\x9f\x98\x80"));
	assert_true(MATCH("^\\u{1F600}$", "\xf0\x9f\x98\x80"));
	/* Unicode properties by long name */
	assert_true(MATCH("^\\p{Letter}+$", "\xc3\xa9t\xc3\xa9"));
	assert_false(MATCH("^\\p{Letter}+$", "42"));
	assert_true(MATCH("^\\p{gc=Lu}$", "A"));
	/* identity escapes that PCRE2 would treat as anchors or classes */
	assert_true(MATCH("^a\\Z$", "aZ"));
	assert_true(MATCH("^\\a$", "a"));
	/* patterns are searched, not anchored */
	assert_true(MATCH("b", "abc"));
	/* NUL inside the subject is just a character */
	assert_true(regex_matches("^a\\u0000b$", "a\0b", 3));
}

static void
test_formats(void **state)
{
	struct mf_schema *on, *off;

	(void)state;
	assert_true(mf_js_format_check(MF_JS_FORMAT_DATE_TIME,
	                               "2024-02-29T23:59:60Z", 20));
	assert_false(mf_js_format_check(MF_JS_FORMAT_DATE_TIME,
	                                "2023-02-29T00:00:00Z", 20));
	assert_true(mf_js_format_check(MF_JS_FORMAT_URI,
	                               "https://a.example/x?y#z", 23));
	assert_false(mf_js_format_check(MF_JS_FORMAT_URI, "/relative", 9));
	assert_true(
	    mf_js_format_check(MF_JS_FORMAT_EMAIL, "a.b+c@d.example", 15));
	assert_false(
	    mf_js_format_check(MF_JS_FORMAT_EMAIL, "a..b@d.example", 14));
	assert_true(mf_js_format_check(
	    MF_JS_FORMAT_UUID, "123e4567-e89b-12d3-a456-426614174000", 36));
	assert_false(mf_js_format_check(MF_JS_FORMAT_DATE, "2024-01-01\0", 11));
	assert_true(mf_js_is_ipv6("::ffff:1.2.3.4", 14));
	assert_false(mf_js_is_ipv6("1::2::3", 7));
	assert_false(mf_js_is_ipv4("01.2.3.4", 8));

	/* assertion is a compile option: annotation only without it */
	on = compile_flags("{\"format\": \"uuid\"}", MF_SCHEMA_ASSERT_FORMAT);
	off = compile_flags("{\"format\": \"uuid\"}", 0);
	assert_false(valid(on, "\"nope\""));
	assert_true(valid(off, "\"nope\""));
	assert_true(valid(on, "42")); /* formats only apply to strings */
	mf_schema_free(on);
	mf_schema_free(off);
	/* unknown formats are annotations */
	on = compile("{\"format\": \"hostname\"}");
	assert_true(valid(on, "\"-bad-\""));
	mf_schema_free(on);
}

static void
test_numbers(void **state)
{
	struct mf_schema *s;

	(void)state;
	s = compile("{\"type\": \"integer\"}");
	assert_true(valid(s, "1.0"));
	assert_false(valid(s, "1.5"));
	mf_schema_free(s);
	s = compile("{\"enum\": [1, [2], {\"a\": 3}]}");
	assert_true(valid(s, "1.0"));
	assert_true(valid(s, "[2.0]"));
	assert_true(valid(s, "{\"a\": 3.0}"));
	assert_false(valid(s, "true"));
	mf_schema_free(s);
	s = compile("{\"multipleOf\": 0.01}");
	assert_true(valid(s, "19.99"));
	assert_true(valid(s, "0.07"));
	assert_false(valid(s, "0.075"));
	mf_schema_free(s);
	s = compile("{\"multipleOf\": 0.0001}");
	assert_true(valid(s, "0.0075"));
	assert_false(valid(s, "0.00751"));
	mf_schema_free(s);
	s = compile("{\"maximum\": 9007199254740993}");
	assert_true(valid(s, "9007199254740993"));
	assert_false(valid(s, "9007199254740994"));
	mf_schema_free(s);
}

static void
test_unique_items_large(void **state)
{
	struct mf_validation v = MF_VALIDATION_INIT;
	struct mf_schema *s = compile("{\"uniqueItems\": true}");
	json_t *arr = json_array();
	size_t i;

	(void)state;
	/* 100,000 distinct items: must be quick (sorted, not pairwise) */
	for (i = 0; i < 100000; i++)
		json_array_append_new(arr, json_integer((json_int_t)i));
	assert_true(mf_schema_is_valid(s, arr));
	/* a duplicate of item 70000 at the end, and 1.0 == 1 */
	json_array_append_new(arr, json_real(70000.0));
	json_array_append_new(arr, json_real(1.0));
	assert_int_equal(mf_schema_validate(s, arr, &v), 1);
	assert_int_equal(v.count, 1);
	assert_string_equal(v.errors[0].message,
	                    "items at index 1 and 100001 are equal; items must "
	                    "be unique");
	mf_validation_dispose(&v);
	json_decref(arr);
	mf_schema_free(s);
}

static void
test_uri_resolution(void **state)
{
	/* RFC 3986 section 5.4 examples */
	static const char *const cases[][2] = {
	    {"g", "http://a/b/c/g"},
	    {"./g", "http://a/b/c/g"},
	    {"g/", "http://a/b/c/g/"},
	    {"/g", "http://a/g"},
	    {"//g", "http://g"},
	    {"?y", "http://a/b/c/d;p?y"},
	    {"g?y", "http://a/b/c/g?y"},
	    {"#s", "http://a/b/c/d;p?q#s"},
	    {"", "http://a/b/c/d;p?q"},
	    {".", "http://a/b/c/"},
	    {"..", "http://a/b/"},
	    {"../g", "http://a/b/g"},
	    {"../..", "http://a/"},
	    {"../../../g", "http://a/g"},
	    {"/./g", "http://a/g"},
	    {"g/../h", "http://a/b/c/h"},
	    {"g;x=1/../y", "http://a/b/c/y"},
	    {"urn:x:y", "urn:x:y"},
	};
	size_t i;
	char *r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = mf_js_uri_resolve("http://a/b/c/d;p?q", cases[i][0]);
		assert_non_null(r);
		assert_string_equal(r, cases[i][1]);
		free(r);
	}
	r = mf_js_uri_resolve("urn:uuid:1234#x", "#/$defs/a");
	assert_string_equal(r, "urn:uuid:1234#/$defs/a");
	free(r);
}

static void
test_registry_and_compile_errors(void **state)
{
	struct mf_schema_registry *reg = NULL;
	struct mf_schema *s = NULL;
	struct mf_error err;
	json_t *doc, *schema;
	int rc;

	(void)state;
	assert_int_equal(mf_schema_registry_new(&reg), 0);
	doc = parse("{\"$defs\": {\"slug\": {\"type\": \"string\","
	            " \"pattern\": \"^[a-z]+$\"}}}");
	assert_int_equal(
	    mf_schema_registry_add(reg, "https://example.com/common.json", doc),
	    0);
	json_decref(doc); /* the registry has its own reference */
	schema = parse("{\"$id\": \"https://example.com/x/main.json\","
	               " \"$ref\": \"../common.json#/$defs/slug\"}");
	mf_error_init(&err);
	assert_int_equal(mf_schema_compile(&s, reg, schema, 0, &err), 0);
	json_decref(schema);
	mf_schema_registry_free(reg); /* the schema keeps what it needs */
	assert_true(valid(s, "\"abc\""));
	assert_false(valid(s, "\"ABC\""));
	mf_schema_free(s);
	mf_error_dispose(&err);

	/* compile_uri against a mapped directory; paths cannot escape */
	assert_int_equal(mf_schema_registry_new(&reg), 0);
	assert_int_equal(
	    mf_schema_registry_map_dir(reg, "http://t/", "/nonexistent-dir/"),
	    0);
	mf_error_init(&err);
	/* dot segments are removed by RFC 3986 resolution first... */
	rc = mf_schema_compile_uri(&s, reg, "http://t/../etc/passwd", 0, &err);
	assert_int_equal(rc, MF_E_IO);
	assert_non_null(strstr(err.message, "/nonexistent-dir/etc/passwd"));
	assert_null(s);
	mf_error_dispose(&err);
	/* ...and what survives them (escapes) is never mapped */
	mf_error_init(&err);
	rc = mf_schema_compile_uri(&s, reg, "http://t/%2e%2e/etc/passwd", 0,
	                           &err);
	assert_int_equal(rc, MF_E_SCHEMA);
	assert_null(s);
	mf_error_dispose(&err);
	mf_error_init(&err);
	rc = mf_schema_compile_uri(&s, reg, "http://t/a.json", 0, &err);
	assert_int_equal(rc, MF_E_IO);
	mf_error_dispose(&err);
	mf_schema_registry_free(reg);

	/* unresolvable $ref, bad regex, bad keyword value */
	{
		static const char *const bad[][2] = {
		    {"{\"properties\": {\"a\": {\"$ref\": \"#/$defs/nope\"}}}",
		     "/properties/a/$ref"},
		    {"{\"$ref\": \"https://elsewhere.example/s.json\"}",
		     "/$ref"},
		    {"{\"pattern\": \"(\"}", "/pattern"},
		    {"{\"items\": {\"type\": \"strin\"}}", "/items/type"},
		    {"{\"minLength\": -1}", "/minLength"},
		    {"{\"allOf\": []}", "/allOf"},
		    {"{\"$schema\": \"https://example.com/unknown\"}", ""},
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			mf_error_init(&err);
			schema = parse(bad[i][0]);
			rc = mf_schema_compile(&s, NULL, schema, 0, &err);
			assert_int_equal(rc, MF_E_SCHEMA);
			assert_null(s);
			assert_string_equal(err.pointer, bad[i][1]);
			assert_true(strlen(err.message) > 10);
			json_decref(schema);
			mf_error_dispose(&err);
		}
	}
}

static void
test_draft7_semantics(void **state)
{
	struct mf_schema *s;

	(void)state;
	/* $ref overrides its siblings; items array + additionalItems */
	s = compile("{\"$schema\": \"http://json-schema.org/draft-07/schema#\","
	            " \"definitions\": {\"i\": {\"type\": \"integer\"}},"
	            " \"properties\": {\"a\": {\"$ref\": \"#/definitions/i\","
	            "                          \"maximum\": 1},"
	            "                  \"t\": {\"items\": [{\"type\": "
	            "\"string\"}], \"additionalItems\": false}},"
	            " \"dependencies\": {\"x\": [\"y\"]}}");
	assert_true(valid(s, "{\"a\": 5}"));
	assert_false(valid(s, "{\"a\": 5.5}"));
	assert_true(valid(s, "{\"t\": [\"s\"]}"));
	assert_false(valid(s, "{\"t\": [\"s\", 1]}"));
	assert_false(valid(s, "{\"x\": 1}"));
	assert_true(valid(s, "{\"x\": 1, \"y\": 2}"));
	mf_schema_free(s);
}

static void
test_to_json(void **state)
{
	struct mf_validation v = MF_VALIDATION_INIT;
	struct mf_schema *s = compile("{\"required\": [\"a\"]}");
	json_t *arr;

	(void)state;
	assert_int_equal(check(s, "{}", &v), 1);
	arr = mf_validation_to_json(&v);
	assert_int_equal(json_array_size(arr), 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(arr, 0), "keywordLocation")),
	                    "/required");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(arr, 0), "error")),
	    "missing required property \"a\"");
	json_decref(arr);
	mf_validation_dispose(&v);
	mf_schema_free(s);
}

/* Both parsers accept the same texts and build equal values. */
static void
same_parse(const char *text, size_t len)
{
	struct mf_error e1, e2;
	json_t *a, *b;

	mf_error_init(&e1);
	mf_error_init(&e2);
	a = mf_json_parse_reference(text, len, "x", NULL, &e1);
	b = mf_json_parse(text, len, "x", NULL, &e2);
	if ((a == NULL) != (b == NULL))
		fail_msg("parsers disagree on %.60s: jansson %s, fast %s", text,
		         a ? "accepts" : e1.message,
		         b ? "accepts" : e2.message);
	if (a != NULL && !json_equal(a, b))
		fail_msg("parsers build different values for %.60s", text);
	if (a == NULL && e1.code == MF_E_DUPLICATE_KEY)
		assert_int_equal(e2.code, MF_E_DUPLICATE_KEY);
	if (b == NULL)
		assert_true(strstr(e2.message, "line ") != NULL);
	json_decref(a);
	json_decref(b);
	mf_error_dispose(&e1);
	mf_error_dispose(&e2);
}

static size_t
diff_dir(const char *dir)
{
	char path[4096];
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), len;
		char *text;
		FILE *f;
		long sz;

		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		sz = ftell(f);
		rewind(f);
		text = malloc((size_t)sz + 1);
		assert_non_null(text);
		len = fread(text, 1, (size_t)sz, f);
		fclose(f);
		text[len] = '\0';
		same_parse(text, len);
		free(text);
		n++;
	}
	closedir(d);
	return n;
}

static void
test_fast_parser_matches_jansson(void **state)
{
	static const char *const cases[] = {
	    "",
	    " ",
	    "1",
	    "-0",
	    "01",
	    "1.",
	    "1.5e",
	    "-",
	    "1e400",
	    "-1e400",
	    "1e-400",
	    "9223372036854775807",
	    "9223372036854775808",
	    "-9223372036854775809",
	    "0.1",
	    "[1e5, 1E+5, -0.0, 0.25, 123456789012]",
	    "\"\\u0000\"",
	    "\"\\ud800\"",
	    "\"\\udc00x\"",
	    "\"\\ud83d\\ude00\"",
	    "\"\\u00e9\\u20AC\"",
	    "\"a\\x\"",
	    "\"\x01\"",
	    "\"\t\"",
	    "\"\xff\"",
	    "\"\xc0\xaf\"",
	    "\"\xed\xa0\x80\"",
	    "\"\xf4\x90\x80\x80\"",
	    "\"\xe2\x82\"",
	    "\"caf\xc3\xa9\"",
	    "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"",
	    "{\"a\":1,\"a\":2}",
	    "{\"a\":1,}",
	    "[1,]",
	    "[1 2]",
	    "{\"a\" 1}",
	    "{1:2}",
	    "tru",
	    "true ",
	    " null\n",
	    "nulls",
	    "[true,false,null]",
	    "{\"k\\u00e9y\": [1, 2.5, \"x\\n\"], \"\": {}}",
	    "\"unterminated",
	    "[\"abcdefghijklmnopqrstuvwxyz0123456789\"]",
	    "\"abcdefghijklmnop\\\"qrstuvwxyz\"",
	    "{\"a\":{\"b\":[[]]}}",
	    "[\xff]",
	    "\xef\xbb\xbf{}",
	};
	char *deep, buf[64];
	size_t i, n;
	const char *env = getenv("MF_SHARED_DATA");
	char dir[4096];

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		same_parse(cases[i], strlen(cases[i]));
	same_parse("[1]\0", 4); /* a NUL byte after the value */
	{
		/* the known difference: jansson ignores a NUL byte right
		 * after a number, the fast parser refuses it */
		struct mf_error e;

		mf_error_init(&e);
		assert_null(mf_json_parse("[1\0]", 4, "x", NULL, &e));
		assert_int_equal(e.code, MF_E_BAD_JSON);
		mf_error_dispose(&e);
	}
	/* nesting: 2048 levels are fine, 2049 are not (jansson's limit) */
	for (n = 2048; n <= 2049; n++) {
		deep = malloc(2 * n + 1);
		assert_non_null(deep);
		for (i = 0; i < n; i++) {
			deep[i] = '[';
			deep[2 * n - 1 - i] = ']';
		}
		same_parse(deep, 2 * n);
		free(deep);
	}
	/* every 8-byte alignment of special bytes in strings */
	for (i = 0; i < 16; i++) {
		snprintf(buf, sizeof(buf), "\"%.*s\\n\xc3\xa9\"", (int)i,
		         "0123456789abcdef");
		same_parse(buf, strlen(buf));
		snprintf(buf, sizeof(buf), "\"%.*s\x01\"", (int)i,
		         "0123456789abcdef");
		same_parse(buf, strlen(buf));
	}
	/* and every file of the reference data, when it is there */
	snprintf(dir, sizeof(dir),
	         "%s/json-schema-test-suite/tests/draft2020-12",
	         env && *env ? env : "../shared/data");
	n = diff_dir(dir);
	snprintf(dir, sizeof(dir), "%s/cyclonedx/examples",
	         env && *env ? env : "../shared/data");
	n += diff_dir(dir);
	printf("fast parser matched jansson on %zu reference files\n", n);
}

/* Compiles schema_text with a fresh registry (meta-schemas built in). */
static struct mf_schema *
compile_reg(const char *schema_text, unsigned flags)
{
	struct mf_schema_registry *reg = NULL;
	struct mf_schema *s = NULL;
	struct mf_error err;
	json_t *schema = parse(schema_text);

	mf_error_init(&err);
	assert_int_equal(mf_schema_registry_new(&reg), 0);
	if (mf_schema_compile(&s, reg, schema, flags, &err) != 0)
		fail_msg("compile failed: %s", err.message);
	mf_schema_registry_free(reg);
	json_decref(schema);
	mf_error_dispose(&err);
	return s;
}

static bool
valid_json(const struct mf_schema *s, const json_t *inst)
{
	struct mf_validation v = MF_VALIDATION_INIT;
	int rc = mf_schema_validate(s, inst, &v);

	assert_true(rc == 0 || rc == 1);
	assert_int_equal(mf_schema_is_valid(s, inst), rc == 0);
	mf_validation_dispose(&v);
	return rc == 0;
}

static void
test_meta_schemas_built_in(void **state)
{
	static const char *const uris[] = {
	    "https://json-schema.org/draft/2020-12/schema",
	    "http://json-schema.org/draft/2020-12/schema#",
	    "https://json-schema.org/draft/2020-12/meta/core",
	    "https://json-schema.org/draft/2020-12/meta/applicator",
	    "https://json-schema.org/draft/2020-12/meta/unevaluated",
	    "https://json-schema.org/draft/2020-12/meta/validation",
	    "https://json-schema.org/draft/2020-12/meta/meta-data",
	    "https://json-schema.org/draft/2020-12/meta/format-annotation",
	    "https://json-schema.org/draft/2020-12/meta/format-assertion",
	    "https://json-schema.org/draft/2020-12/meta/content",
	    "http://json-schema.org/draft-07/schema#",
	    "https://json-schema.org/draft-07/schema",
	};
	struct mf_schema_registry *reg = NULL;
	struct mf_schema *s = NULL, *meta, *meta7;
	const struct mf_embedded *e;
	struct mf_error err;
	json_t *doc;
	size_t i, n = 0, checked = 0;

	(void)state;
	/* every URI compiles from a fresh registry, nothing mapped */
	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		mf_error_init(&err);
		assert_int_equal(mf_schema_registry_new(&reg), 0);
		if (mf_schema_compile_uri(&s, reg, uris[i], 0, &err) != 0)
			fail_msg("%s: %s", uris[i], err.message);
		mf_schema_registry_free(reg);
		assert_true(valid(s, "{}"));
		assert_true(valid(s, "true"));
		assert_false(valid(s, "1"));
		mf_schema_free(s);
		mf_error_dispose(&err);
	}
	meta = compile_reg("{\"$ref\": "
	                   "\"https://json-schema.org/draft/2020-12/schema\"}",
	                   0);
	meta7 = compile_reg(
	    "{\"$ref\": \"http://json-schema.org/draft-07/schema#\"}", 0);
	assert_true(valid(meta, "{\"type\": [\"string\", \"null\"]}"));
	assert_false(valid(meta, "{\"type\": 1}"));
	assert_false(valid(meta, "{\"minLength\": -1}"));
	assert_false(valid(meta, "{\"allOf\": []}"));
	assert_false(valid(meta, "{\"$anchor\": \"1x\"}"));
	/* nested subschemas are checked through $dynamicRef "#meta" */
	assert_false(
	    valid(meta, "{\"$defs\": {\"a\": {\"required\": \"x\"}}}"));
	assert_false(valid(meta, "{\"properties\": {\"a\": {\"items\": "
	                         "{\"maxItems\": 1.5}}}}"));
	/* an array of schemas under items is draft-07, not 2020-12 */
	assert_false(valid(meta, "{\"items\": [{}]}"));
	assert_false(valid(meta7, "{\"items\": [1]}"));
	assert_true(valid(meta7, "{\"items\": [{}]}"));
	assert_true(
	    valid(meta7, "{\"items\": [{}], \"additionalItems\": false}"));
	assert_false(valid(meta7, "{\"dependencies\": {\"a\": 1}}"));

	/* our own document schemas, and each meta-schema file, are valid
	 * schemas of their dialect */
	for (e = mf_embedded_files; e->name != NULL; e++) {
		bool d7;

		if (strncmp(e->name, "schema/", 7) != 0 ||
		    strcmp(e->name + strlen(e->name) - 5, ".json") != 0 ||
		    strncmp(e->name, "schema/indices/", 15) == 0)
			continue;
		mf_error_init(&err);
		doc = mf_json_parse((const char *)e->data, e->len, e->name,
		                    NULL, &err);
		assert_non_null(doc);
		if (mf_json_str(doc, "$schema") == NULL) {
			json_decref(doc); /* data, not a schema */
			mf_error_dispose(&err);
			continue;
		}
		d7 = strstr(mf_json_str(doc, "$schema"), "draft-07") != NULL;
		if (!valid_json(d7 ? meta7 : meta, doc))
			fail_msg("%s is not a valid schema", e->name);
		checked++;
		if (strncmp(e->name, "schema/meta/", 12) == 0) {
			/* its $id is a URI the registry knows */
			assert_int_equal(mf_schema_registry_new(&reg), 0);
			assert_int_equal(
			    mf_schema_compile_uri(
			        &s, reg, mf_json_str(doc, "$id"), 0, &err),
			    0);
			assert_true(valid_json(s, doc));
			mf_schema_free(s);
			mf_schema_registry_free(reg);
			n++;
		}
		json_decref(doc);
		mf_error_dispose(&err);
	}
	assert_int_equal(n, 10);
	assert_true(checked >= 16); /* our 6 document schemas too */
	mf_schema_free(meta);
	mf_schema_free(meta7);

	/* a meta-schema that extends 2020-12 through its dynamic anchor
	 * ("no unknown keywords") applies at every depth */
	s = compile_reg(
	    "{\"$id\": \"https://example.com/strict\","
	    " \"$dynamicAnchor\": \"meta\","
	    " \"$ref\": \"https://json-schema.org/draft/2020-12/schema\","
	    " \"unevaluatedProperties\": false}",
	    0);
	assert_true(valid(s, "{\"type\": \"object\", \"properties\": "
	                     "{\"a\": {\"minimum\": 1}}}"));
	assert_false(valid(s, "{\"tpye\": \"object\"}"));
	assert_false(valid(s, "{\"properties\": {\"a\": {\"minimun\": 1}}}"));
	assert_false(valid(s, "{\"$defs\": {\"x\": {\"not\": {\"x\": 1}}}}"));
	mf_schema_free(s);

	/* a document added under a meta-schema's URI wins */
	assert_int_equal(mf_schema_registry_new(&reg), 0);
	doc = parse("{\"type\": \"string\"}");
	assert_int_equal(
	    mf_schema_registry_add(
	        reg, "https://json-schema.org/draft/2020-12/schema", doc),
	    0);
	json_decref(doc);
	doc = parse(
	    "{\"$ref\": \"https://json-schema.org/draft/2020-12/schema\"}");
	mf_error_init(&err);
	assert_int_equal(mf_schema_compile(&s, reg, doc, 0, &err), 0);
	assert_true(valid(s, "\"x\""));
	assert_false(valid(s, "{}"));
	mf_schema_free(s);
	json_decref(doc);
	mf_error_dispose(&err);
	mf_schema_registry_free(reg);
}

static void
test_format_per_dialect(void **state)
{
	static const char *const mixed =
	    "{\"$defs\": {\"d7\": {\"$schema\": "
	    "\"http://json-schema.org/draft-07/schema#\","
	    "  \"$id\": \"https://example.com/d7\", \"format\": \"date\"}},"
	    " \"properties\": {\"a\": {\"format\": \"date\"},"
	    "                \"b\": {\"$ref\": \"https://example.com/d7\"}}}";
	struct mf_schema *s;

	(void)state;
	/* MF_SCHEMA_ASSERT_FORMAT_DRAFT7: draft-07 resources assert, 2020-12
	 * ones annotate, in one schema */
	s = compile_reg(mixed, MF_SCHEMA_ASSERT_FORMAT_DRAFT7);
	assert_true(valid(s, "{\"a\": \"2026-02-30\"}"));
	assert_false(valid(s, "{\"b\": \"2026-02-30\"}"));
	assert_true(valid(s, "{\"b\": \"2026-02-28\"}"));
	mf_schema_free(s);
	s = compile_reg(mixed, MF_SCHEMA_ASSERT_FORMAT_DRAFT7 |
	                           MF_SCHEMA_ASSERT_FORMAT);
	assert_false(valid(s, "{\"a\": \"2026-02-30\"}"));
	mf_schema_free(s);
	s = compile_reg(mixed, 0);
	assert_true(valid(s, "{\"b\": \"2026-02-30\"}"));
	mf_schema_free(s);
	/* a schema without $schema follows the default dialect */
	s = compile_reg("{\"format\": \"uuid\"}",
	                MF_SCHEMA_DEFAULT_DRAFT7 |
	                    MF_SCHEMA_ASSERT_FORMAT_DRAFT7);
	assert_false(valid(s, "\"nope\""));
	mf_schema_free(s);
	s = compile_reg("{\"format\": \"uuid\"}",
	                MF_SCHEMA_ASSERT_FORMAT_DRAFT7);
	assert_true(valid(s, "\"nope\""));
	mf_schema_free(s);
}

/* A string literal and its length (it may hold NUL bytes). */
#define LIT(s) s, sizeof(s) - 1

/* mf_schema_json_parse: NULL, or the parsed value; err's code in *code. */
static json_t *
gparse(const char *text, size_t len, unsigned flags, int *code, char *msg,
       size_t msg_len)
{
	struct mf_error err;
	json_t *v;

	mf_error_init(&err);
	v = mf_schema_json_parse(text, len, "t", flags, &err);
	*code = err.code;
	if (msg != NULL)
		snprintf(msg, msg_len, "%s", err.message);
	mf_error_dispose(&err);
	return v;
}

static void
test_parse_general_mode(void **state)
{
	const unsigned nul = MF_SCHEMA_JSON_ALLOW_NUL;
	struct mf_schema_registry *reg = NULL;
	struct mf_schema *s = NULL;
	struct mf_error err;
	char msg[600], dir[600], *path;
	json_t *v;
	int code;

	(void)state;
	/* the registry's own strictness by default, \u0000 allowed on
	 * request */
	assert_null(gparse(LIT("\"a\\u0000b\""), 0, &code, NULL, 0));
	assert_int_equal(code, MF_E_BAD_JSON);
	v = gparse(LIT("\"a\\u0000b\""), nul, &code, NULL, 0);
	assert_non_null(v);
	assert_int_equal(json_string_length(v), 3);
	assert_memory_equal(json_string_value(v), "a\0b", 3);
	json_decref(v);
	/* every other rule still holds on that path */
	assert_null(
	    gparse(LIT("{\"k\": \"\\u0000\", \"k\": 1}"), nul, &code, NULL, 0));
	assert_int_equal(code, MF_E_DUPLICATE_KEY);
	assert_null(gparse(LIT("\"\\u0000\xff\""), nul, &code, NULL, 0));
	assert_int_equal(code, MF_E_BAD_UTF8);
	assert_null(
	    gparse(LIT("[1\0,\"\\u0000\"]"), nul, &code, msg, sizeof(msg)));
	assert_int_equal(code, MF_E_BAD_JSON);
	assert_non_null(strstr(msg, "NUL byte"));
	assert_null(gparse(LIT("[\"\\u0000\",]"), nul, &code, NULL, 0));
	assert_int_equal(code, MF_E_BAD_JSON);
	/* an escaped backslash before "u0000" is no NUL at all */
	v = gparse(LIT("\"\\\\u0000\""), 0, &code, NULL, 0);
	assert_non_null(v);
	assert_string_equal(json_string_value(v), "\\u0000");
	json_decref(v);
	/* texts without the escape: the same answer as mf_json_parse */
	v = gparse(LIT("{\"a\": [1, 2.5, \"\\u00e9\"]}"), nul, &code, NULL, 0);
	assert_non_null(v);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(v, "a"), 2)),
	    "\xc3\xa9");
	json_decref(v);

	/* a mapped directory's files are read with the registry's flags */
	snprintf(dir, sizeof(dir), "%s/", mf_test_scratch());
	mf_test_spit("nul.json", LIT("{\"const\": \"x\\u0000y\"}"));
	path = "http://nul.example/nul.json";
	assert_int_equal(mf_schema_registry_new(&reg), 0);
	assert_int_equal(
	    mf_schema_registry_map_dir(reg, "http://nul.example/", dir), 0);
	mf_error_init(&err);
	assert_int_equal(mf_schema_compile_uri(&s, reg, path, 0, &err),
	                 MF_E_BAD_JSON);
	mf_error_dispose(&err);
	mf_schema_registry_free(reg);
	assert_int_equal(mf_schema_registry_new(&reg), 0);
	assert_int_equal(
	    mf_schema_registry_map_dir(reg, "http://nul.example/", dir), 0);
	mf_schema_registry_set_parse_flags(reg, nul);
	mf_error_init(&err);
	assert_int_equal(mf_schema_compile_uri(&s, reg, path, 0, &err), 0);
	v = json_stringn("x\0y", 3);
	assert_true(valid_json(s, v));
	json_decref(v);
	assert_false(valid(s, "\"x\""));
	mf_schema_free(s);
	mf_error_dispose(&err);
	mf_schema_registry_free(reg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_error_locations_and_messages),
	    cmocka_unit_test(test_messages),
	    cmocka_unit_test(test_combinator_errors),
	    cmocka_unit_test(test_every_error_and_bound),
	    cmocka_unit_test(test_recursion_bound),
	    cmocka_unit_test(test_threads_share_a_schema),
	    cmocka_unit_test(test_ecma_regex),
	    cmocka_unit_test(test_formats),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_unique_items_large),
	    cmocka_unit_test(test_uri_resolution),
	    cmocka_unit_test(test_registry_and_compile_errors),
	    cmocka_unit_test(test_draft7_semantics),
	    cmocka_unit_test(test_to_json),
	    cmocka_unit_test(test_fast_parser_matches_jansson),
	    cmocka_unit_test(test_meta_schemas_built_in),
	    cmocka_unit_test(test_format_per_dialect),
	    cmocka_unit_test(test_parse_general_mode),
	};

	return cmocka_run_group_tests(tests, mf_test_scratch_setup,
	                              mf_test_scratch_teardown);
}
