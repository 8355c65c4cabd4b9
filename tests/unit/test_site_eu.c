/*
 * Unit tests for site/eu.c without a server: the EU AI Act page rendered
 * from views that formats/eu_ai_act.c builds, with hostile text in every
 * string the page shows (no markup survives, bidi controls replaced,
 * only http(s) links), every item shown with its status, an empty view,
 * and the dashboard's section over models without a disclosure (which
 * needs no captured request).
 */
#include "common/json.h"
#include "formats/eu_ai_act.h"
#include "http/http.h"
#include "site/eu.h"
#include "site/page.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *const hostile[] = {
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "\xe2\x80\xae"
    "evil\xe2\x81\xa6", /* U+202E, U+2066 */
    "</dd></dl><svg onload=alert(1)>",
};
#define N_HOSTILE (sizeof(hostile) / sizeof(hostile[0]))

static struct mf_request fake_req;

static void
page_new(struct mf_page *p)
{
	memset(&fake_req, 0, sizeof(fake_req));
	mf_page_init(p, &fake_req);
}

/* Every tag in html is one the page wrote: no script but the site's, no
 * img or svg, no attribute starting "on", no javascript: href; and no
 * bidi control anywhere. Escaped text has no raw '<'. */
static void
assert_inert(const char *html)
{
	const char *s = html, *end;

	while ((s = strchr(s, '<')) != NULL) {
		char tag[4096];
		size_t n = 0, i;
		int quoted = 0;

		end = strchr(s, '>');
		assert_non_null(end);
		for (i = 0; s + i < end && n < sizeof(tag) - 1; i++) {
			if (s[i] == '"')
				quoted ^= 1;
			else if (!quoted)
				tag[n++] = s[i];
		}
		tag[n] = '\0';
		if (strstr(tag, " on") != NULL || strstr(tag, " style") != NULL)
			fail_msg("attribute injected: <%s>", tag);
		if (strncmp(tag, "<img", 4) == 0 ||
		    strncmp(tag, "<svg", 4) == 0 ||
		    (strncmp(tag, "<script", 7) == 0 &&
		     strncmp(s, "<script src=\"/static/", 21) != 0))
			fail_msg("element injected: <%s>", tag);
		if (strncmp(s, "<a href=\"", 9) == 0 &&
		    strncmp(s + 9, "/", 1) != 0 &&
		    strncmp(s + 9, "https://", 8) != 0 &&
		    strncmp(s + 9, "http://", 7) != 0)
			fail_msg("link that is not http(s): %.60s", s);
		s = end + 1;
	}
	assert_null(strstr(html, "\xe2\x80\xae"));
	assert_null(strstr(html, "\xe2\x81\xa6"));
}

/* A disclosure whose every shown string is h. */
static json_t *
hostile_disclosure(const char *h)
{
	json_t *d = json_pack(
	    "{s:s, s:{s:s, s:s, s:s, s:[{s:s, s:s}]},"
	    " s:{s:[s, s], s:{s:s, s:s}},"
	    " s:{s:s, s:s, s:[s]},"
	    " s:{s:{s:s, s:s, s:[s]}, s:{s:f, s:s, s:s}},"
	    " s:{s:{s:s}}}",
	    "type", "disclosure", "identity", "name", h, "developer", h,
	    "version", h, "artifacts", "name", h, "url", h, "uses", "intended",
	    h, "https://example.org/ok", "acceptable_use_policy", "url", h,
	    "summary", h, "data", "status", "withheld", "explanation", h,
	    "references", h, "compute", "energy", "status", "withheld",
	    "explanation", h, "references", "https://example.org/why",
	    "training_flop", "amount", 1e23, "unit", "FLOP", "note", h, "risks",
	    "systemic_risk", "classification", "yes");

	assert_non_null(d);
	return d;
}

static json_t *
view_of(const json_t *d)
{
	struct mf_label_input in = {.org = "acme",
	                            .model = "atlas",
	                            .version = 1,
	                            .log_index = 4,
	                            .disclosure = d};
	json_t *v = NULL;

	assert_int_equal(mf_eu_ai_act_json(&v, &in), 0);
	return v;
}

