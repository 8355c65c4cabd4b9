/*
 * Differences between two versions: structured (JSON pointers of the
 * fields that were added, removed or changed) and textual (a unified diff
 * of two labels, as `diff -u` prints it). Pure and deterministic.
 */
#ifndef MF_DIFF_H
#define MF_DIFF_H

#include "common/buf.h"

#include <jansson.h>

/* Most lines a text diff compares; longer texts get MF_E_TOO_LARGE. */
#define MF_DIFF_MAX_LINES 4000
/* Most changes a JSON diff lists; the rest are counted, not listed. */
#define MF_DIFF_MAX_CHANGES 2000

/*
 * *out (new) is [{"pointer", "op": "added"|"removed"|"changed",
 * "from"?, "to"?}], in document order (object keys sorted). Arrays are
 * compared element by element. Returns 0 or MF_E_NOMEM.
 */
int mf_diff_json(json_t **out, const json_t *from, const json_t *to);

/*
 * Appends a unified diff (3 lines of context) of a and b to out, with
 * "--- name_a" and "+++ name_b" headers; nothing when they are equal.
 */
int mf_diff_text(struct mf_buf *out, const char *a, const char *b,
                 const char *name_a, const char *name_b);

#endif
