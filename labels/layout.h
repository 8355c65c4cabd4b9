/*
 * The spec sheet's layout: which sections, rows and tables a label has
 * and in what order, read from the label.json tree and written through
 * an emitter (emit.h), so Markdown and HTML show exactly the same
 * content.
 */
#ifndef MF_LABEL_LAYOUT_H
#define MF_LABEL_LAYOUT_H

#include "labels/emit.h"

#include <jansson.h>

/* The panel's title text (the model name, or a stand-in); borrowed. */
const char *mf_label_layout_name(const json_t *label);

/* Writes the whole panel; errors end up in e->rc. */
void mf_label_layout(struct mf_label_emitter *e, const json_t *label);

#endif
