/*
 * Tests for envelope/dsse, envelope/verify and envelope/sshsig: strict
 * envelope parsing with JSON pointers, PAE, encoding, and signatures in
 * both directions with the real openssl and ssh-keygen CLIs (keys and
 * signatures made at test time under build/tmp/), including tampering.
 */
#include "common/encoding.h"
#include "common/error.h"
#include "envelope/dsse.h"
#include "envelope/keys.h"
#include "envelope/sshsig.h"
#include "envelope/verify.h"
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

static struct mf_key *
pub_from_file(const char *name)
{
	struct mf_key *k;
	struct mf_error err;
	size_t len;
	char *text = mf_test_slurp(name, &len);

	mf_error_init(&err);
	if (mf_key_parse_public(&k, text, len, &err) != 0)
		fail_msg("%s: %s", name, err.message);
	free(text);
	return k;
}

static struct mf_key *
priv_from_file(const char *name)
{
	struct mf_key *k;
	struct mf_error err;
	size_t len;
	char *text = mf_test_slurp(name, &len);

	mf_error_init(&err);
	if (mf_key_parse_private(&k, text, len, NULL, &err) != 0)
		fail_msg("%s: %s", name, err.message);
	free(text);
	return k;
}

/* ---- parsing, PAE, encoding ------------------------------------------ */

static void
test_pae(void **state)
{
	uint8_t *pae;
	size_t n;
	static const char want[] =
	    "DSSEv1 29 http://example.com/HelloWorld 11 hello world";

	(void)state;
	/* The example from the DSSE protocol description. */
	assert_int_equal(mf_dsse_pae(&pae, &n, "http://example.com/HelloWorld",
	                             29, (const uint8_t *)"hello world", 11),
	                 0);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(pae, want, n);
	free(pae);
	assert_int_equal(mf_dsse_pae(&pae, &n, "", 0, (const uint8_t *)"", 0),
	                 0);
	assert_int_equal(n, strlen("DSSEv1 0  0 "));
	assert_memory_equal(pae, "DSSEv1 0  0 ", n);
	free(pae);
}

static void
expect_parse_error(const char *text, int code, const char *pointer)
{
	struct mf_dsse *env;
	struct mf_error err;
	int rc;

	mf_error_init(&err);
	rc = mf_dsse_parse(&env, text, strlen(text), 0, &err);
	if (rc != code || strcmp(err.pointer, pointer) != 0)
		fail_msg("%s: want %d at \"%s\", got %d at \"%s\" (%s)", text,
		         code, pointer, rc, err.pointer, err.message);
	assert_null(env);
	assert_int_equal(err.code, code);
	mf_error_dispose(&err);
}

#define SIG0 "{\"keyid\":\"k\",\"sig\":\"AAAA\"}"

