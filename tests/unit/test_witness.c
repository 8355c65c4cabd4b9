/*
 * Tests for witness/ in-process (the HTTP side is
 * tests/integration/test_witness.py): the add-checkpoint decisions on a
 * small log built here, thousands of mutated request bodies (never a
 * crash, never a cosignature of anything but the log's real checkpoint),
 * and the state files read back or refused when corrupt.
 */
#include "common/encoding.h"
#include "common/error.h"
#include "merkle/checkpoint.h"
#include "merkle/cosignature.h"
#include "merkle/merkle.h"
#include "merkle/note.h"
#include "tests/unit/support/scratch.h"
#include "witness/state.h"
#include "witness/witness.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define N_LEAVES 16
#define ORIGIN   "log.example/unit"
#define B64      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

static uint8_t leaves[N_LEAVES][MF_MERKLE_HASH_LEN];

/* Complete subtree (level, index) of the leaves above. */
static int
get_node(void *ctx, unsigned level, uint64_t index,
         uint8_t out[MF_MERKLE_HASH_LEN])
{
	uint8_t l[MF_MERKLE_HASH_LEN], r[MF_MERKLE_HASH_LEN];

	(void)ctx;
	if (level == 0) {
		assert_true(index < N_LEAVES);
		memcpy(out, leaves[index], MF_MERKLE_HASH_LEN);
		return 0;
	}
	get_node(NULL, level - 1, 2 * index, l);
	get_node(NULL, level - 1, 2 * index + 1, r);
	mf_merkle_node_hash(out, l, r);
	return 0;
}

struct fixture {
	char dir[512];
	char *log_skey, *log_vkey, *w_skey, *w_vkey;
	struct mf_note_signer *log;
	struct mf_witness *w;
};

static struct fixture F;

static void
fixture_open(void)
{
	struct mf_error err;
	const char *logs[1];
	char name[32];
	int i;
	static int runs;

	mf_error_init(&err);
	for (i = 0; i < N_LEAVES; i++) {
		snprintf(name, sizeof(name), "entry %d", i);
		assert_int_equal(
		    mf_merkle_leaf_hash(leaves[i], name, strlen(name)), 0);
	}
	/* each test its own state directory */
	snprintf(F.dir, sizeof(F.dir), "%s/w%d", mf_test_scratch(), ++runs);
	assert_int_equal(
	    mf_note_generate_key(&F.log_skey, &F.log_vkey, ORIGIN, &err), 0);
	assert_int_equal(mf_note_signer_new(&F.log, F.log_skey, &err), 0);
	assert_int_equal(
	    mf_cosig_generate_key(&F.w_skey, &F.w_vkey, "witness.unit/w", &err),
	    0);
	logs[0] = F.log_vkey;
	assert_int_equal(mf_witness_new(&F.w, F.w_skey, F.dir, logs, 1, &err),
	                 0);
	mf_error_dispose(&err);
}

static void
fixture_close(void)
{
	mf_witness_free(F.w);
	mf_note_signer_free(F.log);
	free(F.log_skey);
	free(F.log_vkey);
	free(F.w_skey);
	free(F.w_vkey);
	memset(&F, 0, sizeof(F));
}

/* The log's signed checkpoint of `size` leaves (new string). */
static char *
checkpoint(uint64_t size)
{
	struct mf_error err;
	uint8_t root[MF_MERKLE_HASH_LEN];
	char *note;

	mf_error_init(&err);
	if (size == 0)
		mf_merkle_empty_root(root);
	else
		assert_int_equal(mf_merkle_root(root, size, get_node, NULL), 0);
	assert_int_equal(
	    mf_checkpoint_sign(&note, ORIGIN, size, root, F.log, &err), 0);
	mf_error_dispose(&err);
	return note;
}

