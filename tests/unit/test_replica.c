/*
 * Unit tests for db/replica's measure of a read replica's lag: replayed to
 * the end is no lag however old its last commit (an idle primary); behind,
 * the age of the newest primary position it has replayed or of its last
 * replayed commit, whichever is younger; unknown when neither is known;
 * and pg_lsn's text read as a number.
 */
#include "db/replica.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define S(x) ((int64_t)((x)*1e9))

static void
test_lsn_parse(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_true(mf_db_lsn_parse("16/B374D848", &v));
	assert_true(v == ((uint64_t)0x16 << 32 | 0xB374D848u));
	assert_true(mf_db_lsn_parse("0/0", &v));
	assert_true(v == 0);
	assert_false(mf_db_lsn_parse("", &v));
	assert_false(mf_db_lsn_parse("16", &v));
	assert_false(mf_db_lsn_parse("16/B374D848x", &v));
}

static void
test_caught_up_is_no_lag_when_idle(void **state)
{
	struct mf_db_wal_sample ring[] = {{S(100), 500}, {S(101), 500}};

	(void)state;
	/* the last commit an hour old, nothing written since: lag 0 */
	assert_true(mf_db_replica_lag(ring, 2, 500, 500, true, 3600, S(102)) ==
	            0);
	/* replayed past what the primary said a moment before */
	assert_true(mf_db_replica_lag(ring, 2, 500, 600, false, 0, S(102)) ==
	            0);
}

static void
test_behind(void **state)
{
	/* the primary at 100 (t=10 s), 200 (t=11 s), 300 (t=12 s) */
	struct mf_db_wal_sample ring[] = {
	    {S(10), 100}, {S(11), 200}, {S(12), 300}};
	double lag;

	(void)state;
	/* replayed 200 of 300 at t=12.5: it has the state of t=11 */
	lag = mf_db_replica_lag(ring, 3, 300, 200, false, 0, S(12.5));
	assert_true(lag > 1.49 && lag < 1.51);
	/* its last commit 0.2 s old is younger: that one */
	lag = mf_db_replica_lag(ring, 3, 300, 200, true, 0.2, S(12.5));
	assert_true(lag > 0.19 && lag < 0.21);
	/* an idle primary's old commit does not make it look older than
	 * the samples say */
	lag = mf_db_replica_lag(ring, 3, 300, 200, true, 3600, S(12.5));
	assert_true(lag > 1.49 && lag < 1.51);
	/* paused at 150: only the t=10 sample is covered, and time runs */
	lag = mf_db_replica_lag(ring, 3, 300, 150, false, 0, S(20));
	assert_true(lag > 9.99 && lag < 10.01);
	/* the replica's clock a little ahead: never a negative lag */
	assert_true(mf_db_replica_lag(ring, 3, 300, 50, true, -0.3, S(12)) ==
	            0);
}

static void
test_unknown(void **state)
{
	struct mf_db_wal_sample ring[] = {{S(10), 400}};

	(void)state;
	/* behind every sample and no commit replayed since it started */
	assert_true(mf_db_replica_lag(ring, 1, 400, 300, false, 0, S(11)) < 0);
	assert_true(mf_db_replica_lag(NULL, 0, 400, 300, false, 0, S(11)) < 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lsn_parse),
	    cmocka_unit_test(test_caught_up_is_no_lag_when_idle),
	    cmocka_unit_test(test_behind),
	    cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
