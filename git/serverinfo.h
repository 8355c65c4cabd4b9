/*
 * What a dumb-HTTP client reads first (serverinfo.c): info/refs and
 * objects/info/packs, and the list of live packs the latter names (which
 * is also what the object database reads, odb.c, and what merging picks
 * from, merge.c). mf_gitrepo_update_server_info is in git/repo.h.
 * Internal to git/.
 */
#ifndef MF_GIT_SERVERINFO_H
#define MF_GIT_SERVERINFO_H

#include "git/handle.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A complete pack in objects/pack (see mf_gitrepo_list_packs). */
struct mf_gitrepo_packinfo {
	char name[46]; /* pack-<40 hex>, without extension */
	uint64_t size; /* of the .pack */
	time_t mtime;  /* of the .idx */
};

/* Writes info/refs from the ref cache (temporary file + rename). */
int mf_gitrepo_write_info_refs(struct mf_gitrepo *r, struct mf_error *err);
/*
 * Complete packs (their .idx exists) that are not merged away; *out is
 * owned by the caller (free), in no particular order.
 */
int mf_gitrepo_list_packs(struct mf_gitrepo *r,
                          struct mf_gitrepo_packinfo **out, size_t *nout,
                          struct mf_error *err);
/* Lists the complete, not merged-away packs in objects/info/packs. */
int mf_gitrepo_write_info_packs(struct mf_gitrepo *r, struct mf_error *err);

#endif
