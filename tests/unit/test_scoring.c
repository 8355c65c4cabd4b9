/* Unit tests for scoring/: the rule language, index loading, the embedded
 * modelfacts-v1 index (every rule names a real schema field), scores with
 * met / not met / not applicable / unassessed, assessment overrides, one
 * assessor's grades scored alone, subtotals and deterministic JSON. */
#include "common/embedded.h"
#include "common/json.h"
#include "scoring/index.h"
#include "scoring/rule.h"
#include "scoring/score.h"

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
	json_t *v = json_loads(text, JSON_DECODE_ANY, &je);

	if (v == NULL)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	return v;
}

static json_t *
load_file(const char *path)
{
	json_error_t je;
	json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	if (v == NULL)
		fail_msg("%s: %s", path, je.text);
	return v;
}

/* Evaluates rule (JSON text) against doc (JSON text). */
static enum mf_rule_result
eval(const char *rule, const char *doc, struct mf_rule_eval *ev)
{
	json_t *r = parse(rule), *d = parse(doc);
	struct mf_rule *compiled = NULL;
	struct mf_error err;
	enum mf_rule_result res;

	mf_error_init(&err);
	if (mf_rule_compile(&compiled, r, "/rule", &err) != 0)
		fail_msg("rule %s: %s", rule, err.message);
	res = mf_rule_eval(compiled, d, ev);
	assert_int_equal(res, ev->result);
	mf_rule_free(compiled);
	json_decref(r);
	json_decref(d);
	mf_error_dispose(&err);
	return res;
}

static void
test_rule_disclosed(void **state)
{
	struct mf_rule_eval ev;
	const char *r = "{\"disclosed\": \"/data/size\"}";

	(void)state;
	assert_int_equal(eval(r,
	                      "{\"data\":{\"size\":{\"amount\":1,"
	                      "\"unit\":\"tokens\"}}}",
	                      &ev),
	                 MF_RULE_MET);
	assert_string_equal(ev.pointer, "/data/size");
	assert_string_equal(ev.reason, "");
	assert_int_equal(eval(r,
	                      "{\"data\":{\"size\":{\"status\":"
	                      "\"disclosed\",\"value\":{\"amount\":1}}}}",
	                      &ev),
	                 MF_RULE_MET);
	assert_int_equal(eval(r,
	                      "{\"data\":{\"size\":{\"status\":"
	                      "\"withheld\"}}}",
	                      &ev),
	                 MF_RULE_NOT_MET);
	assert_string_equal(ev.reason, "/data/size is withheld");
	assert_int_equal(eval(r,
	                      "{\"data\":{\"size\":{\"status\":"
	                      "\"unknown\"}}}",
	                      &ev),
	                 MF_RULE_NOT_MET);
	assert_non_null(strstr(ev.reason, "unknown"));
	assert_int_equal(eval(r,
	                      "{\"data\":{\"size\":{\"status\":"
	                      "\"not_applicable\"}}}",
	                      &ev),
	                 MF_RULE_NA);
	assert_int_equal(eval(r, "{\"data\":{}}", &ev), MF_RULE_NOT_MET);
	assert_non_null(strstr(ev.reason, "absent"));
	assert_int_equal(eval(r, "{\"data\":{\"size\":\"\"}}", &ev),
	                 MF_RULE_NOT_MET);
	assert_int_equal(eval(r, "{\"data\":{\"size\":null}}", &ev),
	                 MF_RULE_NOT_MET);
	assert_int_equal(eval(r, "{\"data\":{\"size\":[]}}", &ev),
	                 MF_RULE_NOT_MET);
	/* A withheld section: the reason names the section. */
	assert_int_equal(eval(r, "{\"data\":{\"status\":\"withheld\"}}", &ev),
	                 MF_RULE_NOT_MET);
	assert_string_equal(ev.pointer, "/data");
	assert_string_equal(ev.reason, "/data is withheld");
	/* A disclosed section is read through. */
	assert_int_equal(eval(r,
	                      "{\"data\":{\"status\":\"disclosed\","
	                      "\"value\":{\"size\":{\"amount\":3}}}}",
	                      &ev),
	                 MF_RULE_MET);
	/* Array indices and escaped tokens. */
	assert_int_equal(eval("{\"disclosed\": \"/a/1/b\"}",
	                      "{\"a\":[{},{\"b\":true}]}", &ev),
	                 MF_RULE_MET);
	assert_int_equal(eval("{\"disclosed\": \"/a/2/b\"}",
	                      "{\"a\":[{},{\"b\":true}]}", &ev),
	                 MF_RULE_NOT_MET);
	assert_int_equal(eval("{\"disclosed\": \"/a~1b/c~0d\"}",
	                      "{\"a/b\":{\"c~d\":0}}", &ev),
	                 MF_RULE_MET);
	/* false and 0 are disclosed values. */
	assert_int_equal(eval("{\"disclosed\": \"/x\"}", "{\"x\":false}", &ev),
	                 MF_RULE_MET);
}

