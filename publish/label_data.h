/*
 * What a label shows, assembled from the database: one version of one
 * model as of a log position, with the evals and assessments the log held
 * by then, and the score recomputed with those assessments applied. The
 * same position always gives the same label, which is what makes the git
 * publisher's commits reproducible and versioned labels immutable.
 */
#ifndef MF_LABEL_DATA_H
#define MF_LABEL_DATA_H

#include "common/error.h"
#include "labels/label.h"

#include <stdint.h>

struct mf_label_data {
	struct mf_label_input in; /* points into the members below */
	char org[64], model[64];
	char payload_sha256[65], accepted_at[40];
	json_t *disclosure, *score, *other_scores, *evals, *signed_by;
};

/*
 * version 0: the newest version as of the position; as_of -1: now (every
 * sequenced entry, and the version itself even when not yet sequenced);
 * as_of MF_LABEL_AS_OF_VERSION: the version's own log position, which
 * makes the label of a sequenced version immutable.
 * MF_E_NOT_FOUND when the model had no such version then.
 */
#define MF_LABEL_AS_OF_VERSION (-2)
int mf_label_data_load(struct mf_label_data *d, const char *org,
                       const char *model, int version, int64_t as_of,
                       const char *origin, const char *public_url,
                       struct mf_error *err);
void mf_label_data_dispose(struct mf_label_data *d);

#endif
