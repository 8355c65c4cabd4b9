/*
 * Witness cosignatures (see cosignature.h), written from C2SP
 * tlog-cosignature v1.0.1 (cosignature/v1, Ed25519). The witness signs
 * with it and clients check a quorum of witnesses with it; it shares the
 * signed-note line format with note.c but not its key type (0x04) nor its
 * signed message (a header and a timestamp line precede the checkpoint).
 */
#include "merkle/cosignature.h"
#include "common/buf.h"
#include "common/encoding.h"
#include "merkle/checkpoint.h"
#include "merkle/note.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#define ALG_COSIG_V1 0x04
#define EM_DASH      "\xe2\x80\x94" /* U+2014, starts each signature line */
#define SKEY_PREFIX  "PRIVATE+KEY+"

struct mf_cosigner {
	char name[MF_NOTE_NAME_MAX + 1];
	uint32_t hash;
	uint8_t pub[32];
	EVP_PKEY *pkey;
};

struct mf_cosig_verifier {
	char name[MF_NOTE_NAME_MAX + 1];
	uint32_t hash;
	char *vkey; /* owned: the canonical key string */
	EVP_PKEY *pkey;
};

/* SHA-256(name || "\n" || 0x04 || pub)[:4], big-endian. */
static uint32_t
key_id(const char *name, const uint8_t pub[32])
{
	return mf_note_key_id(name, ALG_COSIG_V1, pub);
}

/* "<prefix><name>+<hash>+<base64(0x04 || key)>" into a new string. */
static int
key_string(char **out, const char *prefix, const char *name, uint32_t hash,
           const uint8_t key[32])
{
	return mf_note_key_format(out, prefix, name, hash, ALG_COSIG_V1, key);
}

int
mf_cosig_generate_key(char **skey, char **vkey, const char *name,
                      struct mf_error *err)
{
	EVP_PKEY *pkey = NULL;
	uint8_t seed[32], pub[32];
	size_t n1 = 32, n2 = 32;
	uint32_t hash;
	int rc;

	*skey = NULL;
	*vkey = NULL;
	if (name == NULL || !mf_note_name_valid(name, strlen(name)))
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "cosigner name must be 1..%d printable "
		                    "ASCII characters without space or '+'",
		                    MF_NOTE_NAME_MAX);
	/* 1. A fresh Ed25519 key. */
	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL ||
	    EVP_PKEY_get_raw_private_key(pkey, seed, &n1) != 1 ||
	    EVP_PKEY_get_raw_public_key(pkey, pub, &n2) != 1) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "key generation failed");
		goto done;
	}
	/* 2. Both strings carry the same key id, over the public key. */
	hash = key_id(name, pub);
	if ((rc = key_string(skey, SKEY_PREFIX, name, hash, seed)) != 0 ||
	    (rc = key_string(vkey, "", name, hash, pub)) != 0) {
		free(*skey);
		*skey = NULL;
		rc = mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	rc = 0;
done:
	OPENSSL_cleanse(seed, sizeof(seed));
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return rc;
}

int
mf_cosigner_new(struct mf_cosigner **out, const char *skey,
                struct mf_error *err)
{
	struct mf_cosigner *s = NULL;
	uint8_t seed[32];
	size_t len, n = 32, plen = strlen(SKEY_PREFIX);
	int rc;

	*out = NULL;
	if (skey == NULL || strncmp(skey, SKEY_PREFIX, plen) != 0)
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "cosigner key must start with "
		                    "PRIVATE+KEY+");
	/* 1. One line; a key file may end in a newline. */
	len = strlen(skey);
	if (len > 0 && skey[len - 1] == '\n')
		len--;
	if (len > 0 && skey[len - 1] == '\r')
		len--;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	if (memchr(skey, '\n', len) != NULL ||
	    mf_note_key_parse(skey + plen, len - plen, ALG_COSIG_V1, s->name,
	                      &s->hash, seed) != 0) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "malformed cosigner key (want PRIVATE+KEY+"
		                  "name+hash+base64 of 0x04 and a seed)");
		goto done;
	}
	/* 2. The key, and its id checked against the public key. */
	s->pkey =
	    EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (s->pkey == NULL ||
	    EVP_PKEY_get_raw_public_key(s->pkey, s->pub, &n) != 1) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "invalid Ed25519 seed in cosigner key");
		goto done;
	}
	if (key_id(s->name, s->pub) != s->hash) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "cosigner key id does not match its name "
		                  "and key");
		goto done;
	}
	*out = s;
	s = NULL;
	rc = 0;