static void
test_rule_with(void **state)
{
	struct mf_rule_eval ev;
	const char *r = "{\"disclosed\": \"/c/hw\", \"with\": [\"count\"]}";
	const char *rs = "{\"disclosed\": \"/s\", \"with\": [\"share\"]}";

	(void)state;
	assert_int_equal(
	    eval(r, "{\"c\":{\"hw\":{\"type\":\"G\",\"count\":8}}}", &ev),
	    MF_RULE_MET);
	assert_int_equal(eval(r, "{\"c\":{\"hw\":{\"type\":\"G\"}}}", &ev),
	                 MF_RULE_NOT_MET);
	assert_string_equal(ev.reason, "/c/hw has no count");
	assert_int_equal(eval(r,
	                      "{\"c\":{\"hw\":{\"count\":{\"status\":"
	                      "\"withheld\"}}}}",
	                      &ev),
	                 MF_RULE_NOT_MET);
	assert_string_equal(ev.reason, "/c/hw has no count (withheld)");
	assert_int_equal(eval(r,
	                      "{\"c\":{\"hw\":{\"count\":{\"status\":"
	                      "\"not_applicable\"}}}}",
	                      &ev),
	                 MF_RULE_NA);
	assert_int_equal(eval(r, "{\"c\":{\"hw\":\"eight GPUs\"}}", &ev),
	                 MF_RULE_NOT_MET);
	/* Lists: every item must have the members. */
	assert_int_equal(
	    eval(rs, "{\"s\":[{\"share\":0.5},{\"share\":0.5}]}", &ev),
	    MF_RULE_MET);
	assert_int_equal(
	    eval(rs, "{\"s\":[{\"share\":0.5},{\"name\":\"b\"}]}", &ev),
	    MF_RULE_NOT_MET);
	assert_string_equal(ev.pointer, "/s/1");
	assert_string_equal(ev.reason, "/s/1 has no share");
}

static void
test_rule_operators(void **state)
{
	struct mf_rule_eval ev;

	(void)state;
	assert_int_equal(
	    eval("{\"min_items\": [\"/l\", 3]}", "{\"l\":[1,2]}", &ev),
	    MF_RULE_NOT_MET);
	assert_string_equal(ev.reason, "/l lists 2 items; 3 needed");
	assert_int_equal(
	    eval("{\"min_items\": [\"/l\", 3]}", "{\"l\":[1,2,3]}", &ev),
	    MF_RULE_MET);
	assert_int_equal(
	    eval("{\"min_items\": [\"/l\", 1]}", "{\"l\":\"x\"}", &ev),
	    MF_RULE_NOT_MET);

	assert_int_equal(
	    eval("{\"url\": \"/u\"}", "{\"u\":\"https://x.example/\"}", &ev),
	    MF_RULE_MET);
	assert_int_equal(
	    eval("{\"url\": \"/u\"}", "{\"u\":\"mailto:a@b.c\"}", &ev),
	    MF_RULE_NOT_MET);
	assert_int_equal(eval("{\"url\": \"/u\"}",
	                      "{\"u\":{\"url\":\"http://x.example/\"}}", &ev),
	                 MF_RULE_MET);
	assert_int_equal(eval("{\"url\": \"/u\"}",
	                      "{\"u\":{\"email\":\"a@b.example\"}}", &ev),
	                 MF_RULE_NOT_MET);
	assert_int_equal(eval("{\"url\": \"/u\"}",
	                      "{\"u\":[\"none\",\"https://x.example/\"]}", &ev),
	                 MF_RULE_MET);

	assert_int_equal(
	    eval("{\"equals\": [\"/a\", \"api\"]}", "{\"a\":\"api\"}", &ev),
	    MF_RULE_MET);
	assert_int_equal(eval("{\"equals\": [\"/a\", \"api\"]}",
	                      "{\"a\":{\"status\":\"disclosed\","
	                      "\"value\":\"closed\"}}",
	                      &ev),
	                 MF_RULE_NOT_MET);
	assert_int_equal(
	    eval("{\"in\": [\"/a\", [\"x\", 2]]}", "{\"a\":2}", &ev),
	    MF_RULE_MET);
	assert_int_equal(
	    eval("{\"in\": [\"/a\", [\"x\", 2]]}", "{\"a\":3}", &ev),
	    MF_RULE_NOT_MET);
	assert_int_equal(
	    eval("{\"contains\": [\"/r\", {\"category\":\"bias\"}]}",
	         "{\"r\":[{\"category\":\"cyber\"},{\"category\":"
	         "\"bias\",\"description\":\"d\"}]}",
	         &ev),
	    MF_RULE_MET);
	assert_int_equal(
	    eval("{\"contains\": [\"/r\", {\"category\":\"bias\"}]}",
	         "{\"r\":[{\"category\":\"cyber\"}]}", &ev),
	    MF_RULE_NOT_MET);
	assert_int_equal(eval("{\"contains\": [\"/m\", \"text\"]}",
	                      "{\"m\":[\"image\",\"text\"]}", &ev),
	                 MF_RULE_MET);

	assert_int_equal(eval("{\"status_in\": [\"/a\", [\"withheld\"]]}",
	                      "{\"a\":{\"status\":\"withheld\"}}", &ev),
	                 MF_RULE_MET);
	assert_int_equal(
	    eval("{\"status_in\": [\"/a\", [\"absent\"]]}", "{}", &ev),
	    MF_RULE_MET);
	assert_int_equal(
	    eval("{\"status_in\": [\"/a\", [\"withheld\"]]}", "{\"a\":1}", &ev),
	    MF_RULE_NOT_MET);
	assert_int_equal(eval("{\"status_in\": [\"/a\", [\"withheld\"]]}",
	                      "{\"a\":{\"status\":\"not_applicable\"}}", &ev),
	                 MF_RULE_NA);
}

