/*
 * Eval-harness outputs in: lm-evaluation-harness results_*.json, Inspect
 * logs (.eval archives and .json) and HELM runs (run_spec.json with the
 * stats.json beside it) become eval-result payloads (schema/
 * eval-result.v1.json) that pin the harness and its version, the task
 * and its configuration, and the dataset revision. Pure: the caller
 * reads the files (cli/cmd_import_evals.c); nothing here does I/O.
 */
#ifndef MF_EVALS_IMPORT_H
#define MF_EVALS_IMPORT_H

#include "common/buf.h"
#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mf_evals_format {
	MF_EVALS_AUTO,
	MF_EVALS_LM_EVAL, /* "lm-eval" */
	MF_EVALS_INSPECT, /* "inspect" */
	MF_EVALS_HELM,    /* "helm" */
	MF_EVALS__MAX
};

/* "auto", "lm-eval", "inspect", "helm"; -1 for an unknown name. */
const char *mf_evals_format_name(enum mf_evals_format f);
int mf_evals_format_from_name(const char *name);

/* What every payload says besides the harness's figures. Borrowed. */
struct mf_evals_options {
	const char *registry;        /* the registry's origin name */
	const char *org, *model;     /* the subject */
	const char *model_version;   /* the version label, or NULL */
	const char *disclosure;      /* "sha256:<hex>" pinned, or NULL */
	bool third_party;            /* signed by an evaluator, not the org */
	const char *issued_at;       /* RFC 3339 */
	int64_t seq;                 /* the next payload's seq; advanced */
	const char *harness_version; /* overrides the harness version read
	                                (HELM writes none), or NULL */
};

/* One harness output as the caller read it. Borrowed. */
struct mf_evals_input {
	const char *name; /* the file, for messages */
	const uint8_t *data;
	size_t len;
	/* HELM: data is run_spec.json and these are its stats.json */
	const char *stats_name;
	const uint8_t *stats;
	size_t stats_len;
};

/*
 * Which harness wrote data: a ZIP archive is an Inspect .eval; JSON with
 * "results" and "configs"/"versions" is lm-eval, with "eval" and
 * "results" Inspect, with "adapter_spec" and "scenario_spec" a HELM run
 * spec. MF_EVALS_AUTO (and err set) when none fits.
 */
enum mf_evals_format mf_evals_detect(const struct mf_evals_input *in,
                                     struct mf_error *err);

/*
 * Appends one eval-result payload per task (or scorer) and metric to out
 * (an array), in the file's order. fmt MF_EVALS_AUTO detects. Errors name
 * the file in the message and the place in it as the JSON pointer
 * (MF_E_BAD_JSON, MF_E_VALIDATION: the file lacks what a result needs;
 * MF_E_TOO_LARGE: an archive member beyond the bounds).
 */
int mf_evals_import(json_t *out, enum mf_evals_format fmt,
                    const struct mf_evals_input *in,
                    struct mf_evals_options *opt, struct mf_error *err);

/*
 * Appends v as indented JSON in its own key order, each real in the
 * fewest digits that read back as the same double (jansson writes 17:
 * 0.34 would read "0.34000000000000002"). 0 or MF_E_NOMEM.
 */
int mf_evals_dump(struct mf_buf *b, const json_t *v);

#endif
