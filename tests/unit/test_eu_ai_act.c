/*
 * Unit tests for formats/eu_ai_act.c, the EU AI Act view: the form's data
 * file (every pointer names a field of disclosure.v1, every point of
 * Annex XI and Annex XII has an item, every item an audience), and the
 * statuses and counts for several disclosures: a sparse one, one with
 * withheld sections, fields and "not applicable", one with systemic
 * risk, an assessment-only model; normalised values as the label shows
 * them; hostile text kept exact and HTML-safe; bad input refused.
 */
#include "common/buf.h"
#include "common/embedded.h"
#include "common/error.h"
#include "common/json.h"
#include "formats/eu_ai_act.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &je);

	if (v == NULL)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	return v;
}

static json_t *
embedded(const char *name)
{
	const struct mf_embedded *e = mf_embedded_get(name);
	json_t *v;

	assert_non_null(e);
	v = json_loadb((const char *)e->data, e->len, JSON_REJECT_DUPLICATES,
	               NULL);
	assert_non_null(v);
	return v;
}

/* The view of a disclosure given as JSON text. */
static json_t *
view(const char *disclosure)
{
	json_t *d = parse(disclosure), *out = NULL;
	struct mf_label_input in = {.org = "acme",
	                            .model = "rocket",
	                            .version = 2,
	                            .latest_version = 3,
	                            .log_index = 7,
	                            .disclosure = d};

	assert_int_equal(mf_eu_ai_act_json(&out, &in), 0);
	assert_non_null(out);
	json_decref(d);
	return out;
}

static const json_t *
item(const json_t *v, const char *id)
{
	const json_t *s, *it;
	size_t i, j;

	json_array_foreach(json_object_get(v, "sections"), i, s)
	{
		json_array_foreach(json_object_get(s, "items"), j, it)
		{
			if (strcmp(mf_json_str(it, "id"), id) == 0)
				return it;
		}
	}
	fail_msg("no item %s", id);
	return NULL;
}

static const char *
status(const json_t *v, const char *id)
{
	return mf_json_str(item(v, id), "status");
}

static long long
count(const json_t *v, const char *audience, const char *key)
{
	const json_t *c = json_object_get(v, "completeness");

	if (audience != NULL)
		c = json_object_get(json_object_get(c, "by_audience"),
		                    audience);
	assert_true(json_is_integer(json_object_get(c, key)));
	return json_integer_value(json_object_get(c, key));
}

static void
assert_counts(const json_t *v, const char *audience, long long disclosed,
              long long withheld, long long missing, long long na)
{
	assert_int_equal(count(v, audience, "disclosed"), disclosed);
	assert_int_equal(count(v, audience, "withheld"), withheld);
	assert_int_equal(count(v, audience, "missing"), missing);
	assert_int_equal(count(v, audience, "not_applicable"), na);
	assert_int_equal(count(v, audience, "total"),
	                 disclosed + withheld + missing);
}

/* ---- the data file ---- */

static const json_t *schemas[2]; /* disclosure.v1, common.v1 */

struct at {
	const json_t *node, *doc;
};

static struct at
follow_ref(struct at s)
{
	const char *ref = mf_json_str(s.node, "$ref"), *hash;

	if (ref == NULL || (hash = strchr(ref, '#')) == NULL)
		return s;
	if (hash != ref)
		s.doc = schemas[1]; /* "common.v1.json#..." */
	s.node = mf_json_pointer_get((json_t *)s.doc, hash + 1);
	assert_non_null(s.node);
	return s;
}

/* Whether the schema at s has a member named name, looking through
 * $ref, the combinators and array items. */
static bool
has_member(struct at s, const char *name, struct at *out, int depth)
{
	static const char *const combos[] = {"anyOf", "oneOf", "allOf"};
	const json_t *p, *b;
	size_t c, i;

	if (depth > 24 || !json_is_object(s.node))
		return false;
	p = json_object_get(json_object_get(s.node, "properties"), name);
	if (json_is_object(p)) {
		*out = (struct at){p, s.doc};
		return true;
	}
	if (json_object_get(s.node, "$ref") != NULL &&
	    has_member(follow_ref(s), name, out, depth + 1))
		return true;
	if ((p = json_object_get(s.node, "items")) != NULL &&
	    has_member((struct at){p, s.doc}, name, out, depth + 1))
		return true;
	for (c = 0; c < 3; c++)
		json_array_foreach(json_object_get(s.node, combos[c]), i, b)
		{
			if (has_member((struct at){b, s.doc}, name, out,
			               depth + 1))
				return true;
		}
	return false;
}