/* "old N", the proof from old to size, "", the checkpoint. */
static char *
request(uint64_t old, uint64_t size)
{
	uint8_t proof[MF_MERKLE_MAX_PROOF][MF_MERKLE_HASH_LEN];
	size_t n = 0, i;
	char *note = checkpoint(size), *out, b64[64];
	size_t cap = strlen(note) + 64 * 64;

	if (old > 0 && old < size)
		assert_int_equal(mf_merkle_consistency_proof(
		                     proof, &n, old, size, get_node, NULL),
		                 0);
	out = malloc(cap);
	assert_non_null(out);
	snprintf(out, cap, "old %llu\n", (unsigned long long)old);
	for (i = 0; i < n; i++) {
		mf_base64_encode(b64, proof[i], MF_MERKLE_HASH_LEN);
		strcat(out, b64);
		strcat(out, "\n");
	}
	strcat(out, "\n");
	strcat(out, note);
	free(note);
	return out;
}

static unsigned
add(const char *body, size_t len, struct mf_witness_answer *a)
{
	mf_witness_answer_dispose(a);
	mf_witness_answer_init(a);
	assert_int_equal(
	    mf_witness_add_checkpoint(F.w, body, len, 1700000000, a), 0);
	return a->status;
}

static void
test_decisions(void **state)
{
	struct mf_witness_answer a;
	struct mf_cosig_verifier *v;
	struct mf_error err;
	char *body, *note, *cosigned;
	uint64_t ts;

	(void)state;
	mf_error_init(&err);
	mf_witness_answer_init(&a);
	fixture_open();
	/* 1. First checkpoint, from 0; the line verifies on the note. */
	body = request(0, 4);
	assert_int_equal(add(body, strlen(body), &a), 200);
	note = strstr(body, "\n\n") + 2;
	cosigned = malloc(strlen(note) + a.body.len + 1);
	assert_non_null(cosigned);
	sprintf(cosigned, "%s%s", note, a.body.data);
	assert_int_equal(mf_cosig_verifier_new(&v, F.w_vkey, &err), 0);
	assert_int_equal(
	    mf_cosig_verify_note(cosigned, strlen(cosigned), v, &ts, &err), 1);
	assert_true(ts == 1700000000);
	free(cosigned);
	free(body);
	/* 2. Growing with a proof; then the old size is stale: 409. */
	body = request(4, 7);
	assert_int_equal(add(body, strlen(body), &a), 200);
	assert_int_equal(add(body, strlen(body), &a), 409);
	assert_string_equal(a.content_type, "text/x.tlog.size");
	assert_string_equal(a.body.data, "7\n");
	free(body);
	/* 3. Old size above the checkpoint's; a size-0 from 0 when 7. */
	body = request(7, 5);
	assert_int_equal(add(body, strlen(body), &a), 400);
	free(body);
	body = request(0, 0);
	assert_int_equal(add(body, strlen(body), &a), 409);
	free(body);
	/* 4. The same checkpoint again: cosigned again. */
	body = request(7, 7);
	assert_int_equal(add(body, strlen(body), &a), 200);
	free(body);
	/* 5. The monitoring call serves it with the witness's line. */
	{
		char hex[65];

		mf_witness_origin_hash(hex, ORIGIN);
		mf_witness_answer_dispose(&a);
		mf_witness_answer_init(&a);
		assert_int_equal(mf_witness_checkpoint(F.w, hex, &a), 0);
		assert_int_equal(a.status, 200);
		assert_int_equal(
		    mf_cosig_verify_note(a.body.data, a.body.len, v, &ts, &err),
		    1);
		mf_witness_answer_dispose(&a);
		mf_witness_answer_init(&a);
		assert_int_equal(mf_witness_checkpoint(F.w, "00", &a), 0);
		assert_int_equal(a.status, 404);
	}
	mf_cosig_verifier_free(v);
	mf_witness_answer_dispose(&a);
	fixture_close();
	mf_error_dispose(&err);
}

/* A small deterministic generator (xorshift): the edits are the same
 * every run (the keys, and so the signature bytes, are fresh). */
