/*
 * Tests for envelope/keys: keys made at test time by the real openssl and
 * ssh-keygen CLIs are parsed, their key ids match the openssl pipeline
 * `openssl pkey -pubin -outform DER | openssl dgst -sha256`, unsupported
 * keys are refused with precise messages, and private keys load and
 * generate in every supported format.
 */
#include "common/encoding.h"
#include "common/error.h"
#include "envelope/keys.h"
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
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

/* The key id the openssl CLI computes for a PEM public key file. */
static void
openssl_keyid(const char *pubfile, char out[65])
{
	char *s;

	assert_int_equal(mf_test_sh("openssl pkey -pubin -in %s -outform DER | "
	                            "openssl dgst -sha256 -r > %s.id",
	                            pubfile, pubfile),
	                 0);
	{
		char name[128];

		snprintf(name, sizeof(name), "%s.id", pubfile);
		s = mf_test_slurp(name, NULL);
	}
	memcpy(out, s, 64);
	out[64] = '\0';
	free(s);
}

static struct mf_key *
parse_pub_file(const char *name, int want_rc, const char *want_msg)
{
	struct mf_error err;
	struct mf_key *k = NULL;
	size_t len;
	char *text = mf_test_slurp(name, &len);
	int rc;

	mf_error_init(&err);
	rc = mf_key_parse_public(&k, text, len, &err);
	if (rc != want_rc)
		fail_msg("%s: want %d, got %d (%s)", name, want_rc, rc,
		         err.message);
	if (want_msg != NULL && strstr(err.message, want_msg) == NULL)
		fail_msg("%s: message \"%s\" lacks \"%s\"", name, err.message,
		         want_msg);
	free(text);
	mf_error_dispose(&err);
	return k;
}

static void
test_alg_names(void **state)
{
	enum mf_key_alg a;
	int i;

	(void)state;
	for (i = 0; i < MF_KEY__MAX; i++) {
		assert_int_equal(mf_key_alg_from_name(
		                     &a, mf_key_alg_name((enum mf_key_alg)i)),
		                 0);
		assert_int_equal(a, i);
	}
	assert_string_equal(mf_key_alg_name(MF_KEY_ECDSA_P256), "ecdsa-p256");
	assert_string_equal(mf_key_alg_name(MF_KEY_SSH_ED25519), "ssh-ed25519");
	assert_int_equal(mf_key_alg_from_name(&a, "ecdsa-p384"), MF_E_BAD_KEY);
}

static void
test_openssl_keys_and_keyids(void **state)
{
	static const struct {
		const char *gen;
		enum mf_key_alg alg;
		int bits;
	} cases[] = {
	    {"openssl genpkey -algorithm ed25519", MF_KEY_ED25519, 253},
	    {"openssl genpkey -algorithm EC -pkeyopt "
	     "ec_paramgen_curve:P-256",
	     MF_KEY_ECDSA_P256, 256},
	    {"openssl genpkey -algorithm RSA -pkeyopt "
	     "rsa_keygen_bits:2048",
	     MF_KEY_RSA_PSS, 2048},
	    {"openssl genpkey -algorithm RSA-PSS -pkeyopt "
	     "rsa_keygen_bits:2048",
	     MF_KEY_RSA_PSS, 2048},
	};
	struct mf_key *k;
	char id[65];
	size_t i;

	(void)state;
	mf_test_require("openssl", "ssh-keygen", NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(
		    mf_test_sh("%s -out k%zu.pem && openssl pkey -in "
		               "k%zu.pem -pubout -out p%zu.pem",
		               cases[i].gen, i, i, i),
		    0);
		{
			char name[32];

			snprintf(name, sizeof(name), "p%zu.pem", i);
			k = parse_pub_file(name, 0, NULL);
			openssl_keyid(name, id);
		}
		assert_int_equal(mf_key_alg(k), cases[i].alg);
		assert_string_equal(mf_key_id(k), id);
		if (cases[i].alg != MF_KEY_ED25519)
			assert_int_equal(mf_key_bits(k), cases[i].bits);
		assert_false(mf_key_has_private(k));
		mf_key_free(k);
	}
	/* A compressed P-256 point is the same key id as openssl's. */
	assert_int_equal(
	    mf_test_sh("openssl pkey -in k1.pem -pubout -ec_conv_form "
	               "compressed -out pc.pem"),
	    0);
	k = parse_pub_file("pc.pem", 0, NULL);
	openssl_keyid("pc.pem", id);
	assert_string_equal(mf_key_id(k), id);
	mf_key_free(k);
}

