/*
 * Writes the label as HTML (see html.h): one element per emitter call,
 * every string escaped, and a nutrition-label stylesheet that needs no
 * scripts, fonts or images.
 */
#include "labels/html.h"

#include "common/error.h"
#include "labels/label.h"
#include "labels/text.h"

#include <stdio.h>
#include <string.h>

static const char css[] =
    ".mf-label{box-sizing:border-box;max-width:52rem;margin:1rem auto;"
    "padding:.4rem .9rem .9rem;border:2px solid #000;background:#fff;"
    "color:#000;font:15px/1.35 \"Helvetica Neue\",Helvetica,Arial,"
    "sans-serif;overflow-wrap:break-word;overflow-x:auto}\n"
    ".mf-label *{box-sizing:border-box}\n"
    ".mf-title{font:900 2.1rem/1.1 \"Franklin Gothic Heavy\","
    "\"Arial Black\",\"Helvetica Neue\",Helvetica,Arial,sans-serif;"
    "margin:.2rem 0 .1rem}\n"
    ".mf-subtitle{margin:0 0 .3rem;padding-bottom:.3rem;"
    "border-bottom:1px solid #000}\n"
    ".mf-section{border-top:10px solid #000;margin-top:.6rem}\n"
    ".mf-section>h2{font-size:1.2rem;font-weight:900;margin:0;"
    "padding:.15rem 0;border-bottom:4px solid #000}\n"
    ".mf-label h3{font-size:1rem;font-weight:800;margin:.7rem 0 .2rem;"
    "padding-bottom:.1rem;border-bottom:1px solid #000}\n"
    ".mf-label p{margin:.3rem 0}\n"
    ".mf-label ul{margin:.2rem 0;padding-left:1.3rem}\n"
    ".mf-label table{width:100%;border-collapse:collapse;margin:.2rem 0}\n"
    ".mf-label th,.mf-label td{text-align:left;vertical-align:top;"
    "padding:.2rem .4rem .2rem 0;border-bottom:1px solid #000}\n"
    ".mf-label thead th{border-bottom:2px solid #000;font-size:.85rem}\n"
    ".mf-kv thead{position:absolute;width:1px;height:1px;overflow:hidden;"
    "clip:rect(0 0 0 0)}\n"
    ".mf-kv tbody th{width:32%;font-weight:700}\n"
    ".mf-score tbody th{font-weight:800}\n"
    ".mf-score tbody th.mf-sub{font-weight:400;padding-left:1.2rem}\n"
    ".mf-evals,.mf-unmet,.mf-risks{font-size:.85rem}\n"
    ".mf-label td.mf-num{white-space:nowrap;"
    "font-variant-numeric:tabular-nums}\n"
    ".mf-total{font-size:1.3rem}\n"
    ".mf-small{font-size:.85rem}\n"
    ".mf-bar{display:inline-block;width:9rem;height:.9rem;"
    "border:1px solid #000;vertical-align:middle;background:#fff}\n"
    ".mf-fill{display:block;height:100%;background:#000}\n"
    ".mf-label a{color:#000}\n"
    ".mf-label code{font:.85em/1.2 ui-monospace,Menlo,Consolas,monospace;"
    "word-break:break-all}\n"
    ".mf-label td{overflow-wrap:anywhere}\n"
    ".mf-total{margin-bottom:0}\n"
    ".mf-who{margin-top:.1rem}\n"
    ".mf-notice{font-size:1.1rem;font-weight:700;padding:.3rem .5rem;"
    "border:2px solid #000}\n"
    ".mf-score .mf-bar{width:5rem}\n"
    "tr.mf-disagree>td:first-child{border-left:5px solid #000;"
    "padding-left:.3rem}\n"
    ".mf-folds{list-style:none;padding-left:0}\n"
    ".mf-fold>summary{cursor:pointer;padding:.15rem 0}\n"
    ".mf-fold[open]>summary{border-bottom:1px solid #000}\n"
    "@media print{.mf-label{border-width:1px}}\n"
    ".mf-w-0{width:0%}.mf-w-5{width:5%}.mf-w-10{width:10%}"
    ".mf-w-15{width:15%}.mf-w-20{width:20%}.mf-w-25{width:25%}"
    ".mf-w-30{width:30%}.mf-w-35{width:35%}.mf-w-40{width:40%}"
    ".mf-w-45{width:45%}.mf-w-50{width:50%}.mf-w-55{width:55%}"
    ".mf-w-60{width:60%}.mf-w-65{width:65%}.mf-w-70{width:70%}"
    ".mf-w-75{width:75%}.mf-w-80{width:80%}.mf-w-85{width:85%}"
    ".mf-w-90{width:90%}.mf-w-95{width:95%}.mf-w-100{width:100%}\n";

const char *
mf_label_css(void)
{
	return css;
}

static const unsigned char html_stop[128] = {
    [' '] = 1, ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
};

/* Writes s with & < > " ' as entities, whitespace collapsed and bad
 * code points replaced (text.h). */
