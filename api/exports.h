/*
 * The exports of the lists that exist: organisations, a model's eval
 * results, and an index's model x indicator matrix (the models list's
 * own is api/search.c's, over the same statement as its pages). The list
 * handlers (read.c) hand a CSV or JSON Lines request to these; the
 * matrix is an endpoint of its own.
 */
#ifndef MF_API_EXPORTS_H
#define MF_API_EXPORTS_H

#include "api/util.h"
#include "http/http.h"

/* GET /v1/orgs?format=csv|jsonl */
int mf_h_orgs_export(struct mf_request *req, enum mf_format fmt);
/* GET /v1/models/{org}/{model}/evals?format=csv|jsonl */
int mf_h_evals_export(struct mf_request *req, enum mf_format fmt);
/* GET /v1/indices/{id}/export[?format=csv|jsonl|json]: CSV by default */
int mf_h_index_export(struct mf_request *req);

#endif
