/*
 * Tests for ingest/: the decisions of the submission pipeline, without
 * HTTP, against a fresh migrated PostgreSQL database (support/pg.h).
 * Envelopes are made as the CLI makes them (envelope/: DSSE over the
 * payload, signed with an Ed25519 key generated here), so every check
 * the server runs on a real submission runs here too. Each refusal is
 * checked twice: the error code, and that the database did not change.
 */
#include "common/digest.h"
#include "common/doctype.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "envelope/dsse.h"
#include "envelope/keys.h"
#include "envelope/verify.h"
#include "app/app.h"
#include "app/config.h"
#include "ingest/ingest.h"
#include "tests/unit/support/pg.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#define ORIGIN "modelfacts.localhost"
#define ORG    "larchwood"

static struct mf_config cfg;
static struct mf_app app;
static struct mf_key *key;     /* registered, active */
static struct mf_key *revoked; /* registered, then revoked */
static struct mf_key *unknown; /* never registered */
static int64_t next_seq = 1;

/* ---- helpers ------------------------------------------------------- */

/* Registers k for ORG with SQL, as the operator would (api/admin.c). */
static int
register_key(const struct mf_key *k, const char *status)
{
	char *pem = NULL, spki[2048];
	const uint8_t *der;
	size_t len;
	int rc;

	der = mf_key_spki_der(k, &len);
	if (len * 2 + 1 > sizeof(spki) || mf_key_public_pem(k, &pem) != 0)
		return -1;
	mf_hex_encode(spki, der, len);
	rc = mf_test_pg_sql(NULL,
	                    "INSERT INTO keys (keyid, org, alg, public_key,"
	                    " spki, status) VALUES ('%s', '" ORG "',"
	                    " 'ed25519', $pem$%s$pem$, decode('%s', 'hex'),"
	                    " '%s');",
	                    mf_key_id(k), pem, spki, status);
	free(pem);
	return rc;
}

/* One value from SQL, as a new string without the trailing newline. */
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
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return out;
}

/* A number from SQL (a fixed query). */
static long long
sql_count(const char *sql)
{
	char *v = sql_value("%s", sql);
	long long n = strtoll(v, NULL, 10);

	free(v);
	return n;
}

/* Everything a refusal must leave alone, as one comparable string. */
static char *
snapshot(void)
{
	return sql_value("SELECT (SELECT count(*) FROM submissions) || ' ' ||"
	                 " (SELECT count(*) FROM versions) || ' ' ||"
	                 " (SELECT last_seq FROM orgs WHERE org = '%s')"
	                 " || ' ' || coalesce((SELECT string_agg(model ||"
	                 " ':' || head_version, ',' ORDER BY model)"
	                 " FROM models), '')",
	                 ORG);
}

/*
 * A disclosure payload (examples/disclosure-open.json with a fresh
 * header): a new string. supersedes_hex NULL: the first version.
 */
static char *
disclosure(const char *model, int64_t seq, const char *supersedes_hex)
{
	json_error_t jerr;
	json_t *doc = json_load_file("examples/disclosure-open.json", 0, &jerr);
	char now[40], sup[80];
	char *text;

	assert_non_null(doc);
	mf_time_format_s(now, sizeof(now), mf_time_now_ms() / 1000);
	json_object_set_new(doc, "registry", json_string(ORIGIN));
	json_object_set_new(
	    doc, "subject",
	    json_pack("{s:s, s:s}", "org", ORG, "model", model));
	json_object_set_new(doc, "issued_at", json_string(now));
	json_object_set_new(doc, "seq", json_integer(seq));
	if (supersedes_hex != NULL) {
		snprintf(sup, sizeof(sup), "sha256:%s", supersedes_hex);
		json_object_set_new(doc, "supersedes", json_string(sup));
	} else {
		json_object_set_new(doc, "supersedes", json_null());
	}
	text = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	assert_non_null(text);
	return text;
}

/* The DSSE envelope of payload signed by k: a new string. */
static char *
sign(const char *payload, const struct mf_key *k)
{
	struct mf_error err;
	char *env = NULL;

	mf_error_init(&err);
	assert_int_equal(
	    mf_dsse_sign(&env, k, mf_doctype_payload_type(MF_DOC_DISCLOSURE),
	                 (const uint8_t *)payload, strlen(payload), NULL, &err),
	    0);
	mf_error_dispose(&err);
	return env;
}

/* Submits env; returns the pipeline's code, with out and err filled. */
static int
submit(const char *env, struct mf_ingest_result *out, struct mf_error *err)
{
	mf_ingest_result_init(out);
	mf_error_init(err);
	return mf_ingest_submit(&app, env, strlen(env), out, err);
}

static void
payload_hex(char out[MF_SHA256_HEX_LEN + 1], const char *payload)
{
	mf_sha256_hex(out, payload, strlen(payload));
}

