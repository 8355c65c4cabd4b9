/*
 * Key parsing, key ids and key generation on OpenSSL 3 EVP (see keys.h).
 * Registered keys are checked here once, so verification can trust that a
 * struct mf_key is one of the four supported kinds and within size bounds.
 */
#include "envelope/keys.h"
#include "common/buf.h"
#include "common/digest.h"
#include "common/encoding.h"
#include "envelope/sshbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

struct mf_key {
	EVP_PKEY *pkey;
	enum mf_key_alg alg;
	int priv;
	uint8_t *spki;
	size_t spki_len;
	char id[MF_KEYID_HEX_LEN + 1];
};

static const char *const alg_names[MF_KEY__MAX] = {
    [MF_KEY_ED25519] = "ed25519",
    [MF_KEY_ECDSA_P256] = "ecdsa-p256",
    [MF_KEY_RSA_PSS] = "rsa-pss",
    [MF_KEY_SSH_ED25519] = "ssh-ed25519",
};

/* AlgorithmIdentifier of id-ecPublicKey with the named curve prime256v1. */
static const uint8_t p256_alg_id[] = {0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                      0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
                                      0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

static const char openssh_magic[] = "openssh-key-v1";

const char *
mf_key_alg_name(enum mf_key_alg alg)
{
	if ((unsigned)alg >= MF_KEY__MAX)
		return "unknown";
	return alg_names[alg];
}

int
mf_key_alg_from_name(enum mf_key_alg *out, const char *name)
{
	int i;

	for (i = 0; i < MF_KEY__MAX; i++) {
		if (name != NULL && strcmp(name, alg_names[i]) == 0) {
			*out = (enum mf_key_alg)i;
			return 0;
		}
	}
	return MF_E_BAD_KEY;
}

void
mf_key_free(struct mf_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey);
	free(key->spki);
	free(key);
}

/* Whitespace as it may surround pasted keys. */
static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
trim(const char **text, size_t *len)
{
	while (*len > 0 && is_space(**text)) {
		(*text)++;
		(*len)--;
	}
	while (*len > 0 && is_space((*text)[*len - 1]))
		(*len)--;
}

static int
starts_with(const char *text, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(text, prefix, n) == 0;
}

/*
 * Checks that an OpenSSL key is one we support, and names its algorithm.
 * Ed25519 keys become MF_KEY_ED25519; callers switch to ssh-ed25519.
 */
static int
classify(EVP_PKEY *pkey, const uint8_t *spki, size_t spki_len,
         enum mf_key_alg *alg, struct mf_error *err)
{
	char group[64];
	size_t glen = 0;
	int bits;

	if (EVP_PKEY_is_a(pkey, "ED25519")) {
		*alg = MF_KEY_ED25519;
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "EC")) {
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group),
		                            &glen) != 1)
			return mf_error_set(err, MF_E_BAD_KEY, NULL,
			                    "EC key without a named curve; "
			                    "only P-256 is supported");
		if (strcmp(group, "prime256v1") != 0 &&
		    strcmp(group, "P-256") != 0)
			return mf_error_set(err, MF_E_BAD_KEY, NULL,
			                    "EC curve %s is not supported; "
			                    "only P-256 (prime256v1) is",
			                    group);
		/* Explicit curve parameters would give another key id. */
		if (spki_len < 2 + sizeof(p256_alg_id) ||
		    memcmp(spki + 2, p256_alg_id, sizeof(p256_alg_id)) != 0)
			return mf_error_set(err, MF_E_BAD_KEY, NULL,
			                    "P-256 key must name its curve "
			                    "(explicit parameters are not "
			                    "accepted)");
		*alg = MF_KEY_ECDSA_P256;
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS")) {
		bits = EVP_PKEY_get_bits(pkey);
		if (bits < MF_KEY_RSA_MIN_BITS)
			return mf_error_set(err, MF_E_BAD_KEY, NULL,
			                    "RSA key has %d bits; at least %d "
			                    "are required",
			                    bits, MF_KEY_RSA_MIN_BITS);
		if (bits > MF_KEY_RSA_MAX_BITS)
			return mf_error_set(err, MF_E_BAD_KEY, NULL,
			                    "RSA key has %d bits; at most %d "
			                    "are accepted",
			                    bits, MF_KEY_RSA_MAX_BITS);
		*alg = MF_KEY_RSA_PSS;
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "DSA"))
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "DSA keys are not supported; use Ed25519, "
		                    "ECDSA P-256 or RSA");
	return mf_error_set(err, MF_E_BAD_KEY, NULL,
	                    "unsupported key type %s; use Ed25519, ECDSA "
	                    "P-256 or RSA",
	                    EVP_PKEY_get0_type_name(pkey) != NULL
	                        ? EVP_PKEY_get0_type_name(pkey)
	                        : "(unknown)");
}

