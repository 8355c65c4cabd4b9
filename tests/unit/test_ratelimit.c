/*
 * Unit tests for http/ratelimit: a bucket allows its burst then refuses
 * with the seconds until the next token, refills with time, keeps names
 * apart, stays bounded under a flood of names, and the trusted-proxy rule
 * names the right-most untrusted X-Forwarded-For address.
 */
#include "http/ratelimit.h"
#include "common/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void
test_burst_then_refusal_then_refill(void **state)
{
	struct mf_ratelimit *rl;
	unsigned retry = 0;
	int i;

	(void)state;
	/* 60 a minute: bursts of 6, one token a second */
	assert_int_equal(mf_ratelimit_new(&rl, 60, 64), 0);
	assert_true(mf_ratelimit_enabled(rl));
	for (i = 0; i < 6; i++)
		assert_true(mf_ratelimit_take(rl, "10.0.0.1", 1000, &retry));
	assert_false(mf_ratelimit_take(rl, "10.0.0.1", 1000, &retry));
	assert_int_equal(retry, 1);
	/* half a second later: still none, still 1 s (rounded up) */
	assert_false(mf_ratelimit_take(rl, "10.0.0.1", 1500, &retry));
	assert_int_equal(retry, 1);
	/* another name has its own full bucket */
	assert_true(mf_ratelimit_take(rl, "10.0.0.2", 1500, NULL));
	/* a second on, one token; then none again */
	assert_true(mf_ratelimit_take(rl, "10.0.0.1", 2000, &retry));
	assert_false(mf_ratelimit_take(rl, "10.0.0.1", 2000, &retry));
	/* long idle refills to the burst, not beyond */
	for (i = 0; i < 6; i++)
		assert_true(mf_ratelimit_take(rl, "10.0.0.1", 600000, NULL));
	assert_false(mf_ratelimit_take(rl, "10.0.0.1", 600000, NULL));
	mf_ratelimit_free(rl);
}

static void
test_peek_and_charge(void **state)
{
	struct mf_ratelimit *rl;
	unsigned retry;

	(void)state;
	/* 6 a minute: a burst of 1, one token per 10 s */
	assert_int_equal(mf_ratelimit_new(&rl, 6, 64), 0);
	assert_true(mf_ratelimit_peek(rl, "k", 0, &retry));
	assert_true(mf_ratelimit_peek(rl, "k", 0, &retry)); /* took none */
	mf_ratelimit_charge(rl, "k", 0);
	assert_false(mf_ratelimit_peek(rl, "k", 0, &retry));
	assert_int_equal(retry, 10);
	/* charging past empty owes at most one token */
	mf_ratelimit_charge(rl, "k", 0);
	mf_ratelimit_charge(rl, "k", 0);
	assert_false(mf_ratelimit_peek(rl, "k", 0, &retry));
	assert_int_equal(retry, 20);
	assert_true(mf_ratelimit_peek(rl, "k", 20000, NULL));
	mf_ratelimit_free(rl);
}

static void
test_off_and_bounded(void **state)
{
	struct mf_ratelimit *rl;
	char name[32];
	int i;

	(void)state;
	assert_int_equal(mf_ratelimit_new(&rl, 0, 64), 0);
	assert_false(mf_ratelimit_enabled(rl));
	for (i = 0; i < 1000; i++)
		assert_true(mf_ratelimit_take(rl, "x", 0, NULL));
	mf_ratelimit_free(rl);
	assert_false(mf_ratelimit_enabled(NULL));

	/* 100,000 names through 64 slots: each new name starts full, and
	 * the table does not grow (ASan would see an overrun) */
	assert_int_equal(mf_ratelimit_new(&rl, 60, 64), 0);
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		assert_true(mf_ratelimit_take(rl, name, i, NULL));
	}
	/* a name in active use survives a flood of one-off names */
	for (i = 0; i < 6; i++)
		assert_true(mf_ratelimit_take(rl, "busy", 200000, NULL));
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		mf_ratelimit_take(rl, name, 200001 + i, NULL);
		assert_false(mf_ratelimit_peek(rl, "busy", 200001 + i, NULL));
	}
	mf_ratelimit_free(rl);
}

/* --rate-nodes (issue 16): a node's share of a fleet's limit. */
static void
test_share(void **state)
{
	(void)state;
	assert_int_equal(mf_ratelimit_share(6000, 1), 6000);
	assert_int_equal(mf_ratelimit_share(6000, 0), 6000);
	assert_int_equal(mf_ratelimit_share(6000, 4), 1500);
	assert_int_equal(mf_ratelimit_share(10, 3), 4);   /* rounded up */
	assert_int_equal(mf_ratelimit_share(1, 1024), 1); /* stays on */
	assert_int_equal(mf_ratelimit_share(0, 8), 0);    /* stays off */
}

/* A dual-stack socket (--listen ::) names an IPv4 peer ::ffff:a.b.c.d:
 * --rate-exempt's 127.0.0.1 and an IPv4 --trusted-proxy still match it
 * (before, loopback over IPv4 was held and a proxy not believed). */
