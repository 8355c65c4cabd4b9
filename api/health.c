/* /healthz, /readyz and /v1/version. */
#include "api/health.h"
#include "common/embedded.h"
#include "common/version.h"
#include "app/app.h"
#include "db/db.h"
#include "db/migrate.h"

int
mf_h_healthz(struct mf_request *req)
{
	return mf_http_respond_json(req, 200,
	                            json_pack("{s:s}", "status", "ok"));
}

/* The read replica's state, or NULL when none is configured; new ref. */
static json_t *
replica_json(void)
{
	struct mf_db_replica_status st;

	mf_db_replica_status(&st);
	if (!st.configured)
		return NULL;
	return json_pack(
	    "{s:s, s:b, s:o, s:f, s:b, s:o, s:I, s:I}", "state", st.state,
	    "in_use", st.in_use, "lag_seconds",
	    st.lag_seconds < 0 ? json_null() : json_real(st.lag_seconds),
	    "max_lag_seconds", st.max_lag_seconds, "replay_paused",
	    st.replay_paused, "checked_ms_ago",
	    st.checked_ms_ago < 0 ? json_null()
	                          : json_integer(st.checked_ms_ago),
	    "statements", (json_int_t)st.statements, "fallbacks",
	    (json_int_t)st.fallbacks);
}

/*
 * Ready: the primary answers and its migrations are current. A replica
 * is reported (and never makes the server unready: reads fall back to
 * the primary). The check itself reads from the primary.
 */
int
mf_h_readyz(struct mf_request *req)
{
	struct mf_error err;
	json_t *body, *replica;
	int have, count, status = 200;

	mf_db_set_read_only(false);
	mf_error_init(&err);
	if (mf_migrate_status(&have, &count, &err) != 0) {
		mf_error_dispose(&err);
		status = 503;
		body = json_pack("{s:s, s:s}", "status", "unavailable",
		                 "database", "unreachable");
	} else if (have != req->app->migrations_latest ||
	           count != req->app->migrations_count) {
		status = 503;
		body = json_pack(
		    "{s:s, s:s, s:i, s:i}", "status", "unavailable", "database",
		    "ok", "migrations_applied", have, "migrations_expected",
		    req->app->migrations_latest);
	} else {
		body = json_pack("{s:s, s:s, s:i}", "status", "ready",
		                 "database", "ok", "migrations", have);
	}
	if (body != NULL && (replica = replica_json()) != NULL)
		json_object_set_new(body, "replica", replica);
	return mf_http_respond_json(req, status, body);
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
