/*
 * Hugging Face model cards into modelfacts documents: a card (README.md:
 * YAML front matter, then Markdown) and the repository's `.eval_results`
 * YAML files become a draft disclosure (schema/disclosure.v1.json) and
 * self-reported eval-result payloads (schema/eval-result.v1.json), with a
 * report of what each card field became, what was not mapped and why.
 * Pure: no I/O, no clock (the caller passes issued_at); YAML through
 * libyaml (common/yaml.h), Markdown through libcmark.
 */
#ifndef MF_HF_CARD_H
#define MF_HF_CARD_H

#include "common/error.h"

#include <jansson.h>
#include <stddef.h>

/* Bounds: a card larger than this is refused. */
#define MF_HF_CARD_MAX (2u << 20)

/*
 * What the payloads are filled with. Every member may be NULL / 0:
 * org and model then come from the card (the "Developed by" line, the
 * model-index name or the first heading, as slugs; else "hf-import" and
 * "model"), registry is "modelfacts.localhost", issued_at
 * "1970-01-01T00:00:00Z", seq 1 (eval results take seq+1, seq+2, ...),
 * supersedes null.
 */
struct mf_hf_options {
	const char *org;
	const char *model;
	const char *registry;
	const char *issued_at; /* RFC 3339 */
	long long seq;
	const char *supersedes; /* "sha256:<hex>" or NULL */
};

struct mf_hf_import {
	json_t *disclosure; /* owned: the draft disclosure payload */
	json_t *evals;      /* owned: array of eval-result payloads */
	/*
	 * owned: {"mapped": [{"from", "to", "value"}],
	 *         "not_mapped": [{"from", "reason"}],
	 *         "kept": {<front-matter members not mapped>}}
	 * "from" names the card field ("front matter: license",
	 * "section: Training Data", ".eval_results/x.yaml[0]"), "to" the
	 * JSON pointer into the disclosure or "eval-result N".
	 */
	json_t *report;
	long long next_seq; /* seq of the next eval result */
	struct mf_hf_options opt;
};

void mf_hf_import_init(struct mf_hf_import *imp);
void mf_hf_import_dispose(struct mf_hf_import *imp);

/*
 * Reads one card into imp (initialised, empty). opt is copied (its
 * strings borrowed for imp's life). Returns 0; MF_E_BAD_REQUEST when the
 * front matter is not valid YAML or not a mapping (err says where);
 * MF_E_BAD_UTF8 (not UTF-8 text, or a NUL); MF_E_TOO_LARGE; MF_E_NOMEM.
 */
int mf_hf_card_import(struct mf_hf_import *imp, const char *card, size_t len,
                      const struct mf_hf_options *opt, struct mf_error *err);

/*
 * Adds the entries of one `.eval_results` YAML file (a list of {dataset:
 * {id, task_id, config, split, revision}, value, date, source: {url,
 * name, user}, evaluation_framework, notes, verifyToken}) as eval-result
 * payloads; name labels it in the report. Call after mf_hf_card_import.
 * Returns 0, MF_E_BAD_REQUEST (not YAML, or not a list), MF_E_BAD_UTF8,
 * MF_E_NOMEM.
 */
int mf_hf_eval_results_add(struct mf_hf_import *imp, const char *name,
                           const char *text, size_t len, struct mf_error *err);

/* Whether text looks like a model card: it opens with a `---` line. */
int mf_hf_card_looks_like(const char *text, size_t len);

#endif
