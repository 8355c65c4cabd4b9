/*
 * Verification and signing dispatch by the registered key's algorithm
 * (see verify.h). The one place that knows how each algorithm's
 * signatures are encoded, so the envelope code stays algorithm-agnostic.
 */
#include "envelope/verify.h"
#include "envelope/sshsig.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

/*
 * ECDSA signatures must be DER, not merely BER: decoding and re-encoding
 * must give back the same bytes, so each signature has one encoding and
 * cannot be altered into another valid one.
 */
static int
ecdsa_der_is_strict(const uint8_t *sig, size_t len)
{
	const unsigned char *p = sig;
	unsigned char *der = NULL;
	ECDSA_SIG *s;
	int n, ok;

	if ((s = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		return 0;
	ok = p == sig + len;
	n = i2d_ECDSA_SIG(s, &der);
	ok = ok && n > 0 && (size_t)n == len && memcmp(der, sig, len) == 0;
	OPENSSL_free(der);
	ECDSA_SIG_free(s);
	return ok;
}

static int
set_pss(EVP_PKEY_CTX *pctx)
{
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	               EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1 &&
	               EVP_PKEY_CTX_set_rsa_pss_saltlen(
	                   pctx, MF_RSA_PSS_SALT_LEN) == 1
	           ? 0
	           : -1;
}

int
mf_verify_message(const struct mf_key *key, const uint8_t *msg, size_t msg_len,
                  const uint8_t *sig, size_t sig_len, const char *ssh_namespace,
                  struct mf_error *err)
{
	EVP_PKEY *pkey = mf_key_evp(key);
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *md = NULL;
	int rc;

	switch (mf_key_alg(key)) {
	case MF_KEY_SSH_ED25519:
		return mf_sshsig_verify(
		    key,
		    ssh_namespace != NULL ? ssh_namespace : MF_SSHSIG_NAMESPACE,
		    msg, msg_len, sig, sig_len, err);
	case MF_KEY_ED25519:
		if (sig_len != 64)
			return mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
			                    "Ed25519 signature must be 64 "
			                    "bytes, got %zu",
			                    sig_len);
		break;
	case MF_KEY_ECDSA_P256:
		if (!ecdsa_der_is_strict(sig, sig_len))
			return mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
			                    "ECDSA signature must be a DER "
			                    "SEQUENCE of two INTEGERs");
		md = EVP_sha256();
		break;
	case MF_KEY_RSA_PSS:
		if (sig_len != (size_t)EVP_PKEY_get_size(pkey))
			return mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
			                    "RSA-PSS signature must be %d "
			                    "bytes, got %zu",
			                    EVP_PKEY_get_size(pkey), sig_len);
		md = EVP_sha256();
		break;
	default:
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "unknown key algorithm");
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pkey) != 1 ||
	    (mf_key_alg(key) == MF_KEY_RSA_PSS && set_pss(pctx) != 0)) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "cannot set up verification");
		goto done;
	}
	if (EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) != 1) {
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                  "%s signature does not verify",
		                  mf_key_alg_name(mf_key_alg(key)));
		goto done;
	}
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int
mf_sign_message(uint8_t **sig, size_t *sig_len, const struct mf_key *key,
                const uint8_t *msg, size_t msg_len, const char *ssh_namespace,
                struct mf_error *err)
{
	EVP_PKEY *pkey = mf_key_evp(key);
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *md = NULL;
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc;

