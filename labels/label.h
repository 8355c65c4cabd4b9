/*
 * Spec sheets ("nutrition labels") for one version of one model, in three
 * forms: label.md (Markdown), label.json (the same facts for machines) and
 * HTML (a complete page or a fragment to embed). See labels/README.md for
 * the label.json shape and the escaping policy.
 *
 * Everything is deterministic: the same input gives the same bytes, no
 * matter in which order the input's JSON objects were built. Nothing here
 * does I/O or reads a clock; all strings from the input are treated as
 * untrusted and escaped for the output they go into.
 */
#ifndef MF_LABEL_H
#define MF_LABEL_H

#include "common/buf.h"

#include <jansson.h>

/* The value of "format" in label.json; changes only incompatibly. */
#define MF_LABEL_FORMAT "modelfacts-label/2"

/*
 * What the server assembles for one version of one model. Every pointer
 * is borrowed for the duration of the call; any of them except
 * disclosure may be NULL (or -1 / 0 where said), and the label then says
 * the fact is not known rather than failing.
 */
struct mf_label_input {
	const char *origin; /* registry origin, e.g. "modelfacts.localhost" */
	const char *public_url; /* base URL for links (no trailing path), or
	                           NULL: no links to the registry */
	const char *org;        /* subject; NULL: taken from the disclosure */
	const char *model;
	int version;        /* registry version number N (1-based) */
	int latest_version; /* M, the model's newest version; 0: unknown */
	const char *payload_sha256; /* lowercase hex of the payload */
	const char *accepted_at;    /* RFC 3339 */
	long long log_index;        /* -1 when not yet in the log */
	const json_t *signed_by;    /* array of key id strings */
	const json_t *disclosure;   /* the payload (schema/disclosure.v1.json),
	                               required (an object) unless
	                               assessment_only */
	/*
	 * Every judgement about this version (DESIGN section 2: a score
	 * belongs to (version, index, judge); no judge overrides another),
	 * an array in display order: assessors first (newest first), then
	 * the registry's automatic check. Each is
	 *   {"index": <index id>, "index_name": <its name>,
	 *    "judge": "auto" | <assessor org id>,
	 *    "judge_name": <display name; "modelfacts automatic check">,
	 *    "at": <RFC 3339: when the judgement entered the registry>,
	 *    "log_index": <its log entry, -1 when not yet in the log>,
	 *    "payload_sha256": <the assessment's; null for "auto">,
	 *    "source": <provenance of a transcribed assessment: the
	 *               payload's own "source" object, or null; the
	 *               label shows its "dataset" (or "title", "name"),
	 *               "edition", "file", "row", "prepared_by" (or
	 *               "author", "written_by"), "url", "license" and
	 *               "attribution" as "Transcribed from ..."; a
	 *               string is shown as a source link>,
	 *    "score": <mf_score_json() of this judge alone: for "auto" the
	 *              rules over the disclosure, for an assessor that
	 *              assessor's latest assessment of this version and
	 *              index, indicators it did not grade "unassessed">}
	 * NULL or empty: nothing judged this version yet.
	 */
	const json_t *judgements;
	/*
	 * The label of a model whose developer has disclosed nothing here
	 * (an assessment-only model, e.g. FMTI 2023): disclosure is NULL,
	 * version 0, and the label says so plainly, then shows the
	 * judgements. For every other label disclosure is required.
	 */
	int assessment_only;
	/* The model's name when there is no disclosure to take it from (an
	 * assessment-only model: as its newest assessment names it), or
	 * NULL; a disclosure's identity name always wins. */
	const char *name;
	const json_t *evals; /* array of {"assurance": "self_reported" |
	                        "third_party", "evaluator": <org>,
	                        "result": <eval-result payload>,
	                        "accepted_at", "log_index",
	                        "payload_sha256", and "withdrawn" and
	                        "compromised" as below when so} */
	/*
	 * The version's trust flags as of the label's position, or NULL
	 * (migrations/0010); copied to label.json's top level and shown
	 * first on the label:
	 *   withdrawn    {"by", "on", "reason", "log_index"}: its developer
	 *                withdrew it;
	 *   compromised  {"keyid", "since", "revoked_at", "log_index"}: it is
	 *                signed only by a key revoked as compromised since
	 *                `since`, and not re-signed.
	 */
	const json_t *withdrawn;
	const json_t *compromised;
	/* Assessments of this version (or of the model as a whole) flagged
	 * the same way, which no longer judge: an array of {assessor, index,
	 * payload_sha256, log_index, compromised}, or NULL; copied to
	 * label.json's "compromised_assessments" when not empty. */
	const json_t *compromised_assessments;
};

/*
 * label.json as a tree: a new reference in *out, owned by the caller
 * (json_decref). Strings from the input are copied exactly. Serialise it
 * with mf_label_json_write() to get the canonical bytes; jansson's own
 * dump works too but prints reals with 17 digits.
 * Returns 0, MF_E_BAD_PARAM (no input or the disclosure is not an object)
 * or MF_E_NOMEM; *out is NULL on failure.
 */
int mf_label_json(json_t **out, const struct mf_label_input *in);

/*
 * The forms below append to out, which the caller owns (its max bounds
 * the size: MF_E_TOO_LARGE). On failure out is left as it was.
 * Returns 0, MF_E_BAD_PARAM, MF_E_NOMEM or MF_E_TOO_LARGE.
 */

/* label.json: mf_label_json() serialised by mf_label_json_write(). */
int mf_label_json_text(struct mf_buf *out, const struct mf_label_input *in);

/* label.md: the spec sheet in CommonMark + GFM tables. */
int mf_label_markdown(struct mf_buf *out, const struct mf_label_input *in);

/* A complete, self-contained HTML5 page: inline CSS, no scripts, no
 * external resources. */
int mf_label_html(struct mf_buf *out, const struct mf_label_input *in);

/* The same panel as one <article class="mf-label"> element, for pages
 * that include mf_label_css() themselves. */
int mf_label_html_fragment(struct mf_buf *out, const struct mf_label_input *in);

enum mf_label_form {
	MF_LABEL_MARKDOWN,
	MF_LABEL_HTML,
	MF_LABEL_HTML_FRAGMENT,
	MF_LABEL_FORM__MAX
};

/*
 * Renders an already built label tree (from mf_label_json(), or a stored
 * label.json parsed back), so one tree can give all forms. label is
 * borrowed; a tree of the wrong shape renders as "Not disclosed" fields,
 * never crashes.
 */
int mf_label_render(struct mf_buf *out, const json_t *label,
                    enum mf_label_form form);

/*
 * Deterministic JSON text of any tree (see README.md: sorted keys, two
 * spaces of indent, shortest round-trip reals, HTML-safe escapes), ending
 * in a newline. Appends to out; on failure out is left as it was.
 */
int mf_label_json_write(struct mf_buf *out, const json_t *v);

/* The stylesheet the page inlines, for embedders of the fragment
 * (static storage, never NULL). */
const char *mf_label_css(void);

#endif