static void
test_rule_combinators(void **state)
{
	struct mf_rule_eval ev;
	const char *all = "{\"all\": [{\"disclosed\": \"/a\"}, "
	                  "{\"disclosed\": \"/b\"}]}";
	const char *any = "{\"any\": [{\"disclosed\": \"/a\"}, "
	                  "{\"disclosed\": \"/b\"}]}";
	const char *na = "{\"status\":\"not_applicable\"}";
	char doc[128];

	(void)state;
	assert_int_equal(eval(all, "{\"a\":1,\"b\":2}", &ev), MF_RULE_MET);
	assert_int_equal(eval(all, "{\"a\":1}", &ev), MF_RULE_NOT_MET);
	assert_string_equal(ev.pointer, "/b");
	snprintf(doc, sizeof(doc), "{\"a\":1,\"b\":%s}", na);
	assert_int_equal(eval(all, doc, &ev), MF_RULE_NA);
	/* not met beats not applicable in all */
	snprintf(doc, sizeof(doc), "{\"a\":%s}", na);
	assert_int_equal(eval(all, doc, &ev), MF_RULE_NOT_MET);

	assert_int_equal(eval(any, "{\"b\":2}", &ev), MF_RULE_MET);
	assert_string_equal(ev.pointer, "/b");
	assert_int_equal(eval(any, doc, &ev), MF_RULE_NA);
	assert_int_equal(eval(any, "{\"a\":{\"status\":\"withheld\"}}", &ev),
	                 MF_RULE_NOT_MET);
	assert_string_equal(ev.reason,
	                    "/a is withheld; /b is not disclosed (absent)");
	/* Equal reasons are given once. */
	assert_int_equal(eval("{\"any\": [{\"disclosed\": \"/s/a\"}, "
	                      "{\"disclosed\": \"/s/b\"}]}",
	                      "{\"s\":{\"status\":\"withheld\"}}", &ev),
	                 MF_RULE_NOT_MET);
	assert_string_equal(ev.reason, "/s is withheld");
}

static void
expect_compile_error(const char *rule, const char *where)
{
	json_t *r = parse(rule);
	struct mf_rule *compiled = NULL;
	struct mf_error err;

	mf_error_init(&err);
	assert_int_equal(
	    mf_rule_compile(&compiled, r, "/indicators/7/rule", &err),
	    MF_E_SCHEMA);
	assert_null(compiled);
	if (strcmp(err.pointer, where) != 0)
		fail_msg("%s: error at '%s', want '%s' (%s)", rule, err.pointer,
		         where, err.message);
	mf_error_dispose(&err);
	json_decref(r);
}

static void
test_rule_compile_errors(void **state)
{
	(void)state;
	expect_compile_error("{\"revealed\": \"/a\"}", "/indicators/7/rule");
	expect_compile_error("{\"disclosed\": \"/a\", \"url\": \"/b\"}",
	                     "/indicators/7/rule");
	expect_compile_error("{\"url\": \"/a\", \"with\": [\"x\"]}",
	                     "/indicators/7/rule");
	expect_compile_error("{\"disclosed\": \"/a\", \"with\": []}",
	                     "/indicators/7/rule");
	expect_compile_error("{\"disclosed\": \"a/b\"}", "/indicators/7/rule");
	expect_compile_error("{\"disclosed\": \"/a//b\"}",
	                     "/indicators/7/rule");
	expect_compile_error("{\"disclosed\": \"/a~2\"}", "/indicators/7/rule");
	expect_compile_error("{\"min_items\": [\"/a\", 0]}",
	                     "/indicators/7/rule");
	expect_compile_error("{\"min_items\": \"/a\"}", "/indicators/7/rule");
	expect_compile_error("{\"in\": [\"/a\", \"x\"]}", "/indicators/7/rule");
	expect_compile_error("{\"status_in\": [\"/a\", [\"hidden\"]]}",
	                     "/indicators/7/rule");
	expect_compile_error("{\"all\": []}", "/indicators/7/rule");
	expect_compile_error("[\"/a\"]", "/indicators/7/rule");
	expect_compile_error("{\"any\": [{\"disclosed\": \"/a\"}, "
	                     "{\"disclosed\": 3}]}",
	                     "/indicators/7/rule/any/1");
	expect_compile_error(
	    "{\"all\":[{\"all\":[{\"all\":[{\"all\":[{\"all\":[{\"all\":"
	    "[{\"all\":[{\"all\":[{\"all\":[{\"disclosed\":\"/a\"}]}]}]}]}"
	    "]}]}]}]}]}",
	    "/indicators/7/rule/all/0/all/0/all/0/all/0/all/0/all/0/all/0/"
	    "all/0/all/0");
}

/* ------------------------------------------------------------------ */
/* Index loading                                                       */

