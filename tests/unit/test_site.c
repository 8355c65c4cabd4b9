/* Unit tests for site/ and the captured requests of http/: hostile text
 * escaped and bidi controls neutralised in every page piece, empty
 * states, the model page of a 100-indicator label under 100 KB, and a
 * captured request's answers (JSON, bytes, errors, 404) and refusals
 * (suspend, streams). */
#include "common/error.h"
#include "common/json.h"
#include "common/stopwatch.h"
#include "http/http.h"
#include "labels/label.h"
#include "site/model.h"
#include "site/page.h"
#include "site/rows.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

static const char *const hostile[] = {
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "[x](javascript:alert(1))",
    "\xe2\x80\xae"
    "evil\xe2\x81\xa6"
    "x\xe2\x80\xab", /* U+202E U+2066 U+202B */
    "</textarea></title><svg onload=alert(1)>",
};
#define N_HOSTILE (sizeof(hostile) / sizeof(hostile[0]))

static struct mf_request fake_req;

static void
page_new(struct mf_page *p)
{
	memset(&fake_req, 0, sizeof(fake_req));
	mf_page_init(p, &fake_req);
}

/* Nothing of the hostile corpus may survive as markup: no injected
 * element, no event handler or style attribute in any tag, no
 * javascript: link, no bidi control. Escaped text has no raw '<', so
 * every tag seen is one the page wrote. */
static void
assert_inert(const char *html)
{
	const char *s = html, *end;

	while ((s = strchr(s, '<')) != NULL) {
		char tag[4096];
		size_t n;

		end = strchr(s, '>');
		assert_non_null(end);
		size_t i, q = 0;

		/* the tag without its quoted values (escaped text) */
		for (n = 0, i = 0; s + i < end && n < sizeof(tag) - 1; i++) {
			if (s[i] == '"')
				q ^= 1;
			else if (!q)
				tag[n++] = s[i];
		}
		tag[n] = '\0';
		if (strncmp(s, "<a href=\"javascript", 19) == 0)
			fail_msg("javascript: link");
		if (strstr(tag, " on") != NULL) {
			const char *a = strstr(tag, " on");

			while (a != NULL) {
				size_t k = 3;

				while (a[k] >= 'a' && a[k] <= 'z')
					k++;
				if (a[k] == '=')
					fail_msg("event handler in <%s>", tag);
				a = strstr(a + 1, " on");
			}
		}
		if (strstr(tag, " style=") != NULL ||
		    strncmp(tag, "<img", 4) == 0 ||
		    strncmp(tag, "<svg", 4) == 0 ||
		    (strncmp(tag, "<script", 7) == 0 &&
		     strncmp(s, "<script src=\"/static/site.js", 28) != 0))
			fail_msg("injected markup: <%s>", tag);
		s = end + 1;
	}
	assert_null(strstr(html, "\xe2\x80\xae")); /* U+202E */
	assert_null(strstr(html, "\xe2\x80\xab")); /* U+202B */
	assert_null(strstr(html, "\xe2\x81\xa6")); /* U+2066 */
}

static void
test_text_escaped(void **state)
{
	struct mf_page p;
	size_t i;

	(void)state;
	page_new(&p);
	mf_page_begin(&p, hostile[0], NULL, hostile[1]);
	for (i = 0; i < N_HOSTILE; i++) {
		mf_page_raw(&p, "<p title=\"");
		mf_page_text(&p, hostile[i]);
		mf_page_raw(&p, "\">");
		mf_page_text(&p, hostile[i]);
		mf_page_text_pre(&p, hostile[i]);
		mf_page_ext_link(&p, hostile[i], hostile[i]);
		mf_page_raw(&p, "</p>");
	}
	mf_page_end(&p);
	assert_int_equal(p.rc, 0);
	assert_inert(p.out.data);
	assert_non_null(strstr(p.out.data, "&lt;script&gt;alert(1)"));
	/* the bidi override shown as U+FFFD, not applied */
	assert_non_null(strstr(p.out.data, "\xef\xbf\xbd"
	                                   "evil"));
	mf_page_dispose(&p);
}