static void
test_rejected_keys(void **state)
{
	(void)state;
	mf_test_require("openssl", "ssh-keygen", NULL);
	assert_int_equal(
	    mf_test_sh("openssl genpkey -algorithm EC -pkeyopt "
	               "ec_paramgen_curve:P-384 | openssl pkey -pubout "
	               "-out p384.pem"),
	    0);
	parse_pub_file("p384.pem", MF_E_BAD_KEY, "secp384r1");
	assert_int_equal(
	    mf_test_sh("openssl ecparam -name prime256v1 -param_enc "
	               "explicit -genkey | openssl pkey -pubout -out "
	               "explicit.pem"),
	    0);
	parse_pub_file("explicit.pem", MF_E_BAD_KEY, "explicit");
	assert_int_equal(
	    mf_test_sh("openssl genpkey -algorithm RSA -pkeyopt "
	               "rsa_keygen_bits:1024 | openssl pkey -pubout "
	               "-out rsa1024.pem"),
	    0);
	parse_pub_file("rsa1024.pem", MF_E_BAD_KEY, "at least 2048");
	assert_int_equal(
	    mf_test_sh("openssl genpkey -algorithm ed448 | openssl pkey "
	               "-pubout -out ed448.pem"),
	    0);
	parse_pub_file("ed448.pem", MF_E_BAD_KEY, "unsupported key type");
	assert_int_equal(
	    mf_test_sh("openssl genpkey -algorithm x25519 | openssl "
	               "pkey -pubout -out x25519.pem"),
	    0);
	parse_pub_file("x25519.pem", MF_E_BAD_KEY, "unsupported key type");
	assert_int_equal(
	    mf_test_sh("openssl genpkey -genparam -algorithm DSA "
	               "-pkeyopt dsa_paramgen_bits:1024 -out dsap.pem && "
	               "openssl genpkey -paramfile dsap.pem | openssl "
	               "pkey -pubout -out dsa.pem"),
	    0);
	parse_pub_file("dsa.pem", MF_E_BAD_KEY, "DSA");
	/* A private key where a public key is expected. */
	assert_int_equal(mf_test_sh("openssl genpkey -algorithm ed25519 -out "
	                            "edpriv.pem"),
	                 0);
	parse_pub_file("edpriv.pem", MF_E_BAD_KEY, "PUBLIC KEY");
	/* Trailing text after the PEM block, and plain garbage. */
	assert_int_equal(
	    mf_test_sh("openssl pkey -in edpriv.pem -pubout -out e.pem "
	               "&& cp e.pem trailing.pem && echo junk >> "
	               "trailing.pem && echo hello > garbage.txt"),
	    0);
	parse_pub_file("trailing.pem", MF_E_BAD_KEY, "after the PEM");
	parse_pub_file("garbage.txt", MF_E_BAD_KEY, "not a PEM");
	/* Surrounding whitespace is fine. */
	assert_int_equal(
	    mf_test_sh("(echo; echo '  '; cat e.pem; echo) > ws.pem"), 0);
	mf_key_free(parse_pub_file("ws.pem", 0, NULL));
}

/* An RSA public key with a 8200-bit modulus (need not be a real key). */
static void
test_rsa_too_large(void **state)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	BIGNUM *n, *e;
	BIO *bio;
	char *pem;
	long len;
	struct mf_key *k;
	struct mf_error err;

	(void)state;
	n = BN_new();
	e = BN_new();
	assert_non_null(n);
	assert_non_null(e);
	assert_int_equal(BN_set_bit(n, 8199), 1);
	assert_int_equal(BN_set_bit(n, 0), 1);
	assert_int_equal(BN_set_word(e, 65537), 1);
	bld = OSSL_PARAM_BLD_new();
	assert_non_null(bld);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params), 1);
	bio = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PUBKEY(bio, pkey), 1);
	len = BIO_get_mem_data(bio, &pem);
	mf_error_init(&err);
	assert_int_equal(mf_key_parse_public(&k, pem, (size_t)len, &err),
	                 MF_E_BAD_KEY);
	assert_non_null(strstr(err.message, "at most 8192"));
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
}

