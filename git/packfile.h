/*
 * The pack file format, written and read by the git layer itself
 * (packfile.c): a pack writer and a reader of version 2 indexes. Knows
 * nothing of the repository handle; used by packobjects.c (new objects)
 * and merge.c (copying packs into one). Internal to git/.
 */
#ifndef MF_GIT_PACKFILE_H
#define MF_GIT_PACKFILE_H

#include "common/error.h"

#include <git2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One object of a pack index. */
struct mf_gitrepo_idx_entry {
	git_oid id;
	uint32_t crc; /* CRC-32 of the entry as stored in the pack */
	uint64_t offset;
};

/*
 * A pack being written: open with the number of objects it will hold,
 * add or copy exactly that many, finish (renames pack-<sha>.pack, then
 * .idx, into dir; name gets "pack-<sha>"), free (removes what an
 * unfinished one wrote). Owned by the caller: mf_gitrepo_packw_free.
 */
struct mf_gitrepo_packw;
int mf_gitrepo_packw_open(struct mf_gitrepo_packw **out, const char *dir,
                          size_t count, bool fsync, struct mf_error *err);
/* A whole object, deflated here. */
int mf_gitrepo_packw_add(struct mf_gitrepo_packw *w, const git_oid *id,
                         git_object_t type, const void *data, size_t len,
                         struct mf_error *err);
/*
 * id as a delta (git's binary delta format, uncompressed) of base, which
 * must be in the same pack; deflated here.
 */
int mf_gitrepo_packw_add_delta(struct mf_gitrepo_packw *w, const git_oid *id,
                               const git_oid *base, const void *delta,
                               size_t len, struct mf_error *err);
/*
 * id as a delta of base, in a representation already deflated (zdata,
 * zlen) that inflates to size bytes: another pack's offset delta
 * rewritten to name its base by id.
 */
int mf_gitrepo_packw_ref_delta(struct mf_gitrepo_packw *w, const git_oid *id,
                               const git_oid *base, size_t size,
                               const void *zdata, size_t zlen,
                               struct mf_error *err);
/* An entry of another pack, as stored there; crc is its index's. */
int mf_gitrepo_packw_copy(struct mf_gitrepo_packw *w, const git_oid *id,
                          const void *entry, size_t len, uint32_t crc,
                          struct mf_error *err);
int mf_gitrepo_packw_finish(struct mf_gitrepo_packw *w, char name[46],
                            struct mf_error *err);
void mf_gitrepo_packw_free(struct mf_gitrepo_packw *w);

/* Every object of a version 2 .idx; *out is owned by the caller (free). */
int mf_gitrepo_idx_read(const char *path, struct mf_gitrepo_idx_entry **out,
                        size_t *nout, struct mf_error *err);

#endif
