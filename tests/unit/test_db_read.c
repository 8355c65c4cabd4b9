/*
 * The database functions behind api/ and app/ (db/read.h, db/registry.h,
 * mf_migrate_status), against a fresh migrated database: what they return
 * for present and absent rows, and that the operator's writes keep their
 * first-writer-wins and all-or-nothing promises. Rows the functions only
 * read are inserted with psql, as the ingest and sequencer would leave
 * them.
 */
#include "common/buf.h"
#include "common/error.h"
#include "db/migrate.h"
#include "db/read.h"
#include "db/registry.h"
#include "tests/unit/support/pg.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define KEYID_A                                                                \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define KEYID_B                                                                \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HASH_1                                                                 \
	"1111111111111111111111111111111111111111111111111111111111111111"
#define HASH_2                                                                 \
	"2222222222222222222222222222222222222222222222222222222222222222"

/* An envelope with bytes a JSON round trip would change. */
#define ENVELOPE "{\"payload\":  \"e30=\", \"signatures\": [ ]}\n"

static int
group_setup(void **state)
{
	(void)state;
	mf_test_pg_setup("mf_unit_db_read");
	return 0;
}

/* psql's output with the trailing newline removed; the caller frees. */
static char *
sql_value(const char *sql)
{
	char *out = NULL;
	size_t n;

	assert_int_equal(mf_test_pg_sql(&out, "%s", sql), 0);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}

static void
assert_sql_value(const char *sql, const char *want)
{
	char *got = sql_value(sql);

	assert_string_equal(got, want);
	free(got);
}

static void
test_migrate_status_matches_the_binary(void **state)
{
	struct mf_error err;
	int latest, count, want_count, want_latest;

	(void)state;
	mf_test_pg_require();
	mf_error_init(&err);
	want_latest = mf_migrate_latest(&want_count);
	assert_int_equal(mf_migrate_status(&latest, &count, &err), 0);
	assert_true(want_count >= 3);
	assert_int_equal(latest, want_latest);
	assert_int_equal(count, want_count);
	mf_error_dispose(&err);
}

static void
test_registry_identity_first_writer_wins(void **state)
{
	struct mf_error err;
	struct mf_db_registry_info info;
	char *origin = NULL, *admin = NULL, *rl = NULL, *rc = NULL;
	bool won;

	(void)state;
	mf_test_pg_require();
	mf_error_init(&err);
	/* 1. Nothing yet: no row, no values. */
	assert_int_equal(mf_db_registry_get(&origin, &admin, &err), 0);
	assert_null(origin);
	assert_null(admin);
	/* 2. The first origin sticks. */
	assert_int_equal(mf_db_registry_init("one.example", &err), 0);
	assert_int_equal(mf_db_registry_init("two.example", &err), 0);
	assert_int_equal(mf_db_registry_get(&origin, &admin, &err), 0);
	assert_string_equal(origin, "one.example");
	assert_null(admin);
	free(origin);
	/* 3. The admin digest is set once. */
	assert_int_equal(mf_db_registry_set_admin(HASH_1, &won, &err), 0);
	assert_true(won);
	assert_int_equal(mf_db_registry_set_admin(HASH_2, &won, &err), 0);
	assert_false(won);
	assert_int_equal(mf_db_registry_get(NULL, &admin, &err), 0);
	assert_string_equal(admin, HASH_1);
	free(admin);
	/* 4. Keys: NULL records nothing; the first recorded stays. */
	assert_int_equal(
	    mf_db_registry_set_keys(NULL, "ssh-ed25519 AAAA c", &rl, &rc, &err),
	    0);
	assert_null(rl);
	assert_string_equal(rc, "ssh-ed25519 AAAA c");
	free(rc);
	assert_int_equal(mf_db_registry_set_keys("one.example+1+k",
	                                         "ssh-ed25519 BBBB c", &rl, &rc,
	                                         &err),
	                 0);
	assert_string_equal(rl, "one.example+1+k");
	assert_string_equal(rc, "ssh-ed25519 AAAA c");
	free(rl);
	free(rc);
	/* 5. What /v1/registry shows. */
	assert_int_equal(mf_db_registry_info(&info, &err), 0);
	assert_string_equal(info.origin, "one.example");
	assert_string_equal(info.log_verifier_key, "one.example+1+k");
	assert_string_equal(info.commit_public_key, "ssh-ed25519 AAAA c");
	assert_int_equal(info.log_entries, 0);
	mf_db_registry_info_dispose(&info);
	assert_null(info.origin);
	mf_error_dispose(&err);
}

