/* Organisation and model ids: [a-z0-9][a-z0-9-]{0,62} (DESIGN.md §6). */
#ifndef MF_SLUG_H
#define MF_SLUG_H

#include <stdbool.h>

#define MF_SLUG_MAX 63

/* True when s is a valid slug: safe in URLs, git paths and file names. */
bool mf_slug_valid(const char *s);
/* An index id (schema/common.v1.json#/$defs/index-id:
 * [a-z0-9][a-z0-9.-]{0,62}). */
bool mf_index_id_valid(const char *s);

#endif