/* Signs and submits a first or next version that must be accepted. */
static int64_t
accept_disclosure(const char *model, const char *supersedes_hex,
                  char hex_out[MF_SHA256_HEX_LEN + 1])
{
	char *p = disclosure(model, next_seq++, supersedes_hex);
	char *env = sign(p, key);
	struct mf_ingest_result r;
	struct mf_error err;
	int rc = submit(env, &r, &err);
	int64_t id = r.submission_id;

	if (rc != 0)
		fprintf(stderr, "refused: %s (%s)\n", err.message, err.pointer);
	assert_int_equal(rc, 0);
	assert_false(r.existing);
	assert_true(id > 0);
	payload_hex(hex_out, p);
	mf_ingest_result_dispose(&r);
	mf_error_dispose(&err);
	free(env);
	free(p);
	return id;
}

/* ---- set-up -------------------------------------------------------- */

static int
setup(void **state)
{
	struct mf_error err;

	(void)state;
	snprintf(cfg.origin, sizeof(cfg.origin), "%s", ORIGIN);
	cfg.issued_at_window = 300;
	cfg.max_body = 4u << 20;
	app.cfg = &cfg;
	if (mf_test_pg_setup("mf_unit_ingest") != 0)
		return 0; /* every test skips */
	mf_error_init(&err);
	if (mf_key_generate(&key, MF_KEY_ED25519, &err) != 0 ||
	    mf_key_generate(&revoked, MF_KEY_ED25519, &err) != 0 ||
	    mf_key_generate(&unknown, MF_KEY_ED25519, &err) != 0)
		return -1;
	mf_error_dispose(&err);
	if (mf_test_pg_sql(NULL,
	                   "INSERT INTO orgs (org, name, role) VALUES"
	                   " ('" ORG "', 'Larchwood', 'developer');") != 0 ||
	    register_key(key, "active") != 0 ||
	    register_key(revoked, "revoked") != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mf_key_free(key);
	mf_key_free(revoked);
	mf_key_free(unknown);
	return 0;
}

/* ---- tests --------------------------------------------------------- */

/* A signed first version is stored as exactly one submission and one
 * version row, with the payload's digest and the signer's seq. */
static void
test_accept_stores_one_row(void **state)
{
	char hex[MF_SHA256_HEX_LEN + 1], id[24], *v;
	long long before;
	int64_t sid;

	(void)state;
	mf_test_pg_require();
	before = sql_count("SELECT count(*) FROM submissions");
	sid = accept_disclosure("fernbrook-13b", NULL, hex);
	assert_int_equal(sql_count("SELECT count(*) FROM submissions"),
	                 before + 1);
	snprintf(id, sizeof(id), "%lld", (long long)sid);
	v = sql_value("SELECT s.kind || ' ' || s.org || ' ' || s.seq || ' ' ||"
	              " encode(s.payload_sha256, 'hex') || ' ' || v.version ||"
	              " ' ' || coalesce(encode(v.supersedes, 'hex'), 'null') ||"
	              " ' ' || (s.log_index IS NULL)"
	              " FROM submissions s JOIN versions v"
	              " ON v.submission_id = s.id WHERE s.id = %s",
	              id);
	{
		char want[256];

		snprintf(want, sizeof(want),
		         "disclosure " ORG " %lld %s 1 null true",
		         (long long)(next_seq - 1), hex);
		assert_string_equal(v, want);
	}
	free(v);
	assert_int_equal(
	    sql_count("SELECT last_seq FROM orgs WHERE org = '" ORG "'"),
	    next_seq - 1);
}

/* A second version names the first in supersedes and becomes the head;
 * naming a version that is no longer the head is a 409 that names the
 * current head, and changes nothing. */
static void
test_second_version_supersedes(void **state)
{
	char v1[MF_SHA256_HEX_LEN + 1], v2[MF_SHA256_HEX_LEN + 1];
	char id[24], want[256], *v, *before, *after;
	struct mf_ingest_result r;
	struct mf_error err;
	char *p, *env;
	int64_t sid;

	(void)state;
	mf_test_pg_require();
	accept_disclosure("oakline-7b", NULL, v1);
	sid = accept_disclosure("oakline-7b", v1, v2);
	assert_string_not_equal(v1, v2);
	snprintf(id, sizeof(id), "%lld", (long long)sid);
	v = sql_value("SELECT v.version || ' ' || encode(v.supersedes, 'hex')"
	              " || ' ' || m.head_version || ' ' ||"
	              " encode(m.head_payload_sha256, 'hex')"
	              " FROM versions v JOIN models m ON m.org = v.org AND"
	              " m.model = v.model WHERE v.submission_id = %s",
	              id);
	snprintf(want, sizeof(want), "2 %s 2 %s", v1, v2);
	assert_string_equal(v, want);
	free(v);

	/* A stale third version: supersedes v1 again. */
	before = snapshot();
	p = disclosure("oakline-7b", next_seq++, v1);
	env = sign(p, key);
	assert_int_equal(submit(env, &r, &err), MF_E_STALE_SUPERSEDES);
	assert_string_equal(err.pointer, "/supersedes");
	snprintf(want, sizeof(want), "sha256:%s", v2);
	assert_string_equal(
	    json_string_value(json_object_get(err.extra, "current_head")),
	    want);
	after = snapshot();
	assert_string_equal(before, after);
	mf_ingest_result_dispose(&r);
	mf_error_dispose(&err);
	free(before);
	free(after);
	free(env);
	free(p);
}

/* The same envelope again is answered with the first acceptance and
 * stores nothing; a new envelope reusing an accepted seq (a replay of
 * the signer's counter) is refused as stale and stores nothing. */
static void
test_replay_and_duplicate(void **state)
{
	char hex[MF_SHA256_HEX_LEN + 1], *before, *after, *p, *env;
	struct mf_ingest_result r;
	struct mf_error err;
	int64_t seq = next_seq++, sid;

	(void)state;
	mf_test_pg_require();
	p = disclosure("birchwood-1b", seq, NULL);
	env = sign(p, key);
	assert_int_equal(submit(env, &r, &err), 0);
	assert_false(r.existing);
	sid = r.submission_id;
	payload_hex(hex, p);
	mf_ingest_result_dispose(&r);
	mf_error_dispose(&err);

	/* 1. The identical envelope: the earlier acceptance, nothing new. */
	before = snapshot();
	assert_int_equal(submit(env, &r, &err), 0);
	assert_true(r.existing);
	assert_int_equal(r.submission_id, sid);
	after = snapshot();
	assert_string_equal(before, after);
	free(after);
	mf_ingest_result_dispose(&r);
	mf_error_dispose(&err);
	free(env);
	free(p);

	/* 2. Another document with the same seq: stale, nothing stored. */
	p = disclosure("birchwood-2b", seq, NULL);
	env = sign(p, key);
	assert_int_equal(submit(env, &r, &err), MF_E_STALE_SEQ);
	assert_string_equal(err.pointer, "/seq");
	assert_string_equal(mf_error_name(err.code), "stale_seq");
	after = snapshot();
	assert_string_equal(before, after);
	free(after);
	mf_ingest_result_dispose(&r);
	mf_error_dispose(&err);
	free(env);
	free(p);
	free(before);
}

/* Envelopes signed only by a key the registry does not know, or by a
 * revoked key, are refused with their own codes and store nothing. */
static void
test_unknown_and_revoked_keys(void **state)
{
	struct mf_ingest_result r;
	struct mf_error err;
	char *before, *after, *p, *env;

	(void)state;
	mf_test_pg_require();
	before = snapshot();

	p = disclosure("willow-3b", next_seq, NULL);
	env = sign(p, unknown);
	assert_int_equal(submit(env, &r, &err), MF_E_UNKNOWN_KEY);
	assert_string_equal(err.pointer, "/signatures/0/keyid");
	mf_ingest_result_dispose(&r);
	mf_error_dispose(&err);
	free(env);

	env = sign(p, revoked);
	assert_int_equal(submit(env, &r, &err), MF_E_KEY_REVOKED);
	assert_string_equal(err.pointer, "/signatures");
	mf_ingest_result_dispose(&r);
	mf_error_dispose(&err);
	free(env);

	/* A signature by the unknown key that claims the registered key's
	 * id: the registered key decides, and it does not verify. */
	{
		struct mf_dsse *d = NULL;
		struct mf_dsse_sig sig;
		char *forged = NULL;

		env = sign(p, unknown);
		mf_error_init(&err);
		assert_int_equal(mf_dsse_parse(&d, env, strlen(env), 0, &err),
		                 0);
		sig = d->sigs[0];
		sig.keyid = (char *)mf_key_id(key);
		assert_int_equal(mf_dsse_encode(&forged, d->payload_type,
		                                d->payload, d->payload_len,
		                                &sig, 1),
		                 0);
		mf_error_dispose(&err);
		assert_int_equal(submit(forged, &r, &err), MF_E_BAD_SIGNATURE);
		mf_ingest_result_dispose(&r);
		mf_error_dispose(&err);
		mf_dsse_free(d);
		free(forged);
		free(env);
	}

	after = snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(p);
}

/*
 * An envelope of payload signed by keys[0..n) in that order; the
 * signature at index `bad` (n: none) gets one bit flipped. A new string.
 */
static char *
sign_many(const char *payload, const struct mf_key *const *keys, size_t n,
          size_t bad)
{
	const char *type = mf_doctype_payload_type(MF_DOC_DISCLOSURE);
	struct mf_dsse_sig sigs[MF_DSSE_MAX_SIGNATURES];
	struct mf_error err;
	uint8_t *pae = NULL;
	size_t pae_len, i;
	char *env = NULL;

	assert_true(n <= MF_DSSE_MAX_SIGNATURES);
	assert_int_equal(mf_dsse_pae(&pae, &pae_len, type, strlen(type),
	                             (const uint8_t *)payload, strlen(payload)),
	                 0);
	mf_error_init(&err);
	for (i = 0; i < n; i++) {
		sigs[i].keyid = (char *)mf_key_id(keys[i]);
		assert_int_equal(mf_sign_message(&sigs[i].sig, &sigs[i].sig_len,
		                                 keys[i], pae, pae_len, NULL,
		                                 &err),
		                 0);
		if (i == bad)
			sigs[i].sig[sigs[i].sig_len / 2] ^= 1;
	}
	assert_int_equal(mf_dsse_encode(&env, type, (const uint8_t *)payload,
	                                strlen(payload), sigs, n),
	                 0);
	for (i = 0; i < n; i++)
		free(sigs[i].sig);
	mf_error_dispose(&err);
	free(pae);
	return env;
}

/* Submits env, expects code at pointer, and that nothing changed. */
static void
expect_refused(const char *env, int code, const char *pointer)
{
	struct mf_ingest_result r;
	struct mf_error err;
	char *before = snapshot(), *after;

	assert_int_equal(submit(env, &r, &err), code);
	assert_string_equal(err.pointer, pointer);
	after = snapshot();
	assert_string_equal(before, after);
	mf_ingest_result_dispose(&r);
	mf_error_dispose(&err);
	free(before);
	free(after);
}

/*
 * The signature policy (issue 15): a registered key signs at most once;
 * a registered key's signature that fails refuses the envelope, wherever
 * it is; an unknown key's signature is ignored, so a co-signed envelope
 * is accepted with one signer; the accepted payload in another envelope
 * (a revoked key's valid signature beside the active one) is the
 * earlier acceptance, but with a failing extra signature it is refused.
 */
static void
test_signature_policy(void **state)
{
	const struct mf_key *twice[] = {key, key};
	const struct mf_key *cosigned[] = {unknown, key};
	const struct mf_key *with_revoked[] = {key, revoked};
	struct mf_ingest_result r;
	struct mf_error err;
	char *p, *env;
	int64_t sid;

	(void)state;
	mf_test_pg_require();
	p = disclosure("hazel-5b", next_seq++, NULL);

	env = sign_many(p, twice, 2, 2);
	expect_refused(env, MF_E_DUPLICATE_SIGNATURE, "/signatures/1");
	assert_string_equal(mf_error_name(MF_E_DUPLICATE_SIGNATURE),
	                    "duplicate_signature");
	free(env);

	env = sign_many(p, with_revoked, 2, 1);
	expect_refused(env, MF_E_BAD_SIGNATURE, "/signatures/1");
	free(env);
	env = sign_many(p, with_revoked, 2, 0);
	expect_refused(env, MF_E_BAD_SIGNATURE, "/signatures/0");
	free(env);

	/* a bad signature by an unknown key is not ours to judge */
	env = sign_many(p, cosigned, 2, 0);
	assert_int_equal(submit(env, &r, &err), 0);
	assert_false(r.existing);
	sid = r.submission_id;
	mf_ingest_result_dispose(&r);
	mf_error_dispose(&err);
	free(env);
	{
		char id[24], *v;

		snprintf(id, sizeof(id), "%lld", (long long)sid);
		v = sql_value("SELECT array_length(signer_keyids, 1)"
		              " FROM submissions WHERE id = %s",
		              id);
		assert_string_equal(v, "1");
		free(v);
	}

	/* the same payload again, in other envelopes */
	env = sign_many(p, with_revoked, 2, 2);
	assert_int_equal(submit(env, &r, &err), 0);
	assert_true(r.existing);
	assert_int_equal(r.submission_id, sid);
	mf_ingest_result_dispose(&r);
	mf_error_dispose(&err);
	free(env);
	env = sign_many(p, with_revoked, 2, 1);
	expect_refused(env, MF_E_BAD_SIGNATURE, "/signatures/1");
	free(env);
	env = sign_many(p, twice, 2, 2);
	expect_refused(env, MF_E_DUPLICATE_SIGNATURE, "/signatures/1");
	free(env);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accept_stores_one_row),
	    cmocka_unit_test(test_second_version_supersedes),
	    cmocka_unit_test(test_replay_and_duplicate),
	    cmocka_unit_test(test_unknown_and_revoked_keys),
	    cmocka_unit_test(test_signature_policy),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
