/*
 * C2SP tlog-proof files (c2sp.org/tlog-proof, v1): an entry's index, its
 * RFC 6962 inclusion proof and the signed checkpoint it leads to, in one
 * text file that verifies offline (`modelfacts verify-log proof`):
 *
 *   c2sp.org/tlog-proof@v1
 *   extra <base64>            (optional; ours: the entry text as hashed)
 *   index <decimal>
 *   <base64 hash>             (zero or more: the audit path, leaf first)
 *
 *   <the checkpoint's signed note, verbatim>
 *
 * Pure formatting and strict parsing; verifying the checkpoint and the
 * path is the caller's (merkle/checkpoint.h, merkle/merkle.h).
 */
#ifndef MF_TLOG_PROOF_H
#define MF_TLOG_PROOF_H

#include "common/buf.h"
#include "common/error.h"
#include "merkle/merkle.h"

#include <stddef.h>
#include <stdint.h>

#define MF_TLOG_PROOF_HEADER "c2sp.org/tlog-proof@v1"
/* Largest file parse accepts. */
#define MF_TLOG_PROOF_MAX (1u << 20)

struct mf_tlog_proof {
	uint8_t *extra; /* owned; NULL when the file has no extra line */
	size_t extra_len;
	uint64_t index;
	size_t n; /* hashes in path */
	uint8_t path[MF_MERKLE_MAX_PROOF][MF_MERKLE_HASH_LEN];
	const char *checkpoint; /* points into the parsed text */
	size_t checkpoint_len;
};

void mf_tlog_proof_dispose(struct mf_tlog_proof *p);

/*
 * Appends a proof file to b. extra may be NULL; checkpoint is the signed
 * note text (ending "\n"). 0, MF_E_BAD_PARAM (more than
 * MF_MERKLE_MAX_PROOF hashes, an empty checkpoint) or MF_E_NOMEM.
 */
int mf_tlog_proof_format(struct mf_buf *b, const uint8_t *extra,
                         size_t extra_len, uint64_t index,
                         const uint8_t (*path)[MF_MERKLE_HASH_LEN], size_t n,
                         const char *checkpoint, size_t checkpoint_len);

/*
 * Parses text[0..len) strictly (the header line, an optional extra line
 * of padded standard base64, "index" in decimal without leading zeros,
 * hash lines of exactly 32 bytes each, an empty line, a non-empty
 * checkpoint). p->checkpoint points into text. 0, or MF_E_BAD_NOTE with
 * err saying which line is wrong.
 */
int mf_tlog_proof_parse(struct mf_tlog_proof *p, const char *text, size_t len,
                        struct mf_error *err);

#endif