static const char *const tiny_index =
    "{\"id\": \"tiny\", \"name\": \"Tiny index\", \"version\": \"0.1\","
    " \"domains\": ["
    "  {\"id\": \"up\", \"name\": \"Up\", \"subdomains\": ["
    "    {\"id\": \"data\", \"name\": \"Data\"},"
    "    {\"id\": \"compute\", \"name\": \"Compute\"}]},"
    "  {\"id\": \"down\", \"name\": \"Down\", \"subdomains\": ["
    "    {\"id\": \"data\", \"name\": \"Data use\"}]}],"
    " \"indicators\": ["
    "  {\"id\": \"size\", \"domain\": \"up\", \"subdomain\": \"data\","
    "   \"name\": \"Size\", \"definition\": \"d\","
    "   \"rule\": {\"disclosed\": \"/data/size\"}},"
    "  {\"id\": \"sources\", \"domain\": \"up\", \"subdomain\": \"data\","
    "   \"name\": \"Sources\", \"definition\": \"d\","
    "   \"rule\": {\"min_items\": [\"/data/sources\", 1]}},"
    "  {\"id\": \"energy\", \"domain\": \"up\", \"subdomain\": \"compute\","
    "   \"name\": \"Energy\", \"definition\": \"d\","
    "   \"rule\": {\"disclosed\": \"/compute/energy\"},"
    "   \"allow_not_applicable\": true},"
    "  {\"id\": \"flop\", \"domain\": \"up\", \"subdomain\": \"compute\","
    "   \"name\": \"FLOP\", \"definition\": \"d\","
    "   \"rule\": {\"disclosed\": \"/compute/training_flop\"}},"
    "  {\"id\": \"policy\", \"domain\": \"down\", \"subdomain\": \"data\","
    "   \"name\": \"Policy\", \"definition\": \"d\","
    "   \"rule\": {\"url\": \"/downstream/policy\"}},"
    "  {\"id\": \"judgement\", \"domain\": \"down\", \"subdomain\": \"data\","
    "   \"name\": \"Judgement\", \"definition\": \"needs a human\"}]}";

static struct mf_index *
load_index(const char *text)
{
	json_t *doc = parse(text);
	struct mf_index *idx = NULL;
	struct mf_error err;

	mf_error_init(&err);
	if (mf_index_load(&idx, doc, &err) != 0)
		fail_msg("index: %s", err.message);
	json_decref(doc); /* the index keeps its own reference */
	mf_error_dispose(&err);
	return idx;
}

static void
expect_index_error(const char *text, const char *pointer)
{
	json_t *doc = parse(text);
	struct mf_index *idx = NULL;
	struct mf_error err;

	mf_error_init(&err);
	assert_int_equal(mf_index_load(&idx, doc, &err), MF_E_SCHEMA);
	assert_null(idx);
	if (strcmp(err.pointer, pointer) != 0)
		fail_msg("error at '%s' (%s), want '%s'", err.pointer,
		         err.message, pointer);
	mf_error_dispose(&err);
	json_decref(doc);
}

/* tiny_index with one substitution. */
static void
expect_tiny_error(const char *from, const char *to, const char *pointer)
{
	char buf[4096];
	const char *at = strstr(tiny_index, from);

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - tiny_index),
	         tiny_index, to, at + strlen(from));
	expect_index_error(buf, pointer);
}

static void
test_index_load(void **state)
{
	struct mf_index *idx = load_index(tiny_index);

	(void)state;
	assert_string_equal(mf_index_id(idx), "tiny");
	assert_string_equal(mf_index_version(idx), "0.1");
	assert_int_equal(mf_index_domain_count(idx), 2);
	assert_int_equal(mf_index_subdomain_count(idx), 3);
	assert_int_equal(mf_index_indicator_count(idx), 6);
	assert_int_equal(mf_index_find(idx, "energy"), 2);
	assert_int_equal(mf_index_find(idx, "nope"), -1);
	/* "data" exists in both domains: subdomains are per domain. */
	assert_int_equal(mf_index_indicator(idx, 4)->subdomain, 2);
	assert_true(mf_index_indicator(idx, 2)->allow_na);
	assert_null(mf_index_indicator(idx, 5)->rule);
	assert_null(mf_index_indicator(idx, 6));
	mf_index_free(idx);
	mf_index_free(NULL);

	expect_tiny_error("\"id\": \"sources\"", "\"id\": \"size\"",
	                  "/indicators/1");
	expect_tiny_error("\"domain\": \"down\", \"subdomain\": \"data\",   "
	                  "\"name\": \"Policy\"",
	                  "\"domain\": \"side\", \"subdomain\": \"data\",   "
	                  "\"name\": \"Policy\"",
	                  "/indicators/4");
	expect_tiny_error("\"subdomain\": \"compute\",   \"name\": \"Energy\"",
	                  "\"subdomain\": \"data-use\",   \"name\": \"Energy\"",
	                  "/indicators/2");
	expect_tiny_error("{\"url\": \"/downstream/policy\"}",
	                  "{\"any\": [{\"url\": \"/x\"}, {\"link\": \"/y\"}]}",
	                  "/indicators/4/rule/any/1");
	expect_tiny_error("\"allow_not_applicable\": true",
	                  "\"allow_not_applicable\": \"yes\"", "/indicators/2");
	expect_tiny_error("\"name\": \"Size\"", "\"name\": \"\"",
	                  "/indicators/0");
	expect_tiny_error("\"id\": \"tiny\"", "\"id\": \"Tiny Index\"", "/id");
	expect_tiny_error("{\"id\": \"compute\", \"name\": \"Compute\"}",
	                  "{\"id\": \"data\", \"name\": \"Compute\"}",
	                  "/domains/0/subdomains/1");
	expect_index_error("{\"id\": \"x\", \"name\": \"X\", \"domains\": [],"
	                   " \"indicators\": []}",
	                   "/domains");
	expect_index_error("[]", "");
}

