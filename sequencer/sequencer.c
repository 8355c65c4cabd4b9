/*
 * The sequencer thread (see sequencer.h). The in-memory frontier (the
 * right edge of the tree) is only advanced after a batch commits, and is
 * reloaded from the database whenever anything fails, so a crash or a
 * lost connection at any instant leaves the log exactly as last
 * committed: no gaps, no duplicates.
 */
#include "sequencer/sequencer.h"
#include "common/buf.h"
#include "common/diag.h"
#include "common/timeutil.h"
#include "merkle/checkpoint.h"
#include "merkle/entry.h"
#include "merkle/merkle.h"
#include "db/db.h"
#include "db/tlog.h"
#include "sequencer/lease.h"
#include "sequencer/logstore.h"
#include "sequencer/logwait.h"

#include <inttypes.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH_MAX 1000
/* How often to look for submissions committed by other processes. */
#define POLL_MS 20
/* Shortest time from one batch's start to the next's (microseconds). */
#define MIN_GAP_US 1000

/* The lease's length (mf_sequencer_set_lease_ms). */
static unsigned lease_ms = MF_SEQUENCER_LEASE_MS;

void
mf_sequencer_set_lease_ms(unsigned ms)
{
	lease_ms = ms > 0 ? ms : MF_SEQUENCER_LEASE_MS;
}

struct mf_sequencer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool kicked, stopping;
	const char *origin;
	const struct mf_note_signer *signer;
	struct mf_logwait *logwait; /* told of each batch; may be NULL */
	struct mf_lease lease;      /* the "sequencer" lease */
	bool leader;                /* holds it, as logwait was told */
	unsigned long session;      /* the database session loaded in */
	bool loaded;                /* frontier matches the database */
	int64_t last_batch_ns;      /* when the last batch began */
	struct mf_merkle_frontier frontier;
};

void
mf_sequencer_kick(struct mf_sequencer *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->kicked = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Waits for a kick, the poll interval, or stop. Returns false on stop. */
static bool
wait_work(struct mf_sequencer *s, int ms)
{
	struct timespec ts;
	bool go;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)ms * 1000000;
	ts.tv_sec += ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	pthread_mutex_lock(&s->lock);
	while (!s->kicked && !s->stopping)
		if (pthread_cond_timedwait(&s->cond, &s->lock, &ts) != 0)
			break;
	s->kicked = false;
	go = !s->stopping;
	pthread_mutex_unlock(&s->lock);
	return go;
}

static void
set_leader(struct mf_sequencer *s, bool leader)
{
	s->leader = leader;
	if (s->logwait != NULL)
		mf_logwait_set_local(s->logwait, leader);
}

/*
 * Takes or renews the lease as due. Whoever has just taken it over
 * continues from the log as PostgreSQL has it, never from memory.
 */
static int
hold_lease(struct mf_sequencer *s, struct mf_error *err)
{
	bool gained;
	int rc;

	rc = mf_lease_tick(&s->lease, &gained, err);
	if (gained) {
		mf_diag_info("log sequencer: this process sequences the log");
		s->loaded = false;
	}
	if (mf_lease_held(&s->lease) != s->leader)
		set_leader(s, mf_lease_held(&s->lease));
	return rc;
}

/* A new log gets its size-0 checkpoint, so clients always find one. */
static int
ensure_checkpoint(struct mf_sequencer *s, struct mf_error *err)
{
	struct mf_logstore_checkpoint c;
	uint8_t root[MF_MERKLE_HASH_LEN];
	char *note = NULL;
	int rc;

	/* 1. Fenced, like every write of the sequencer. */
	if ((rc = mf_db_begin(err)) != 0)
		return rc;
	if ((rc = mf_lease_fence(&s->lease, err)) != 0 ||
	    (rc = mf_logstore_checkpoint_latest(&c, err)) != 0)
		goto done;
	rc = c.note != NULL && c.size == s->frontier.size;
	mf_logstore_checkpoint_dispose(&c);
	if (rc) {
		rc = 0;
		goto done;
	}

	/* 2. The checkpoint of the size the log has. */
	mf_merkle_frontier_root(&s->frontier, root);
	if ((rc = mf_checkpoint_sign(&note, s->origin, s->frontier.size, root,
	                             s->signer, err)) != 0 ||
	    (rc = mf_db_log_checkpoint_insert(s->frontier.size, root, note,
	                                      err)) != 0)
		goto done;
	rc = mf_db_commit(err);
done:
	mf_db_rollback(); /* nothing when committed */
	free(note);
	return rc;
}

