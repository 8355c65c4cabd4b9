/*
 * The route table's matcher: patterns such as "/v1/models/{org}/{model}"
 * where {name} matches one non-empty path segment and a final {name*}
 * matches the rest of the path; "{name}.svg" matches a segment ending in
 * ".svg", the parameter being the rest. Pure code, unit-tested.
 */
#ifndef MF_ROUTER_H
#define MF_ROUTER_H

#include <stddef.h>

#define MF_ROUTE_MAX_PARAMS 8
#define MF_ROUTE_PATH_MAX   2048

struct mf_request;
typedef int (*mf_handler_fn)(struct mf_request *req);

struct mf_route {
	const char *method; /* "GET" also answers HEAD */
	const char *pattern;
	mf_handler_fn handler;
};

struct mf_route_match {
	const struct mf_route *route; /* NULL: no route for this method */
	char buf[MF_ROUTE_PATH_MAX];  /* segment storage for params */
	const char *params[MF_ROUTE_MAX_PARAMS];
	int nparams;
	char allow[128]; /* methods the path has, for 405 "Allow" */
	int path_known;  /* some route has this path */
};

/*
 * Finds the route for method and path. Returns 0 with m->route set, or -1
 * with m->path_known telling 405 (and m->allow) from 404.
 */
int mf_router_match(const struct mf_route *routes, size_t nroutes,
                    const char *method, const char *path,
                    struct mf_route_match *m);

/*
 * Checks a request target as it arrived, before percent-decoding: 0, or
 * -1 when its path (up to '?') holds a control byte (0x00-0x1f, 0x7f)
 * raw or as %XX, or decodes to bytes that are not well-formed UTF-8.
 * Decoded, a NUL would cut the path short (".../acme-7b%00/label.md" read
 * as the model), the others would reach handlers and logs, and malformed
 * UTF-8 (%c0%ae, %ff) would reach the database as a parameter it refuses,
 * so such a path is refused before routing.
 */
int mf_router_target_ok(const char *target);

#endif
