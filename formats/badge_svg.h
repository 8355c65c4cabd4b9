/*
 * The README badge: a two-part "label | value" SVG (the shape READMEs
 * already show for builds and coverage), coloured by how much of an
 * index a model meets. Pure: the API (api/badge.c) picks the judgement
 * and serves the bytes.
 */
#ifndef MF_FORMATS_BADGE_SVG_H
#define MF_FORMATS_BADGE_SVG_H

#include "common/buf.h"

/*
 * Bands of score/max, each with its colour (white text reads on all):
 * HIGH at least 75% (green), GOOD at least 50% (olive), FAIR at least
 * 25% (orange), LOW below 25% (red); NONE (grey) when there is no score
 * (max <= 0, or no judgement at all).
 */
enum mf_badge_band {
	MF_BADGE_NONE,
	MF_BADGE_LOW,
	MF_BADGE_FAIR,
	MF_BADGE_GOOD,
	MF_BADGE_HIGH,
	MF_BADGE__MAX
};

enum mf_badge_band mf_badge_band(long score, long max);
/* "#rrggbb" of a band; a static string. */
const char *mf_badge_color(enum mf_badge_band band);

/*
 * Appends the SVG of a badge reading "label | value" on a grey and a
 * `color` part. label and value are untrusted text (escaped; at most
 * MF_BADGE_TEXT_MAX bytes of each are shown); color must be "#rrggbb"
 * (anything else draws grey). Widths follow the text so the badge fits
 * it; the text says the same to screen readers (role="img", a title).
 * 0, MF_E_NOMEM or MF_E_TOO_LARGE.
 */
#define MF_BADGE_TEXT_MAX 120
int mf_badge_svg(struct mf_buf *out, const char *label, const char *value,
                 const char *color);

#endif
