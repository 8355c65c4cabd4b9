/*
 * The exports of the lists that exist: organisations, a model's eval
 * results, and an index's model x indicator matrix (the models list's
 * own is api/search.c's, over the same statement as its pages). The list
 * handlers (read.c) hand a CSV or JSON Lines request to these; the
 * matrix is an endpoint of its own. The leaderboards (benchmarks.c) and
 * compare (compare.c) hand theirs to mf_h_export themselves.
 */
#ifndef MF_API_EXPORTS_H
#define MF_API_EXPORTS_H

#include "api/util.h"
#include "http/http.h"

/* GET /v1/orgs?format=csv|jsonl[&as_of=]: as_of a log index or NULL */
int mf_h_orgs_export(struct mf_request *req, enum mf_format fmt,
                     const char *as_of);
/*
 * GET /v1/models/{org}/{model}/evals?format=csv|jsonl: params are the
 * checked org, model and filters of MF_SQL_EVALS_LIST
 */
int mf_h_evals_export(struct mf_request *req, enum mf_format fmt,
                      const char *const params[7]);
/*
 * GET /v1/indices/{id}/export[?format=csv|jsonl|json&as_of=]: CSV by
 * default
 */
int mf_h_index_export(struct mf_request *req);

#endif
