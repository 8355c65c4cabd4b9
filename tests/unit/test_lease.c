/*
 * Tests for the leader lease (sequencer/lease.c, db/tlog.c,
 * migrations/0011_lease.sql) against a fresh migrated PostgreSQL database
 * (support/pg.h): a lease is taken only once expired, every acquisition
 * gets a larger fencing token, a holder that was taken over cannot pass
 * the fence, a fenced transaction keeps everyone else out even past the
 * expiry, and a holder frozen inside a transaction loses its session.
 * "Other nodes" are other threads, each with its own database session.
 */
#include "common/error.h"
#include "common/timeutil.h"
#include "db/db.h"
#include "db/tlog.h"
#include "sequencer/lease.h"
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

#define MS 300 /* the lease length in these tests */

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* Ticks until the lease is held or `ms` have passed; true when held. */
static bool
take(struct mf_lease *l, int ms)
{
	int64_t until = mf_time_mono_ns() + (int64_t)ms * 1000000;
	struct mf_error err;
	bool gained;

	do {
		mf_error_init(&err);
		mf_lease_tick(l, &gained, &err);
		mf_error_dispose(&err);
		if (mf_lease_held(l))
			return true;
		sleep_ms(20);
	} while (mf_time_mono_ns() < until);
	return false;
}

static int
setup(void **state)
{
	(void)state;
	mf_test_pg_setup("mf_unit_lease");
	return 0; /* without a cluster every test skips */
}

/* Taken only when expired; each acquisition a larger token; the old
 * holder fails the fence and steps down. */
static void
test_takeover_only_after_expiry_and_fenced(void **state)
{
	struct mf_lease a, b;
	struct mf_error err;
	bool gained;
	int64_t first;

	(void)state;
	mf_test_pg_require();
	mf_lease_init(&a, "sequencer", MS);
	mf_lease_init(&b, "sequencer", MS);
	b.reclaim = false; /* b stands for another node (same id here) */
	assert_true(take(&a, 2000));
	first = a.token;
	assert_true(first > 0);

	/* 1. Held and renewed: b does not get it. */
	mf_error_init(&err);
	assert_int_equal(mf_lease_tick(&b, &gained, &err), 0);
	assert_false(gained);
	assert_false(mf_lease_held(&b));
	sleep_ms(MS / 2);
	assert_int_equal(mf_lease_tick(&a, &gained, &err), 0); /* renews */
	assert_true(mf_lease_held(&a));
	assert_false(take(&b, MS / 2));

	/* 2. a stops renewing (frozen): b takes over with a larger token. */
	assert_true(take(&b, 3 * MS));
	assert_true(b.token > first);
	assert_false(mf_lease_held(&a)); /* a counts it lost by itself */

	/* 3. a's token no longer passes the fence; b's does. */
	a.renewed_ns = mf_time_mono_ns(); /* as if a did not know yet */
	assert_int_equal(mf_db_begin(&err), 0);
	assert_int_equal(mf_lease_fence(&a, &err), MF_E_CONFLICT);
	mf_db_rollback();
	assert_int_equal(a.token, 0);
	mf_error_dispose(&err);
	mf_error_init(&err);
	assert_int_equal(mf_db_begin(&err), 0);
	assert_int_equal(mf_lease_fence(&b, &err), 0);
	assert_int_equal(mf_db_commit(&err), 0);
	mf_lease_release(&b);
	mf_error_dispose(&err);
}

/* A holder inside a fenced transaction; `hold_ms` later it commits. */
struct holder {
	int hold_ms;
	int64_t token;
	int commit_rc;
	volatile int state; /* 1: fenced, 2: done */
};

static void *
fenced_holder(void *arg)
{
	struct holder *h = arg;
	struct mf_lease l;
	struct mf_error err;

	mf_lease_init(&l, "publisher", MS);
	h->commit_rc = -1;
	if (take(&l, 3000)) {
		mf_error_init(&err);
		h->token = l.token;
		if (mf_db_begin(&err) == 0 && mf_lease_fence(&l, &err) == 0) {
			h->state = 1;
			sleep_ms(h->hold_ms);
			h->commit_rc = mf_db_commit(&err);
		}
		mf_db_rollback();
		mf_error_dispose(&err);
	}
	h->state = 2;
	mf_db_drop();
	return NULL;
}

static int64_t
try_acquire(void)
{
	struct mf_error err;
	int64_t token = 0;

	mf_error_init(&err);
	mf_db_lease_acquire(&token, "publisher", "test-other", MS, false, &err);
	mf_error_dispose(&err);
	return token;
}

/* Past the expiry, a holder still inside its fenced transaction keeps
 * the lease: nobody can take over between its fence and its commit. */
static void
test_fenced_transaction_holds_off_takeover(void **state)
{
	struct holder h = {3 * MS, 0, 0, 0};
	pthread_t t;
	int64_t token;

	(void)state;
	mf_test_pg_require();
	assert_int_equal(pthread_create(&t, NULL, fenced_holder, &h), 0);
	while (h.state == 0)
		sleep_ms(5);
	assert_int_equal(h.state, 1);
	sleep_ms(2 * MS); /* expired by the clock, still fenced */
	assert_int_equal(try_acquire(), 0);
	pthread_join(t, NULL);
	assert_int_equal(h.commit_rc, 0);
	token = try_acquire(); /* expired and free now */
	assert_true(token > h.token);
}

/* A holder frozen inside its transaction loses its session (and the row
 * lock) after the idle-in-transaction limit (1 s at least): another node
 * takes over, and the frozen one cannot commit. */
static void
test_frozen_holder_loses_its_session(void **state)
{
	struct holder h = {2500, 0, 0, 0};
	pthread_t t;
	int64_t token = 0, until;

	(void)state;
	mf_test_pg_require();
	assert_int_equal(pthread_create(&t, NULL, fenced_holder, &h), 0);
	while (h.state == 0)
		sleep_ms(5);
	assert_int_equal(h.state, 1);
	until = mf_time_mono_ns() + INT64_C(2000000000);
	while (token == 0 && mf_time_mono_ns() < until) {
		sleep_ms(50);
		token = try_acquire();
	}
	assert_true(token > h.token);
	assert_int_equal(h.state, 1); /* taken over while it was frozen */
	pthread_join(t, NULL);
	assert_int_not_equal(h.commit_rc, 0);
}

/* A node's first attempt after a (re)start takes back the unexpired lease
 * its previous run held, with a new token; later attempts do not. */
static void
test_restarted_node_reclaims_at_once(void **state)
{
	struct mf_lease before, after, again;
	int64_t until;

	(void)state;
	mf_test_pg_require();
	mf_lease_init(&before, "sequencer", 60000);
	mf_lease_init(&after, "sequencer", 60000);
	mf_lease_init(&again, "sequencer", 60000);
	assert_true(take(&before, 2000)); /* the run that gets killed */
	until = mf_time_mono_ns() + INT64_C(2000000000); /* not 60 s */
	assert_true(take(&after, 300)); /* its restart, same node id */
	assert_true(after.token > before.token);
	assert_true(mf_time_mono_ns() < until);
	again.reclaim = false; /* a later attempt: the lease is held */
	assert_false(take(&again, 300));
	mf_lease_release(&after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_takeover_only_after_expiry_and_fenced),
	    cmocka_unit_test(test_fenced_transaction_holds_off_takeover),
	    cmocka_unit_test(test_frozen_holder_loses_its_session),
	    cmocka_unit_test(test_restarted_node_reclaims_at_once),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
