/*
 * C2SP signed notes with Ed25519 (see note.h), written from the spec at
 * c2sp.org/signed-note. The registry signs its log checkpoints with this,
 * so any tlog client (Go's sumdb/note, witnesses) can verify them.
 */
#include "merkle/note.h"
#include "common/buf.h"
#include "common/encoding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#define ALG_ED25519 MF_NOTE_ALG_ED25519
#define EM_DASH     "\xe2\x80\x94" /* U+2014, starts each signature line */

struct mf_note_signer {
	char name[MF_NOTE_NAME_MAX + 1];
	uint32_t hash;
	uint8_t pub[32];
	EVP_PKEY *pkey;
	/* the next line's key, which co-signs (a key rotation's overlap) */
	struct mf_note_signer *next;
};

/* Co-signers one signer key string may carry (lines after the first). */
#define MAX_COSIGNERS 3

struct mf_note_verifier {
	char name[MF_NOTE_NAME_MAX + 1];
	uint32_t hash;
	EVP_PKEY *pkey;
};

int
mf_note_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > MF_NOTE_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= 0x20 || c >= 0x7f || c == '+')
			return 0;
	}
	return 1;
}

uint32_t
mf_note_key_id(const char *name, uint8_t alg, const uint8_t pub[32])
{
	uint8_t buf[MF_NOTE_NAME_MAX + 2 + 32], d[SHA256_DIGEST_LENGTH];
	size_t n = strlen(name);

	memcpy(buf, name, n);
	buf[n] = '\n';
	buf[n + 1] = alg;
	memcpy(buf + n + 2, pub, 32);
	SHA256(buf, n + 2 + 32, d);
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	       (uint32_t)d[2] << 8 | d[3];
}

/* Decodes canonical padded base64 of alg || 32 bytes. */
static int
decode_key_material(uint8_t out[32], const char *b64, size_t len, uint8_t alg)
{
	uint8_t *raw = NULL;
	size_t n = 0;
	char canon[64];
	int ok;

	if (len >= sizeof(canon) || mf_base64_decode(&raw, &n, b64, len) != 0)
		return -1;
	ok = n == 33 && raw[0] == alg;
	if (ok) {
		mf_base64_encode(canon, raw, n);
		ok = strlen(canon) == len && memcmp(canon, b64, len) == 0;
		memcpy(out, raw + 1, 32);
	}
	OPENSSL_cleanse(raw, n);
	free(raw);
	return ok ? 0 : -1;
}

int
mf_note_key_parse(const char *s, size_t len, uint8_t alg,
                  char name[MF_NOTE_NAME_MAX + 1], uint32_t *hash,
                  uint8_t key[32])
{
	const char *end = s + len, *p1, *p2;
	uint8_t h[4];
	char hex[9];

	if ((p1 = memchr(s, '+', len)) == NULL ||
	    (p2 = memchr(p1 + 1, '+', (size_t)(end - p1 - 1))) == NULL)
		return -1;
	if (!mf_note_name_valid(s, (size_t)(p1 - s)) || p2 - p1 - 1 != 8)
		return -1;
	memcpy(name, s, (size_t)(p1 - s));
	name[p1 - s] = '\0';
	memcpy(hex, p1 + 1, 8);
	hex[8] = '\0';
	if (strspn(hex, "0123456789abcdef") != 8 || mf_hex_decode(h, 4, hex))
		return -1;
	*hash = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	        (uint32_t)h[2] << 8 | h[3];
	return decode_key_material(key, p2 + 1, (size_t)(end - p2 - 1), alg);
}

