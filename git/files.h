/*
 * File primitives of the git layer (files.c): how refs and the info files
 * are replaced so that a reader sees the old or the new file, never a
 * part, and how small files are read back. Internal to git/.
 */
#ifndef MF_GIT_FILES_H
#define MF_GIT_FILES_H

#include "common/buf.h"
#include "git/handle.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Replaces r->path/rel with data: a temporary file beside it (fsynced
 * with r->opt.fsync), renamed over it. With git_lock the temporary file
 * is git's "<rel>.lock", created exclusively, so that git and libgit2
 * writers of the same file wait for each other; another writer holding
 * it gives MF_E_CONFLICT.
 */
int mf_gitrepo_write_atomic(struct mf_gitrepo *r, const char *rel,
                            const void *data, size_t len, bool git_lock,
                            struct mf_error *err);
/* Appends the whole (small) file at path to b; ENOENT: *found = false. */
int mf_gitrepo_read_small(const char *path, struct mf_buf *b, bool *found,
                          struct mf_error *err);

#endif
