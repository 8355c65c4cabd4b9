/*
 * The log watcher thread (see logwait.h). Waiters are few (one per
 * in-flight submission), so a small array under a mutex does; a pipe
 * wakes the watcher when one is added. When this process's sequencer
 * leads, it hands over each batch's indices itself (no query per batch
 * or per waiter); the watcher then only sweeps for what a lost handover
 * could leave behind, every RECHECK_MS.
 */
#include "sequencer/logwait.h"
#include "common/buf.h"
#include "common/diag.h"
#include "common/timeutil.h"
#include "db/db.h"
#include "db/tlog.h"

#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fallback poll, in case a notification came before the wait began. */
#define RECHECK_MS 100

struct waiter {
	struct mf_logwait_slot *slot;
	mf_logwait_wake_fn wake;
	void *ctx;
};

struct mf_logwait {
	pthread_t thread;
	pthread_mutex_t lock;
	struct waiter *w;
	size_t n, cap;
	int pipe[2];
	bool stopping;
	bool local; /* this process's sequencer leads and hands over */
	unsigned timeout_ms;
	int64_t next_sweep_ms;
};

static void
wake(struct mf_logwait *lw)
{
	char c = 1;

	if (write(lw->pipe[1], &c, 1) < 0)
		return; /* full pipe: already awake */
}

void
mf_logwait_add(struct mf_logwait *lw, struct mf_logwait_slot *slot,
               mf_logwait_wake_fn wake_fn, void *ctx)
{
	struct waiter *nw;
	bool added = false;

	slot->log_index = -1;
	slot->timed_out = false;
	slot->deadline_ms = mf_time_now_ms() + lw->timeout_ms;
	pthread_mutex_lock(&lw->lock);
	if (!lw->stopping) {
		if (lw->n == lw->cap) {
			size_t cap = lw->cap ? lw->cap * 2 : 64;

			nw = realloc(lw->w, cap * sizeof(*nw));
			if (nw != NULL) {
				lw->w = nw;
				lw->cap = cap;
			}
		}
		if (lw->n < lw->cap) {
			lw->w[lw->n].slot = slot;
			lw->w[lw->n].wake = wake_fn;
			lw->w[lw->n].ctx = ctx;
			lw->n++;
			added = true;
		}
	}
	pthread_mutex_unlock(&lw->lock);
	if (added) {
		wake(lw);
		return;
	}
	slot->timed_out = true; /* cannot wait: answer at once */
	wake_fn(ctx);
}

void
mf_logwait_set_local(struct mf_logwait *lw, bool local)
{
	pthread_mutex_lock(&lw->lock);
	lw->local = local;
	pthread_mutex_unlock(&lw->lock);
}

bool
mf_logwait_local(struct mf_logwait *lw)
{
	bool local;

	if (lw == NULL)
		return false;
	pthread_mutex_lock(&lw->lock);
	local = lw->local;
	pthread_mutex_unlock(&lw->lock);
	return local;
}

/* The entry's proof from the batch's nodes; on any failure, none. */
static void
prove(struct mf_logwait_slot *slot, const struct mf_logwait_batch *b)
{
	if (mf_merkle_inclusion_proof(slot->proof, &slot->proof_len,
	                              (uint64_t)slot->log_index, b->tree_size,
	                              b->get_node, b->ctx) != 0)
		return;
	slot->tree_size = b->tree_size;
	slot->note = strdup(b->note);
}

void
mf_logwait_sequenced(struct mf_logwait *lw, const struct mf_logwait_batch *b)
{
	size_t i, k;

	pthread_mutex_lock(&lw->lock);
	for (i = 0; i < lw->n;) {
		struct waiter *w = &lw->w[i];

		for (k = 0; k < b->n && b->ids[k] != w->slot->submission_id;
		     k++)
			;
		if (k < b->n) {
			w->slot->log_index = b->indices[k];
			prove(w->slot, b);
			w->wake(w->ctx);
			lw->w[i] = lw->w[--lw->n];
		} else {
			i++;
		}
	}
	pthread_mutex_unlock(&lw->lock);
}

/*
 * Asks which waiters of at least min_age_ms are sequenced and resumes
 * those, and the expired. Younger ones are left to the handover.
 */