/* ------------------------------------------------------------------ */
/* Scores                                                              */

static struct mf_score *
score(const struct mf_index *idx, const char *doc,
      const struct mf_score_assessment *a, size_t n)
{
	json_t *d = doc != NULL ? parse(doc) : NULL;
	struct mf_score *s = NULL;
	struct mf_error err;

	mf_error_init(&err);
	assert_int_equal(mf_score_compute(&s, idx, d, a, n, &err), 0);
	json_decref(d);
	mf_error_dispose(&err);
	return s;
}

static void
expect_total(const struct mf_score_total *t, unsigned met, unsigned max,
             unsigned na, unsigned unassessed)
{
	assert_int_equal(t->met, met);
	assert_int_equal(t->max, max);
	assert_int_equal(t->not_applicable, na);
	assert_int_equal(t->unassessed, unassessed);
}

static void
test_score_results_and_subtotals(void **state)
{
	struct mf_index *idx = load_index(tiny_index);
	struct mf_score *s;

	(void)state;
	s = score(
	    idx,
	    "{\"data\":{\"size\":{\"amount\":1,\"unit\":\"tokens\"},"
	    "\"sources\":{\"status\":\"withheld\",\"explanation\":\"x\"}},"
	    "\"compute\":{\"energy\":{\"status\":\"not_applicable\"},"
	    "\"training_flop\":{\"status\":\"not_applicable\"}},"
	    "\"downstream\":{\"policy\":\"https://p.example/\"}}",
	    NULL, 0);
	assert_int_equal(s->items[0].result, MF_SCORE_MET);
	assert_string_equal(s->items[0].judged_by, MF_SCORE_JUDGE_REGISTRY);
	assert_null(s->items[0].reason);
	assert_int_equal(s->items[1].result, MF_SCORE_NOT_MET);
	assert_string_equal(s->items[1].pointer, "/data/sources");
	assert_string_equal(s->items[1].reason, "/data/sources is withheld");
	/* energy may be not applicable; flop may not. */
	assert_int_equal(s->items[2].result, MF_SCORE_NOT_APPLICABLE);
	assert_int_equal(s->items[3].result, MF_SCORE_NOT_MET);
	assert_non_null(strstr(s->items[3].reason, "always applies"));
	assert_int_equal(s->items[4].result, MF_SCORE_MET);
	assert_int_equal(s->items[5].result, MF_SCORE_UNASSESSED);
	assert_null(s->items[5].judged_by);

	expect_total(&s->total, 2, 5, 1, 1);
	expect_total(&s->domains[0], 1, 3, 1, 0);
	expect_total(&s->domains[1], 1, 2, 0, 1);
	expect_total(&s->subdomains[0], 1, 2, 0, 0); /* up/data */
	expect_total(&s->subdomains[1], 0, 1, 1, 0); /* up/compute */
	expect_total(&s->subdomains[2], 1, 2, 0, 1); /* down/data */
	expect_total(mf_score_domain(s, "down"), 1, 2, 0, 1);
	assert_null(mf_score_domain(s, "sideways"));
	mf_score_free(s);

	/* No disclosure at all: every rule fails, nothing is n.a. */
	s = score(idx, NULL, NULL, 0);
	expect_total(&s->total, 0, 6, 0, 1);
	assert_non_null(strstr(s->items[0].reason, "absent"));
	mf_score_free(s);
	mf_index_free(idx);
}

static void
test_assessment_override(void **state)
{
	struct mf_index *idx = load_index(tiny_index);
	json_t *a1 =
	    parse("{\"type\":\"assessment\",\"index\":\"tiny\",\"scores\":{"
	          "\"size\":{\"score\":0,\"justification\":\"Only a vague "
	          "range.\",\"references\":[\"https://r.example/1\"]},"
	          "\"sources\":{\"score\":1},"
	          "\"energy\":{\"score\":0},"
	          "\"judgement\":{\"score\":1,\"justification\":\"Clear.\"},"
	          "\"not-an-indicator\":{\"score\":1}}}");
	json_t *a2 = parse("{\"type\":\"assessment\",\"index\":\"tiny\","
	                   "\"scores\":{\"sources\":{\"score\":0}}}");
	json_t *other = parse("{\"type\":\"assessment\",\"index\":\"other\","
	                      "\"scores\":{\"flop\":{\"score\":1}}}");
	struct mf_score_assessment as[3] = {
	    {a1, "watchdog"}, {other, "elsewhere"}, {a2, "auditor"}};
	struct mf_score *s;
	json_t *j, *judges;

	(void)state;
	s = score(idx,
	          "{\"data\":{\"size\":{\"amount\":1,\"unit\":\"tokens\"}},"
	          "\"compute\":{\"energy\":{\"status\":\"not_applicable\"}}}",
	          as, 3);
	/* Overridden down: met -> not met, by the assessor. */
	assert_int_equal(s->items[0].result, MF_SCORE_NOT_MET);
	assert_string_equal(s->items[0].judged_by, "watchdog");
	assert_null(s->items[0].reason);
	/* The later assessment wins. */
	assert_int_equal(s->items[1].result, MF_SCORE_NOT_MET);
	assert_string_equal(s->items[1].judged_by, "auditor");
	/* A grade counts even where the disclosure said n.a. */
	assert_int_equal(s->items[2].result, MF_SCORE_NOT_MET);
	/* Other indices' assessments do not apply. */
	assert_int_equal(s->items[3].result, MF_SCORE_NOT_MET);
	assert_string_equal(s->items[3].judged_by, MF_SCORE_JUDGE_REGISTRY);
	/* Indicators without rules are graded only by assessments. */
	assert_int_equal(s->items[5].result, MF_SCORE_MET);
	expect_total(&s->total, 1, 6, 0, 0);

	j = mf_score_json(s);
	assert_non_null(j);
	judges = json_object_get(j, "judged_by");
	assert_int_equal(json_array_size(judges), 3);
	assert_string_equal(json_string_value(json_array_get(judges, 0)),
	                    "auditor");
	assert_string_equal(json_string_value(json_array_get(judges, 1)),
	                    "registry");
	assert_string_equal(json_string_value(json_array_get(judges, 2)),
	                    "watchdog");
	assert_string_equal(
	    mf_json_str(json_array_get(json_object_get(j, "indicators"), 0),
	                "justification"),
	    "Only a vague range.");
	assert_true(json_is_array(
	    json_object_get(json_array_get(json_object_get(j, "indicators"), 0),
	                    "references")));
	json_decref(j);
	mf_score_free(s);
	json_decref(a1);
	json_decref(a2);
	json_decref(other);
	mf_index_free(idx);
}

