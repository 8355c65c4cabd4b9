/*
 * Witnessed checkpoints in PostgreSQL (migrations/0013): the
 * cosignatures witnesses returned, one row per checkpoint size and
 * witness, and the size each witness cosigned last. cosigning/cosigner.c
 * writes them on the node that sequences; api/log.c and api/tlog_tiles.c
 * read the lines to serve them after the checkpoint. Witnesses are named
 * by their key name (the name their signature lines carry). Plain values
 * in and out; strings returned through pointers are new (free()).
 */
#ifndef MF_DB_COSIGN_H
#define MF_DB_COSIGN_H

#include "common/buf.h"
#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* The size `witness` cosigned last; *known false (size 0) when never. */
int mf_db_cosign_state(uint64_t *size, bool *known, const char *witness,
                       struct mf_error *err);
/* Records that `witness` cosigned `size` last (what its 409 said). */
int mf_db_cosign_set_state(const char *witness, uint64_t size,
                           struct mf_error *err);
/*
 * Stores a verified cosignature line (ending "\n") of the checkpoint of
 * `size` with its timestamp, and that `witness` cosigned `size` last, in
 * one statement. A second line for the same size and witness is ignored.
 */
int mf_db_cosign_store(uint64_t size, const char *witness, const char *line,
                       uint64_t timestamp, struct mf_error *err);
/* Whether `witness` has cosigned the checkpoint of `size`. */
int mf_db_cosign_has(bool *has, uint64_t size, const char *witness,
                     struct mf_error *err);
/* Appends every cosignature line of the checkpoint of `size` to out,
 * ordered by witness; *n (may be NULL) gets how many. */
int mf_db_cosign_lines(struct mf_buf *out, size_t *n, uint64_t size,
                       struct mf_error *err);

/*
 * The smallest checkpoint of size >= min_size with at least k
 * cosignatures: *found false when there is none (yet). Else *size, *note
 * (new: the log-signed note, without cosignatures) and *cosigs (a new
 * reference: [{"witness", "line", "timestamp"}], by witness).
 */
int mf_db_cosign_witnessed(bool *found, uint64_t *size, char **note,
                           json_t **cosigs, uint64_t min_size, unsigned k,
                           struct mf_error *err);

#endif
