/*
 * The page handlers, one family per file: home.c (/), models.c (search
 * and browse), model.c (the model page, its versions, widget, history and
 * diff), compare.c, dashboard.c, orgs.c (organisations and the log page).
 * Each fetches the API's JSON through captured requests (page.h) and
 * writes HTML; none runs SQL of its own.
 */
#ifndef MF_SITE_PAGES_H
#define MF_SITE_PAGES_H

struct mf_request;

int mf_site_home(struct mf_request *req);
int mf_site_models(struct mf_request *req);
int mf_site_model(struct mf_request *req);
int mf_site_model_version(struct mf_request *req);
int mf_site_widget(struct mf_request *req);
int mf_site_history(struct mf_request *req);
int mf_site_diff(struct mf_request *req);
int mf_site_compare(struct mf_request *req);
int mf_site_dashboard(struct mf_request *req);
int mf_site_org(struct mf_request *req);
int mf_site_orgs(struct mf_request *req);
int mf_site_log(struct mf_request *req);
int mf_site_static(struct mf_request *req);

#endif