static void
pointer_in_schema(const char *pointer, const char *item_id)
{
	struct at s = {schemas[0], schemas[0]}, next;
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", pointer);
	for (tok = strtok_r(buf, "/", &save); tok != NULL;
	     tok = strtok_r(NULL, "/", &save)) {
		if (!has_member(s, tok, &next, 0))
			fail_msg("%s: %s: no member '%s' in disclosure.v1",
			         item_id, pointer, tok);
		s = next;
	}
}

static bool
annex_listed(const json_t *form, const char *point)
{
	const json_t *s, *it, *a;
	size_t i, j, k;

	json_array_foreach(json_object_get(form, "sections"), i, s)
	{
		json_array_foreach(json_object_get(s, "items"), j, it)
		{
			json_array_foreach(json_object_get(it, "annex"), k, a)
			{
				if (strcmp(json_string_value(a), point) == 0)
					return true;
			}
		}
	}
	return false;
}

static void
test_form_data(void **state)
{
	/* Every point of Annex XI (both sections) and Annex XII. */
	static const char *const points[] = {
	    "XI 1.1(a)", "XI 1.1(b)", "XI 1.1(c)", "XI 1.1(d)", "XI 1.1(e)",
	    "XI 1.1(f)", "XI 1.2(a)", "XI 1.2(b)", "XI 1.2(c)", "XI 1.2(d)",
	    "XI 1.2(e)", "XI 2.1",    "XI 2.2",    "XI 2.3",    "XII 1(a)",
	    "XII 1(b)",  "XII 1(c)",  "XII 1(d)",  "XII 1(e)",  "XII 1(f)",
	    "XII 1(g)",  "XII 1(h)",  "XII 2(a)",  "XII 2(b)",  "XII 2(c)"};
	const json_t *form = mf_eu_ai_act_form(), *s, *it, *p, *a;
	json_t *disc = embedded("schema/disclosure.v1.json");
	json_t *common = embedded("schema/common.v1.json");
	size_t i, j, k, items = 0, section2 = 0;

	(void)state;
	assert_non_null(form);
	assert_ptr_equal(form, mf_eu_ai_act_form()); /* loaded once */
	schemas[0] = disc;
	schemas[1] = common;
	json_array_foreach(json_object_get(form, "sections"), i, s)
	{
		json_array_foreach(json_object_get(s, "items"), j, it)
		{
			bool office = false, national = false;

			items++;
			json_array_foreach(json_object_get(it, "pointers"), k,
			                   p)
			{
				pointer_in_schema(json_string_value(p),
				                  mf_json_str(it, "id"));
			}
			/* the Annex XI documentation goes to both
			 * authorities: every item is theirs */
			json_array_foreach(json_object_get(it, "audiences"), k,
			                   a)
			{
				office = office || strcmp(json_string_value(a),
				                          "ai_office") == 0;
				national = national ||
				           strcmp(json_string_value(a),
				                  "national_authorities") == 0;
			}
			assert_true(office && national);
			/* an item without fields says why */
			if (json_array_size(json_object_get(it, "pointers")) ==
			    0)
				assert_non_null(mf_json_str(it, "note"));
			if (json_is_true(
			        json_object_get(it, "systemic_risk_only"))) {
				section2++;
				json_array_foreach(json_object_get(it, "annex"),
				                   k, a)
				{
					assert_int_equal(
					    strncmp(json_string_value(a),
					            "XI 2.", 5),
					    0);
				}
			}
		}
	}
	assert_int_equal(items, 42);
	assert_int_equal(section2, 5);
	for (i = 0; i < sizeof(points) / sizeof(points[0]); i++)
		if (!annex_listed(form, points[i]))
			fail_msg("no item answers Annex %s", points[i]);
	json_decref(disc);
	json_decref(common);
}

/* ---- statuses and counts ---- */

/*
 * Items per audience in the form: 42 in all, 5 of them Annex XI section
 * 2 (AI Office and national authorities only), 23 for downstream
 * providers (the Annex XII ones and the general information).
 */
#define ALL_ITEMS        42
#define SECTION2_ITEMS   5
#define DOWNSTREAM_ITEMS 23