static void
test_ssh_keys(void **state)
{
	struct mf_key *ssh, *pem, *priv;
	struct mf_error err;
	char *line, *text, *ours;
	size_t len;

	(void)state;
	mf_test_require("openssl", "ssh-keygen", NULL);
	/* ssh-keygen cannot export Ed25519 as PKCS#8, so the PEM is built
	 * with shell tools: the SPKI prefix and the blob's last 32 bytes. */
	assert_int_equal(
	    mf_test_sh(
	        "ssh-keygen -q -t ed25519 -N '' -C 'me@example' -f id && "
	        "awk '{print $2}' id.pub | base64 -d | tail -c 32 > raw && "
	        "printf '\\060\\052\\060\\005\\006\\003\\053"
	        "\\145\\160\\003\\041\\000' | cat - raw > id.der && "
	        "openssl pkey -pubin -inform DER -in id.der -out id.pem"),
	    0);
	ssh = parse_pub_file("id.pub", 0, NULL);
	pem = parse_pub_file("id.pem", 0, NULL);
	assert_int_equal(mf_key_alg(ssh), MF_KEY_SSH_ED25519);
	assert_int_equal(mf_key_alg(pem), MF_KEY_ED25519);
	/* One key, one id, whichever way it is written. */
	assert_string_equal(mf_key_id(ssh), mf_key_id(pem));
	{
		char id[65];

		openssl_keyid("id.pem", id);
		assert_string_equal(mf_key_id(ssh), id);
	}
	/* Our ssh line is ssh-keygen's without the comment. */
	line = mf_test_slurp("id.pub", NULL);
	assert_int_equal(mf_key_ssh_public(ssh, "me@example", &ours), 0);
	assert_int_equal(strncmp(line, ours, strlen(ours)), 0);
	free(ours);
	free(line);

	/* The OpenSSH private key loads as ssh-ed25519 with the same id. */
	text = mf_test_slurp("id", &len);
	mf_error_init(&err);
	assert_int_equal(mf_key_parse_private(&priv, text, len, NULL, &err), 0);
	assert_int_equal(mf_key_alg(priv), MF_KEY_SSH_ED25519);
	assert_true(mf_key_has_private(priv));
	assert_string_equal(mf_key_id(priv), mf_key_id(ssh));
	assert_int_equal(mf_key_set_alg(priv, MF_KEY_ED25519), 0);
	assert_int_equal(mf_key_set_alg(priv, MF_KEY_RSA_PSS), MF_E_BAD_KEY);
	mf_key_free(priv);
	free(text);

	/* Passphrase-protected OpenSSH keys are refused with advice. */
	assert_int_equal(
	    mf_test_sh("ssh-keygen -q -t ed25519 -N secret -f enc"), 0);
	text = mf_test_slurp("enc", &len);
	assert_int_equal(mf_key_parse_private(&priv, text, len, "secret", &err),
	                 MF_E_BAD_KEY);
	assert_non_null(strstr(err.message, "encrypted"));
	mf_error_dispose(&err);
	free(text);

	/* Other SSH key types and malformed lines. */
	assert_int_equal(
	    mf_test_sh("ssh-keygen -q -t ecdsa -b 256 -N '' -f idec"), 0);
	parse_pub_file("idec.pub", MF_E_BAD_KEY, "only ssh-ed25519");
	assert_int_equal(
	    mf_test_sh("printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAA\\n' > "
	               "short.pub && printf 'ssh-ed25519 !!!\\n' > bad64.pub"),
	    0);
	parse_pub_file("short.pub", MF_E_BAD_KEY, "malformed key blob");
	parse_pub_file("bad64.pub", MF_E_BAD_KEY, "invalid base64");
	mf_key_free(ssh);
	mf_key_free(pem);
}

static void
load_private_ok(const char *name, const char *pass, const char *want_id)
{
	struct mf_key *k;
	struct mf_error err;
	size_t len;
	char *text = mf_test_slurp(name, &len);

	mf_error_init(&err);
	if (mf_key_parse_private(&k, text, len, pass, &err) != 0)
		fail_msg("%s: %s", name, err.message);
	assert_true(mf_key_has_private(k));
	assert_string_equal(mf_key_id(k), want_id);
	mf_key_free(k);
	free(text);
}