static void
test_links_http_only(void **state)
{
	struct mf_page p;

	(void)state;
	page_new(&p);
	mf_page_ext_link(&p, "https://example.org/a?b=1&c=2", "doc");
	mf_page_ext_link(&p, "javascript:alert(1)", "x");
	mf_page_ext_link(&p, "data:text/html,<b>", "y");
	mf_page_ext_link(&p, "http://example.org/\"onclick=", "z");
	assert_int_equal(p.rc, 0);
	assert_non_null(strstr(
	    p.out.data, "<a href=\"https://example.org/a?b=1&amp;c=2\""));
	assert_null(strstr(p.out.data, "href=\"javascript"));
	assert_null(strstr(p.out.data, "href=\"data"));
	assert_null(strstr(p.out.data, "onclick=\""));
	assert_int_equal(strstr(p.out.data + 1, "<a ") == NULL, 1);
	mf_page_dispose(&p);
}

static void
test_model_rows_hostile_and_empty(void **state)
{
	struct mf_page p;
	json_t *rows = json_array();
	size_t i;

	(void)state;
	for (i = 0; i < N_HOSTILE; i++)
		json_array_append_new(
		    rows,
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:{s:s, s:s, "
		              "s:i, s:i}}",
		              "org", "acme", "model",
		              i == 0 ? "x\"><script>" : "atlas", "name",
		              hostile[i], "developer", hostile[i], "license",
		              hostile[i], "version", 1, "judgement", "index",
		              "modelfacts-v1", "judge", hostile[i], "score", 3,
		              "max", 10));
	page_new(&p);
	mf_site_model_rows(&p, rows, "results");
	assert_int_equal(p.rc, 0);
	assert_inert(p.out.data);
	/* a model id that is not a slug is never linked */
	assert_null(strstr(p.out.data, "href=\"/models/acme/x"));
	assert_non_null(strstr(p.out.data, "href=\"/models/acme/atlas\""));
	assert_non_null(strstr(p.out.data, "class=\"mf-fill mf-w-30\""));
	mf_page_dispose(&p);
	page_new(&p);
	json_array_clear(rows);
	mf_site_model_rows(&p, rows, "results");
	assert_non_null(strstr(p.out.data, "No models match."));
	assert_null(strstr(p.out.data, "<ol"));
	mf_page_dispose(&p);
	json_decref(rows);
}

static json_t *
load(const char *path)
{
	json_error_t e;
	json_t *v = json_load_file(path, 0, &e);

	if (v == NULL)
		fail_msg("%s: %s", path, e.text);
	return v;
}

/* A judge's 100 indicators, each with a realistic justification. */
static json_t *
judgement(const char *judge, int met_every)
{
	json_t *inds = json_array();
	char id[32], name[64], why[200];
	int k;

	for (k = 0; k < 100; k++) {
		snprintf(id, sizeof(id), "ind-%d", k);
		snprintf(name, sizeof(name), "Indicator number %d", k);
		snprintf(why, sizeof(why),
		         "The developer's report states this in section %d "
		         "with figures and a link to the supporting "
		         "documentation.",
		         k);
		json_array_append_new(
		    inds,
		    json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "name",
		              name, "result", k % met_every ? "met" : "not_met",
		              "justification", why, "domain", "upstream"));
	}
	return json_pack("{s:s, s:s, s:s, s:{s:o}}", "index", "modelfacts-v1",
	                 "index_name", "modelfacts transparency index", "judge",
	                 judge, "score", "indicators", inds);
}