done:
	OPENSSL_cleanse(seed, sizeof(seed));
	mf_cosigner_free(s);
	ERR_clear_error();
	return rc;
}

void
mf_cosigner_free(struct mf_cosigner *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->pkey);
	free(s);
}

const char *
mf_cosigner_name(const struct mf_cosigner *s)
{
	return s->name;
}

int
mf_cosigner_verifier_key(const struct mf_cosigner *s, char **vkey)
{
	return key_string(vkey, "", s->name, s->hash, s->pub);
}

/* "cosignature/v1\ntime <T>\n" || body: the message Ed25519 signs. */
static int
signed_message(struct mf_buf *msg, const char *body, size_t len,
               uint64_t timestamp)
{
	int rc;

	if ((rc = mf_buf_printf(msg, "cosignature/v1\ntime %" PRIu64 "\n",
	                        timestamp)) != 0)
		return rc;
	return mf_buf_append(msg, body, len);
}

int
mf_cosig_sign(char **line, const struct mf_cosigner *s, const char *body,
              size_t len, uint64_t timestamp, struct mf_error *err)
{
	struct mf_checkpoint cp;
	struct mf_buf msg = MF_BUF_INIT, out = MF_BUF_INIT;
	EVP_MD_CTX *ctx = NULL;
	uint8_t sig[MF_COSIG_SIG_LEN];
	size_t sig_len = 64;
	char b64[MF_COSIG_SIG_LEN * 2];
	int rc, i;

	*line = NULL;
	mf_checkpoint_init(&cp);
	/* 1. Only a checkpoint is cosigned, at a timestamp in range. */
	if (len > MF_COSIG_MAX_BODY ||
	    mf_checkpoint_parse(&cp, body, len, NULL) != 0) {
		rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                  "cosigned text is not a checkpoint");
		goto done;
	}
	if (timestamp > MF_COSIG_MAX_TIMESTAMP) {
		rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                  "cosignature timestamp exceeds 2^63-1");
		goto done;
	}
	/* 2. Ed25519 over header, time line and body. */
	if ((rc = signed_message(&msg, body, len, timestamp)) != 0) {
		rc = mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig + 12, &sig_len, (const uint8_t *)msg.data,
	                   msg.len) != 1 ||
	    sig_len != 64) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "Ed25519 signing failed");
		goto done;
	}
	/* 3. key id || big-endian timestamp || signature, in one line. */
	for (i = 0; i < 4; i++)
		sig[i] = (uint8_t)(s->hash >> (24 - 8 * i));
	for (i = 0; i < 8; i++)
		sig[4 + i] = (uint8_t)(timestamp >> (56 - 8 * i));
	mf_base64_encode(b64, sig, sizeof(sig));
	if ((rc = mf_buf_printf(&out, EM_DASH " %s %s\n", s->name, b64)) != 0 ||
	    (*line = mf_buf_detach(&out, NULL)) == NULL) {
		rc = mf_error_set(err, rc ? rc : MF_E_NOMEM, NULL,
		                  "out of memory");
		goto done;
	}
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	mf_buf_dispose(&msg);
	mf_buf_dispose(&out);
	mf_checkpoint_dispose(&cp);
	return rc;
}

int
mf_cosig_verifier_new(struct mf_cosig_verifier **out, const char *vkey,
                      struct mf_error *err)
{
	struct mf_cosig_verifier *v = NULL;
	uint8_t pub[32];
	int rc;

	*out = NULL;
	if (vkey == NULL)
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "no cosigner verifier key given");
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	/* 1. name+id+base64(0x04 || key), the id matching both. */
	if (mf_note_key_parse(vkey, strlen(vkey), ALG_COSIG_V1, v->name,
	                      &v->hash, pub) != 0) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "malformed cosigner verifier key (want "
		                  "name+hash+base64 of 0x04 and an Ed25519 "
		                  "key)");
		goto done;
	}
	if (key_id(v->name, pub) != v->hash) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "cosigner verifier key id does not match "
		                  "its name and key");
		goto done;
	}
	/* 2. The OpenSSL key and the canonical string. */
	v->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	if (v->pkey == NULL) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "invalid Ed25519 public key");
		goto done;
	}
	if ((rc = key_string(&v->vkey, "", v->name, v->hash, pub)) != 0) {
		rc = mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	*out = v;
	v = NULL;
	rc = 0;
done:
	mf_cosig_verifier_free(v);
	ERR_clear_error();
	return rc;
}