/* Takes ownership of pkey (freed on failure too). */
static int
key_new(struct mf_key **out, EVP_PKEY *pkey, int priv, struct mf_error *err)
{
	struct mf_key *k = NULL;
	unsigned char *der = NULL;
	int n, rc;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	k->pkey = pkey;
	pkey = NULL;
	k->priv = priv;
	if ((n = i2d_PUBKEY(k->pkey, &der)) <= 0) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "cannot encode the public key");
		goto done;
	}
	if ((k->spki = malloc((size_t)n)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	memcpy(k->spki, der, (size_t)n);
	k->spki_len = (size_t)n;
	if ((rc = classify(k->pkey, k->spki, k->spki_len, &k->alg, err)) != 0)
		goto done;
	mf_sha256_hex(k->id, k->spki, k->spki_len);
	*out = k;
	k = NULL;
	rc = 0;
done:
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	mf_key_free(k);
	return rc;
}

/*
 * Reads exactly one PEM block from text (already trimmed) and returns its
 * type name and DER. Trailing text after the block is rejected, since a
 * pasted key with something after it is more likely a mistake than intent.
 */
static int
pem_decode(const char *text, size_t len, char **name, uint8_t **der,
           long *der_len, struct mf_error *err)
{
	BIO *bio = NULL;
	char *header = NULL;
	unsigned char *data = NULL;
	char rest[64];
	int n, rc;

	*name = NULL;
	*der = NULL;
	if ((bio = BIO_new_mem_buf(text, (int)len)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (PEM_read_bio(bio, name, &header, &data, der_len) != 1) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "malformed PEM block");
		goto done;
	}
	if (header != NULL && header[0] != '\0') {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "PEM headers are not accepted (encrypted "
		                  "traditional keys are not supported)");
		goto done;
	}
	while ((n = BIO_read(bio, rest, sizeof(rest))) > 0) {
		int i;

		for (i = 0; i < n; i++) {
			if (!is_space(rest[i])) {
				rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
				                  "unexpected text after the "
				                  "PEM block");
				goto done;
			}
		}
	}
	*der = data;
	data = NULL;
	rc = 0;
done:
	if (rc != 0) {
		OPENSSL_free(*name);
		*name = NULL;
	}
	OPENSSL_free(header);
	OPENSSL_free(data);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

static int
parse_pem_public(struct mf_key **out, const char *text, size_t len,
                 struct mf_error *err)
{
	char *name = NULL;
	uint8_t *der = NULL;
	const unsigned char *p;
	long der_len = 0;
	EVP_PKEY *pkey = NULL;
	int rc;

	if ((rc = pem_decode(text, len, &name, &der, &der_len, err)) != 0)
		goto done;
	if (strcmp(name, "PUBLIC KEY") != 0) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "expected a PEM \"PUBLIC KEY\" "
		                  "(SubjectPublicKeyInfo), got \"%s\"",
		                  name);
		goto done;
	}
	p = der;
	pkey = d2i_PUBKEY(NULL, &p, der_len);
	if (pkey == NULL) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "malformed or unsupported "
		                  "SubjectPublicKeyInfo");
		goto done;
	}
	if (p != der + der_len) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "trailing bytes after the "
		                  "SubjectPublicKeyInfo");
		goto done;
	}
	rc = key_new(out, pkey, 0, err);
	pkey = NULL;