static void
test_model_page_100_indicators(void **state)
{
	struct mf_site_model v = {0};
	struct mf_buf frag = MF_BUF_INIT;
	struct mf_page p;
	struct timespec t0, t1;
	double ms;

	(void)state;
	v.org = "quillon";
	v.model = "q-mini";
	v.public_url = "https://registry.example";
	v.version = 2;
	v.label = load("tests/fixtures/labels/golden/folded.label.json");
	v.versions =
	    json_pack("{s:[{s:i, s:s}, {s:i, s:s}]}", "versions", "version", 1,
	              "accepted_at", "2026-01-01T00:00:00Z", "version", 2,
	              "accepted_at", "2026-02-01T00:00:00Z");
	v.history = json_pack("{s:[]}", "history");
	v.judgements = json_pack("{s:[o, o]}", "judgements",
	                         judgement("fmti", 3), judgement("auto", 4));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(
	    mf_label_render(&frag, v.label, MF_LABEL_HTML_FRAGMENT), 0);
	page_new(&p);
	mf_site_model_render(&p, &v, frag.data, false);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_int_equal(p.rc, 0);
	printf("model page of a 100-indicator label: %zu bytes, rendered in "
	       "%.2f ms\n",
	       p.out.len, ms);
	assert_true(p.out.len < 100 * 1024);
	assert_non_null(strstr(p.out.data, "<article class=\"mf-label\">"));
	assert_non_null(strstr(p.out.data, "Indicator number 99"));
	assert_non_null(strstr(p.out.data, "id=\"version\""));
	assert_non_null(strstr(p.out.data, "verify-commit"));
	assert_null(strstr(p.out.data, " style="));
	mf_page_dispose(&p);
	mf_buf_dispose(&frag);
	json_decref(v.label);
	json_decref(v.versions);
	json_decref(v.history);
	json_decref(v.judgements);
}

static void
test_model_page_hostile_label(void **state)
{
	struct mf_site_model v = {0};
	struct mf_buf frag = MF_BUF_INIT;
	struct mf_page p;

	(void)state;
	v.org = "acme";
	v.model = "atlas";
	v.public_url = "http://127.0.0.1:8080";
	v.version = 1;
	v.label = load("tests/fixtures/labels/golden/hostile.label.json");
	v.judgements =
	    json_pack("{s:[o]}", "judgements", judgement(hostile[1], 2));
	assert_int_equal(
	    mf_label_render(&frag, v.label, MF_LABEL_HTML_FRAGMENT), 0);
	page_new(&p);
	mf_site_model_render(&p, &v, frag.data, false);
	assert_int_equal(p.rc, 0);
	assert_inert(p.out.data);
	mf_page_dispose(&p);
	mf_buf_dispose(&frag);
	json_decref(v.label);
	json_decref(v.judgements);
}

static void
test_empty_model_page(void **state)
{
	struct mf_site_model v = {0};
	struct mf_page p;

	(void)state;
	v.org = "acme";
	v.model = "nothing";
	v.public_url = "http://127.0.0.1:8080";
	page_new(&p);
	mf_site_model_render(&p, &v, NULL, false);
	assert_int_equal(p.rc, 0);
	assert_non_null(strstr(p.out.data, "</html>"));
	assert_null(strstr(p.out.data, "Provenance"));
	mf_page_dispose(&p);
}

static void
test_query_string(void **state)
{
	struct mf_buf b = MF_BUF_INIT;

	(void)state;
	assert_int_equal(mf_page_qs(&b, "q", "a b&c=d#e"), 0);
	assert_int_equal(mf_page_qs(&b, "model", "acme/atlas"), 0);
	assert_int_equal(mf_page_qs(&b, "org", ""), 0);
	assert_string_equal(b.data, "?q=a%20b%26c%3Dd%23e&model=acme/atlas");
	mf_buf_dispose(&b);
	assert_true(mf_page_list_has("open_weights,api", "api"));
	assert_false(mf_page_list_has("open_weights,api", "open"));
}

/* ---- captured requests ---- */

static int
h_json(struct mf_request *req)
{
	const char *q = mf_http_query(req, "q");

	return mf_http_respond_json(
	    req, 200, json_pack("{s:s?, s:s}", "q", q, "path", req->path));
}

static int
h_bytes(struct mf_request *req)
{
	static const char body[] = "{\"n\": 3}";

	return mf_http_respond(req, 200, "application/json", body,
	                       sizeof(body) - 1, true);
}

static int
h_text(struct mf_request *req)
{
	return mf_http_respond(req, 200, "text/plain", "line 1\nline 2\n", 14,
	                       true);
}