	*sig = NULL;
	*sig_len = 0;
	if (!mf_key_has_private(key))
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "signing needs a private key");
	switch (mf_key_alg(key)) {
	case MF_KEY_SSH_ED25519:
		return mf_sshsig_sign(
		    sig, sig_len, key,
		    ssh_namespace != NULL ? ssh_namespace : MF_SSHSIG_NAMESPACE,
		    msg, msg_len, err);
	case MF_KEY_ED25519:
		break;
	case MF_KEY_ECDSA_P256:
	case MF_KEY_RSA_PSS:
		md = EVP_sha256();
		break;
	default:
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "unknown key algorithm");
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (EVP_DigestSignInit(ctx, &pctx, md, NULL, pkey) != 1 ||
	    (mf_key_alg(key) == MF_KEY_RSA_PSS && set_pss(pctx) != 0) ||
	    EVP_DigestSign(ctx, NULL, &n, msg, msg_len) != 1) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "cannot set up signing");
		goto done;
	}
	if ((buf = malloc(n)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (EVP_DigestSign(ctx, buf, &n, msg, msg_len) != 1) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL, "signing failed");
		goto done;
	}
	*sig = buf;
	*sig_len = n;
	buf = NULL;
	rc = 0;
done:
	free(buf);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int
mf_dsse_verify_sig(const struct mf_dsse *env, size_t index,
                   const struct mf_key *key, const char *ssh_namespace,
                   struct mf_error *err)
{
	uint8_t *pae = NULL;
	size_t pae_len = 0;
	int rc;

	if (index >= env->n_sigs)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "no signature %zu", index);
	if ((rc = mf_dsse_pae(&pae, &pae_len, env->payload_type,
	                      strlen(env->payload_type), env->payload,
	                      env->payload_len)) != 0)
		return mf_error_set(err, rc, NULL, "out of memory");
	rc = mf_verify_message(key, pae, pae_len, env->sigs[index].sig,
	                       env->sigs[index].sig_len, ssh_namespace, err);
	free(pae);
	return rc;
}

int
mf_dsse_verify(const struct mf_dsse *env, const struct mf_key *key,
               const char *ssh_namespace, size_t *which, struct mf_error *err)
{
	struct mf_error first, scratch;
	size_t pass, i;
	int hinted, rc = MF_E_BAD_SIGNATURE;

	mf_error_init(&first);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < env->n_sigs; i++) {
			hinted =
			    strcasecmp(env->sigs[i].keyid, mf_key_id(key)) == 0;
			if (hinted != (pass == 0))
				continue;
			mf_error_init(&scratch);
			rc = mf_dsse_verify_sig(env, i, key, ssh_namespace,
			                        &scratch);
			if (rc == 0) {
				if (which != NULL)
					*which = i;
				mf_error_dispose(&scratch);
				mf_error_dispose(&first);
				return 0;
			}
			if (first.code == 0)
				first = scratch;
			else
				mf_error_dispose(&scratch);
			if (rc == MF_E_NOMEM)
				goto done;
		}
	}
done:
	rc = first.code != 0 ? first.code : MF_E_BAD_SIGNATURE;
	mf_error_set(err, rc, "/signatures", "%s",
	             first.message[0] ? first.message
	                              : "no signature verifies");
	mf_error_dispose(&first);
	return rc;
}

int
mf_dsse_sign(char **out, const struct mf_key *key, const char *payload_type,
             const uint8_t *payload, size_t payload_len,
             const char *ssh_namespace, struct mf_error *err)
{
	struct mf_dsse_sig s = {NULL, NULL, 0};
	uint8_t *pae = NULL;
	size_t pae_len = 0;
	int rc;

	*out = NULL;
	if ((rc = mf_dsse_pae(&pae, &pae_len, payload_type,
	                      strlen(payload_type), payload, payload_len)) != 0)
		return mf_error_set(err, rc, NULL, "out of memory");
	if ((rc = mf_sign_message(&s.sig, &s.sig_len, key, pae, pae_len,
	                          ssh_namespace, err)) != 0)
		goto done;
	s.keyid = (char *)mf_key_id(key);
	if ((rc = mf_dsse_encode(out, payload_type, payload, payload_len, &s,
	                         1)) != 0)
		rc = mf_error_set(err, rc, NULL, "out of memory");
done:
	free(s.sig);
	free(pae);
	return rc;
}
