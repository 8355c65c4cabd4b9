/*
 * One model version as an SPDX 3.0.1 document in JSON-LD: CreationInfo,
 * the SpdxDocument, the supplier and the registry as Organizations, an
 * ai_AIPackage with the AI-profile fields the disclosure supports, the
 * license as a simplelicensing_LicenseExpression, and a
 * dataset_DatasetPackage per named data source, tied by relationships.
 * Built from the label's facts, like formats/cyclonedx.h; see
 * formats/README.md for the field mapping.
 */
#ifndef MF_FORMATS_SPDX_H
#define MF_FORMATS_SPDX_H

#include "common/buf.h"
#include "labels/label.h"

#include <jansson.h>

#define MF_SPDX_VERSION "3.0.1"
#define MF_SPDX_CONTEXT "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"

/*
 * The document as a tree: a new reference in *out (json_decref it). in
 * is borrowed. Returns 0, MF_E_BAD_PARAM (no disclosure), MF_E_NOT_FOUND
 * (an assessment-only model) or MF_E_NOMEM; *out is NULL on failure.
 */
int mf_spdx_tree(json_t **out, const struct mf_label_input *in);

/* The same, serialised deterministically and appended to out (left as it
 * was on failure); also MF_E_TOO_LARGE. The form table's signature. */
int mf_spdx_json(struct mf_buf *out, const struct mf_label_input *in);

#endif
