/*
 * The object database the git layer builds for libgit2 (odb.c).
 * Internal to git/.
 */
#ifndef MF_GIT_ODB_H
#define MF_GIT_ODB_H

#include "git/handle.h"

/*
 * Gives the repository a new object database: a mempack for writes
 * (r->mempack; nothing may be staged) above one backend per live pack
 * and the loose objects. The repository and its object cache stay.
 */
int mf_gitrepo_odb_reset(struct mf_gitrepo *r, struct mf_error *err);
/* Adds the pack name ("pack-<hex>"), just written, to the database. */
int mf_gitrepo_odb_add_pack(struct mf_gitrepo *r, const char *name,
                            struct mf_error *err);

#endif
