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
 * Deletes merged-away packs whose grace (prune_grace_s since they left
 * objects/info/packs) is over at now.
 */
void mf_gitrepo_prune_packs(struct mf_gitrepo *r, time_t now);

#endif