/* One assessor scored alone: its grades and nothing else, no rule runs. */
static void
test_grades_alone(void **state)
{
	struct mf_index *idx = load_index(tiny_index);
	json_t *a1 = parse("{\"type\":\"assessment\",\"index\":\"tiny\","
	                   "\"scores\":{\"size\":{\"score\":1},"
	                   "\"sources\":{\"score\":1},"
	                   "\"judgement\":{\"score\":0}}}");
	json_t *a2 = parse("{\"type\":\"assessment\",\"index\":\"tiny\","
	                   "\"scores\":{\"sources\":{\"score\":0}}}");
	json_t *other = parse("{\"type\":\"assessment\",\"index\":\"other\","
	                      "\"scores\":{\"flop\":{\"score\":1}}}");
	struct mf_score_assessment as[3] = {
	    {a1, "watchdog"}, {other, "elsewhere"}, {a2, "watchdog"}};
	struct mf_score *s = NULL;
	struct mf_error err;
	json_t *j;
	size_t i;

	(void)state;
	mf_error_init(&err);
	assert_int_equal(mf_score_grades(&s, idx, as, 1, &err), 0);
	assert_int_equal(s->items[0].result, MF_SCORE_MET);
	assert_string_equal(s->items[0].judged_by, "watchdog");
	assert_int_equal(s->items[5].result, MF_SCORE_NOT_MET);
	/* Not graded: unassessed, judged by nobody, counted in the max;
	 * an indicator with a rule is not evaluated either. */
	for (i = 2; i < 5; i++) {
		assert_int_equal(s->items[i].result, MF_SCORE_UNASSESSED);
		assert_null(s->items[i].judged_by);
		assert_null(s->items[i].pointer);
		assert_non_null(s->items[i].reason);
	}
	expect_total(&s->total, 2, 6, 0, 3);
	j = mf_score_json(s);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "judged_by")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "not_met")), 1);
	json_decref(j);
	mf_score_free(s);

	/* The same judge's later assessment, in order, wins; other indices
	 * are ignored. */
	assert_int_equal(mf_score_grades(&s, idx, as, 3, &err), 0);
	assert_int_equal(s->items[1].result, MF_SCORE_NOT_MET);
	expect_total(&s->total, 1, 6, 0, 3);
	mf_score_free(s);

	/* No assessment: everything unassessed, nothing met. */
	assert_int_equal(mf_score_grades(&s, idx, NULL, 0, &err), 0);
	expect_total(&s->total, 0, 6, 0, 6);
	mf_score_free(s);
	mf_error_dispose(&err);
	json_decref(a1);
	json_decref(a2);
	json_decref(other);
	mf_index_free(idx);
}

