/* The API description and the route table agree: every route is
 * documented with its method, every documented path is routed, and every
 * operation has its own operationId. */
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

/* Every operation has an operationId, and no two share one. */
static void
test_every_operation_has_a_unique_id(void **state)
{
	static const char *const methods[] = {"get",    "put",     "post",
	                                      "delete", "options", "head",
	                                      "patch",  "trace"};
	json_t *doc = load(), *seen = json_object(), *item;
	const char *key;
	size_t m, n = 0;

	(void)state;
	assert_non_null(seen);
	json_object_foreach(json_object_get(doc, "paths"), key, item)
	{
		for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
			json_t *op = json_object_get(item, methods[m]);
			const char *id;

			if (op == NULL)
				continue;
			id = json_string_value(
			    json_object_get(op, "operationId"));
			if (id == NULL || id[0] == '\0')
				fail_msg("%s %s has no operationId", methods[m],
				         key);
			if (json_object_get(seen, id) != NULL)
				fail_msg("operationId %s is used twice (again "
				         "by %s %s)",
				         id, methods[m], key);
			json_object_set_new(seen, id, json_true());
			n++;
		}
	}
	assert_int_equal(n, mf_routes_count);
	json_decref(seen);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_route_is_documented),
	    cmocka_unit_test(test_every_documented_path_is_routed),
	    cmocka_unit_test(test_every_operation_has_a_unique_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
