/*
 * GET /metrics: what an operator's Prometheus scrapes. The HTTP layer
 * writes its own counters; this adds what only the database and the
 * sequencer know, so that a scrape costs one statement.
 */
#include "api/metrics.h"
#include "app/app.h"
#include "cosigning/cosigner.h"
#include "db/read.h"
#include "git/mirror.h"
#include "http/metrics.h"
#include "sequencer/logwait.h"

#include <stdio.h>
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

/* The git mirrors (--git-mirror): one sample per remote in each family,
 * so an alert can say which remote fell behind. */
static int
write_mirrors(struct mf_buf *out, struct mf_mirror *m)
{
	static const struct {
		const char *name, *type, *help;
	} fams[] = {
	    {"modelfacts_git_mirror_in_sync", "gauge",
	     "1 when the remote's main is the local main after the last push"},
	    {"modelfacts_git_mirror_consecutive_failures", "gauge",
	     "Failed pushes to the remote since its last success"},
	    {"modelfacts_git_mirror_pushes_total", "counter",
	     "Pushes tried to the remote"},
	    {"modelfacts_git_mirror_push_failures_total", "counter",
	     "Pushes to the remote that failed"},
	    {"modelfacts_git_mirror_last_success_timestamp_seconds", "gauge",
	     "Unix time of the last successful push (0: never)"},
	};
	struct mf_mirror_status st;
	char url[1100], labels[1200];
	size_t f, i, n = mf_mirror_count(m);
	double v;
	int rc = 0;

	for (f = 0; rc == 0 && n > 0 && f < sizeof(fams) / sizeof(fams[0]);
	     f++) {
		rc = mf_metrics_family(out, fams[f].name, fams[f].type,
		                       fams[f].help);
		for (i = 0; rc == 0 && i < n; i++) {
			if (mf_mirror_status(m, i, &st) != 0)
				break;
			v = f == 0   ? (st.head[0] != '\0' &&
                                      strcmp(st.head, st.pushed) == 0)
			    : f == 1 ? (double)st.consecutive
			    : f == 2 ? (double)st.attempts
			    : f == 3 ? (double)st.failures
			             : (double)st.last_success;
			mf_metrics_label_escape(url, sizeof(url), st.url);
			snprintf(labels, sizeof(labels), "remote=\"%s\"", url);
			rc = mf_metrics_sample(out, fams[f].name, labels, v);
		}
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
	/* 5. the git mirrors, from their threads' status (no database) */
	if ((rc = write_mirrors(&out, req->app->mirror)) != 0)
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
