/* The README badge of a model: its score on an index and who judged. */
#ifndef MF_HANDLERS_BADGE_H
#define MF_HANDLERS_BADGE_H

#include "http/http.h"

/*
 * GET /badge/{org}/{model}.svg[?index=&judge=]: an SVG badge reading
 * "<index> | <score>/<max> · <judge>" for the model's current version
 * (index default modelfacts-v1, judge default DESIGN.md §2's rule:
 * mf_h_judgement_pick), coloured by band (formats/badge_svg.h), cached
 * for five minutes with an ETag. An unknown model answers 404 with a grey
 * "not found" badge (an <img> shows it); a bad parameter answers 400 in
 * the JSON error shape.
 */
int mf_h_badge(struct mf_request *req);

#endif
