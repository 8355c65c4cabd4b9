/*
 * Tests for log/note and log/checkpoint: the signed-note spec's own
 * example, sign/verify round trips, tampering and malformed notes, and
 * two independent verifiers run from the test: the openssl CLI (raw
 * Ed25519 over the text) and Go's golang.org/x/mod/sumdb/note
 * (tests/tools/noteverify, built here when `go` is installed).
 */
#include "common/encoding.h"
#include "common/error.h"
#include "merkle/checkpoint.h"
#include "merkle/merkle.h"
#include "merkle/note.h"
#include "tests/unit/support/scratch.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* The example of the signed-note spec (and of Go's note package docs). */
static const char spec_skey[] = "PRIVATE+KEY+PeterNeumann+c74f20a3+"
                                "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char spec_vkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char spec_text[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
static const char spec_note[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInN"
    "IuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

static void
verify_one(const char *note, size_t len, const char *vkey, int want,
           size_t *text_len)
{
	struct mf_note_verifier *v;
	struct mf_error err;
	size_t tl = 0;
	int rc;

	mf_error_init(&err);
	assert_int_equal(mf_note_verifier_new(&v, vkey, &err), 0);
	rc = mf_note_verify(note, len, (const struct mf_note_verifier **)&v, 1,
	                    &tl, &err);
	if (rc != want)
		fail_msg("mf_note_verify: want %d, got %d (%s)", want, rc,
		         err.message);
	if (text_len != NULL)
		*text_len = tl;
	mf_note_verifier_free(v);
	mf_error_dispose(&err);
}

static void
test_spec_example(void **state)
{
	struct mf_note_signer *s;
	struct mf_error err;
	char *vkey, *note;
	size_t len, tl;

	(void)state;
	mf_error_init(&err);
	assert_int_equal(mf_note_signer_new(&s, spec_skey, &err), 0);
	assert_string_equal(mf_note_signer_name(s), "PeterNeumann");
	assert_int_equal(mf_note_signer_verifier_key(s, &vkey), 0);
	assert_string_equal(vkey, spec_vkey);
	/* Ed25519 is deterministic: the same key and text give the same
	 * signature as the spec's example. */
	assert_int_equal(
	    mf_note_sign(&note, &len, spec_text, strlen(spec_text), s, &err),
	    0);
	assert_int_equal(len, strlen(spec_note));
	assert_string_equal(note, spec_note);
	verify_one(spec_note, strlen(spec_note), spec_vkey, 0, &tl);
	assert_int_equal(tl, strlen(spec_text));
	free(note);
	free(vkey);
	mf_note_signer_free(s);
}

/* A key rotation's overlap: two key lines, two signature lines in order;
 * each key alone verifies the note, and the pair is one signer. */
static void
test_cosigner(void **state)
{
	struct mf_note_signer *s;
	struct mf_error err;
	char *sk2, *vk2, *both, *note, *vkey;
	size_t len, tl;

	(void)state;
	mf_error_init(&err);
	assert_int_equal(mf_note_generate_key(&sk2, &vk2, "next.example", &err),
	                 0);
	assert_non_null(both = malloc(strlen(spec_skey) + strlen(sk2) + 3));
	sprintf(both, "%s\n%s\n", spec_skey, sk2);
	assert_int_equal(mf_note_signer_new(&s, both, &err), 0);
	assert_non_null(mf_note_signer_next(s));
	assert_null(mf_note_signer_next(mf_note_signer_next(s)));
	assert_int_equal(mf_note_signer_verifier_key(s, &vkey), 0);
	assert_string_equal(vkey, spec_vkey);
	assert_int_equal(
	    mf_note_sign(&note, &len, spec_text, strlen(spec_text), s, &err),
	    0);
	/* the first line is the spec's own signature, then the new key's */
	assert_memory_equal(note, spec_note, strlen(spec_note));
	assert_true(strstr(note + strlen(spec_note),
	                   "\xe2\x80\x94 "
	                   "next.example ") == note + strlen(spec_note));
	verify_one(note, len, spec_vkey, 0, &tl);
	verify_one(note, len, vk2, 0, &tl);
	assert_int_equal(tl, strlen(spec_text));
	free(note);
	mf_note_signer_free(s);
	/* the same key twice is refused */
	sprintf(both, "%s\n%s", sk2, sk2);
	assert_int_equal(mf_note_signer_new(&s, both, &err), MF_E_BAD_KEY);
	free(both);
	free(vkey);
	free(sk2);
	free(vk2);
	mf_error_dispose(&err);
}

static void
test_roundtrip_and_tampering(void **state)
{
	char *skey, *vkey, *vkey2, *skey2, *note, *t;
	struct mf_note_signer *s;
	struct mf_error err;
	size_t len, tl, i;
	const char *text = "modelfacts.test/log\n42\n"
	                   "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";

	(void)state;
	mf_error_init(&err);
	assert_int_equal(
	    mf_note_generate_key(&skey, &vkey, "modelfacts.test/log", &err), 0);
	assert_int_equal(strncmp(skey, "PRIVATE+KEY+modelfacts.test/log+", 32),
	                 0);
	assert_int_equal(mf_note_signer_new(&s, skey, &err), 0);
	assert_int_equal(mf_note_sign(&note, &len, text, strlen(text), s, &err),
	                 0);
	verify_one(note, len, vkey, 0, &tl);
	assert_int_equal(tl, strlen(text));
	assert_memory_equal(note, text, tl);

	/* Any changed byte in the text or the signature breaks it. */
	t = malloc(len + 1);
	assert_non_null(t);
	for (i = 0; i < len; i += 3) {
		memcpy(t, note, len + 1);
		if (t[i] == '\n' || (unsigned char)t[i] >= 0x80)
			continue;
		t[i] = t[i] == 'A' ? 'B' : 'A';
		{
			struct mf_note_verifier *v;
			int rc;

			assert_int_equal(mf_note_verifier_new(&v, vkey, &err),
			                 0);
			rc = mf_note_verify(
			    t, len, (const struct mf_note_verifier **)&v, 1,
			    &tl, &err);
			assert_int_not_equal(rc, 0);
			mf_error_dispose(&err);
			mf_note_verifier_free(v);
		}
	}
	free(t);

	/* Only an unknown key signed: MF_E_UNKNOWN_KEY. */
	assert_int_equal(mf_note_generate_key(&skey2, &vkey2, "other", &err),
	                 0);
	verify_one(note, len, vkey2, MF_E_UNKNOWN_KEY, NULL);
	/* Same name, different key: also unknown (hash differs). */
	free(skey2);
	free(vkey2);
	assert_int_equal(
	    mf_note_generate_key(&skey2, &vkey2, "modelfacts.test/log", &err),
	    0);
	verify_one(note, len, vkey2, MF_E_UNKNOWN_KEY, NULL);
	free(skey2);
	free(vkey2);
	free(note);
	free(skey);
	free(vkey);
	mf_note_signer_free(s);
}

static void
test_malformed(void **state)
{
	char buf[70000];
	size_t i, n;
	const char *sig =
	    "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVB"
	    "tiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb"
	    "6KE6RyyBwJnAM=\n";
	const char *other = "\xe2\x80\x94 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDck"
	                    "UKAKtWQ9uLN/48uP4AAAAA\n";

	(void)state;
	/* An extra signature by an unknown key is ignored. */
	n = (size_t)snprintf(buf, sizeof(buf), "%s\n%s%s", spec_text, sig,
	                     other);
	verify_one(buf, n, spec_vkey, 0, NULL);
	/* The same known key twice is rejected. */
	n = (size_t)snprintf(buf, sizeof(buf), "%s\n%s%s", spec_text, sig, sig);
	verify_one(buf, n, spec_vkey, MF_E_BAD_NOTE, NULL);
	/* No blank line, no final newline, no signatures. */
	n = (size_t)snprintf(buf, sizeof(buf), "%s%s", spec_text, sig);
	verify_one(buf, n, spec_vkey, MF_E_BAD_NOTE, NULL);
	n = (size_t)snprintf(buf, sizeof(buf), "%s\n%s", spec_text, sig);
	verify_one(buf, n - 1, spec_vkey, MF_E_BAD_NOTE, NULL);
	n = (size_t)snprintf(buf, sizeof(buf), "%s\n", spec_text);
	verify_one(buf, n, spec_vkey, MF_E_BAD_NOTE, NULL);
	/* A hyphen instead of the em dash. */
	n = (size_t)snprintf(buf, sizeof(buf), "%s\n- PeterNeumann x08go/ZJ\n",
	                     spec_text);
	verify_one(buf, n, spec_vkey, MF_E_BAD_NOTE, NULL);
	/* Control characters and invalid UTF-8 in the text. */
	n = (size_t)snprintf(buf, sizeof(buf), "a\tb\n\n%s", sig);
	verify_one(buf, n, spec_vkey, MF_E_BAD_NOTE, NULL);
	n = (size_t)snprintf(buf, sizeof(buf), "a\xc0\xafz\n\n%s", sig);
	verify_one(buf, n, spec_vkey, MF_E_BAD_NOTE, NULL);
	/* More than 100 signature lines. */
	n = (size_t)snprintf(buf, sizeof(buf), "%s\n", spec_text);
	for (i = 0; i < 101; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", other);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", sig);
	verify_one(buf, n, spec_vkey, MF_E_BAD_NOTE, NULL);
	/* Larger than the bound. */
	memset(buf, 'a', sizeof(buf));
	verify_one(buf, sizeof(buf), spec_vkey, MF_E_BAD_NOTE, NULL);
}

static void
test_key_strings(void **state)
{
	struct mf_note_verifier *v;
	struct mf_note_signer *s;
	struct mf_error err;
	char *skey, *vkey;

	(void)state;
	mf_error_init(&err);
	assert_int_equal(mf_note_verifier_new(&v, spec_vkey, &err), 0);
	assert_string_equal(mf_note_verifier_name(v), "PeterNeumann");
	assert_int_equal(mf_note_verifier_hash(v), 0xc74f20a3u);
	mf_note_verifier_free(v);
	/* Wrong hash, wrong algorithm byte, bad base64, bad names. */
	assert_int_equal(mf_note_verifier_new(&v,
	                                      "PeterNeumann+c74f20a4+ARpc2QcU"
	                                      "PDhMQegwxbzhKqiBfsVkmqq/LDE4iz"
	                                      "Wy10TW",
	                                      &err),
	                 MF_E_BAD_KEY);
	mf_error_dispose(&err);
	assert_int_equal(mf_note_verifier_new(&v,
	                                      "PeterNeumann+c74f20a3+AhpcMhcU"
	                                      "PDhMQegwxbzhKqiBfsVkmqq/LDE4iz"
	                                      "Wy10TW",
	                                      &err),
	                 MF_E_BAD_KEY);
	mf_error_dispose(&err);
	assert_int_equal(mf_note_verifier_new(&v,
	                                      "PeterNeumann+c74f20a3+ARpc2QcU"
	                                      "PDhMQegwxbzhKqiBfsVkmqq_LDE4iz"
	                                      "Wy10TW",
	                                      &err),
	                 MF_E_BAD_KEY);
	mf_error_dispose(&err);
	assert_int_equal(
	    mf_note_verifier_new(&v, "Peter Neumann+c74f20a3+x", &err),
	    MF_E_BAD_KEY);
	mf_error_dispose(&err);
	assert_int_equal(mf_note_signer_new(&s, spec_vkey, &err), MF_E_BAD_KEY);
	mf_error_dispose(&err);
	assert_int_equal(mf_note_generate_key(&skey, &vkey, "a+b", &err),
	                 MF_E_BAD_PARAM);
	mf_error_dispose(&err);
	assert_int_equal(mf_note_generate_key(&skey, &vkey, "", &err),
	                 MF_E_BAD_PARAM);
	mf_error_dispose(&err);
}

static void
test_checkpoint(void **state)
{
	struct mf_checkpoint cp;
	struct mf_note_signer *s;
	struct mf_note_verifier *v;
	struct mf_error err;
	uint8_t root[MF_MERKLE_HASH_LEN];
	char *body, *skey, *vkey, *note;
	static const char *const bad[] = {
	    "",
	    "origin\n",
	    "\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
	    "o\n05\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
	    "o\n-5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
	    "o\n18446744073709551616\n"
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
	    "o\n5\n47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=\n",
	    "o\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n",
	    "o\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	    "o\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n",
	    "o\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next",
	    "o\n5\nAAAA\n",
	};
	size_t i;

	(void)state;
	mf_error_init(&err);
	mf_merkle_empty_root(root);
	assert_int_equal(mf_checkpoint_format(&body, "example.com/log",
	                                      18446744073709551615ull, root,
	                                      "ext one\n"),
	                 0);
	assert_string_equal(body,
	                    "example.com/log\n18446744073709551615\n"
	                    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
	                    "ext one\n");
	assert_int_equal(mf_checkpoint_parse(&cp, body, strlen(body), &err), 0);
	assert_string_equal(cp.origin, "example.com/log");
	assert_true(cp.size == 18446744073709551615ull);
	assert_memory_equal(cp.root, root, MF_MERKLE_HASH_LEN);
	assert_string_equal(cp.extensions, "ext one\n");
	mf_checkpoint_dispose(&cp);
	free(body);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mf_error_init(&err);
		if (mf_checkpoint_parse(&cp, bad[i], strlen(bad[i]), &err) !=
		    MF_E_BAD_NOTE)
			fail_msg("accepted bad checkpoint %zu", i);
		mf_error_dispose(&err);
	}
	assert_int_equal(mf_checkpoint_format(&body, "a\nb", 1, root, NULL),
	                 MF_E_BAD_PARAM);
	assert_int_equal(mf_checkpoint_format(&body, "a", 1, root, "x"),
	                 MF_E_BAD_PARAM);

	/* Sign and open, with and without the expected origin. */
	assert_int_equal(
	    mf_note_generate_key(&skey, &vkey, "example.com/log", &err), 0);
	assert_int_equal(mf_note_signer_new(&s, skey, &err), 0);
	assert_int_equal(mf_note_verifier_new(&v, vkey, &err), 0);
	assert_int_equal(
	    mf_checkpoint_sign(&note, "example.com/log", 7, root, s, &err), 0);
	assert_int_equal(mf_checkpoint_open(&cp, note, strlen(note), v,
	                                    "example.com/log", &err),
	                 0);
	assert_true(cp.size == 7);
	assert_string_equal(cp.extensions, "");
	mf_checkpoint_dispose(&cp);
	assert_int_equal(mf_checkpoint_open(&cp, note, strlen(note), v,
	                                    "other.example/log", &err),
	                 MF_E_BAD_NOTE);
	mf_error_dispose(&err);
	note[strlen("example.com/log\n")] = '8'; /* the size: 7 -> 8 */
	assert_int_equal(
	    mf_checkpoint_open(&cp, note, strlen(note), v, NULL, &err),
	    MF_E_BAD_SIGNATURE);
	mf_error_dispose(&err);
	free(note);
	mf_note_verifier_free(v);
	mf_note_signer_free(s);
	free(skey);
	free(vkey);
}

