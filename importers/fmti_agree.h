/*
 * How far the registry's automatic modelfacts-v1 check of an imported
 * FMTI report agrees with the FMTI experts' scores: for each crosswalk
 * row that names a modelfacts-v1 indicator, the automatic result (met or
 * not) of that indicator on the imported disclosure against the FMTI
 * score of the row's indicator. Counts, percentage agreement, Cohen's
 * kappa, and why each disagreement happened (FIDELITY.md).
 */
#ifndef MF_FMTI_AGREE_H
#define MF_FMTI_AGREE_H

#include "common/error.h"
#include "importers/fmti.h"

/* Why the automatic check and the experts disagree on a row. */
enum mf_fmti_why {
	/* automatic met, FMTI 0 */
	MF_FMTI_WHY_WORDS_ENOUGH, /* the answer's words meet the rule;
	                             FMTI asks for more detail */
	MF_FMTI_WHY_OTHER_ROW,    /* the field was filled from another
	                             FMTI indicator's answer */
	/* automatic not met, FMTI 1 */
	MF_FMTI_WHY_NO_ANSWER, /* the report has no answer there */
	MF_FMTI_WHY_SAYS_NOT,  /* the answer reads as "not disclosed" */
	MF_FMTI_WHY_STRUCTURE, /* the field needs records or fixed words
	                          the prose does not give */
	MF_FMTI_WHY_NO_LINK,   /* no single URL, license or name */
	MF_FMTI_WHY_NO_VALUE,  /* words only: no unambiguous figure */
	MF_FMTI_WHY_RULE_MORE, /* the rule asks for more than the
	                          filled field holds */
	MF_FMTI_WHY__MAX
};

const char *mf_fmti_why_text(enum mf_fmti_why why);

struct mf_fmti_agreement {
	unsigned n;         /* rows compared */
	unsigned both;      /* automatic met, FMTI 1 */
	unsigned auto_only; /* automatic met, FMTI 0 */
	unsigned fmti_only; /* automatic not met, FMTI 1 */
	unsigned neither;   /* both 0 */
	unsigned why[MF_FMTI_WHY__MAX];
};

/*
 * Adds the rows of one developer of an edition with reports (v1.1,
 * 2025) to *acc. Returns 0, MF_E_BAD_REQUEST (the edition has no
 * crosswalk, or the developer no disclosure) or MF_E_NOMEM.
 */
int mf_fmti_agree(struct mf_fmti_agreement *acc,
                  const struct mf_fmti_edition *ed,
                  const struct mf_fmti_developer *dev, struct mf_error *err);

/* Percentage of rows where both agree (0-100). */
double mf_fmti_agreement_percent(const struct mf_fmti_agreement *a);

/* Cohen's kappa; NAN when undefined (all ratings in one class). */
double mf_fmti_agreement_kappa(const struct mf_fmti_agreement *a);

/* The crosswalk file of an edition ("v1.1" -> schema/crosswalk/
 * fmti-v1.csv), or NULL when it has none. */
const char *mf_fmti_crosswalk_of(const char *edition);

#endif
