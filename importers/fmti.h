/*
 * Importer for the Foundation Model Transparency Index data set
 * (../shared/data/fmti, CC BY 4.0, Bommasani et al.): for each edition
 * (v1.0 October 2023, v1.1 May 2024, 2025 December 2025) it builds
 *   - the index document (indicators with domain and subdomain),
 *   - one organisation per developer, the assessor "fmti" and the
 *     curator "fmti-import" that signs every document (none of the
 *     others needs a key: their words are transcribed, not signed),
 *   - a disclosure per developer where the edition has disclosure text
 *     (v1.1 and 2025 transparency reports), answering the index's
 *     indicators in "indices",
 *   - an assessment that names "fmti" as its assessor, with the
 *     published 0/1 scores and justifications.
 * Every document says where it was transcribed from (transcribed_from).
 * Documents are unsigned payloads, numbered in the curator's seq in the
 * order they would be submitted. Nothing here talks to a registry.
 */
#ifndef MF_FMTI_H
#define MF_FMTI_H

#include "common/digest.h"
#include "common/error.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define MF_FMTI_ASSESSOR "fmti"
/* The curator that signs every transcribed document (DESIGN.md section 2):
 * never the developers' or the assessors' own keys. */
#define MF_FMTI_CURATOR          "fmti-import"
#define MF_FMTI_DEFAULT_REGISTRY "modelfacts.localhost"
#define MF_FMTI_EDITIONS         3

struct mf_fmti_options {
	const char *dir;      /* the fmti/ folder of the data set */
	const char *registry; /* NULL: MF_FMTI_DEFAULT_REGISTRY */
	int64_t issued_at_ms; /* 0: now (the registry rejects stale times) */
};

/* A payload and the exact bytes that would be signed. */
struct mf_fmti_doc {
	json_t *payload; /* owned */
	char *bytes;     /* owned: compact, sorted-key JSON of payload */
	size_t len;
	char sha256[MF_SHA256_HEX_LEN + 1]; /* of bytes */
};

struct mf_fmti_developer {
	char *name;       /* as published, e.g. "Hugging Face" */
	char *org;        /* organisation id, e.g. "hugging-face" */
	char *model;      /* model id: slug of model_name, else legacy_model */
	char *model_name; /* the model as the data names it, or NULL */
	char *legacy_model; /* "flagship-YYYY-MM", the id before issue 12 */
	struct mf_fmti_doc disclosure; /* payload NULL: no disclosure text */
	struct mf_fmti_doc assessment;
	int published_total; /* the scores file's Total row, or -1 */
	/* What the crosswalk did with the report's answers (fmti_fill.h:
	 * answers, undisclosed, mapped, free_text); NULL without a report.
	 * Owned. */
	json_t *fill_report;
};

struct mf_fmti_edition {
	const char *name;  /* "v1.0", "v1.1", "2025" (static) */
	const char *label; /* "October 2023" (static) */
	json_t *index;     /* owned: the index document */
	struct mf_fmti_developer *devs;
	size_t n_devs;
};

struct mf_fmti_import {
	struct mf_fmti_edition editions[MF_FMTI_EDITIONS];
	/* [{"org", "name", "role"}]: developers in first-seen order, then
	 * the assessor. Owned. */
	json_t *orgs;
};

/*
 * Reads every edition from opt->dir. Returns 0, or MF_E_IO (a file is
 * missing or unreadable), MF_E_BAD_REQUEST (the data is not as
 * documented: err names the file, line and what was expected) or
 * MF_E_NOMEM.
 */
int mf_fmti_import(struct mf_fmti_import **out,
                   const struct mf_fmti_options *opt, struct mf_error *err);
void mf_fmti_import_free(struct mf_fmti_import *imp);

/* Lowercase slug of a name ("AI21 Labs" -> "ai21-labs") into out[64]. */
void mf_fmti_slug(char out[64], const char *name);

#endif
