/*
 * The pages' routes, the server's combined table, the HTML 404 and the
 * static assets (site.css, site.js) with long cache lifetimes.
 */
#include "site/routes.h"
#include "api/routes.h"
#include "common/embedded.h"
#include "common/error.h"
#include "http/http.h"
#include "site/eu.h"
#include "site/page.h"
#include "site/pages.h"

#include <stdlib.h>
#include <string.h>

const struct mf_route mf_site_routes[] = {
    {"GET", "/", mf_site_home},
    {"GET", "/models", mf_site_models},
    {"GET", "/models/{org}/{model}", mf_site_model},
    {"GET", "/models/{org}/{model}/versions/{n}", mf_site_model_version},
    {"GET", "/models/{org}/{model}/widget", mf_site_widget},
    {"GET", "/models/{org}/{model}/history", mf_site_history},
    {"GET", "/models/{org}/{model}/diff", mf_site_diff},
    {"GET", "/models/{org}/{model}/eu-ai-act", mf_site_eu},
    {"GET", "/compare", mf_site_compare},
    {"GET", "/dashboard", mf_site_dashboard},
    {"GET", "/orgs", mf_site_orgs},
    {"GET", "/orgs/{org}", mf_site_org},
    {"GET", "/log", mf_site_log},
    {"GET", "/static/{name}", mf_site_static},
};

const size_t mf_site_routes_count =
    sizeof(mf_site_routes) / sizeof(mf_site_routes[0]);

int
mf_site_route_table(struct mf_route **out, size_t *n)
{
	size_t total = mf_routes_count + mf_site_routes_count;

	*n = 0;
	if ((*out = calloc(total, sizeof(**out))) == NULL)
		return MF_E_NOMEM;
	memcpy(*out, mf_routes, mf_routes_count * sizeof(**out));
	memcpy(*out + mf_routes_count, mf_site_routes,
	       mf_site_routes_count * sizeof(**out));
	*n = total;
	return 0;
}

int
mf_site_not_found(struct mf_request *req)
{
	const char *accept = mf_http_header(req, "Accept");

	/* HTML for browsers (which ask for text/html), the API's JSON error
	 * for everyone else, and always under the API's own paths */
	if (accept == NULL || strstr(accept, "text/html") == NULL ||
	    strncmp(req->path, "/v1/", 4) == 0 ||
	    strncmp(req->path, "/labels.git", 11) == 0 ||
	    strcmp(req->path, "/healthz") == 0 ||
	    strcmp(req->path, "/readyz") == 0) {
		mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		             "no such resource: %s", req->path);
		return mf_http_respond_error(req, &req->err);
	}
	return mf_page_error(req, 404, "Not found",
	                     "There is no page at this address.");
}

int
mf_site_static(struct mf_request *req)
{
	const char *ctype = NULL;
	const struct mf_embedded *f =
	    mf_page_asset(mf_http_param(req, 0), &ctype);

	if (f == NULL)
		return mf_page_error(req, 404, "Not found",
		                     "There is no such file.");
	/* Pages link assets with their content hash (?v=), so a new build
	 * gets new URLs and old ones may be kept forever. */
	if (mf_http_set_header(req, "Cache-Control",
	                       "public, max-age=31536000, immutable") != 0)
		return MF_E_NOMEM;
	return mf_http_respond(req, 200, ctype, f->data, f->len, true);
}
