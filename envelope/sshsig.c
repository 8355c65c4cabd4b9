/*
 * SSHSIG for Ed25519 (see sshsig.h), written from OpenSSH's
 * PROTOCOL.sshsig. The message is hashed first and the Ed25519 signature
 * covers a small structure that binds the namespace, so a signature made
 * for one purpose (git) cannot be replayed for another (modelfacts).
 */
#include "envelope/sshsig.h"
#include "common/buf.h"
#include "common/encoding.h"
#include "envelope/sshbuf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#define MAGIC     "SSHSIG"
#define MAGIC_LEN 6
#define VERSION   1
#define BEGIN     "-----BEGIN SSH SIGNATURE-----"
#define END       "-----END SSH SIGNATURE-----"
#define MAX_BLOB  4096

/* H(message) with the named hash; 0 or -1 for an unknown name. */
static int
hash_message(const uint8_t *alg, size_t alg_len, const uint8_t *msg, size_t len,
             uint8_t *out, unsigned *out_len)
{
	const EVP_MD *md;

	if (alg_len == 6 && memcmp(alg, "sha512", 6) == 0)
		md = EVP_sha512();
	else if (alg_len == 6 && memcmp(alg, "sha256", 6) == 0)
		md = EVP_sha256();
	else
		return -1;
	if (EVP_Digest(msg, len, out, out_len, md, NULL) != 1)
		return -1;
	return 0;
}

/* The structure the Ed25519 signature covers. */
static int
signed_data(struct mf_buf *b, const uint8_t *ns, size_t ns_len,
            const uint8_t *reserved, size_t reserved_len, const uint8_t *alg,
            size_t alg_len, const uint8_t *digest, size_t digest_len)
{
	int rc;

	if ((rc = mf_buf_append(b, MAGIC, MAGIC_LEN)) != 0 ||
	    (rc = mf_sshbuf_put_string(b, ns, ns_len)) != 0 ||
	    (rc = mf_sshbuf_put_string(b, reserved, reserved_len)) != 0 ||
	    (rc = mf_sshbuf_put_string(b, alg, alg_len)) != 0 ||
	    (rc = mf_sshbuf_put_string(b, digest, digest_len)) != 0)
		return rc;
	return 0;
}

int
mf_sshsig_verify(const struct mf_key *key, const char *ns, const uint8_t *msg,
                 size_t msg_len, const uint8_t *blob, size_t blob_len,
                 struct mf_error *err)
{
	struct mf_sshbuf r, s;
	const uint8_t *magic, *pub, *sns, *reserved, *alg, *sig, *raw;
	size_t pub_len, sns_len, reserved_len, alg_len, sig_len, raw_len;
	uint8_t *want_pub = NULL, digest[EVP_MAX_MD_SIZE];
	size_t want_pub_len = 0;
	unsigned digest_len = 0;
	uint32_t version;
	struct mf_buf sd = MF_BUF_INIT;
	EVP_MD_CTX *ctx = NULL;
	int rc;

