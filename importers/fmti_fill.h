/*
 * From FMTI answers to disclosure fields: the crosswalk
 * (schema/crosswalk/fmti-*.csv, compiled in) says which field each FMTI
 * indicator's answer fills; this module writes the answer there, in the
 * report's own words with a reference to the report row, and adds the
 * value (quantity, accelerator, license, URL) only where importers/
 * extract.h reads it unambiguously from the words. What was mapped,
 * extracted and left as free text is returned as a small JSON report.
 */
#ifndef MF_FMTI_FILL_H
#define MF_FMTI_FILL_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define MF_FMTI_CROSSWALK_ROWS 100

struct mf_fmti_xrow {
	int number;       /* 1-100 */
	char name[160];   /* the FMTI indicator, as the crosswalk names it */
	char mf_id[64];   /* modelfacts-v1 indicator, "" for none */
	char pointer[96]; /* disclosure field filled, "" for none */
	char match[16];   /* "exact", "partial" or "none" */
};

struct mf_fmti_crosswalk {
	const char *file; /* "schema/crosswalk/fmti-v1.csv" (static) */
	struct mf_fmti_xrow rows[MF_FMTI_CROSSWALK_ROWS];
};

/*
 * Loads a compiled-in crosswalk (path as above) into *out (caller frees
 * with free()). Refuses rows out of order, unknown match words and
 * pointers the filler cannot write: MF_E_BAD_REQUEST naming the row.
 */
int mf_fmti_crosswalk_load(struct mf_fmti_crosswalk **out, const char *path,
                           struct mf_error *err);

/* Whether the filler knows how to write this disclosure pointer. */
bool mf_fmti_fill_supported(const char *pointer);

/* One row of a transparency report. text may be NULL (no answer). */
struct mf_fmti_answer {
	const char *text; /* the Disclosure cell, cleaned */
	const char
	    *references; /* the References cell, free text; may be NULL */
	size_t line;     /* line of the row in the report file */
};

struct mf_fmti_fill_ctx {
	const char *edition;     /* "2025", "v1.1" */
	const char *developer;   /* "IBM" */
	const char *prepared_by; /* "IBM", "the FMTI team" */
	const char *row_url;     /* the report file's URL; "#L<line>" added */
};

/*
 * Fills doc (a disclosure payload: sections are added or extended) from
 * the 100 answers through cw. *report (new) gets
 *   {"answers": n, "undisclosed": [fmti numbers],
 *    "mapped": [{"fmti", "pointer", "extracted"?: text}],
 *    "free_text": [{"fmti", "reason"}]}.
 * Returns 0 or MF_E_NOMEM.
 */
int mf_fmti_fill(json_t *doc, const struct mf_fmti_crosswalk *cw,
                 const struct mf_fmti_answer *answers,
                 const struct mf_fmti_fill_ctx *ctx, json_t **report);

/*
 * The distinct valid http(s) URLs in text, in order (at most 50): a new
 * array. *other_words (may be NULL) is set when the text says more than
 * URLs. NULL when out of memory.
 */
json_t *mf_fmti_urls(const char *text, bool *other_words);

#endif