/* Signs a fresh note and writes note, text, raw signature and key. */
static void
make_signed_files(char **vkey_out, size_t *text_len)
{
	struct mf_note_signer *s;
	struct mf_error err;
	char *skey, *note, *sigline;
	const char *material;
	uint8_t *raw, spki[44];
	size_t len, raw_len;
	char pem[256], b64[80];
	static const uint8_t spki_prefix[12] = {0x30, 0x2a, 0x30, 0x05,
	                                        0x06, 0x03, 0x2b, 0x65,
	                                        0x70, 0x03, 0x21, 0x00};
	const char *text = "modelfacts.test/log\n3\n"
	                   "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";

	mf_error_init(&err);
	assert_int_equal(
	    mf_note_generate_key(&skey, vkey_out, "modelfacts.test/log", &err),
	    0);
	assert_int_equal(mf_note_signer_new(&s, skey, &err), 0);
	assert_int_equal(mf_note_sign(&note, &len, text, strlen(text), s, &err),
	                 0);
	*text_len = strlen(text);
	mf_test_spit("note", note, len);
	mf_test_spit("text", text, strlen(text));
	/* The raw signature: base64 after the name, minus the 4-byte hash. */
	sigline = strrchr(note, ' ') + 1;
	assert_int_equal(
	    mf_base64_decode(&raw, &raw_len, sigline, strlen(sigline) - 1), 0);
	assert_int_equal(raw_len, 68);
	mf_test_spit("sig", raw + 4, 64);
	free(raw);
	/* The public key as PEM SPKI, from the verifier key string (names
	 * have no '+', but the base64 key may). */
	material = strchr(strchr(*vkey_out, '+') + 1, '+') + 1;
	assert_int_equal(
	    mf_base64_decode(&raw, &raw_len, material, strlen(material)), 0);
	assert_int_equal(raw_len, 33);
	memcpy(spki, spki_prefix, 12);
	memcpy(spki + 12, raw + 1, 32);
	free(raw);
	mf_base64_encode(b64, spki, sizeof(spki));
	snprintf(pem, sizeof(pem),
	         "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n",
	         b64);
	mf_test_spit("pub.pem", pem, strlen(pem));
	free(note);
	free(skey);
	mf_note_signer_free(s);
}

