/*
 * The EU AI Act view of a model version: its disclosure arranged by the
 * items of the GPAI Model Documentation Form (the AI Office's form for
 * Annex XI and Annex XII, published with the GPAI Code of Practice),
 * each item marked disclosed, withheld or missing and tagged with the
 * audiences the form intends it for, with completeness figures overall
 * and per audience.
 *
 * The items are data, not code: schema/eu/gpai-documentation-form.json
 * (compiled in) names each item's title, Annex points, audiences and the
 * disclosure fields it reads; the writer is one loop over them. Pure: no
 * I/O, no clock. See formats/README.md for the output's shape.
 */
#ifndef MF_FORMATS_EU_AI_ACT_H
#define MF_FORMATS_EU_AI_ACT_H

#include "common/buf.h"
#include "labels/label.h"

#include <jansson.h>

/* The value of "format" in the output; changes only incompatibly. */
#define MF_EU_AI_ACT_FORMAT "modelfacts-eu-ai-act/1"

/*
 * The form's items as loaded from the embedded data file, parsed and
 * checked once (pthread_once) and kept for the life of the process:
 * borrowed, never NULL unless the compiled-in file is broken (the unit
 * tests rule that out).
 */
const json_t *mf_eu_ai_act_form(void);

/*
 * The view as a tree: a new reference in *out (json_decref it). in is
 * borrowed; in->disclosure may be NULL only for an assessment-only
 * model, whose every item is then missing. Returns 0, MF_E_BAD_PARAM (no
 * input, or a disclosure that is not an object), MF_E_INTERNAL (the
 * embedded form is broken) or MF_E_NOMEM; *out is NULL on failure.
 */
int mf_eu_ai_act_json(json_t **out, const struct mf_label_input *in);

/*
 * The same as bytes: deterministic JSON (mf_label_json_write: sorted
 * keys, HTML-safe escapes), appended to out, which the caller owns; its
 * max bounds the size (MF_E_TOO_LARGE). On failure out is left as it
 * was. The writer of the API's form table (api/label.c).
 */
int mf_eu_ai_act_write(struct mf_buf *out, const struct mf_label_input *in);

#endif