static void
test_parse_strict(void **state)
{
	struct mf_dsse *env;
	struct mf_error err;
	const char *ok = "{\"payloadType\":\"t\",\"payload\":\"-_8\","
	                 "\"signatures\":[" SIG0 ",{\"keyid\":\"k2\","
	                 "\"sig\":\"+/8=\"}]}";
	char many[2048];
	int i, n;

	(void)state;
	mf_error_init(&err);
	assert_int_equal(mf_dsse_parse(&env, ok, strlen(ok), 0, &err), 0);
	assert_string_equal(env->payload_type, "t");
	/* Both alphabets: URL-safe unpadded and standard padded. */
	assert_int_equal(env->payload_len, 2);
	assert_int_equal(env->payload[0], 0xfb);
	assert_int_equal(env->payload[1], 0xff);
	assert_int_equal(env->n_sigs, 2);
	assert_string_equal(env->sigs[1].keyid, "k2");
	assert_int_equal(env->sigs[1].sig_len, 2);
	mf_dsse_free(env);

	expect_parse_error("[]", MF_E_ENVELOPE, "");
	expect_parse_error("{", MF_E_BAD_JSON, "");
	expect_parse_error("{\"payloadType\":\"t\",\"payloadType\":\"u\"}",
	                   MF_E_DUPLICATE_KEY, "");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\","
	                   "\"signatures\":[" SIG0 "],\"extra\":1}",
	                   MF_E_ENVELOPE, "/extra");
	expect_parse_error("{\"payload\":\"\",\"signatures\":[" SIG0 "]}",
	                   MF_E_ENVELOPE, "/payloadType");
	expect_parse_error("{\"payloadType\":7,\"payload\":\"\","
	                   "\"signatures\":[" SIG0 "]}",
	                   MF_E_ENVELOPE, "/payloadType");
	expect_parse_error("{\"payloadType\":\"t\",\"signatures\":[" SIG0 "]}",
	                   MF_E_ENVELOPE, "/payload");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"a b\","
	                   "\"signatures\":[" SIG0 "]}",
	                   MF_E_BAD_BASE64, "/payload");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"Zh==\","
	                   "\"signatures\":[" SIG0 "]}",
	                   MF_E_BAD_BASE64, "/payload");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\","
	                   "\"signatures\":[]}",
	                   MF_E_ENVELOPE, "/signatures");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\","
	                   "\"signatures\":{}}",
	                   MF_E_ENVELOPE, "/signatures");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\","
	                   "\"signatures\":[{\"keyid\":\"k\",\"sig\":\"A\"}]}",
	                   MF_E_BAD_BASE64, "/signatures/0/sig");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\","
	                   "\"signatures\":[" SIG0 ",{\"sig\":\"AAAA\"}]}",
	                   MF_E_ENVELOPE, "/signatures/1/keyid");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\","
	                   "\"signatures\":[{\"keyid\":\"k\",\"sig\":\"\"}]}",
	                   MF_E_ENVELOPE, "/signatures/0/sig");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\","
	                   "\"signatures\":[{\"keyid\":\"k\",\"sig\":\"AAAA\","
	                   "\"x~/\":1}]}",
	                   MF_E_ENVELOPE, "/signatures/0/x~0~1");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\","
	                   "\"signatures\":[\"AAAA\"]}",
	                   MF_E_ENVELOPE, "/signatures/0");
	n = snprintf(many, sizeof(many),
	             "{\"payloadType\":\"t\",\"payload\":\"\","
	             "\"signatures\":[");
	for (i = 0; i < MF_DSSE_MAX_SIGNATURES + 1; i++)
		n += snprintf(many + n, sizeof(many) - (size_t)n, "%s" SIG0,
		              i ? "," : "");
	snprintf(many + n, sizeof(many) - (size_t)n, "]}");
	expect_parse_error(many, MF_E_ENVELOPE, "/signatures");
	/* The size bound is checked before any parsing. */
	assert_int_equal(mf_dsse_parse(&env, ok, strlen(ok), 10, &err),
	                 MF_E_TOO_LARGE);
	mf_error_dispose(&err);
}

static void
test_encode_roundtrip(void **state)
{
	struct mf_dsse_sig s = {"abc", (uint8_t *)"\xfb\xff", 2};
	struct mf_dsse *env;
	struct mf_error err;
	char *text;
	/* Signed bytes are kept exactly, whitespace and escapes included. */
	static const uint8_t payload[] = "{ \"a\" : \"\\u00e9\" }\n\x00\xff";

	(void)state;
	assert_int_equal(mf_dsse_encode(&text, "application/x", payload,
	                                sizeof(payload) - 1, &s, 1),
	                 0);
	assert_string_equal(text,
	                    "{\"payloadType\":\"application/x\","
	                    "\"payload\":\"eyAiYSIgOiAiXHUwMGU5IiB9CgD/\","
	                    "\"signatures\":[{\"keyid\":\"abc\","
	                    "\"sig\":\"+/8=\"}]}");
	mf_error_init(&err);
	assert_int_equal(mf_dsse_parse(&env, text, strlen(text), 0, &err), 0);
	assert_int_equal(env->payload_len, sizeof(payload) - 1);
	assert_memory_equal(env->payload, payload, sizeof(payload) - 1);
	mf_dsse_free(env);
	free(text);
}