static void
test_private_formats(void **state)
{
	struct mf_key *k;
	struct mf_error err;
	char id_ec[65], id_rsa[65], *text, path[512];
	size_t len;

	(void)state;
	mf_test_require("openssl", "ssh-keygen", NULL);
	assert_int_equal(
	    mf_test_sh("openssl genpkey -algorithm EC -pkeyopt "
	               "ec_paramgen_curve:P-256 -out ec.pem && openssl "
	               "pkey -in ec.pem -pubout -out ec.pub && openssl "
	               "ec -in ec.pem -out ec_trad.pem"),
	    0);
	assert_int_equal(
	    mf_test_sh("openssl genpkey -algorithm RSA -pkeyopt "
	               "rsa_keygen_bits:2048 -out rsa.pem && openssl pkey "
	               "-in rsa.pem -pubout -out rsa.pub && openssl rsa "
	               "-in rsa.pem -traditional -out rsa_trad.pem && "
	               "openssl pkcs8 -topk8 -v2 aes-256-cbc -in rsa.pem "
	               "-passout pass:secret -out rsa_enc.pem"),
	    0);
	openssl_keyid("ec.pub", id_ec);
	openssl_keyid("rsa.pub", id_rsa);
	load_private_ok("ec.pem", NULL, id_ec);
	load_private_ok("ec_trad.pem", NULL, id_ec);
	load_private_ok("rsa.pem", NULL, id_rsa);
	load_private_ok("rsa_trad.pem", NULL, id_rsa);
	load_private_ok("rsa_enc.pem", "secret", id_rsa);
	/* Wrong or missing passphrase: an error, never a prompt. */
	text = mf_test_slurp("rsa_enc.pem", &len);
	mf_error_init(&err);
	assert_int_equal(mf_key_parse_private(&k, text, len, "wrong", &err),
	                 MF_E_BAD_KEY);
	mf_error_dispose(&err);
	assert_int_equal(mf_key_parse_private(&k, text, len, NULL, &err),
	                 MF_E_BAD_KEY);
	mf_error_dispose(&err);
	free(text);
	/* Through the file loader too. */
	snprintf(path, sizeof(path), "%s/ec.pem", mf_test_scratch());
	assert_int_equal(mf_key_load_private_file(&k, path, NULL, &err), 0);
	assert_string_equal(mf_key_id(k), id_ec);
	mf_key_free(k);
	snprintf(path, sizeof(path), "%s/missing.pem", mf_test_scratch());
	assert_int_equal(mf_key_load_private_file(&k, path, NULL, &err),
	                 MF_E_IO);
	mf_error_dispose(&err);
}

static void
test_generate(void **state)
{
	static const enum mf_key_alg algs[] = {
	    MF_KEY_ED25519, MF_KEY_ECDSA_P256, MF_KEY_RSA_PSS,
	    MF_KEY_SSH_ED25519};
	struct mf_key *k, *back;
	struct mf_error err;
	char *priv, *pub, *none, path[512], name[64], id[65];
	struct stat st;
	size_t i;

	(void)state;
	mf_test_require("openssl", "ssh-keygen", NULL);
	mf_error_init(&err);
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		assert_int_equal(mf_key_generate(&k, algs[i], &err), 0);
		assert_int_equal(mf_key_alg(k), algs[i]);
		if (algs[i] == MF_KEY_RSA_PSS)
			assert_int_equal(mf_key_bits(k), MF_KEY_RSA_GEN_BITS);
		assert_int_equal(mf_key_private_pem(k, &priv), 0);
		assert_int_equal(mf_key_public_pem(k, &pub), 0);
		assert_int_equal(
		    mf_key_parse_private(&back, priv, strlen(priv), NULL, &err),
		    0);
		assert_string_equal(mf_key_id(back), mf_key_id(k));
		mf_key_free(back);
		assert_int_equal(
		    mf_key_parse_public(&back, pub, strlen(pub), &err), 0);
		assert_string_equal(mf_key_id(back), mf_key_id(k));
		assert_false(mf_key_has_private(back));
		assert_int_equal(mf_key_private_pem(back, &none), MF_E_BAD_KEY);
		assert_null(none);
		mf_key_free(back);
		/* Written 0600, readable by openssl, never overwritten. */
		snprintf(name, sizeof(name), "gen%zu.pem", i);
		snprintf(path, sizeof(path), "%s/%s", mf_test_scratch(), name);
		assert_int_equal(mf_key_write_secret_file(path, priv, &err), 0);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		assert_int_equal(mf_key_write_secret_file(path, priv, &err),
		                 MF_E_IO);
		mf_error_dispose(&err);
		assert_int_equal(
		    mf_test_sh("openssl pkey -in %s -pubout -out %s.pub", name,
		               name),
		    0);
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
		         ".pub");
		openssl_keyid(name, id);
		assert_string_equal(mf_key_id(k), id);
		free(priv);
		free(pub);
		mf_key_free(k);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alg_names),
	    cmocka_unit_test(test_openssl_keys_and_keyids),
	    cmocka_unit_test(test_rejected_keys),
	    cmocka_unit_test(test_rsa_too_large),
	    cmocka_unit_test(test_ssh_keys),
	    cmocka_unit_test(test_private_formats),
	    cmocka_unit_test(test_generate),
	};

	return cmocka_run_group_tests(tests, mf_test_scratch_setup,
	                              mf_test_scratch_teardown);
}