static void
test_org_create_is_all_or_nothing(void **state)
{
	struct mf_db_org_new o = {
	    .org = "acme",
	    .name = "Acme Labs",
	    .role = "developer",
	    .keyid = KEYID_A,
	    .alg = "ed25519",
	    .public_key = "PEM A",
	    .spki_hex = "3000",
	};
	struct mf_db_registry_info info;
	struct mf_error err;

	(void)state;
	mf_test_pg_require();
	mf_error_init(&err);
	assert_int_equal(mf_db_org_create(&o, &err), 0);
	assert_sql_value("SELECT org, name, role FROM orgs",
	                 "acme\tAcme Labs\tdeveloper");
	assert_sql_value("SELECT keyid = '" KEYID_A "', org, alg, public_key,"
	                 " encode(spki, 'hex'), added_by IS NULL FROM keys",
	                 "t\tacme\ted25519\tPEM A\t3000\tt");
	/* the same organisation with a new key: refused, no key added */
	o.keyid = KEYID_B;
	o.name = "Acme again";
	mf_error_dispose(&err);
	mf_error_init(&err);
	assert_int_equal(mf_db_org_create(&o, &err), MF_E_CONFLICT);
	assert_int_equal(err.code, MF_E_CONFLICT);
	/* a new organisation with the existing key: the org is rolled back */
	o.org = "other";
	o.keyid = KEYID_A;
	mf_error_dispose(&err);
	mf_error_init(&err);
	assert_int_equal(mf_db_org_create(&o, &err), MF_E_CONFLICT);
	assert_sql_value("SELECT count(*), string_agg(org, ',') FROM orgs",
	                 "1\tacme");
	assert_sql_value("SELECT count(*) FROM keys", "1");
	/* and the connection is usable afterwards (no open transaction) */
	mf_error_dispose(&err);
	mf_error_init(&err);
	assert_int_equal(mf_db_registry_info(&info, &err), 0);
	assert_int_equal(info.orgs, 1);
	assert_int_equal(info.models, 0);
	mf_db_registry_info_dispose(&info);
	mf_error_dispose(&err);
}

static void
test_index_put_stores_once(void **state)
{
	struct mf_error err;
	char *stored = NULL;
	json_t *doc;
	bool fresh;

	(void)state;
	mf_test_pg_require();
	mf_error_init(&err);
	assert_int_equal(mf_db_index_put("ix-1", "Index one",
	                                 "{\"id\": \"ix-1\", \"n\": 1}", &fresh,
	                                 &stored, &err),
	                 0);
	assert_true(fresh);
	/* stored as jsonb: compare as JSON */
	doc = json_loads(stored, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_integer_value(json_object_get(doc, "n")), 1);
	json_decref(doc);
	free(stored);
	/* a second document under the same id: not stored, the first comes
	 * back */
	assert_int_equal(mf_db_index_put("ix-1", "Index one",
	                                 "{\"id\": \"ix-1\", \"n\": 2}", &fresh,
	                                 &stored, &err),
	                 0);
	assert_false(fresh);
	doc = json_loads(stored, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(doc, "n")), 1);
	json_decref(doc);
	free(stored);
	assert_sql_value("SELECT count(*) FROM indices", "1");
	mf_error_dispose(&err);
}

static void
test_read_json_found_and_missing(void **state)
{
	const char *acme[1] = {"acme"}, *nobody[1] = {"nobody"};
	struct mf_buf out = MF_BUF_INIT;
	struct mf_error err;
	json_t *doc;
	bool found;

	(void)state;
	mf_test_pg_require();
	mf_error_init(&err);
	assert_int_equal(mf_test_pg_sql(NULL, "INSERT INTO orgs (org, name,"
	                                      " role) VALUES ('acme', 'Acme',"
	                                      " 'developer')"
	                                      " ON CONFLICT DO NOTHING"),
	                 0);
	assert_int_equal(
	    mf_db_read_json(&out, &found, MF_SQL_ORG_GET, 1, acme, &err), 0);
	assert_true(found);
	assert_int_equal(out.len, strlen(out.data));
	doc = json_loads(out.data, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "org")),
	                    "acme");
	assert_true(json_is_array(json_object_get(doc, "keys")));
	json_decref(doc);
	/* no row: not found, and the buffer is emptied */
	assert_int_equal(
	    mf_db_read_json(&out, &found, MF_SQL_ORG_GET, 1, nobody, &err), 0);
	assert_false(found);
	assert_int_equal(out.len, 0);
	/* a text column read the same way: an index document */
	assert_int_equal(mf_test_pg_sql(NULL, "INSERT INTO indices (index_id,"
	                                      " name, document) VALUES ('ix-r',"
	                                      " 'R', '{\"k\": [1, 2]}')"),
	                 0);
	{
		const char *ix[1] = {"ix-r"};

		assert_int_equal(mf_db_read_json(&out, &found, MF_SQL_INDEX_GET,
		                                 1, ix, &err),
		                 0);
	}
	assert_true(found);
	assert_string_equal(out.data, "{\"k\": [1, 2]}");
	mf_buf_dispose(&out);
	mf_error_dispose(&err);
}

