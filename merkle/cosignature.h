/*
 * C2SP tlog-cosignature v1.0.1, the Ed25519 "cosignature/v1" type: what a
 * witness adds to a log's checkpoint to say it saw that tree head and
 * checked it is consistent with every earlier one it saw.
 *
 *   verifier key (vkey): <name>+<key id>+<base64(0x04 || 32-byte public key)>
 *   signer key:          PRIVATE+KEY+<name>+<key id>+<base64(0x04 || seed)>
 *                        (our own private format, after signed-note's)
 *   key id:              SHA-256(name || "\n" || 0x04 || public key)[:4],
 *                        as 8 lowercase hex digits in key strings
 *   signed message:      "cosignature/v1\n" "time <T>\n" <checkpoint body>
 *   signature line:      "— <name> base64(key id || u64 T big-endian ||
 *                        64-byte Ed25519 signature)\n"
 *
 * A cosignature line is an ordinary signed-note signature line (type 0x04
 * instead of the log key's 0x01), so a cosigned checkpoint is the log's
 * signed note with more lines appended. Pure (OpenSSL only). Keys are
 * immutable once made and own their key material; strings returned
 * through `char **` are new (free() them); names returned as `const char *`
 * are borrowed from the key.
 */
#ifndef MF_COSIGNATURE_H
#define MF_COSIGNATURE_H

#include "common/error.h"
#include "merkle/note.h"

#include <stddef.h>
#include <stdint.h>

/* The signature line's payload: key id, timestamp, Ed25519 signature. */
#define MF_COSIG_SIG_LEN (4 + 8 + 64)
/* The longest checkpoint text (without signatures) that is cosigned. */
#define MF_COSIG_MAX_BODY (MF_NOTE_MAX_SIZE / 2)
/* Timestamps are POSIX seconds and must not exceed 2^63 - 1. */
#define MF_COSIG_MAX_TIMESTAMP ((uint64_t)INT64_MAX)

struct mf_cosigner;       /* a witness's private key and name */
struct mf_cosig_verifier; /* a witness's name + public key (vkey, 0x04) */

/*
 * A new key pair: *skey the private key string, *vkey
 * "<name>+<hash>+<base64(0x04||pub)>". MF_E_BAD_PARAM for a name that is
 * not 1..255 printable ASCII characters without space or '+'.
 */
int mf_cosig_generate_key(char **skey, char **vkey, const char *name,
                          struct mf_error *err);

/* Parses a signer key string (one line; a final newline is allowed);
 * MF_E_BAD_KEY when malformed or when its key id does not match. */
int mf_cosigner_new(struct mf_cosigner **out, const char *skey,
                    struct mf_error *err);
void mf_cosigner_free(struct mf_cosigner *s);
const char *mf_cosigner_name(const struct mf_cosigner *s);
/* The matching verifier key string (new). */
int mf_cosigner_verifier_key(const struct mf_cosigner *s, char **vkey);

/*
 * Signs the checkpoint body (the note text, ending "\n"; it must parse as
 * a tlog-checkpoint) at `timestamp` (Unix seconds, at most 2^63 - 1):
 * *line = "\u2014 <name> <base64(keyid||timestamp||sig)>\n" (new).
 * MF_E_BAD_NOTE for a body that is not a checkpoint, MF_E_BAD_PARAM for a
 * timestamp out of range.
 */
int mf_cosig_sign(char **line, const struct mf_cosigner *s, const char *body,
                  size_t len, uint64_t timestamp, struct mf_error *err);

/* Parses "<name>+<hash>+<base64(0x04||pub)>"; MF_E_BAD_KEY when malformed
 * (a signed-note 0x01 key is not a cosignature key). */
int mf_cosig_verifier_new(struct mf_cosig_verifier **out, const char *vkey,
                          struct mf_error *err);
void mf_cosig_verifier_free(struct mf_cosig_verifier *v);
const char *mf_cosig_verifier_name(const struct mf_cosig_verifier *v);
uint32_t mf_cosig_verifier_hash(const struct mf_cosig_verifier *v);
/* The canonical vkey string, borrowed from v. */
const char *mf_cosig_verifier_key(const struct mf_cosig_verifier *v);

/*
 * Looks among the signature lines of `note` (a signed checkpoint: text,
 * blank line, signature lines) for v's cosignature: 1 found and valid
 * (*timestamp set), 0 none by this key, MF_E_* (negative) when a line with
 * v's name and key id does not verify (a forged or corrupt cosignature:
 * MF_E_BAD_SIGNATURE), when v signed twice, or when the note is malformed
 * or larger than MF_NOTE_MAX_SIZE (MF_E_BAD_NOTE). Lines by other keys
 * (the log's, other witnesses') are ignored as signed-note requires.
 */
int mf_cosig_verify_note(const char *note, size_t len,
                         const struct mf_cosig_verifier *v, uint64_t *timestamp,
                         struct mf_error *err);

#endif
