/*
 * libFuzzer target for the request handling that needs no socket: the
 * router (http/router.c) over the server's own route patterns, and the
 * internal request path (mf_http_capture_routes in http/http.c): target
 * split into path and query, query arguments split and percent-decoded,
 * route matched, handler run, answer stored. Input: one method byte,
 * then the request target ("/v1/models/a/b?limit=2"), up to a NUL.
 *
 * The route table has every pattern of api/routes.c (extracted at build
 * time into routes.inc: linking the real handlers would pull in the
 * database) with one handler that checks what a handler is given.
 * Path percent-decoding is libmicrohttpd's, before the router sees the
 * path, and is not reached here.
 */
#include "common/diag.h"
#include "common/error.h"
#include "http/http.h"
#include "http/router.h"
#include "tests/fuzz/fuzz_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static int fuzz_handler(struct mf_request *req);

static const struct mf_route routes[] = {
#include "routes.inc"
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static const char *const methods[] = {"GET",    "HEAD",    "POST", "PUT",
                                      "DELETE", "OPTIONS", "PATCH"};

/* The query the current input carries, for the handler's checks. */
static const char *cur_query;
static size_t cur_query_len;

/*
 * The path put back together from the pattern and the parameters must
 * be the path matched: a parameter holds exactly the text it stood for.
 */
static void
check_match(const char *path, const struct mf_route_match *m)
{
	const char *p = m->route->pattern;
	char rebuilt[2 * MF_ROUTE_PATH_MAX];
	size_t used = 0;
	int k = 0;

	MF_FUZZ_CHECK(m->nparams >= 0 && m->nparams <= MF_ROUTE_MAX_PARAMS,
	              "parameter count in range");
	while (*p != '\0') {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			const char *v;
			size_t n;

			MF_FUZZ_CHECK(close != NULL && k < m->nparams,
			              "a parameter for every {name}");
			v = m->params[k++];
			n = strlen(v);
			MF_FUZZ_CHECK(n > 0, "parameters are not empty");
			if (close[-1] != '*')
				MF_FUZZ_CHECK(strchr(v, '/') == NULL,
				              "a {name} stays in its segment");
			MF_FUZZ_CHECK(used + n < sizeof(rebuilt),
			              "parameters fit");
			memcpy(rebuilt + used, v, n);
			used += n;
			p = close + 1;
			continue;
		}
		MF_FUZZ_CHECK(used + 1 < sizeof(rebuilt), "pattern fits");
		rebuilt[used++] = *p++;
	}
	MF_FUZZ_CHECK(k == m->nparams, "no parameter left over");
	rebuilt[used] = '\0';
	MF_FUZZ_CHECK(strcmp(rebuilt, path) == 0,
	              "pattern and parameters give back the path");
}

/* Counts the query arguments a handler is shown. */
static int
count_arg(void *ctx, const char *name, const char *value)
{
	MF_FUZZ_CHECK(name != NULL, "every argument has a name");
	MF_FUZZ_CHECK(strlen(name) <= cur_query_len &&
	                  (value == NULL || strlen(value) <= cur_query_len),
	              "decoding never lengthens");
	(*(int *)ctx)++;
	return 0;
}

/* What every route's handler does here: check what it was given. */
static int
fuzz_handler(struct mf_request *req)
{
	size_t amps = 0, i;
	int nargs = 0;

	MF_FUZZ_CHECK(req->match.route != NULL, "a handler has its route");
	check_match(req->path, &req->match);
	for (i = 0; i < req->match.nparams + 1; i++)
		(void)mf_http_param(req, (int)i); /* one past: NULL */
	MF_FUZZ_CHECK(mf_http_param(req, req->match.nparams) == NULL,
	              "no parameter past the last");
	mf_http_query_each(req, count_arg, &nargs);
	for (i = 0; i < cur_query_len; i++)
		amps += cur_query[i] == '&';
	MF_FUZZ_CHECK((size_t)nargs <= amps + 1, "no more arguments than &s");
	(void)mf_http_query(req, "format");
	(void)mf_http_query(req, "limit");
	return mf_http_respond_json(req, 200, json_object());
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mf_diag_set_level(MF_DIAG_ERROR); /* no line per captured request */
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mf_route_match m;
	struct mf_capture cap;
	const char *method, *q;
	char *target = NULL, *path = NULL;
	size_t len;
	int rc;

	if (size < 1)
		return 0;
	method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
	/* 1. The target as a C string, as libmicrohttpd hands it over. */
	len = strnlen((const char *)data + 1, size - 1);
	if ((target = malloc(len + 1)) == NULL)
		goto done;
	memcpy(target, data + 1, len);
	target[len] = '\0';
	q = strchr(target, '?');
	if ((path = strndup(target, q ? (size_t)(q - target) : len)) == NULL)
		goto done;
	cur_query = q ? q + 1 : "";
	cur_query_len = strlen(cur_query);
	/* 2. The router alone, with the method. */
	if (mf_router_match(routes, NROUTES, method, path, &m) == 0) {
		MF_FUZZ_CHECK(strcmp(m.route->method, method) == 0 ||
		                  (strcmp(method, "HEAD") == 0 &&
		                   strcmp(m.route->method, "GET") == 0),
		              "the route has the method");
		check_match(path, &m);
	} else {
		MF_FUZZ_CHECK(m.route == NULL, "no route on failure");
		MF_FUZZ_CHECK(memchr(m.allow, '\0', sizeof(m.allow)) != NULL,
		              "Allow is terminated");
		if (m.path_known)
			MF_FUZZ_CHECK(m.allow[0] != '\0',
			              "a known path allows some method");
	}
	/* 3. The whole internal GET: query split and decoded, handler. */
	rc =
	    mf_http_capture_routes(routes, NROUTES, NULL, "fuzz", target, &cap);
	if (rc == 0)
		MF_FUZZ_CHECK(cap.status == 200 || cap.status == 404 ||
		                  cap.status == 405,
		              "a captured GET answers 200, 404 or 405");
	mf_http_capture_dispose(&cap);
done:
	free(path);
	free(target);
	return 0;
}