static int
h_bad(struct mf_request *req)
{
	return mf_error_set(&req->err, MF_E_BAD_PARAM, "/query/x",
	                    "query parameter 'x' is wrong");
}

static int
h_suspend(struct mf_request *req)
{
	mf_http_suspend(req, h_json);
	return 0;
}

static long
fill(void *cls, char *buf, size_t max)
{
	(void)cls;
	(void)buf;
	(void)max;
	return 0;
}

static int done_called;

static void
done(void *cls)
{
	(void)cls;
	done_called++;
}

static int
h_stream(struct mf_request *req)
{
	return mf_http_respond_stream(req, 200, "text/csv", fill, done, NULL);
}

static int
count_args(void *ctx, const char *name, const char *value)
{
	(void)name;
	(void)value;
	(*(int *)ctx)++;
	return 0;
}

static int
h_each(struct mf_request *req)
{
	int n = 0;

	mf_http_query_each(req, count_args, &n);
	return mf_http_respond_json(req, 200, json_pack("{s:i}", "n", n));
}

static const struct mf_route routes[] = {
    {"GET", "/json/{x}", h_json},   {"GET", "/bytes", h_bytes},
    {"GET", "/text", h_text},       {"GET", "/bad", h_bad},
    {"GET", "/suspend", h_suspend}, {"GET", "/stream", h_stream},
    {"GET", "/each", h_each},
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static void
capture(const char *target, struct mf_capture *c)
{
	assert_int_equal(
	    mf_http_capture_routes(routes, N_ROUTES, NULL, "t", target, c), 0);
}

static void
test_capture_answers(void **state)
{
	struct mf_capture c;

	(void)state;
	capture("/json/1?q=gran%20ite+x&other=1", &c);
	assert_int_equal(c.status, 200);
	assert_string_equal(json_string_value(json_object_get(c.json, "q")),
	                    "gran ite x");
	assert_string_equal(json_string_value(json_object_get(c.json, "path")),
	                    "/json/1");
	mf_http_capture_dispose(&c);

	capture("/bytes", &c);
	assert_int_equal(c.status, 200);
	assert_int_equal(json_integer_value(json_object_get(c.json, "n")), 3);
	mf_http_capture_dispose(&c);

	capture("/text", &c);
	assert_null(c.json);
	assert_string_equal(c.body.data, "line 1\nline 2\n");
	assert_string_equal(c.content_type, "text/plain");
	mf_http_capture_dispose(&c);

	capture("/each?a=1&a=2&b", &c);
	assert_int_equal(json_integer_value(json_object_get(c.json, "n")), 3);
	mf_http_capture_dispose(&c);
}

static void
test_capture_errors_and_refusals(void **state)
{
	struct mf_capture c;
	json_t *e;

	(void)state;
	capture("/bad", &c);
	assert_int_equal(c.status, 400);
	e = json_object_get(c.json, "error");
	assert_string_equal(json_string_value(json_object_get(e, "code")),
	                    "invalid_parameter");
	mf_http_capture_dispose(&c);

	capture("/nowhere", &c);
	assert_int_equal(c.status, 404);
	mf_http_capture_dispose(&c);

	capture("/suspend", &c);
	assert_int_equal(c.status, 500);
	assert_true(c.refused);
	mf_http_capture_dispose(&c);

	done_called = 0;
	capture("/stream", &c);
	assert_int_equal(c.status, 500);
	assert_true(c.refused);
	assert_int_equal(done_called, 1);
	mf_http_capture_dispose(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_escaped),
	    cmocka_unit_test(test_links_http_only),
	    cmocka_unit_test(test_model_rows_hostile_and_empty),
	    cmocka_unit_test(test_model_page_100_indicators),
	    cmocka_unit_test(test_model_page_hostile_label),
	    cmocka_unit_test(test_empty_model_page),
	    cmocka_unit_test(test_query_string),
	    cmocka_unit_test(test_capture_answers),
	    cmocka_unit_test(test_capture_errors_and_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
