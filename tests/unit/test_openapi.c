/* The API description and the route table agree: every route is
 * documented with its method, and every documented path is routed. */
#include "common/embedded.h"
#include "api/routes.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* "{path*}" in the route table is "{path}" in OpenAPI. */
static void
openapi_path(const char *pattern, char *out, size_t n)
{
	size_t i, o = 0;

	for (i = 0; pattern[i] && o + 1 < n; i++)
		if (!(pattern[i] == '*' && pattern[i + 1] == '}'))
			out[o++] = pattern[i];
	out[o] = '\0';
}

static json_t *
load(void)
{
	const struct mf_embedded *e =
	    mf_embedded_get("web/static/openapi.json");

	assert_non_null(e);
	return json_loadb((const char *)e->data, e->len, 0, NULL);
}

static void
test_every_route_is_documented(void **state)
{
	json_t *doc = load(), *paths = json_object_get(doc, "paths");
	char path[512], method[16];
	size_t i, k;

	(void)state;
	assert_non_null(paths);
	for (i = 0; i < mf_routes_count; i++) {
		json_t *item;

		openapi_path(mf_routes[i].pattern, path, sizeof(path));
		item = json_object_get(paths, path);
		if (item == NULL)
			fail_msg("route %s %s is not in openapi.json",
			         mf_routes[i].method, path);
		for (k = 0; mf_routes[i].method[k] && k + 1 < sizeof(method);
		     k++)
			method[k] = (char)(mf_routes[i].method[k] | 0x20);
		method[k] = '\0';
		if (json_object_get(item, method) == NULL)
			fail_msg("openapi.json has no %s for %s", method, path);
	}
	json_decref(doc);
}

static void
test_every_documented_path_is_routed(void **state)
{
	json_t *doc = load(), *item;
	char path[512];
	const char *key;
	size_t i;
	int found;

	(void)state;
	json_object_foreach(json_object_get(doc, "paths"), key, item)
	{
		for (found = 0, i = 0; i < mf_routes_count && !found; i++) {
			openapi_path(mf_routes[i].pattern, path, sizeof(path));
			found = strcmp(path, key) == 0;
		}
		if (!found)
			fail_msg(
			    "openapi.json documents %s, which is not routed",
			    key);
	}
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_route_is_documented),
	    cmocka_unit_test(test_every_documented_path_is_routed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
