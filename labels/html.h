/*
 * The HTML backend of the label emitter, the page around it and the
 * stylesheet. Text and attribute values are escaped; the only attribute
 * values not from fixed strings are escaped linkable URLs (text.h) and
 * computed integers.
 */
#ifndef MF_LABEL_HTML_H
#define MF_LABEL_HTML_H

#include "labels/emit.h"

#include <stdbool.h>

extern const struct mf_label_emitter_ops mf_label_html_ops;

/* Opens the page (when page: doctype, head with title and inline CSS,
 * body) and the <article>. title is untrusted text. */
int mf_label_html_begin(struct mf_label_emitter *e, const char *title,
                        bool page);
int mf_label_html_end(struct mf_label_emitter *e, bool page);

#endif