static int
load_frontier(struct mf_sequencer *s, struct mf_error *err)
{
	uint8_t hashes[MF_MERKLE_PLAN_MAX][MF_MERKLE_HASH_LEN];
	struct mf_merkle_plan plan;
	uint64_t size;
	size_t i;
	int rc;

	if ((rc = mf_logstore_size(&size, err)) != 0)
		return rc;
	if (mf_merkle_plan_root(&plan, size) != 0)
		return mf_error_set(err, MF_E_INTERNAL, NULL, "bad log size");
	/* The frontier is the root plan's nodes themselves. */
	{
		struct mf_merkle_plan fetch = plan;

		fetch.n_out = fetch.n_nodes;
		for (i = 0; i < fetch.n_nodes; i++) {
			fetch.out_first[i] = (uint16_t)i;
			fetch.out_count[i] = 1;
		}
		if ((rc = mf_logstore_fetch(&fetch, hashes, err)) != 0)
			return rc;
	}
	if (mf_merkle_frontier_set(
	        &s->frontier, size,
	        (const uint8_t(*)[MF_MERKLE_HASH_LEN])hashes) != 0)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "cannot rebuild the log frontier");
	s->loaded = true;
	return ensure_checkpoint(s, err);
}

/*
 * The nodes an inclusion proof in a batch's tree needs: the frontier
 * before the batch and every node the batch completed (a left sibling
 * either lies wholly before the batch, so under a frontier node, or was
 * completed in it). Sorted on first use, then searched.
 */
struct known {
	struct mf_merkle_node *v;
	size_t n, cap;
	bool sorted;
};

static int
known_add(struct known *k, const struct mf_merkle_node *node)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 256;
		struct mf_merkle_node *v = realloc(k->v, cap * sizeof(*v));

		if (v == NULL)
			return MF_E_NOMEM;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = *node;
	return 0;
}