/* One sequenced disclosure of acme/m1 version 1 at log index 0. */
static void
insert_version(void)
{
	assert_int_equal(
	    mf_test_pg_sql(
	        NULL,
	        "INSERT INTO orgs (org, name, role) VALUES ('acme', 'Acme',"
	        " 'developer') ON CONFLICT DO NOTHING;\n"
	        "INSERT INTO models (org, model, head_version) VALUES"
	        " ('acme', 'm1', 1);\n"
	        "INSERT INTO submissions (kind, org, keyid, seq, subject_org,"
	        " subject_model, payload_type, payload_sha256,"
	        " envelope_sha256, envelope, payload, issued_at, accepted_at,"
	        " signer_keyids, log_index, leaf) VALUES ('disclosure',"
	        " 'acme', '" KEYID_A "', 1, 'acme', 'm1', 't',"
	        " decode('" HASH_1 "', 'hex'), decode('" HASH_2 "', 'hex'),"
	        " convert_to('%s', 'UTF8'), '{\"a\": 1.50}',"
	        " '2026-01-02T03:04:05Z', '2026-01-02T03:04:06.000007Z',"
	        " ARRAY['" KEYID_A "'], 0, 'leaf text\nline 2');\n"
	        "INSERT INTO versions (org, model, version, submission_id,"
	        " payload_sha256, scores, score_total, score_max)"
	        " SELECT 'acme', 'm1', 1, id, payload_sha256,"
	        " '{\"results\": {\"x\": true}}', 7, 9 FROM submissions;\n"
	        "INSERT INTO log_nodes (level, idx, hash) VALUES (0, 0,"
	        " decode('" HASH_2 "', 'hex'));\n",
	        ENVELOPE),
	    0);
}

static void
test_version_envelope_diff_and_log_entry(void **state)
{
	struct mf_buf env = MF_BUF_INIT;
	struct mf_db_diff_version v;
	struct mf_db_log_entry e;
	struct mf_error err;
	bool found;

	(void)state;
	mf_test_pg_require();
	mf_error_init(&err);
	insert_version();
	/* 1. The envelope comes back byte for byte. */
	assert_int_equal(
	    mf_db_version_envelope(&env, &found, "acme", "m1", "1", &err), 0);
	assert_true(found);
	assert_int_equal(env.len, strlen(ENVELOPE));
	assert_memory_equal(env.data, ENVELOPE, env.len);
	assert_int_equal(
	    mf_db_version_envelope(&env, &found, "acme", "m1", "2", &err), 0);
	assert_false(found);
	assert_int_equal(env.len, 0);
	mf_buf_dispose(&env);
	/* 2. What a diff compares. */
	assert_int_equal(
	    mf_db_version_for_diff(&v, &found, "acme", "m1", "1", &err), 0);
	assert_true(found);
	assert_non_null(v.payload);
	assert_true(json_is_real(json_object_get(v.payload, "a")));
	assert_true(json_is_true(
	    json_object_get(json_object_get(v.scores, "results"), "x")));
	assert_int_equal(v.score_total, 7);
	assert_int_equal(v.score_max, 9);
	mf_db_diff_version_dispose(&v);
	assert_null(v.payload);
	assert_int_equal(
	    mf_db_version_for_diff(&v, &found, "acme", "m2", "1", &err), 0);
	assert_false(found);
	assert_null(v.payload);
	mf_db_diff_version_dispose(&v);
	/* 3. The log entry, every column. */
	assert_int_equal(mf_db_log_entry(&e, &found, 0, &err), 0);
	assert_true(found);
	assert_string_equal(e.leaf, "leaf text\nline 2");
	assert_string_equal(e.leaf_hash, HASH_2);
	assert_string_equal(e.envelope, ENVELOPE);
	assert_string_equal(e.kind, "disclosure");
	assert_string_equal(e.org, "acme");
	assert_string_equal(e.model, "m1");
	assert_string_equal(e.accepted_at, "2026-01-02T03:04:06.000007Z");
	mf_db_log_entry_dispose(&e);
	assert_int_equal(mf_db_log_entry(&e, &found, 1, &err), 0);
	assert_false(found);
	assert_null(e.leaf);
	mf_db_log_entry_dispose(&e);
	mf_error_dispose(&err);
}

int
main(void)
{
	/* in order: the identity tests expect an empty registry table */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migrate_status_matches_the_binary),
	    cmocka_unit_test(test_registry_identity_first_writer_wins),
	    cmocka_unit_test(test_org_create_is_all_or_nothing),
	    cmocka_unit_test(test_index_put_stores_once),
	    cmocka_unit_test(test_read_json_found_and_missing),
	    cmocka_unit_test(test_version_envelope_diff_and_log_entry),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
