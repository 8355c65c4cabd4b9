/* GET /metrics: the server's state for Prometheus (issue 16). */
#ifndef MF_HANDLERS_METRICS_H
#define MF_HANDLERS_METRICS_H

#include "http/http.h"

/*
 * GET /metrics in the Prometheus text exposition format 0.0.4: the HTTP
 * layer's counters (mf_http_metrics_write), the log's size, sequencing
 * and publication lag (one statement), whether this process leads, and
 * whether the database answered. 404 under --metrics=0; 401 without the
 * --metrics-token when one is set.
 */
int mf_h_metrics(struct mf_request *req);

#endif
