/* The registry's reader of a tlog-policy file's witness lines
 * (cosigning/witnesses.c): what it takes, what it skips, what it refuses. */
#include "cosigning/witnesses.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static int
parse(struct mf_witness_list *l, const char *text, struct mf_error *err)
{
	mf_error_init(err);
	return mf_witnesses_parse(l, text, strlen(text), err);
}

static void
test_takes_witness_lines_with_urls(void **state)
{
	static const char policy[] =
	    "# a policy as clients use it\n"
	    "log example.org/log+01234567+AQID\n"
	    "\n"
	    "  witness\tw1  w1.example+aabbccdd+BAEC http://127.0.0.1:1/ \n"
	    "witness w2 w2.example+aabbccdd+BAED https://w2.example/prefix\n"
	    "witness w3 w3.example+aabbccdd+BAEE\n"
	    "group g 2 w1 w2 w3\n"
	    "quorum g"; /* no final newline */
	struct mf_witness_list l;
	struct mf_error err;

	(void)state;
	assert_int_equal(parse(&l, policy, &err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.skipped, 1);
	assert_string_equal(l.v[0].name, "w1");
	assert_string_equal(l.v[0].vkey, "w1.example+aabbccdd+BAEC");
	assert_string_equal(l.v[0].url, "http://127.0.0.1:1");
	assert_string_equal(l.v[1].url, "https://w2.example/prefix");
	mf_witnesses_dispose(&l);
	mf_error_dispose(&err);
}

static void
test_refuses_malformed(void **state)
{
	static const char *const bad[] = {
	    "witness w1\n",                   /* no key */
	    "witness w1 k http://a/ extra\n", /* 5 fields */
	    "witness w1 k ftp://a/\n",        /* not http(s) */
	    "witness w1 k http://a/\nwitness w1 k2 http://b\n", /* twice */
	    "witness w1 k http://a/\r\n", /* control byte */
	    "# \x7f\n",                   /* DEL */
	};
	struct mf_witness_list l;
	struct mf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&l, bad[i], &err), MF_E_BAD_PARAM);
		assert_int_equal(l.n, 0);
		assert_non_null(strstr(err.message, "line "));
		mf_error_dispose(&err);
	}
}

static void
test_bounded(void **state)
{
	char text[64 * (MF_WITNESSES_MAX + 1)];
	struct mf_witness_list l;
	struct mf_error err;
	size_t i, o = 0;

	(void)state;
	for (i = 0; i <= MF_WITNESSES_MAX; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		                      "witness w%zu k http://h/\n", i);
	assert_int_equal(parse(&l, text, &err), MF_E_BAD_PARAM);
	assert_non_null(strstr(err.message, "more than"));
	mf_error_dispose(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_takes_witness_lines_with_urls),
	    cmocka_unit_test(test_refuses_malformed),
	    cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