/* ---- our own signatures, all algorithms -------------------------------- */

static void
test_sign_verify_all_algs(void **state)
{
	static const enum mf_key_alg algs[] = {
	    MF_KEY_ED25519, MF_KEY_ECDSA_P256, MF_KEY_RSA_PSS,
	    MF_KEY_SSH_ED25519};
	static const char type[] = "application/vnd.modelfacts.disclosure.v1"
	                           "+json";
	static const char payload[] = "{\"registry\":\"r\",\"seq\":1}";
	struct mf_key *k, *other, *pub;
	struct mf_dsse *env;
	struct mf_error err;
	char *text, *pem;
	size_t i, which, j;

	(void)state;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		mf_error_init(&err);
		assert_int_equal(mf_key_generate(&k, algs[i], &err), 0);
		assert_int_equal(mf_key_generate(&other, algs[i], &err), 0);
		assert_int_equal(mf_dsse_sign(&text, k, type,
		                              (const uint8_t *)payload,
		                              strlen(payload), NULL, &err),
		                 0);
		assert_int_equal(
		    mf_dsse_parse(&env, text, strlen(text), 0, &err), 0);
		assert_string_equal(env->sigs[0].keyid, mf_key_id(k));
		/* Verification uses only the public key. */
		assert_int_equal(mf_key_public_pem(k, &pem), 0);
		assert_int_equal(
		    mf_key_parse_public(&pub, pem, strlen(pem), &err), 0);
		if (algs[i] == MF_KEY_SSH_ED25519)
			assert_int_equal(mf_key_set_alg(pub, algs[i]), 0);
		assert_int_equal(mf_dsse_verify(env, pub, NULL, &which, &err),
		                 0);
		assert_int_equal(which, 0);
		/* Another key of the same kind does not verify. */
		assert_int_equal(mf_dsse_verify(env, other, NULL, NULL, &err),
		                 MF_E_BAD_SIGNATURE);
		mf_error_dispose(&err);
		/* The keyid is only a hint. */
		env->sigs[0].keyid[0] ^= 1;
		assert_int_equal(mf_dsse_verify(env, pub, NULL, NULL, &err), 0);
		/* Changed payload, type or signature: rejected. */
		env->payload[3] ^= 1;
		assert_int_equal(mf_dsse_verify(env, pub, NULL, NULL, &err),
		                 MF_E_BAD_SIGNATURE);
		mf_error_dispose(&err);
		env->payload[3] ^= 1;
		env->payload_type[0] ^= 1;
		assert_int_equal(mf_dsse_verify(env, pub, NULL, NULL, &err),
		                 MF_E_BAD_SIGNATURE);
		mf_error_dispose(&err);
		env->payload_type[0] ^= 1;
		for (j = 0; j < env->sigs[0].sig_len; j += 7) {
			env->sigs[0].sig[j] ^= 0x40;
			assert_int_equal(
			    mf_dsse_verify(env, pub, NULL, NULL, &err),
			    MF_E_BAD_SIGNATURE);
			mf_error_dispose(&err);
			env->sigs[0].sig[j] ^= 0x40;
		}
		assert_int_equal(mf_dsse_verify(env, pub, NULL, NULL, &err), 0);
		/* A signature in another key's format never verifies:
		 * the algorithm comes from the registered key. */
		if (algs[i] == MF_KEY_SSH_ED25519) {
			assert_int_equal(mf_key_set_alg(pub, MF_KEY_ED25519),
			                 0);
			assert_int_equal(
			    mf_dsse_verify(env, pub, NULL, NULL, &err),
			    MF_E_BAD_SIGNATURE);
			mf_error_dispose(&err);
		}
		mf_dsse_free(env);
		mf_key_free(pub);
		mf_key_free(other);
		mf_key_free(k);
		free(pem);
		free(text);
	}
}