int
mf_note_key_format(char **out, const char *prefix, const char *name,
                   uint32_t hash, uint8_t alg, const uint8_t key[32])
{
	struct mf_buf b = MF_BUF_INIT;
	uint8_t raw[33];
	char b64[64];
	int rc;

	*out = NULL;
	raw[0] = alg;
	memcpy(raw + 1, key, 32);
	mf_base64_encode(b64, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	rc = mf_buf_printf(&b, "%s%s+%08x+%s", prefix, name, (unsigned)hash,
	                   b64);
	OPENSSL_cleanse(b64, sizeof(b64));
	if (rc == 0 && (*out = mf_buf_detach(&b, NULL)) == NULL)
		rc = MF_E_NOMEM;
	if (b.data != NULL)
		OPENSSL_cleanse(b.data, b.len);
	mf_buf_dispose(&b);
	return rc;
}

int
mf_note_sig_line_parse(const char *line, size_t len,
                       char name[MF_NOTE_NAME_MAX + 1], uint8_t **raw,
                       size_t *raw_len)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/=";
	size_t prefix = strlen(EM_DASH " "), name_len, b64_len, i;
	const char *sp, *b64;

	*raw = NULL;
	*raw_len = 0;
	if (len < prefix || memcmp(line, EM_DASH " ", prefix) != 0)
		return -1;
	line += prefix;
	len -= prefix;
	if ((sp = memchr(line, ' ', len)) == NULL)
		return -1;
	name_len = (size_t)(sp - line);
	if (!mf_note_name_valid(line, name_len))
		return -1;
	memcpy(name, line, name_len);
	name[name_len] = '\0';
	b64 = sp + 1;
	b64_len = len - name_len - 1;
	/* The standard alphabet only: what every other verifier reads. */
	for (i = 0; i < b64_len; i++)
		if (b64[i] == '\0' || strchr(alphabet, b64[i]) == NULL)
			return -1;
	if (mf_base64_decode(raw, raw_len, b64, b64_len) != 0)
		return -1;
	if (*raw_len < 5) {
		free(*raw);
		*raw = NULL;
		return -1;
	}
	return 0;
}

/* One "PRIVATE+KEY+..." line (no newline) into a signer. */
static int
signer_line(struct mf_note_signer **out, const char *skey, struct mf_error *err)
{
	struct mf_note_signer *s = NULL;
	uint8_t seed[32];
	size_t n = 32;
	int rc;

	*out = NULL;
	if (skey == NULL || strncmp(skey, "PRIVATE+KEY+", 12) != 0)
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "note signer key must start with "
		                    "PRIVATE+KEY+");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	if (mf_note_key_parse(skey + 12, strlen(skey + 12), ALG_ED25519,
	                      s->name, &s->hash, seed) != 0) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "malformed note signer key");
		goto done;
	}
	s->pkey =
	    EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (s->pkey == NULL ||
	    EVP_PKEY_get_raw_public_key(s->pkey, s->pub, &n) != 1) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "invalid Ed25519 seed in signer key");
		goto done;
	}
	if (mf_note_key_id(s->name, ALG_ED25519, s->pub) != s->hash) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "note signer key hash does not match its "
		                  "name and key");
		goto done;
	}
	*out = s;
	s = NULL;
	rc = 0;
done:
	OPENSSL_cleanse(seed, sizeof(seed));
	mf_note_signer_free(s);
	ERR_clear_error();
	return rc;
}

int
mf_note_signer_new(struct mf_note_signer **out, const char *skey,
                   struct mf_error *err)
{
	struct mf_note_signer *head = NULL, **tail = &head;
	char line[1024];
	const char *p = skey, *nl;
	size_t len, n = 0;
	int rc = 0;

	*out = NULL;
	if (skey == NULL)
		return signer_line(out, skey, err);
	/* 1. One signer per line: the first signs, the others co-sign. */
	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > 0) {
			if (len >= sizeof(line) || ++n > 1 + MAX_COSIGNERS) {
				rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
				                  "malformed note signer key");
				goto done;
			}
			memcpy(line, p, len);
			line[len] = '\0';
			rc = signer_line(tail, line, err);
			OPENSSL_cleanse(line, sizeof(line));
			if (rc != 0)
				goto done;
			tail = &(*tail)->next;
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	if (head == NULL)
		return signer_line(out, "", err);
	/* 2. The same key twice would sign twice. */
	for (struct mf_note_signer *a = head; a; a = a->next)
		for (struct mf_note_signer *b = a->next; b; b = b->next)
			if (a->hash == b->hash &&
			    memcmp(a->pub, b->pub, 32) == 0 &&
			    strcmp(a->name, b->name) == 0) {
				rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
				                  "note signer key twice");
				goto done;
			}
	*out = head;
	head = NULL;
done:
	mf_note_signer_free(head);
	return rc;
}

const struct mf_note_signer *
mf_note_signer_next(const struct mf_note_signer *s)
{
	return s->next;
}

void
mf_note_signer_free(struct mf_note_signer *s)
{
	struct mf_note_signer *next;

	while (s != NULL) {
		next = s->next;
		EVP_PKEY_free(s->pkey);
		free(s);
		s = next;
	}
}

const char *
mf_note_signer_name(const struct mf_note_signer *s)
{
	return s->name;
}

int
mf_note_signer_verifier_key(const struct mf_note_signer *s, char **out)
{
	return mf_note_key_format(out, "", s->name, s->hash, ALG_ED25519,
	                          s->pub);
}