static int
check_waiters(struct mf_logwait *lw, int64_t min_age_ms, struct mf_error *err)
{
	struct mf_db_log_position *pos = NULL;
	int64_t now = mf_time_now_ms();
	size_t i, k, asked = 0;
	int rc = 0;

	/* 1. Which submissions to ask about. */
	pthread_mutex_lock(&lw->lock);
	if (lw->n > 0 && (pos = malloc(lw->n * sizeof(*pos))) == NULL) {
		pthread_mutex_unlock(&lw->lock);
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	}
	for (i = 0; i < lw->n; i++) {
		int64_t since = lw->w[i].slot->deadline_ms - lw->timeout_ms;

		if (now - since < min_age_ms)
			continue;
		pos[asked++].submission_id = lw->w[i].slot->submission_id;
	}
	pthread_mutex_unlock(&lw->lock);

	/* 2. One query; on failure, still expire the waiters below. */
	if (asked > 0 && (rc = mf_db_log_sequenced(pos, asked, err)) != 0)
		asked = 0;

	/* 3. Wake the sequenced and the expired. */
	pthread_mutex_lock(&lw->lock);
	for (i = 0; i < lw->n;) {
		struct waiter *w = &lw->w[i];
		bool done = false;

		for (k = 0; k < asked && !done; k++)
			if (pos[k].submission_id == w->slot->submission_id &&
			    pos[k].log_index >= 0) {
				w->slot->log_index = pos[k].log_index;
				done = true;
			}
		if (!done && now >= w->slot->deadline_ms) {
			w->slot->timed_out = true;
			done = true;
		}
		if (done) {
			w->wake(w->ctx);
			lw->w[i] = lw->w[--lw->n];
		} else {
			i++;
		}
	}
	pthread_mutex_unlock(&lw->lock);
	free(pos);
	return rc;
}

static void *
watcher_main(void *arg)
{
	struct mf_logwait *lw = arg;
	unsigned long session = 0;
	struct mf_error err;
	char drain[64];
	int count;
	size_t n;
	bool local;
	int64_t now;

	prctl(PR_SET_NAME, "mf-logwait", 0, 0, 0); /* for top and perf */

	for (;;) {
		mf_error_init(&err);
		pthread_mutex_lock(&lw->lock);
		n = lw->n;
		local = lw->local;
		if (lw->stopping) {
			pthread_mutex_unlock(&lw->lock);
			break;
		}
		pthread_mutex_unlock(&lw->lock);
		if (mf_db_log_listen(&session, &err) != 0) {
			if (err.code == MF_E_UNAVAILABLE)
				usleep(200 * 1000);
			goto next;
		}
		if (mf_db_wait_notify(n ? RECHECK_MS : 1000, lw->pipe[0],
		                      &count, &err) != 0)
			goto next;
		while (read(lw->pipe[0], drain, sizeof(drain)) > 0)
			;
		/* Another process's sequencer: its notification says when. */
		now = mf_time_now_ms();
		if (count > 0 && !local) {
			check_waiters(lw, 0, &err);
		} else if (n > 0 && now >= lw->next_sweep_ms) {
			lw->next_sweep_ms = now + RECHECK_MS;
			check_waiters(lw, local ? RECHECK_MS : 0, &err);
		}
	next:
		if (err.code == MF_E_UNAVAILABLE)
			usleep(100 * 1000);
		mf_error_dispose(&err);
	}
	mf_db_drop();
	return NULL;
}

int
mf_logwait_start(struct mf_logwait **out, unsigned timeout_ms,
                 struct mf_error *err)
{
	struct mf_logwait *lw = calloc(1, sizeof(*lw));

	*out = NULL;
	if (lw == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	lw->timeout_ms = timeout_ms;
	pthread_mutex_init(&lw->lock, NULL);
	if (pipe(lw->pipe) != 0) {
		free(lw);
		return mf_error_set(err, MF_E_IO, NULL, "pipe failed");
	}
	fcntl(lw->pipe[0], F_SETFL, O_NONBLOCK);
	fcntl(lw->pipe[1], F_SETFL, O_NONBLOCK);
	if (pthread_create(&lw->thread, NULL, watcher_main, lw) != 0) {
		close(lw->pipe[0]);
		close(lw->pipe[1]);
		free(lw);
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "cannot start the log watcher");
	}
	*out = lw;
	return 0;
}

void
mf_logwait_stop(struct mf_logwait *lw)
{
	size_t i;

	if (lw == NULL)
		return;
	pthread_mutex_lock(&lw->lock);
	lw->stopping = true;
	for (i = 0; i < lw->n; i++) {
		lw->w[i].slot->timed_out = true;
		lw->w[i].wake(lw->w[i].ctx);
	}
	lw->n = 0;
	pthread_mutex_unlock(&lw->lock);
	wake(lw);
	pthread_join(lw->thread, NULL);
	close(lw->pipe[0]);
	close(lw->pipe[1]);
	free(lw->w);
	pthread_mutex_destroy(&lw->lock);
	free(lw);
}
