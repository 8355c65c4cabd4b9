/*
 * db/tiles.h against a fresh migrated database: a hash tile is exactly the
 * stored nodes of its level in index order, an entry bundle exactly the
 * stored leaves, framed; a damaged tree (a node or an entry missing, an
 * entry too long to frame) is an internal error, never a short tile.
 * Rows are inserted with psql, as the sequencer would leave them.
 */
#include "common/buf.h"
#include "common/encoding.h"
#include "common/error.h"
#include "db/tiles.h"
#include "merkle/tile.h"
#include "tests/unit/support/pg.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define KEYID "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static int
group_setup(void **state)
{
	(void)state;
	if (mf_test_pg_setup("mf_unit_db_tiles") != 0)
		return 0;
	/* 300 leaf hashes, one level-8 node, 300 entries (index 7 long). */
	mf_test_pg_sql(
	    NULL,
	    "INSERT INTO log_nodes SELECT 0, g, sha256(int8send(g))"
	    " FROM generate_series(0, 299) g;\n"
	    "INSERT INTO log_nodes VALUES (8, 0, sha256('x'));\n"
	    "INSERT INTO orgs (org, name, role) VALUES ('acme', 'Acme',"
	    " 'developer');\n"
	    "INSERT INTO submissions (kind, org, keyid, seq, subject_org,"
	    " payload_type, payload_sha256, envelope_sha256, envelope, payload,"
	    " issued_at, signer_keyids, log_index, leaf)"
	    " SELECT 'key-event', 'acme', '" KEYID "', g + 1, 'acme', 't',"
	    " sha256(int8send(g)), sha256(int8send(g)), '\\x7b7d', '{}', now(),"
	    " ARRAY['" KEYID "'], g, 'entry ' || g || E'\\n'"
	    " FROM generate_series(0, 299) g;\n");
	return 0;
}

/* The hex of stored node (level, idx), from psql. */
static void
node_hash(uint8_t out[32], int level, int idx)
{
	char *hex = NULL;

	assert_int_equal(mf_test_pg_sql(&hex,
	                                "SELECT encode(hash, 'hex') FROM "
	                                "log_nodes WHERE level = %d AND "
	                                "idx = %d",
	                                level, idx),
	                 0);
	hex[strcspn(hex, "\n")] = '\0';
	assert_int_equal(mf_hex_decode(out, 32, hex), 0);
	free(hex);
}

static void
test_tiles_are_the_stored_nodes(void **state)
{
	struct mf_buf b = MF_BUF_INIT;
	struct mf_error err;
	uint8_t h[32];
	int i;

	(void)state;
	mf_test_pg_require();
	mf_error_init(&err);
	/* 1. A full tile, in index order. */
	assert_int_equal(mf_db_tlog_tile(&b, 0, 0, 256, &err), 0);
	assert_int_equal(b.len, 256 * 32);
	for (i = 0; i < 256; i += 51) {
		node_hash(h, 0, i);
		assert_memory_equal(b.data + i * 32, h, 32);
	}
	/* 2. A partial tile; an upper level. */
	mf_buf_clear(&b);
	assert_int_equal(mf_db_tlog_tile(&b, 0, 256, 44, &err), 0);
	assert_int_equal(b.len, 44 * 32);
	node_hash(h, 0, 299);
	assert_memory_equal(b.data + 43 * 32, h, 32);
	mf_buf_clear(&b);
	assert_int_equal(mf_db_tlog_tile(&b, 8, 0, 1, &err), 0);
	node_hash(h, 8, 0);
	assert_memory_equal(b.data, h, 32);
	/* 3. Wider than stored: an internal error, not a short tile. */
	assert_int_equal(mf_db_tlog_tile(&b, 0, 256, 45, &err), MF_E_INTERNAL);
	assert_int_equal(mf_db_tlog_tile(&b, 8, 0, 2, &err), MF_E_INTERNAL);
	assert_int_equal(mf_db_tlog_tile(&b, 16, 0, 1, &err), MF_E_INTERNAL);
	mf_buf_dispose(&b);
	mf_error_dispose(&err);
}

static void
test_bundles_are_the_stored_leaves(void **state)
{
	struct mf_buf b = MF_BUF_INIT;
	struct mf_error err;
	const uint8_t *e;
	size_t off = 0, len;
	char want[32];
	int i = 256;

	(void)state;
	mf_test_pg_require();
	mf_error_init(&err);
	assert_int_equal(mf_db_tlog_bundle(&b, 256, 44, &err), 0);
	while (mf_tile_bundle_next((uint8_t *)b.data, b.len, &off, &e, &len) ==
	       1) {
		snprintf(want, sizeof(want), "entry %d\n", i++);
		assert_int_equal(len, strlen(want));
		assert_memory_equal(e, want, len);
	}
	assert_int_equal(i, 300);
	assert_int_equal(off, b.len);
	assert_int_equal(mf_db_tlog_bundle(&b, 256, 45, &err), MF_E_INTERNAL);
	mf_buf_dispose(&b);
	mf_error_dispose(&err);
}

static void
test_damage_is_an_internal_error(void **state)
{
	struct mf_buf b = MF_BUF_INIT;
	struct mf_error err;

	(void)state;
	mf_test_pg_require();
	mf_error_init(&err);
	/* 1. A node missing in the middle of a tile. */
	assert_int_equal(mf_test_pg_sql(NULL, "DELETE FROM log_nodes WHERE "
	                                      "level = 0 AND idx = 10"),
	                 0);
	assert_int_equal(mf_db_tlog_tile(&b, 0, 0, 256, &err), MF_E_INTERNAL);
	/* 2. An entry missing: the bundle is refused, not shifted. */
	assert_int_equal(mf_test_pg_sql(NULL, "UPDATE submissions SET "
	                                      "log_index = NULL, leaf = NULL "
	                                      "WHERE log_index = 20"),
	                 0);
	assert_int_equal(mf_db_tlog_bundle(&b, 0, 256, &err), MF_E_INTERNAL);
	/* 3. An entry too long for its uint16 length. */
	assert_int_equal(mf_test_pg_sql(NULL, "UPDATE submissions SET leaf ="
	                                      " repeat('x', 65536) WHERE "
	                                      "log_index = 290"),
	                 0);
	mf_buf_clear(&b);
	assert_int_equal(mf_db_tlog_bundle(&b, 256, 44, &err), MF_E_INTERNAL);
	assert_int_equal(mf_test_pg_sql(NULL, "UPDATE submissions SET leaf ="
	                                      " repeat('x', 65535) WHERE "
	                                      "log_index = 290"),
	                 0);
	mf_buf_clear(&b);
	assert_int_equal(mf_db_tlog_bundle(&b, 256, 44, &err), 0);
	mf_buf_dispose(&b);
	mf_error_dispose(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tiles_are_the_stored_nodes),
	    cmocka_unit_test(test_bundles_are_the_stored_leaves),
	    cmocka_unit_test(test_damage_is_an_internal_error),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
