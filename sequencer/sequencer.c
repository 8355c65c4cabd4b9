/*
 * The sequencer thread (see sequencer.h). The in-memory frontier (the
 * right edge of the tree) is only advanced after a batch commits, and is
 * reloaded from the database whenever anything fails, so a crash or a
 * lost connection at any instant leaves the log exactly as last
 * committed: no gaps, no duplicates.
 */
#include "sequencer/sequencer.h"
#include "common/buf.h"
#include "common/encoding.h"
#include "common/diag.h"
#include "common/timeutil.h"
#include "merkle/checkpoint.h"
#include "merkle/entry.h"
#include "merkle/merkle.h"
#include "db/exec.h"
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

/* An arbitrary constant: the advisory lock key of the sequencer. */
#define SEQUENCER_LOCK_KEY "7316459102837461002"
#define BATCH_MAX          "1000"
/* How often to look for submissions committed by other processes. */
#define POLL_MS 20
/* Shortest time from one batch's start to the next's (microseconds). */
#define MIN_GAP_US 1000

struct mf_sequencer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool kicked, stopping;
	const char *origin;
	const struct mf_note_signer *signer;
	struct mf_logwait *logwait; /* told of each batch; may be NULL */
	bool leader;                /* holds the advisory lock */
	unsigned long session;      /* ... in this database session */
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

static int
become_leader(struct mf_sequencer *s, struct mf_error *err)
{
	const char *key = SEQUENCER_LOCK_KEY;
	PGresult *res;
	bool got;

	res = mf_db_exec(MF_SQL_LOG_TRY_LOCK, 1, &key, NULL, NULL, err);
	if (res == NULL)
		return err->code;
	got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	s->session = mf_db_generation();
	if (got && !s->leader)
		mf_diag_info("log sequencer: this process sequences the log");
	set_leader(s, got);
	s->loaded = false;
	return 0;
}

