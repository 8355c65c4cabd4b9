/*
 * The model page's rendering, apart from fetching, so that it can be
 * tested and timed without a server: what the page shows is the API's
 * JSON, held here.
 */
#ifndef MF_SITE_MODEL_H
#define MF_SITE_MODEL_H

#include "site/page.h"

#include <jansson.h>
#include <stdbool.h>

struct mf_site_model {
	const char *org, *model; /* slugs */
	const char *public_url;  /* the registry's, for the commands shown */
	long long version;       /* shown; 0: assessment-only (no version) */
	/* borrowed by the renderer; model.c owns what it fetched */
	json_t *versions;   /* .../versions (not on a version's page) */
	json_t *label;      /* .../versions/{n}/label.json (parsed) */
	json_t *history;    /* .../history */
	json_t *judgements; /* .../versions/{n}/judgements, or NULL */
};

/*
 * Writes the whole page: the label panel (fragment: the label's HTML
 * fragment, mf_label_render(..., MF_LABEL_HTML_FRAGMENT), or NULL), the
 * version selector, downloads, every indicator's judgements and the
 * provenance. pinned: the page of one version (/versions/{n}).
 */
void mf_site_model_render(struct mf_page *p, const struct mf_site_model *v,
                          const char *fragment, bool pinned);

#endif
