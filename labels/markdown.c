/*
 * Writes the label as Markdown (see markdown.h). Text is escaped one code
 * point at a time: Markdown punctuation gets a backslash, HTML's five
 * special characters become entities, whitespace collapses to one space,
 * and what could start a block at the beginning of a line is neutralised.
 */
#include "labels/markdown.h"

#include "common/error.h"
#include "labels/text.h"

#include <string.h>

static int
block_start(struct mf_label_emitter *e)
{
	int rc = 0;

	if (e->need_blank)
		rc = mf_buf_putc(e->out, '\n');
	e->need_blank = false;
	e->line_start = true;
	e->pending_space = false;
	e->lead_digits = 0;
	return rc;
}

static int
block_end(struct mf_label_emitter *e)
{
	e->need_blank = true;
	e->pending_space = false;
	return mf_buf_putc(e->out, '\n');
}

/*
 * Starts the content of an element: no leading space, and when it begins
 * a line that Markdown parses for blocks (a paragraph or list item, not a
 * table cell or heading, whose content is inline only), a leading '-',
 * '+', '=' or "1." is escaped.
 */
static void
content_start(struct mf_label_emitter *e, bool block_line)
{
	e->line_start = true;
	e->block_line = block_line;
	e->pending_space = false;
	e->lead_digits = 0;
}

/*
 * Emphasis markers are written lazily, with the first content inside
 * them, so that an empty label leaves no stray "****" (which Markdown
 * shows as four asterisks) behind.
 */
static void
mark_open(struct mf_label_emitter *e, const char *mark)
{
	e->mark = mark;
	e->mark_out = false;
}

static int
before_content(struct mf_label_emitter *e)
{
	int rc = mf_label_flush_space(e);

	if (rc == 0 && e->mark != NULL && !e->mark_out) {
		rc = mf_buf_puts(e->out, e->mark);
		e->mark_out = true;
	}
	return rc;
}

static int
mark_close(struct mf_label_emitter *e)
{
	int rc = 0;

	if (e->mark != NULL && e->mark_out) {
		rc = mf_buf_puts(e->out, e->mark);
		e->line_start = false;
	}
	e->mark = NULL;
	e->mark_out = false;
	return rc;
}

static int
md_open(struct mf_label_emitter *e, enum mf_label_el el, const char *cls)
{
	int rc = 0;

	if (e->folded)
		return 0;
	switch (el) {
	case MF_LABEL_EL_FOLD: /* the summary continues the current line */
		e->in_fold = true;
		return 0;
	case MF_LABEL_EL_FOLD_SUMMARY:
		return 0;
	case MF_LABEL_EL_TITLE:
		if ((rc = block_start(e)) == 0)
			rc = mf_buf_puts(e->out, "# ");
		break;
	case MF_LABEL_EL_H2:
		if ((rc = block_start(e)) == 0)
			rc = mf_buf_puts(e->out, "## ");
		break;
	case MF_LABEL_EL_H3:
		if ((rc = block_start(e)) == 0)
			rc = mf_buf_puts(e->out, "### ");
		break;
	case MF_LABEL_EL_PARA:
	case MF_LABEL_EL_LIST:
		rc = block_start(e);
		break;
	case MF_LABEL_EL_TABLE:
		rc = block_start(e);
		e->cols = 0;
		break;
	case MF_LABEL_EL_ITEM:
		rc = mf_buf_puts(e->out, "- ");
		break;
	case MF_LABEL_EL_HEADROW:
		e->in_head = true;
		rc = mf_buf_putc(e->out, '|');
		break;
	case MF_LABEL_EL_ROW:
		rc = mf_buf_putc(e->out, '|');
		break;
	case MF_LABEL_EL_TH:
	case MF_LABEL_EL_TD:
		rc = mf_buf_putc(e->out, ' ');
		if (el == MF_LABEL_EL_TH && !e->in_head && cls == NULL)
			mark_open(e, "**");
		break;
	case MF_LABEL_EL_STRONG:
	case MF_LABEL_EL_EM:
		rc = mf_label_flush_space(e);
		mark_open(e, el == MF_LABEL_EL_STRONG ? "**" : "*");
		break;
	default: /* SECTION: structure only */
		return 0;
	}
	if (el != MF_LABEL_EL_TABLE && el != MF_LABEL_EL_LIST &&
	    el != MF_LABEL_EL_HEADROW && el != MF_LABEL_EL_ROW)
		content_start(e,
		              el == MF_LABEL_EL_PARA || el == MF_LABEL_EL_ITEM);
	return rc;
}

