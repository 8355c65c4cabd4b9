/*
 * Geometric pack merging (merge.c); mf_gitrepo_maintain is in
 * git/repo.h. Internal to git/: the handle (r->merge, r->oldpacks) holds
 * a merge in progress and the packs merged away.
 */
#ifndef MF_GIT_MERGE_H
#define MF_GIT_MERGE_H

#include "git/handle.h"

#include <time.h>

/* Ends a merge in progress without result; NULL is fine. */
void mf_gitrepo_merge_free(struct mf_gitrepo_merge *m);
/*
 * Finds the packs a handle before this one merged away (every object of
 * the pack is in a larger pack that stays): they join r->oldpacks, with
 * the time they left objects/info/packs when their mtime tells it (now
 * when it does not, or when the list still names them), and those whose
 * grace is over are deleted. Run by mf_gitrepo_open before the pack list
 * is written again; 0, MF_E_IO (the pack directory) or MF_E_NOMEM.
 */
int mf_gitrepo_find_merged(struct mf_gitrepo *r, struct mf_error *err);
/*
 * Deletes merged-away packs whose grace (prune_grace_s since they left
 * objects/info/packs) is over at now.
 */
void mf_gitrepo_prune_packs(struct mf_gitrepo *r, time_t now);

#endif
