/* Eval-result leaderboards across models, and the signed envelope of any
 * sequenced submission by its payload digest. */
#ifndef MF_HANDLERS_BENCHMARKS_H
#define MF_HANDLERS_BENCHMARKS_H

#include "http/http.h"

/* GET /v1/benchmarks[?as_of=]: every benchmark+metric with its counts */
int mf_h_benchmarks_list(struct mf_request *req);
/*
 * GET /v1/benchmarks/{id}[?metric=&as_of=&limit=&after=]: the results
 * across models, best first (lower_is_better respected), each row
 * self-reported or third-party with links to its signed envelope and log
 * entry; cursor-paginated, the cursor pinning the first page's as_of.
 */
int mf_h_benchmark_get(struct mf_request *req);
/* GET /v1/envelopes/{sha256}: the envelope as submitted */
int mf_h_envelope_get(struct mf_request *req);

#endif
