/*
 * Tests for merkle/tlog_proof: C2SP tlog-proof files round-trip (with and
 * without extra data, with empty and full-length paths), and every kind
 * of malformed file is refused with the line it breaks on.
 */
#include "common/error.h"
#include "merkle/tlog_proof.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define CP                                                                     \
	"example.com/"                                                         \
	"log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— "         \
	"example.com/log abcd\n"
#define H0 "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ="

static void
round_trip(const uint8_t *extra, size_t elen, uint64_t index, size_t n)
{
	uint8_t path[MF_MERKLE_MAX_PROOF][MF_MERKLE_HASH_LEN];
	struct mf_buf b = MF_BUF_INIT;
	struct mf_tlog_proof p;
	struct mf_error err;
	size_t i;

	mf_error_init(&err);
	for (i = 0; i < n; i++)
		memset(path[i], (int)i + 1, MF_MERKLE_HASH_LEN);
	assert_int_equal(mf_tlog_proof_format(&b, extra, elen, index,
	                                      (const uint8_t(*)[32])path, n, CP,
	                                      strlen(CP)),
	                 0);
	assert_int_equal(mf_tlog_proof_parse(&p, b.data, b.len, &err), 0);
	assert_true(p.index == index);
	assert_int_equal(p.n, n);
	for (i = 0; i < n; i++)
		assert_memory_equal(p.path[i], path[i], MF_MERKLE_HASH_LEN);
	assert_int_equal(p.extra != NULL, extra != NULL);
	if (extra != NULL) {
		assert_int_equal(p.extra_len, elen);
		assert_memory_equal(p.extra, extra, elen);
	}
	assert_int_equal(p.checkpoint_len, strlen(CP));
	assert_memory_equal(p.checkpoint, CP, strlen(CP));
	mf_tlog_proof_dispose(&p);
	mf_buf_dispose(&b);
	mf_error_dispose(&err);
}

static void
test_round_trip(void **state)
{
	(void)state;
	round_trip(NULL, 0, 0, 0);
	round_trip((const uint8_t *)"entry\n", 6, 73894, 5);
	round_trip((const uint8_t *)"x", 1, UINT64_C(9223372036854775807),
	           MF_MERKLE_MAX_PROOF);
}

static void
test_spec_example_shape(void **state)
{
	const char *text =
	    MF_TLOG_PROOF_HEADER "\n"
	                         "extra YWdl\n"
	                         "index 73894\n" H0 "\n" H0 "\n\n" CP;
	struct mf_tlog_proof p;
	struct mf_error err;

	(void)state;
	mf_error_init(&err);
	assert_int_equal(mf_tlog_proof_parse(&p, text, strlen(text), &err), 0);
	assert_int_equal(p.index, 73894);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.extra_len, 3);
	assert_memory_equal(p.extra, "age", 3);
	mf_tlog_proof_dispose(&p);
	mf_error_dispose(&err);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "c2sp.org/tlog-proof@v2\nindex 1\n\n" CP,
	    MF_TLOG_PROOF_HEADER "\nindex 01\n\n" CP,
	    MF_TLOG_PROOF_HEADER "\nindex -1\n\n" CP,
	    MF_TLOG_PROOF_HEADER "\nindex \n\n" CP,
	    MF_TLOG_PROOF_HEADER "\nindex 1 \n\n" CP,
	    MF_TLOG_PROOF_HEADER "\nindex 9223372036854775808\n\n" CP,
	    MF_TLOG_PROOF_HEADER "\nindex 1\n" H0 "\n",
	    MF_TLOG_PROOF_HEADER "\nindex 1\n\n",
	    MF_TLOG_PROOF_HEADER "\nindex 1\nAAAA\n\n" CP,
	    MF_TLOG_PROOF_HEADER "\nindex 1\n" H0 "x\n\n" CP,
	    MF_TLOG_PROOF_HEADER "\nextra \nindex 1\n\n" CP,
	    MF_TLOG_PROOF_HEADER "\nextra YWd\nindex 1\n\n" CP,
	    MF_TLOG_PROOF_HEADER "\nextra YWdl\n\n" CP,
	    MF_TLOG_PROOF_HEADER "\n\nindex 1\n\n" CP,
	    MF_TLOG_PROOF_HEADER "\nindex 1",
	    MF_TLOG_PROOF_HEADER,
	};
	struct mf_tlog_proof p;
	struct mf_error err;
	size_t i;

	(void)state;
	mf_error_init(&err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mf_tlog_proof_parse(&p, bad[i], strlen(bad[i]), &err) !=
		    MF_E_BAD_NOTE)
			fail_msg("accepted case %zu", i);
	/* Too many hashes. */
	{
		struct mf_buf b = MF_BUF_INIT;

		mf_buf_puts(&b, MF_TLOG_PROOF_HEADER "\nindex 1\n");
		for (i = 0; i <= MF_MERKLE_MAX_PROOF; i++)
			mf_buf_puts(&b, H0 "\n");
		mf_buf_puts(&b, "\n" CP);
		assert_int_equal(mf_tlog_proof_parse(&p, b.data, b.len, &err),
		                 MF_E_BAD_NOTE);
		mf_buf_dispose(&b);
	}
	mf_error_dispose(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_spec_example_shape),
	    cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
