/*
 * The Merkle log read as C2SP tiles (api/tlog_tiles.c): a hash tile is a
 * run of stored complete-subtree hashes of one level (log_nodes keeps
 * every level, so no tile is ever rehashed), an entry bundle a run of
 * sequenced leaves. Callers decide which tiles exist (merkle/tile.h);
 * these only read them.
 */
#ifndef MF_DB_TILES_H
#define MF_DB_TILES_H

#include "common/buf.h"
#include "common/error.h"

#include <stdint.h>

/*
 * Appends the 32-byte hashes of nodes (level, first .. first + width) to
 * out. MF_E_INTERNAL when one of them is not stored.
 */
int mf_db_tlog_tile(struct mf_buf *out, unsigned level, uint64_t first,
                    unsigned width, struct mf_error *err);

/*
 * Appends the entries first .. first + width, each framed as C2SP entry
 * bundles frame them (merkle/tile.h). MF_E_INTERNAL when one is missing
 * or longer than a bundle can frame.
 */
int mf_db_tlog_bundle(struct mf_buf *out, uint64_t first, unsigned width,
                      struct mf_error *err);

#endif
