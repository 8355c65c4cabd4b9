/*
 * What a label shows, assembled from the database: one version of one
 * model as of a log position, with the evals the log held by then and
 * every judgement about that version (DESIGN.md §2): the registry's
 * automatic check of the disclosure, and each assessor's latest
 * assessment per index, each scored alone. The same position always
 * gives the same label, which is what makes the git publisher's commits
 * reproducible and versioned labels immutable.
 *
 * Which assessments concern version N: those pinned to N (their subject
 * names N's payload digest) and those pinned to no version, which are
 * about the model as a whole. A model with assessments and no disclosure
 * is an assessment-only model: version 0, disclosure NULL.
 */
#ifndef MF_LABEL_DATA_H
#define MF_LABEL_DATA_H

#include "common/error.h"
#include "labels/label.h"

#include <stdint.h>

struct mf_label_data {
	struct mf_label_input in; /* points into the members below */
	char org[64], model[64];
	char name[201]; /* an assessment-only model's name, or "" */
	char payload_sha256[65], accepted_at[40];
	json_t *disclosure, *evals, *signed_by;
	json_t *withdrawn, *compromised; /* the version's flags, or NULL */
	json_t *compromised_assessments; /* flagged, judging no more */
	json_t *judgements;
};

/*
 * version 0: the newest version as of the position that counts then
 * (neither withdrawn nor flagged compromised: migrations/0010), or, when
 * the model had none then but had been assessed, its assessment-only
 * label (in.assessment_only 1, in.version 0, no disclosure, no payload
 * digest, log_index -1), else its newest version, flagged. as_of -1: now (every
 * sequenced entry, and the version itself even when not yet sequenced); as_of
 * MF_LABEL_AS_OF_VERSION: the version's own log position, which makes the label
 * of a sequenced version immutable. MF_E_NOT_FOUND when the model had no such
 * version then (and, for version 0, no assessment either).
 */
#define MF_LABEL_AS_OF_VERSION (-2)
int mf_label_data_load(struct mf_label_data *d, const char *org,
                       const char *model, int version, int64_t as_of,
                       const char *origin, const char *public_url,
                       struct mf_error *err);
void mf_label_data_dispose(struct mf_label_data *d);

#endif
