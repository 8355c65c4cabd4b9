/*
 * A submission's record as the API returns it: what was accepted, where
 * it is in the log, the signed checkpoint that covers it and the
 * inclusion proof against that checkpoint.
 */
#ifndef MF_RECORD_H
#define MF_RECORD_H

#include "common/error.h"

#include "merkle/merkle.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* A checkpoint and an inclusion proof against it, known in memory. */
struct mf_record_proof {
	uint64_t tree_size;
	const char *note; /* the signed checkpoint */
	size_t n;
	const uint8_t (*hashes)[MF_MERKLE_HASH_LEN];
};

/*
 * *out is a new object. proof, when not NULL, is used for a sequenced
 * entry instead of the latest checkpoint and a proof from the database.
 */
int mf_record_build(json_t **out, int64_t submission_id, const char *public_url,
                    const struct mf_record_proof *proof, struct mf_error *err);

#endif
