/*
 * A model version as the Hugging Face Hub reads it: card.md (a model card
 * whose YAML front matter carries license, datasets, base_model,
 * language, pipeline_tag and a `model-index` of every eval result, self-
 * reported and third-party, the latter marked) and eval_results.yaml (the
 * Hub's `.eval_results` format). Pure writers over struct
 * mf_label_input, served through api/label.c's form table. The tables
 * that translate between the Hub's vocabulary and the disclosure's live
 * here too, so importers/hf_card.c reads cards with the same ones.
 */
#ifndef MF_FORMATS_HF_CARD_H
#define MF_FORMATS_HF_CARD_H

#include "common/buf.h"
#include "labels/label.h"

#include <jansson.h>

/* Hub licences without an SPDX id are kept as LicenseRef-hf-<id>. */
#define MF_HF_LICENSE_REF "LicenseRef-hf-"

/*
 * card.md: front matter, then the Markdown sections under the headings
 * the Hub's model card template uses, so importing it gives back every
 * field it came from. Appends to out (on failure out is left as it was).
 * Returns 0, MF_E_BAD_PARAM (no disclosure), MF_E_NOMEM, MF_E_TOO_LARGE.
 */
int mf_hf_card_write(struct mf_buf *out, const struct mf_label_input *in);

/* eval_results.yaml: one `.eval_results` entry per eval result. Same
 * contract. */
int mf_hf_eval_results_write(struct mf_buf *out,
                             const struct mf_label_input *in);

/* The Hub's license id for an SPDX id (and back); NULL when not in the
 * table. Borrowed, static. */
const char *mf_hf_license_to_spdx(const char *hub_id);
const char *mf_hf_license_from_spdx(const char *spdx);

/*
 * The Hub pipeline tag written for a disclosure's modalities, and the
 * modalities ({"input": [...], "output": [...]}, a new reference) a tag
 * stands for; NULL when the table has no row. Several tags share
 * modalities (text2text-generation, fill-mask: text to text): one of
 * them is the one written back.
 */
const char *mf_hf_pipeline_tag(const json_t *modalities);
json_t *mf_hf_pipeline_modalities(const char *tag);

#endif