static int
escape(struct mf_label_emitter *e, const char *s, size_t len)
{
	static const char replacement[] = "\xef\xbf\xbd";
	size_t i = 0, n;
	uint32_t cp;
	int rc = 0;

	while (rc == 0 && i < len) {
		if (!e->line_start && !e->pending_space &&
		    (n = mf_label_plain_run(s + i, len - i, html_stop)) > 0) {
			rc = mf_buf_append(e->out, s + i, n);
			i += n;
			continue;
		}
		n = mf_label_utf8_next(s + i, len - i, &cp);
		if (mf_label_char_class(cp) == MF_LABEL_CHAR_SPACE) {
			if (!e->line_start)
				e->pending_space = true;
			i += n;
			continue;
		}
		if (e->pending_space) {
			e->pending_space = false;
			if ((rc = mf_buf_putc(e->out, ' ')) != 0)
				break;
		}
		e->line_start = false;
		if (mf_label_char_class(cp) == MF_LABEL_CHAR_BAD)
			rc = mf_buf_puts(e->out, replacement);
		else if (cp == '&')
			rc = mf_buf_puts(e->out, "&amp;");
		else if (cp == '<')
			rc = mf_buf_puts(e->out, "&lt;");
		else if (cp == '>')
			rc = mf_buf_puts(e->out, "&gt;");
		else if (cp == '"')
			rc = mf_buf_puts(e->out, "&quot;");
		else if (cp == '\'')
			rc = mf_buf_puts(e->out, "&#39;");
		else
			rc = mf_buf_append(e->out, s + i, n);
		i += n;
	}
	return rc;
}

