/*
 * libFuzzer target for the signature and key parsers of envelope/: a
 * registered public key (PEM SubjectPublicKeyInfo DER, or an OpenSSH
 * line), an SSHSIG blob and its armored text, and a raw signature of
 * each algorithm (Ed25519, ECDSA P-256 strict DER, RSA-PSS, SSHSIG).
 * Input: one mode byte, then the bytes the mode reads:
 *   0  a public key as registered         (mf_key_parse_public)
 *   1  an SSHSIG blob over MSG            (mf_sshsig_verify)
 *   2  an armored SSHSIG over MSG         (mf_sshsig_dearmor, verify)
 *   3  key byte, then a signature over MSG (mf_verify_message)
 * Run with MF_FUZZ_SEEDS=DIR it writes seeds of each mode into DIR (real
 * signatures by its fixed test keys, their public keys) and exits.
 */
#include "common/buf.h"
#include "common/error.h"
#include "envelope/keys.h"
#include "envelope/sshsig.h"
#include "envelope/verify.h"
#include "tests/fuzz/fuzz_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Test keys, made for this target with openssl genpkey; they sign
 * nothing but fuzz seeds. */
static const char ed25519_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIOdL6BrV+UNG6NatDlGswJfNQ+ENFm/HqlixImZnOotI\n"
    "-----END PRIVATE KEY-----\n";
static const char p256_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgizRFrkNHRS5wwz22\n"
    "wmHvV1/UkyclMU0yIIckuSiIrQihRANCAAS6/gYacSIKz5oADdCvCwQRiDr8xRrl\n"
    "htJYYwsJRZKvOy7xMoq9os23528mNIG/PL6sjhtsrr+NbEZTf9S5QMh1\n"
    "-----END PRIVATE KEY-----\n";

static const uint8_t MSG[] = "DSSEv1 4 test 5 hello";
#define MSG_LEN (sizeof(MSG) - 1)

/* ed25519, ecdsa-p256, rsa-pss (made at start: random), ssh-ed25519 */
static struct mf_key *keys[4];

/* A public key that parsed gives back its own PEM, which parses to the
 * same key id. */
static void
check_public(const struct mf_key *key)
{
	struct mf_key *again = NULL;
	struct mf_error err;
	const char *id = mf_key_id(key);
	char *pem = NULL;

	mf_error_init(&err);
	MF_FUZZ_CHECK(id != NULL && strlen(id) == 64 &&
	                  strspn(id, "0123456789abcdef") == 64,
	              "a key id is 64 lowercase hex digits");
	MF_FUZZ_CHECK(mf_key_has_private(key) == 0,
	              "a public key has no private part");
	MF_FUZZ_CHECK(mf_key_public_pem(key, &pem) == 0, "PEM written");
	MF_FUZZ_CHECK(mf_key_parse_public(&again, pem, strlen(pem), &err) == 0,
	              "the PEM of a parsed key parses");
	MF_FUZZ_CHECK(strcmp(mf_key_id(again), id) == 0,
	              "the PEM round trip keeps the key id");
	mf_key_free(again);
	free(pem);
	mf_error_dispose(&err);
}