static void
test_page_hostile(void **state)
{
	size_t h;

	(void)state;
	for (h = 0; h < N_HOSTILE; h++) {
		json_t *d = hostile_disclosure(hostile[h]), *v = view_of(d);
		struct mf_page p;

		page_new(&p);
		mf_site_eu_render(&p, "acme", "atlas", v, NULL);
		assert_int_equal(p.rc, 0);
		assert_inert(p.out.data);
		/* the safe link stays a link */
		assert_non_null(
		    strstr(p.out.data, "<a href=\"https://example.org/ok\""));
		assert_non_null(strstr(p.out.data, "<a href=\"https://example."
		                                   "org/why\""));
		mf_page_dispose(&p);
		json_decref(v);
		json_decref(d);
	}
}

/* Every item appears once with the status of the view, and the counts
 * of the completeness list are the view's. */
static void
test_page_items_and_counts(void **state)
{
	json_t *d = hostile_disclosure("plain"), *v = view_of(d);
	const json_t *sec, *it;
	struct mf_page p;
	char needle[200];
	size_t i, j;

	(void)state;
	page_new(&p);
	mf_site_eu_render(&p, "acme", "atlas", v, NULL);
	json_array_foreach(json_object_get(v, "sections"), i, sec)
	{
		json_array_foreach(json_object_get(sec, "items"), j, it)
		{
			const char *at;

			snprintf(needle, sizeof(needle),
			         "<dt data-item=\"%s\" data-status=\"%s\">",
			         mf_json_str(it, "id"),
			         mf_json_str(it, "status"));
			at = strstr(p.out.data, needle);
			assert_non_null(at);
			assert_null(strstr(at + 1, needle));
		}
	}
	snprintf(needle, sizeof(needle),
	         "<span data-count=\"withheld:all\">%lld</span>",
	         (long long)json_integer_value(json_object_get(
	             json_object_get(v, "completeness"), "withheld")));
	assert_non_null(strstr(p.out.data, needle));
	/* withheld data: every data item */
	assert_true(json_integer_value(json_object_get(
	                json_object_get(v, "completeness"), "withheld")) >= 9);
	mf_page_dispose(&p);
	json_decref(v);
	json_decref(d);
}

static void
test_page_empty_view(void **state)
{
	json_t *empty = json_object();
	struct mf_page p;

	(void)state;
	page_new(&p);
	mf_site_eu_render(&p, "acme", "atlas", empty, NULL);
	assert_int_equal(p.rc, 0);
	assert_non_null(strstr(p.out.data, "</html>"));
	mf_page_dispose(&p);
	page_new(&p);
	mf_site_eu_render(&p, "acme", "atlas", NULL, NULL);
	assert_int_equal(p.rc, 0);
	mf_page_dispose(&p);
	json_decref(empty);
}

/* Models without a disclosure need no captured request: each misses
 * every item that applies, and section 2 does not count. */
static void
test_dashboard_without_disclosures(void **state)
{
	json_t *cov = json_pack(
	    "{s:[{s:s, s:s, s:n}, {s:s, s:s, s:n}]}", "matrix", "org", "acme",
	    "model", "a", "version", "org", "acme", "model", "b", "version");
	struct mf_page p;

	(void)state;
	page_new(&p);
	mf_site_eu_coverage(&p, cov);
	assert_int_equal(p.rc, 0);
	assert_non_null(
	    strstr(p.out.data, "<span data-eu-count=\"models\">2</span>"));
	assert_non_null(
	    strstr(p.out.data, "<td data-eu-count=\"missing:licence\">2</td>"));
	assert_non_null(strstr(
	    p.out.data, "<td data-eu-count=\"disclosed:licence\">0</td>"));
	assert_non_null(strstr(
	    p.out.data,
	    "<td data-eu-count=\"not_counted:adversarial-testing\">2</td>"));
	assert_non_null(
	    strstr(p.out.data, "href=\"/models/acme/b/eu-ai-act\""));
	assert_inert(p.out.data);
	mf_page_dispose(&p);
	json_decref(cov);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_page_hostile),
	    cmocka_unit_test(test_page_items_and_counts),
	    cmocka_unit_test(test_page_empty_view),
	    cmocka_unit_test(test_dashboard_without_disclosures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
