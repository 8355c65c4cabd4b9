/*
 * C2SP signed notes with Ed25519 keys (c2sp.org/signed-note): key strings,
 * signing a text, and verifying a note against known verifier keys.
 *
 *   verifier key:  <name>+<hash>+<base64(0x01 || 32-byte public key)>
 *   signer key:    PRIVATE+KEY+<name>+<hash>+<base64(0x01 || 32-byte seed)>
 *   hash:          first 4 bytes of SHA-256(name || 0x0A || 0x01 || pk),
 *                  as 8 lowercase hex digits
 *   note:          text (ending in "\n"), a blank line, then lines
 *                  "— <name> <base64(hash || 64-byte signature)>\n"
 *
 * Key names are restricted to printable ASCII without space or '+'.
 * Signers and verifiers are immutable after creation and own their keys;
 * strings returned through `char **` are new (free() them).
 */
#ifndef MF_NOTE_H
#define MF_NOTE_H

#include "common/error.h"

#include <stddef.h>
#include <stdint.h>

#define MF_NOTE_MAX_SIZE       65536
#define MF_NOTE_MAX_SIGNATURES 100
#define MF_NOTE_NAME_MAX       255

struct mf_note_signer;
struct mf_note_verifier;

/* A fresh Ed25519 key pair as a signer and a verifier key string. */
int mf_note_generate_key(char **signer_key, char **verifier_key,
                         const char *name, struct mf_error *err);

/*
 * Parses "PRIVATE+KEY+..."; MF_E_BAD_KEY when malformed. Several keys, one
 * per line (at most 4), make one signer whose notes carry a signature line
 * by each, in order: a log key rotation's overlap, when checkpoints are
 * signed by the old key and the new. The first is the signer's own name
 * and verifier key; mf_note_signer_next walks the co-signers (NULL: none).
 */
int mf_note_signer_new(struct mf_note_signer **out, const char *skey,
                       struct mf_error *err);
const struct mf_note_signer *
mf_note_signer_next(const struct mf_note_signer *s);
void mf_note_signer_free(struct mf_note_signer *s);
const char *mf_note_signer_name(const struct mf_note_signer *s);
/* The matching verifier key string. */
int mf_note_signer_verifier_key(const struct mf_note_signer *s, char **out);

/* Parses "<name>+<hash>+<key>"; MF_E_BAD_KEY when malformed. */
int mf_note_verifier_new(struct mf_note_verifier **out, const char *vkey,
                         struct mf_error *err);
void mf_note_verifier_free(struct mf_note_verifier *v);
const char *mf_note_verifier_name(const struct mf_note_verifier *v);
uint32_t mf_note_verifier_hash(const struct mf_note_verifier *v);

/*
 * Signs text (valid UTF-8 without control characters other than newline,
 * ending in "\n") into a new note: text, "\n", one signature line per
 * key of the signer (its co-signers after it).
 */
int mf_note_sign(char **out, size_t *out_len, const char *text, size_t len,
                 const struct mf_note_signer *s, struct mf_error *err);

/*
 * Verifies a note. Signatures by keys not in `verifiers` are ignored (as
 * the spec requires); a signature by a known key that does not verify is
 * an error, and at least one known key must have signed. On success
 * *text_len is the length of the signed text, a prefix of note.
 * Returns 0, MF_E_BAD_NOTE (malformed, too large, too many signatures),
 * MF_E_UNKNOWN_KEY (no known key signed) or MF_E_BAD_SIGNATURE.
 */
int mf_note_verify(const char *note, size_t len,
                   const struct mf_note_verifier *const *verifiers,
                   size_t n_verifiers, size_t *text_len, struct mf_error *err);

/*
 * The grammar signed-note keys and signature lines share with witness
 * cosignatures (merkle/cosignature.c), which differ only in the key type
 * byte (0x01 here, 0x04 there) and in what is signed.
 */
#define MF_NOTE_ALG_ED25519 0x01

/* 1 when name[0..len) is 1..MF_NOTE_NAME_MAX printable ASCII characters
 * without space or '+', else 0. */
int mf_note_name_valid(const char *name, size_t len);
/* The key id: the first 4 bytes of SHA-256(name || "\n" || alg || pub),
 * big-endian. */
uint32_t mf_note_key_id(const char *name, uint8_t alg, const uint8_t pub[32]);
/*
 * Parses s[0..len) = "<name>+<8 lowercase hex>+<base64(alg || 32 bytes)>"
 * (canonical padded base64) into name, *hash and key. 0, or -1 when
 * anything is malformed. The id is not checked against the key here.
 */
int mf_note_key_parse(const char *s, size_t len, uint8_t alg,
                      char name[MF_NOTE_NAME_MAX + 1], uint32_t *hash,
                      uint8_t key[32]);
/* "<prefix><name>+<hash>+<base64(alg || key)>" into a new string (the
 * temporary copies are cleansed: key may be a private seed). 0 or
 * MF_E_NOMEM. */
int mf_note_key_format(char **out, const char *prefix, const char *name,
                       uint32_t hash, uint8_t alg, const uint8_t key[32]);
/*
 * One signature line without its newline, "\u2014 <name> <base64>" in the
 * standard alphabet: the name, and the decoded bytes in a new *raw (at
 * least 5: a key id and something). 0, or -1 when malformed.
 */
int mf_note_sig_line_parse(const char *line, size_t len,
                           char name[MF_NOTE_NAME_MAX + 1], uint8_t **raw,
                           size_t *raw_len);

#endif
