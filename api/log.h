/* The tamper-evident log's endpoints (DESIGN.md §4). */
#ifndef MF_HANDLERS_LOG_H
#define MF_HANDLERS_LOG_H

#include "http/http.h"
#include "sequencer/logstore.h"

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
/* GET /v1/log/entries/{index}/witnessed[?k=]: the smallest checkpoint
 * that covers the entry with at least k (default 1) witness
 * cosignatures, and them (issue 17) */
int mf_h_log_witnessed(struct mf_request *req);

/*
 * Answers checkpoint c (borrowed) with every witness cosignature stored
 * for it appended as signature lines, an ETag of the bytes (304 to a
 * client that has them) and cache_control; /tlog/checkpoint shares it.
 */
int mf_h_log_respond_cosigned(struct mf_request *req,
                              const struct mf_logstore_checkpoint *c,
                              const char *cache_control);

#endif
