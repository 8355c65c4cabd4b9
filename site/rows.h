/*
 * Pieces several pages show: a list of models as GET /v1/models answers
 * them, one score bar naming its judge, links to a model and an
 * organisation.
 */
#ifndef MF_SITE_ROWS_H
#define MF_SITE_ROWS_H

#include "site/page.h"

#include <jansson.h>

/* The rows of GET /v1/models ("models" array, borrowed) as an ordered
 * list of results, each with its score bars; id names the list. An
 * empty array says so. */
void mf_site_model_rows(struct mf_page *p, const json_t *models,
                        const char *id);
/* <a href="/models/org/model">text</a>; text NULL: "org/model". Plain
 * text when org or model is not a slug. */
void mf_site_model_link(struct mf_page *p, const char *org, const char *model,
                        const char *text);
/* <a href="/orgs/org">org</a>, or "the automatic check" for "auto". */
void mf_site_judge_link(struct mf_page *p, const char *judge);
void mf_site_org_link(struct mf_page *p, const char *org, const char *text);
/* A labelled <select name="judge"> (id: its id): the default judge,
 * the automatic check, and every assessor of orgs (GET /v1/orgs,
 * borrowed); current selected (added when it is none of them). */
void mf_site_judge_select(struct mf_page *p, const char *id, const json_t *orgs,
                          const char *current);
/* A number of parameters as "13.2B". */
void mf_site_count(struct mf_page *p, double n);

#endif
