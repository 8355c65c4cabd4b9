/*
 * Git's binary delta format, encoded (delta.c). Pure: no repository, no
 * I/O; used by the pack writer's caller (packobjects.c). Internal to git/.
 */
#ifndef MF_GIT_DELTA_H
#define MF_GIT_DELTA_H

#include "common/buf.h"

#include <stddef.h>

/*
 * Encodes target as a delta of base into out: 0, or 1 when the delta
 * would exceed max bytes (or there is too little to match), or
 * MF_E_NOMEM.
 */
int mf_gitrepo_delta(struct mf_buf *out, const void *base, size_t blen,
                     const void *target, size_t tlen, size_t max);

#endif
