/*
 * Every endpoint: method, path pattern, handler. The OpenAPI document
 * (/v1/openapi.json) describes the same table for clients.
 */
#include "server/routes.h"
#include "server/handlers_git.h"
#include "server/handlers_health.h"

const struct mf_route mf_routes[] = {
	{"GET", "/healthz", mf_h_healthz},
	{"GET", "/readyz", mf_h_readyz},
	{"GET", "/v1/version", mf_h_version},
	{"GET", "/labels.git/{path*}", mf_h_git_file},
};

const size_t mf_routes_count = sizeof(mf_routes) / sizeof(mf_routes[0]);
