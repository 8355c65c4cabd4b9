/* The tamper-evident log's endpoints (DESIGN.md §4). */
#ifndef MF_HANDLERS_LOG_H
#define MF_HANDLERS_LOG_H

#include "http/http.h"

/* GET /v1/log/checkpoint: the latest signed checkpoint (text/plain) */
int mf_h_log_checkpoint(struct mf_request *req);
/* GET /v1/log/checkpoints/{size}: the one signed at that size */
int mf_h_log_checkpoint_at(struct mf_request *req);
/* GET /v1/log/entries/{index}: the leaf text exactly as hashed, and the
 * envelope; ?format=leaf: only the leaf text */
int mf_h_log_entry(struct mf_request *req);
/* GET /v1/log/proof/inclusion?index=&size=[&format=text] */
int mf_h_log_inclusion(struct mf_request *req);
/* GET /v1/log/proof/consistency?from=&to=[&format=text] */
int mf_h_log_consistency(struct mf_request *req);

#endif