static int
md_close(struct mf_label_emitter *e, enum mf_label_el el)
{
	size_t i;
	int rc = 0;

	if (el == MF_LABEL_EL_FOLD) {
		e->in_fold = false;
		e->folded = false;
		return 0;
	}
	if (e->folded)
		return 0;
	switch (el) {
	case MF_LABEL_EL_FOLD_SUMMARY: /* the rest of the fold is not shown */
		e->pending_space = false;
		e->folded = e->in_fold;
		return 0;
	case MF_LABEL_EL_TITLE:
	case MF_LABEL_EL_H2:
	case MF_LABEL_EL_H3:
	case MF_LABEL_EL_PARA:
		return block_end(e);
	case MF_LABEL_EL_LIST:
	case MF_LABEL_EL_TABLE:
		e->need_blank = true;
		return 0;
	case MF_LABEL_EL_ITEM:
	case MF_LABEL_EL_ROW:
		e->pending_space = false;
		return mf_buf_putc(e->out, '\n');
	case MF_LABEL_EL_HEADROW:
		e->in_head = false;
		rc = mf_buf_puts(e->out, "\n|");
		for (i = 0; rc == 0 && i < e->cols; i++)
			rc = mf_buf_puts(e->out, "---|");
		return rc != 0 ? rc : mf_buf_putc(e->out, '\n');
	case MF_LABEL_EL_TH:
	case MF_LABEL_EL_TD:
		e->pending_space = false;
		rc = mark_close(e);
		if (e->in_head)
			e->cols++;
		return rc != 0 ? rc : mf_buf_puts(e->out, " |");
	case MF_LABEL_EL_STRONG:
	case MF_LABEL_EL_EM:
		e->pending_space = false;
		return mark_close(e);
	default:
		return 0;
	}
}

/* The escape of one ASCII character, or NULL to write it as is. */
static const char *
ascii_escape(struct mf_label_emitter *e, char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	case '\\':
		return "\\\\";
	case '`':
		return "\\`";
	case '*':
		return "\\*";
	case '_':
		return "\\_";
	case '[':
		return "\\[";
	case ']':
		return "\\]";
	case '(':
		return "\\(";
	case ')':
		return "\\)";
	case '#':
		return "\\#";
	case '|':
		return "\\|";
	case '!':
		return "\\!";
	case '~':
		return "\\~";
	case '$':
		return "\\$";
	case '-':
		return e->line_start && e->block_line ? "\\-" : NULL;
	case '+':
		return e->line_start && e->block_line ? "\\+" : NULL;
	case '=':
		return e->line_start && e->block_line ? "\\=" : NULL;
	case '.':
		return e->lead_digits ? "\\." : NULL; /* "1." starts a list */
	default:
		return NULL;
	}
}

/* What the fast path in md_text leaves to the slow one. */
static const unsigned char md_stop[128] = {
    [' '] = 1,  ['&'] = 1,  ['<'] = 1, ['>'] = 1, ['"'] = 1,
    ['\''] = 1, ['\\'] = 1, ['`'] = 1, ['*'] = 1, ['_'] = 1,
    ['['] = 1,  [']'] = 1,  ['('] = 1, [')'] = 1, ['#'] = 1,
    ['|'] = 1,  ['!'] = 1,  ['~'] = 1, ['$'] = 1,
};