/* ---- the openssl CLI, both directions --------------------------------- */

/* Writes PAE(type, payload) to mf_test_scratch()/pae; returns it (free() it).
 */
static uint8_t *
write_pae(const char *type, const char *payload, size_t *len)
{
	uint8_t *pae;

	assert_int_equal(mf_dsse_pae(&pae, len, type, strlen(type),
	                             (const uint8_t *)payload, strlen(payload)),
	                 0);
	mf_test_spit("pae", pae, *len);
	return pae;
}

/* Makes an envelope around mf_test_scratch()/sig and checks it against pub. */
static int
verify_cli_sig(const char *type, const char *payload, struct mf_key *pub)
{
	struct mf_dsse_sig s;
	struct mf_dsse *env;
	struct mf_error err;
	char *text;
	size_t len;
	int rc;

	s.keyid = (char *)mf_key_id(pub);
	s.sig = (uint8_t *)mf_test_slurp("sig", &len);
	s.sig_len = len;
	assert_int_equal(mf_dsse_encode(&text, type, (const uint8_t *)payload,
	                                strlen(payload), &s, 1),
	                 0);
	mf_error_init(&err);
	assert_int_equal(mf_dsse_parse(&env, text, strlen(text), 0, &err), 0);
	rc = mf_dsse_verify(env, pub, NULL, NULL, &err);
	mf_error_dispose(&err);
	mf_dsse_free(env);
	free(text);
	free(s.sig);
	return rc;
}

static void
test_openssl_signs_we_verify(void **state)
{
	static const char type[] = "application/vnd.modelfacts.eval-result.v1"
	                           "+json";
	static const char payload[] = "{\"metric\":\"accuracy\",\"value\":0.5}";
	struct mf_key *pub;
	uint8_t *pae;
	size_t len;

	(void)state;
	mf_test_require("openssl", "ssh-keygen", NULL);
	pae = write_pae(type, payload, &len);
	free(pae);
	/* Ed25519 (pure: the PAE itself is signed). */
	assert_int_equal(
	    mf_test_sh("openssl genpkey -algorithm ed25519 -out ed.pem "
	               "&& openssl pkey -in ed.pem -pubout -out ed.pub && "
	               "openssl pkeyutl -sign -rawin -inkey ed.pem -in pae "
	               "-out sig"),
	    0);
	pub = pub_from_file("ed.pub");
	assert_int_equal(verify_cli_sig(type, payload, pub), 0);
	assert_int_equal(verify_cli_sig(type, "{}", pub), MF_E_BAD_SIGNATURE);
	mf_key_free(pub);
	/* ECDSA P-256, SHA-256, DER. */
	assert_int_equal(
	    mf_test_sh("openssl genpkey -algorithm EC -pkeyopt "
	               "ec_paramgen_curve:P-256 -out ec.pem && openssl "
	               "pkey -in ec.pem -pubout -out ec.pub && openssl "
	               "dgst -sha256 -sign ec.pem -out sig pae"),
	    0);
	pub = pub_from_file("ec.pub");
	assert_int_equal(verify_cli_sig(type, payload, pub), 0);
	assert_int_equal(verify_cli_sig(type, "{}", pub), MF_E_BAD_SIGNATURE);
	mf_key_free(pub);
	/* RSA-PSS, SHA-256, MGF1-SHA-256, salt 32; salt 20 is refused. */
	assert_int_equal(
	    mf_test_sh("openssl genpkey -algorithm RSA -pkeyopt "
	               "rsa_keygen_bits:2048 -out rsa.pem && openssl pkey "
	               "-in rsa.pem -pubout -out rsa.pub && openssl dgst "
	               "-sha256 -sign rsa.pem -sigopt "
	               "rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 "
	               "-sigopt rsa_mgf1_md:sha256 -out sig pae"),
	    0);
	pub = pub_from_file("rsa.pub");
	assert_int_equal(verify_cli_sig(type, payload, pub), 0);
	assert_int_equal(verify_cli_sig(type, "{}", pub), MF_E_BAD_SIGNATURE);
	assert_int_equal(
	    mf_test_sh("openssl dgst -sha256 -sign rsa.pem -sigopt "
	               "rsa_padding_mode:pss -sigopt rsa_pss_saltlen:20 "
	               "-sigopt rsa_mgf1_md:sha256 -out sig pae"),
	    0);
	assert_int_equal(verify_cli_sig(type, payload, pub),
	                 MF_E_BAD_SIGNATURE);
	/* PKCS#1 v1.5 with the same key is not RSA-PSS. */
	assert_int_equal(
	    mf_test_sh("openssl dgst -sha256 -sign rsa.pem -out sig pae"), 0);
	assert_int_equal(verify_cli_sig(type, payload, pub),
	                 MF_E_BAD_SIGNATURE);
	mf_key_free(pub);
}

