/*
 * Objects of the repository into a new pack (packobjects.c), as
 * `git pack-objects` would: the batch's objects from the mempack at each
 * flush, loose objects at housekeeping. Internal to git/.
 */
#ifndef MF_GIT_PACKOBJECTS_H
#define MF_GIT_PACKOBJECTS_H

#include "git/handle.h"

#include <stddef.h>

/*
 * Writes the pack of the objects objs (reordered and deduplicated in
 * place), read from the mempack or the object database, deltas between
 * objects of the same name where that pays; adds it to the database.
 * Nothing to do for n == 0.
 */
int mf_gitrepo_pack_objects(struct mf_gitrepo *r, struct mf_gitrepo_obj *objs,
                            size_t n, struct mf_error *err);
/*
 * Writes the mempack's objects (r->written) as one pack + index, makes it
 * visible to readers (the odb, then objects/info/packs) and empties the
 * mempack.
 */
int mf_gitrepo_write_objects(struct mf_gitrepo *r, struct mf_error *err);

#endif