static uint32_t
next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
test_mutated_bodies(void **state)
{
	struct mf_witness_state st, held;
	struct mf_witness_answer a;
	struct mf_error err;
	uint8_t root11[MF_MERKLE_HASH_LEN];
	char *good, *body;
	size_t len, glen, pos;
	uint32_t seed = 0x9e3779b9;
	int i, k, n200 = 0, by[5] = {0};
	unsigned status;

	(void)state;
	mf_error_init(&err);
	mf_witness_answer_init(&a);
	mf_witness_state_init(&held);
	fixture_open();
	body = request(0, 7);
	assert_int_equal(add(body, strlen(body), &a), 200);
	free(body);
	assert_int_equal(mf_witness_state_load(&held, F.dir, ORIGIN, &err), 0);
	assert_int_equal(mf_merkle_root(root11, 11, get_node, NULL), 0);
	good = request(7, 11);
	glen = strlen(good);
	body = malloc(glen + 16);
	assert_non_null(body);
	for (i = 0; i < 3000; i++) {
		/* 1. One to three byte edits: replace, delete, insert, or a
		 * truncation. */
		memcpy(body, good, glen);
		len = glen;
		for (k = 0; k < 1 + (int)(next_rand(&seed) % 3); k++) {
			pos = next_rand(&seed) % len;
			switch (next_rand(&seed) % 4) {
			case 0: /* any byte, or one that keeps base64 valid */
				body[pos] = next_rand(&seed) % 2
				                ? (char)next_rand(&seed)
				                : B64[next_rand(&seed) %
				                      (sizeof(B64) - 1)];
				break;
			case 1:
				memmove(body + pos, body + pos + 1,
				        len - pos - 1);
				len--;
				break;
			case 2:
				memmove(body + pos + 1, body + pos, len - pos);
				body[pos] = "\n0A=+ \xe2"[next_rand(&seed) % 7];
				len++;
				break;
			default:
				len = pos;
				break;
			}
			if (len == 0)
				break;
		}
		/* 2. A refusal, or the real checkpoint of 11 cosigned. */
		status = add(body, len, &a);
		if (status == 200) {
			n200++;
			mf_witness_state_init(&st);
			assert_int_equal(
			    mf_witness_state_load(&st, F.dir, ORIGIN, &err), 0);
			assert_true(st.size == 11);
			assert_memory_equal(st.root, root11, sizeof(root11));
			mf_witness_state_dispose(&st);
			/* back to 7, for the next edits */
			assert_int_equal(
			    mf_witness_state_store(F.dir, ORIGIN, held.size,
			                           held.root, held.note,
			                           held.note_len, &err),
			    0);
			continue;
		}
		switch (status) {
		case 400:
		case 403:
		case 404:
		case 409:
		case 422:
			by[status == 400   ? 0
			   : status == 403 ? 1
			   : status == 404 ? 2
			   : status == 409 ? 3
			                   : 4]++;
			break;
		default:
			fail_msg("edit %d: status %u", i, status);
		}
	}
	/* the unedited body is cosigned, so the loop could see a 200 */
	assert_int_equal(add(good, glen, &a), 200);
	printf("  3000 edited bodies: %d cosigned (the real checkpoint), "
	       "400: %d, 403: %d, 404: %d, 409: %d, 422: %d\n",
	       n200, by[0], by[1], by[2], by[3], by[4]);
	free(body);
	free(good);
	mf_witness_state_dispose(&held);
	mf_witness_answer_dispose(&a);
	fixture_close();
	mf_error_dispose(&err);
}

