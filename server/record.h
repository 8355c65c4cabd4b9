/*
 * A submission's record as the API returns it: what was accepted, where
 * it is in the log, the signed checkpoint that covers it and the
 * inclusion proof against that checkpoint.
 */
#ifndef MF_RECORD_H
#define MF_RECORD_H

#include "common/error.h"

#include <jansson.h>
#include <stdint.h>

/* *out is a new object. */
int mf_record_build(json_t **out, int64_t submission_id, const char *public_url,
                    struct mf_error *err);

#endif
