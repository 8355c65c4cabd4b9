/* Unit tests for the route matcher: parameters, 404 vs 405, HEAD. */
#include "http/router.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static int
h_a(struct mf_request *r)
{
	(void)r;
	return 1;
}

static int
h_b(struct mf_request *r)
{
	(void)r;
	return 2;
}

static const struct mf_route routes[] = {
    {"GET", "/v1/models/{org}/{model}", h_a},
    {"POST", "/v1/models/{org}/{model}", h_b},
    {"GET", "/v1/models/{org}/{model}/versions/{n}", h_b},
    {"GET", "/labels.git/{path*}", h_a},
    {"GET", "/healthz", h_b},
    {"GET", "/badge/{org}/{model}.svg", h_a},
};
#define N (sizeof(routes) / sizeof(routes[0]))

static void
test_params(void **state)
{
	struct mf_route_match m;

	(void)state;
	assert_int_equal(mf_router_match(routes, N, "GET",
	                                 "/v1/models/acme/llm-7b/versions/3",
	                                 &m),
	                 0);
	assert_ptr_equal(m.route, &routes[2]);
	assert_int_equal(m.nparams, 3);
	assert_string_equal(m.params[0], "acme");
	assert_string_equal(m.params[1], "llm-7b");
	assert_string_equal(m.params[2], "3");
}

static void
test_rest_param(void **state)
{
	struct mf_route_match m;

	(void)state;
	assert_int_equal(mf_router_match(routes, N, "GET",
	                                 "/labels.git/objects/ab/cdef", &m),
	                 0);
	assert_string_equal(m.params[0], "objects/ab/cdef");
	assert_int_equal(mf_router_match(routes, N, "GET", "/labels.git/", &m),
	                 -1);
}

static void
test_method_not_allowed(void **state)
{
	struct mf_route_match m;

	(void)state;
	assert_int_equal(
	    mf_router_match(routes, N, "DELETE", "/v1/models/a/b", &m), -1);
	assert_true(m.path_known);
	assert_string_equal(m.allow, "GET, HEAD, POST");
	assert_int_equal(
	    mf_router_match(routes, N, "POST", "/v1/models/a/b", &m), 0);
	assert_ptr_equal(m.route, &routes[1]);
}

static void
test_not_found_and_head(void **state)
{
	struct mf_route_match m;

	(void)state;
	assert_int_equal(mf_router_match(routes, N, "GET", "/v1/models/a", &m),
	                 -1);
	assert_false(m.path_known);
	assert_int_equal(mf_router_match(routes, N, "GET", "/v1/models//b", &m),
	                 -1);
	assert_int_equal(mf_router_match(routes, N, "GET", "/healthz/", &m),
	                 -1);
	assert_int_equal(mf_router_match(routes, N, "HEAD", "/healthz", &m), 0);
	assert_ptr_equal(m.route, &routes[4]);
}

static void
test_suffix_param(void **state)
{
	struct mf_route_match m;

	(void)state;
	assert_int_equal(
	    mf_router_match(routes, N, "GET", "/badge/acme/llm-7b.svg", &m), 0);
	assert_ptr_equal(m.route, &routes[5]);
	assert_string_equal(m.params[0], "acme");
	assert_string_equal(m.params[1], "llm-7b");
	/* the suffix is required, and is not a whole value */
	assert_int_equal(
	    mf_router_match(routes, N, "GET", "/badge/acme/llm-7b", &m), -1);
	assert_int_equal(
	    mf_router_match(routes, N, "GET", "/badge/acme/.svg", &m), -1);
	assert_int_equal(
	    mf_router_match(routes, N, "GET", "/badge/acme/a.svg/x", &m), -1);
}

/* Issue 15 finding 7: control bytes, raw or %XX, refuse the path. */
static void
test_target_control_bytes(void **state)
{
	static const char *const bad[] = {
	    "/v1/models/acme/acme-7b%00/label.md",
	    "/labels.git/HEAD%00.txt",
	    "/x%0a2026-01-01 info forged",
	    "/x%0D",
	    "/x%1b[31m",
	    "/x%7F",
	    "/x%7f?q=1",
	    "/x%09y",
	    "/x\x01",
	    "/x\x1f",
	    "/x\x7f",
	    "/a b\tc",
	    "/x%%00", /* a lone '%', then %00 */
	};
	static const char *const good[] = {
	    "/",
	    "/v1/models/acme/acme-7b/label.md",
	    "/v1/models/%61cme/x%20y%2F%25%7e",
	    "/x%",
	    "/x%0",
	    "/x%zz",
	    "/v1/models?q=a%0ab",
	    "/v1/models?q=%00",
	    "/caf\xc3\xa9",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mf_router_target_ok(bad[i]), -1);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(mf_router_target_ok(good[i]), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_rest_param),
	    cmocka_unit_test(test_method_not_allowed),
	    cmocka_unit_test(test_target_control_bytes),
	    cmocka_unit_test(test_not_found_and_head),
	    cmocka_unit_test(test_suffix_param),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
