/*
 * The Merkle log's storage (the "transparency log" tables): entries in
 * submissions, complete-subtree hashes in log_nodes, signed checkpoints in
 * checkpoints. The sequencer (sequencer/sequencer.c) writes them one
 * transaction per batch; sequencer/logstore.c, logwait.c and record.c read
 * them. Structs whose strings come from the database keep the result in
 * `rows` and lend the strings out (no copies on the submission path);
 * their _dispose frees it. Everything else is plain values.
 */
#ifndef MF_DB_TLOG_H
#define MF_DB_TLOG_H

#include "common/buf.h"
#include "common/error.h"
#include "merkle/entry.h"
#include "merkle/merkle.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The leader leases (migrations/0011_lease.sql), one per role
 * ("sequencer", "publisher"); sequencer/lease.c drives them.
 * mf_db_lease_acquire sets *token to the new fencing token, or 0 while
 * the lease is held by someone else (unexpired, or inside a fenced
 * transaction); reclaim also takes it from `holder` itself (a node's
 * first attempt after a restart). mf_db_lease_renew extends it by ms when token
 * still holds it (*held). mf_db_lease_fence, first in a transaction, keeps the
 * lease row locked until its end, or fails with MF_E_CONFLICT when token no
 * longer holds the lease (the transaction is then aborted).
 * mf_db_lease_session makes this session's idle-in-transaction limit
 * idle_ms, so a frozen holder's transaction cannot keep the row locked.
 */
int mf_db_lease_acquire(int64_t *token, const char *role, const char *holder,
                        unsigned ms, bool reclaim, struct mf_error *err);
int mf_db_lease_renew(bool *held, const char *role, int64_t token, unsigned ms,
                      struct mf_error *err);
int mf_db_lease_release(const char *role, int64_t token, struct mf_error *err);
int mf_db_lease_fence(const char *role, int64_t token, struct mf_error *err);
int mf_db_lease_session(unsigned idle_ms, struct mf_error *err);

/* Number of sequenced entries. */
int mf_db_log_size(uint64_t *size, struct mf_error *err);

/*
 * The hashes of nodes ids[0..n) (one query; n at most MF_MERKLE_PLAN_MAX),
 * hashes[i] for ids[i]; a node may be named more than once. MF_E_INTERNAL
 * when one is not stored.
 */
int mf_db_log_nodes_get(uint8_t (*hashes)[MF_MERKLE_HASH_LEN],
                        const struct mf_merkle_node_id *ids, size_t n,
                        struct mf_error *err);

struct mf_db_checkpoint {
	uint64_t size;
	char *note; /* owned (free()): the signed note; NULL: none */
	uint8_t root[MF_MERKLE_HASH_LEN];
};

/* The latest checkpoint; size 0 and note NULL when there is none yet. */
int mf_db_log_checkpoint_latest(struct mf_db_checkpoint *c,
                                struct mf_error *err);
/* The checkpoint of exactly `size`; MF_E_NOT_FOUND when none was signed. */
int mf_db_log_checkpoint_at(struct mf_db_checkpoint *c, uint64_t size,
                            struct mf_error *err);
/* Stores a signed checkpoint and NOTIFYs every server process (on
 * commit): see mf_db_log_listen. */
int mf_db_log_checkpoint_insert(uint64_t size,
                                const uint8_t root[MF_MERKLE_HASH_LEN],
                                const char *note, struct mf_error *err);

/*
 * Committed submissions without a log index, in commit-id (acceptance)
 * order, locked FOR UPDATE: run inside the batch's transaction.
 * entries[i] is submission ids[i]'s log entry without its origin (NULL:
 * the sequencer knows it); its strings are borrowed from `rows`.
 */
struct mf_db_log_pending {
	size_t n;
	int64_t *ids;                 /* owned */
	struct mf_log_entry *entries; /* owned */
	void *rows;                   /* owned: what the strings point into */
};

int mf_db_log_pending(struct mf_db_log_pending *out, unsigned limit,
                      struct mf_error *err);
void mf_db_log_pending_dispose(struct mf_db_log_pending *p);

/*
 * One batch's writes, gathered entry by entry and node by node, then
 * stored with two statements: the entries' log indices and leaves
 * (mf_log_assign, migrations/0003), then the new tree nodes.
 */
struct mf_db_log_batch {
	struct mf_buf ids, indices, leaves; /* entries */
	struct mf_buf levels, idxs, hashes; /* nodes */
	int rc;                             /* first failure while adding */
};

void mf_db_log_batch_init(struct mf_db_log_batch *b);
void mf_db_log_batch_dispose(struct mf_db_log_batch *b);
void mf_db_log_batch_entry(struct mf_db_log_batch *b, int64_t submission_id,
                           uint64_t log_index, const char *leaf);
void mf_db_log_batch_node(struct mf_db_log_batch *b,
                          const struct mf_merkle_node *node);
/* MF_E_NOMEM when adding failed; the batch is not reusable afterwards. */
int mf_db_log_batch_store(struct mf_db_log_batch *b, struct mf_error *err);

/* A submission and its log index (-1: not sequenced yet). */
struct mf_db_log_position {
	int64_t submission_id;
	int64_t log_index;
};

/* Sets log_index of each of pos[0..n) to its index, or -1 (one query). */
int mf_db_log_sequenced(struct mf_db_log_position *pos, size_t n,
                        struct mf_error *err);

/*
 * Connects the calling thread when needed and LISTENs for the checkpoint
 * notifications whenever its session is not *session (then updates it):
 * call before each mf_db_wait_notify. MF_E_UNAVAILABLE when the database
 * cannot be reached.
 */
int mf_db_log_listen(unsigned long *session, struct mf_error *err);

/*
 * A submission's record (sequencer/record.c): the record object, and for
 * a sequenced entry its leaf and the latest checkpoint (strings borrowed
 * from `rows`). MF_E_NOT_FOUND for an unknown id.
 */
struct mf_db_submission_record {
	json_t *record; /* owned (a new reference) */
	bool sequenced;
	uint64_t log_index;
	const char *leaf;   /* the entry text; "" unless sequenced */
	uint64_t tree_size; /* of the latest checkpoint; 0: none */
	const char *note;   /* that checkpoint; "" when none */
	void *rows;
};

int mf_db_submission_record(struct mf_db_submission_record *out,
                            int64_t submission_id, struct mf_error *err);
void mf_db_submission_record_dispose(struct mf_db_submission_record *r);

#endif
