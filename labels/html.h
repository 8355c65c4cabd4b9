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

/*
 * The label's HTML escaper for other pages (site/): appends s (len bytes,
 * untrusted, any bytes) as text that is safe in element content and in a
 * quoted attribute value: & < > " ' as entities, runs of whitespace as
 * one space (leading and trailing dropped), bytes that are not UTF-8,
 * controls and the bidi embeddings, overrides and isolates (U+202A-202E,
 * U+2066-2069) as U+FFFD, so no input can reorder the page around it.
 * 0, MF_E_NOMEM or MF_E_TOO_LARGE.
 */
int mf_label_html_escape(struct mf_buf *out, const char *s, size_t len);
/*
 * Appends a score bar for met of max: a span whose fill is a width class
 * (mf-w-0 ... mf-w-100 in steps of 5), never a style attribute, so pages
 * under a CSP without 'unsafe-inline' show it.
 */
int mf_label_html_bar(struct mf_buf *out, long long met, long long max);

#endif
