/* /healthz, /readyz and /v1/version. */
#include "api/health.h"
#include "common/embedded.h"
#include "common/version.h"
#include "app/app.h"
#include "db/migrate.h"

int
mf_h_healthz(struct mf_request *req)
{
	return mf_http_respond_json(req, 200,
	                            json_pack("{s:s}", "status", "ok"));
}

int
mf_h_readyz(struct mf_request *req)
{
	struct mf_error err;
	int have, count;

	mf_error_init(&err);
	if (mf_migrate_status(&have, &count, &err) != 0) {
		mf_error_dispose(&err);
		return mf_http_respond_json(req, 503,
		                            json_pack("{s:s, s:s}", "status",
		                                      "unavailable", "database",
		                                      "unreachable"));
	}
	if (have != req->app->migrations_latest ||
	    count != req->app->migrations_count)
		return mf_http_respond_json(
		    req, 503,
		    json_pack("{s:s, s:s, s:i, s:i}", "status", "unavailable",
		              "database", "ok", "migrations_applied", have,
		              "migrations_expected",
		              req->app->migrations_latest));
	return mf_http_respond_json(req, 200,
	                            json_pack("{s:s, s:s, s:i}", "status",
	                                      "ready", "database", "ok",
	                                      "migrations", have));
}

int
mf_h_version(struct mf_request *req)
{
	return mf_http_respond_json(
	    req, 200,
	    json_pack("{s:s, s:s, s:s, s:i}", "name", "modelfacts", "version",
	              MF_VERSION, "api", MF_API_VERSION, "migrations",
	              req->app->migrations_latest));
}

int
mf_h_openapi(struct mf_request *req)
{
	const struct mf_embedded *e =
	    mf_embedded_get("web/static/openapi.json");

	if (e == NULL)
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no API description in this build");
	mf_http_set_header(req, "Cache-Control", "public, max-age=3600");
	return mf_http_respond(req, 200, "application/json", e->data, e->len,
	                       true);
}