static void
test_state_files(void **state)
{
	struct mf_witness_state st;
	struct mf_error err;
	struct mf_witness *w2 = NULL;
	const char *logs[1];
	char path[1024], hex[65], *note, *text;
	uint8_t root[MF_MERKLE_HASH_LEN];
	size_t len;
	FILE *f;

	(void)state;
	mf_error_init(&err);
	fixture_open();
	/* 1. No file: never cosigned. */
	mf_witness_state_init(&st);
	assert_int_equal(
	    mf_witness_state_load(&st, F.dir, "other.example/log", &err), 0);
	assert_true(st.size == 0 && st.note == NULL);
	/* 2. Round trip. */
	note = checkpoint(9);
	assert_int_equal(mf_merkle_root(root, 9, get_node, NULL), 0);
	assert_int_equal(mf_witness_state_store(F.dir, ORIGIN, 9, root, note,
	                                        strlen(note), &err),
	                 0);
	assert_int_equal(mf_witness_state_load(&st, F.dir, ORIGIN, &err), 0);
	assert_true(st.size == 9);
	assert_memory_equal(st.root, root, sizeof(root));
	assert_string_equal(st.note, note);
	mf_witness_state_dispose(&st);
	/* 3. A header that disagrees with its checkpoint: corrupt, and the
	 * witness does not start on it. */
	assert_int_equal(mf_witness_state_store(F.dir, ORIGIN, 8, root, note,
	                                        strlen(note), &err),
	                 0);
	assert_int_equal(mf_witness_state_load(&st, F.dir, ORIGIN, &err),
	                 MF_E_INTERNAL);
	mf_error_dispose(&err);
	mf_error_init(&err);
	logs[0] = F.log_vkey;
	assert_int_equal(mf_witness_new(&w2, F.w_skey, F.dir, logs, 1, &err),
	                 MF_E_INTERNAL);
	assert_null(w2);
	mf_error_dispose(&err);
	/* 4. A truncated file: corrupt too. */
	mf_error_init(&err);
	assert_int_equal(mf_witness_state_store(F.dir, ORIGIN, 9, root, note,
	                                        strlen(note), &err),
	                 0);
	mf_witness_origin_hash(hex, ORIGIN);
	snprintf(path, sizeof(path), "%s/log-%s.state", F.dir, hex);
	f = fopen(path, "rb");
	assert_non_null(f);
	text = malloc(4096);
	assert_non_null(text);
	len = fread(text, 1, 4096, f);
	fclose(f);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len / 2, f), len / 2);
	fclose(f);
	assert_int_equal(mf_witness_state_load(&st, F.dir, ORIGIN, &err),
	                 MF_E_INTERNAL);
	free(text);
	free(note);
	fixture_close();
	mf_error_dispose(&err);
}

/*
 * Review of issue 17: anyone may replay an old, genuine checkpoint, and
 * each replay with another (unchecked) proof was new evidence, so an
 * outsider could fill the store and a real fork would then not be
 * recorded. Leads stop short of the last MF_WITNESS_EVIDENCE_RESERVE
 * files, which only a proof by itself (same_size_different_root) uses.
 */
static json_t *
evidence(const char *kind, int n)
{
	char cosigned[64], presented[64];

	snprintf(cosigned, sizeof(cosigned), "cosigned %d\n", n);
	snprintf(presented, sizeof(presented), "presented %d\n", n);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:[]}", "origin",
	                 ORIGIN, "kind", kind, "recorded_at",
	                 "2026-01-01T00:00:00Z", "cosigned", cosigned,
	                 "presented", presented, "old_size", n, "proof");
}

static size_t
evidence_files(void)
{
	size_t n;
	char path[1024];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "%s/evidence", F.dir);
	d = opendir(path);
	assert_non_null(d);
	for (n = 0; (de = readdir(d)) != NULL;)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