done:
	EVP_PKEY_free(pkey);
	OPENSSL_free(name);
	OPENSSL_free(der);
	ERR_clear_error();
	return rc;
}

static int
ed25519_from_raw(struct mf_key **out, const uint8_t pk[32], enum mf_key_alg alg,
                 struct mf_error *err)
{
	EVP_PKEY *pkey;
	int rc;

	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	if (pkey == NULL) {
		ERR_clear_error();
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "invalid Ed25519 public key");
	}
	if ((rc = key_new(out, pkey, 0, err)) != 0)
		return rc;
	(*out)->alg = alg;
	return 0;
}

/* "ssh-ed25519 BASE64 [comment]" on one line. */
static int
parse_ssh_line(struct mf_key **out, const char *text, size_t len,
               struct mf_error *err)
{
	const char *b64 = text + strlen("ssh-ed25519 "), *end;
	uint8_t *blob = NULL;
	size_t blob_len = 0, i;
	struct mf_sshbuf r;
	const uint8_t *pk;
	size_t pk_len;
	int rc;

	for (i = 0; i < len; i++) {
		if (text[i] == '\n' || text[i] == '\r' || text[i] == '\0') {
			return mf_error_set(err, MF_E_BAD_KEY, NULL,
			                    "an ssh-ed25519 key must be a "
			                    "single line");
		}
	}
	while (b64 < text + len && *b64 == ' ')
		b64++;
	end = b64;
	while (end < text + len && *end != ' ' && *end != '\t')
		end++;
	if (mf_base64_decode(&blob, &blob_len, b64, (size_t)(end - b64)) != 0) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "ssh-ed25519 key: invalid base64");
		goto done;
	}
	mf_sshbuf_init(&r, blob, blob_len);
	if (mf_sshbuf_get_expect(&r, "ssh-ed25519") != 0 ||
	    mf_sshbuf_get_string(&r, &pk, &pk_len) != 0 || pk_len != 32 ||
	    mf_sshbuf_left(&r) != 0) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "ssh-ed25519 key: malformed key blob "
		                  "(want string \"ssh-ed25519\" and a "
		                  "32-byte key)");
		goto done;
	}
	rc = ed25519_from_raw(out, pk, MF_KEY_SSH_ED25519, err);
done:
	free(blob);
	return rc;
}

int
mf_key_parse_public(struct mf_key **out, const char *text, size_t len,
                    struct mf_error *err)
{
	*out = NULL;
	if (text == NULL)
		return mf_error_set(err, MF_E_BAD_KEY, NULL, "no key given");
	if (len > MF_KEY_TEXT_MAX)
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "public key text is longer than %d bytes",
		                    MF_KEY_TEXT_MAX);
	if (memchr(text, '\0', len) != NULL)
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "public key text contains a NUL byte");
	trim(&text, &len);
	if (starts_with(text, len, "-----BEGIN "))
		return parse_pem_public(out, text, len, err);
	if (starts_with(text, len, "ssh-ed25519 "))
		return parse_ssh_line(out, text, len, err);
	if (starts_with(text, len, "ssh-") || starts_with(text, len, "ecdsa-"))
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "only ssh-ed25519 SSH keys are accepted");
	return mf_error_set(err, MF_E_BAD_KEY, NULL,
	                    "not a PEM public key (-----BEGIN PUBLIC "
	                    "KEY-----) or an ssh-ed25519 line");
}

/* Passphrase callback that never prompts on a terminal. */
static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	size_t n;

	(void)rwflag;
	if (u == NULL)
		return -1;
	n = strlen(u);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, u, n);
	return (int)n;
}