static void
test_cidrs_v4_mapped(void **state)
{
	struct mf_cidrs c;
	char why[128];

	(void)state;
	assert_int_equal(
	    mf_cidrs_parse(&c, "127.0.0.1,::1,10.0.0.0/8", why, sizeof(why)),
	    0);
	assert_true(mf_cidrs_contains(&c, "::ffff:127.0.0.1"));
	assert_true(mf_cidrs_contains(&c, "::ffff:10.2.3.4"));
	assert_false(mf_cidrs_contains(&c, "::ffff:127.0.0.2"));
	assert_false(mf_cidrs_contains(&c, "::ffff:11.0.0.1"));
	assert_true(mf_cidrs_contains(&c, "::1"));
	assert_false(mf_cidrs_contains(&c, "::127.0.0.1")); /* not mapped */
}

static void
test_cidrs(void **state)
{
	struct mf_cidrs c;
	char why[128];

	(void)state;
	assert_int_equal(mf_cidrs_parse(&c,
	                                "10.0.0.0/8, 192.168.1.7,"
	                                "2001:db8::/32,127.0.0.7/32",
	                                why, sizeof(why)),
	                 0);
	assert_int_equal(c.n, 4);
	assert_true(mf_cidrs_contains(&c, "10.200.3.4"));
	assert_false(mf_cidrs_contains(&c, "11.0.0.1"));
	assert_true(mf_cidrs_contains(&c, "192.168.1.7"));
	assert_false(mf_cidrs_contains(&c, "192.168.1.8"));
	assert_true(mf_cidrs_contains(&c, "2001:db8:1::5"));
	assert_false(mf_cidrs_contains(&c, "2001:db9::5"));
	assert_false(mf_cidrs_contains(&c, "not an address"));
	assert_int_equal(mf_cidrs_parse(&c, "172.16.0.0/12", why, sizeof(why)),
	                 0);
	assert_true(mf_cidrs_contains(&c, "172.31.255.255"));
	assert_false(mf_cidrs_contains(&c, "172.32.0.0"));
	assert_int_equal(mf_cidrs_parse(&c, "", why, sizeof(why)), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(mf_cidrs_parse(&c, "10.0.0.0/33", why, sizeof(why)),
	                 MF_E_BAD_PARAM);
	assert_non_null(strstr(why, "10.0.0.0/33"));
	assert_int_equal(mf_cidrs_parse(&c, "10.0.0.0/", why, sizeof(why)),
	                 MF_E_BAD_PARAM);
	assert_int_equal(mf_cidrs_parse(&c, "host.example", why, sizeof(why)),
	                 MF_E_BAD_PARAM);
	assert_int_equal(
	    mf_cidrs_parse(&c, "1.2.3.4,,5.6.7.8", why, sizeof(why)),
	    MF_E_BAD_PARAM);
}

static void
test_client_address(void **state)
{
	struct mf_cidrs c;
	char out[64], why[64];

	(void)state;
	assert_int_equal(
	    mf_cidrs_parse(&c, "127.0.0.7,10.9.0.0/16", why, sizeof(why)), 0);
	/* an untrusted peer: the header is ignored */
	mf_client_address(&c, "127.0.0.8", "10.0.0.1", out, sizeof(out));
	assert_string_equal(out, "127.0.0.8");
	/* a trusted peer without the header is the client */
	mf_client_address(&c, "127.0.0.7", NULL, out, sizeof(out));
	assert_string_equal(out, "127.0.0.7");
	/* right-most untrusted, past trusted hops; forged left parts lose */
	mf_client_address(&c, "127.0.0.7", "6.6.6.6, 10.0.0.1, 10.9.1.1", out,
	                  sizeof(out));
	assert_string_equal(out, "10.0.0.1");
	mf_client_address(&c, "127.0.0.7", "1.2.3.4,10.0.0.1", out,
	                  sizeof(out));
	assert_string_equal(out, "10.0.0.1");
	/* every hop trusted: the left-most */
	mf_client_address(&c, "127.0.0.7", "10.9.0.1 , 10.9.0.2", out,
	                  sizeof(out));
	assert_string_equal(out, "10.9.0.1");
	/* garbage stops the walk at the last good hop */
	mf_client_address(&c, "127.0.0.7", "10.0.0.5, <script>, 10.9.0.3", out,
	                  sizeof(out));
	assert_string_equal(out, "10.9.0.3");
	mf_client_address(&c, "127.0.0.7", "junk\n", out, sizeof(out));
	assert_string_equal(out, "127.0.0.7");
	mf_client_address(&c, "127.0.0.7", "", out, sizeof(out));
	assert_string_equal(out, "127.0.0.7");
	mf_client_address(&c, "127.0.0.7", "2001:db8::1", out, sizeof(out));
	assert_string_equal(out, "2001:db8::1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_burst_then_refusal_then_refill),
	    cmocka_unit_test(test_peek_and_charge),
	    cmocka_unit_test(test_off_and_bounded),
	    cmocka_unit_test(test_share),
	    cmocka_unit_test(test_cidrs_v4_mapped),
	    cmocka_unit_test(test_cidrs),
	    cmocka_unit_test(test_client_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
