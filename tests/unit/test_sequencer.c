/*
 * Tests for sequencer/: the log's decisions, without HTTP, against a
 * fresh migrated PostgreSQL database (support/pg.h). Submissions are
 * stored through the same typed call ingest uses (db/ingest.h), the
 * sequencer and the log watcher run as their real threads, and what they
 * wrote is checked independently: indices read back with SQL, the root
 * recomputed from the stored leaves by RFC 9162's recursive definition,
 * the checkpoint's signature verified with the log's verifier key.
 */
#include "common/digest.h"
#include "common/doctype.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/timeutil.h"
#include "merkle/checkpoint.h"
#include "merkle/merkle.h"
#include "merkle/note.h"
#include "db/db.h"
#include "db/ingest.h"
#include "sequencer/logstore.h"
#include "sequencer/logwait.h"
#include "sequencer/sequencer.h"
#include "tests/unit/support/pg.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#define ORIGIN "modelfacts.localhost"
#define ORG    "acme"
#define KEYID  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define H      MF_MERKLE_HASH_LEN
/* Longest a test waits for a thread to get something done. */
#define WAIT_MS 20000

static struct mf_note_signer *signer;
static struct mf_note_verifier *verifier;
static int64_t next_seq = 1;
static int64_t first_id; /* the first submission of the run */

/* ---- helpers ------------------------------------------------------- */

/* Runs SQL; returns its output (one value) without the final newline. */
static char *sql_value(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *
sql_value(const char *fmt, ...)
{
	char sql[4096], *out = NULL;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	assert_int_equal(mf_test_pg_sql(&out, "%s", sql), 0);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}

static void
assert_sql(const char *want, const char *sql)
{
	char *got = sql_value("%s", sql);

	assert_string_equal(got, want);
	free(got);
}

/*
 * Stores one committed (not yet sequenced) disclosure of model m-<seq>
 * with the call ingest makes; returns its submission id.
 */
static int64_t
accept_one(void)
{
	const char *keyids[1] = {KEYID};
	char model[32], payload[64], env[64];
	char phex[MF_SHA256_HEX_LEN + 1], ehex[MF_SHA256_HEX_LEN + 1];
	struct mf_db_submission s;
	struct mf_error err;
	json_t *extra = json_object();
	int64_t seq = next_seq++, id = 0;

	snprintf(model, sizeof(model), "m-%lld", (long long)seq);
	snprintf(payload, sizeof(payload), "{\"n\":%lld}", (long long)seq);
	snprintf(env, sizeof(env), "{\"envelope\":%lld}", (long long)seq);
	mf_sha256_hex(phex, payload, strlen(payload));
	mf_sha256_hex(ehex, env, strlen(env));
	memset(&s, 0, sizeof(s));
	s.kind = "disclosure";
	s.org = ORG;
	s.keyid = KEYID;
	s.seq = seq;
	s.subject_org = ORG;
	s.subject_model = model;
	s.payload_type = mf_doctype_payload_type(MF_DOC_DISCLOSURE);
	s.payload_hex = phex;
	s.envelope_hex = ehex;
	s.envelope = env;
	s.envelope_len = strlen(env);
	s.payload = payload;
	s.issued_at = "2026-01-01T00:00:00Z";
	s.signer_keyids = keyids;
	s.nsigners = 1;
	s.extra = extra;
	mf_error_init(&err);
	assert_int_equal(mf_db_accept_submission(&id, &s, &err), 0);
	mf_error_dispose(&err);
	json_decref(extra);
	if (first_id == 0)
		first_id = id;
	return id;
}

/* Waits until the log holds `size` entries; false on timeout. */
static bool
wait_log_size(uint64_t size)
{
	struct mf_error err;
	uint64_t now = 0;
	int waited;

	for (waited = 0; waited < WAIT_MS; waited += 10) {
		mf_error_init(&err);
		if (mf_logstore_size(&now, &err) == 0 && now >= size) {
			mf_error_dispose(&err);
			return now == size;
		}
		mf_error_dispose(&err);
		usleep(10 * 1000);
	}
	return false;
}

/* Starts a sequencer, lets it drain the log to `size`, stops it. */
static void
sequence_to(uint64_t size)
{
	struct mf_sequencer *s = NULL;
	struct mf_error err;

	mf_error_init(&err);
	assert_int_equal(mf_sequencer_start(&s, ORIGIN, signer, NULL, &err), 0);
	mf_sequencer_kick(s);
	assert_true(wait_log_size(size));
	mf_sequencer_stop(s);
	mf_error_dispose(&err);
}

/* RFC 9162 §2.1.1, MTH by its recursive definition. */
static void
mth(uint8_t out[H], const uint8_t (*leaves)[H], size_t n)
{
	uint8_t left[H], right[H];
	size_t k = 1;

	if (n == 0) {
		mf_merkle_empty_root(out);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[0], H);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	mth(left, leaves, k);
	mth(right, leaves + k, n - k);
	mf_merkle_node_hash(out, left, right);
}

/* The stored leaves in log order, hashed; *n gets how many. New array. */
static uint8_t (*stored_leaf_hashes(size_t *n))[H]
{
	char *out = sql_value("SELECT encode(convert_to(leaf, 'UTF8'), 'hex')"
	                      " FROM submissions WHERE log_index IS NOT NULL"
	                      " ORDER BY log_index");
	uint8_t(*hashes)[H] = NULL;
	char *line, *save = NULL;
	size_t cap = 0;

	*n = 0;
	for (line = strtok_r(out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line) / 2;
		uint8_t *leaf = malloc(len + 1);

		assert_non_null(leaf);
		assert_int_equal(mf_hex_decode(leaf, len, line), 0);
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			hashes = realloc(hashes, cap * sizeof(*hashes));
			assert_non_null(hashes);
		}
		assert_int_equal(mf_merkle_leaf_hash(hashes[*n], leaf, len), 0);
		(*n)++;
		free(leaf);
	}
	free(out);
	return hashes;
}

