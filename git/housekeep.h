/*
 * Housekeeping (housekeep.c): packing loose objects and deleting what is
 * past its grace. mf_gitrepo_pack, which also merges, is in git/repo.h.
 * Internal to git/.
 */
#ifndef MF_GIT_HOUSEKEEP_H
#define MF_GIT_HOUSEKEEP_H

#include "git/handle.h"

/*
 * Packs every loose object that is in no pack yet into one new pack and
 * lists it; then deletes loose copies and merged-away packs whose grace
 * is over; packs loose tags into packed-refs. Nothing may be staged.
 * mf_gitrepo_flush runs it every pack_every commits.
 */
int mf_gitrepo_housekeep(struct mf_gitrepo *r, struct mf_error *err);

#endif
