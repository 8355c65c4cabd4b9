/*
 * The refs of the repository (refs.c): an in-memory cache of every ref
 * under refs/ from which packed-refs and info/refs are written, and the
 * compare-and-swap that moves refs/heads/main, the publication's commit
 * point. Internal to git/; the cache lives in struct mf_gitrepo (refs).
 */
#ifndef MF_GIT_REFS_H
#define MF_GIT_REFS_H

#include "common/buf.h"
#include "git/handle.h"

#include <stdbool.h>

/* Sets (adds or replaces) one entry of the ref cache; 0 or MF_E_NOMEM. */
int mf_gitrepo_refs_set(struct mf_gitrepo *r, const char *name,
                        const git_oid *id, const git_oid *peeled);
/* The cached ref named name ("refs/..."), or NULL; borrowed. */
const struct mf_gitrepo_ref *mf_gitrepo_refs_get(const struct mf_gitrepo *r,
                                                 const char *name);
/* Removes name from the cache (nothing when it is not there). */
void mf_gitrepo_refs_unset(struct mf_gitrepo *r, const char *name);
/*
 * Fills the cache from the repository (loose refs and packed-refs),
 * peeling annotated tags to what they finally name.
 */
int mf_gitrepo_refs_load(struct mf_gitrepo *r, struct mf_error *err);
/* Empties the cache and frees its memory (mf_gitrepo_free). */
void mf_gitrepo_refs_free(struct mf_gitrepo *r);
/*
 * Appends the cache to b as info/refs ("<id>\t<name>", then an annotated
 * tag's target as "<id>\t<name>^{}") or, info_refs false, as the body of
 * packed-refs ("<id> <name>", then "^<id>"). 0 or MF_E_NOMEM.
 */
int mf_gitrepo_refs_format(const struct mf_gitrepo *r, bool info_refs,
                           struct mf_buf *b);
/* Writes packed-refs from the ref cache under packed-refs.lock. */
int mf_gitrepo_write_packed_refs(struct mf_gitrepo *r, struct mf_error *err);
/*
 * Moves refs/heads/main from parent (NULL: it must not exist) to id under
 * git's lock protocol (refs/heads/main.lock, created exclusively), after
 * comparing with its value on disk: the loose file, else packed-refs.
 * MF_E_CONFLICT when it moved or another writer holds the lock.
 */
int mf_gitrepo_swap_main(struct mf_gitrepo *r, const git_oid *parent,
                         const git_oid *id, struct mf_error *err);

#endif