/*
 * The latest checkpoint covers exactly `size` entries, is signed by the
 * log's key for ORIGIN, and its root is the recomputed root of the
 * stored leaves; so is the root the log store reports.
 */
static void
check_checkpoint(uint64_t size)
{
	struct mf_logstore_checkpoint c;
	struct mf_checkpoint cp;
	struct mf_error err;
	uint8_t want[H];
	uint8_t(*leaves)[H];
	size_t n;

	leaves = stored_leaf_hashes(&n);
	assert_int_equal(n, size);
	mth(want, (const uint8_t(*)[H])leaves, n);
	free(leaves);

	mf_error_init(&err);
	assert_int_equal(mf_logstore_checkpoint_latest(&c, &err), 0);
	assert_int_equal(c.size, size);
	assert_memory_equal(c.root, want, H);
	assert_non_null(c.note);
	mf_checkpoint_init(&cp);
	assert_int_equal(mf_checkpoint_open(&cp, c.note, strlen(c.note),
	                                    verifier, ORIGIN, &err),
	                 0);
	assert_int_equal(cp.size, size);
	assert_memory_equal(cp.root, want, H);
	mf_checkpoint_dispose(&cp);
	mf_logstore_checkpoint_dispose(&c);
	mf_error_dispose(&err);
}

/* ---- the log watcher's callback ------------------------------------- */

struct wake_count {
	int calls;
};

static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cond = PTHREAD_COND_INITIALIZER;

static void
on_wake(void *ctx)
{
	struct wake_count *w = ctx;

	pthread_mutex_lock(&wake_lock);
	w->calls++;
	pthread_cond_broadcast(&wake_cond);
	pthread_mutex_unlock(&wake_lock);
}

/* Waits until every one of w[0..n) was called; false on timeout. */
static bool
wait_woken(struct wake_count *w, size_t n)
{
	int64_t until = mf_time_now_ms() + WAIT_MS;
	bool all = false;
	size_t i;

	pthread_mutex_lock(&wake_lock);
	while (!all && mf_time_now_ms() < until) {
		struct timespec ts;

		for (all = true, i = 0; i < n; i++)
			all = all && w[i].calls > 0;
		if (all)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000;
		ts.tv_sec += ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&wake_cond, &wake_lock, &ts);
	}
	pthread_mutex_unlock(&wake_lock);
	return all;
}

/* ---- set-up -------------------------------------------------------- */