/*
 * The unencrypted OpenSSH private key format (PROTOCOL.key) with exactly
 * one Ed25519 key.
 */
static int
parse_openssh_private(struct mf_key **out, const char *text, size_t len,
                      struct mf_error *err)
{
	char *name = NULL;
	uint8_t *der = NULL;
	long der_len = 0;
	struct mf_sshbuf r, s;
	const uint8_t *magic, *pubblob, *priv, *pk, *sk, *cipher, *skip;
	size_t pubblob_len, priv_len, pk_len, sk_len, cipher_len, n, i;
	uint32_t nkeys, check1, check2;
	EVP_PKEY *pkey = NULL;
	uint8_t derived[32];
	size_t derived_len = sizeof(derived);
	int rc;

	if ((rc = pem_decode(text, len, &name, &der, &der_len, err)) != 0)
		goto done;
	/* Any `goto done` below with rc still 1 means "malformed". */
	rc = 1;
	mf_sshbuf_init(&r, der, (size_t)der_len);
	if (mf_sshbuf_get_raw(&r, &magic, sizeof(openssh_magic)) != 0 ||
	    memcmp(magic, openssh_magic, sizeof(openssh_magic)) != 0)
		goto done;
	if (mf_sshbuf_get_string(&r, &cipher, &cipher_len) != 0)
		goto done;
	if (cipher_len != 4 || memcmp(cipher, "none", 4) != 0) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "encrypted OpenSSH keys are not supported; "
		                  "remove the passphrase with ssh-keygen -p "
		                  "on a copy");
		goto done;
	}
	if (mf_sshbuf_get_string(&r, &skip, &n) != 0 || /* kdfname */
	    mf_sshbuf_get_string(&r, &skip, &n) != 0 || /* kdfoptions */
	    mf_sshbuf_get_u32(&r, &nkeys) != 0 || nkeys != 1 ||
	    mf_sshbuf_get_string(&r, &pubblob, &pubblob_len) != 0 ||
	    mf_sshbuf_get_string(&r, &priv, &priv_len) != 0 ||
	    mf_sshbuf_left(&r) != 0)
		goto done;
	mf_sshbuf_init(&s, priv, priv_len);
	if (mf_sshbuf_get_u32(&s, &check1) != 0 ||
	    mf_sshbuf_get_u32(&s, &check2) != 0 || check1 != check2)
		goto done;
	if (mf_sshbuf_get_expect(&s, "ssh-ed25519") != 0) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "only ssh-ed25519 OpenSSH private keys are "
		                  "supported");
		goto done;
	}
	if (mf_sshbuf_get_string(&s, &pk, &pk_len) != 0 || pk_len != 32 ||
	    mf_sshbuf_get_string(&s, &sk, &sk_len) != 0 || sk_len != 64 ||
	    memcmp(sk + 32, pk, 32) != 0 ||
	    mf_sshbuf_get_string(&s, &skip, &n) != 0) /* comment */
		goto done;
	/* Padding is 1, 2, 3, ... up to the cipher block size. */
	for (i = 1; mf_sshbuf_left(&s) > 0; i++) {
		if (mf_sshbuf_get_raw(&s, &skip, 1) != 0 || skip[0] != i)
			goto done;
	}
	/* The public blob in the header must be the same key. */
	mf_sshbuf_init(&s, pubblob, pubblob_len);
	if (mf_sshbuf_get_expect(&s, "ssh-ed25519") != 0 ||
	    mf_sshbuf_get_string(&s, &skip, &n) != 0 || n != 32 ||
	    memcmp(skip, pk, 32) != 0)
		goto done;
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk, 32);
	if (pkey == NULL ||
	    EVP_PKEY_get_raw_public_key(pkey, derived, &derived_len) != 1 ||
	    derived_len != 32 || memcmp(derived, pk, 32) != 0)
		goto done;
	if ((rc = key_new(out, pkey, 1, err)) == 0)
		(*out)->alg = MF_KEY_SSH_ED25519;
	pkey = NULL;