void
mf_cosig_verifier_free(struct mf_cosig_verifier *v)
{
	if (v == NULL)
		return;
	EVP_PKEY_free(v->pkey);
	free(v->vkey);
	free(v);
}

const char *
mf_cosig_verifier_name(const struct mf_cosig_verifier *v)
{
	return v->name;
}

uint32_t
mf_cosig_verifier_hash(const struct mf_cosig_verifier *v)
{
	return v->hash;
}

const char *
mf_cosig_verifier_key(const struct mf_cosig_verifier *v)
{
	return v->vkey;
}

/*
 * One signature line "— <name> <base64>" (no newline): its name and the
 * decoded payload (a new buffer). 0, or -1 when malformed.
 */
/* Verifies one payload (key id || timestamp || signature) over body. */
static int
verify_payload(const uint8_t *raw, size_t raw_len, const char *body,
               size_t body_len, const struct mf_cosig_verifier *v,
               uint64_t *timestamp, struct mf_error *err)
{
	struct mf_buf msg = MF_BUF_INIT;
	EVP_MD_CTX *ctx = NULL;
	uint64_t t = 0;
	int rc, i;

	if (raw_len != MF_COSIG_SIG_LEN) {
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                  "cosignature by %s is %zu bytes, not %d",
		                  v->name, raw_len, MF_COSIG_SIG_LEN);
		goto done;
	}
	for (i = 0; i < 8; i++)
		t = t << 8 | raw[4 + i];
	if (t > MF_COSIG_MAX_TIMESTAMP) {
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                  "cosignature by %s has a timestamp past "
		                  "2^63-1",
		                  v->name);
		goto done;
	}
	if ((rc = signed_message(&msg, body, body_len, t)) != 0) {
		rc = mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, v->pkey) != 1 ||
	    EVP_DigestVerify(ctx, raw + 12, 64, (const uint8_t *)msg.data,
	                     msg.len) != 1) {
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                  "cosignature by %s does not verify", v->name);
		goto done;
	}
	*timestamp = t;
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	mf_buf_dispose(&msg);
	return rc;
}

int
mf_cosig_verify_note(const char *note, size_t len,
                     const struct mf_cosig_verifier *v, uint64_t *timestamp,
                     struct mf_error *err)
{
	const char *p, *end = note + len, *nl;
	char name[MF_NOTE_NAME_MAX + 1];
	uint8_t *raw = NULL;
	size_t split, raw_len = 0, n_lines = 0;
	uint64_t t = 0;
	int rc, found = 0;

	*timestamp = 0;
	if (len > MF_NOTE_MAX_SIZE)
		return mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                    "note is larger than %d bytes",
		                    MF_NOTE_MAX_SIZE);
	/* 1. The signature block follows the last blank line. */
	for (split = len; split >= 2; split--)
		if (note[split - 2] == '\n' && note[split - 1] == '\n')
			break;
	if (split < 2 || split == len || note[len - 1] != '\n' ||
	    memchr(note, '\0', len) != NULL)
		return mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                    "note has no signature block after a "
		                    "blank line");
	/* 2. Each line: skip other keys, verify ours (at most once). */
	for (p = note + split; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (++n_lines > MF_NOTE_MAX_SIGNATURES) {
			rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
			                  "note has more than %d signatures",
			                  MF_NOTE_MAX_SIGNATURES);
			goto done;
		}
		free(raw);
		if (mf_note_sig_line_parse(p, (size_t)(nl - p), name, &raw,
		                           &raw_len) != 0) {
			rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
			                  "malformed signature line %zu",
			                  n_lines);
			goto done;
		}
		if (strcmp(name, v->name) != 0 ||
		    ((uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
		     (uint32_t)raw[2] << 8 | raw[3]) != v->hash)
			continue; /* another key's line */
		if (found) {
			rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
			                  "cosigner %s signed the note twice",
			                  v->name);
			goto done;
		}
		if ((rc = verify_payload(raw, raw_len, note, split - 1, v, &t,
		                         err)) != 0)
			goto done;
		found = 1;
	}
	*timestamp = t;
	rc = found;
done:
	free(raw);
	return rc;
}
