/*
 * db/cosign.h against a fresh migrated database: what a witness cosigned
 * last (unknown, set by a 409, moved by a stored cosignature), lines
 * served in witness order, a second line for one size and witness
 * ignored, and the "witnessed" lookup: the SMALLEST checkpoint covering a
 * size with at least k cosignatures (intermediate checkpoints have none).
 */
#include "common/buf.h"
#include "common/error.h"
#include "db/cosign.h"
#include "tests/unit/support/pg.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define A "\xe2\x80\x94 w.test/a AAAA\n"
#define B "\xe2\x80\x94 w.test/b BBBB\n"

static int
group_setup(void **state)
{
	(void)state;
	if (mf_test_pg_setup("mf_unit_db_cosign") != 0)
		return 0;
	/* checkpoints of sizes 1 .. 6 */
	mf_test_pg_sql(NULL, "INSERT INTO checkpoints (tree_size, root_hash,"
	                     " note) SELECT g, sha256(int8send(g)),"
	                     " 'note ' || g || E'\\n'"
	                     " FROM generate_series(1, 6) g;\n");
	return 0;
}

static void
test_state_and_lines(void **state)
{
	struct mf_buf b = MF_BUF_INIT;
	struct mf_error err;
	uint64_t size;
	bool known, has;
	size_t n;

	(void)state;
	mf_test_pg_require();
	mf_error_init(&err);
	/* 1. Never asked: unknown, size 0. */
	assert_int_equal(mf_db_cosign_state(&size, &known, "w.test/a", &err),
	                 0);
	assert_false(known);
	assert_int_equal(size, 0);
	/* 2. A 409 said 2; a cosignature of 3 moves it to 3. */
	assert_int_equal(mf_db_cosign_set_state("w.test/a", 2, &err), 0);
	assert_int_equal(mf_db_cosign_state(&size, &known, "w.test/a", &err),
	                 0);
	assert_true(known);
	assert_int_equal(size, 2);
	assert_int_equal(mf_db_cosign_store(3, "w.test/b", B, 1700000000, &err),
	                 0);
	assert_int_equal(mf_db_cosign_store(3, "w.test/a", A, 1700000001, &err),
	                 0);
	assert_int_equal(mf_db_cosign_state(&size, &known, "w.test/a", &err),
	                 0);
	assert_int_equal(size, 3);
	/* 3. A second line for (3, a) is ignored; lines by witness. */
	assert_int_equal(mf_db_cosign_store(3, "w.test/a", B, 1, &err), 0);
	assert_int_equal(mf_db_cosign_has(&has, 3, "w.test/a", &err), 0);
	assert_true(has);
	assert_int_equal(mf_db_cosign_has(&has, 4, "w.test/a", &err), 0);
	assert_false(has);
	assert_int_equal(mf_db_cosign_lines(&b, &n, 3, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(b.data, A B);
	mf_buf_clear(&b);
	assert_int_equal(mf_db_cosign_lines(&b, &n, 4, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(b.len, 0);
	mf_buf_dispose(&b);
	mf_error_dispose(&err);
}

static void
test_witnessed_is_the_smallest_covering(void **state)
{
	struct mf_error err;
	uint64_t size;
	json_t *cosigs;
	char *note;
	bool found;

	(void)state;
	mf_test_pg_require();
	mf_error_init(&err);
	/* size 3: a and b (previous test); size 5: a only; size 6: a, b */
	assert_int_equal(mf_db_cosign_store(5, "w.test/a", A, 7, &err), 0);
	assert_int_equal(mf_db_cosign_store(6, "w.test/a", A, 8, &err), 0);
	assert_int_equal(mf_db_cosign_store(6, "w.test/b", B, 9, &err), 0);
	/* 1. k = 1: entries 0..2 by 3, entries 3..4 by 5. */
	assert_int_equal(
	    mf_db_cosign_witnessed(&found, &size, &note, &cosigs, 4, 1, &err),
	    0);
	assert_true(found);
	assert_int_equal(size, 5);
	assert_string_equal(note, "note 5\n");
	assert_int_equal(json_array_size(cosigs), 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(cosigs, 0), "witness")),
	                    "w.test/a");
	free(note);
	json_decref(cosigs);
	/* 2. k = 2 skips 5 (one cosignature). */
	assert_int_equal(
	    mf_db_cosign_witnessed(&found, &size, &note, &cosigs, 4, 2, &err),
	    0);
	assert_true(found);
	assert_int_equal(size, 6);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_array_get(cosigs, 1), "timestamp")),
	                 9);
	free(note);
	json_decref(cosigs);
	assert_int_equal(
	    mf_db_cosign_witnessed(&found, &size, &note, &cosigs, 1, 2, &err),
	    0);
	assert_int_equal(size, 3);
	free(note);
	json_decref(cosigs);
	/* 3. None with 3, none beyond 6. */
	assert_int_equal(
	    mf_db_cosign_witnessed(&found, &size, &note, &cosigs, 1, 3, &err),
	    0);
	assert_false(found);
	assert_null(note);
	assert_int_equal(
	    mf_db_cosign_witnessed(&found, &size, &note, &cosigs, 7, 1, &err),
	    0);
	assert_false(found);
	mf_error_dispose(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_and_lines),
	    cmocka_unit_test(test_witnessed_is_the_smallest_covering),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
