/*
 * C2SP tlog-checkpoint bodies (c2sp.org/tlog-checkpoint):
 *
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[extension lines]
 *
 * signed as a C2SP signed note (log/note.h) by the registry's log key. The
 * sequencer formats and signs them; the CLI and proof endpoints open them.
 */
#ifndef MF_CHECKPOINT_H
#define MF_CHECKPOINT_H

#include "common/error.h"
#include "merkle/merkle.h"
#include "merkle/note.h"

#include <stddef.h>
#include <stdint.h>

struct mf_checkpoint {
	char *origin; /* owned */
	uint64_t size;
	uint8_t root[MF_MERKLE_HASH_LEN];
	char *extensions; /* owned: extension lines, each ending "\n"; or "" */
};

void mf_checkpoint_init(struct mf_checkpoint *cp);
void mf_checkpoint_dispose(struct mf_checkpoint *cp);

/*
 * Formats a checkpoint body into a new string. extensions may be NULL, or
 * non-empty lines each ending in "\n". MF_E_BAD_PARAM for a bad origin
 * (empty, or with a newline) or bad extension lines.
 */
int mf_checkpoint_format(char **out, const char *origin, uint64_t size,
                         const uint8_t root[MF_MERKLE_HASH_LEN],
                         const char *extensions);

/*
 * Parses a checkpoint body strictly: non-empty origin, size in decimal
 * without leading zeros that fits 64 bits, the root as padded standard
 * base64 of 32 bytes, then optional non-empty extension lines; the text
 * ends in "\n". MF_E_BAD_NOTE when malformed.
 */
int mf_checkpoint_parse(struct mf_checkpoint *cp, const char *text, size_t len,
                        struct mf_error *err);

/* Formats and signs: the new signed note text in *out. */
int mf_checkpoint_sign(char **out, const char *origin, uint64_t size,
                       const uint8_t root[MF_MERKLE_HASH_LEN],
                       const struct mf_note_signer *signer,
                       struct mf_error *err);

/*
 * Verifies a signed checkpoint with the log's verifier key and parses it.
 * want_origin (may be NULL) must equal the checkpoint's origin.
 */
int mf_checkpoint_open(struct mf_checkpoint *cp, const char *note, size_t len,
                       const struct mf_note_verifier *verifier,
                       const char *want_origin, struct mf_error *err);

#endif
