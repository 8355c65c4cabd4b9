/*
 * Clients waiting for their submission to be covered by a signed
 * checkpoint. A 201 is only sent once the entry is in the log, so the
 * submit handler suspends its request and waits here; one watcher thread
 * per process LISTENs for the sequencer's checkpoint notifications
 * (whichever process sequences) and wakes the waiters whose entries are
 * in. How a waiter is woken is its own business (a callback): nothing
 * here knows about HTTP.
 */
#ifndef MF_LOGWAIT_H
#define MF_LOGWAIT_H

#include "common/error.h"
#include "merkle/merkle.h"

#include <stdbool.h>
#include <stdint.h>

struct mf_logwait;

/* The outcome, written by the watcher before it wakes the waiter. */
struct mf_logwait_slot {
	int64_t submission_id;
	int64_t log_index; /* -1 until sequenced */
	bool timed_out;    /* gave up waiting (the submission is committed) */
	int64_t deadline_ms;
	/* From an in-process handover: the batch's checkpoint and the
	 * entry's inclusion proof against it (note NULL: none, ask the
	 * database). The waiter frees note. */
	uint64_t tree_size;
	char *note;
	size_t proof_len;
	uint8_t proof[MF_MERKLE_MAX_PROOF][MF_MERKLE_HASH_LEN];
};

/* A committed batch, as the sequencer hands it over. */
struct mf_logwait_batch {
	const int64_t *ids, *indices; /* submission ids and their log indices */
	size_t n;
	uint64_t tree_size; /* of the checkpoint that covers them */
	const char *note;   /* that checkpoint, signed */
	/* every node an inclusion proof in the batch's tree needs */
	mf_merkle_get_node_fn get_node;
	void *ctx;
};

int mf_logwait_start(struct mf_logwait **out, unsigned timeout_ms,
                     struct mf_error *err);
/*
 * Tells a waiter its slot is filled. Called exactly once per wait, with
 * the watcher's lock held (so it must not call into this module): from
 * the watcher thread, the sequencer's thread, mf_logwait_stop, or at once
 * from mf_logwait_add when the wait cannot be recorded.
 */
typedef void (*mf_logwait_wake_fn)(void *ctx);

/*
 * Waits until slot->submission_id is sequenced (or the timeout), fills
 * the slot, then calls wake(ctx). wake may run before this returns, so
 * whatever it resumes (a suspended request) must be ready for it. The
 * slot must outlive the wait (a request keeps it in its state).
 */
void mf_logwait_add(struct mf_logwait *w, struct mf_logwait_slot *slot,
                    mf_logwait_wake_fn wake, void *ctx);
/*
 * The sequencer of this process tells the watcher whether it leads (then
 * notifications need no query: it hands each batch over itself) ...
 */
void mf_logwait_set_local(struct mf_logwait *w, bool local);
/* Whether this process's sequencer leads now, as it last said (for
 * GET /metrics; false for NULL). */
bool mf_logwait_local(struct mf_logwait *w);
/* ... and hands over each committed batch. */
void mf_logwait_sequenced(struct mf_logwait *w,
                          const struct mf_logwait_batch *b);
/* Resumes every remaining waiter as timed out, stops and frees. */
void mf_logwait_stop(struct mf_logwait *w);

#endif