static void
test_score_json_deterministic(void **state)
{
	struct mf_index *idx = load_index(tiny_index);
	const char *d1 = "{\"data\":{\"size\":{\"amount\":1,\"unit\":"
	                 "\"tokens\"},\"sources\":[]},\"downstream\":{}}";
	const char *d2 = "{\"downstream\":{},\"data\":{\"sources\":[],"
	                 "\"size\":{\"unit\":\"tokens\",\"amount\":1}}}";
	struct mf_score *s1 = score(idx, d1, NULL, 0);
	struct mf_score *s2 = score(idx, d2, NULL, 0);
	struct mf_score *s3 = score(idx, d1, NULL, 0);
	json_t *j1 = mf_score_json(s1), *j2 = mf_score_json(s2);
	json_t *j3 = mf_score_json(s3), *dom;
	char *t1 = mf_json_dump(j1), *t2 = mf_json_dump(j2);
	char *t3 = mf_json_dump(j3);

	(void)state;
	assert_string_equal(t1, t2);
	assert_string_equal(t1, t3);
	/* Shape: totals, domains in index order with subdomains. */
	assert_int_equal(json_integer_value(json_object_get(j1, "score")), 1);
	assert_int_equal(json_integer_value(json_object_get(j1, "max")), 6);
	assert_int_equal(json_integer_value(json_object_get(j1, "not_met")), 4);
	assert_int_equal(json_integer_value(json_object_get(j1, "unassessed")),
	                 1);
	assert_string_equal(mf_json_str(j1, "index"), "tiny");
	assert_string_equal(mf_json_str(j1, "index_version"), "0.1");
	dom = json_array_get(json_object_get(j1, "domains"), 1);
	assert_string_equal(mf_json_str(dom, "id"), "down");
	assert_int_equal(json_array_size(json_object_get(dom, "subdomains")),
	                 1);
	assert_string_equal(
	    mf_json_str(json_array_get(json_object_get(j1, "indicators"), 1),
	                "result"),
	    "not_met");
	/* Sorted keys: "domains" precedes "index" in the text. */
	assert_true(strstr(t1, "\"domains\"") < strstr(t1, "\"index\""));
	free(t1);
	free(t2);
	free(t3);
	json_decref(j1);
	json_decref(j2);
	json_decref(j3);
	mf_score_free(s1);
	mf_score_free(s2);
	mf_score_free(s3);
	mf_index_free(idx);
}

/* ------------------------------------------------------------------ */
/* The embedded modelfacts-v1 index                                    */

struct schema_ref {
	const json_t *node;
	const json_t *doc; /* the document the node lives in */
};

static const json_t *schemas[2]; /* disclosure, common */

/* Follows $ref (local or to common.v1.json) once. */
static struct schema_ref
deref(struct schema_ref s)
{
	const char *ref = mf_json_str(s.node, "$ref");
	const char *hash;

	if (ref == NULL)
		return s;
	hash = strchr(ref, '#');
	assert_non_null(hash);
	if (hash != ref) {
		assert_int_equal(strncmp(ref, "common.v1.json#", 15), 0);
		s.doc = schemas[1];
	}
	s.node = mf_json_pointer_get((json_t *)s.doc, hash + 1);
	assert_non_null(s.node);
	return s;
}

/* Finds the schema of member tok under s, through $ref, anyOf/oneOf/
 * allOf branches and array items. */
static bool
member(struct schema_ref s, const char *tok, struct schema_ref *out, int depth)
{
	const char *const combos[] = {"anyOf", "oneOf", "allOf"};
	const json_t *p;
	size_t i, c;

	if (depth > 20)
		return false;
	if ((p = json_object_get(json_object_get(s.node, "properties"), tok)) !=
	        NULL &&
	    json_is_object(p)) {
		out->node = p;
		out->doc = s.doc;
		return true;
	}
	if (json_object_get(s.node, "$ref") != NULL &&
	    member(deref(s), tok, out, depth + 1))
		return true;
	if ((p = json_object_get(s.node, "items")) != NULL) {
		struct schema_ref it = {p, s.doc};

		if (member(it, tok, out, depth + 1))
			return true;
	}
	for (c = 0; c < 3; c++) {
		const json_t *list = json_object_get(s.node, combos[c]);

		for (i = 0; i < json_array_size(list); i++) {
			struct schema_ref b = {json_array_get(list, i), s.doc};

			if (member(b, tok, out, depth + 1))
				return true;
		}
	}
	return false;
}

static void
check_rule_fields(const json_t *rule, const char *indicator)
{
	const char *ops[] = {"disclosed", "url",      "min_items", "equals",
	                     "in",        "contains", "status_in"};
	const json_t *ptr = NULL, *list;
	struct schema_ref s = {schemas[0], schemas[0]}, next;
	char buf[256], *tok, *save = NULL;
	size_t i;

	for (i = 0; i < 2; i++) {
		list = json_object_get(rule, i == 0 ? "all" : "any");
		for (size_t k = 0; k < json_array_size(list); k++)
			check_rule_fields(json_array_get(list, k), indicator);
		if (list != NULL)
			return;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]) && ptr == NULL; i++) {
		ptr = json_object_get(rule, ops[i]);
		if (json_is_array(ptr))
			ptr = json_array_get(ptr, 0);
	}
	assert_true(json_is_string(ptr));
	snprintf(buf, sizeof(buf), "%s", json_string_value(ptr));
	for (tok = strtok_r(buf, "/", &save); tok != NULL;
	     tok = strtok_r(NULL, "/", &save)) {
		if (!member(s, tok, &next, 0))
			fail_msg("%s: %s: no member '%s' in the disclosure "
			         "schema",
			         indicator, json_string_value(ptr), tok);
		s = next;
	}
	list = json_object_get(rule, "with");
	for (i = 0; i < json_array_size(list); i++)
		if (!member(s, json_string_value(json_array_get(list, i)),
		            &next, 0))
			fail_msg("%s: %s has no member '%s'", indicator,
			         json_string_value(ptr),
			         json_string_value(json_array_get(list, i)));
}

static json_t *
embedded_json(const char *name)
{
	const struct mf_embedded *e = mf_embedded_get(name);
	struct mf_error err;
	json_t *v;

	assert_non_null(e);
	mf_error_init(&err);
	v = mf_json_parse((const char *)e->data, e->len, name, NULL, &err);
	if (v == NULL)
		fail_msg("%s: %s", name, err.message);
	return v;
}

