/*
 * The Markdown backend of the label emitter (CommonMark with GFM
 * tables). Every string is escaped so that no Markdown renderer, safe or
 * not, turns label text into markup: see README.md, "Escaping".
 */
#ifndef MF_LABEL_MARKDOWN_H
#define MF_LABEL_MARKDOWN_H

#include "labels/emit.h"

extern const struct mf_label_emitter_ops mf_label_markdown_ops;

#endif