static int
node_cmp(const void *a, const void *b)
{
	const struct mf_merkle_node *x = a, *y = b;

	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int
known_get(void *ctx, unsigned level, uint64_t index,
          uint8_t out[MF_MERKLE_HASH_LEN])
{
	struct known *k = ctx;
	struct mf_merkle_node key = {.level = level, .index = index}, *hit;

	if (!k->sorted) {
		qsort(k->v, k->n, sizeof(*k->v), node_cmp);
		k->sorted = true;
	}
	hit = bsearch(&key, k->v, k->n, sizeof(*k->v), node_cmp);
	if (hit == NULL)
		return MF_E_NOT_FOUND;
	memcpy(out, hit->hash, MF_MERKLE_HASH_LEN);
	return 0;
}

/* What one batch gathers. */
struct batch {
	int64_t *index; /* log indices, for the handover to waiting clients */
	struct known known;
	struct mf_db_log_pending pending;
	struct mf_db_log_batch writes;
	struct mf_buf leaf;
};

static void
batch_dispose(struct batch *b)
{
	mf_db_log_pending_dispose(&b->pending);
	mf_db_log_batch_dispose(&b->writes);
	mf_buf_dispose(&b->leaf);
	free(b->index);
	free(b->known.v);
}

/* Sequences one batch; *n gets how many entries it covered (0: idle). */
static int
run_batch(struct mf_sequencer *s, int *n, struct mf_error *err)
{
	struct mf_merkle_frontier f = s->frontier;
	struct mf_merkle_node nodes[MF_MERKLE_MAX_LEVELS + 1];
	uint8_t leaf_hash[MF_MERKLE_HASH_LEN], root[MF_MERKLE_HASH_LEN];
	struct batch b;
	char *note = NULL;
	size_t nn, k, r;
	int rc;

	*n = 0;
	memset(&b, 0, sizeof(b));
	mf_db_log_batch_init(&b.writes);
	if ((rc = mf_db_begin(err)) != 0)
		goto done;
	/* The fence: no other node can take the lease over until commit,
	 * and a node that lost it writes nothing. */
	if (mf_lease_fence(&s->lease, err) != 0)
		goto fail;
	if (mf_db_log_pending(&b.pending, BATCH_MAX, err) != 0)
		goto fail;
	if (b.pending.n == 0) {
		mf_db_rollback();
		goto done;
	}
	if ((b.index = malloc(b.pending.n * sizeof(*b.index))) == NULL) {
		mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	for (k = 0; k < f.n; k++)
		if (known_add(&b.known, &f.nodes[k]) != 0) {
			mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
			goto fail;
		}
	for (r = 0; r < b.pending.n; r++) {
		struct mf_log_entry e = b.pending.entries[r];

		e.origin = s->origin;
		mf_buf_clear(&b.leaf);
		if ((rc = mf_log_entry_format(&b.leaf, &e)) != 0) {
			mf_error_set(err, rc, NULL, "bad log entry field");
			goto fail;
		}
		mf_merkle_leaf_hash(leaf_hash, b.leaf.data, b.leaf.len);
		if ((rc = mf_merkle_append(&f, leaf_hash, nodes, &nn)) != 0) {
			mf_error_set(err, rc, NULL, "log full");
			goto fail;
		}
		b.index[r] = (int64_t)f.size - 1;
		mf_db_log_batch_entry(&b.writes, b.pending.ids[r], f.size - 1,
		                      b.leaf.data);
		for (k = 0; k < nn; k++) {
			if (known_add(&b.known, &nodes[k]) != 0) {
				mf_error_set(err, MF_E_NOMEM, NULL,
				             "out of memory");
				goto fail;
			}
			mf_db_log_batch_node(&b.writes, &nodes[k]);
		}
	}
	*n = (int)b.pending.n;
	if (mf_db_log_batch_store(&b.writes, err) != 0)
		goto fail;
	mf_merkle_frontier_root(&f, root);
	if ((rc = mf_checkpoint_sign(&note, s->origin, f.size, root, s->signer,
	                             err)) != 0)
		goto fail;
	if (mf_db_log_checkpoint_insert(f.size, root, note, err) != 0)
		goto fail;
	if ((rc = mf_db_commit(err)) != 0) {
		s->loaded = false; /* unknown outcome: reload from the truth */
		goto done;
	}
	s->frontier = f;
	if (s->logwait != NULL) {
		struct mf_logwait_batch h = {b.pending.ids, b.index, (size_t)*n,
		                             f.size,        note,    known_get,
		                             &b.known};

		mf_logwait_sequenced(s->logwait, &h);
	}
	goto done;
fail:
	rc = err->code ? err->code : MF_E_INTERNAL;
	mf_db_rollback();
	s->loaded = false;
	*n = 0;
done:
	free(note);
	batch_dispose(&b);
	return rc;
}

static void *
sequencer_main(void *arg)
{
	struct mf_sequencer *s = arg;
	struct mf_error err;
	int n, backoff = POLL_MS;

	prctl(PR_SET_NAME, "mf-sequencer", 0, 0, 0); /* for top and perf */

	while (wait_work(s, s->leader ? POLL_MS : backoff)) {
		mf_error_init(&err);
		if (hold_lease(s, &err) != 0)
			goto lost;
		if (!s->leader) {
			backoff = 100;
			goto next;
		}
		/* A new session may not see what the old one committed last. */
		if (mf_db_generation() != s->session)
			s->loaded = false;
		s->session = mf_db_generation();
		if (!s->loaded && load_frontier(s, &err) != 0)
			goto lost;
		/* Drain everything committed so far, batch by batch. */
		do {
			int64_t gap =
			    (mf_time_mono_ns() - s->last_batch_ns) / 1000;

			if (gap >= 0 && gap < MIN_GAP_US)
				usleep((useconds_t)(MIN_GAP_US - gap));
			s->last_batch_ns = mf_time_mono_ns();
			if (run_batch(s, &n, &err) != 0)
				goto lost;
			if (n > 0 && hold_lease(s, &err) != 0)
				goto lost;
		} while (n > 0 && s->leader && s->loaded);
		goto next;
	lost:
		mf_diag_warn("log sequencer: %s; retrying", err.message);
		if (mf_lease_held(&s->lease) != s->leader)
			set_leader(s, mf_lease_held(&s->lease));
		if (err.code == MF_E_UNAVAILABLE)
			backoff = 500;
	next:
		mf_error_dispose(&err);
	}
	set_leader(s, false);
	mf_lease_release(&s->lease); /* another node takes over at once */
	mf_db_drop();
	return NULL;
}

int
mf_sequencer_start(struct mf_sequencer **out, const char *origin,
                   const struct mf_note_signer *signer,
                   struct mf_logwait *logwait, struct mf_error *err)
{
	struct mf_sequencer *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	s->origin = origin;
	s->signer = signer;
	s->logwait = logwait;
	mf_lease_init(&s->lease, "sequencer", lease_ms);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, sequencer_main, s) != 0) {
		free(s);
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "cannot start the sequencer thread");
	}
	*out = s;
	return 0;
}

void
mf_sequencer_stop(struct mf_sequencer *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}