/* A new log gets its size-0 checkpoint, so clients always find one. */
static int
ensure_checkpoint(struct mf_sequencer *s, struct mf_error *err)
{
	struct mf_logstore_checkpoint c;
	uint8_t root[MF_MERKLE_HASH_LEN];
	char hex[2 * MF_MERKLE_HASH_LEN + 1], size[24];
	char *note = NULL;
	PGresult *res;
	int rc;

	if ((rc = mf_logstore_checkpoint_latest(&c, err)) != 0)
		return rc;
	rc = c.note != NULL && c.size == s->frontier.size;
	mf_logstore_checkpoint_dispose(&c);
	if (rc)
		return 0;
	mf_merkle_frontier_root(&s->frontier, root);
	if ((rc = mf_checkpoint_sign(&note, s->origin, s->frontier.size, root,
	                             s->signer, err)) != 0)
		return rc;
	snprintf(size, sizeof(size), "%" PRIu64, s->frontier.size);
	mf_hex_encode(hex, root, MF_MERKLE_HASH_LEN);
	res =
	    mf_db_execv(MF_SQL_LOG_CHECKPOINT_INSERT, err, 3, size, hex, note);
	free(note);
	if (res == NULL)
		return err->code;
	PQclear(res);
	return 0;
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

/* Parameter arrays of one batch. */
struct batch {
	int64_t *id, *index; /* for the handover to waiting clients */
	struct known known;
	struct mf_buf ids, idxs, leaves;
	struct mf_buf levels, node_idxs, hashes;
	struct mf_buf leaf;
};

static void
batch_dispose(struct batch *b)
{
	mf_buf_dispose(&b->ids);
	mf_buf_dispose(&b->idxs);
	mf_buf_dispose(&b->leaves);
	mf_buf_dispose(&b->levels);
	mf_buf_dispose(&b->node_idxs);
	mf_buf_dispose(&b->hashes);
	mf_buf_dispose(&b->leaf);
	free(b->id);
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
	char hex[MF_MERKLE_HASH_LEN * 2 + 1], num[24], size[24];
	const char *limit = BATCH_MAX;
	struct batch b;
	PGresult *res = NULL;
	char *note = NULL;
	size_t nn, k;
	int r, rc;

	*n = 0;
	memset(&b, 0, sizeof(b));
	if ((rc = mf_db_begin(err)) != 0)
		return rc;
	if (mf_db_generation() != s->session) {
		mf_db_rollback();
		return mf_error_set(err, MF_E_UNAVAILABLE, NULL,
		                    "database session changed");
	}
	res = mf_db_exec(MF_SQL_LOG_PENDING, 1, &limit, NULL, NULL, err);
	if (res == NULL)
		goto fail;
	if (PQntuples(res) == 0) {
		PQclear(res);
		mf_db_rollback();
		return 0;
	}
	b.id = malloc((size_t)PQntuples(res) * sizeof(*b.id));
	b.index = malloc((size_t)PQntuples(res) * sizeof(*b.index));
	if (b.id == NULL || b.index == NULL) {
		mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	for (k = 0; k < f.n; k++)
		if (known_add(&b.known, &f.nodes[k]) != 0) {
			mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
			goto fail;
		}
	mf_db_array_begin(&b.ids);
	mf_db_array_begin(&b.idxs);
	mf_db_array_begin(&b.leaves);
	mf_db_array_begin(&b.levels);
	mf_db_array_begin(&b.node_idxs);
	mf_db_array_begin(&b.hashes);
	for (r = 0; r < PQntuples(res); r++) {
		struct mf_log_entry e = {
		    s->origin,
		    PQgetvalue(res, r, 1),
		    PQgetvalue(res, r, 2),
		    PQgetvalue(res, r, 3),
		    PQgetvalue(res, r, 4),
		    PQgetvalue(res, r, 5),
		    PQgetvalue(res, r, 6),
		    PQgetvalue(res, r, 7),
		    PQgetvalue(res, r, 8),
		    PQgetvalue(res, r, 9),
		    PQgetvalue(res, r, 10),
		};

		mf_buf_clear(&b.leaf);
		if ((rc = mf_log_entry_format(&b.leaf, &e)) != 0) {
			mf_error_set(err, rc, NULL, "bad log entry field");
			goto fail;
		}
		mf_merkle_leaf_hash(leaf_hash, b.leaf.data, b.leaf.len);
		snprintf(num, sizeof(num), "%" PRIu64, f.size);
		if ((rc = mf_merkle_append(&f, leaf_hash, nodes, &nn)) != 0) {
			mf_error_set(err, rc, NULL, "log full");
			goto fail;
		}
		b.id[r] = strtoll(PQgetvalue(res, r, 0), NULL, 10);
		b.index[r] = (int64_t)f.size - 1;
		mf_db_array_push(&b.ids, PQgetvalue(res, r, 0));
		mf_db_array_push(&b.idxs, num);
		mf_db_array_push(&b.leaves, b.leaf.data);
		for (k = 0; k < nn; k++) {
			if (known_add(&b.known, &nodes[k]) != 0) {
				mf_error_set(err, MF_E_NOMEM, NULL,
				             "out of memory");
				goto fail;
			}
			snprintf(num, sizeof(num), "%u", nodes[k].level);
			mf_db_array_push(&b.levels, num);
			snprintf(num, sizeof(num), "%" PRIu64, nodes[k].index);
			mf_db_array_push(&b.node_idxs, num);
			mf_hex_encode(hex, nodes[k].hash, MF_MERKLE_HASH_LEN);
			mf_db_array_push(&b.hashes, hex);
		}
	}
	*n = PQntuples(res);
	PQclear(res);
	res = NULL;
	mf_db_array_end(&b.ids);
	mf_db_array_end(&b.idxs);
	mf_db_array_end(&b.leaves);
	mf_db_array_end(&b.levels);
	mf_db_array_end(&b.node_idxs);
	if (mf_db_array_end(&b.hashes) != 0) {
		mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	if ((res = mf_db_execv(MF_SQL_LOG_ASSIGN, err, 3, b.ids.data,
	                       b.idxs.data, b.leaves.data)) == NULL)
		goto fail;
	PQclear(res);
	if ((res = mf_db_execv(MF_SQL_LOG_NODES_INSERT, err, 3, b.levels.data,
	                       b.node_idxs.data, b.hashes.data)) == NULL)
		goto fail;
	PQclear(res);
	res = NULL;
	mf_merkle_frontier_root(&f, root);
	if ((rc = mf_checkpoint_sign(&note, s->origin, f.size, root, s->signer,
	                             err)) != 0)
		goto fail;
	snprintf(size, sizeof(size), "%" PRIu64, f.size);
	mf_hex_encode(hex, root, MF_MERKLE_HASH_LEN);
	if ((res = mf_db_execv(MF_SQL_LOG_CHECKPOINT_INSERT, err, 3, size, hex,
	                       note)) == NULL)
		goto fail;
	PQclear(res);
	res = NULL;
	if ((rc = mf_db_commit(err)) != 0) {
		s->loaded = false; /* unknown outcome: reload from the truth */
		goto done;
	}
	s->frontier = f;
	if (s->logwait != NULL) {
		struct mf_logwait_batch h = {b.id,    b.index, (size_t)*n,
		                             f.size,  note,    known_get,
		                             &b.known};

		mf_logwait_sequenced(s->logwait, &h);
	}
	goto done;
fail:
	rc = err->code ? err->code : MF_E_INTERNAL;
	PQclear(res);
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
		/* A new session has lost the old one's advisory lock. */
		if (s->leader && mf_db_generation() != s->session)
			set_leader(s, false);
		if (!s->leader) {
			if (become_leader(s, &err) != 0 || !s->leader) {
				backoff = 1000;
				goto next;
			}
		}
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
		} while (n > 0);
		goto next;
	lost:
		mf_diag_warn("log sequencer: %s; retrying", err.message);
		if (err.code == MF_E_UNAVAILABLE) {
			set_leader(s,
			           false); /* the lock went with the session */
			backoff = 500;
		}
	next:
		mf_error_dispose(&err);
	}
	set_leader(s, false);
	mf_db_drop(); /* releases the advisory lock */
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