static void
test_sparse(void **state)
{
	json_t *v = view("{\"type\": \"disclosure\", \"identity\": "
	                 "{\"name\": \"Rocket\"}}");
	const json_t *it;

	(void)state;
	assert_string_equal(mf_json_str(v, "format"), MF_EU_AI_ACT_FORMAT);
	assert_string_equal(mf_json_str(v, "name"), "Rocket");
	assert_string_equal(mf_json_str(json_object_get(v, "subject"), "org"),
	                    "acme");
	assert_int_equal(json_integer_value(json_object_get(v, "version")), 2);
	assert_int_equal(json_integer_value(json_object_get(v, "log_index")),
	                 7);
	assert_true(json_is_null(json_object_get(v, "systemic_risk")));
	assert_false(json_is_true(json_object_get(v, "assessment_only")));
	assert_string_equal(status(v, "model-name"), "disclosed");
	assert_string_equal(status(v, "release-date"), "missing");
	assert_string_equal(status(v, "union-release-date"), "missing");
	/* no systemic risk declared: section 2 shown, not counted */
	it = item(v, "adversarial-testing");
	assert_string_equal(mf_json_str(it, "status"), "missing");
	assert_true(json_is_false(json_object_get(it, "applies")));
	assert_true(
	    json_is_true(json_object_get(item(v, "licence"), "applies")));
	assert_counts(v, NULL, 1, 0, ALL_ITEMS - SECTION2_ITEMS - 1, 0);
	assert_counts(v, "ai_office", 1, 0, ALL_ITEMS - SECTION2_ITEMS - 1, 0);
	assert_counts(v, "national_authorities", 1, 0,
	              ALL_ITEMS - SECTION2_ITEMS - 1, 0);
	assert_counts(v, "downstream_providers", 1, 0, DOWNSTREAM_ITEMS - 1, 0);
	assert_int_equal(count(v, NULL, "percent"),
	                 100 / (ALL_ITEMS - SECTION2_ITEMS));
	json_decref(v);
}

static void
test_withheld(void **state)
{
	json_t *v = view(
	    "{\"type\": \"disclosure\","
	    " \"identity\": {\"name\": \"Rocket\", \"base_models\":"
	    "   {\"status\": \"not_applicable\", \"explanation\": \"From "
	    "scratch.\"}},"
	    " \"model\": {\"parameters\": {\"status\": \"disclosed\","
	    "   \"value\": {\"amount\": 7.2e9, \"unit\": \"parameters\"}},"
	    "   \"context_window\": {\"status\": \"unknown\"},"
	    "   \"max_output\": {\"status\": \"not_applicable\"},"
	    "   \"limitations\": {\"status\": \"not_applicable\"}},"
	    " \"uses\": {\"intended\": [], \"prohibited\": []},"
	    " \"data\": {\"status\": \"withheld\", \"explanation\": \"Trade "
	    "secret.\", \"references\": [\"https://example.org/why\"]},"
	    " \"compute\": {\"training_flop\": {\"amount\": 1.6e23, \"unit\":"
	    "   \"FLOP\", \"basis\": \"estimated\"},"
	    "   \"energy\": {\"status\": \"withheld\", \"explanation\": "
	    "\"Not yet.\"},"
	    "   \"duration\": {\"amount\": 2160, \"unit\": \"hours\"}}}");
	const json_t *it, *f;

	(void)state;
	/* a whole withheld section withholds each of its items, with the
	 * section's explanation */
	it = item(v, "data-bias");
	assert_string_equal(mf_json_str(it, "status"), "withheld");
	f = json_array_get(json_object_get(it, "facts"), 0);
	assert_string_equal(mf_json_str(f, "status"), "withheld");
	assert_string_equal(mf_json_str(f, "pointer"), "/data");
	assert_string_equal(mf_json_str(f, "explanation"), "Trade secret.");
	assert_string_equal(json_string_value(json_array_get(
	                        json_object_get(f, "references"), 0)),
	                    "https://example.org/why");
	/* a withheld quantity withholds its methodology too */
	assert_string_equal(status(v, "training-energy"), "withheld");
	assert_string_equal(status(v, "energy-methodology"), "withheld");
	/* values as the label shows them */
	it = item(v, "training-compute");
	assert_string_equal(mf_json_str(it, "status"), "disclosed");
	f = json_array_get(json_object_get(it, "facts"), 0);
	assert_string_equal(mf_json_str(f, "display"),
	                    "1.6e23 FLOP, estimated");
	it = item(v, "model-size");
	f = json_array_get(json_object_get(it, "facts"), 0);
	assert_string_equal(mf_json_str(f, "display"), "7.2B parameters");
	assert_true(json_is_real(
	    json_object_get(json_object_get(f, "value"), "amount")));
	f = json_array_get(json_object_get(item(v, "training-time"), "facts"),
	                   0);
	assert_string_equal(mf_json_str(f, "display"), "2,160 hours");
	/* not applicable counts only where the item allows it; unknown and
	 * empty lists are missing */
	assert_string_equal(status(v, "dependencies"), "not_applicable");
	assert_string_equal(status(v, "output-size"), "not_applicable");
	assert_string_equal(status(v, "input-size"), "missing");
	assert_string_equal(status(v, "limitations"), "missing");
	assert_string_equal(status(v, "intended-uses"), "missing");
	/* disclosed: model-name, model-size, training-compute,
	 * training-time; withheld: the 9 data items, training energy and
	 * its methodology; n.a.: dependencies, output-size */
	assert_counts(v, NULL, 4, 11, ALL_ITEMS - SECTION2_ITEMS - 17, 2);
	/* downstream providers: model-name, model-size; the 4 data items
	 * of Annex XII 2(c); dependencies and output-size n.a. */
	assert_counts(v, "downstream_providers", 2, 4, DOWNSTREAM_ITEMS - 8, 2);
	json_decref(v);
}