static int
md_text(struct mf_label_emitter *e, const char *s, size_t len)
{
	static const char replacement[] = "\xef\xbf\xbd";
	const char *esc;
	size_t i = 0, n;
	uint32_t cp;
	int rc = 0;

	if (e->folded)
		return 0;
	while (rc == 0 && i < len) {
		/* Fast path: once inside a line, most ASCII is written as is
		 * ('-', '+', '=', digits and '.' only matter at its start). */
		if (!e->line_start && !e->pending_space &&
		    e->lead_digits == 0 && (e->mark == NULL || e->mark_out) &&
		    (n = mf_label_plain_run(s + i, len - i, md_stop)) > 0) {
			rc = mf_buf_append(e->out, s + i, n);
			i += n;
			continue;
		}
		n = mf_label_utf8_next(s + i, len - i, &cp);
		switch (mf_label_char_class(cp)) {
		case MF_LABEL_CHAR_SPACE:
			if (!e->line_start)
				e->pending_space = true;
			i += n;
			continue;
		case MF_LABEL_CHAR_BAD:
			if ((rc = before_content(e)) == 0)
				rc = mf_buf_puts(e->out, replacement);
			e->lead_digits = 0;
			break;
		default:
			if ((rc = before_content(e)) != 0)
				break;
			esc = cp < 0x80 ? ascii_escape(e, (char)cp) : NULL;
			rc = esc != NULL ? mf_buf_puts(e->out, esc)
			                 : mf_buf_append(e->out, s + i, n);
			if (cp >= '0' && cp <= '9')
				e->lead_digits =
				    (e->line_start && e->block_line) ||
				    e->lead_digits;
			else
				e->lead_digits = 0;
			break;
		}
		e->line_start = false;
		i += n;
	}
	return rc;
}

/* Identifiers made only of these go into a code span; others are text. */
static int
md_code(struct mf_label_emitter *e, const char *s)
{
	int rc;

	if (e->folded)
		return 0;
	if (*s == '\0' || strspn(s, "abcdefghijklmnopqrstuvwxyz"
	                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                            "0123456789.:+/=-") != strlen(s))
		return md_text(e, s, strlen(s));
	if ((rc = before_content(e)) != 0 ||
	    (rc = mf_buf_putc(e->out, '`')) != 0 ||
	    (rc = mf_buf_puts(e->out, s)) != 0)
		return rc;
	e->line_start = false;
	e->lead_digits = 0;
	return mf_buf_putc(e->out, '`');
}

/*
 * A linkable URL (text.h) cannot end a link destination or an autolink
 * early: it becomes <url> when it is its own text, else [text](url).
 * '&' is written as &amp;, which CommonMark decodes back, so no entity
 * can be smuggled out of the URL. Other URLs are shown as text, followed
 * by the URL when text and URL differ.
 */
static int
md_link(struct mf_label_emitter *e, const char *url, const char *text)
{
	const char *p;
	bool auto_link;
	int rc;

	if (e->folded)
		return 0;
	if (!mf_label_url_linkable(url)) {
		if ((rc = md_text(e, text, strlen(text))) != 0 ||
		    strcmp(text, url) == 0)
			return rc;
		if ((rc = md_text(e, " (", 2)) != 0 ||
		    (rc = md_text(e, url, strlen(url))) != 0)
			return rc;
		return md_text(e, ")", 1);
	}
	auto_link = strcmp(text, url) == 0;
	if ((rc = before_content(e)) != 0 ||
	    (rc = mf_buf_putc(e->out, auto_link ? '<' : '[')) != 0)
		return rc;
	e->line_start = false;
	e->lead_digits = 0;
	if (!auto_link && ((rc = md_text(e, text, strlen(text))) != 0 ||
	                   (rc = mf_buf_puts(e->out, "](")) != 0))
		return rc;
	e->pending_space = false;
	for (p = url; rc == 0 && *p; p++)
		rc = *p == '&' ? mf_buf_puts(e->out, "&amp;")
		               : mf_buf_putc(e->out, *p);
	return rc != 0 ? rc : mf_buf_putc(e->out, auto_link ? '>' : ')');
}

/* Ten cells, filled in proportion: "████████░░". */
static int
md_bar(struct mf_label_emitter *e, long long met, long long max)
{
	long long filled = 0, i;
	int rc;

	if (e->folded)
		return 0;
	if (max > 0) {
		if (met < 0)
			met = 0;
		if (met > max)
			met = max;
		filled = (long long)(10.0 * (double)met / (double)max + 0.5);
	}
	if ((rc = before_content(e)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < 10; i++)
		rc = mf_buf_puts(e->out,
		                 i < filled ? "\xe2\x96\x88" : "\xe2\x96\x91");
	e->line_start = false;
	e->lead_digits = 0;
	return rc;
}

const struct mf_label_emitter_ops mf_label_markdown_ops = {
    md_open, md_close, md_text, md_code, md_link, md_bar,
};