static void
test_we_sign_openssl_verifies(void **state)
{
	static const char *const gens[] = {
	    "openssl genpkey -algorithm ed25519 -out k.pem",
	    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
	    "-out k.pem",
	    "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
	    "-out k.pem",
	    /* An id-RSASSA-PSS key (PSS-only SPKI) works the same way. */
	    "openssl genpkey -algorithm RSA-PSS -pkeyopt "
	    "rsa_keygen_bits:2048 -out k.pem",
	};
	static const char *const verifies[] = {
	    "openssl pkeyutl -verify -pubin -inkey k.pub -rawin -in pae "
	    "-sigfile sig",
	    "openssl dgst -sha256 -verify k.pub -signature sig pae",
	    "openssl dgst -sha256 -verify k.pub -signature sig -sigopt "
	    "rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt "
	    "rsa_mgf1_md:sha256 pae",
	    "openssl dgst -sha256 -verify k.pub -signature sig -sigopt "
	    "rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256 pae",
	};
	struct mf_key *k;
	struct mf_error err;
	uint8_t *pae, *sig;
	size_t pae_len, sig_len, i;

	(void)state;
	mf_test_require("openssl", "ssh-keygen", NULL);
	pae = write_pae("application/x", "payload bytes", &pae_len);
	for (i = 0; i < 4; i++) {
		assert_int_equal(
		    mf_test_sh("rm -f k.pem && %s && openssl pkey -in "
		               "k.pem -pubout -out k.pub",
		               gens[i]),
		    0);
		k = priv_from_file("k.pem");
		mf_error_init(&err);
		assert_int_equal(mf_sign_message(&sig, &sig_len, k, pae,
		                                 pae_len, NULL, &err),
		                 0);
		mf_test_spit("sig", sig, sig_len);
		assert_int_equal(mf_test_sh("%s", verifies[i]), 0);
		sig[sig_len / 2] ^= 1;
		mf_test_spit("sig", sig, sig_len);
		assert_int_not_equal(mf_test_sh("%s", verifies[i]), 0);
		free(sig);
		mf_key_free(k);
	}
	free(pae);
}

/* ---- SSHSIG with ssh-keygen, both directions -------------------------- */