	if (mf_key_alg(key) != MF_KEY_SSH_ED25519 &&
	    mf_key_alg(key) != MF_KEY_ED25519)
		return mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                    "SSH signatures need an Ed25519 key");
	if ((rc = mf_key_ssh_blob(key, &want_pub, &want_pub_len)) != 0) {
		rc = mf_error_set(err, rc, NULL, "cannot encode the key");
		goto done;
	}
	mf_sshbuf_init(&r, blob, blob_len);
	if (mf_sshbuf_get_raw(&r, &magic, MAGIC_LEN) != 0 ||
	    memcmp(magic, MAGIC, MAGIC_LEN) != 0) {
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                  "not an SSH signature (no SSHSIG magic)");
		goto done;
	}
	if (mf_sshbuf_get_u32(&r, &version) != 0 || version != VERSION) {
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                  "unsupported SSHSIG version");
		goto done;
	}
	if (mf_sshbuf_get_string(&r, &pub, &pub_len) != 0 ||
	    mf_sshbuf_get_string(&r, &sns, &sns_len) != 0 ||
	    mf_sshbuf_get_string(&r, &reserved, &reserved_len) != 0 ||
	    mf_sshbuf_get_string(&r, &alg, &alg_len) != 0 ||
	    mf_sshbuf_get_string(&r, &sig, &sig_len) != 0 ||
	    mf_sshbuf_left(&r) != 0) {
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                  "malformed SSHSIG blob");
		goto done;
	}
	if (pub_len != want_pub_len || memcmp(pub, want_pub, pub_len) != 0) {
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                  "SSH signature was made by a different "
		                  "key than the registered one");
		goto done;
	}
	if (sns_len != strlen(ns) || memcmp(sns, ns, sns_len) != 0) {
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                  "SSH signature namespace is not \"%s\" "
		                  "(sign with ssh-keygen -Y sign -n %s)",
		                  ns, ns);
		goto done;
	}
	if (hash_message(alg, alg_len, msg, msg_len, digest, &digest_len) !=
	    0) {
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                  "SSH signature hash must be sha256 or "
		                  "sha512");
		goto done;
	}
	mf_sshbuf_init(&s, sig, sig_len);
	if (mf_sshbuf_get_expect(&s, "ssh-ed25519") != 0 ||
	    mf_sshbuf_get_string(&s, &raw, &raw_len) != 0 || raw_len != 64 ||
	    mf_sshbuf_left(&s) != 0) {
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                  "malformed ssh-ed25519 signature in SSHSIG");
		goto done;
	}
	if ((rc = signed_data(&sd, sns, sns_len, reserved, reserved_len, alg,
	                      alg_len, digest, digest_len)) != 0) {
		rc = mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, mf_key_evp(key)) != 1 ||
	    EVP_DigestVerify(ctx, raw, raw_len, (const uint8_t *)sd.data,
	                     sd.len) != 1) {
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                  "SSH signature does not verify");
		goto done;
	}
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	mf_buf_dispose(&sd);
	free(want_pub);
	ERR_clear_error();
	return rc;
}

