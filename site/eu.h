/*
 * The EU AI Act pages (site/eu.c): a model's disclosure by the items of
 * the GPAI Model Documentation Form, and the dashboard's per-item
 * coverage across the models it shows. Both read the API's
 * .../eu-ai-act answers; neither judges anything itself.
 */
#ifndef MF_SITE_EU_H
#define MF_SITE_EU_H

#include "site/page.h"

#include <jansson.h>

/* GET /models/{org}/{model}/eu-ai-act[?version=N] */
int mf_site_eu(struct mf_request *req);

/* The most models whose forms the dashboard reads (each one an answer
 * of the immutable, cached .../versions/{n}/eu-ai-act). */
#define MF_SITE_EU_MODELS_MAX 200

/*
 * Writes the dashboard's section: per form item, how many of the models
 * in cov's "matrix" (GET /v1/indices/{id}/coverage?matrix=1, borrowed)
 * disclose, withhold or miss it, read from each model's EU AI Act view.
 * A model without a disclosure (assessment-only) misses every item.
 */
void mf_site_eu_coverage(struct mf_page *p, const json_t *cov);

/* The view of one model (the API's JSON, borrowed) as the page shows it,
 * apart from fetching, for tests: versions is .../versions or NULL. */
void mf_site_eu_render(struct mf_page *p, const char *org, const char *model,
                       const json_t *eu, const json_t *versions);

#endif