/* Class names come from the layout; anything unexpected is dropped. */
static int
put_class(struct mf_label_emitter *e, const char *base, const char *cls)
{
	bool ok =
	    cls != NULL && *cls != '\0' &&
	    strspn(cls, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(cls);

	if (base == NULL && !ok)
		return 0;
	return mf_buf_printf(
	    e->out, " class=\"%s%s%s%s\"", base != NULL ? base : "",
	    base != NULL && ok ? " " : "", ok ? "mf-" : "", ok ? cls : "");
}

static const char *const tags[MF_LABEL_EL__MAX] = {
    [MF_LABEL_EL_TITLE] = "h1",      [MF_LABEL_EL_SECTION] = "section",
    [MF_LABEL_EL_H2] = "h2",         [MF_LABEL_EL_H3] = "h3",
    [MF_LABEL_EL_PARA] = "p",        [MF_LABEL_EL_LIST] = "ul",
    [MF_LABEL_EL_ITEM] = "li",       [MF_LABEL_EL_TABLE] = "table",
    [MF_LABEL_EL_HEADROW] = "tr",    [MF_LABEL_EL_ROW] = "tr",
    [MF_LABEL_EL_TH] = "th",         [MF_LABEL_EL_TD] = "td",
    [MF_LABEL_EL_STRONG] = "strong", [MF_LABEL_EL_EM] = "em",
    [MF_LABEL_EL_FOLD] = "details",  [MF_LABEL_EL_FOLD_SUMMARY] = "summary",
};

static bool
is_block(enum mf_label_el el)
{
	return el != MF_LABEL_EL_STRONG && el != MF_LABEL_EL_EM &&
	       el != MF_LABEL_EL_TH && el != MF_LABEL_EL_TD;
}

static int
html_open(struct mf_label_emitter *e, enum mf_label_el el, const char *cls)
{
	const char *base = NULL;
	int rc;

	if ((unsigned)el >= MF_LABEL_EL__MAX)
		return MF_E_INTERNAL;
	if (el == MF_LABEL_EL_TITLE)
		base = "mf-title";
	else if (el == MF_LABEL_EL_SECTION)
		base = "mf-section";
	if (is_block(el))
		e->pending_space = false;
	else if ((rc = mf_label_flush_space(e)) != 0)
		return rc;
	if (el == MF_LABEL_EL_HEADROW) {
		e->in_head = true;
		if ((rc = mf_buf_puts(e->out, "<thead>")) != 0)
			return rc;
	}
	if ((rc = mf_buf_printf(e->out, "<%s", tags[el])) != 0 ||
	    (rc = put_class(e, base, cls)) != 0)
		return rc;
	if (el == MF_LABEL_EL_TH &&
	    (rc = mf_buf_puts(e->out, e->in_head ? " scope=\"col\""
	                                         : " scope=\"row\"")) != 0)
		return rc;
	rc = mf_buf_putc(e->out, '>');
	if (rc == 0 && (el == MF_LABEL_EL_SECTION || el == MF_LABEL_EL_LIST ||
	                el == MF_LABEL_EL_TABLE || el == MF_LABEL_EL_FOLD))
		rc = mf_buf_putc(e->out, '\n');
	e->line_start = true;
	return rc;
}

static int
html_close(struct mf_label_emitter *e, enum mf_label_el el)
{
	int rc;

	if ((unsigned)el >= MF_LABEL_EL__MAX)
		return MF_E_INTERNAL;
	e->pending_space = false;
	if (el == MF_LABEL_EL_TABLE &&
	    (rc = mf_buf_puts(e->out, "</tbody>")) != 0)
		return rc;
	if ((rc = mf_buf_printf(e->out, "</%s>", tags[el])) != 0)
		return rc;
	if (el == MF_LABEL_EL_HEADROW) {
		e->in_head = false;
		rc = mf_buf_puts(e->out, "</thead>\n<tbody>");
	}
	e->line_start = false;
	if (rc == 0 && is_block(el))
		rc = mf_buf_putc(e->out, '\n');
	return rc;
}

static int
html_text(struct mf_label_emitter *e, const char *s, size_t len)
{
	return escape(e, s, len);
}

static int
html_code(struct mf_label_emitter *e, const char *s)
{
	int rc;

	if ((rc = mf_label_flush_space(e)) != 0 ||
	    (rc = mf_buf_puts(e->out, "<code>")) != 0 ||
	    (rc = escape(e, s, strlen(s))) != 0)
		return rc;
	e->pending_space = false;
	return mf_buf_puts(e->out, "</code>");
}

static int
html_link(struct mf_label_emitter *e, const char *url, const char *text)
{
	int rc;

	if (!mf_label_url_linkable(url)) {
		if ((rc = escape(e, text, strlen(text))) != 0 ||
		    strcmp(text, url) == 0)
			return rc;
		if ((rc = escape(e, " (", 2)) != 0 ||
		    (rc = escape(e, url, strlen(url))) != 0)
			return rc;
		return escape(e, ")", 1);
	}
	if ((rc = mf_label_flush_space(e)) != 0 ||
	    (rc = mf_buf_puts(e->out, "<a href=\"")) != 0)
		return rc;
	e->line_start = false;
	if ((rc = escape(e, url, strlen(url))) != 0 ||
	    (rc = mf_buf_puts(e->out, "\" rel=\"nofollow noopener "
	                              "noreferrer\">")) != 0 ||
	    (rc = escape(e, text, strlen(text))) != 0)
		return rc;
	e->pending_space = false;
	return mf_buf_puts(e->out, "</a>");
}

int
mf_label_html_bar(struct mf_buf *out, long long met, long long max)
{
	long long pct = 0;

	if (max > 0) {
		if (met < 0)
			met = 0;
		if (met > max)
			met = max;
		pct = (long long)(100.0 * (double)met / (double)max + 0.5);
	}
	/* A width class in steps of 5 rather than a style attribute, so
	 * pages whose Content-Security-Policy forbids inline styles can
	 * embed the panel. */
	return mf_buf_printf(out,
	                     "<span class=\"mf-bar\" role=\"img\" "
	                     "aria-label=\"%lld of %lld\"><span "
	                     "class=\"mf-fill mf-w-%lld\"></span></span>",
	                     met, max, (pct + 2) / 5 * 5);
}

static int
html_bar(struct mf_label_emitter *e, long long met, long long max)
{
	int rc;

	if ((rc = mf_label_flush_space(e)) != 0)
		return rc;
	e->line_start = false;
	return mf_label_html_bar(e->out, met, max);
}

int
mf_label_html_escape(struct mf_buf *out, const char *s, size_t len)
{
	struct mf_label_emitter e;

	mf_label_emitter_init(&e, &mf_label_html_ops, out);
	e.line_start = true;
	return escape(&e, s, len);
}

const struct mf_label_emitter_ops mf_label_html_ops = {
    html_open, html_close, html_text, html_code, html_link, html_bar,
};

int
mf_label_html_begin(struct mf_label_emitter *e, const char *title, bool page)
{
	int rc;

	if (page) {
		if ((rc = mf_buf_puts(
		         e->out,
		         "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		         "<meta charset=\"utf-8\">\n"
		         "<meta name=\"viewport\" content=\"width=device-"
		         "width, initial-scale=1\">\n"
		         "<meta http-equiv=\"Content-Security-Policy\" "
		         "content=\"default-src 'none'; style-src "
		         "'unsafe-inline'; base-uri 'none'; form-action "
		         "'none'\">\n"
		         "<meta name=\"referrer\" content=\"no-referrer\">"
		         "\n<title>Model Facts: ")) != 0)
			return rc;
		e->line_start = true;
		if ((rc = escape(e, title, strlen(title))) != 0 ||
		    (rc = mf_buf_printf(e->out,
		                        "</title>\n<style>\n%s</style>\n"
		                        "</head>\n<body>\n",
		                        css)) != 0)
			return rc;
	}
	e->pending_space = false;
	e->line_start = true;
	return mf_buf_puts(e->out, "<article class=\"mf-label\">\n");
}

int
mf_label_html_end(struct mf_label_emitter *e, bool page)
{
	int rc = mf_buf_puts(e->out, "</article>\n");

	if (rc == 0 && page)
		rc = mf_buf_puts(e->out, "</body>\n</html>\n");
	return rc;
}