static void
test_systemic_risk(void **state)
{
	json_t *v = view("{\"type\": \"disclosure\", \"identity\": {\"name\":"
	                 " \"Big\", \"release_date\": \"2026-01-15\"},"
	                 " \"model\": {\"architecture\": {\"type\": "
	                 "\"transformer\", \"description\": \"Decoder.\"}},"
	                 " \"risks\": {\"systemic_risk\": "
	                 "{\"classification\": \"yes\"},"
	                 "  \"red_teaming\": {\"performed\": true}}}");

	(void)state;
	assert_string_equal(mf_json_str(v, "systemic_risk"), "yes");
	assert_true(json_is_true(
	    json_object_get(item(v, "adversarial-testing"), "applies")));
	assert_string_equal(status(v, "adversarial-testing"), "disclosed");
	assert_string_equal(status(v, "system-architecture"), "disclosed");
	assert_string_equal(status(v, "architecture"), "disclosed");
	assert_string_equal(status(v, "limitations"), "missing");
	/* model-name, release-date, architecture, and in section 2
	 * adversarial testing and the system architecture */
	assert_counts(v, NULL, 5, 0, ALL_ITEMS - 5, 0);
	assert_counts(v, "downstream_providers", 3, 0, DOWNSTREAM_ITEMS - 3, 0);
	json_decref(v);

	/* "no" and "undetermined" leave section 2 out of the counts */
	v = view("{\"type\": \"disclosure\", \"identity\": {\"name\": \"B\"},"
	         " \"risks\": {\"systemic_risk\": {\"classification\": "
	         "\"undetermined\"}}}");
	assert_string_equal(mf_json_str(v, "systemic_risk"), "undetermined");
	assert_int_equal(count(v, NULL, "total"), ALL_ITEMS - SECTION2_ITEMS);
	json_decref(v);
}

/* The full example: every item it answers, and nothing it does not. */
static void
test_example(void **state)
{
	json_error_t je;
	json_t *d = json_load_file("examples/disclosure-open.json", 0, &je);
	struct mf_label_input in = {
	    .version = 1, .log_index = -1, .disclosure = d};
	const json_t *s, *it, *f;
	json_t *v = NULL;
	size_t i, j, k;
	long long disclosed = 0;

	(void)state;
	assert_non_null(d);
	assert_int_equal(mf_eu_ai_act_json(&v, &in), 0);
	/* subject from the disclosure */
	assert_string_equal(mf_json_str(json_object_get(v, "subject"), "org"),
	                    mf_json_str(json_object_get(d, "subject"), "org"));
	json_array_foreach(json_object_get(v, "sections"), i, s)
	{
		json_array_foreach(json_object_get(s, "items"), j, it)
		{
			bool any = false;

			/* disclosed exactly when a field has a value */
			json_array_foreach(json_object_get(it, "facts"), k, f)
			{
				any =
				    any ||
				    (strcmp(mf_json_str(f, "status"),
				            "disclosed") == 0 &&
				     mf_json_pointer_get(
				         d, mf_json_str(f, "pointer")) != NULL);
			}
			assert_int_equal(any, strcmp(mf_json_str(it, "status"),
			                             "disclosed") == 0);
			if (any && json_is_true(json_object_get(it, "applies")))
				disclosed++;
		}
	}
	assert_int_equal(count(v, NULL, "disclosed"), disclosed);
	assert_true(disclosed >= 30); /* the example is a full disclosure */
	json_decref(v);
	json_decref(d);
}