int
mf_note_generate_key(char **signer_key, char **verifier_key, const char *name,
                     struct mf_error *err)
{
	EVP_PKEY *pkey = NULL;
	uint8_t seed[32], pub[32];
	size_t n1 = 32, n2 = 32;
	uint32_t hash;
	int rc;

	*signer_key = NULL;
	*verifier_key = NULL;
	if (name == NULL || !mf_note_name_valid(name, strlen(name)))
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "note key name must be 1..%d printable "
		                    "ASCII characters without space or '+'",
		                    MF_NOTE_NAME_MAX);
	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL ||
	    EVP_PKEY_get_raw_private_key(pkey, seed, &n1) != 1 ||
	    EVP_PKEY_get_raw_public_key(pkey, pub, &n2) != 1) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "key generation failed");
		goto done;
	}
	hash = mf_note_key_id(name, ALG_ED25519, pub);
	if ((rc = mf_note_key_format(signer_key, "PRIVATE+KEY+", name, hash,
	                             ALG_ED25519, seed)) != 0 ||
	    (rc = mf_note_key_format(verifier_key, "", name, hash, ALG_ED25519,
	                             pub)) != 0) {
		free(*signer_key);
		*signer_key = NULL;
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
mf_note_verifier_new(struct mf_note_verifier **out, const char *vkey,
                     struct mf_error *err)
{
	struct mf_note_verifier *v = NULL;
	uint8_t pub[32];
	int rc;

	*out = NULL;
	if (vkey == NULL)
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "no verifier key given");
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	if (mf_note_key_parse(vkey, strlen(vkey), ALG_ED25519, v->name,
	                      &v->hash, pub) != 0) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "malformed note verifier key (want "
		                  "name+hash+base64 of 0x01 and an Ed25519 "
		                  "key)");
		goto done;
	}
	if (mf_note_key_id(v->name, ALG_ED25519, pub) != v->hash) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "note verifier key hash does not match "
		                  "its name and key");
		goto done;
	}
	v->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	if (v->pkey == NULL) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "invalid Ed25519 public key");
		goto done;
	}
	*out = v;
	v = NULL;
	rc = 0;
done:
	mf_note_verifier_free(v);
	ERR_clear_error();
	return rc;
}

void
mf_note_verifier_free(struct mf_note_verifier *v)
{
	if (v == NULL)
		return;
	EVP_PKEY_free(v->pkey);
	free(v);
}

const char *
mf_note_verifier_name(const struct mf_note_verifier *v)
{
	return v->name;
}

uint32_t
mf_note_verifier_hash(const struct mf_note_verifier *v)
{
	return v->hash;
}

/*
 * Valid UTF-8 (no overlongs, surrogates or values past U+10FFFF) with no
 * ASCII control characters other than newline.
 */
static int
text_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, k;
	uint32_t cp, min;

	while (i < len) {
		if (p[i] < 0x80) {
			if (p[i] < 0x20 && p[i] != '\n')
				return 0;
			if (p[i] == 0x7f)
				return 0;
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 2;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 3;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 4;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else {
			return 0;
		}
		if (len - i < n)
			return 0;
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}

/* Appends one signature line by s over text. */
static int
sign_line(struct mf_buf *b, const char *text, size_t len,
          const struct mf_note_signer *s, struct mf_error *err)
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t sig[4 + 64];
	size_t sig_len = 64;
	char b64[128];
	int rc;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig + 4, &sig_len, (const uint8_t *)text,
	                   len) != 1 ||
	    sig_len != 64) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "Ed25519 signing failed");
		goto done;
	}
	sig[0] = (uint8_t)(s->hash >> 24);
	sig[1] = (uint8_t)(s->hash >> 16);
	sig[2] = (uint8_t)(s->hash >> 8);
	sig[3] = (uint8_t)s->hash;
	mf_base64_encode(b64, sig, sizeof(sig));
	if ((rc = mf_buf_printf(b, EM_DASH " %s %s\n", s->name, b64)) != 0)
		rc = mf_error_set(err, rc, NULL, "out of memory");
done:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int
mf_note_sign(char **out, size_t *out_len, const char *text, size_t len,
             const struct mf_note_signer *s, struct mf_error *err)
{
	struct mf_buf b = MF_BUF_INIT;
	int rc;

	*out = NULL;
	if (len == 0 || text[len - 1] != '\n' || len > MF_NOTE_MAX_SIZE / 2 ||
	    !text_valid(text, len))
		return mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                    "note text must be non-empty UTF-8 "
		                    "without control characters, ending in "
		                    "a newline");
	/* 1. The text, a blank line, then one line per key, in order. */
	if ((rc = mf_buf_append(&b, text, len)) != 0 ||
	    (rc = mf_buf_putc(&b, '\n')) != 0) {
		rc = mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	for (; s != NULL; s = s->next)
		if ((rc = sign_line(&b, text, len, s, err)) != 0)
			goto done;
	if ((*out = mf_buf_detach(&b, out_len)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	rc = 0;
done:
	mf_buf_dispose(&b);
	return rc;
}

/* Parses one "— name base64\n" line; 0 or -1 when malformed. */
/* One signature line: its key name, key id and signature (up to 64
 * bytes; *sig_len says how many there were). */
static int
parse_sig_line(const char *line, size_t len, char name[MF_NOTE_NAME_MAX + 1],
               uint32_t *hash, uint8_t sig[64], size_t *sig_len)
{
	uint8_t *raw = NULL;
	size_t n = 0;

	if (mf_note_sig_line_parse(line, len, name, &raw, &n) != 0)
		return -1;
	*hash = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
	        (uint32_t)raw[2] << 8 | raw[3];
	*sig_len = n - 4;
	if (*sig_len <= 64)
		memcpy(sig, raw + 4, *sig_len);
	free(raw);
	return 0;
}

int
mf_note_verify(const char *note, size_t len,
               const struct mf_note_verifier *const *verifiers,
               size_t n_verifiers, size_t *text_len, struct mf_error *err)
{
	const char *p, *sigs, *end = note + len, *nl;
	char name[MF_NOTE_NAME_MAX + 1];
	uint8_t sig[64];
	uint32_t hash;
	size_t split, i, sig_len, n_sigs = 0, n_ok = 0;
	unsigned char seen[MF_NOTE_MAX_SIGNATURES] = {0};
	EVP_MD_CTX *ctx = NULL;
	const struct mf_note_verifier *v;
	int rc;

	*text_len = 0;
	if (len > MF_NOTE_MAX_SIZE)
		return mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                    "note is larger than %d bytes",
		                    MF_NOTE_MAX_SIZE);
	if (!text_valid(note, len))
		return mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                    "note is not UTF-8 text without control "
		                    "characters");
	/* The signature block starts after the last blank line. */
	for (split = len; split >= 2; split--)
		if (note[split - 2] == '\n' && note[split - 1] == '\n')
			break;
	if (split < 2 || split == len || note[len - 1] != '\n')
		return mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                    "note has no signature block after a "
		                    "blank line");
	sigs = note + split;
	*text_len = split - 1;
	if (n_verifiers > MF_NOTE_MAX_SIGNATURES)
		n_verifiers = MF_NOTE_MAX_SIGNATURES;
	for (p = sigs; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (++n_sigs > MF_NOTE_MAX_SIGNATURES) {
			rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
			                  "note has more than %d signatures",
			                  MF_NOTE_MAX_SIGNATURES);
			goto done;
		}
		if (parse_sig_line(p, (size_t)(nl - p), name, &hash, sig,
		                   &sig_len) != 0) {
			rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
			                  "malformed signature line %zu",
			                  n_sigs);
			goto done;
		}
		for (i = 0; i < n_verifiers; i++) {
			v = verifiers[i];
			if (v->hash == hash && strcmp(v->name, name) == 0)
				break;
		}
		if (i == n_verifiers)
			continue; /* unknown keys are ignored */
		if (seen[i]++) {
			rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
			                  "key %s signed the note twice", name);
			goto done;
		}
		EVP_MD_CTX_free(ctx);
		if ((ctx = EVP_MD_CTX_new()) == NULL) {
			rc = mf_error_set(err, MF_E_NOMEM, NULL,
			                  "out of memory");
			goto done;
		}
		if (sig_len != 64 ||
		    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, v->pkey) != 1 ||
		    EVP_DigestVerify(ctx, sig, 64, (const uint8_t *)note,
		                     *text_len) != 1) {
			rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
			                  "signature by %s does not verify",
			                  name);
			goto done;
		}
		n_ok++;
	}
	if (n_ok == 0) {
		rc = mf_error_set(err, MF_E_UNKNOWN_KEY, NULL,
		                  "note has no signature by a known key");
		goto done;
	}
	rc = 0;
done:
	if (rc != 0)
		*text_len = 0;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}