static void
write_seeds(const char *dir)
{
	struct mf_error err;
	uint8_t *sig = NULL;
	char *text = NULL, name[32], mode[2] = {3, 0};
	size_t len, k;

	mf_error_init(&err);
	for (k = 0; k < 4; k++) {
		struct mf_buf b = MF_BUF_INIT;

		/* mode 0: the public key, as PEM and as an ssh line */
		MF_FUZZ_CHECK(mf_key_public_pem(keys[k], &text) == 0, "pem");
		mf_buf_append(&b, "\0", 1);
		mf_buf_append(&b, text, strlen(text));
		snprintf(name, sizeof(name), "pub-%zu", k);
		mf_fuzz_write_seed(dir, name, b.data, b.len);
		free(text);
		b.len = 0;
		if (k == 3 && mf_key_ssh_public(keys[k], "fuzz", &text) == 0) {
			mf_buf_append(&b, "\0", 1);
			mf_buf_append(&b, text, strlen(text));
			mf_fuzz_write_seed(dir, "pub-ssh", b.data, b.len);
			free(text);
			b.len = 0;
		}
		/* mode 3: a signature over MSG */
		MF_FUZZ_CHECK(mf_sign_message(&sig, &len, keys[k], MSG, MSG_LEN,
		                              NULL, &err) == 0,
		              "sign");
		mode[1] = (char)k;
		mf_buf_append(&b, mode, 2);
		mf_buf_append(&b, sig, len);
		snprintf(name, sizeof(name), "sig-%zu", k);
		mf_fuzz_write_seed(dir, name, b.data, b.len);
		b.len = 0;
		if (k == 3) { /* modes 1 and 2: the SSHSIG blob and armor */
			mf_buf_append(&b, "\1", 1);
			mf_buf_append(&b, sig, len);
			mf_fuzz_write_seed(dir, "sshsig", b.data, b.len);
			b.len = 0;
			MF_FUZZ_CHECK(mf_sshsig_armor(&text, sig, len) == 0,
			              "armor");
			mf_buf_append(&b, "\2", 1);
			mf_buf_append(&b, text, strlen(text));
			mf_fuzz_write_seed(dir, "sshsig-armored", b.data,
			                   b.len);
			free(text);
		}
		free(sig);
		mf_buf_dispose(&b);
	}
	mf_error_dispose(&err);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mf_error err;
	const char *seeds = getenv("MF_FUZZ_SEEDS");

	(void)argc;
	(void)argv;
	mf_error_init(&err);
	if (mf_key_parse_private(&keys[0], ed25519_pem, strlen(ed25519_pem),
	                         NULL, &err) != 0 ||
	    mf_key_parse_private(&keys[1], p256_pem, strlen(p256_pem), NULL,
	                         &err) != 0 ||
	    mf_key_generate(&keys[2], MF_KEY_RSA_PSS, &err) != 0 ||
	    mf_key_parse_private(&keys[3], ed25519_pem, strlen(ed25519_pem),
	                         NULL, &err) != 0 ||
	    mf_key_set_alg(keys[3], MF_KEY_SSH_ED25519) != 0) {
		fprintf(stderr, "fuzz_sig: test keys: %s\n", err.message);
		exit(1);
	}
	mf_error_dispose(&err);
	if (seeds != NULL) {
		write_seeds(seeds);
		exit(0);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mf_key *key = NULL;
	struct mf_error err;
	uint8_t *blob = NULL;
	char *armored = NULL;
	size_t blob_len;
	uint8_t *again = NULL;
	size_t again_len;

	if (size < 1)
		return 0;
	mf_error_init(&err);
	switch (data[0] & 3) {
	case 0:
		if (mf_key_parse_public(&key, (const char *)data + 1, size - 1,
		                        &err) == 0)
			check_public(key);
		break;
	case 1:
		if (mf_sshsig_verify(keys[3], MF_SSHSIG_NAMESPACE, MSG, MSG_LEN,
		                     data + 1, size - 1, &err) == 0)
			MF_FUZZ_CHECK(size - 1 > 64,
			              "a verified SSHSIG holds a signature");
		/* the armor of any blob within the bound dearmors to the
		 * same bytes (sshsig.c refuses blobs over 4096 bytes, and
		 * armor over twice that: bigger ones may be refused) */
		if (size > 1 && size - 1 <= 4096 &&
		    mf_sshsig_armor(&armored, data + 1, size - 1) == 0) {
			MF_FUZZ_CHECK(
			    mf_sshsig_dearmor(&again, &again_len, armored,
			                      strlen(armored), &err) == 0 &&
			        again_len == size - 1 &&
			        memcmp(again, data + 1, size - 1) == 0,
			    "armor and dearmor are inverses");
		}
		break;
	case 2:
		if (mf_sshsig_dearmor(&blob, &blob_len, (const char *)data + 1,
		                      size - 1, &err) == 0)
			(void)mf_sshsig_verify(keys[3], MF_SSHSIG_NAMESPACE,
			                       MSG, MSG_LEN, blob, blob_len,
			                       &err);
		break;
	default:
		if (size < 2)
			break;
		(void)mf_verify_message(keys[data[1] & 3], MSG, MSG_LEN,
		                        data + 2, size - 2, NULL, &err);
		break;
	}
	free(again);
	free(armored);
	free(blob);
	mf_key_free(key);
	mf_error_dispose(&err);
	return 0;
}
