/* Labels over HTTP: label.md, label.json and label.html of a model. */
#ifndef MF_HANDLERS_LABEL_H
#define MF_HANDLERS_LABEL_H

#include "http/http.h"

/* GET /v1/models/{org}/{model}/versions/{n}/label.{md,json,html}:
 * immutable once the version is in the log (ETag, long caching). */
int mf_h_label_version_md(struct mf_request *req);
int mf_h_label_version_json(struct mf_request *req);
int mf_h_label_version_html(struct mf_request *req);
/* GET /v1/models/{org}/{model}/label.{md,json,html}: the current
 * version with every eval and assessment the log holds now. */
int mf_h_label_current_md(struct mf_request *req);
int mf_h_label_current_json(struct mf_request *req);
int mf_h_label_current_html(struct mf_request *req);

/* GET .../versions/{n}/card.md and .../card.md (formats/hf_card.h). */
int mf_h_hf_card_version(struct mf_request *req);
int mf_h_hf_card_current(struct mf_request *req);
/* GET .../versions/{n}/eval_results.yaml and .../eval_results.yaml. */
int mf_h_hf_evals_version(struct mf_request *req);
int mf_h_hf_evals_current(struct mf_request *req);
/* GET .../versions/{n}/cyclonedx.json and spdx.json (immutable, as the
 * label) and the current .../cyclonedx.json and spdx.json: the version
 * as a CycloneDX 1.6 BOM and as an SPDX 3.0.1 AI document. */
int mf_h_cyclonedx_version(struct mf_request *req);
int mf_h_cyclonedx_current(struct mf_request *req);
int mf_h_spdx_version(struct mf_request *req);
int mf_h_spdx_current(struct mf_request *req);
/* GET .../versions/{n}/eu-ai-act (immutable) and .../eu-ai-act (current):
 * the disclosure by the items of the GPAI Model Documentation Form. */
int mf_h_eu_ai_act_version(struct mf_request *req);
int mf_h_eu_ai_act_current(struct mf_request *req);

/* Renders one form into a new blob (used by the publisher too). */
struct mf_label_input;
struct mf_blob;
enum mf_label_form_kind {
	MF_FORM_MD,
	MF_FORM_JSON,
	MF_FORM_HTML,
	MF_FORM_HF_CARD,  /* card.md: a Hugging Face model card */
	MF_FORM_HF_EVALS, /* eval_results.yaml: the Hub's .eval_results */
	MF_FORM_CYCLONEDX,
	MF_FORM_SPDX,
	MF_FORM_EU_AI_ACT,
};
int mf_label_render_blob(struct mf_blob **out, enum mf_label_form_kind form,
                         const struct mf_label_input *in, struct mf_error *err);

#endif