static void
test_ssh_keygen_signs_we_verify(void **state)
{
	static const char type[] = "application/vnd.modelfacts.disclosure.v1"
	                           "+json";
	static const char payload[] = "{\"subject\":{\"org\":\"acme\"}}";
	struct mf_key *pub, *other;
	struct mf_error err;
	uint8_t *pae, *blob;
	size_t pae_len, blob_len, len;
	char *armored, *b64, *p, *q;

	(void)state;
	mf_test_require("openssl", "ssh-keygen", NULL);
	pae = write_pae(type, payload, &pae_len);
	assert_int_equal(
	    mf_test_sh("ssh-keygen -q -t ed25519 -N '' -C me -f id && "
	               "ssh-keygen -q -t ed25519 -N '' -C other -f id2 && "
	               "ssh-keygen -Y sign -f id -n modelfacts pae && "
	               "cp pae pae2 && ssh-keygen -Y sign -f id -n git "
	               "pae2 && cp pae pae3 && ssh-keygen -Y sign -f id2 "
	               "-n modelfacts pae3"),
	    0);
	pub = pub_from_file("id.pub");
	other = pub_from_file("id2.pub");
	armored = mf_test_slurp("pae.sig", &len);
	mf_error_init(&err);
	assert_int_equal(
	    mf_sshsig_dearmor(&blob, &blob_len, armored, len, &err), 0);
	assert_int_equal(
	    mf_verify_message(pub, pae, pae_len, blob, blob_len, NULL, &err),
	    0);
	assert_int_equal(
	    mf_verify_message(other, pae, pae_len, blob, blob_len, NULL, &err),
	    MF_E_BAD_SIGNATURE);
	assert_non_null(strstr(err.message, "different key"));
	mf_error_dispose(&err);
	pae[0] ^= 1;
	assert_int_equal(
	    mf_verify_message(pub, pae, pae_len, blob, blob_len, NULL, &err),
	    MF_E_BAD_SIGNATURE);
	mf_error_dispose(&err);
	pae[0] ^= 1;
	free(blob);

	/* As a user would: the armor's lines joined become the "sig". */
	b64 = malloc(len + 1);
	assert_non_null(b64);
	p = strchr(armored, '\n') + 1;
	q = b64;
	for (; strncmp(p, "-----END", 8) != 0; p++)
		if (*p != '\n')
			*q++ = *p;
	*q = '\0';
	mf_test_spit("sig", "", 0);
	{
		struct mf_dsse *env;
		char text[4096];

		snprintf(text, sizeof(text),
		         "{\"payloadType\":\"%s\",\"payload\":\"%s\","
		         "\"signatures\":[{\"keyid\":\"%s\",\"sig\":\"%s\"}]}",
		         type,
		         "eyJzdWJqZWN0Ijp7Im9yZyI6ImFjbWUifX0=", mf_key_id(pub),
		         b64);
		assert_int_equal(
		    mf_dsse_parse(&env, text, strlen(text), 0, &err), 0);
		assert_int_equal(mf_dsse_verify(env, pub, NULL, NULL, &err), 0);
		mf_dsse_free(env);
	}
	free(b64);
	free(armored);

	/* Namespace "git" is not accepted for envelopes. */
	armored = mf_test_slurp("pae2.sig", &len);
	assert_int_equal(
	    mf_sshsig_dearmor(&blob, &blob_len, armored, len, &err), 0);
	assert_int_equal(
	    mf_verify_message(pub, pae, pae_len, blob, blob_len, NULL, &err),
	    MF_E_BAD_SIGNATURE);
	assert_non_null(strstr(err.message, "namespace"));
	mf_error_dispose(&err);
	assert_int_equal(
	    mf_sshsig_verify(pub, "git", pae, pae_len, blob, blob_len, &err),
	    0);
	free(blob);
	free(armored);
	/* Signed by another key: refused before any crypto. */
	armored = mf_test_slurp("pae3.sig", &len);
	assert_int_equal(
	    mf_sshsig_dearmor(&blob, &blob_len, armored, len, &err), 0);
	assert_int_equal(
	    mf_verify_message(pub, pae, pae_len, blob, blob_len, NULL, &err),
	    MF_E_BAD_SIGNATURE);
	mf_error_dispose(&err);
	free(blob);
	free(armored);
	/* Garbage blobs. */
	assert_int_equal(mf_verify_message(pub, pae, pae_len,
	                                   (const uint8_t *)"SSHSIG", 6, NULL,
	                                   &err),
	                 MF_E_BAD_SIGNATURE);
	mf_error_dispose(&err);
	assert_int_equal(mf_sshsig_dearmor(&blob, &blob_len, "hello", 5, &err),
	                 MF_E_BAD_SIGNATURE);
	mf_error_dispose(&err);
	mf_key_free(pub);
	mf_key_free(other);
	free(pae);
}