int
mf_sshsig_sign(uint8_t **out, size_t *out_len, const struct mf_key *key,
               const char *ns, const uint8_t *msg, size_t msg_len,
               struct mf_error *err)
{
	static const uint8_t alg[] = "sha512";
	uint8_t *pub = NULL, digest[EVP_MAX_MD_SIZE], raw[64];
	size_t pub_len = 0, raw_len = sizeof(raw);
	unsigned digest_len = 0;
	struct mf_buf sd = MF_BUF_INIT, sigb = MF_BUF_INIT, b = MF_BUF_INIT;
	EVP_MD_CTX *ctx = NULL;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (!mf_key_has_private(key) || mf_key_ed25519_public(key, raw) != 0)
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "SSH signing needs an Ed25519 private key");
	if (ns == NULL || ns[0] == '\0')
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "an SSH signature needs a namespace");
	if ((rc = mf_key_ssh_blob(key, &pub, &pub_len)) != 0 ||
	    hash_message(alg, 6, msg, msg_len, digest, &digest_len) != 0 ||
	    (rc = signed_data(&sd, (const uint8_t *)ns, strlen(ns),
	                      (const uint8_t *)"", 0, alg, 6, digest,
	                      digest_len)) != 0) {
		rc = mf_error_set(err, rc != 0 ? rc : MF_E_INTERNAL, NULL,
		                  "cannot prepare the SSH signature");
		goto done;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, mf_key_evp(key)) != 1 ||
	    EVP_DigestSign(ctx, raw, &raw_len, (const uint8_t *)sd.data,
	                   sd.len) != 1 ||
	    raw_len != 64) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "Ed25519 signing failed");
		goto done;
	}
	if ((rc = mf_sshbuf_put_cstring(&sigb, "ssh-ed25519")) != 0 ||
	    (rc = mf_sshbuf_put_string(&sigb, raw, raw_len)) != 0 ||
	    (rc = mf_buf_append(&b, MAGIC, MAGIC_LEN)) != 0 ||
	    (rc = mf_sshbuf_put_u32(&b, VERSION)) != 0 ||
	    (rc = mf_sshbuf_put_string(&b, pub, pub_len)) != 0 ||
	    (rc = mf_sshbuf_put_cstring(&b, ns)) != 0 ||
	    (rc = mf_sshbuf_put_string(&b, "", 0)) != 0 ||
	    (rc = mf_sshbuf_put_string(&b, alg, 6)) != 0 ||
	    (rc = mf_sshbuf_put_string(&b, sigb.data, sigb.len)) != 0) {
		rc = mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	if ((*out = (uint8_t *)mf_buf_detach(&b, out_len)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	mf_buf_dispose(&sd);
	mf_buf_dispose(&sigb);
	mf_buf_dispose(&b);
	free(pub);
	ERR_clear_error();
	return rc;
}

int
mf_sshsig_armor(char **out, const uint8_t *blob, size_t blob_len)
{
	struct mf_buf b = MF_BUF_INIT;
	char *b64;
	size_t n, i;
	int rc;

	*out = NULL;
	if ((b64 = mf_base64_encode_alloc(blob, blob_len)) == NULL)
		return MF_E_NOMEM;
	n = strlen(b64);
	rc = mf_buf_puts(&b, BEGIN "\n");
	for (i = 0; rc == 0 && i < n; i += MF_SSHSIG_LINE_LEN) {
		rc = mf_buf_append(
		    &b, b64 + i,
		    n - i < MF_SSHSIG_LINE_LEN ? n - i : MF_SSHSIG_LINE_LEN);
		if (rc == 0)
			rc = mf_buf_putc(&b, '\n');
	}
	if (rc == 0)
		rc = mf_buf_puts(&b, END "\n");
	if (rc == 0 && (*out = mf_buf_detach(&b, NULL)) == NULL)
		rc = MF_E_NOMEM;
	mf_buf_dispose(&b);
	free(b64);
	return rc;
}

int
mf_sshsig_dearmor(uint8_t **out, size_t *out_len, const char *text, size_t len,
                  struct mf_error *err)
{
	const char *p = text, *end = text + len, *nl, *begin, *stop;
	struct mf_buf b = MF_BUF_INIT;
	int rc;

	*out = NULL;
	*out_len = 0;
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	if ((size_t)(end - p) < strlen(BEGIN) ||
	    memcmp(p, BEGIN, strlen(BEGIN)) != 0)
		return mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                    "missing " BEGIN);
	begin = p + strlen(BEGIN);
	mf_buf_init(&b, MAX_BLOB * 2);
	for (p = begin; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		stop = nl;
		if (stop > p && stop[-1] == '\r')
			stop--;
		if ((size_t)(stop - p) == strlen(END) &&
		    memcmp(p, END, strlen(END)) == 0)
			break;
		if ((rc = mf_buf_append(&b, p, (size_t)(stop - p))) != 0) {
			rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
			                  "SSH signature is too long");
			goto done;
		}
		if (nl == end) {
			p = end;
			break;
		}
	}
	if (p >= end) {
		rc =
		    mf_error_set(err, MF_E_BAD_SIGNATURE, NULL, "missing " END);
		goto done;
	}
	rc =
	    mf_base64_decode(out, out_len, b.data != NULL ? b.data : "", b.len);
	if (rc != 0)
		rc = mf_error_set(err, rc == MF_E_NOMEM ? rc : MF_E_BAD_BASE64,
		                  NULL, "SSH signature: invalid base64");
done:
	mf_buf_dispose(&b);
	return rc;
}