static void
test_assessment_only(void **state)
{
	struct mf_label_input in = {.org = "acme",
	                            .model = "old",
	                            .name = "Old Model",
	                            .assessment_only = 1,
	                            .log_index = 3};
	json_t *v = NULL;

	(void)state;
	assert_int_equal(mf_eu_ai_act_json(&v, &in), 0);
	assert_true(json_is_true(json_object_get(v, "assessment_only")));
	assert_string_equal(mf_json_str(v, "name"), "Old Model");
	assert_counts(v, NULL, 0, 0, ALL_ITEMS - SECTION2_ITEMS, 0);
	json_decref(v);
}

/* Strings are copied exactly; the bytes are HTML-safe and
 * deterministic; a short buffer is left as it was. */
static void
test_bytes(void **state)
{
	static const char hostile[] =
	    "{\"type\": \"disclosure\", \"identity\": {\"name\": "
	    "\"</script><script>alert(1)</script>\", \"developer\": "
	    "\"A & B \\\"<img src=x onerror=alert(1)>\\\"\"},"
	    " \"data\": {\"status\": \"withheld\", \"explanation\": "
	    "\"<b>no</b>\"}}";
	json_t *d = parse(hostile), *back;
	struct mf_label_input in = {
	    .org = "acme", .model = "x", .disclosure = d, .log_index = -1};
	struct mf_buf a = MF_BUF_INIT, b = MF_BUF_INIT, small;
	const json_t *f;

	(void)state;
	assert_int_equal(mf_eu_ai_act_write(&a, &in), 0);
	assert_int_equal(mf_eu_ai_act_write(&b, &in), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_null(strchr(a.data, '<'));
	assert_null(strchr(a.data, '>'));
	assert_null(strchr(a.data, '&'));
	back = parse(a.data);
	assert_string_equal(mf_json_str(back, "name"),
	                    "</script><script>alert(1)</script>");
	f = json_array_get(
	    json_object_get(item(back, "provider-name"), "facts"), 0);
	assert_string_equal(mf_json_str(f, "value"),
	                    "A & B \"<img src=x onerror=alert(1)>\"");
	f = json_array_get(json_object_get(item(back, "data-size"), "facts"),
	                   0);
	assert_string_equal(mf_json_str(f, "explanation"), "<b>no</b>");
	json_decref(back);

	mf_buf_init(&small, 100);
	assert_int_equal(mf_buf_puts(&small, "kept"), 0);
	assert_int_equal(mf_eu_ai_act_write(&small, &in), MF_E_TOO_LARGE);
	assert_int_equal(small.len, 4);
	assert_string_equal(small.data, "kept");
	mf_buf_dispose(&small);
	mf_buf_dispose(&a);
	mf_buf_dispose(&b);
	json_decref(d);
}

static void
test_bad_input(void **state)
{
	json_t *arr = json_array(), *v = (json_t *)1;
	struct mf_label_input none = {.log_index = -1};
	struct mf_label_input notobj = {.disclosure = arr, .log_index = -1};
	struct mf_buf b = MF_BUF_INIT;

	(void)state;
	assert_int_equal(mf_eu_ai_act_json(&v, NULL), MF_E_BAD_PARAM);
	assert_null(v);
	assert_int_equal(mf_eu_ai_act_json(&v, &none), MF_E_BAD_PARAM);
	assert_int_equal(mf_eu_ai_act_json(&v, &notobj), MF_E_BAD_PARAM);
	assert_int_equal(mf_eu_ai_act_write(&b, &notobj), MF_E_BAD_PARAM);
	assert_int_equal(b.len, 0);
	/* values of the wrong type read as they are, never crash */
	v = view("{\"type\": \"disclosure\", \"identity\": 7, \"model\": "
	         "{\"parameters\": \"many\"}, \"data\": [1, 2],"
	         " \"compute\": {\"energy\": {\"amount\": \"x\"}},"
	         " \"risks\": {\"systemic_risk\": \"yes\"}}");
	assert_string_equal(status(v, "model-name"), "missing");
	assert_string_equal(status(v, "model-size"), "disclosed");
	assert_string_equal(status(v, "data-size"), "missing");
	assert_true(json_is_null(json_object_get(v, "systemic_risk")));
	json_decref(v);
	json_decref(arr);
	mf_buf_dispose(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_form_data),
	    cmocka_unit_test(test_sparse),
	    cmocka_unit_test(test_withheld),
	    cmocka_unit_test(test_systemic_risk),
	    cmocka_unit_test(test_example),
	    cmocka_unit_test(test_assessment_only),
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
