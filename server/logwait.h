/*
 * Clients waiting for their submission to be covered by a signed
 * checkpoint. A 201 is only sent once the entry is in the log, so the
 * submit handler suspends its request here; one watcher thread per
 * process LISTENs for the sequencer's mf_log notifications (whichever
 * process sequences) and resumes the requests whose entries are in.
 */
#ifndef MF_LOGWAIT_H
#define MF_LOGWAIT_H

#include "common/error.h"

#include <stdbool.h>
#include <stdint.h>

struct mf_logwait;
struct mf_request;

/* The outcome, written by the watcher before it resumes the request. */
struct mf_logwait_slot {
	int64_t submission_id;
	int64_t log_index; /* -1 until sequenced */
	bool timed_out;    /* gave up waiting (the submission is committed) */
	int64_t deadline_ms;
};

int mf_logwait_start(struct mf_logwait **out, unsigned timeout_ms,
                     struct mf_error *err);
/*
 * Suspends req until slot->submission_id is sequenced (or the timeout),
 * then resumes it: its `resume` handler runs and reads the slot. The
 * slot lives in the request's state, so it outlives the wait.
 */
void mf_logwait_suspend(struct mf_logwait *w, struct mf_request *req,
                        struct mf_logwait_slot *slot,
                        int (*resume)(struct mf_request *));
/* Resumes every remaining waiter as timed out, stops and frees. */
void mf_logwait_stop(struct mf_logwait *w);

#endif
