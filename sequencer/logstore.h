/*
 * The Merkle log as stored in PostgreSQL: complete-subtree hashes in
 * log_nodes, signed checkpoints in checkpoints, entries in submissions.
 * Roots and proofs come from merkle/merkle.c plans, each fetched with one
 * query (db/tlog.h), so a proof costs O(log n) rows whatever the log's
 * size.
 */
#ifndef MF_LOGSTORE_H
#define MF_LOGSTORE_H

#include "common/error.h"
#include "merkle/merkle.h"

#include <jansson.h>
#include <stdint.h>

/* Fetches every node of the plan (one query) and applies it. */
int mf_logstore_fetch(const struct mf_merkle_plan *p,
                      uint8_t (*out)[MF_MERKLE_HASH_LEN], struct mf_error *err);

/* Number of sequenced entries. */
int mf_logstore_size(uint64_t *size, struct mf_error *err);

struct mf_logstore_checkpoint {
	uint64_t size;
	char *note; /* owned: the signed note, as served */
	uint8_t root[MF_MERKLE_HASH_LEN];
};
void mf_logstore_checkpoint_dispose(struct mf_logstore_checkpoint *c);
/* The latest checkpoint (size 0 and no note when there is none yet), or
 * the one of exactly `size` (MF_E_NOT_FOUND when none was signed). */
int mf_logstore_checkpoint_latest(struct mf_logstore_checkpoint *c,
                                  struct mf_error *err);
int mf_logstore_checkpoint_at(struct mf_logstore_checkpoint *c, uint64_t size,
                              struct mf_error *err);

/*
 * Proofs as JSON (new references): {"index", "tree_size", "hashes": [b64]}
 * and {"from", "to", "hashes": [b64]}. MF_E_BAD_PARAM for impossible
 * arguments, with a message that says why.
 */
int mf_logstore_inclusion(json_t **out, uint64_t index, uint64_t size,
                          struct mf_error *err);
int mf_logstore_consistency(json_t **out, uint64_t from, uint64_t to,
                            struct mf_error *err);
/* The inclusion proof JSON from hashes in hand (a new reference). */
json_t *mf_logstore_proof_json(uint64_t index, uint64_t size,
                               const uint8_t (*hashes)[MF_MERKLE_HASH_LEN],
                               size_t n);

#endif
