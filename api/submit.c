/*
 * POST /v1/submissions. The pipeline is ingest.c; this file turns its
 * outcome into HTTP. A new submission is committed first, then the
 * request waits (suspended, holding no thread) until the sequencer has
 * put it in the log: 201 carries its log index, a signed checkpoint and
 * the inclusion proof. 200 answers an envelope accepted before.
 */
#include "api/submit.h"
#include "common/diag.h"
#include "common/timeutil.h"
#include "app/app.h"
#include "ingest/ingest.h"
#include "sequencer/logwait.h"
#include "sequencer/record.h"
#include "sequencer/sequencer.h"

#include <stdlib.h>

struct submit_state {
	struct mf_logwait_slot slot;
	json_t *warnings;
	int64_t committed_ns; /* for the debug timing line */
};

static void
state_free(void *p)
{
	struct submit_state *st = p;

	json_decref(st->warnings);
	free(st->slot.note);
	free(st);
}

static int
respond(struct mf_request *req, unsigned status, int64_t id, json_t *warnings,
        const struct mf_logwait_slot *slot, const char *what)
{
	struct mf_record_proof proof;
	json_t *rec;
	int rc;

	if (slot != NULL && slot->note != NULL) {
		proof.tree_size = slot->tree_size;
		proof.note = slot->note;
		proof.n = slot->proof_len;
		proof.hashes = slot->proof;
	}
	if ((rc = mf_record_build(&rec, id, req->app->cfg->public_url,
	                          slot != NULL && slot->note != NULL ? &proof
	                                                             : NULL,
	                          &req->err)) != 0)
		return rc;
	json_object_set_new(rec, "warnings",
	                    warnings ? json_incref(warnings) : json_array());
	json_object_set_new(rec, "status", json_string(what));
	return mf_http_respond_json(req, status, rec);
}

/* The log watcher's wake-up: resume the suspended request. */
static void
wake_request(void *ctx)
{
	mf_http_resume(ctx);
}

/* Runs when the log watcher resumes the request. */
static int
submit_resume(struct mf_request *req)
{
	struct submit_state *st = req->state;
	int64_t now = mf_time_mono_ns();

	mf_diag(MF_DIAG_DEBUG, req->id,
	        "submission %lld: ingest %.2f ms, log wait %.2f ms",
	        (long long)st->slot.submission_id,
	        (double)(st->committed_ns - req->started_ns) / 1e6,
	        (double)(now - st->committed_ns) / 1e6);
	if (st->slot.log_index < 0) /* committed; the log will catch up */
		return respond(req, 202, st->slot.submission_id, st->warnings,
		               NULL, "accepted_log_pending");
	return respond(req, 201, st->slot.submission_id, st->warnings,
	               &st->slot, "accepted");
}

int
mf_h_submit(struct mf_request *req)
{
	struct mf_ingest_result r;
	struct submit_state *st;
	struct mf_sequencer *seq;
	int rc;

	mf_ingest_result_init(&r);
	rc = mf_ingest_submit(req->app, req->body.data ? req->body.data : "",
	                      req->body.len, &r, &req->err);
	if (rc != 0)
		goto done;
	if (r.existing) {
		rc = respond(req, 200, r.submission_id, NULL, NULL,
		             "already_accepted");
		goto done;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		rc = respond(req, 202, r.submission_id, r.warnings, NULL,
		             "accepted_log_pending");
		goto done;
	}
	st->slot.submission_id = r.submission_id;
	st->committed_ns = mf_time_mono_ns();
	st->warnings = r.warnings;
	r.warnings = NULL;
	req->state = st;
	req->state_free = state_free;
	/*
	 * Suspend before anyone can resume; wait first, then kick: the
	 * batch's handover must find the waiter.
	 */
	seq = req->app->sequencer;
	mf_http_suspend(req, submit_resume);
	mf_logwait_add(req->app->logwait, &st->slot, wake_request, req);
	mf_sequencer_kick(seq);
done:
	mf_ingest_result_dispose(&r);
	return rc;
}
