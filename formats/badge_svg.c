/*
 * Writes the badge SVG (badge_svg.h). The text is measured with a rough
 * table of Verdana 11px advances and then fitted exactly with
 * textLength, so a badge never clips its text whatever font the viewer
 * has.
 */
#include "formats/badge_svg.h"

#include "common/error.h"
#include "labels/html.h"

#include <stdbool.h>
#include <string.h>

static const char *const band_colors[MF_BADGE__MAX] = {
    [MF_BADGE_NONE] = "#6e6e6e", [MF_BADGE_LOW] = "#c62828",
    [MF_BADGE_FAIR] = "#b35900", [MF_BADGE_GOOD] = "#5b7a00",
    [MF_BADGE_HIGH] = "#1a7f37",
};

enum mf_badge_band
mf_badge_band(long score, long max)
{
	if (max <= 0 || score < 0)
		return MF_BADGE_NONE;
	if (score > max)
		score = max;
	/* integer comparisons: score/max >= 3/4 is 4*score >= 3*max */
	if (4 * score >= 3 * max)
		return MF_BADGE_HIGH;
	if (2 * score >= max)
		return MF_BADGE_GOOD;
	if (4 * score >= max)
		return MF_BADGE_FAIR;
	return MF_BADGE_LOW;
}

const char *
mf_badge_color(enum mf_badge_band band)
{
	return (unsigned)band < MF_BADGE__MAX ? band_colors[band]
	                                      : band_colors[MF_BADGE_NONE];
}

/* Rough advance in px of one character of Verdana at 11px. */
static unsigned
advance(unsigned char c)
{
	if (strchr("iljtf.,:;!|' ()[]/1", c) != NULL)
		return 4;
	if (strchr("mwMW@%", c) != NULL)
		return 10;
	if (c >= 'A' && c <= 'Z')
		return 8;
	return 7;
}

/* Width of the first n bytes of s: ASCII by the table, every other code
 * point (its lead byte) as a wide-ish 8px. */
static unsigned
text_width(const char *s, size_t n)
{
	unsigned w = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80)
			w += advance(c);
		else if ((c & 0xC0) != 0x80)
			w += 8;
	}
	return w;
}

static bool
color_valid(const char *c)
{
	size_t i;

	if (c == NULL || c[0] != '#' || strlen(c) != 7)
		return false;
	for (i = 1; i < 7; i++)
		if (strchr("0123456789abcdefABCDEF", c[i]) == NULL)
			return false;
	return true;
}

static int
put_text(struct mf_buf *out, unsigned x, unsigned width, const char *s,
         size_t n)
{
	int rc;

	if ((rc = mf_buf_printf(out,
	                        "<text x=\"%u\" y=\"14\" textLength=\"%u\" "
	                        "lengthAdjust=\"spacingAndGlyphs\">",
	                        x, width)) != 0 ||
	    (rc = mf_label_html_escape(out, s, n)) != 0)
		return rc;
	return mf_buf_puts(out, "</text>");
}

int
mf_badge_svg(struct mf_buf *out, const char *label, const char *value,
             const char *color)
{
	size_t ln = strnlen(label, MF_BADGE_TEXT_MAX);
	size_t vn = strnlen(value, MF_BADGE_TEXT_MAX);
	unsigned lt = text_width(label, ln), vt = text_width(value, vn);
	unsigned lw = lt + 12, vw = vt + 12; /* 6px padding each side */
	int rc;

	/* 1. the frame, and the text once for screen readers */
	if (!color_valid(color))
		color = band_colors[MF_BADGE_NONE];
	if ((rc = mf_buf_printf(out,
	                        "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	                        "width=\"%u\" height=\"20\" role=\"img\" "
	                        "aria-label=\"",
	                        lw + vw)) != 0 ||
	    (rc = mf_label_html_escape(out, label, ln)) != 0 ||
	    (rc = mf_buf_puts(out, ": ")) != 0 ||
	    (rc = mf_label_html_escape(out, value, vn)) != 0 ||
	    (rc = mf_buf_puts(out, "\"><title>")) != 0 ||
	    (rc = mf_label_html_escape(out, label, ln)) != 0 ||
	    (rc = mf_buf_puts(out, ": ")) != 0 ||
	    (rc = mf_label_html_escape(out, value, vn)) != 0 ||
	    (rc = mf_buf_puts(out, "</title>")) != 0)
		return rc;
	/* 2. the two parts */
	if ((rc = mf_buf_printf(out,
	                        "<rect width=\"%u\" height=\"20\" "
	                        "fill=\"#555\"/><rect x=\"%u\" width=\"%u\" "
	                        "height=\"20\" fill=\"%s\"/>",
	                        lw, lw, vw, color)) != 0)
		return rc;
	/* 3. the text, centred in each part */
	if ((rc = mf_buf_puts(out, "<g fill=\"#fff\" text-anchor=\"middle\" "
	                           "font-family=\"Verdana,DejaVu Sans,"
	                           "sans-serif\" font-size=\"11\">")) != 0 ||
	    (rc = put_text(out, lw / 2, lt, label, ln)) != 0 ||
	    (rc = put_text(out, lw + vw / 2, vt, value, vn)) != 0)
		return rc;
	return mf_buf_puts(out, "</g></svg>\n");
}