static void
test_modelfacts_v1(void **state)
{
	const struct mf_index *idx = mf_index_modelfacts_v1();
	const json_t *inds;
	json_t *disc, *common;
	unsigned per_domain[3] = {0, 0, 0};
	size_t i;

	(void)state;
	assert_non_null(idx);
	assert_string_equal(mf_index_id(idx), MF_INDEX_MODELFACTS_V1);
	assert_int_equal(mf_index_indicator_count(idx), 100);
	assert_int_equal(mf_index_domain_count(idx), 3);
	assert_string_equal(mf_index_domain(idx, 0)->id, "upstream");
	assert_string_equal(mf_index_domain(idx, 1)->id, "model");
	assert_string_equal(mf_index_domain(idx, 2)->id, "downstream");
	for (i = 0; i < 100; i++) {
		const struct mf_index_indicator *ind =
		    mf_index_indicator(idx, i);

		assert_non_null(ind->rule);
		assert_true(strlen(ind->definition) >= 20);
		per_domain[ind->domain]++;
	}
	assert_int_equal(per_domain[0] + per_domain[1] + per_domain[2], 100);
	assert_true(per_domain[0] >= 25 && per_domain[1] >= 25 &&
	            per_domain[2] >= 25);

	/* Every rule names fields that exist in the disclosure schema. */
	disc = embedded_json("schema/disclosure.v1.json");
	common = embedded_json("schema/common.v1.json");
	schemas[0] = disc;
	schemas[1] = common;
	inds = json_object_get(mf_index_document(idx), "indicators");
	for (i = 0; i < json_array_size(inds); i++)
		check_rule_fields(
		    json_object_get(json_array_get(inds, i), "rule"),
		    mf_json_str(json_array_get(inds, i), "id"));
	json_decref(disc);
	json_decref(common);
}

static void *
get_index(void *arg)
{
	(void)arg;
	return (void *)mf_index_modelfacts_v1();
}

static void
test_modelfacts_v1_threads(void **state)
{
	pthread_t t[8];
	void *got[8];
	size_t i;

	(void)state;
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, get_index, NULL),
		                 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], &got[i]), 0);
		assert_ptr_equal(got[i], got[0]);
	}
	assert_ptr_equal(got[0], mf_index_modelfacts_v1());
}

/* The examples: the fully open model meets nearly everything, the API
 * model less, the sparse one little; n.a. only where allowed. */
static void
test_example_scores(void **state)
{
	static const char *const files[] = {"examples/disclosure-open.json",
	                                    "examples/disclosure-api.json",
	                                    "examples/disclosure-sparse.json"};
	const struct mf_index *idx = mf_index_modelfacts_v1();
	unsigned met[3];
	struct mf_error err;
	size_t f, i;

	(void)state;
	mf_error_init(&err);
	for (f = 0; f < 3; f++) {
		json_t *d = load_file(files[f]);
		struct mf_score *s = NULL;

		assert_int_equal(mf_score_compute(&s, idx, d, NULL, 0, &err),
		                 0);
		met[f] = s->total.met;
		assert_int_equal(s->total.unassessed, 0);
		assert_int_equal(s->total.max + s->total.not_applicable, 100);
		for (i = 0; i < s->n_items; i++) {
			const struct mf_score_item *it = &s->items[i];

			if (it->result == MF_SCORE_NOT_APPLICABLE)
				assert_true(
				    mf_index_indicator(idx, i)->allow_na);
			if (it->result == MF_SCORE_NOT_MET) {
				assert_non_null(it->reason);
				assert_non_null(it->pointer);
				assert_int_equal(it->pointer[0], '/');
			}
		}
		if (f == 0) {
			/* What the open example leaves out, and nothing
			 * else. */
			for (i = 0; i < s->n_items; i++) {
				const char *id = mf_index_indicator(idx, i)->id;
				bool gap =
				    strcmp(id, "usage-sectors") == 0 ||
				    strcmp(id, "content-provenance") == 0;
				bool na =
				    strcmp(id, "active-parameters") == 0 ||
				    strcmp(id, "base-models") == 0;

				assert_int_equal(s->items[i].result,
				                 gap  ? MF_SCORE_NOT_MET
				                 : na ? MF_SCORE_NOT_APPLICABLE
				                      : MF_SCORE_MET);
			}
		}
		mf_score_free(s);
		json_decref(d);
	}
	assert_true(met[0] > met[1] && met[1] > met[2]);
	assert_true(met[2] < 25);
	mf_error_dispose(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule_disclosed),
	    cmocka_unit_test(test_rule_with),
	    cmocka_unit_test(test_rule_operators),
	    cmocka_unit_test(test_rule_combinators),
	    cmocka_unit_test(test_rule_compile_errors),
	    cmocka_unit_test(test_index_load),
	    cmocka_unit_test(test_score_results_and_subtotals),
	    cmocka_unit_test(test_assessment_override),
	    cmocka_unit_test(test_grades_alone),
	    cmocka_unit_test(test_score_json_deterministic),
	    cmocka_unit_test(test_modelfacts_v1),
	    cmocka_unit_test(test_modelfacts_v1_threads),
	    cmocka_unit_test(test_example_scores),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