done:
	if (rc == 1)
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "malformed OpenSSH private key");
	EVP_PKEY_free(pkey);
	OPENSSL_free(name);
	OPENSSL_cleanse(der, (size_t)der_len);
	OPENSSL_free(der);
	ERR_clear_error();
	return rc;
}

int
mf_key_parse_private(struct mf_key **out, const char *text, size_t len,
                     const char *passphrase, struct mf_error *err)
{
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	int rc;

	*out = NULL;
	if (text == NULL || len > MF_KEY_TEXT_MAX)
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "private key text missing or too long");
	trim(&text, &len);
	if (starts_with(text, len, "-----BEGIN OPENSSH PRIVATE KEY-----"))
		return parse_openssh_private(out, text, len, err);
	if (!starts_with(text, len, "-----BEGIN "))
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "not a PEM or OpenSSH private key");
	if ((bio = BIO_new_mem_buf(text, (int)len)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, (void *)passphrase);
	if (pkey == NULL) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "cannot read the private key (malformed, "
		                  "unsupported, or a wrong/missing "
		                  "passphrase)");
		goto done;
	}
	rc = key_new(out, pkey, 1, err);
	pkey = NULL;
done:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

int
mf_key_load_private_file(struct mf_key **out, const char *path,
                         const char *passphrase, struct mf_error *err)
{
	char buf[MF_KEY_TEXT_MAX + 1];
	size_t n;
	FILE *f;
	int rc;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return mf_error_set(err, MF_E_IO, NULL, "cannot open %s: %s",
		                    path, strerror(errno));
	n = fread(buf, 1, sizeof(buf), f);
	if (ferror(f)) {
		fclose(f);
		return mf_error_set(err, MF_E_IO, NULL, "cannot read %s", path);
	}
	fclose(f);
	if (n > MF_KEY_TEXT_MAX)
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "%s is too large for a key file", path);
	rc = mf_key_parse_private(out, buf, n, passphrase, err);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int
mf_key_generate(struct mf_key **out, enum mf_key_alg alg, struct mf_error *err)
{
	EVP_PKEY *pkey = NULL;
	int rc;

	*out = NULL;
	switch (alg) {
	case MF_KEY_ED25519:
	case MF_KEY_SSH_ED25519:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case MF_KEY_ECDSA_P256:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case MF_KEY_RSA_PSS:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
		                         (size_t)MF_KEY_RSA_GEN_BITS);
		break;
	default:
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "unknown key algorithm");
	}
	if (pkey == NULL) {
		ERR_clear_error();
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "key generation failed");
	}
	if ((rc = key_new(out, pkey, 1, err)) != 0)
		return rc;
	(*out)->alg = alg;
	return 0;
}

enum mf_key_alg
mf_key_alg(const struct mf_key *key)
{
	return key->alg;
}

int
mf_key_set_alg(struct mf_key *key, enum mf_key_alg alg)
{
	int ed_now =
	    key->alg == MF_KEY_ED25519 || key->alg == MF_KEY_SSH_ED25519;
	int ed_new = alg == MF_KEY_ED25519 || alg == MF_KEY_SSH_ED25519;

	if (alg == key->alg)
		return 0;
	if (!ed_now || !ed_new)
		return MF_E_BAD_KEY;
	key->alg = alg;
	return 0;
}

int
mf_key_has_private(const struct mf_key *key)
{
	return key->priv;
}

const char *
mf_key_id(const struct mf_key *key)
{
	return key->id;
}

const uint8_t *
mf_key_spki_der(const struct mf_key *key, size_t *len)
{
	*len = key->spki_len;
	return key->spki;
}

int
mf_key_bits(const struct mf_key *key)
{
	return EVP_PKEY_get_bits(key->pkey);
}

