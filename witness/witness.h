/*
 * A transparency-log witness (C2SP tlog-witness v1.0.0, the
 * add-checkpoint call): it keeps, per known log, the latest checkpoint it
 * cosigned, checks each new one against it (the log's signature, the old
 * size, an RFC 6962 consistency proof) and cosigns it (C2SP
 * tlog-cosignature v1.0.1, cosignature/v1) only after writing the new
 * state durably. Split views it is shown are recorded as evidence
 * (state.h). Independent of the registry: any log whose checkpoints are
 * signed notes with an Ed25519 key can use it.
 *
 * The witness is immutable once made and safe to use from many threads;
 * requests for one log are serialised by that log's lock.
 */
#ifndef MF_WITNESS_H
#define MF_WITNESS_H

#include "common/buf.h"
#include "common/error.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The largest add-checkpoint body: "old N", 63 proof lines, a note. */
#define MF_WITNESS_MAX_BODY     (72 * 1024)
#define MF_WITNESS_MAX_PROOF    63
#define MF_WITNESS_MAX_LOGS     1024
#define MF_WITNESS_KEYS_PER_LOG 4

struct mf_witness;

/*
 * skey: the witness's cosigner key (merkle/cosignature.h); dir: its
 * state directory (created if missing); log_vkeys: the logs it
 * witnesses, as signed-note verifier keys (Ed25519, type 0x01), the key
 * name being the log's origin; several keys may name one origin (a key
 * rotation). Every existing state file of those logs must read back.
 * MF_E_BAD_KEY, MF_E_BAD_PARAM, MF_E_IO, MF_E_INTERNAL (corrupt state).
 */
int mf_witness_new(struct mf_witness **out, const char *skey, const char *dir,
                   const char *const *log_vkeys, size_t nlogs,
                   struct mf_error *err);
void mf_witness_free(struct mf_witness *w);
/* Borrowed from w: its verifier key, name, state directory. */
const char *mf_witness_vkey(const struct mf_witness *w);
const char *mf_witness_name(const struct mf_witness *w);
const char *mf_witness_dir(const struct mf_witness *w);
size_t mf_witness_nlogs(const struct mf_witness *w);
const char *mf_witness_log_origin(const struct mf_witness *w, size_t i);

/* An HTTP answer: status, content type (static) and body. */
struct mf_witness_answer {
	unsigned status;
	const char *content_type;
	struct mf_buf body;
};

void mf_witness_answer_init(struct mf_witness_answer *a);
void mf_witness_answer_dispose(struct mf_witness_answer *a);

/*
 * POST add-checkpoint with this body, cosigning at `now` (Unix seconds):
 * always fills *a with the answer the spec gives (200 and the cosignature
 * line; 400 malformed, 403 not signed by the log's key, 404 unknown log,
 * 409 "text/x.tlog.size" with the size it holds, 422 a proof or root that
 * does not match; 500 when its state cannot be read or written, in which
 * case nothing was cosigned). Returns 0, or MF_E_NOMEM when not even the
 * answer could be made.
 */
int mf_witness_add_checkpoint(struct mf_witness *w, const char *body,
                              size_t len, uint64_t now,
                              struct mf_witness_answer *a);

/*
 * GET <origin hash>/checkpoint (tlog-witness's monitoring call): the
 * latest checkpoint it cosigned for that log with the log's signatures
 * and its own cosignature; 404 for an unknown hash or a log it never
 * cosigned.
 */
int mf_witness_checkpoint(struct mf_witness *w, const char *origin_hash,
                          struct mf_witness_answer *a);

#endif
