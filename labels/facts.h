/*
 * Builds the label.json tree from a label input: every shown field as a
 * uniform "fact" ({"status", "value", "display", "explanation",
 * "references", "pointer"}), the scores reduced to what the label shows,
 * and the eval results split by assurance and sorted. The layout reads
 * only this tree, so the three forms always carry the same facts.
 */
#ifndef MF_LABEL_FACTS_H
#define MF_LABEL_FACTS_H

#include "labels/label.h"

#include <jansson.h>

/* A new reference, or NULL when out of memory. in->disclosure must be an
 * object, or NULL for an assessment-only label (the caller checks). */
json_t *mf_label_facts_build(const struct mf_label_input *in);

/*
 * One field of a disclosure as the label shows it: a new fact
 * ({"status", "pointer", "value", "display", "explanation",
 * "references"}, README.md), status wrappers resolved on the way (a
 * withheld section decides for its fields), "display" for the
 * quantities the label shows in normalised units. Any pointer; one of
 * 128 bytes or more, or a NULL disclosure, reads as not disclosed.
 * NULL only when out of memory. Used by formats/ (the EU AI Act view).
 */
json_t *mf_label_fact(const json_t *disclosure, const char *pointer);

/* The status of a status wrapper ({"status": one of disclosed, withheld,
 * not_applicable, unknown} plus only value, explanation and references;
 * common.v1.json#/$defs/wrapper), static; NULL when v is not one. */
const char *mf_label_wrapper_status(const json_t *v);

#endif
