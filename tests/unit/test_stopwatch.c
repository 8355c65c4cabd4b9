/*
 * Unit tests for common/stopwatch: marks charge the time since the
 * previous mark to the phase named, laps skip time, snapshots subtract,
 * and the formatter prints the debug line's "name ms" pairs.
 */
#include "common/buf.h"
#include "common/stopwatch.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

enum { PH_A, PH_B, PH_C, PH__MAX };
static const char *const names[PH__MAX] = {"alpha", "beta", "gamma"};

/* Sleeps ms milliseconds (nanosleep: the clock is monotonic). */
static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		;
}

static void
test_marks_charge_the_phase_named(void **state)
{
	struct mf_stopwatch sw;
	int64_t b1, before;

	(void)state;
	mf_stopwatch_init(&sw, names, PH__MAX);
	assert_int_equal(sw.n, PH__MAX);
	assert_int_equal(sw.ns[PH_A] + sw.ns[PH_B] + sw.ns[PH_C], 0);
	sleep_ms(20);
	mf_stopwatch_mark(&sw, PH_B);
	/* at least the sleep, and not wildly more */
	assert_true(sw.ns[PH_B] >= 20000000);
	assert_true(sw.ns[PH_B] < 2000000000);
	assert_int_equal(sw.ns[PH_A], 0);
	assert_int_equal(sw.ns[PH_C], 0);
	/* marks add up: a second stretch goes to B too */
	b1 = sw.ns[PH_B];
	sleep_ms(10);
	mf_stopwatch_mark(&sw, PH_B);
	assert_true(sw.ns[PH_B] >= b1 + 10000000);
	/* a mark right after another charges (almost) nothing */
	mf_stopwatch_mark(&sw, PH_A);
	assert_true(sw.ns[PH_A] >= 0 && sw.ns[PH_A] < 5000000);
	/* an out-of-range phase moves the mark and charges nobody */
	before = sw.ns[PH_A] + sw.ns[PH_B] + sw.ns[PH_C];
	sleep_ms(10);
	mf_stopwatch_mark(&sw, PH__MAX + 3);
	assert_int_equal(sw.ns[PH_A] + sw.ns[PH_B] + sw.ns[PH_C], before);
	mf_stopwatch_mark(&sw, PH_C);
	assert_true(sw.ns[PH_C] < 5000000);
	/* elapsed covers everything since the reset */
	assert_true(mf_stopwatch_elapsed(&sw) >= 40000000);
	/* reset zeroes */
	mf_stopwatch_reset(&sw);
	assert_int_equal(sw.ns[PH_A] + sw.ns[PH_B] + sw.ns[PH_C], 0);
	assert_true(mf_stopwatch_elapsed(&sw) < 5000000);
}

static void
test_lap_skips_time(void **state)
{
	struct mf_stopwatch sw;
	int64_t a;

	(void)state;
	mf_stopwatch_init(&sw, names, PH__MAX);
	sleep_ms(20);
	mf_stopwatch_lap(&sw); /* the 20 ms belong to no phase */
	mf_stopwatch_mark(&sw, PH_A);
	assert_true(sw.ns[PH_A] < 5000000);
	/* but a lap does not zero what was charged */
	sleep_ms(10);
	mf_stopwatch_mark(&sw, PH_A);
	a = sw.ns[PH_A];
	assert_true(a >= 10000000);
	mf_stopwatch_lap(&sw);
	assert_int_equal(sw.ns[PH_A], a);
}

static void
test_format_and_snapshot(void **state)
{
	struct mf_stopwatch sw, snap;
	struct mf_buf b = MF_BUF_INIT;

	(void)state;
	mf_stopwatch_init(&sw, names, PH__MAX);
	sw.ns[PH_A] = 1500000;   /* 1.5 ms */
	sw.ns[PH_B] = 0;         /* 0.0 */
	sw.ns[PH_C] = 123456789; /* 123.5 ms */
	assert_int_equal(mf_stopwatch_format(&b, &sw, NULL), 0);
	assert_string_equal(b.data, "alpha 1.5 beta 0.0 gamma 123.5");
	/* a snapshot is a copy; format prints what happened since */
	snap = sw;
	sw.ns[PH_A] += 2000000;
	sw.ns[PH_C] += 50000;
	mf_buf_clear(&b);
	assert_int_equal(mf_stopwatch_format(&b, &sw, &snap), 0);
	assert_string_equal(b.data, "alpha 2.0 beta 0.0 gamma 0.1");
	mf_buf_dispose(&b);
}

static void
test_too_many_phases_are_capped(void **state)
{
	static const char *const many[MF_STOPWATCH_MAX + 4] = {"x"};
	struct mf_stopwatch sw;

	(void)state;
	mf_stopwatch_init(&sw, many, MF_STOPWATCH_MAX + 4);
	assert_int_equal(sw.n, MF_STOPWATCH_MAX);
	mf_stopwatch_mark(&sw, MF_STOPWATCH_MAX + 1); /* ignored, no overflow */
	assert_int_equal(sw.ns[MF_STOPWATCH_MAX - 1], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_marks_charge_the_phase_named),
	    cmocka_unit_test(test_lap_skips_time),
	    cmocka_unit_test(test_format_and_snapshot),
	    cmocka_unit_test(test_too_many_phases_are_capped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