static int
setup(void **state)
{
	struct mf_error err;
	char *skey = NULL, *vkey = NULL;
	int rc;

	(void)state;
	if (mf_test_pg_setup("mf_unit_sequencer") != 0)
		return 0; /* every test skips */
	mf_error_init(&err);
	rc = mf_note_generate_key(&skey, &vkey, ORIGIN, &err) != 0 ||
	     mf_note_signer_new(&signer, skey, &err) != 0 ||
	     mf_note_verifier_new(&verifier, vkey, &err) != 0 ||
	     mf_test_pg_sql(NULL, "INSERT INTO orgs (org, name, role)"
	                          " VALUES ('" ORG "', 'Acme', 'developer');");
	mf_error_dispose(&err);
	free(skey);
	free(vkey);
	return rc ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	mf_note_signer_free(signer);
	mf_note_verifier_free(verifier);
	return 0;
}

/* ---- tests --------------------------------------------------------- */

/* Five committed submissions become entries 0..4 in acceptance order,
 * in one batch after the empty log's checkpoint. */
static void
test_batch_is_gap_free_in_acceptance_order(void **state)
{
	int i;

	(void)state;
	mf_test_pg_require();
	for (i = 0; i < 5; i++)
		accept_one();
	assert_sql("5", "SELECT count(*) FROM submissions"
	                " WHERE log_index IS NULL");
	sequence_to(5);
	assert_sql("0,1,2,3,4", "SELECT string_agg(log_index::text, ','"
	                        " ORDER BY id) FROM submissions");
	assert_sql("0,5", "SELECT string_agg(tree_size::text, ','"
	                  " ORDER BY tree_size) FROM checkpoints");
	/* 5 leaves, 2 nodes of 2, 1 of 4: every complete subtree once. */
	assert_sql("0:5,1:2,2:1",
	           "SELECT string_agg(level || ':' || n, ','"
	           " ORDER BY level) FROM (SELECT level,"
	           " count(*) n FROM log_nodes GROUP BY level) t");
	/* Each leaf names its own submission. */
	assert_sql("5", "SELECT count(*) FROM submissions WHERE leaf LIKE"
	                " 'modelfacts-log-entry/v1' || chr(10) ||"
	                " 'origin " ORIGIN "' || chr(10) || '%' ||"
	                " chr(10) || 'seq ' || seq || chr(10) ||"
	                " 'subject " ORG "/m-' || seq || chr(10) || '%'");
}

/* The checkpoint's size and root match an independent recomputation. */
static void
test_checkpoint_matches_recomputation(void **state)
{
	(void)state;
	mf_test_pg_require();
	check_checkpoint(5);
}

/*
 * Submissions committed while no sequencer ran (the sequencing process
 * crashed after they were accepted) are sequenced by the next sequencer,
 * which rebuilds its state from the database: in acceptance order,
 * continuing the log without a gap.
 */
static void
test_leftovers_are_sequenced_next_run(void **state)
{
	int i;

	(void)state;
	mf_test_pg_require();
	for (i = 0; i < 4; i++)
		accept_one();
	assert_sql("4", "SELECT count(*) FROM submissions"
	                " WHERE log_index IS NULL");
	sequence_to(9);
	assert_sql("0,1,2,3,4,5,6,7,8", "SELECT string_agg(log_index::text,"
	                                " ',' ORDER BY id) FROM submissions");
	assert_sql("0,5,9", "SELECT string_agg(tree_size::text, ','"
	                    " ORDER BY tree_size) FROM checkpoints");
	check_checkpoint(9);
}

/*
 * Waiters are woken once their entries are sequenced: new entries by the
 * sequencer's handover (with the checkpoint and an inclusion proof that
 * verifies), an entry sequenced long ago by the watcher's own look.
 */