struct evp_pkey_st *
mf_key_evp(const struct mf_key *key)
{
	return key->pkey;
}

int
mf_key_ed25519_public(const struct mf_key *key, uint8_t out[32])
{
	size_t n = 32;

	if (key->alg != MF_KEY_ED25519 && key->alg != MF_KEY_SSH_ED25519)
		return MF_E_BAD_KEY;
	if (EVP_PKEY_get_raw_public_key(key->pkey, out, &n) != 1 || n != 32) {
		ERR_clear_error();
		return MF_E_INTERNAL;
	}
	return 0;
}

/* Drains a memory BIO into a new NUL-terminated string. */
static int
bio_to_string(BIO *bio, char **out)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);

	if (n < 0 || (*out = malloc((size_t)n + 1)) == NULL)
		return MF_E_NOMEM;
	memcpy(*out, data, (size_t)n);
	(*out)[n] = '\0';
	return 0;
}

int
mf_key_public_pem(const struct mf_key *key, char **out)
{
	BIO *bio;
	int rc;

	*out = NULL;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return MF_E_NOMEM;
	if (PEM_write_bio_PUBKEY(bio, key->pkey) != 1)
		rc = MF_E_INTERNAL;
	else
		rc = bio_to_string(bio, out);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

int
mf_key_private_pem(const struct mf_key *key, char **out)
{
	BIO *bio;
	int rc;

	*out = NULL;
	if (!key->priv)
		return MF_E_BAD_KEY;
	if ((bio = BIO_new(BIO_s_secmem())) == NULL &&
	    (bio = BIO_new(BIO_s_mem())) == NULL)
		return MF_E_NOMEM;
	if (PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL,
	                             NULL) != 1)
		rc = MF_E_INTERNAL;
	else
		rc = bio_to_string(bio, out);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

int
mf_key_ssh_blob(const struct mf_key *key, uint8_t **out, size_t *len)
{
	struct mf_buf b = MF_BUF_INIT;
	uint8_t pk[32];
	int rc;

	*out = NULL;
	*len = 0;
	if ((rc = mf_key_ed25519_public(key, pk)) != 0)
		return rc;
	if ((rc = mf_sshbuf_put_cstring(&b, "ssh-ed25519")) != 0 ||
	    (rc = mf_sshbuf_put_string(&b, pk, 32)) != 0) {
		mf_buf_dispose(&b);
		return rc;
	}
	*out = (uint8_t *)mf_buf_detach(&b, len);
	return 0;
}

int
mf_key_ssh_public(const struct mf_key *key, const char *comment, char **out)
{
	uint8_t *blob = NULL;
	size_t blob_len;
	char *b64 = NULL;
	struct mf_buf b = MF_BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = mf_key_ssh_blob(key, &blob, &blob_len)) != 0)
		goto done;
	if ((b64 = mf_base64_encode_alloc(blob, blob_len)) == NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	if (comment != NULL && comment[0] != '\0')
		rc = mf_buf_printf(&b, "ssh-ed25519 %s %s", b64, comment);
	else
		rc = mf_buf_printf(&b, "ssh-ed25519 %s", b64);
	if (rc == 0)
		*out = mf_buf_detach(&b, NULL);
done:
	mf_buf_dispose(&b);
	free(blob);
	free(b64);
	return rc;
}

int
mf_key_write_secret_file(const char *path, const char *text,
                         struct mf_error *err)
{
	size_t len = strlen(text), off = 0;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return mf_error_set(err, MF_E_IO, NULL, "cannot create %s: %s",
		                    path, strerror(errno));
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = mf_error_set(err, MF_E_IO, NULL,
			                  "cannot write %s: %s", path,
			                  strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = mf_error_set(err, MF_E_IO, NULL, "cannot sync %s: %s",
		                  path, strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = mf_error_set(err, MF_E_IO, NULL, "cannot close %s: %s",
		                  path, strerror(errno));
	if (rc != 0)
		unlink(path);
	return rc;
}
