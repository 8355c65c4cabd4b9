/*
 * GET /metrics: what an operator's Prometheus scrapes. The HTTP layer
 * writes its own counters; this adds what only the database and the
 * sequencer know, so that a scrape costs one statement.
 */
#include "api/metrics.h"
#include "app/app.h"
#include "cosigning/cosigner.h"
#include "db/read.h"
#include "http/metrics.h"
#include "sequencer/logwait.h"

#include <string.h>

/* The database's families: log size and the two lags. */
static int
write_lag(struct mf_buf *out, json_t *lag)
{
	static const struct {
		const char *key, *name, *help;
	} rows[] = {
	    {"log_size", "modelfacts_log_size",
	     "Entries in the Merkle log (the latest tree size)"},
	    {"unsequenced", "modelfacts_sequencing_lag_entries",
	     "Submissions committed and not yet given a log index"},
	    {"unsequenced_seconds", "modelfacts_sequencing_lag_seconds",
	     "Age of the oldest submission not yet in the log (0: none)"},
	    {"unpublished", "modelfacts_publication_lag_entries",
	     "Log entries not yet committed to the git repository"},
	    {"unpublished_seconds", "modelfacts_publication_lag_seconds",
	     "Age of the oldest log entry not yet in git, counted from its "
	     "acceptance (0: none)"},
	    {"published", "modelfacts_published_entries",
	     "Log entries committed to the git repository"},
	};
	double size = json_number_value(json_object_get(lag, "log_size"));
	double published = json_number_value(json_object_get(lag, "published"));
	double v;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < sizeof(rows) / sizeof(rows[0]); i++) {
		v = strcmp(rows[i].key, "unpublished") == 0
		        ? (size > published ? size - published : 0)
		        : json_number_value(json_object_get(lag, rows[i].key));
		if ((rc = mf_metrics_family(out, rows[i].name, "gauge",
		                            rows[i].help)) == 0)
			rc = mf_metrics_sample(out, rows[i].name, "", v);
	}
	return rc;
}

int
mf_h_metrics(struct mf_request *req)
{
	struct mf_buf out = MF_BUF_INIT, raw = MF_BUF_INIT;
	struct mf_error dberr;
	json_t *lag = NULL;
	bool found = false, up;
	int rc;

	mf_error_init(&dberr);
	/* 1. served at all, and to this client */
	if (!req->app->cfg->metrics) {
		rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                  "no such resource: %s (metrics are off)",
		                  req->path);
		goto done;
	}
	if (!mf_http_metrics_authorized(req)) {
		mf_http_set_header(req, "WWW-Authenticate", "Bearer");
		rc = mf_error_set(&req->err, MF_E_UNAUTHORIZED,
		                  "/headers/authorization",
		                  "GET /metrics needs the metrics token "
		                  "(Authorization: Bearer <token>)");
		goto done;
	}
	/* 2. the HTTP layer's counters */
	if ((rc = mf_http_metrics_write(req, &out)) != 0)
		goto done;
	/* 3. this process's sequencer: leading or not (one getter) */
	if ((rc = mf_metrics_family(&out, "modelfacts_leader", "gauge",
	                            "1 when this process sequences the log "
	                            "(holds the leadership), else 0")) != 0 ||
	    (rc = mf_metrics_sample(&out, "modelfacts_leader", "",
	                            mf_logwait_local(req->app->logwait))) != 0)
		goto done;
	/* 3b. the witnesses this node asks: cosignatures, failures, lag */
	if ((rc = mf_cosigning_metrics_write(req->app->cosigning, &out)) != 0)
		goto done;
	/* 4. the database: one statement; when it does not answer the
	 * scrape still succeeds, saying so */
	up = mf_db_read_json(&raw, &found, MF_SQL_METRICS_LAG, 0, NULL,
	                     &dberr) == 0 &&
	     found && (lag = json_loadb(raw.data, raw.len, 0, NULL)) != NULL;
	if ((rc = mf_metrics_family(&out, "modelfacts_database_up", "gauge",
	                            "1 when this scrape's database query "
	                            "answered, else 0")) != 0 ||
	    (rc = mf_metrics_sample(&out, "modelfacts_database_up", "", up)) !=
	        0)
		goto done;
	if (up && (rc = write_lag(&out, lag)) != 0)
		goto done;
	mf_http_set_header(req, "Cache-Control", "no-store");
	rc = mf_http_respond(req, 200,
	                     "text/plain; version=0.0.4; charset=utf-8",
	                     out.data, out.len, false);
done:
	json_decref(lag);
	mf_error_dispose(&dberr);
	mf_buf_dispose(&raw);
	mf_buf_dispose(&out);
	return rc;
}