static void
test_openssl_cli_verifies(void **state)
{
	static const char verify[] =
	    "openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in text "
	    "-sigfile sig";
	static const char changed[] =
	    "modelfacts.test/log\n4\n"
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
	char *vkey;
	size_t text_len;

	(void)state;
	mf_test_require("openssl", NULL);
	make_signed_files(&vkey, &text_len);
	assert_int_equal(mf_test_sh("%s", verify), 0);
	/* A changed tree size must not verify. */
	mf_test_spit("text", changed, text_len);
	assert_int_not_equal(mf_test_sh("%s", verify), 0);
	free(vkey);
}

static void
test_go_sumdb_note_verifies(void **state)
{
	char root[512], *vkey, *note;
	size_t text_len, n;

	(void)state;
	mf_test_require("go", NULL);
	if (access("/usr/share/gocode/src/golang.org/x/mod/sumdb/note", F_OK) !=
	    0) {
		printf("  golang-golang-x-mod-dev not installed; skipping\n");
		skip();
	}
	assert_non_null(getcwd(root, sizeof(root)));
	/* Offline build against Debian's packaged x/mod (GOPATH mode), into
	 * this run's own scratch directory so parallel runs do not collide. */
	assert_int_equal(
	    mf_test_sh(
	        "cd '%s' && GOPATH=/usr/share/gocode GO111MODULE=off "
	        "GOFLAGS= GOCACHE=\"$PWD/build/tmp/gocache\" go build -o "
	        "'%s/%s/noteverify' ./tests/tools/noteverify",
	        root, root, mf_test_scratch()),
	    0);
	make_signed_files(&vkey, &text_len);
	assert_int_equal(mf_test_sh("./noteverify '%s' note", vkey), 0);
	/* The spec example through the same tool. */
	mf_test_spit("spec", spec_note, strlen(spec_note));
	assert_int_equal(mf_test_sh("./noteverify '%s' spec", spec_vkey), 0);
	/* Tampered: Go must reject it too (exit 1). */
	note = mf_test_slurp("note", &n);
	note[0] = note[0] == 'm' ? 'M' : 'm';
	mf_test_spit("note", note, n);
	free(note);
	assert_int_equal(mf_test_sh("./noteverify '%s' note", vkey), 1);
	free(vkey);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_example),
	    cmocka_unit_test(test_cosigner),
	    cmocka_unit_test(test_roundtrip_and_tampering),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_key_strings),
	    cmocka_unit_test(test_checkpoint),
	    cmocka_unit_test(test_openssl_cli_verifies),
	    cmocka_unit_test(test_go_sumdb_note_verifies),
	};

	return cmocka_run_group_tests(tests, mf_test_scratch_setup,
	                              mf_test_scratch_teardown);
}