static void
test_we_sign_ssh_keygen_verifies(void **state)
{
	struct mf_key *k, *gen;
	struct mf_error err;
	uint8_t *blob;
	size_t blob_len, len;
	char *armored, *theirs, *line, allowed[512];
	static const char msg[] =
	    "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	    "\nauthor r <r@x> 0 +0000\n\ncommit\n";

	(void)state;
	mf_test_require("openssl", "ssh-keygen", NULL);
	mf_test_spit("msg", msg, strlen(msg));
	assert_int_equal(
	    mf_test_sh("ssh-keygen -q -t ed25519 -N '' -C reg -f reg && "
	               "ssh-keygen -Y sign -f reg -n git msg"),
	    0);
	k = priv_from_file("reg");
	mf_error_init(&err);
	assert_int_equal(mf_sshsig_sign(&blob, &blob_len, k, "git",
	                                (const uint8_t *)msg, strlen(msg),
	                                &err),
	                 0);
	assert_int_equal(mf_sshsig_armor(&armored, blob, blob_len), 0);
	/* Deterministic Ed25519 and the same fields: byte-identical to
	 * what ssh-keygen wrote, armor and 70-column lines included. */
	theirs = mf_test_slurp("msg.sig", &len);
	assert_string_equal(armored, theirs);
	free(theirs);
	mf_test_spit("ours.sig", armored, strlen(armored));
	assert_int_equal(mf_key_ssh_public(k, NULL, &line), 0);
	snprintf(allowed, sizeof(allowed),
	         "registry@example namespaces=\"git\" %s\n", line);
	mf_test_spit("allowed", allowed, strlen(allowed));
	assert_int_equal(
	    mf_test_sh("ssh-keygen -Y verify -f allowed -I "
	               "registry@example -n git -s ours.sig < msg"),
	    0);
	/* Wrong namespace or message: ssh-keygen refuses too. */
	assert_int_not_equal(
	    mf_test_sh("ssh-keygen -Y verify -f allowed -I "
	               "registry@example -n modelfacts -s ours.sig "
	               "< msg"),
	    0);
	assert_int_not_equal(
	    mf_test_sh("echo x | ssh-keygen -Y verify -f allowed "
	               "-I registry@example -n git -s ours.sig"),
	    0);
	free(line);
	free(armored);
	free(blob);
	mf_key_free(k);

	/* A key we generated (PEM) signs for ssh-keygen as well. */
	assert_int_equal(mf_key_generate(&gen, MF_KEY_SSH_ED25519, &err), 0);
	assert_int_equal(mf_sign_message(&blob, &blob_len, gen,
	                                 (const uint8_t *)msg, strlen(msg),
	                                 "git", &err),
	                 0);
	assert_int_equal(mf_sshsig_armor(&armored, blob, blob_len), 0);
	mf_test_spit("gen.sig", armored, strlen(armored));
	assert_int_equal(mf_key_ssh_public(gen, "c", &line), 0);
	snprintf(allowed, sizeof(allowed), "gen@example %s\n", line);
	mf_test_spit("allowed2", allowed, strlen(allowed));
	assert_int_equal(
	    mf_test_sh("ssh-keygen -Y verify -f allowed2 -I gen@example "
	               "-n git -s gen.sig < msg"),
	    0);
	free(line);
	free(armored);
	free(blob);
	mf_key_free(gen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pae),
	    cmocka_unit_test(test_parse_strict),
	    cmocka_unit_test(test_encode_roundtrip),
	    cmocka_unit_test(test_sign_verify_all_algs),
	    cmocka_unit_test(test_openssl_signs_we_verify),
	    cmocka_unit_test(test_we_sign_openssl_verifies),
	    cmocka_unit_test(test_ssh_keygen_signs_we_verify),
	    cmocka_unit_test(test_we_sign_ssh_keygen_verifies),
	};

	return cmocka_run_group_tests(tests, mf_test_scratch_setup,
	                              mf_test_scratch_teardown);
}
