/*
 * One model version as a CycloneDX 1.6 BOM: a single component of type
 * machine-learning-model with its modelCard (modelParameters,
 * quantitativeAnalysis, considerations), built from the label's facts so
 * that the BOM says no more and no less than the label does.
 * See formats/README.md for the field mapping.
 */
#ifndef MF_FORMATS_CYCLONEDX_H
#define MF_FORMATS_CYCLONEDX_H

#include "common/buf.h"
#include "labels/label.h"

#include <jansson.h>

/* The specVersion written. */
#define MF_CYCLONEDX_SPEC "1.6"

/*
 * The BOM as a tree: a new reference in *out (json_decref it), NULL on
 * failure. in is borrowed; in->disclosure is required (an object).
 * Returns 0, MF_E_BAD_PARAM (no disclosure), MF_E_NOT_FOUND (an
 * assessment-only model: nothing disclosed to describe) or MF_E_NOMEM.
 */
int mf_cyclonedx_tree(json_t **out, const struct mf_label_input *in);

/*
 * The same, serialised deterministically (sorted keys, exact numbers)
 * and appended to out, which the caller owns; on failure out is left as
 * it was. Returns 0, the codes above or MF_E_TOO_LARGE. Has the form
 * table's writer signature (api/label.c).
 */
int mf_cyclonedx_json(struct mf_buf *out, const struct mf_label_input *in);

#endif