test_evidence_reserved_for_proofs(void **state)
{
	struct mf_error err;
	json_t *ev;
	char path[1024];
	size_t i, fill = MF_WITNESS_EVIDENCE_KEEP - MF_WITNESS_EVIDENCE_RESERVE;
	FILE *f;

	(void)state;
	mf_error_init(&err);
	fixture_open();
	/* 1. A store filled with leads up to the reserve. */
	for (i = 0; i < fill; i++) {
		snprintf(path, sizeof(path),
		         "%s/evidence/%020zu-%016zx-%016zx.json", F.dir, i, i,
		         i);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs("{}", f);
		fclose(f);
	}
	assert_int_equal(evidence_files(), fill);
	/* 2. One more lead is refused... */
	ev = evidence("smaller_after_larger", 1);
	assert_int_equal(mf_witness_evidence_record(F.dir, ev, &err),
	                 MF_E_TOO_LARGE);
	json_decref(ev);
	mf_error_dispose(&err);
	mf_error_init(&err);
	ev = evidence("inconsistent", 2);
	assert_int_equal(mf_witness_evidence_record(F.dir, ev, &err),
	                 MF_E_TOO_LARGE);
	json_decref(ev);
	assert_int_equal(evidence_files(), fill);
	/* 3. ... a proof of a fork is still kept. */
	mf_error_dispose(&err);
	mf_error_init(&err);
	ev = evidence("same_size_different_root", 3);
	assert_int_equal(mf_witness_evidence_record(F.dir, ev, &err), 0);
	json_decref(ev);
	assert_int_equal(evidence_files(), fill + 1);
	fixture_close();
	mf_error_dispose(&err);
}

/*
 * A smaller checkpoint replayed with other old sizes and proof lines
 * (neither is checked when it is refused) is the same lead.
 */
static void
test_replayed_lead_kept_once(void **state)
{
	struct mf_error err;
	json_t *ev;
	int i;

	(void)state;
	mf_error_init(&err);
	fixture_open();
	for (i = 0; i < 5; i++) {
		ev = evidence("smaller_after_larger", 7);
		json_object_set_new(ev, "old_size", json_integer(i));
		json_array_append_new(json_object_get(ev, "proof"),
		                      json_string(i % 2 ? "AAAA" : "BBBB"));
		assert_int_equal(mf_witness_evidence_record(F.dir, ev, &err),
		                 0);
		json_decref(ev);
	}
	assert_int_equal(evidence_files(), 1);
	fixture_close();
	mf_error_dispose(&err);
}

/*
 * (Review of issue 17.) A SIGKILL between mkstemp and rename leaves a
 * temporary file behind (never answered, so safe to drop); a witness
 * killed often would collect them forever. The next start removes them.
 */
static void
test_leftover_temporaries_removed(void **state)
{
	struct mf_error err;
	struct mf_witness *w2 = NULL;
	const char *logs[1];
	char a[1024], b[1024], keep[1024];
	FILE *f;

	(void)state;
	mf_error_init(&err);
	fixture_open();
	snprintf(a, sizeof(a), "%s/.tmp-AbC123", F.dir);
	snprintf(b, sizeof(b), "%s/evidence/.tmp-XyZ789", F.dir);
	snprintf(keep, sizeof(keep), "%s/.tmpnot", F.dir);
	assert_non_null(f = fopen(a, "w"));
	fclose(f);
	assert_non_null(f = fopen(b, "w"));
	fclose(f);
	assert_non_null(f = fopen(keep, "w"));
	fclose(f);
	logs[0] = F.log_vkey;
	assert_int_equal(mf_witness_new(&w2, F.w_skey, F.dir, logs, 1, &err),
	                 0);
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(access(b, F_OK), -1);
	assert_int_equal(access(keep, F_OK), 0); /* not one of ours */
	mf_witness_free(w2);
	fixture_close();
	mf_error_dispose(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decisions),
	    cmocka_unit_test(test_mutated_bodies),
	    cmocka_unit_test(test_state_files),
	    cmocka_unit_test(test_evidence_reserved_for_proofs),
	    cmocka_unit_test(test_replayed_lead_kept_once),
	    cmocka_unit_test(test_leftover_temporaries_removed),
	};

	return cmocka_run_group_tests(tests, mf_test_scratch_setup,
	                              mf_test_scratch_teardown);
}
