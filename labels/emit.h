/*
 * The interface between the spec-sheet layout (layout.c, which decides
 * what the label says) and its two backends (markdown.c, html.c, which
 * decide how it is written and escape every string). The layout calls
 * these in document order; a backend only ever sees structure plus text.
 *
 * Errors are sticky, like a stdio stream's: the first failure is kept in
 * e->rc and every later call does nothing, so the layout reads as a plain
 * sequence of calls and checks once at the end.
 */
#ifndef MF_LABEL_EMIT_H
#define MF_LABEL_EMIT_H

#include "common/buf.h"

#include <stdbool.h>
#include <stddef.h>

enum mf_label_el {
	MF_LABEL_EL_TITLE,   /* the panel's one top heading */
	MF_LABEL_EL_SECTION, /* a panel section; cls names it */
	MF_LABEL_EL_H2,
	MF_LABEL_EL_H3,
	MF_LABEL_EL_PARA,
	MF_LABEL_EL_LIST,
	MF_LABEL_EL_ITEM,
	MF_LABEL_EL_TABLE, /* must start with one HEADROW */
	MF_LABEL_EL_HEADROW,
	MF_LABEL_EL_ROW,
	MF_LABEL_EL_TH, /* a header cell, or a row's label cell */
	MF_LABEL_EL_TD,
	MF_LABEL_EL_STRONG,
	MF_LABEL_EL_EM,
	/* A folded group: HTML <details>, opened by the reader; Markdown
	 * cannot fold, so it shows the summary line and leaves the rest
	 * to the HTML and label.json. Must start with one FOLD_SUMMARY. */
	MF_LABEL_EL_FOLD,
	MF_LABEL_EL_FOLD_SUMMARY, /* inline content only */
	MF_LABEL_EL__MAX
};

struct mf_label_emitter;

struct mf_label_emitter_ops {
	/* cls: a fixed class name from the layout, never input text */
	int (*open)(struct mf_label_emitter *e, enum mf_label_el el,
	            const char *cls);
	int (*close)(struct mf_label_emitter *e, enum mf_label_el el);
	/* Untrusted text, any bytes: escaped, whitespace collapsed. */
	int (*text)(struct mf_label_emitter *e, const char *s, size_t len);
	/* An identifier (digest, key id) shown in a code font when safe. */
	int (*code)(struct mf_label_emitter *e, const char *s);
	/* A link when url passes mf_label_url_linkable(), else text. */
	int (*link)(struct mf_label_emitter *e, const char *url,
	            const char *text);
	/* A score bar, met out of max (max may be 0). */
	int (*bar)(struct mf_label_emitter *e, long long met, long long max);
};

struct mf_label_emitter {
	const struct mf_label_emitter_ops *ops;
	struct mf_buf *out; /* borrowed */
	int rc;             /* first error, sticky */
	/* backend state */
	bool line_start;    /* nothing written yet in this element */
	bool block_line;    /* ...and it begins a Markdown line where a
	                       block (list item, quote, heading) could start */
	bool pending_space; /* collapse runs of whitespace to one space */
	int lead_digits;    /* 1: the line so far is only digits */
	bool need_blank;    /* a block was closed: blank line before next */
	bool in_head;       /* inside a table's header row */
	const char *mark;   /* Markdown: open emphasis marker, or NULL */
	bool mark_out;      /* ...already written */
	size_t cols;        /* cells in the current table's header row */
	bool in_fold;       /* Markdown: inside a FOLD */
	bool folded;        /* ...past its summary: nothing is written */
};

void mf_label_emitter_init(struct mf_label_emitter *e,
                           const struct mf_label_emitter_ops *ops,
                           struct mf_buf *out);

void mf_label_open(struct mf_label_emitter *e, enum mf_label_el el,
                   const char *cls);
void mf_label_close(struct mf_label_emitter *e, enum mf_label_el el);
/* s may be NULL: nothing is written. */
void mf_label_text(struct mf_label_emitter *e, const char *s);
void mf_label_textn(struct mf_label_emitter *e, const char *s, size_t len);
void mf_label_code(struct mf_label_emitter *e, const char *s);
void mf_label_link(struct mf_label_emitter *e, const char *url,
                   const char *text);
void mf_label_bar(struct mf_label_emitter *e, long long met, long long max);
/* For backends: writes the one space a run of whitespace left pending. */
int mf_label_flush_space(struct mf_label_emitter *e);
/* open + text + close, for the common case of one styled string. */
void mf_label_wrap(struct mf_label_emitter *e, enum mf_label_el el,
                   const char *cls, const char *s);

#endif