static void
test_logwait_wakes_sequenced_waiters(void **state)
{
	struct mf_logwait_slot slot[3];
	struct wake_count woken[3] = {{0}, {0}, {0}};
	struct mf_logwait *lw = NULL;
	struct mf_sequencer *s = NULL;
	struct mf_error err;
	size_t i;

	(void)state;
	mf_test_pg_require();
	memset(slot, 0, sizeof(slot));
	mf_error_init(&err);
	assert_int_equal(mf_logwait_start(&lw, WAIT_MS, &err), 0);
	assert_int_equal(mf_sequencer_start(&s, ORIGIN, signer, lw, &err), 0);

	/* 1. A first batch: then this process's sequencer leads, and the
	 * watcher leaves new entries to its handover. */
	accept_one();
	mf_sequencer_kick(s);
	assert_true(wait_log_size(10));
	usleep(50 * 1000);

	/* 2. Two submissions, invisible to the sequencer until the commit,
	 * so their waiters are in place before it can sequence them. */
	assert_int_equal(mf_db_begin(&err), 0);
	slot[0].submission_id = accept_one();
	slot[1].submission_id = accept_one();
	slot[2].submission_id = first_id; /* entry 0 */
	for (i = 0; i < 3; i++)
		mf_logwait_add(lw, &slot[i], on_wake, &woken[i]);
	assert_int_equal(mf_db_commit(&err), 0);
	mf_sequencer_kick(s);

	/* 3. Everyone is woken once, with the log index the log gave. */
	assert_true(wait_woken(woken, 3));
	mf_sequencer_stop(s);
	mf_logwait_stop(lw);
	for (i = 0; i < 3; i++) {
		assert_int_equal(woken[i].calls, 1);
		assert_false(slot[i].timed_out);
	}
	assert_int_equal(slot[0].log_index, 10);
	assert_int_equal(slot[1].log_index, 11);
	assert_int_equal(slot[2].log_index, 0);
	check_checkpoint(12);

	/* 4. The handover's proofs verify against its signed checkpoint. */
	for (i = 0; i < 2; i++) {
		struct mf_checkpoint cp;
		uint8_t(*leaves)[H];
		size_t n;

		if (slot[i].note == NULL) {
			/* the watcher's sweep got there first: no proof */
			printf("note: waiter %zu woken by the sweep\n", i);
			continue;
		}
		mf_checkpoint_init(&cp);
		assert_int_equal(mf_checkpoint_open(&cp, slot[i].note,
		                                    strlen(slot[i].note),
		                                    verifier, ORIGIN, &err),
		                 0);
		assert_int_equal(cp.size, slot[i].tree_size);
		leaves = stored_leaf_hashes(&n);
		assert_true((uint64_t)slot[i].log_index < n);
		assert_int_equal(mf_merkle_verify_inclusion(
		                     (uint64_t)slot[i].log_index, cp.size,
		                     leaves[slot[i].log_index],
		                     (const uint8_t(*)[H])slot[i].proof,
		                     slot[i].proof_len, cp.root),
		                 0);
		free(leaves);
		mf_checkpoint_dispose(&cp);
	}
	for (i = 0; i < 3; i++)
		free(slot[i].note);
	assert_null(slot[2].note);
	mf_error_dispose(&err);
}

/* A waiter whose entry never comes is woken once, timed out; so is one
 * still waiting when the watcher stops. */
static void
test_logwait_times_out(void **state)
{
	struct mf_logwait_slot slot[2];
	struct wake_count woken[2] = {{0}, {0}};
	struct mf_logwait *lw = NULL;
	struct mf_error err;

	(void)state;
	mf_test_pg_require();
	memset(slot, 0, sizeof(slot));
	mf_error_init(&err);
	assert_int_equal(mf_logwait_start(&lw, 200, &err), 0);
	slot[0].submission_id = 987654321;
	mf_logwait_add(lw, &slot[0], on_wake, &woken[0]);
	assert_true(wait_woken(woken, 1));
	assert_true(slot[0].timed_out);
	assert_int_equal(slot[0].log_index, -1);
	mf_logwait_stop(lw);

	assert_int_equal(mf_logwait_start(&lw, WAIT_MS, &err), 0);
	slot[1].submission_id = 987654322;
	mf_logwait_add(lw, &slot[1], on_wake, &woken[1]);
	mf_logwait_stop(lw);
	assert_int_equal(woken[1].calls, 1);
	assert_true(slot[1].timed_out);
	assert_int_equal(woken[0].calls, 1);
	mf_error_dispose(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_batch_is_gap_free_in_acceptance_order),
	    cmocka_unit_test(test_checkpoint_matches_recomputation),
	    cmocka_unit_test(test_leftovers_are_sequenced_next_run),
	    cmocka_unit_test(test_logwait_wakes_sequenced_waiters),
	    cmocka_unit_test(test_logwait_times_out),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
