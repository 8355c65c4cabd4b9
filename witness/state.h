/*
 * The witness's files (one state directory, --state DIR):
 *
 *   DIR/log-<hex SHA-256 of the origin>.state   what it last cosigned
 *   DIR/log-<...>.lock                          flock(2)ed while a request
 *                                               for that log runs
 *   DIR/evidence/<time>-<origin16>-<digest16>.json   split-view evidence
 *
 * A state file is "modelfacts-witness-state v1\n", the size, the root in
 * base64, a blank line, then the signed checkpoint it cosigned (the log's
 * signature lines and its own cosignature). Every file is written to a
 * temporary name, fsync'd, renamed into place and the directory fsync'd,
 * so after a crash a file is wholly old or wholly new, and a cosignature
 * is only ever answered once its state is on disk. Strings returned
 * through pointers are owned by the caller.
 */
#ifndef MF_WITNESS_STATE_H
#define MF_WITNESS_STATE_H

#include "common/error.h"
#include "merkle/merkle.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds: a state or evidence file, the evidence kept and listed. */
#define MF_WITNESS_STATE_MAX     (96 * 1024)
#define MF_WITNESS_EVIDENCE_MAX  (256 * 1024)
#define MF_WITNESS_EVIDENCE_KEEP 10000
#define MF_WITNESS_EVIDENCE_LIST 100
/* Of those kept, the last files only a proof by itself may use. */
#define MF_WITNESS_EVIDENCE_RESERVE 1000

/* One log's record: the latest checkpoint the witness cosigned. */
struct mf_witness_state {
	uint64_t size; /* 0 and note NULL: never cosigned */
	uint8_t root[MF_MERKLE_HASH_LEN];
	char *note; /* owned: the cosigned checkpoint with its lines */
	size_t note_len;
};

void mf_witness_state_init(struct mf_witness_state *st);
void mf_witness_state_dispose(struct mf_witness_state *st);

/* Lowercase hex SHA-256 of the origin (tlog-witness's "origin hash"). */
void mf_witness_origin_hash(char out[65], const char *origin);

/* Creates DIR (0700) and DIR/evidence if missing (made durable in their
 * parents), and removes the temporaries a killed write left; MF_E_IO. */
int mf_witness_state_prepare(const char *dir, struct mf_error *err);

/*
 * Takes the log's exclusive lock (flock on its lock file, which also
 * excludes other threads: each call opens the file anew). *fd is the
 * lock; mf_witness_state_unlock releases it. MF_E_IO.
 */
int mf_witness_state_lock(int *fd, const char *dir, const char *origin,
                          struct mf_error *err);
void mf_witness_state_unlock(int fd);

/*
 * Reads the log's state: size 0 and no note when there is no file.
 * MF_E_INTERNAL when the file is corrupt (its header and its checkpoint
 * disagree, or it does not parse): the witness then refuses to cosign
 * rather than forget what it signed.
 */
int mf_witness_state_load(struct mf_witness_state *st, const char *dir,
                          const char *origin, struct mf_error *err);

/* Writes the log's state durably (see above). MF_E_IO, MF_E_NOMEM. */
int mf_witness_state_store(const char *dir, const char *origin, uint64_t size,
                           const uint8_t root[MF_MERKLE_HASH_LEN],
                           const char *note, size_t note_len,
                           struct mf_error *err);

/*
 * Records one piece of evidence (a JSON object with at least "origin",
 * "kind" and "recorded_at"; borrowed) durably under DIR/evidence. The same
 * evidence (equal but for "recorded_at"; for "smaller_after_larger" also
 * but for "old_size" and "proof") is kept once, and at most
 * MF_WITNESS_EVIDENCE_KEEP files are kept, the last
 * MF_WITNESS_EVIDENCE_RESERVE of them for "same_size_different_root"
 * only: past that, new evidence is refused with MF_E_TOO_LARGE (and
 * logged by the caller).
 */
int mf_witness_evidence_record(const char *dir, const json_t *evidence,
                               struct mf_error *err);

/*
 * The newest MF_WITNESS_EVIDENCE_LIST pieces of evidence, oldest first,
 * each object with its file name added as "file"; *out is a new array.
 */
int mf_witness_evidence_list(json_t **out, const char *dir,
                             struct mf_error *err);

#endif
