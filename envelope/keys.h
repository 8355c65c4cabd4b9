/*
 * Signing keys: parsing registered public keys (PEM SubjectPublicKeyInfo or
 * an `ssh-ed25519` line), key ids, loading private keys for the CLI and the
 * registry's own keys, and generating new ones.
 *
 * A struct mf_key is immutable once made and may be shared between threads
 * for verification. It owns its OpenSSL key; mf_key_free releases it.
 * Strings returned through `char **out` are new and the caller free()s them;
 * strings returned as the value are borrowed from the key.
 */
#ifndef MF_KEYS_H
#define MF_KEYS_H

#include "common/error.h"

#include <stddef.h>
#include <stdint.h>

/*
 * The algorithm of a registered key; the names are stored in the database.
 * ssh-ed25519 is an Ed25519 key whose signatures are SSHSIG blobs.
 */
enum mf_key_alg {
	MF_KEY_ED25519,
	MF_KEY_ECDSA_P256,
	MF_KEY_RSA_PSS,
	MF_KEY_SSH_ED25519,
	MF_KEY__MAX
};

/* Bounds on what we accept (RSA size bounds verification CPU). */
#define MF_KEY_TEXT_MAX     16384
#define MF_KEY_RSA_MIN_BITS 2048
#define MF_KEY_RSA_MAX_BITS 8192
#define MF_KEY_RSA_GEN_BITS 3072
#define MF_KEYID_HEX_LEN    64

struct mf_key;

/* "ed25519", "ecdsa-p256", "rsa-pss", "ssh-ed25519". */
const char *mf_key_alg_name(enum mf_key_alg alg);
/* 0, or MF_E_BAD_KEY for an unknown name. */
int mf_key_alg_from_name(enum mf_key_alg *out, const char *name);

/*
 * Parses a public key as registered: a PEM "PUBLIC KEY" block (Ed25519,
 * ECDSA P-256 with a named curve, RSA 2048..8192 bits) or one OpenSSH line
 * "ssh-ed25519 BASE64 [comment]". Leading and trailing whitespace is
 * ignored. Returns 0 or MF_E_BAD_KEY (with a precise message) or
 * MF_E_NOMEM.
 */
int mf_key_parse_public(struct mf_key **out, const char *text, size_t len,
                        struct mf_error *err);

/*
 * Loads a private key: PEM PKCS#8 ("PRIVATE KEY", or "ENCRYPTED PRIVATE
 * KEY" with passphrase), traditional PEM ("EC PRIVATE KEY", "RSA PRIVATE
 * KEY"), or an unencrypted OpenSSH Ed25519 key ("OPENSSH PRIVATE KEY",
 * whose algorithm is then ssh-ed25519). passphrase may be NULL.
 */
int mf_key_parse_private(struct mf_key **out, const char *text, size_t len,
                         const char *passphrase, struct mf_error *err);
/* Reads and parses a private key file. MF_E_IO when it cannot be read. */
int mf_key_load_private_file(struct mf_key **out, const char *path,
                             const char *passphrase, struct mf_error *err);

/* Generates Ed25519, ECDSA P-256 or RSA 3072 (used as RSA-PSS) keys. */
int mf_key_generate(struct mf_key **out, enum mf_key_alg alg,
                    struct mf_error *err);

void mf_key_free(struct mf_key *key);

enum mf_key_alg mf_key_alg(const struct mf_key *key);
/*
 * Switches an Ed25519 key between ed25519 and ssh-ed25519 (the same key
 * material and key id, a different signature format). MF_E_BAD_KEY for
 * any other change.
 */
int mf_key_set_alg(struct mf_key *key, enum mf_key_alg alg);
int mf_key_has_private(const struct mf_key *key);
/* Lowercase hex SHA-256 of the SPKI DER; borrowed, 64 characters. */
const char *mf_key_id(const struct mf_key *key);
/* The SubjectPublicKeyInfo DER; borrowed. */
const uint8_t *mf_key_spki_der(const struct mf_key *key, size_t *len);
/* Key size in bits (255 for Ed25519, 256 for P-256, modulus for RSA). */
int mf_key_bits(const struct mf_key *key);
/* The 32-byte Ed25519 public key; MF_E_BAD_KEY for other algorithms. */
int mf_key_ed25519_public(const struct mf_key *key, uint8_t out[32]);
/* The borrowed EVP_PKEY, for code that needs OpenSSL directly. */
struct evp_pkey_st *mf_key_evp(const struct mf_key *key);

/* PEM SubjectPublicKeyInfo text. */
int mf_key_public_pem(const struct mf_key *key, char **out);
/* "ssh-ed25519 BASE64[ comment]" (no newline) for Ed25519 keys. */
int mf_key_ssh_public(const struct mf_key *key, const char *comment,
                      char **out);
/* The SSH wire public key blob (string "ssh-ed25519", string pk). */
int mf_key_ssh_blob(const struct mf_key *key, uint8_t **out, size_t *len);
/* Unencrypted PKCS#8 PEM of the private key; MF_E_BAD_KEY if public. */
int mf_key_private_pem(const struct mf_key *key, char **out);

/*
 * Writes text to a new file with mode 0600 (fails with MF_E_IO if the file
 * exists, so a key is never overwritten by accident).
 */
int mf_key_write_secret_file(const char *path, const char *text,
                             struct mf_error *err);

#endif
